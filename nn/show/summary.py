"""`model.summary()`: a row per layer, with the numbers behind "saturated sigmoids kill gradients".

Each row gives a layer's shape, activation and parameter count, and the length (L2 norm) of its
weights, of its biases, and of their gradients from the last `backward()`. A layer whose gradient
is orders of magnitude shorter than the next one's learns that much more slowly.

>>> from gategrad import nn
>>> neuron = nn.Neuron(2, activation="sigmoid")
>>> neuron.load_state_dict({"w0": 3.0, "w1": 4.0, "b": 12.0})
>>> neuron([1.0, 0.0]).backward()   # sigma(15): saturated, sigma'(15) = 3.059e-07
>>> print(neuron.summary())         # doctest: +NORMALIZE_WHITESPACE
layer  shape   activation  params  |w|  |b|  |grad w|   |grad b|
unit   2 -> 1  sigmoid     3       5    12   3.059e-07  3.059e-07
"""

from __future__ import annotations

import math
from typing import NamedTuple

from .netdraw import activation_name, network_layers, unit_inputs


class LayerSummary(NamedTuple):
    """One layer's row: the norms are L2 norms over all its units (a Maxout unit's pieces too)."""

    name: str
    nin: int
    nout: int
    activation: str
    parameters: int
    weight_norm: float
    bias_norm: float
    weight_grad_norm: float
    bias_grad_norm: float


class Summary:
    """The rows of `model.summary()`; printed (or shown in Jupyter) as a table whose norms have
    `digits` significant digits (a vanishing gradient shows as 3e-07, not as 0.0000)."""

    COLUMNS = ("layer", "shape", "activation", "params", "|w|", "|b|", "|grad w|", "|grad b|")

    def __init__(self, rows: list[LayerSummary], digits: int = 4):
        self.rows, self.digits = rows, digits

    @property
    def parameters(self) -> int:
        """The model's parameter count, the sum over its layers."""
        return sum(row.parameters for row in self.rows)

    def table(self) -> list[list[str]]:
        """The table's cells, header first, then one row per layer and the total."""
        cells = [list(self.COLUMNS)]
        for row in self.rows:
            norms = (row.weight_norm, row.bias_norm, row.weight_grad_norm, row.bias_grad_norm)
            cells.append([row.name, f"{row.nin} -> {row.nout}", row.activation,
                          str(row.parameters), *(f"{n:.{self.digits}g}" for n in norms)])
        if len(self.rows) > 1:
            cells.append(["total", "", "", str(self.parameters), "", "", "", ""])
        return cells

    def __str__(self) -> str:
        cells = self.table()
        widths = [max(len(row[k]) for row in cells) for k in range(len(self.COLUMNS))]
        return "\n".join("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip()
                         for row in cells)

    __repr__ = __str__


def summarize(model, digits: int = 4) -> Summary:
    """The `Summary` of an MLP, a Layer, or one Neuron or Maxout unit (see the module docstring)."""
    rows = []
    for name, units in network_layers(model):
        weights, biases, parameters = [], [], 0
        for unit in units:
            for neuron in getattr(unit, "pieces", [unit]):
                weights += neuron.w
                biases.append(neuron.b)
            parameters += len(unit.parameters())
        activations = list(dict.fromkeys(activation_name(unit) for unit in units))
        rows.append(LayerSummary(
            name, unit_inputs(units[0]), len(units), ", ".join(activations), parameters,
            _norm(w.data for w in weights), _norm(b.data for b in biases),
            _norm(w.grad for w in weights), _norm(b.grad for b in biases)))
    return Summary(rows, digits)


def _norm(numbers) -> float:
    return math.sqrt(math.fsum(x * x for x in numbers))
