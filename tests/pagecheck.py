"""Checks of printed pages that do not trust symbp's printing.

Read back from a page's text (Markdown or LaTeX): its aligned blocks split into
steps; plain arithmetic (numbers, + - x, fractions, powers, e^x, ln, and
matrices with their products, sums and elementwise products) recomputed with
exact rationals; the signs and coefficients a textbook would not print; and
the forward pass recomputed from the spec alone with mpmath, to compare with
the numbers a substitution step shows.
"""

from __future__ import annotations

import re
from fractions import Fraction

import mpmath
import sympy as sp

_TOKEN = re.compile(
    r"\s*(?:(?P<num>\d+(?:\.\d+)?)|(?P<e>e(?=\^))|(?P<cmd>\\[a-zA-Z]+)"
    r"|(?P<mat>\[\[|\]\])|(?P<sym>[-+(){}^,\[\]&;])|(?P<bad>\S))"
)


class NotArithmetic(Exception):
    """The text is not plain arithmetic (it has symbols): nothing to recompute."""


class Parser:
    def __init__(self, text: str):
        # a matrix set small for width: \left[ smallmatrix \right], brackets and all
        text = re.sub(r"\\left\[\s*(\\begin\{smallmatrix\})", r"\1", text)
        text = re.sub(r"(\\end\{smallmatrix\})\s*\\right\]", r"\1", text)
        text = text.replace(r"\left", "").replace(r"\right", "").replace(r"\,", " ")
        text = re.sub(r"\\[bB]igg?[lr]", "", text)  # a parenthesis broken over lines
        text = re.sub(r"\\(begin|end)\{smallmatrix\}", r"\\\1{bmatrix}", text)
        text = text.replace(r"\begin{bmatrix}", "[[").replace(r"\end{bmatrix}", "]]")
        text = text.replace("\\\\", ";")  # a matrix's row break
        self.tokens = []
        for m in _TOKEN.finditer(text):
            if m.group("bad"):
                raise NotArithmetic(m.group("bad"))
            self.tokens.append(m.group(m.lastgroup))
        self.i = 0
        self.scale = 0.0  # the largest term summed anywhere: what rounding errors scale with

    def peek(self) -> str | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self, expected: str | None = None) -> str:
        tok = self.peek()
        if tok is None or (expected is not None and tok != expected):
            raise NotArithmetic(f"expected {expected}, got {tok}")
        self.i += 1
        return tok

    def parse(self) -> sp.Expr:
        value = self.sum()
        if self.peek() is not None:
            raise NotArithmetic(f"trailing {self.peek()}")
        return value

    def sum(self) -> sp.Expr:
        sign = 1
        if self.peek() == "-":
            self.take()
            sign = -1
        value = self._term(self.product())
        if sign < 0:
            value = -value
        while self.peek() in ("+", "-"):
            op = self.take()
            term = self._term(self.product())
            value = _broadcast_add(value, term if op == "+" else -term)
        return value

    def _term(self, term):
        if not isinstance(term, sp.MatrixBase):
            try:
                self.scale = max(self.scale, abs(float(term)))
            except TypeError:  # 1/0 or ln 0: judged where the step is compared
                self.scale = float("inf")
        return term

    def product(self) -> sp.Expr:
        value = self.power()
        while self.peek() in (r"\times", r"\cdot", r"\odot", "(", r"\frac", "[["):
            op = self.peek()
            if op in (r"\times", r"\cdot", r"\odot"):
                self.take()
            factor = self.power()
            if op == r"\odot":
                value = value.multiply_elementwise(factor)
            else:  # juxtaposition: scalar or matrix product
                value = value * factor
        return value

    def power(self) -> sp.Expr:
        base = self.atom()
        if self.peek() == "^":
            self.take()
            self.take("{")
            exponent = self.sum()
            self.take("}")
            return base**exponent
        return base

    def atom(self) -> sp.Expr:
        tok = self.take()
        if re.fullmatch(r"\d+(\.\d+)?", tok):
            return sp.Rational(tok)
        if tok == "[[":
            rows, row = [], [self.sum()]
            while self.peek() != "]]":
                sep = self.take()
                if sep == "&":
                    row.append(self.sum())
                elif sep == ";":
                    rows.append(row)
                    row = [self.sum()]
                else:
                    raise NotArithmetic(sep)
            self.take("]]")
            return sp.Matrix([*rows, row])
        if tok == "(":
            value = self.sum()
            self.take(")")
            return value
        if tok == "{":
            value = self.sum()
            self.take("}")
            return value
        if tok == r"\frac":
            self.take("{")
            num = self.sum()
            self.take("}")
            self.take("{")
            den = self.sum()
            self.take("}")
            return num / den
        if tok == "-":
            return -self.power()
        if tok == "e":  # only ever followed by ^{...}
            return sp.E
        if tok in (r"\ln", r"\log", r"\tanh"):
            arg = self.power()
            return sp.log(arg) if tok != r"\tanh" else sp.tanh(arg)
        raise NotArithmetic(tok)


def _broadcast_add(a, b):
    """a + b; a bias column (or row) is added to every column (row) of a matrix of samples."""
    if isinstance(a, sp.MatrixBase) and isinstance(b, sp.MatrixBase) and a.shape != b.shape:
        small, big = (a, b) if a.cols * a.rows < b.cols * b.rows else (b, a)
        if small.shape == (big.rows, 1):
            small = small * sp.ones(1, big.cols)
        elif small.shape == (1, big.cols):
            small = sp.ones(big.rows, 1) * small
        else:
            raise NotArithmetic(f"cannot add {a.shape} and {b.shape}")
        return small + big
    return a + b


def value_of(text: str) -> sp.Expr:
    """The exact value of a printed arithmetic expression, or NotArithmetic."""
    return Parser(text).parse()


def scale_of(text: str) -> float:
    """The largest term summed anywhere in a printed arithmetic expression."""
    parser = Parser(text)
    parser.parse()
    return parser.scale


def steps_of(block: str) -> list[list[tuple[str, str]]]:
    """Rows of an aligned block as [(relation, text), ...] with the lhs first (relation '')."""
    rows: list[str] = []
    for line in block.split("\\\\\n"):
        line = line.strip()
        if line.startswith("&") and rows:
            rows[-1] += " " + line
        else:
            rows.append(line)
    result = []
    for row in rows:
        row = re.sub(r"\\tag\{[^}]*\}|\\notag|\\nonumber", "", row)  # equation numbers
        row = re.sub(r"\\quad \\text\{.*?\}.*$", "", row)  # a remark after the maths
        row = row.replace("&\\quad", "")
        # alignment marks go; a matrix's column separators stay
        row = re.sub(r"\\begin\{(bmatrix|smallmatrix)\}.*?\\end\{\1\}",
                     lambda m: m.group(0).replace("&", "\0"), row)
        row = row.replace("&", "").replace("\0", "&")
        parts = re.split(r"\s(=|\\approx)\s", f" {row} ")
        steps = [("", parts[0].strip())]
        for k in range(1, len(parts) - 1, 2):
            steps.append((parts[k], parts[k + 1].strip()))
        result.append(steps)
    return result


def blocks_of(page: str) -> list[str]:
    """The aligned blocks of a page: Markdown's aligned, LaTeX's align* (or numbered align)."""
    return [m.group(2) for m in re.finditer(
        r"\\begin\{(aligned|align\*?)\}\n(.*?)\n\\end\{\1\}", page, re.S)]


def checked_steps(page: str) -> list[tuple[str, str, str, sp.Expr, sp.Expr]]:
    """Every neighbouring pair of arithmetic steps: (left, relation, right, values)."""
    pairs = []
    for block in blocks_of(page):
        for steps in steps_of(block):
            for (_, left), (relation, right) in zip(steps, steps[1:]):
                try:
                    a, b = value_of(left), value_of(right)
                except NotArithmetic:
                    continue
                pairs.append((left, relation, right, a, b))
    return pairs


def violations(page: str) -> list[str]:
    """Steps whose relation does not hold as printed."""
    bad = []
    for left, relation, right, a, b in checked_steps(page):
        if isinstance(a, sp.MatrixBase) or isinstance(b, sp.MatrixBase):
            bad.extend(_matrix_violation(left, relation, right, a, b))
            continue
        if relation == "=":
            if not (a.is_Rational and a == b):
                bad.append(f"false '=': {left} = {right}")
            continue
        try:
            # a sum of rounded terms may cancel: its precision is that of its largest term
            scale = max(abs(float(a)), abs(float(b)), scale_of(left), 1e-300)
            if scale == float("inf"):
                raise TypeError(left)
        except TypeError:  # 1/(1 - 1.000), ln(0): no number at all
            bad.append(f"not a real number: {left} {relation} {right}")
            continue
        if relation != r"\approx" or abs(float(a) - float(b)) > 5e-3 * scale:
            bad.append(f"{left} is {float(a)}, not {relation} {right}")
    return bad


def _matrix_violation(left: str, relation: str, right: str, a, b) -> list[str]:
    """Matrices: the same shape, equal as printed (=) or entry by entry to precision (approx)."""
    if not (isinstance(a, sp.MatrixBase) and isinstance(b, sp.MatrixBase)) or a.shape != b.shape:
        return [f"shapes differ: {left} {relation} {right}"]
    if relation == "=":
        exact = all(x.is_Rational for x in a)
        return [] if exact and a == b else [f"false '=': {left} = {right}"]
    scale = max([abs(float(x)) for x in (*a, *b)] + [1e-300])
    if any(abs(float(x) - float(y)) > 5e-3 * scale for x, y in zip(a, b)):
        return [f"{left} is {a.evalf(6)}, not {relation} {right}"]
    return []


# --- signs and coefficients ---------------------------------------------------------------

_INLINE = re.compile(r"(?<![\\$])\$(?!\$)(.+?)(?<!\\)\$")
_DISPLAY = re.compile(r"\$\$(.+?)\$\$|\\begin\{(align\*?|equation\*?)\}(.+?)\\end\{\2\}"
                      r"|\\\[(.+?)\\\]", re.S)


def math_of(page: str) -> list[str]:
    """Every piece of mathematics on a page: display blocks, then inline formulas."""
    pieces = []
    for m in _DISPLAY.finditer(page):
        pieces.append(m.group(1) or m.group(3) or m.group(4))
    rest = _DISPLAY.sub(" ", page)
    rest = re.sub(r"^```.*?^```", " ", rest, flags=re.S | re.M)  # code blocks
    pieces.extend(m.group(1) for m in _INLINE.finditer(rest.replace(r"\$", "")))
    return pieces


#: Two signs where a textbook writes one, or a parenthesis: --, + -, - -, -+, x -.
_CLASH = re.compile(r"[-+]\s*[-+]|\\(?:times|cdot)\s*[-+]")
#: A product that starts with a factor 1: an exact 1 is no coefficient.
_ONE_TIMES = re.compile(r"(?:^|[=(+&{-]|\\approx|\\quad)\s*1\s*\\times")
#: 1 / ((e^a + e^b) e^{-a}): a softmax whose numerator e^a went under the bar as e^{-a}.
_MOVED_EXP = re.compile(r"\\frac\{1\}\{\(e\^")
#: A logarithm with coefficient -1 or 0: -1 \ln(...), 0 \ln(...).
_LOG_COEFFICIENT = re.compile(r"(?:^|[^\d.])(?:-\s*1|0)\s*\\(?:ln|log)\b")


def textbook_violations(page: str) -> list[str]:
    """Signs and coefficients a textbook would not print, and \\log for the natural log."""
    bad = []
    for math in math_of(page):
        flat = math.replace(r"\left", "").replace(r"\right", "")
        flat = re.sub(r"\\\\|\\[,;!]|\\quad|&", " ", flat)  # row breaks and spacing
        for pattern, what in ((_CLASH, "doubled sign"), (_ONE_TIMES, "1 \\times"),
                              (_LOG_COEFFICIENT, "log with coefficient -1 or 0"),
                              (_MOVED_EXP, "numerator moved under the fraction bar")):
            for m in pattern.finditer(flat):
                bad.append(f"{what}: ...{flat[max(0, m.start() - 50):m.end() + 30]}...")
        if r"\log" in math:
            bad.append(f"\\log where the logarithm is natural: {math[:120]}")
    return bad


# --- the forward pass from the spec alone ---------------------------------------------------


def _mp(text) -> mpmath.mpf:
    fraction = Fraction(str(text))
    return mpmath.mpf(fraction.numerator) / fraction.denominator


def _activate(name: str, nets: list, slope) -> list:
    if name == "softmax":
        exps = [mpmath.exp(z) for z in nets]
        return [e / sum(exps) for e in exps]
    rule = {
        "identity": lambda z: z,
        "sigmoid": lambda z: 1 / (1 + mpmath.exp(-z)),
        "tanh": mpmath.tanh,
        "relu": lambda z: z if z > 0 else mpmath.mpf(0),
        "leaky_relu": lambda z: z if z > 0 else slope * z,
    }[name]
    return [rule(z) for z in nets]


def _sample_loss(loss: str, targets: list, outs: list):
    pairs = list(zip(targets, outs))
    if loss == "half_sse":
        return sum((t - o) ** 2 for t, o in pairs) / 2
    if loss == "sse":
        return sum((t - o) ** 2 for t, o in pairs)
    if loss == "mse":
        return sum((t - o) ** 2 for t, o in pairs) / len(pairs)
    if loss == "cross_entropy":
        return -sum(t * mpmath.log(o) for t, o in pairs)
    return -sum(t * mpmath.log(o) + (1 - t) * mpmath.log(1 - o) for t, o in pairs)


def _key(tex: str) -> str:
    """A printed name without braces, underscores, commas and spaces:
    {\\mathrm{net}_{h_{1}}}^{(2)} is \\mathrmneth1^(2), a unit named h_1 or h1 is h1, and
    u1_1, printed u_{1,1}, is u11."""
    return re.sub(r"[{}_,\s]", "", tex)


def reference_values(raw: dict) -> dict[str, mpmath.mpf]:
    """Every node value of the first forward pass, by printed name key, from the spec alone.

    Keys: the key of net_U and out_U (and of U itself, which names the unit when it
    has no separate pre-activation), the sample's loss, the data loss, and with L2
    the L2 term s and the objective; with several samples each per-sample name
    carries ^(n).
    """
    with mpmath.workdps(40):
        samples = raw.get("samples") or [{"inputs": raw["inputs"], "targets": raw["targets"]}]
        many = len(samples) > 1
        l2 = raw.get("l2")
        loss_name = str(raw.get("loss_name", "J" if l2 is not None else "L"))
        data_name = str(raw.get("data_loss_name", "L")) if l2 is not None else loss_name
        values: dict[str, mpmath.mpf] = {}
        losses = []
        for n, sample in enumerate(samples):
            sup = f"^({n + 1})" if many else ""
            acts = [_mp(v) for v in sample["inputs"].values()]
            for layer in raw["layers"]:
                bias = layer.get("bias", 0)
                biases = bias if isinstance(bias, list) else [bias] * len(layer["units"])
                nets = [sum((_mp(w) * a for w, a in zip(row, acts)), mpmath.mpf(0)) + _mp(b)
                        for row, b in zip(layer["weights"], biases)]
                slope = _mp(layer.get("negative_slope", "0.01"))
                acts = _activate(layer["activation"], nets, slope)
                for unit, z, a in zip(layer["units"], nets, acts):
                    u = _key(str(unit))
                    if layer["activation"] == "identity":  # one node, named by the unit
                        values[f"{u}{sup}"] = z
                    else:
                        values[f"\\mathrmnet{u}{sup}"] = z
                        values[f"\\mathrmout{u}{sup}"] = a
            targets = [_mp(v) for v in sample["targets"].values()]
            losses.append(_sample_loss(raw["loss"], targets, acts))
            values[f"{_key(data_name)}{sup}"] = losses[-1]
        data = sum(losses)
        if raw.get("reduction", "sum") == "mean":
            data = data / len(losses)
        values[_key(data_name)] = data
        if l2 is not None:
            s = _mp(l2) / 2 * sum(_mp(w) ** 2 for layer in raw["layers"]
                                  for row in layer["weights"] for w in row)
            values["s"] = s
            values[_key(loss_name)] = data + s
        return values


def _to_mp(value: sp.Expr) -> mpmath.mpf:
    return mpmath.mpf(str(sp.N(value, 40)))


def _significant(text: str) -> int | None:
    """Significant digits of a printed decimal (trailing zeros count), None if not one."""
    m = re.fullmatch(r"-?(\d+(?:\.\d+)?)(?: \\times 10\^\{-?\d+\})?", text.strip())
    if m is None:
        return None
    return len(m.group(1).replace(".", "").lstrip("0")) or 1


def substitution_violations(page: str, raw: dict, digits: int = 4) -> tuple[int, list[str]]:
    """The first forward pass as printed against :func:`reference_values`.

    For the first row of each node (the forward pass before any update), every
    step that is plain arithmetic must give the node's value from the spec: the
    numbers substituted within the precision of the rounded numbers they use
    (relative 5e-3 of the largest term), the result within its own rounding
    (half a unit in the last of ``digits`` significant digits, all of them shown,
    trailing zeros too), and exactly where it says =.
    Returns how many steps were compared, and the disagreements.
    """
    with mpmath.workdps(40):
        return _substitution_violations(page, raw, digits)


def _substitution_violations(page: str, raw: dict, digits: int) -> tuple[int, list[str]]:
    reference = reference_values(raw)
    seen: set[str] = set()
    compared, bad = 0, []
    for block in blocks_of(page):
        for steps in steps_of(block):
            key = _key(steps[0][1])
            if key not in reference or key in seen:
                continue
            seen.add(key)
            true = reference[key]
            for k, (_, text) in enumerate(steps[1:], 1):
                try:
                    value = value_of(text)
                except NotArithmetic:
                    continue
                if isinstance(value, sp.MatrixBase):
                    continue
                compared += 1
                got = _to_mp(value)
                last = k == len(steps) - 1
                scale = max(abs(true), abs(got), scale_of(text))
                tolerance = mpmath.mpf("5.001e-4") * abs(true) if last else 5e-3 * scale
                exact = all(step[0] == "=" for step in steps[1:k + 1])
                same = abs(got - true) <= mpmath.mpf(10) ** -30 * max(abs(true), 1)
                if exact and not same:
                    bad.append(f"{steps[0][1]}: '=' {text}, but the spec gives {true}")
                elif abs(got - true) > tolerance + mpmath.mpf(10) ** -30:
                    bad.append(f"{steps[0][1]}: {text} is {mpmath.nstr(got, 8)}, "
                               f"the spec gives {mpmath.nstr(true, 8)}")
                elif last and not same and _significant(text) not in (None, digits):
                    bad.append(f"{steps[0][1]}: {text} rounds {mpmath.nstr(true, 8)} "
                               f"but does not show {digits} significant digits")
    # every unit of every sample, and the objective, must have been found
    required = {k for k in reference if k.startswith(r"\mathrm")} | {
        _key(str(raw.get("loss_name", "J" if raw.get("l2") is not None else "L")))}
    missing = sorted(required - seen)
    return compared, bad + [f"no row found for {k}" for k in missing]
