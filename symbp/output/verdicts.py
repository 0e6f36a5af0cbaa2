"""The verify report as JSON: each mistake and formula outcome as data, with its English sentence.

The sentence comes from the English catalogue in its plain-text form, so that a
reader of the JSON sees the words the terminal prints.
"""

from __future__ import annotations

from typing import Any

from symbp.check.formula import FormulaVerdict
from symbp.check.verify import Verdict
from symbp.engine.derivation import Derivation
from symbp.engine.numbers import exact_text, is_exact
from symbp.output.render import environment
from symbp.page.display import Style
from symbp.page.report import Names, derivation_lines, formula_view, mistake_json, mistake_view


def catalogue(lang: str = "en") -> Any:
    """A language catalogue's macros, rendering terms as plain text."""
    return environment("text").get_template(f"lang/{lang}.j2").module


def verify_json(d: Derivation, verdicts: list[Verdict], formulas: list[FormulaVerdict]
                ) -> dict[str, Any]:
    t = catalogue("en")
    names = Names(d, Style())

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
            data["mistake"] = None
            if v.mistake is not None:
                detail = str(t.mistake_sentence(mistake_view(names, v.mistake))).strip()
                data["mistake"] = {**mistake_json(v.mistake), "detail": detail}
            data["derivation"] = derivation_lines(d, v)
        return data

    def formula(f: FormulaVerdict) -> dict[str, Any]:
        view = formula_view(names, f)
        return {"claim": f.claim.key, "claimed": f.claim.text, "holds": f.holds,
                "true": f.truth_text, "outcome": f.outcome.as_dict(),
                "reason": str(t.formula_outcome(view.outcome)).strip()}

    return {
        "holds": all(v.holds for v in verdicts) and all(f.holds for f in formulas),
        "claims": [entry(v) for v in verdicts],
        "formulas": [formula(f) for f in formulas],
    }
