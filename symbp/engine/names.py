"""How a spec name is written in LaTeX: h1 -> h_{1}, net_h1 -> \\mathrm{net}_{h_{1}}, δ -> \\delta.

The spec reader accepts only names this module can typeset, so it sits with the spec.
"""

from __future__ import annotations

import re
import unicodedata

GREEK = {
    "alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa",
    "lambda", "mu", "nu", "xi", "pi", "rho", "sigma", "tau", "upsilon", "phi", "chi", "psi",
    "omega",
}
#: Greek capitals that look like Latin ones, which TeX writes as the Latin letter.
_LATIN_CAPITALS = {
    "alpha": "A", "beta": "B", "epsilon": "E", "zeta": "Z", "eta": "H", "iota": "I",
    "kappa": "K", "mu": "M", "nu": "N", "omicron": "O", "rho": "P", "tau": "T", "chi": "X",
}
_ACCENTS = {"\u0300": "grave", "\u0301": "acute", "\u0306": "breve", "\u030c": "check",
            "\u0302": "hat", "\u0303": "tilde", "\u0304": "bar", "\u0307": "dot", "\u0308": "ddot"}
_TRAILING_DIGITS = re.compile(r"^(.*?)(\d+)$")


def _letter(ch: str) -> str:
    """One letter: ASCII as is, Greek as its command, accented Latin as accent{base}."""
    if ch.isascii():
        return ch
    decomposed = unicodedata.normalize("NFD", ch)
    if len(decomposed) > 1 and decomposed[0].isascii():
        accents = [_ACCENTS[c] for c in decomposed[1:] if c in _ACCENTS]
        if len(accents) == len(decomposed) - 1:
            tex = decomposed[0]
            for accent in accents:
                tex = f"\\{accent}{{{tex}}}"
            return tex
    name = unicodedata.name(ch, "")
    if name.startswith("GREEK "):
        word = name.split()[-1].lower().replace("lamda", "lambda")
        if "CAPITAL" in name and word in _LATIN_CAPITALS:
            return f"\\mathrm{{{_LATIN_CAPITALS[word]}}}"  # TeX has no \Alpha: an upright A
        if word in GREEK:
            return f"\\{word.capitalize() if 'CAPITAL' in name else word}"
    raise ValueError(f"no LaTeX for the character {ch!r}")


def can_typeset(name: str) -> bool:
    """Whether every character of a name has a LaTeX form."""
    try:
        name_latex(name)
    except ValueError:
        return False
    return True


def _base(text: str) -> str:
    if text in GREEK:
        return f"\\{text}"
    letters = " ".join(_letter(c) for c in text)  # \Gamma x, not the undefined \Gammax
    if len(text) > 1 and all(c.isascii() for c in text):
        return f"\\mathrm{{{text}}}"
    return letters


def name_latex(name: str) -> str:
    """LaTeX of a spec name: h1 -> h_{1}, net_h1 -> \\mathrm{net}_{h_{1}}, δ -> \\delta."""
    stripped = name.rstrip("'")
    primes = "'" * (len(name) - len(stripped))
    if "_" in stripped:
        head, tail = stripped.split("_", 1)
        match = _TRAILING_DIGITS.match(head)
        if match and match.group(1) and tail.isdigit():
            # u1_5: unit 5 of layer 1, one subscript u_{1,5} (u_{1}_{5} is a TeX error)
            return f"{_base(match.group(1))}_{{{match.group(2)},{tail}}}{primes}"
        head_tex = name_latex(head)
        if "_" in head_tex:
            head_tex = f"{{{head_tex}}}"
        return f"{head_tex}_{{{name_latex(tail)}}}{primes}"
    match = _TRAILING_DIGITS.match(stripped)
    if match and match.group(1):
        return f"{_base(match.group(1))}_{{{match.group(2)}}}{primes}"
    return f"{_base(stripped)}{primes}"
