"""Verification reports: the view models the templates word, and the plain-text derivations.

A mistake or a formula verdict reaches the templates as its kind and parameters;
names and formulas among the parameters become :class:`Term` (LaTeX for the
documents, plain text for the terminal), and the catalogues in templates/lang
hold the sentences.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import sympy as sp

from symbp.check.formula import FormulaVerdict, Outcome
from symbp.check.verify import Mistake, Verdict
from symbp.engine.derivation import Derivation
from symbp.engine.names import name_latex
from symbp.engine.numbers import Number, exact_text
from symbp.page.display import Style
from symbp.page.document import build_document
from symbp.page.escape import tex_escape
from symbp.page.latex import TextbookPrinter
from symbp.page.model import Row
from symbp.page.rows import RowBuilder, cell

MARK = {True: "✓", False: "✗"}


def number_text(value: Number, style: Style | None = None) -> str:
    """A value as plain text: exact when short, else rounded with a leading ≈."""
    shown = (style or Style(digits=6)).show(value)
    text = exact_text(shown.shown)
    return text if shown.exact else f"≈ {text}"


def derivation_lines(d: Derivation, verdict: Verdict) -> list[str]:
    """How the true value comes about, in the words of the JSON chains, as plain text."""
    claim = verdict.claim
    lines: list[str] = []
    obj = d.network.objective.name
    if claim.section in ("gradients", "updated"):
        chain = d.chains[claim.name]
        symbols, numbers = [], []
        for path in chain.paths:
            symbols.append(" · ".join(f"∂{f.of.name}/∂{f.wrt.name}" for f in path.factors))
            numbers.append(" × ".join(_value(f.value) for f in path.factors))
        lines.append(f"∂{obj}/∂{claim.name} = {' + '.join(symbols)}")
        lines.append(f"  = {' + '.join(numbers)} {_eq(d.gradients[claim.name])}")
    if claim.section == "updated":
        name = claim.name
        if name in d.spec.frozen:  # frozen: the update keeps the value
            lines.append(f"{name}⁺ = {name} = {number_text(d.params[name])}")
        else:
            lines.append(
                f"{name}⁺ = {name} − η · ∂{obj}/∂{name} = {number_text(d.params[name])} − "
                f"{number_text(d.spec.learning_rate)} × {_value(d.gradients[name])} "
                f"{_eq(d.updated[name])}"
            )
    if claim.section in ("values", "outputs"):
        node = d.network.nodes[claim.name]
        lines.append(f"{claim.name} = {node.expr} {_eq(verdict.truth)}")
    if claim.section in ("loss", "loss_after", "history"):
        lines.append(f"{d.network.sample_loss.name} = {d.network.sample_loss.expr}"
                     f" {_eq(verdict.truth)}")
    return lines


def _value(value: list[Number] | Number) -> str:
    if isinstance(value, list):
        return "(" + ", ".join(_value(v) for v in value) + ")"
    text = number_text(value).removeprefix("≈ ")
    return f"({text})" if text.startswith("-") else text


def _eq(value: Number) -> str:
    text = number_text(value)
    return text if text.startswith("≈") else f"= {text}"


# --- terms: names and formulas as math, or as plain text ---------------------------------


@dataclass(frozen=True)
class Term:
    """A name, formula or number shown as math: LaTeX in a document, plain text in a terminal."""

    tex: str
    text: str


class ClaimPrinter(TextbookPrinter):
    """The textbook printer, plus the matrix notation of formula claims."""

    FUNCTIONS = {"sigmoid": r"\sigma", "tanh": r"\tanh", "exp": r"\exp", "log": r"\log",
                 "sigmoid_prime": r"\sigma'", "tanh_prime": r"\tanh'",
                 "relu_prime": r"\mathrm{ReLU}'", "phi_prime": r"\varphi'"}

    def _print_MatrixSymbol(self, expr: sp.MatrixSymbol, style: str = "plain") -> str:
        match = re.fullmatch(r"(\w+)\[(.+)\]", expr.name)
        if match is None:
            return name_latex(expr.name)
        base, index = match.groups()
        return f"{name_latex(base)}^{{[{index}]}}"

    def _print_Transpose(self, expr: sp.Transpose) -> str:
        return f"{{{self._print(expr.arg)}}}^{{\\top}}"

    def _print_HadamardProduct(self, expr: sp.HadamardProduct) -> str:
        # a product or sum beside the elementwise product is bracketed: no precedence to learn
        return r" \odot ".join(
            rf"\left({self._print(a)}\right)" if isinstance(a, (sp.MatAdd, sp.MatMul))
            else self._print(a) for a in expr.args)

    def _print_ElementwiseApplyFunction(self, expr: Any) -> str:
        f = expr.function
        name = f.expr.func.__name__ if isinstance(f, sp.Lambda) else getattr(f, "__name__", "")
        tex = self.FUNCTIONS.get(name, rf"\operatorname{{{tex_escape(name)}}}")
        return rf"{tex}\left({self._print(expr.expr)}\right)"


class Names:
    """Terms for the names of one derivation, printed as its pages print them."""

    def __init__(self, d: Derivation, style: Style):
        self.d = d
        self.rows = RowBuilder(d, style)
        self.printer = ClaimPrinter({"symbol_names": self.rows.names(None)})
        self.objective = self.node(d.network.objective.name)

    def node(self, name: str, sample: int | None = None) -> Term:
        """A node or parameter; ``sample`` (from 0) marks a per-sample value of several."""
        node = self.d.network.nodes[name]
        tex = self.rows.names(sample)[node.symbol]
        text = name if sample is None or not self.rows.many else f"{name}⁽{_sup(sample + 1)}⁾"
        return Term(tex, text)

    def expr(self, expr: sp.Basic) -> Term:
        return Term(self.printer.doprint(expr), sp.sstr(expr))

    def number(self, value: sp.Expr, digits: int = 10) -> Term:
        text = sp.sstr(sp.N(value, digits))
        return Term(text, text)

    def path(self, names: tuple[str, ...]) -> Term:
        return Term(r" \to ".join(self.node(n).tex for n in names), " → ".join(names))

    def gradient(self, parameter: str) -> Term:
        p, e = self.node(parameter), self.objective
        return Term(rf"\frac{{\partial {e.tex}}}{{\partial {p.tex}}}", f"∂{e.text}/∂{p.text}")

    def step(self, parameter: str, learning_rate: bool, sign: str) -> Term:
        """The mistaken update w ± (eta) dE/dw, as written."""
        p, g = self.node(parameter), self.gradient(parameter)
        eta = (r"\eta ", "η·") if learning_rate else ("", "")
        return Term(f"{p.tex} {sign} {eta[0]}{g.tex}", f"{p.text} {sign} {eta[1]}{g.text}")


_SUPERSCRIPTS = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def _sup(n: int) -> str:
    return str(n).translate(_SUPERSCRIPTS)


# --- mistakes and formula verdicts as the templates see them ------------------------------


@dataclass
class MistakeView:
    """A mistake for the catalogues: its kind, its parameters with names as Terms."""

    kind: str
    params: dict[str, Any]
    via_gradient: bool
    objective: Term
    step: Term | None = None  # the mistaken update, for lr_wrong_sign and lr_not_applied


_NAME_PARAMS = ("parameter", "node", "net", "name")


def mistake_view(names: Names, mistake: Mistake) -> MistakeView:
    params: dict[str, Any] = {}
    for key, value in mistake.params.items():
        if key == "name":
            params[key] = names.node(value, (mistake.params.get("sample") or 1) - 1)
        elif key in _NAME_PARAMS:
            params[key] = names.node(value)
        elif key == "path":
            params[key] = names.path(value)
        else:
            params[key] = value
    step = None
    if mistake.kind in ("lr_wrong_sign", "lr_not_applied"):
        parameter = mistake.params["parameter"]
        step = names.step(parameter, mistake.kind == "lr_wrong_sign",
                          "+" if mistake.kind == "lr_wrong_sign" else "-")
    return MistakeView(mistake.kind, params, mistake.via_gradient, names.objective, step)


def mistake_json(mistake: Mistake) -> dict[str, Any]:
    params = {k: list(v) if isinstance(v, tuple) else v for k, v in mistake.params.items()}
    return {"kind": mistake.kind, "params": params, "via_gradient": mistake.via_gradient}


@dataclass
class OutcomeView:
    kind: str
    params: dict[str, Any]


@dataclass
class FormulaView:
    """A formula verdict for the catalogues: the claim and the truth as Terms, the outcome."""

    key: str  # as written in the claims
    holds: bool
    subject: Term
    claimed: Term
    truth: Term | None  # None for matrix notation: compared with the derivation itself
    outcome: OutcomeView


_MATRIX_SUBJECT = {"delta": (r"\delta^{{[{0}]}}", "δ[{0}]"),
                   "dW": (r"\frac{{\partial {1}}}{{\partial W^{{[{0}]}}}}", "∂{1}/∂W[{0}]"),
                   "db": (r"\frac{{\partial {1}}}{{\partial b^{{[{0}]}}}}", "∂{1}/∂b[{0}]")}


def formula_view(names: Names, f: FormulaVerdict) -> FormulaView:
    o = f.outcome
    params: dict[str, Any] = dict(o.params)
    if o.kind in ("differs", "matrix_differs"):
        params["claim"], params["truth"] = names.number(o.params["claim"]), \
            names.number(o.params["truth"])
    if o.kind == "undefined":
        params["truth"] = names.number(o.params["truth"])
    if o.kind in ("differs", "undefined"):
        shown = [(names.node(n), names.printer.doprint(v), exact_text(v))
                 for n, v in o.params["assignment"]]
        params["assignment"] = Term(r",\ ".join(f"{t.tex} = {tex}" for t, tex, _ in shown),
                                ", ".join(f"{t.text} = {text}" for t, _, text in shown))
    if o.kind == "matrix_shape":
        params["want"] = _shape(o.params["want"])
        params["got"] = _shape(o.params["got"]) if o.params["got"] is not None else None
    if f.subject is not None and f.claimed is not None:
        subject = names.expr(f.subject)
        claimed = Term(names.expr(f.claimed).tex, f.claim.text)
        truth = names.expr(f.truth) if f.truth is not None else None
    else:
        what, which = o.params["what"], o.params["which"]
        tex, text = _MATRIX_SUBJECT[what]
        e = names.objective
        subject = Term(tex.format(which, e.tex), text.format(which, e.text))
        claimed = Term(names.printer.doprint(f.claimed), f.claim.text) if f.claimed is not None \
            else Term(rf"\text{{{tex_escape(f.claim.text)}}}", f.claim.text)
        truth = None
    return FormulaView(f.claim.key, f.holds, subject, claimed, truth,
                       OutcomeView(o.kind, params))


def _shape(shape: tuple[int, int]) -> Term:
    return Term(rf"{shape[0]} \times {shape[1]}", f"{shape[0]}×{shape[1]}")


def outcome_json(o: Outcome) -> dict[str, Any]:
    return o.as_dict()


# --- the report document ------------------------------------------------------------------


@dataclass
class WrongClaim:
    label: str  # the claim's key, as in the claims file
    symbol: Term  # the quantity claimed: dE/dw1, w1+, out_h1, E, ...
    claimed: Term
    true: Term  # rounded as the table shows it
    mistake: MistakeView | None
    rows: list[Row]  # the derivation of the true value, as the renderers print it
    lines: list[str] = field(default_factory=list)  # the same, as plain text


@dataclass
class VerifyDocument:
    title: str
    held: int
    total: int
    table: list[tuple[str, str, str, str]]  # LaTeX cells: mark, claim, claimed, true
    text_table: list[tuple[str, str, str, str]]  # the same as plain text, keyed by label
    wrong: list[WrongClaim]
    formulas: list[FormulaView]


def claim_symbol(names: Names, verdict: Verdict) -> Term:
    """The quantity a claim is about, as math: the same in every language."""
    c = verdict.claim
    e = names.objective
    if c.section == "gradients":
        return names.gradient(c.name)
    if c.section == "updated":
        p = names.node(c.name)
        return Term(f"{{{p.tex}}}^{{+}}", f"{p.text}⁺")
    if c.section in ("values", "outputs"):
        return names.node(c.name, c.sample)
    if c.section == "loss_after":
        return Term(f"{{{e.tex}}}^{{+}}", f"{e.text}⁺")
    if c.section == "history":  # the loss before step k + 1 (history[0] is the start)
        return Term(f"{{{e.tex}}}_{{{c.name}}}", f"{e.text}[{c.name}]")
    return e


def claimed_term(text: str) -> Term:
    """A claimed number as written (its trailing zeros are its precision)."""
    if re.fullmatch(r"[-+]?(\d+\.?\d*|\.\d+)(/\d+)?", text):
        return Term(text, text)
    return Term(rf"\text{{{tex_escape(text)}}}", text)


def verify_document(d: Derivation, verdicts: list[Verdict], formulas: list[FormulaVerdict],
                    style: Style | None = None) -> VerifyDocument:
    """The report as a document: the table, then each wrong claim with its derivation."""
    style = style or Style()
    names = Names(d, style)
    params = [v.claim.name for v in verdicts
              if not v.holds and v.claim.section in ("gradients", "updated")]
    doc = build_document(d, style, only=list(dict.fromkeys(params)) or None)
    gradients = {g.parameter: g for g in doc.gradients}
    wrong = []
    for v in verdicts:
        if v.holds:
            continue
        claim, rows = v.claim, []
        if claim.section in ("gradients", "updated"):
            rows.append(gradients[claim.name].total)
        if claim.section == "updated":
            index = list(d.params).index(claim.name)
            rows.append(doc.updates[index])
        if claim.section in ("values", "outputs"):
            block = doc.forward[claim.sample or 0].rows + doc.loss[claim.sample or 0].rows
            rows += [r for r in block if r.node == claim.name]
        if claim.section in ("loss", "history") or (claim.section == "loss_after"):
            blocks = doc.loss if claim.section != "loss_after" else doc.after_loss
            rows += [r for b in blocks for r in b.rows]
        mistake = mistake_view(names, v.mistake) if v.mistake is not None else None
        wrong.append(WrongClaim(claim.label, claim_symbol(names, v), claimed_term(claim.text),
                                Term(cell(style, v.truth), number_text(v.truth)), mistake, rows,
                                derivation_lines(d, v)))
    table = [(r"\checkmark" if v.holds else r"\times", claim_symbol(names, v).tex,
              claimed_term(v.claim.text).tex, cell(style, v.truth)) for v in verdicts]
    views = [formula_view(names, f) for f in formulas]
    text_table = [(MARK[v.holds], v.claim.label, v.claim.text, number_text(v.truth))
                  for v in verdicts]
    text_table += [(MARK[f.holds], f"formulas.{f.claim.key}", f.claim.text, f.truth_text)
                   for f in formulas]
    held = sum(v.holds for v in verdicts) + sum(f.holds for f in formulas)
    return VerifyDocument(d.spec.title, held, len(verdicts) + len(formulas), table,
                          text_table, wrong, views)
