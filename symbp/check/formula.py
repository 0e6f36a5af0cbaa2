"""Formula claims: read safely, compare with the true closed form, find a counterexample.

A formula is parsed, never evaluated: its names must be the spec's names, its
numbers are read as exact decimals, and Python's ``ast`` tree of it may hold
only + - * / ^ (or **), unary minus, parentheses and calls of a few functions.
Two formulas are compared at the spec's own point and at random points at 50
digits (a difference there is a counterexample, given with both values); when
they agree everywhere tried, SymPy's simplification is asked to prove it.
"""

from __future__ import annotations

import ast
import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import sympy as sp
from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction

from symbp.check.claims import FormulaClaim
from symbp.engine.chains import composed
from symbp.engine.derivation import Derivation
from symbp.engine.graph import Node
from symbp.engine.numbers import exact_text, from_decimal
from symbp.engine.rules import ACTIVATIONS, Activation
from symbp.engine.spec import SpecError


def _activation_function(rule: Activation) -> Callable[[sp.Expr], sp.Expr]:
    return lambda x: rule.forward(x, sp.Integer(0))


def _activation_prime(rule: Activation) -> Callable[[sp.Expr], sp.Expr]:
    zero = sp.Integer(0)
    return lambda z: rule.derivative(z, rule.forward(z, zero), zero)


#: The functions a formula may call: the elementary ones and every activation that has a
#: name in claims (its rule's prime_name), each as its rule computes it.
FUNCTIONS: dict[str, Callable[[sp.Expr], sp.Expr]] = {
    "exp": sp.exp,
    "log": sp.log,
    "ln": sp.log,
    "sqrt": sp.sqrt,
    **{rule.name: _activation_function(rule) for rule in ACTIVATIONS.values() if rule.prime_name},
}
PRIMES = {rule.prime_name: _activation_prime(rule) for rule in ACTIVATIONS.values()
          if rule.prime_name}
_IDENT = re.compile(r"[^\W\d]\w*'*")
_NUMBER = re.compile(r"\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?")
_PARTIAL = re.compile(r"^\s*[d∂]\s*(.+?)\s*/\s*[d∂]\s*(.+?)\s*$")
DIGITS = 50
RANDOM_POINTS = 12


class FormulaError(ValueError):
    """A formula that cannot be read; says where and why."""


def parse_formula(text: str, symbols: dict[str, sp.Symbol]) -> sp.Expr:
    """The SymPy expression of a formula in the spec's names; FormulaError if not allowed."""
    placeholders: dict[str, sp.Expr] = {}

    def name(match: re.Match) -> str:
        word = match.group(0)
        if word in symbols:
            key = f"_v{len(placeholders)}"
            placeholders[key] = symbols[word]
            return key
        if word in FUNCTIONS:
            return word
        raise FormulaError(f"unknown name {word!r}; the formula may use the spec's names"
                           f" and the functions {', '.join(FUNCTIONS)}")

    def number(match: re.Match) -> str:
        key = f"_n{len(placeholders)}"
        placeholders[key] = from_decimal(Decimal(match.group(0)))
        return key

    # numbers first, so that the digits in names such as w1 are not read as numbers
    pieces = []
    for piece in re.split(r"([^\W\d]\w*'*)", text):
        if _IDENT.fullmatch(piece or "-"):
            pieces.append(_IDENT.sub(name, piece))
        else:
            pieces.append(_NUMBER.sub(number, piece))
    source = "".join(pieces).replace("^", "**").replace("·", "*").replace("×", "*")
    source = source.replace("−", "-")
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError as err:
        raise FormulaError(f"not a formula: {err.msg}") from None
    return _build(tree.body, placeholders)


_BINARY = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
    ast.Pow: lambda a, b: a**b,
}


def _build(node: ast.AST, placeholders: dict[str, sp.Expr]) -> sp.Expr:
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        return _BINARY[type(node.op)](_build(node.left, placeholders),
                                      _build(node.right, placeholders))
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        value = _build(node.operand, placeholders)
        return -value if isinstance(node.op, ast.USub) else value
    if isinstance(node, ast.Name) and node.id in placeholders:
        return placeholders[node.id]
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
            and node.func.id in FUNCTIONS and len(node.args) == 1 and not node.keywords:
        return FUNCTIONS[node.func.id](_build(node.args[0], placeholders))
    raise FormulaError(f"not allowed in a formula: {ast.dump(node)[:60]}")


#: Every outcome of a formula check, with the parameters each carries; the sentences live
#: in the language catalogues.  ``point``: 0 for the spec's own values, else the number of
#: the random point; ``assignment``: ((name, exact value), ...) of the point's names the
#: formulas use; ``claim``, ``truth``: the two values there (50 digits); ``what``: delta,
#: dW or db; ``which``: L or l; ``layer``, ``row``, ``col``: counted from 1; ``sample``:
#: the sample counted from 1, 0 for the sum over the samples, None with one sample;
#: ``got``: the claimed shape (None for a number); ``want``: the true shape.
FORMULA_OUTCOMES: dict[str, tuple[str, ...]] = {
    "proved": (),
    "equal_at": ("points",),
    "differs": ("point", "assignment", "claim", "truth"),
    "undefined": ("point", "assignment", "why", "truth"),  # why: undefined, infinite, complex
    "too_few": ("points", "needed"),
    "matrix_equal": ("what", "which", "cases"),
    "matrix_shape": ("what", "which", "layer", "got", "want"),
    "matrix_differs": ("what", "which", "layer", "sample", "row", "col", "claim", "truth"),
}


@dataclass(frozen=True)
class Outcome:
    """Why a formula holds or not, as data: a kind of FORMULA_OUTCOMES and its parameters."""

    kind: str
    params: dict[str, Any] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        if tuple(self.params) != FORMULA_OUTCOMES[self.kind]:
            raise ValueError(f"{self.kind}: parameters {tuple(self.params)}, expected"
                             f" {FORMULA_OUTCOMES[self.kind]}")

    def as_dict(self) -> dict[str, Any]:
        def plain(value: Any) -> Any:
            if isinstance(value, sp.Float):
                return float(value)
            if isinstance(value, sp.Rational):
                return exact_text(value)
            if isinstance(value, tuple):
                return [plain(v) for v in value]
            return value
        return {"kind": self.kind, "params": {k: plain(v) for k, v in self.params.items()}}


@dataclass(frozen=True)
class FormulaVerdict:
    claim: FormulaClaim
    holds: bool
    truth_text: str  # the true formula, in the spec's names (plain text)
    outcome: Outcome
    subject: sp.Expr | None = None  # what the claim is about: a node, or d node / d node
    claimed: sp.Expr | None = None  # the claim as written, parsed (not simplified)
    truth: sp.Expr | None = None  # the true formula in the network's symbols


def _symbols(d: Derivation) -> dict[str, sp.Symbol]:
    return {name: node.symbol for name, node in d.network.nodes.items()}


def _composed_until(d: Derivation, node: Node, stop: Node, memo: dict) -> sp.Expr:
    """A node's expression with intermediate nodes substituted, except ``stop``."""
    if node is stop or node.expr is None:
        return node.symbol
    if node.name in memo:
        return memo[node.name]
    replacements = {e.parent.symbol: _composed_until(d, e.parent, stop, memo)
                    for e in node.parents if e.parent.expr is not None}
    if node.kind == "data_loss":
        (edge,) = node.parents
        result = edge.local * _composed_until(d, d.network.sample_loss, stop, memo)
    else:
        result = node.expr.xreplace(replacements)
    memo[node.name] = result
    return result


def subject_of(d: Derivation, key: str) -> sp.Expr:
    """What a claim key names: a node's symbol, or the partial of one node by another."""
    nodes = d.network.nodes
    match = _PARTIAL.match(key)
    if match:
        of_name, wrt_name = match.groups()
        if of_name not in nodes or wrt_name not in nodes:
            raise FormulaError(f"{key!r}: expected d<node>/d<node> with the spec's names")
        return sp.Derivative(nodes[of_name].symbol, nodes[wrt_name].symbol)
    if key in nodes and nodes[key].expr is not None:
        return nodes[key].symbol
    raise FormulaError(f"{key!r}: expected a node name or a partial d<node>/d<node>")


def true_formula(d: Derivation, key: str) -> tuple[sp.Expr, sp.Expr]:
    """(the truth in leaf symbols, its textbook form in the network's symbols) for a key."""
    subject = subject_of(d, key)
    by_symbol = {n.symbol: n for n in d.network.nodes.values()}
    if isinstance(subject, sp.Derivative):
        of, wrt = by_symbol[subject.expr], by_symbol[subject.variables[0]]
        truth = sp.diff(_composed_until(d, of, wrt, {}), wrt.symbol)
        readable = _chain(d, of, wrt)
        return _leaves(d, truth), truth if readable is None else readable
    node = by_symbol[subject]
    return _leaves(d, node.symbol), node.expr


def _chain(d: Derivation, of: Node, wrt: Node) -> sp.Expr | None:
    """Sum over paths of the products of local closed forms (the chain rule); None if none."""
    def paths(node: Node) -> list[list]:
        if node is of:
            return [[]]
        return [[*p, e] for e in node.children for p in paths(e.child)]

    terms = [sp.Mul(*(e.local for e in path)) for path in paths(wrt)]
    return sp.Add(*terms) if terms else None


def _leaves(d: Derivation, expr: sp.Expr) -> sp.Expr:
    """Every intermediate node replaced by its definition, down to inputs and parameters."""
    memo: dict[str, sp.Expr] = {}
    mapping = {n.symbol: composed(d.network, n, memo) for n in d.network.nodes.values()
               if n.expr is not None and n.symbol in expr.free_symbols}
    return expr.xreplace(mapping) if mapping else expr


def _spec_point(d: Derivation) -> dict[sp.Symbol, sp.Expr]:
    spec = d.spec
    point = {sp.Symbol(k): v for k, v in spec.parameters().items()}
    sample = spec.samples[0]
    point.update({sp.Symbol(n): x for n, x in zip(spec.input_names, sample.inputs)})
    point.update({sp.Symbol(n): t for n, t in zip(spec.target_names, sample.targets)})
    return point


def _random_point(d: Derivation, rnd: random.Random) -> dict[sp.Symbol, sp.Expr]:
    point = {}
    for node in d.network.nodes.values():
        if node.expr is None:
            low, high = (5, 95) if node.kind in ("target", "input") else (-100, 100)
            point[node.symbol] = sp.Rational(rnd.randint(low, high), 100)
    return point


#: A formula holds only when it agrees with the chain rule at this many points at least.
MIN_POINTS = 3


def _value(expr: sp.Expr, point: dict) -> sp.Expr | None:
    value = expr.xreplace(point).evalf(DIGITS)
    return value if value.is_real and value.is_finite else None


def _defect(expr: sp.Expr, point: dict) -> str:
    """What is wrong with a value that is not a finite real number."""
    value = expr.xreplace(point).evalf(DIGITS)
    if value.has(sp.nan) or value is sp.nan:
        return "undefined"
    if value.has(sp.zoo, sp.oo, -sp.oo) or value.is_infinite:
        return "infinite"
    if value.is_real is False or value.has(sp.I):
        return "complex"
    return "undefined"


def check_formula(d: Derivation, claim: FormulaClaim, source: str = "<claims>"
                  ) -> FormulaVerdict:
    """Judge one formula claim on the spec's network."""
    matrix = check_matrix_formula(d, claim, source)
    if matrix is not None:
        return matrix
    where = f"formulas.{claim.key}"
    try:
        truth, readable = true_formula(d, claim.key)
        written = parse_formula(claim.text, _symbols(d))
        with sp.evaluate(False):  # the same formula kept as written, for print
            shown = parse_formula(claim.text, _symbols(d))
    except FormulaError as err:
        raise SpecError(source, where, str(err)) from None
    claimed = _leaves(d, written)
    seen = {"subject": subject_of(d, claim.key), "claimed": shown, "truth": readable}
    rnd = random.Random(0)
    points = [_spec_point(d)] + [_random_point(d, rnd) for _ in range(RANDOM_POINTS)]
    tried = 0
    used = claimed.free_symbols | truth.free_symbols
    for index, point in enumerate(points):
        a, b = _value(claimed, point), _value(truth, point)
        if b is None:
            continue  # the network itself is undefined there: nothing to compare
        values = tuple((s.name, v) for s, v in sorted(point.items(), key=lambda kv: kv[0].name)
                       if s in used)
        if a is None:  # undefined, infinite or complex where the truth is a real number
            outcome = Outcome("undefined", {"point": index, "assignment": values,
                                            "why": _defect(claimed, point), "truth": b})
            return FormulaVerdict(claim, False, sp.sstr(readable), outcome, **seen)
        tried += 1
        if abs(a - b) > sp.Float("1e-30") * max(abs(a), abs(b), 1):
            outcome = Outcome("differs", {"point": index, "assignment": values, "claim": a,
                                          "truth": b})
            return FormulaVerdict(claim, False, sp.sstr(readable), outcome, **seen)
    if tried < MIN_POINTS:
        outcome = Outcome("too_few", {"points": tried, "needed": MIN_POINTS})
        return FormulaVerdict(claim, False, sp.sstr(readable), outcome, **seen)
    proved = False
    if sp.count_ops(claimed - truth) < 300:
        proved = sp.simplify(claimed - truth) == 0
    outcome = Outcome("proved") if proved else Outcome("equal_at", {"points": tried})
    return FormulaVerdict(claim, True, sp.sstr(readable), outcome, **seen)


# --- matrix notation: the layer-wise recursion (delta, dW, db) ----------------------------

_MATRIX_KEY = re.compile(r"^\s*(delta|dW|db)\s*\[\s*(L|l)\s*\]\s*$")
MATRIX_FUNCTIONS = (*FUNCTIONS, *PRIMES, "phi_prime")


class _Layers:
    """The network's vectors and matrices per layer and sample, numbered 1..L as in print."""

    def __init__(self, d: Derivation):
        self.d, self.spec = d, d.spec
        self.L = len(d.spec.layers)
        count = len(d.spec.samples)
        # delta[l] of one sample is d L^(n) / d z: the objective's own error term without
        # the 1/N of a mean, as the textbook recursion writes it
        self.per_sample = sp.Integer(1) if d.spec.reduction == "sum" else sp.Integer(count)

    def _column(self, values: list) -> sp.Matrix:
        return sp.Matrix(len(values), 1, values)

    def W(self, l: int, s: int) -> sp.Matrix:
        layer = self.spec.layers[l - 1]
        return sp.Matrix([[self.d.params[n] for n in row] for row in layer.weight_names])

    def b(self, l: int, s: int) -> sp.Matrix:
        layer = self.spec.layers[l - 1]
        values = [layer.bias_of(k) for k in range(len(layer.units))]
        return self._column([self.d.params[v[0]] if v else 0 for v in values])

    def a(self, l: int, s: int) -> sp.Matrix:
        names = self.spec.input_names if l == 0 else self.spec.layers[l - 1].units
        return self._column([self.d.forward.samples[s][n] for n in names])

    def z(self, l: int, s: int) -> sp.Matrix:
        nodes = [self.d.network.delta_node(u) for u in self.spec.layers[l - 1].units]
        return self._column([self.d.forward.samples[s][n.name] for n in nodes])

    def delta(self, l: int, s: int) -> sp.Matrix:
        nodes = [self.d.network.delta_node(u) for u in self.spec.layers[l - 1].units]
        return self._column([_at(self.d.error_terms[n.name], s) * self.per_sample
                             for n in nodes])

    def y(self, s: int) -> sp.Matrix:
        return self._column(list(self.spec.samples[s].targets))


def _at(value, s: int):
    return value[s] if isinstance(value, list) else value


def _elementwise(f, m):
    return m.applyfunc(f) if isinstance(m, sp.MatrixBase) else f(m)


class _MatrixEvaluator:
    def __init__(self, layers: _Layers, l: int, s: int):
        self.layers, self.l, self.s = layers, l, s

    def index(self, node: ast.AST) -> int:
        if isinstance(node, ast.Name) and node.id in ("l", "L"):
            return self.l if node.id == "l" else self.layers.L
        if isinstance(node, ast.Constant) and isinstance(node.value, int):
            return node.value
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub)):
            left, right = self.index(node.left), self.index(node.right)
            return left + right if isinstance(node.op, ast.Add) else left - right
        raise FormulaError("a layer index is l, L, a whole number, or a sum of them")

    def value(self, node: ast.AST):
        lay = self.layers
        if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) \
                and node.value.id in ("W", "b", "a", "z", "delta"):
            index = self.index(node.slice)
            low = 0 if node.value.id == "a" else 1
            if not low <= index <= lay.L:
                raise FormulaError(f"{node.value.id}[{index}]: no such layer (1 to {lay.L})")
            return getattr(lay, node.value.id)(index, self.s)
        if isinstance(node, ast.Name) and node.id in ("y", "t"):
            return lay.y(self.s)
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) \
                and not isinstance(node.value, bool):
            return from_decimal(Decimal(repr(node.value)))
        if isinstance(node, ast.Attribute) and node.attr == "T":
            return self.value(node.value).T
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            return -self.value(node.operand)
        if isinstance(node, ast.BinOp):
            left, right = self.value(node.left), self.value(node.right)
            try:
                if isinstance(node.op, ast.MatMult):
                    return left * right
                if isinstance(node.op, ast.Mult):
                    both = isinstance(left, sp.MatrixBase) and isinstance(right, sp.MatrixBase)
                    return left.multiply_elementwise(right) if both else left * right
                if isinstance(node.op, ast.Add):
                    return left + right
                if isinstance(node.op, ast.Sub):
                    return left - right
                if isinstance(node.op, ast.Div) and not isinstance(right, sp.MatrixBase):
                    return left / right
            except (sp.ShapeError, TypeError) as err:
                raise FormulaError(f"the shapes do not fit: {err}") from None
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
                and node.func.id in MATRIX_FUNCTIONS and len(node.args) == 1:
            arg = self.value(node.args[0])
            return _elementwise(self.function(node.func.id), arg)
        raise FormulaError(f"not allowed in a matrix formula: {ast.dump(node)[:60]}")

    def function(self, name: str):
        act = self.layers.spec.layers[self.l - 1].activation
        slope = self.layers.spec.layers[self.l - 1].negative_slope
        table = {**FUNCTIONS, **PRIMES}
        if name == "phi_prime":
            rule = ACTIVATIONS.get(act)
            if rule is None:
                raise FormulaError(f"phi_prime: layer {self.l} is {act}; write its derivative")
            return lambda z: rule.derivative(z, rule.forward(z, slope), slope)
        return table[name]


_SIZE = sp.Symbol("n")


def matrix_display(node: ast.AST) -> sp.Basic:
    """A matrix formula as SymPy matrix symbols, kept as written, only to be printed.

    Every matrix is n x n here, so that a formula with wrong shapes still prints; a
    symbol is named as written (``W[l+1]``, ``y``), a function applies elementwise.
    """
    def square(name: str) -> sp.MatrixSymbol:
        return sp.MatrixSymbol(name, _SIZE, _SIZE)

    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name):
        return square(f"{node.value.id}[{ast.unparse(node.slice).replace(' ', '')}]")
    if isinstance(node, ast.Name):
        return square(node.id)
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
        return from_decimal(Decimal(repr(node.value)))
    if isinstance(node, ast.Attribute) and node.attr == "T":
        return sp.Transpose(matrix_display(node.value))
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return sp.MatMul(-1, matrix_display(node.operand))
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and len(node.args) == 1:
        return ElementwiseApplyFunction(sp.Function(node.func.id), matrix_display(node.args[0]))
    if isinstance(node, ast.BinOp):
        left, right = matrix_display(node.left), matrix_display(node.right)
        both = isinstance(left, sp.MatrixExpr) and isinstance(right, sp.MatrixExpr)
        if isinstance(node.op, ast.Mult) and both:
            return sp.HadamardProduct(left, right)
        if isinstance(node.op, (ast.MatMult, ast.Mult)):
            return sp.MatMul(left, right)
        if isinstance(node.op, ast.Add):
            return sp.MatAdd(left, right)
        if isinstance(node.op, ast.Sub):
            return sp.MatAdd(left, sp.MatMul(-1, right))
        if isinstance(node.op, ast.Div):
            return sp.MatMul(1 / right, left)
    raise FormulaError(f"not allowed in a matrix formula: {ast.dump(node)[:60]}")


def check_matrix_formula(d: Derivation, claim: FormulaClaim, source: str = "<claims>"
                         ) -> FormulaVerdict | None:
    """Judge a claim in matrix notation (delta[L], delta[l], dW[l], db[l]); None if not one."""
    match = _MATRIX_KEY.match(claim.key)
    if match is None:
        return None
    what, which = match.groups()
    key = f"{what}[{which}]"
    layers = _Layers(d)
    text = claim.text.replace("^T", ".T").replace("⊙", "*").replace("−", "-")
    try:
        tree = ast.parse(text, mode="eval").body
    except SyntaxError as err:
        raise SpecError(source, f"formulas.{claim.key}", f"not a formula: {err.msg}") from None
    with sp.evaluate(False):
        shown = matrix_display(tree)
    names = {"what": what, "which": which}
    if what == "delta":
        targets = [layers.L] if which == "L" else list(range(1, layers.L))
    else:
        targets = list(range(1, layers.L + 1))
    count = len(d.spec.samples)
    weight = sp.Integer(1) if d.spec.reduction == "sum" else sp.Rational(1, count)
    checked = 0
    for l in targets:
        layer = d.spec.layers[l - 1]
        if what == "db" and (not layer.bias or layer.bias_shared):
            continue
        try:
            per_sample = [_MatrixEvaluator(layers, l, s).value(tree) for s in range(count)]
        except FormulaError as err:
            raise SpecError(source, f"formulas.{claim.key}", str(err)) from None
        if what == "delta":
            pairs = [(per_sample[s], layers.delta(l, s), s + 1 if count > 1 else None)
                     for s in range(count)]
        else:
            total = weight * sum(per_sample[1:], per_sample[0])
            rows = layer.weight_names if what == "dW" else [[n] for n in layer.bias_names]
            truth = sp.Matrix([[d.gradients[n] for n in row] for row in rows])
            pairs = [(total, truth, 0 if count > 1 else None)]
        for claimed, truth, where in pairs:
            if not isinstance(claimed, sp.MatrixBase) or claimed.shape != truth.shape:
                outcome = Outcome("matrix_shape", {
                    **names, "layer": l, "got": getattr(claimed, "shape", None),
                    "want": truth.shape})
                return FormulaVerdict(claim, False, key, outcome, claimed=shown)
            for i in range(truth.rows):
                for j in range(truth.cols):
                    a, b = sp.N(claimed[i, j], DIGITS), sp.N(truth[i, j], DIGITS)
                    if abs(a - b) > sp.Float("1e-30") * max(abs(b), 1):
                        outcome = Outcome("matrix_differs", {
                            **names, "layer": l, "sample": where, "row": i + 1,
                            "col": j + 1, "claim": a, "truth": b})
                        return FormulaVerdict(claim, False, key, outcome, claimed=shown)
            checked += 1
    if not checked:
        raise SpecError(source, f"formulas.{claim.key}",
                        "no layer of this network to check it on")
    return FormulaVerdict(claim, True, key,
                          Outcome("matrix_equal", {**names, "cases": checked}), claimed=shown)
