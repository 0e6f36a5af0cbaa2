"""The network spec: loading, validating and the immutable data it becomes.

A spec is read as data only: YAML through a safe loader that keeps every number
as the decimal text it was written with (so 0.1 becomes exactly 1/10), JSON
with the same rule.  Nothing in a spec is ever evaluated as code.  Every
problem raises :class:`SpecError`, which names the file, the key and what was
expected.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import sympy as sp
import yaml

from symbp.engine.names import can_typeset
from symbp.engine.numbers import from_decimal
from symbp.engine.rules import ACTIVATION_NAMES, LOSSES, SOFTMAX


class SpecError(ValueError):
    """A spec (or claims) file that cannot be used, with where and why."""

    def __init__(self, source: str, key: str, expected: str):
        self.source, self.key, self.expected = source, key, expected
        where = f"{source}: {key}" if key else source
        super().__init__(f"{where}: {expected}")


@dataclass(frozen=True)
class Layer:
    """One fully connected layer; row i of ``weights`` feeds unit i."""

    units: tuple[str, ...]
    activation: str
    weights: tuple[tuple[sp.Rational, ...], ...]
    weight_names: tuple[tuple[str, ...], ...]
    bias: tuple[sp.Rational, ...] = ()  # one value (shared) or one per unit; () for none
    bias_names: tuple[str, ...] = ()
    negative_slope: sp.Rational = sp.Rational(1, 100)

    @property
    def bias_shared(self) -> bool:
        return len(self.bias) == 1 and len(self.units) > 1

    def bias_name(self, unit_index: int) -> str:
        """The name of the bias that feeds unit ``unit_index`` (the layer has biases)."""
        found = self.bias_of(unit_index)
        if found is None:
            raise KeyError(f"layer of {self.units[unit_index]} has no bias")
        return found[0]

    def bias_of(self, unit_index: int) -> tuple[str, sp.Rational] | None:
        """The (name, value) of the bias that feeds unit ``unit_index``, if any."""
        if not self.bias:
            return None
        j = 0 if len(self.bias) == 1 else unit_index
        return self.bias_names[j], self.bias[j]


@dataclass(frozen=True)
class Sample:
    inputs: tuple[sp.Rational, ...]
    targets: tuple[sp.Rational, ...]


@dataclass(frozen=True)
class Spec:
    """A validated network: everything the engine needs, nothing it must guess."""

    input_names: tuple[str, ...]
    target_names: tuple[str, ...]
    samples: tuple[Sample, ...]
    layers: tuple[Layer, ...]
    loss: str
    learning_rate: sp.Rational
    title: str = ""
    reduction: str = "sum"
    loss_name: str = "L"
    data_loss_name: str = "L"
    l2: sp.Rational | None = None
    frozen: frozenset[str] = field(default_factory=frozenset)
    steps: int = 1
    source: str = "<spec>"

    @property
    def output_names(self) -> tuple[str, ...]:
        return self.layers[-1].units

    def parameters(self) -> dict[str, sp.Rational]:
        """Every parameter's initial value, weights then bias layer by layer."""
        params: dict[str, sp.Rational] = {}
        for layer in self.layers:
            for names, row in zip(layer.weight_names, layer.weights):
                params.update(zip(names, row))
            params.update(zip(layer.bias_names, layer.bias))
        return params

    def weight_names(self) -> tuple[str, ...]:
        return tuple(n for layer in self.layers for row in layer.weight_names for n in row)

    def bias_names(self) -> tuple[str, ...]:
        return tuple(n for layer in self.layers for n in layer.bias_names)


TOP_KEYS = {
    "title", "inputs", "targets", "samples", "reduction", "layers", "loss", "loss_name",
    "data_loss_name", "l2", "learning_rate", "frozen", "steps",
}
LAYER_KEYS = {"units", "activation", "weights", "weight_names", "bias", "bias_names",
              "negative_slope"}
REDUCTIONS = ("sum", "mean")
MAX_STEPS = 100_000

# Names are letters, digits and underscores, optionally followed by primes: y' is a name,
# \input{...} is not.  This keeps every name safe to print in TeX and Markdown.
#: Letters and ASCII digits, in parts joined by single underscores, starting with a letter,
#: primes at the end: h1, net_h1, y', δ, ŷ.  Other digits and empty parts cannot typeset.
_NAME = re.compile(r"^[^\W\d_][^\W_]*(_[^\W_]+)*'*$")
_NON_ASCII_DIGIT = re.compile(r"[^\D0-9]")
_DECIMAL = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_FRACTION = re.compile(r"^[+-]?\d+/\d+$")


# --- reading files -----------------------------------------------------------------------


class _Loader(yaml.SafeLoader):
    """A safe YAML loader that keeps decimals exact and refuses duplicate keys."""


def _construct_float(loader: _Loader, node: yaml.ScalarNode) -> Decimal | float:
    text = loader.construct_scalar(node).replace("_", "")
    if text.lower().lstrip("+-") in (".inf", ".nan"):
        return float(text.lower().replace(".", ""))
    return Decimal(text)


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> dict:
    seen: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in seen:
            mark = key_node.start_mark
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r} (line {mark.line + 1})", mark
            )
        seen[key] = loader.construct_object(value_node, deep=True)
    return seen


_Loader.add_constructor("tag:yaml.org,2002:float", _construct_float)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _no_duplicate_pairs(pairs: list[tuple[str, Any]]) -> dict:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"duplicate key {key!r}")
        result[key] = value
    return result


def read_data(path: str | Path) -> Any:
    """The raw data of a YAML or JSON file, numbers kept as exact decimals."""
    source = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as err:
        raise SpecError(source, "", f"cannot read the file ({err.strerror})") from None
    except UnicodeDecodeError:
        raise SpecError(source, "", "expected UTF-8 text") from None
    if source.endswith(".json"):
        try:
            return json.loads(
                text,
                parse_float=Decimal,
                parse_constant=float,
                object_pairs_hook=_no_duplicate_pairs,
            )
        except ValueError as err:
            raise SpecError(source, "", f"not valid JSON: {err}") from None
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as err:
        raise SpecError(source, "", f"not valid YAML: {err}") from None


def load_spec(path: str | Path) -> Spec:
    """Read and validate a spec file (YAML or JSON)."""
    return parse_spec(read_data(path), str(path))


# --- validating ---------------------------------------------------------------------------


class Reader:
    """Validation helpers that know the file name and build key paths."""

    def __init__(self, source: str):
        self.source = source

    def fail(self, key: str, expected: str) -> SpecError:
        return SpecError(self.source, key, expected)

    def number(self, value: Any, key: str) -> sp.Rational:
        if isinstance(value, bool) or value is None:
            raise self.fail(key, f"expected a number, got {describe(value)}")
        if isinstance(value, str):
            text = value.strip()
            if _FRACTION.match(text):
                num, den = text.split("/")
                if int(den) == 0:
                    raise self.fail(key, f"expected a number, got the fraction {value!r} over 0")
                return sp.Rational(int(num), int(den))
            if not _DECIMAL.match(text):
                raise self.fail(key, f"expected a number, got the text {value!r}")
            value = Decimal(text)
        if isinstance(value, float):
            if value != value or value in (float("inf"), float("-inf")):
                raise self.fail(key, f"expected a finite number, got {value}")
            value = Decimal(repr(value))
        if isinstance(value, (int, Decimal)):
            try:
                if isinstance(value, Decimal) and not value.is_finite():
                    raise self.fail(key, f"expected a finite number, got {value}")
                return from_decimal(value)
            except InvalidOperation:
                raise self.fail(key, f"expected a number, got {value!r}") from None
        raise self.fail(key, f"expected a number, got {describe(value)}")

    def name(self, value: Any, key: str) -> str:
        if not isinstance(value, str) or not _NAME.match(value) \
                or _NON_ASCII_DIGIT.search(value) or not can_typeset(value):
            raise self.fail(
                key,
                "expected a name of Latin or Greek letters and digits 0-9, starting with a"
                " letter, in parts joined by single underscores (net_h1), primes allowed at"
                f" the end (y'), got {describe(value)}",
            )
        return value

    def mapping(self, value: Any, key: str) -> Mapping:
        if not isinstance(value, Mapping):
            raise self.fail(key, f"expected a mapping of name: value, got {describe(value)}")
        return value

    def seq(self, value: Any, key: str, what: str = "a list") -> list:
        if not isinstance(value, list):
            raise self.fail(key, f"expected {what}, got {describe(value)}")
        return value

    def named_numbers(self, value: Any, key: str) -> tuple[tuple[str, ...], tuple]:
        mapping = self.mapping(value, key)
        if not mapping:
            raise self.fail(key, "expected at least one name: number entry")
        names = tuple(self.name(k, f"{key}.{k}") for k in mapping)
        numbers = tuple(self.number(v, f"{key}.{k}") for k, v in mapping.items())
        return names, numbers

    def choice(self, value: Any, key: str, options: tuple[str, ...]) -> str:
        if value not in options:
            raise self.fail(key, f"expected one of {', '.join(options)}, got {describe(value)}")
        return value


def describe(value: Any) -> str:
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing"
    if isinstance(value, Decimal):
        return str(value)
    return repr(value)


def _unknown(r: Reader, data: Mapping, allowed: set[str], where: str) -> None:
    for key in data:
        if key not in allowed:
            prefix = f"{where}." if where else ""
            raise r.fail(
                f"{prefix}{key}", f"unknown key; expected one of {', '.join(sorted(allowed))}"
            )


def _counter(prefix: str) -> Iterator[str]:
    n = 0
    while True:
        n += 1
        yield f"{prefix}{n}"


def parse_spec(data: Any, source: str = "<spec>") -> Spec:
    """Validate raw spec data (as read from YAML/JSON) into a :class:`Spec`."""
    r = Reader(source)
    if not isinstance(data, Mapping):
        raise r.fail("", f"expected a mapping of spec keys at the top level, got {describe(data)}")
    _unknown(r, data, TOP_KEYS, "")

    title = data.get("title", "")
    if not isinstance(title, str):
        raise r.fail("title", f"expected text, got {describe(title)}")

    input_names, target_names, samples = _samples(r, data)

    if "layers" not in data:
        raise r.fail("layers", "missing; expected a list of layers")
    raw_layers = r.seq(data["layers"], "layers", "a list of layers")
    if not raw_layers:
        raise r.fail("layers", "expected at least one layer")
    layers = []
    weight_counter, bias_counter = _counter("w"), _counter("b")
    previous = input_names
    for i, raw in enumerate(raw_layers):
        layer = _layer(r, raw, f"layers[{i}]", previous, weight_counter, bias_counter)
        layers.append(layer)
        previous = layer.units
    if len(previous) != len(target_names):
        raise r.fail(
            f"layers[{len(layers) - 1}].units",
            f"expected {len(target_names)} output units, one per target"
            f" ({', '.join(target_names)}), got {len(previous)}",
        )
    for i, layer in enumerate(layers[:-1]):
        if layer.activation == SOFTMAX:
            raise r.fail(f"layers[{i}].activation", "softmax is only supported on the output layer")

    if "loss" not in data:
        raise r.fail("loss", f"missing; expected one of {', '.join(LOSSES)}")
    loss = r.choice(data["loss"], "loss", tuple(LOSSES))
    needs = LOSSES[loss].outputs
    if needs and layers[-1].activation not in needs:
        raise r.fail(
            "loss",
            f"{loss} needs an output layer with activation {' or '.join(needs)},"
            f" got {layers[-1].activation}",
        )

    l2 = None
    if data.get("l2") is not None:
        l2 = r.number(data["l2"], "l2")
        if l2 < 0:
            raise r.fail("l2", f"expected a number >= 0, got {data['l2']}")
    loss_name = r.name(data.get("loss_name", "J" if l2 is not None else "L"), "loss_name")
    data_loss_name = r.name(data.get("data_loss_name", "L"), "data_loss_name")
    if "data_loss_name" in data and l2 is None:
        raise r.fail("data_loss_name", "only used with l2 (the data loss beside the L2 term)")

    if "learning_rate" not in data:
        raise r.fail("learning_rate", "missing; expected a number")
    learning_rate = r.number(data["learning_rate"], "learning_rate")

    reduction = r.choice(data.get("reduction", "sum"), "reduction", REDUCTIONS)

    steps = data.get("steps", 1)
    if isinstance(steps, bool) or not isinstance(steps, int) or not 1 <= steps <= MAX_STEPS:
        raise r.fail("steps",
                     f"expected a whole number from 1 to {MAX_STEPS}, got {describe(steps)}")

    spec = Spec(
        title=title,
        input_names=input_names,
        target_names=target_names,
        samples=samples,
        reduction=reduction,
        layers=tuple(layers),
        loss=loss,
        loss_name=loss_name,
        data_loss_name=data_loss_name,
        l2=l2,
        learning_rate=learning_rate,
        steps=steps,
        source=source,
    )
    frozen = _frozen(r, data.get("frozen", []), spec)
    _check_unique_names(r, spec)
    return Spec(**{**spec.__dict__, "frozen": frozen})


def _samples(r: Reader, data: Mapping) -> tuple[tuple[str, ...], tuple[str, ...], tuple]:
    if "samples" in data:
        for key in ("inputs", "targets"):
            if key in data:
                raise r.fail(key, "give either inputs/targets or samples, not both")
        raw = r.seq(data["samples"], "samples", "a list of {inputs, targets}")
        if not raw:
            raise r.fail("samples", "expected at least one sample")
        input_names: tuple[str, ...] | None = None
        target_names: tuple[str, ...] = ()
        samples = []
        for i, item in enumerate(raw):
            key = f"samples[{i}]"
            item = r.mapping(item, key)
            _unknown(r, item, {"inputs", "targets"}, key)
            for part in ("inputs", "targets"):
                if part not in item:
                    raise r.fail(f"{key}.{part}", "missing; expected a mapping of name: number")
            names_in, xs = r.named_numbers(item["inputs"], f"{key}.inputs")
            names_out, ts = r.named_numbers(item["targets"], f"{key}.targets")
            if input_names is None:
                input_names, target_names = names_in, names_out
            assert input_names is not None
            for part, got, want in (("inputs", names_in, input_names),
                                    ("targets", names_out, target_names)):
                if got != want:
                    raise r.fail(
                        f"{key}.{part}",
                        f"expected the names of samples[0].{part} in the same order"
                        f" ({', '.join(want)}), got {', '.join(got)}",
                    )
            samples.append(Sample(xs, ts))
        assert input_names is not None
        return input_names, target_names, tuple(samples)
    for key in ("inputs", "targets"):
        if key not in data:
            raise r.fail(key, "missing; expected a mapping of name: number (or use samples)")
    input_names, xs = r.named_numbers(data["inputs"], "inputs")
    target_names, ts = r.named_numbers(data["targets"], "targets")
    return input_names, target_names, (Sample(xs, ts),)


def _layer(
    r: Reader,
    raw: Any,
    key: str,
    previous: tuple[str, ...],
    weight_counter: Iterator[str],
    bias_counter: Iterator[str],
) -> Layer:
    raw = r.mapping(raw, key)
    _unknown(r, raw, LAYER_KEYS, key)
    for required in ("units", "activation", "weights"):
        if required not in raw:
            raise r.fail(f"{key}.{required}", "missing")
    units = tuple(
        r.name(u, f"{key}.units[{i}]")
        for i, u in enumerate(r.seq(raw["units"], f"{key}.units", "a list of unit names"))
    )
    if not units:
        raise r.fail(f"{key}.units", "expected at least one unit")
    activation = r.choice(raw["activation"], f"{key}.activation", ACTIVATION_NAMES)
    negative_slope = sp.Rational(1, 100)
    if "negative_slope" in raw:
        if activation != "leaky_relu":
            raise r.fail(f"{key}.negative_slope", "only used with activation leaky_relu")
        negative_slope = r.number(raw["negative_slope"], f"{key}.negative_slope")

    shape = f"{len(units)} rows (one per unit: {', '.join(units)}) of {len(previous)} numbers" \
            f" (one per input: {', '.join(previous)})"
    rows = r.seq(raw["weights"], f"{key}.weights", f"a matrix of {shape}")
    if len(rows) != len(units):
        raise r.fail(f"{key}.weights", f"expected {shape}, got {len(rows)} rows")
    weights = []
    for i, row in enumerate(rows):
        row_key = f"{key}.weights[{i}]"
        row = r.seq(row, row_key, f"a list of {len(previous)} numbers")
        if len(row) != len(previous):
            raise r.fail(row_key, f"expected {len(previous)} numbers (one per input:"
                                  f" {', '.join(previous)}), got {len(row)}")
        weights.append(tuple(r.number(v, f"{row_key}[{j}]") for j, v in enumerate(row)))

    default_names = [[next(weight_counter) for _ in previous] for _ in units]
    if "weight_names" in raw:
        rows = r.seq(raw["weight_names"], f"{key}.weight_names", "a matrix of names")
        if len(rows) != len(units) or any(
            not isinstance(row, list) or len(row) != len(previous) for row in rows
        ):
            raise r.fail(f"{key}.weight_names", f"expected the shape of weights: {shape}")
        weight_names = tuple(
            tuple(r.name(n, f"{key}.weight_names[{i}][{j}]") for j, n in enumerate(row))
            for i, row in enumerate(rows)
        )
    else:
        weight_names = tuple(tuple(row) for row in default_names)

    bias: tuple = ()
    raw_bias = raw.get("bias", False)
    if raw_bias is False or raw_bias is None:
        if "bias_names" in raw:
            raise r.fail(f"{key}.bias_names", "given, but the layer has no bias")
    else:
        if isinstance(raw_bias, list):
            if len(raw_bias) != len(units):
                raise r.fail(f"{key}.bias", f"expected one number per unit ({len(units)}),"
                                            f" or one number shared by all, got {len(raw_bias)}")
            bias = tuple(r.number(v, f"{key}.bias[{i}]") for i, v in enumerate(raw_bias))
        else:
            bias = (r.number(raw_bias, f"{key}.bias"),)
    default_bias_names = tuple(next(bias_counter) for _ in bias)
    if "bias_names" in raw:
        names = raw["bias_names"]
        names = names if isinstance(names, list) else [names]
        if len(names) != len(bias):
            raise r.fail(f"{key}.bias_names", f"expected {len(bias)} names, one per bias value")
        bias_names = tuple(r.name(n, f"{key}.bias_names[{i}]") for i, n in enumerate(names))
    else:
        bias_names = default_bias_names

    return Layer(units, activation, tuple(weights), weight_names, bias, bias_names,
                 negative_slope)


def _frozen(r: Reader, raw: Any, spec: Spec) -> frozenset[str]:
    names = r.seq(raw, "frozen", "a list of parameter names")
    params = spec.parameters()
    for i, name in enumerate(names):
        if name not in params:
            raise r.fail(f"frozen[{i}]", f"expected a parameter name ({', '.join(params)}),"
                                         f" got {describe(name)}")
    return frozenset(names)


def generated_names(spec: Spec) -> dict[str, tuple[str, str]]:
    """Names symbp adds to the graph: name -> (the key it comes from, what it is)."""
    names = {}
    for i, layer in enumerate(spec.layers):
        if layer.activation != "identity":
            for j, unit in enumerate(layer.units):
                names[f"net_{unit}"] = (f"layers[{i}].units[{j}]", f"the pre-activation of {unit}")
    base = spec.data_loss_name if spec.l2 is not None else spec.loss_name
    key = "data_loss_name" if spec.l2 is not None else "loss_name"
    if len(spec.samples) > 1:
        names[f"{base}_n"] = (key, "the per-sample loss")
    names[base] = (key, "the data loss" if spec.l2 is not None else "the loss")
    if spec.l2 is not None:
        names["s"] = ("l2", "the L2 term")
        names[spec.loss_name] = ("loss_name", "the objective")
    return names


def _check_unique_names(r: Reader, spec: Spec) -> None:
    seen: dict[str, str] = {}

    def claim(name: str, where: str, what: str = "") -> None:
        if name in seen:
            also = f" (also {seen[name]})"
            note = f", here as {what}" if what else ""
            raise r.fail(where, f"the name {name!r} is used twice{note}{also}")
        seen[name] = f"{where}, {what}" if what else where

    for name in spec.input_names:
        claim(name, f"inputs.{name}")
    for name in spec.target_names:
        claim(name, f"targets.{name}")
    for i, layer in enumerate(spec.layers):
        for j, unit in enumerate(layer.units):
            claim(unit, f"layers[{i}].units[{j}]")
        for a, row in enumerate(layer.weight_names):
            for b, name in enumerate(row):
                claim(name, f"layers[{i}].weight_names[{a}][{b}]")
        for j, name in enumerate(layer.bias_names):
            claim(name, f"layers[{i}].bias_names[{j}]")
    for name, (where, what) in generated_names(spec).items():
        claim(name, where, what)
