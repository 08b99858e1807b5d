"""The fused n-ary gates: one node where the lecture's circuit would have many.

nn makes one `w·x+b` node per neuron instead of 2n `*` and `+` nodes (fused=False builds the
neuron gate by gate, for drawing it one multiply at a time); both give the same numbers.
"""

from __future__ import annotations

from itertools import chain, repeat
from operator import mul as _mul

from .gates import GATES
from .value import Value, _data, _node, apply, as_value

LINEAR, SUM = GATES["linear"], GATES["sum"]


def linear(w, x, b=0.0) -> Value:
    """The fused `w·x+b` gate, one node for a neuron's w_1 x_1 + ... + w_n x_n + b.

    Its parents are w_1..w_n, x_1..x_n, b in that order (the order of the gate's row)."""
    if len(w) != len(x):
        raise ValueError(f"w·x+b gate: {len(w)} weights but {len(x)} inputs")
    if not all(map(isinstance, chain(w, x, (b,)), repeat(Value))):
        w, x = [as_value(v, "w·x+b") for v in w], [as_value(v, "w·x+b") for v in x]
        b = as_value(b, "w·x+b")
    return linear_unchecked(w, x, b)


def linear_unchecked(w, x, b) -> Value:
    """linear() without its checks, for a caller that holds Values only and len(w) == len(x):
    nn's layers, which check each sample once, not once per neuron."""
    # The row's forward function written out (this is every neuron's gate): b + w_1 x_1 + ...
    return _node(LINEAR, sum(map(_mul, map(_data, w), map(_data, x)), b.data), (*w, *x, b))


def sum_of(values) -> Value:
    """The fused `Σ` gate, one node adding all of `values` (instead of n - 1 `+` gates)."""
    values = list(values)
    if not values:
        raise ValueError("Σ gate: sum_of() needs at least one value")
    return apply(SUM, *values)
