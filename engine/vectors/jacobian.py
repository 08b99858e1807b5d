"""`jacobian(ys, xs)`: the len(ys) × len(xs) matrix of dy_i/dx_j, by reverse or forward mode.

Reverse mode is backward(): one pass per output, each giving a whole row. Forward mode pushes a
tangent (dx/dx_j = 1 for one input, 0 for the others) through the graph in topological order,
one pass per input, each giving a whole column; a node's tangent is the sum of its gate's local
partials times its inputs' tangents. Both read the local partials from the same rows of the gate
table, so the two modes are one calculus used two ways. The result says how many passes it
made: for one loss and many weights, reverse mode needs 1, forward mode one per weight, which is
why training uses reverse mode.

    >>> from gategrad.engine import Value
    >>> a, b = Value(2.0, label="a"), Value(3.0, label="b")
    >>> J = jacobian([a * b, a + b], [a, b])
    >>> J.rows, J.passes
    ([[3.0, 2.0], [1.0, 1.0]], 2)
    >>> jacobian([a * b, a + b], [a, b], mode="forward").rows
    [[3.0, 2.0], [1.0, 1.0]]
"""

from __future__ import annotations

from dataclasses import dataclass

from ..backprop import backward, topological_order
from ..value import Value

__all__ = ["Jacobian", "jacobian"]


@dataclass
class Jacobian:
    """`rows[i][j]` = d ys[i] / d xs[j]; `passes` graph walks made; `mode` 'reverse'/'forward'."""

    rows: list[list[float]]
    passes: int
    mode: str

    @property
    def shape(self) -> tuple[int, int]:
        return len(self.rows), len(self.rows[0]) if self.rows else 0

    def numpy(self):
        """The matrix as a numpy array."""
        import numpy as np
        return np.array(self.rows, dtype=float)

    def __repr__(self) -> str:
        return (f"Jacobian({self.shape[0]}×{self.shape[1]}, {self.mode} mode, "
                f"{self.passes} passes: {self.rows})")


def _values(things, what: str) -> list[Value]:
    values = list(things.values() if hasattr(things, "values") and not isinstance(things, dict)
                  else things)
    if not values:
        raise ValueError(f"jacobian: {what} is empty")
    for i, v in enumerate(values):
        if not isinstance(v, Value):
            raise TypeError(f"jacobian: {what}[{i}] must be a Value, got {type(v).__name__}: {v!r}")
    return values


def jacobian(ys, xs, mode: str = "reverse") -> Jacobian:
    """The Jacobian of `ys` (Values, or a Vector) with respect to `xs` (Values, leaves or nodes
    inside the graph, or a Vector): reverse mode, one backward pass per output (the default), or
    forward mode, one tangent pass per input. Leaves' `.grad` are left as they were."""
    ys, xs = _values(ys, "ys"), _values(xs, "xs")
    if mode not in ("reverse", "forward"):
        raise ValueError(f"jacobian: mode must be 'reverse' or 'forward', got {mode!r}")
    return _reverse(ys, xs) if mode == "reverse" else _forward(ys, xs)


def _nodes(ys: list[Value]) -> list[Value]:
    order, seen = [], set()
    for y in ys:
        for v in topological_order(y):
            if id(v) not in seen:
                seen.add(id(v))
                order.append(v)
    return order


def _reverse(ys: list[Value], xs: list[Value]) -> Jacobian:
    nodes = _nodes(ys)
    saved = [v.grad for v in nodes]
    rows = []
    try:
        for y in ys:
            for v in nodes:
                if not v.is_constant:
                    v.grad = 0.0
            backward(y)
            rows.append([x.grad for x in xs])
    finally:
        for v, g in zip(nodes, saved):
            if not v.is_constant:
                v.grad = g
    return Jacobian(rows, len(ys), "reverse")


def _forward(ys: list[Value], xs: list[Value]) -> Jacobian:
    nodes = _nodes(ys)
    columns = []
    for x in xs:
        tangent = {id(x): 1.0}  # dx/dx = 1; every other leaf 0
        for v in nodes:
            if v.gate is None:
                continue
            partials = v.gate.local(v.data, *[p.data for p in v.parents])
            t = 0.0
            for p, local in zip(v.parents, partials):
                dp = tangent.get(id(p), 0.0)
                if dp and local:  # the zero rules, as backward(): 0 * inf adds nothing
                    t += local * dp
            if t:
                tangent[id(v)] = t
        columns.append([tangent.get(id(y), 0.0) for y in ys])
    return Jacobian([list(row) for row in zip(*columns)], len(xs), "forward")
