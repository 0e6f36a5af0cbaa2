"""Claims about a network, as a student or a tutorial states them, read from YAML or JSON.

A numeric claim keeps the decimal text it was written with: ``0.15`` claims two
decimals, ``0.150`` three.  It may also carry its own tolerance, ``{value: 0.15,
tol: 0.001}``.  Formula claims are text, parsed later by :mod:`symbp.formula`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import sympy as sp

from symbp.engine.spec import Reader, SpecError, describe, read_data

NAMED_SECTIONS = ("values", "outputs", "gradients", "updated")
SINGLE_SECTIONS = ("loss", "loss_after")
SECTIONS = (*NAMED_SECTIONS, *SINGLE_SECTIONS, "history", "formulas")


@dataclass(frozen=True)
class NumberClaim:
    section: str
    name: str  # node or parameter; "" for loss and loss_after; the step for history
    sample: int | None  # for values/outputs given per sample
    text: str  # as written
    value: sp.Rational
    decimal: Decimal | None  # the written decimal (its exponent sets the precision)
    tol: sp.Rational | None

    @property
    def label(self) -> str:
        where = f"[{self.sample + 1}]" if self.sample is not None else ""
        if self.section in SINGLE_SECTIONS:
            return self.section
        return f"{self.section}{where}.{self.name}"


@dataclass(frozen=True)
class FormulaClaim:
    key: str  # "dδ/dw1", "h1", "delta[L]", ...
    text: str


@dataclass(frozen=True)
class Claims:
    numbers: tuple[NumberClaim, ...]
    formulas: tuple[FormulaClaim, ...]
    source: str


def _number(r: Reader, raw: Any, key: str) -> tuple[str, sp.Rational, Decimal | None, Any]:
    """(text, exact value, decimal as written, tolerance) of one claimed number."""
    tol = None
    if isinstance(raw, Mapping):
        unknown = set(raw) - {"value", "tol"}
        if unknown or "value" not in raw:
            raise r.fail(key, "expected a number, or {value: number, tol: number}")
        tol = r.number(raw["tol"], f"{key}.tol") if "tol" in raw else None
        if tol is not None and tol < 0:
            raise r.fail(f"{key}.tol", "expected a tolerance >= 0")
        raw = raw["value"]
    value = r.number(raw, key)
    decimal = None
    if isinstance(raw, (Decimal, int)) and not isinstance(raw, bool):
        decimal = Decimal(raw)
    elif isinstance(raw, str):
        try:
            decimal = Decimal(raw.strip()) if "/" not in raw else None
        except ArithmeticError:
            decimal = None
    text = str(raw).strip() if not isinstance(raw, Decimal) else str(raw)
    return text, value, decimal, tol


def parse_claims(data: Any, source: str = "<claims>") -> Claims:
    r = Reader(source)
    if not isinstance(data, Mapping):
        raise r.fail("", f"expected a mapping of claim sections, got {describe(data)}")
    numbers: list[NumberClaim] = []
    formulas: list[FormulaClaim] = []
    for section, raw in data.items():
        if section not in SECTIONS:
            raise r.fail(str(section), f"unknown section; expected one of {', '.join(SECTIONS)}")
        if section in SINGLE_SECTIONS:
            text, value, dec, tol = _number(r, raw, section)
            numbers.append(NumberClaim(section, "", None, text, value, dec, tol))
        elif section == "history":
            for i, item in enumerate(r.seq(raw, "history", "a list of losses")):
                text, value, dec, tol = _number(r, item, f"history[{i}]")
                numbers.append(NumberClaim(section, str(i), None, text, value, dec, tol))
        elif section == "formulas":
            for key, text in r.mapping(raw, "formulas").items():
                if not isinstance(key, str) or not isinstance(text, str):
                    raise r.fail(f"formulas.{key}", "expected text: \"name\": \"formula\"")
                formulas.append(FormulaClaim(key, text))
        else:
            per_sample = raw if isinstance(raw, list) and section in ("values", "outputs") \
                else [raw]
            for s, mapping in enumerate(per_sample):
                where = f"{section}[{s}]" if len(per_sample) > 1 or isinstance(raw, list) \
                    else section
                for name, item in r.mapping(mapping, where).items():
                    text, value, dec, tol = _number(r, item, f"{where}.{name}")
                    sample = s if isinstance(raw, list) else None
                    numbers.append(NumberClaim(section, str(name), sample, text, value, dec, tol))
    return Claims(tuple(numbers), tuple(formulas), source)


def load_claims(path: str | Path) -> Claims:
    return parse_claims(read_data(path), str(path))


__all__ = ["Claims", "FormulaClaim", "NumberClaim", "SpecError", "load_claims", "parse_claims"]
