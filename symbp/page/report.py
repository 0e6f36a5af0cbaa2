"""Verification reports: a terminal table, JSON, and the plain-text derivation of a true value."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from symbp.check.formula import FormulaVerdict
from symbp.check.verify import Mistake, Verdict
from symbp.engine.derivation import Derivation
from symbp.engine.numbers import Number, exact_text, is_exact
from symbp.page.display import Style
from symbp.page.document import build_document
from symbp.page.escape import tex_escape
from symbp.page.model import Row
from symbp.page.rows import cell

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
        if name in d.spec.frozen:
            lines.append(f"{name} is frozen: {name}⁺ = {name} = {number_text(d.params[name])}")
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


def terminal(d: Derivation, verdicts: list[Verdict], formulas: list[FormulaVerdict]) -> str:
    """The report as a terminal table, then the reasons and derivations of the wrong claims."""
    rows = [("", "claim", "claimed", "true")]
    for v in verdicts:
        rows.append((MARK[v.holds], v.claim.label, v.claim.text, number_text(v.truth)))
    for f in formulas:
        rows.append((MARK[f.holds], f"formulas.{f.claim.key}", f.claim.text, f.truth_text))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    out = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]
    wrong = [v for v in verdicts if not v.holds]
    wrong_formulas = [f for f in formulas if not f.holds]
    held = len(verdicts) + len(formulas) - len(wrong) - len(wrong_formulas)
    out.append("")
    out.append(f"{held} of {len(verdicts) + len(formulas)} claims hold.")
    for v in wrong:
        out.append("")
        out.append(f"✗ {v.claim.label}: claimed {v.claim.text}, true {number_text(v.truth)}")
        if v.mistake is not None:
            out.append(f"  why: {v.mistake.detail}")
        else:
            out.append("  why: no common mistake reproduces the claimed number")
        out.extend(f"  {line}" for line in derivation_lines(d, v))
    for f in wrong_formulas:
        out.append("")
        out.append(f"✗ formulas.{f.claim.key}: {f.claim.text}")
        out.append(f"  true: {f.truth_text}")
        out.append(f"  why: {f.reason}")
    return "\n".join(out) + "\n"


def as_json(d: Derivation, verdicts: list[Verdict], formulas: list[FormulaVerdict]) -> dict:
    def entry(v: Verdict) -> dict[str, Any]:
        data: dict[str, Any] = {
            "claim": v.claim.label,
            "section": v.claim.section,
            "name": v.claim.name,
            "claimed": v.claim.text,
            "true": float(v.truth),
            "holds": v.holds,
        }
        if is_exact(v.truth):
            data["true_exact"] = exact_text(v.truth)
        if not v.holds:
            data["mistake"] = (
                {"kind": v.mistake.kind, "detail": v.mistake.detail} if v.mistake else None
            )
            data["derivation"] = derivation_lines(d, v)
        return data

    return {
        "holds": all(v.holds for v in verdicts) and all(f.holds for f in formulas),
        "claims": [entry(v) for v in verdicts],
        "formulas": [f.as_dict() for f in formulas],
    }


@dataclass
class WrongClaim:
    label: str
    claimed: str
    true: str  # LaTeX
    mistake: Mistake | None
    rows: list[Row]  # the derivation of the true value, as the renderers print it


@dataclass
class VerifyDocument:
    title: str
    held: int
    total: int
    table: list[tuple[str, str, str, str]]  # LaTeX cells: mark, claim, claimed, true
    wrong: list[WrongClaim]
    formulas: list[FormulaVerdict]


def verify_document(d: Derivation, verdicts: list[Verdict], formulas: list[FormulaVerdict],
                    style: Style | None = None) -> VerifyDocument:
    """The report as a document: the table, then each wrong claim with its derivation."""
    style = style or Style()
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
        wrong.append(WrongClaim(claim.label, claim.text, cell(style, v.truth), v.mistake, rows))
    table = [(r"\checkmark" if v.holds else r"\times", rf"\text{{{tex_escape(v.claim.label)}}}",
              rf"\text{{{tex_escape(v.claim.text)}}}", cell(style, v.truth)) for v in verdicts]
    held = sum(v.holds for v in verdicts) + sum(f.holds for f in formulas)
    return VerifyDocument(d.spec.title, held, len(verdicts) + len(formulas), table, wrong,
                          formulas)
