"""How wide a line of printed maths is, and where a textbook breaks one that is too wide.

:func:`width` estimates the printed width of a LaTeX snippet in em of the maths font
(Computer Modern's and KaTeX's widths, rounded up), from the LaTeX the page builders
emit: the TextbookPrinter's spacing (`` + ``, `` \\times ``) and the matrices of
:mod:`symbp.page.matrices`.  :func:`break_rhs` splits a right-hand side into lines:
between the terms of a sum first, then between factors, outermost first; inside a
parenthesis only when the parenthesis alone is too wide, which then gets delimiters
of a fixed size (a ``\\left(`` cannot span lines).  A matrix still wider than a line
is set smaller (``smallmatrix``): it stays whole, rows and columns where the formula
says they are, as a textbook sets a wide table in smaller type.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

#: Width of a display line, in em of the maths font.  A 2 cm-margin A4 page at 11 pt has
#: 44 em; KaTeX in an 800 px text column at 16 px (its maths at 1.21 em) has 41 em.  The
#: estimate must stay below both with room for its own error (about 5%).
LINE = 38.0
QUAD = 1.0
#: Room an equation number takes at the right of a numbered display ("(146)"), em.
TAG = 2.5
#: Room kept on a broken line for the delimiters that close and reopen a parenthesis.
SLACK = 0.6

_TOKEN = re.compile(r"\\[a-zA-Z]+|\\.|[{}^_&]|\s+|[^\\{}^_&\s]")
_MATRICES = {"bmatrix", "pmatrix", "matrix", "smallmatrix", "array", "aligned"}
_NAMED = {"log", "exp", "tanh", "max", "min", "ln", "sin", "cos", "det", "sup", "inf"}
_SPACES = {"quad": 1.0, "qquad": 2.0, ",": 0.17, ";": 0.28, ":": 0.22, " ": 0.33, "!": -0.17}
_BINARY = {"times": 1.22, "cdot": 0.72, "odot": 1.22, "oslash": 1.22, "pm": 1.22,
           "circ": 0.94}
_RELATION = {"approx": 1.33, "le": 1.33, "ge": 1.33, "leq": 1.33, "geq": 1.33,
             "neq": 1.33, "to": 1.56}
_SYMBOL = {"partial": 0.57, "nabla": 0.83, "ell": 0.42, "infty": 1.0, "ldots": 1.2,
           "dots": 1.2, "cdots": 1.2, "prime": 0.3}
_DELIMS = {"(": 0.39, ")": 0.39, "[": 0.28, "]": 0.28, "|": 0.28, ".": 0.12,
           "\\{": 0.5, "\\}": 0.5, "\\lbrace": 0.5, "\\rbrace": 0.5}
_SIZED = {"bigl": 0.47, "bigr": 0.47, "big": 0.47, "Bigl": 0.6, "Bigr": 0.6, "Big": 0.6,
          "biggl": 0.75, "biggr": 0.75}


def _cjk(ch: str) -> bool:
    return "\u2e80" <= ch <= "\u9fff" or "\uf900" <= ch <= "\uffef" or "\u3000" <= ch <= "\u303f"


def _char(ch: str, upright: bool = False) -> float:
    if ch.isdigit():
        return 0.5
    if _cjk(ch):
        return 1.0
    if ch in "WM":
        return 0.98
    if ch.isupper():
        return 0.76
    if ch in "mw":
        return 0.84
    if ch.isalpha():
        return 0.5 if upright else 0.55
    return {".": 0.28, ",": 0.45, ";": 0.45, ":": 0.28, "'": 0.3, "(": 0.39, ")": 0.39,
            "[": 0.28, "]": 0.28, "=": 1.33, "<": 1.33, ">": 1.33, "/": 0.5, "|": 0.28,
            "!": 0.28, "*": 0.5, " ": 0.0}.get(ch, 0.6)


class _Measure:
    """Recursive descent over the tokens of a LaTeX snippet, adding up widths."""

    def __init__(self, tex: str):
        self.tokens = [t for t in _TOKEN.findall(tex)]
        self.i = 0

    def peek(self, skip_space: bool = True) -> str | None:
        j = self.i
        while skip_space and j < len(self.tokens) and self.tokens[j].isspace():
            j += 1
        return self.tokens[j] if j < len(self.tokens) else None

    def take(self) -> str:
        while self.i < len(self.tokens) and self.tokens[self.i].isspace():
            self.i += 1
        token = self.tokens[self.i] if self.i < len(self.tokens) else ""
        self.i += 1
        return token

    def raw_group(self) -> str:
        """The text of the next {...} argument (or single token), unparsed."""
        token = self.take()
        if token != "{":
            return token
        depth, out = 1, []
        while self.i < len(self.tokens):
            t = self.tokens[self.i]
            self.i += 1
            depth += (t == "{") - (t == "}")
            if depth == 0:
                break
            out.append(t)
        return "".join(out)

    def argument(self, scale: float, frac: int) -> float:
        token = self.peek()
        if token == "{":
            self.take()
            return self.sequence(scale, frac, stop={"}"})[0]
        return self.sequence(scale, frac, single=True)[0]

    def sequence(self, scale: float, frac: int, stop: set[str] | None = None,
                 single: bool = False) -> tuple[float, str]:
        """Width of tokens up to a stop token (consumed), or of one atom if ``single``."""
        total = 0.0
        operand = False  # whether the last item was an operand (so - is binary)
        script = 0.0  # width of the scripts on the last atom, for a second script
        limits = 0.0  # width of a \sum-like operator whose scripts go above and below
        while self.i < len(self.tokens):
            token = self.tokens[self.i]
            if stop and token in stop:
                self.i += 1
                return total, token
            self.i += 1
            if token.isspace():
                continue
            w, was_operand, is_script = 0.0, True, False
            if token in "^_":
                s = self.argument(max(scale * 0.7, 0.5), frac + 1) + 0.06 * scale
                if limits:
                    w = max(0.0, s - limits)
                    limits = max(limits, s)
                else:
                    w = max(0.0, s - script)
                    script = max(script, s)
                is_script = True
            elif token == "{":
                w = self.sequence(scale, frac, stop={"}"})[0]
            elif token in "}&":
                w, was_operand = 0.0, False
            elif token in "+-":
                binary = operand
                w = (1.22 if binary else 0.78) * scale
                was_operand = False
            elif token.startswith("\\"):
                w, was_operand = self.command(token[1:], scale, frac)
                if token[1:] in ("sum", "prod") and scale == 1.0:
                    limits = w
            else:
                w = _char(token) * scale
                was_operand = token not in "=(<>[,"
            if not is_script:
                script = 0.0
                if not token.startswith("\\sum"):
                    limits = 0.0
            total += w
            operand = was_operand
            if single and not is_script and self.peek(skip_space=False) not in ("^", "_"):
                break
        return total, ""

    def command(self, name: str, scale: float, frac: int) -> tuple[float, bool]:
        if name in _SPACES:
            return _SPACES[name] * (scale if name in (",", ";", ":", "!") else 1.0), False
        if name == "\\":
            return 0.0, False
        if name == "frac":
            inner = scale if frac == 0 and scale == 1.0 else max(scale * 0.7, 0.5)
            num = self.argument(inner, frac + 1)
            den = self.argument(inner, frac + 1)
            return max(num, den) + 0.24 * scale, True
        if name in ("left", "right"):
            delim = self.take()
            return _DELIMS.get(delim, 0.45) * scale + (0.06 if delim != "." else 0), \
                name == "right"
        if name in _SIZED:
            self.take()
            return _SIZED[name] * scale, name.endswith("r")
        if name == "text":
            text = self.raw_group()
            return sum(0.33 if c == " " else _char(c, upright=True) for c in text) * scale, True
        if name in ("mathrm", "operatorname", "mathbf", "mathsf", "mathit", "textbf"):
            text = re.sub(r"\\[a-zA-Z]+|[{}]", "", self.raw_group())
            extra = 0.17 if name == "operatorname" else 0.0
            return (sum(_char(c, upright=True) for c in text) + extra) * scale, True
        if name in ("vphantom", "phantom", "hphantom"):
            text = self.raw_group()
            return (0.0 if name == "vphantom" else width(text) * scale), True
        if name == "begin":
            return self.environment(self.raw_group(), scale), True
        if name == "end":
            self.raw_group()
            return 0.0, True
        if name in ("sum", "prod"):
            return (1.44 if scale == 1.0 else 1.06) * scale, False
        if name in _NAMED:
            return (0.5 * len(name) + 0.17) * scale, False
        if name in _BINARY:
            return _BINARY[name] * scale, False
        if name in _RELATION:
            return _RELATION[name] * scale, False
        if name in _SYMBOL:
            return _SYMBOL[name] * scale, True
        if name in ("hline", "displaystyle", "textstyle", "limits", "nolimits", "allowbreak"):
            return 0.0, False
        return 0.62 * scale, True  # a Greek letter or another symbol

    def environment(self, name: str, scale: float) -> float:
        """A matrix: its columns' widest cells, the gaps between them, its brackets."""
        small = name == "smallmatrix"
        if name == "array":
            self.raw_group()  # the column specification
        cell_scale = scale * (0.7 if small else 1.0)
        columns: list[float] = []
        column = 0
        while self.i < len(self.tokens):
            w, stop = self.sequence(cell_scale, 0, stop={"&", "\\\\", "\\end"})
            if column >= len(columns):
                columns.append(0.0)
            columns[column] = max(columns[column], w)
            if stop == "&":
                column += 1
            elif stop == "\\\\":
                column = 0
            else:
                self.raw_group()
                break
        gap = (0.56 if small else 1.0) * scale
        brackets = 0.0 if name in ("matrix", "smallmatrix", "array", "aligned") else 0.9 * scale
        return sum(columns) + gap * max(len(columns) - 1, 0) + brackets


@functools.lru_cache(maxsize=8192)
def width(tex: str) -> float:
    """The printed width of a LaTeX snippet of display maths, in em (an upper estimate)."""
    return _Measure(tex).sequence(1.0, 0)[0]


# --- break points --------------------------------------------------------------------------

@dataclass
class _Point:
    at: int  # index into the text: the break goes before this character
    rank: int  # 2 * parenthesis depth + (0 between terms, 1 between factors)
    juxtaposed: bool = False  # between two matrices written side by side (a product)


_OPERATOR = re.compile(r" (?=(?:[+-]|\\times|\\cdot|\\odot|\\oslash) )")
_LEFT = re.compile(r"\\left(\\\{|\\[a-zA-Z]+|.)|\\(?:big|Big|bigg)l(\\\{|.)")
_RIGHT = re.compile(r"\\right(\\\}|\\[a-zA-Z]+|.)|\\(?:big|Big|bigg)r(\\\}|.)")


def _points(tex: str) -> list[_Point]:
    """Where a line may break: before a + or - between terms, before a product's operator,
    between two matrices side by side; never inside braces or a matrix."""
    points = []
    braces = parens = envs = 0
    i = 0
    while i < len(tex):
        if tex.startswith("\\begin{", i):
            envs += 1
        elif tex.startswith("\\end{", i):
            envs -= 1
            if envs == 0 and braces == 0:
                j = tex.find("}", i) + 1
                if tex.startswith(" \\begin{", j) or tex.startswith(" \\left[\\begin{", j):
                    points.append(_Point(j + 1, 2 * parens + 1, juxtaposed=True))
        elif (m := _LEFT.match(tex, i)) and envs == 0:
            parens += 1
            i = m.end()
            continue
        elif (m := _RIGHT.match(tex, i)) and envs == 0:
            parens -= 1
            i = m.end()
            continue
        elif tex[i] == "\\":
            i += 2
            continue
        elif tex[i] == "{":
            braces += 1
        elif tex[i] == "}":
            braces -= 1
        elif tex[i] == " " and braces == 0 and envs == 0 and _OPERATOR.match(tex, i):
            term = tex[i + 1] in "+-"
            points.append(_Point(i + 1, 2 * parens + (0 if term else 1)))
        i += 1
    return points


def _pieces(tex: str, points: list[_Point], first: float, rest: float
            ) -> list[tuple[str, _Point | None]]:
    """``tex`` cut at its outermost break points; a piece still wider than a line is cut
    further at the next rank, and so on: a textbook breaks inside a parenthesis only when
    the parenthesis alone does not fit."""

    def cut(start: int, end: int, before: _Point | None, inner: list[_Point],
            room: float) -> list[tuple[str, _Point | None]]:
        if not inner or width(tex[start:end]) <= room:
            return [(tex[start:end], before)]
        rank = min(p.rank for p in inner)
        here = [p for p in inner if p.rank == rank]
        out: list[tuple[str, _Point | None]] = []
        bounds = [start, *(p.at for p in here), end]
        heads: list[_Point | None] = [before, *here]
        for k in range(len(bounds) - 1):
            a, b = bounds[k], bounds[k + 1]
            deeper = [p for p in inner if a < p.at < b and p.rank > rank]
            out.extend(cut(a, b, heads[k], deeper, first if a == 0 else rest))
        return out

    return cut(0, len(tex), None, points, min(first, rest))


def _pack(pieces: list[tuple[str, _Point | None]], first: float, rest: float
          ) -> list[list[tuple[str, _Point | None]]]:
    """Greedy lines: as many pieces on a line as fit (``first``, then ``rest`` em)."""
    lines: list[list[tuple[str, _Point | None]]] = [[]]
    used, room = 0.0, first
    for text, point in pieces:
        w = width(text)
        if lines[-1] and used + w > room - SLACK:
            lines.append([])
            used, room = 0.0, rest
        lines[-1].append((text, point))
        used += w
    return lines


def _line_text(line: list[tuple[str, _Point | None]], first: bool) -> str:
    text = "".join(t for t, _ in line).strip()
    point = line[0][1]
    if not first and point is not None and point.juxtaposed:
        text = "\\cdot " + text  # a matrix product broken between its factors
    return text


def break_rhs(tex: str, first: float, rest: float) -> list[str]:
    """``tex`` split into lines of at most ``first`` em (the first) and ``rest`` em (the
    others), breaking as high in the expression as possible; one line if it fits."""
    if width(tex) <= first:
        return [tex]
    lines = _pack(_pieces(tex, _points(tex), first, rest), first, rest)
    return _balance([_line_text(line, k == 0) for k, line in enumerate(lines)])


# --- delimiters across lines ---------------------------------------------------------------

_MATRIX = re.compile(r"\\begin\{(?:b|small)matrix\}(.*?)\\end\{(?:b|small)matrix\}", re.S)
_PAIR = re.compile(r"\\left(\\\{|\\[a-zA-Z]+|.)|\\right(\\\}|\\[a-zA-Z]+|.)")


def _balance(lines: list[str]) -> list[str]:
    """Lines whose \\left...\\right pairs are split get delimiters of a fixed size.

    A pair around matrices keeps \\left/\\right on each line (closed with a ``.``) with
    the \\vphantom of a column as tall as the tallest of them, so both halves are equally
    tall; any other pair becomes \\bigl...\\bigr (\\Bigl with a fraction inside).
    """
    if len(lines) == 1:
        return lines
    joined = "\x00".join(lines)
    opens: list[re.Match] = []
    pairs: list[tuple[re.Match, re.Match]] = []
    for m in _PAIR.finditer(joined):
        if m.group(0).startswith("\\left"):
            opens.append(m)
        elif opens:
            pairs.append((opens.pop(), m))
    split = [(o, c) for o, c in pairs if "\x00" in joined[o.end():c.start()]]
    if not split:
        return lines
    edits: list[tuple[int, int, str]] = []
    for o, c in split:
        content = joined[o.end():c.start()]
        if "\\begin{" in content:
            rows = max((m.group(1).count("\\\\") + 1 for m in _MATRIX.finditer(content)),
                       default=1)
            phantom = "\\vphantom{\\begin{bmatrix}" + "\\\\".join(["0"] * rows) \
                + "\\end{bmatrix}}"
            # close at every line end inside the pair, reopen at every line start
            for k in (i for i, ch in enumerate(joined) if ch == "\x00"
                      and o.end() <= i < c.start()):
                edits.append((k, k, f"{phantom} \\right."))
                edits.append((k + 1, k + 1, f"\\left. {phantom} "))
        else:
            size = "Big" if "\\frac" in content or "\\sum" in content else "big"
            edits.append((o.start(), o.end(), f"\\{size}l{o.group(1)}"))
            edits.append((c.start(), c.end(), f"\\{size}r{c.group(2)}"))
    for start, end, text in sorted(edits, key=lambda e: (e[0], e[1]), reverse=True):
        joined = joined[:start] + text + joined[end:]
    return joined.split("\x00")


# --- matrices wider than a line --------------------------------------------------------------

_BMATRIX = re.compile(r"\\begin\{bmatrix\}(.*?)\\end\{bmatrix\}", re.S)


def _phantoms(tex: str) -> list[tuple[int, int]]:
    """Where the \\vphantom{...} of :func:`_balance` are: nothing in them is printed."""
    spans = []
    for m in re.finditer(r"\\vphantom\{", tex):
        depth, i = 1, m.end()
        while i < len(tex) and depth:
            depth += (tex[i] == "{") - (tex[i] == "}")
            i += 1
        spans.append((m.start(), i))
    return spans


def shrink_matrices(tex: str, room: float) -> str:
    """The widest matrices of ``tex`` set small, one at a time, until it fits ``room``."""
    while width(tex) > room:
        hidden = _phantoms(tex)
        found = [m for m in _BMATRIX.finditer(tex)
                 if not any(a <= m.start() < b for a, b in hidden)]
        if not found:
            break
        m = max(found, key=lambda m: width(m.group(0)))
        small = f"\\left[\\begin{{smallmatrix}}{m.group(1)}\\end{{smallmatrix}}\\right]"
        tex = tex[:m.start()] + small + tex[m.end():]
    return tex
