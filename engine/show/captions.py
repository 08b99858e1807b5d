"""Reading a graph for display: the order nodes are shown in and the caption of each gate.

Shared by `explain` and the drawing module, which only read the graph, never change it.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

from ..gates import GATES
from ..value import Value

_FOLDING = ("add", "mul", "pow", "max")


def number(x: float, digits: int | None = None) -> str:
    """A constant or value as a person writes it: 1 not 1.0, 0.5, -0.2; `digits` fixes decimals.

    Rounded half away from zero from the number as Python prints it, as a student rounds by
    hand: 10.125 -> 10.13 and 2.675 -> 2.68 (Python's own format gives 10.12 and 2.67).

    >>> number(10.125, 2), number(-0.125, 2), number(2.675, 2), number(-0.001, 2)
    ('10.13', '-0.13', '2.68', '0.00')
    """
    if digits is not None:
        if math.isfinite(x):
            rounded = Decimal(repr(float(x))).quantize(Decimal(1).scaleb(-digits), ROUND_HALF_UP)
            text = f"{rounded:f}"
        else:
            text = f"{x:.{digits}f}"
        zero = "0." + "0" * digits if digits else "0"
        return zero if text == "-" + zero else text  # no "-0.00"
    return f"{x:g}"


def folded_constant(v: Value) -> int | None:
    """Index of the constant operand a diagram folds into the gate's caption (`*-1`, `+1`, `**2`).

    Only the built-in two-input gates (+, *, **, max) with exactly one constant operand fold it;
    a user's own gate and the n-ary gates draw all their inputs.
    """
    if v.gate is None or v.gate.name not in _FOLDING or v.gate is not GATES[v.gate.name]:
        return None
    flags = [p.is_constant for p in v.parents]
    if flags == [False, True]:
        return 1
    if flags == [True, False]:
        return 0
    return None


def caption(v: Value) -> str:
    """The gate as the lecture labels it: `*`, `+`, `exp`, `1/x`, or with a folded constant."""
    if v.gate is None:
        return v.label or number(v.data)
    k = folded_constant(v)
    symbol = v.gate.symbol
    if k is None:
        return symbol
    c = number(v.parents[k].data)
    if v.gate.name == "add":
        return f"+{c}" if not c.startswith("-") else c
    if v.gate.name == "max":
        return f"max(·, {c})"
    if v.gate.name == "pow" and k == 0:
        return f"{c}**"
    return f"{symbol}{c}"


def visit_order(root: Value) -> list[Value]:
    """Every node, inputs first; the position is a stable id (the same graph, the same ids)."""
    return root.nodes()
