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
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import sympy as sp

from .chain import composed
from .claims import FormulaClaim
from .derivation import Derivation
from .graph import Node
from .numbers import exact_text, from_decimal
from .spec import SpecError

FUNCTIONS = {
    "exp": sp.exp,
    "log": sp.log,
    "ln": sp.log,
    "sqrt": sp.sqrt,
    "tanh": sp.tanh,
    "sigmoid": lambda x: 1 / (1 + sp.exp(-x)),
    "relu": lambda x: sp.Max(0, x),
}
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


@dataclass(frozen=True)
class FormulaVerdict:
    claim: FormulaClaim
    holds: bool
    truth_text: str  # the true formula, in the spec's names
    reason: str  # why it holds (proved / equal at N points) or a counterexample

    def as_dict(self) -> dict[str, Any]:
        return {"claim": self.claim.key, "claimed": self.claim.text, "holds": self.holds,
                "true": self.truth_text, "reason": self.reason}


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


def true_formula(d: Derivation, key: str) -> tuple[sp.Expr, str]:
    """(the truth in leaf symbols, its textbook form in the spec's names) for a claim key."""
    nodes = d.network.nodes
    match = _PARTIAL.match(key)
    if match:
        of_name, wrt_name = match.groups()
        if of_name not in nodes or wrt_name not in nodes:
            raise FormulaError(f"{key!r}: expected d<node>/d<node> with the spec's names")
        of, wrt = nodes[of_name], nodes[wrt_name]
        truth = sp.diff(_composed_until(d, of, wrt, {}), wrt.symbol)
        readable = _chain_text(d, of, wrt)
        return _leaves(d, truth), readable or sp.sstr(truth)
    if key in nodes and nodes[key].expr is not None:
        return _leaves(d, nodes[key].symbol), sp.sstr(nodes[key].expr)
    raise FormulaError(f"{key!r}: expected a node name or a partial d<node>/d<node>")


def _chain_text(d: Derivation, of: Node, wrt: Node) -> str:
    """Sum over paths of the products of local closed forms, as text (the chain rule)."""
    def paths(node: Node) -> list[list]:
        if node is of:
            return [[]]
        return [[*p, e] for e in node.children for p in paths(e.child)]

    terms = []
    for path in paths(wrt):
        product = sp.Mul(*(e.local for e in path))
        terms.append(product)
    return sp.sstr(sp.Add(*terms)) if terms else ""


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


def _value(expr: sp.Expr, point: dict) -> sp.Expr | None:
    value = expr.xreplace(point).evalf(DIGITS)
    return value if value.is_real and value.is_finite else None


def check_formula(d: Derivation, claim: FormulaClaim, source: str = "<claims>"
                  ) -> FormulaVerdict:
    """Judge one formula claim on the spec's network."""
    where = f"formulas.{claim.key}"
    try:
        truth, readable = true_formula(d, claim.key)
        claimed = _leaves(d, parse_formula(claim.text, _symbols(d)))
    except FormulaError as err:
        raise SpecError(source, where, str(err)) from None
    rnd = random.Random(0)
    points = [("the spec's values", _spec_point(d))]
    points += [(f"random point {i + 1}", _random_point(d, rnd)) for i in range(RANDOM_POINTS)]
    tried = 0
    for label, point in points:
        a, b = _value(claimed, point), _value(truth, point)
        if a is None or b is None:
            continue
        tried += 1
        if abs(a - b) > sp.Float("1e-30") * max(abs(a), abs(b), 1):
            shown = ", ".join(f"{s}={exact_text(v)}" for s, v in sorted(
                point.items(), key=lambda kv: kv[0].name)
                if s in (claimed.free_symbols | truth.free_symbols))
            return FormulaVerdict(
                claim, False, readable,
                f"differs at {label} ({shown}): the claim gives {sp.N(a, 10)},"
                f" the truth {sp.N(b, 10)}")
    proved = False
    if sp.count_ops(claimed - truth) < 300:
        proved = sp.simplify(claimed - truth) == 0
    reason = "proved equal by simplification" if proved else \
        f"equal at {tried} points to 30 digits"
    return FormulaVerdict(claim, True, readable, reason)
