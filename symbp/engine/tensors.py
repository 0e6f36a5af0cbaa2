"""The network layer by layer, as matrices: the forward and backward pass in vector form.

This is computed on its own from the spec and the parameters with SymPy matrix
arithmetic, not read off the scalar graph, so that the matrix and graph views
are an independent check of the per-path chain rule.  Samples are the columns
of every batch matrix (column layout: ``Z = W A + b 1^T``); the row layout of
numpy code is the transpose of the same numbers.

``Delta`` holds each sample's error term of its own loss, d l_n / d z, as seed
001 writes the recursion; the reduction's factor (1, or 1/N for a mean) and the
L2 term enter at the parameter gradients.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import sympy as sp

from symbp.engine.numbers import Number, evaluate
from symbp.engine.rules import ACTIVATIONS, LOSSES, SOFTMAX, softmax_derivative, softmax_forward
from symbp.engine.spec import Layer, Spec


@dataclass
class LayerTensors:
    """One layer l (numbered from 1): its parameters, activations and gradients."""

    index: int
    layer: Layer
    W: sp.Matrix  # units x inputs
    b: sp.Matrix | None  # units x 1; None when the layer has no bias
    A_prev: sp.Matrix  # inputs x N
    Z: sp.Matrix  # units x N
    A: sp.Matrix  # units x N
    dphi: sp.Matrix | None  # phi'(Z), units x N; None for softmax (a Jacobian per sample)
    jacobians: list[sp.Matrix] | None  # softmax only: d a / d z per sample
    Delta: sp.Matrix  # d l_n / d z for every sample n (a column each)
    dW: sp.Matrix  # d J / d W
    db: sp.Matrix | None  # d J / d b: units x 1, or 1 x 1 for one shared bias

    @property
    def bias_shared(self) -> bool:
        return self.layer.bias_shared


@dataclass
class Tensors:
    layers: list[LayerTensors]
    Y: sp.Matrix  # targets x N
    grad_out: sp.Matrix  # d l_n / d a^(L), outputs x N
    scale: sp.Rational  # 1 for a sum over samples, 1/N for a mean
    l2: sp.Rational | None
    sample_losses: list[Number]
    data_loss: Number
    penalty: Number | None  # the L2 term s
    objective: Number

    def gradients(self) -> dict[str, Number]:
        """d J / d parameter for every parameter, by the spec's names."""
        grads: dict[str, Number] = {}
        for t in self.layers:
            for k, row in enumerate(t.layer.weight_names):
                for j, name in enumerate(row):
                    grads[name] = t.dW[k, j]
            if t.db is not None:
                for j, name in enumerate(t.layer.bias_names):
                    grads[name] = t.db[j, 0]
        return grads


def _matrix(rows: int, cols: int, f) -> sp.Matrix:
    return sp.Matrix(rows, cols, lambda i, j: evaluate(f(i, j)))


def _activate(layer: Layer, Z: sp.Matrix
              ) -> tuple[sp.Matrix, sp.Matrix | None, list[sp.Matrix] | None]:
    """a = phi(Z), with phi'(Z) elementwise, or softmax's Jacobian for every sample."""
    units, n = Z.shape
    slope = layer.negative_slope
    if layer.activation == SOFTMAX:
        out = sp.Matrix([[evaluate(softmax_forward(list(Z[:, j]), i)) for j in range(n)]
                         for i in range(units)])
        jac = [sp.Matrix([[evaluate(softmax_derivative(list(out[:, j]), i, k))
                           for k in range(units)] for i in range(units)]) for j in range(n)]
        return out, None, jac
    rule = ACTIVATIONS[layer.activation]
    out = Z.applyfunc(lambda z: evaluate(rule.forward(z, slope)))
    dphi = sp.Matrix([[evaluate(rule.derivative(Z[i, j], out[i, j], slope)) for j in range(n)]
                      for i in range(units)])
    return out, dphi, None


def compute(spec: Spec, params: Mapping[str, Number]) -> Tensors:
    """The forward and backward pass in matrix form for the given parameter values."""
    n = len(spec.samples)
    A = _matrix(len(spec.input_names), n, lambda i, j: spec.samples[j].inputs[i])
    Y = _matrix(len(spec.target_names), n, lambda i, j: spec.samples[j].targets[i])
    forward = []
    for layer in spec.layers:
        W = sp.Matrix([[params[name] for name in row] for row in layer.weight_names])
        units = len(layer.units)
        b = None
        if layer.bias:
            b = sp.Matrix([params[layer.bias_name(i)] for i in range(units)])
        Z = W * A
        if b is not None:
            Z = Z + b * sp.ones(1, n)
        Z = Z.applyfunc(evaluate)
        out, dphi, jac = _activate(layer, Z)
        forward.append((layer, W, b, A, Z, out, dphi, jac))
        A = out

    loss = LOSSES[spec.loss]
    outputs = A
    m = outputs.rows
    grad_out = _matrix(m, n, lambda i, j: loss.partial(Y[i, j], outputs[i, j], m))
    sample_losses = [evaluate(loss.value(list(Y[:, j]), list(outputs[:, j]))) for j in range(n)]
    scale = sp.Integer(1) if spec.reduction == "sum" else sp.Rational(1, n)
    data_loss = evaluate(scale * sp.Add(*sample_losses))
    lam = spec.l2
    penalty = None
    if lam is not None:
        penalty = evaluate(lam / 2 * sp.Add(*(params[w] ** 2 for w in spec.weight_names())))
    objective = data_loss if penalty is None else evaluate(data_loss + penalty)

    layers: list[LayerTensors] = []
    upstream = grad_out  # d l_n / d a^(l), column per sample
    for index in range(len(forward), 0, -1):
        layer, W, b, A_prev, Z, out, dphi, jac = forward[index - 1]
        if jac is not None:
            Delta = sp.Matrix.hstack(*(jac[j].T * upstream[:, j] for j in range(n)))
        else:
            Delta = upstream.multiply_elementwise(dphi)
        Delta = Delta.applyfunc(evaluate)
        dW = scale * Delta * A_prev.T
        if lam is not None:
            dW = dW + lam * W
        dW = dW.applyfunc(evaluate)
        db = None
        if b is not None:
            column = (scale * Delta * sp.ones(n, 1)).applyfunc(evaluate)
            db = sp.Matrix([[evaluate(sum(column))]]) if layer.bias_shared else column
        layers.append(LayerTensors(index, layer, W, b, A_prev, Z, out, dphi, jac, Delta, dW, db))
        upstream = (W.T * Delta).applyfunc(evaluate)
    layers.reverse()
    return Tensors(layers, Y, grad_out, scale, lam, sample_losses, data_loss, penalty, objective)
