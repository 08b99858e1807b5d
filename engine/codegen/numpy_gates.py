"""The numpy side of `compile`: the gate table's forward functions and local gradients over whole
arrays of samples, refusing what the gates refuse, with the same messages and the sample's index.

numpy itself computes log(-1) as nan and 1/0 as inf with a warning; a gate of the table raises
instead. Each check here finds the first offending sample and lets the table's own forward
function word the error, so the plain graph, `fn(...)` and `fn.batch(...)` all say the same thing.
"""

from __future__ import annotations

import numpy as np

from ..gates import GATES, check_value_exponent_base
from .compiler import _in_sample

_EXP_MAX = 709.782712893384  # above this, exp overflows a float


def _refuse(gate: str, where, *arrays) -> None:
    """Raise the gate's own error for the first sample where `where` holds."""
    if not np.any(where):
        return
    k = int(np.argmax(np.broadcast_to(where, np.broadcast(*arrays).shape)))
    args = [float(np.broadcast_to(a, where.shape)[k]) if np.ndim(a) else float(a)
            for a in arrays]
    try:
        GATES[gate].forward(*args)
    except (ArithmeticError, ValueError) as error:
        raise _in_sample(error, k) from None


def exp(x):
    _refuse("exp", np.asarray(x) > _EXP_MAX, x)
    return np.exp(x)


def log(x):
    _refuse("log", np.asarray(x) <= 0.0, x)
    return np.log(x)


def recip(x):
    _refuse("recip", np.asarray(x) == 0.0, x)
    return 1.0 / x


def sigmoid(x):
    # The table's two stable forms, each where it is stable: exp never sees a large positive.
    e = np.exp(-np.abs(x))
    return np.where(np.asarray(x) >= 0.0, 1.0 / (1.0 + e), e / (1.0 + e))


def max_(a, b):
    return np.maximum(a, b)  # NaN on either side gives NaN, as the table's max


def max_local(out, a, b):
    a, b = np.asarray(a), np.asarray(b)
    tie = np.where(a == b, 0.5, 1.0)  # unordered (a NaN): both take the gradient, as the table
    return np.where(a > b, 1.0, np.where(b > a, 0.0, tie)), \
        np.where(b > a, 1.0, np.where(a > b, 0.0, tie))


def pow_(x, n):
    x, n = np.asarray(x, dtype=float), np.asarray(n, dtype=float)
    _refuse("pow", ((x < 0.0) & (n != np.floor(n))) | ((x == 0.0) & (n < 0.0)), x, n)
    out = np.power(x, n)
    _refuse("pow", np.isinf(out) & np.isfinite(x) & np.isfinite(n), x, n)
    return out


def pow_local(out, x, n):
    return _elementwise(GATES["pow"].local, out, x, n)


def _elementwise(function, *arrays):
    """A float function of the table applied sample by sample; its results as arrays."""
    shape = np.broadcast(*arrays).shape
    columns = [np.broadcast_to(np.asarray(a, dtype=float), shape).ravel() for a in arrays]
    rows = []
    for k, values in enumerate(zip(*columns)):
        try:
            rows.append(function(*map(float, values)))
        except (ArithmeticError, ValueError) as error:
            raise _in_sample(error, k) from None
    if not rows:
        return np.zeros(shape)
    if isinstance(rows[0], tuple):
        return tuple(np.array(column, dtype=float).reshape(shape) for column in zip(*rows))
    return np.array(rows, dtype=float).reshape(shape)


class _Vectorized:
    """A row without a template (a user's own gate), run sample by sample over arrays."""

    def __init__(self, gate):
        self.gate = gate

    def forward(self, *arrays):
        return _elementwise(self.gate.forward, *arrays)

    def local(self, out, *arrays):
        return _elementwise(self.gate.local, out, *arrays)


def columns(samples: int, *values):
    """Values (arrays of the batch, or numbers the same for every sample) side by side: a
    (samples, len(values)) matrix."""
    return np.column_stack([np.broadcast_to(v, (samples,)) for v in values])


def total(samples: int, gradient):
    """A broadcast input's gradient over the batch: the sum of its per-sample gradients (a
    number that is the same for every sample counts once per sample)."""
    return float(np.sum(gradient)) if np.ndim(gradient) else float(gradient) * samples


def pow_value_exponent(x, n):
    """x ** n with n a Value: the base must be positive, as the plain graph checks."""
    x = np.asarray(x, dtype=float)
    bad = ~(x > 0.0)
    if np.any(bad):
        k = int(np.argmax(np.broadcast_to(bad, np.broadcast(x, n).shape)))
        try:
            check_value_exponent_base(float(np.broadcast_to(x, bad.shape).flat[k]) if x.ndim
                                      else float(x))
        except ValueError as error:
            raise _in_sample(error, k) from None
    return pow_(x, n)


def chain(local, g):
    """local * g with the plain graph's zero rules: 0 where either is 0 (0 * inf adds nothing)."""
    return np.where((np.asarray(local) == 0.0) | (np.asarray(g) == 0.0), 0.0, local * g)


def namespace(rows: dict) -> dict:
    """What the generated numpy code reads: these functions, and each row without a template
    (a user's gate), run sample by sample, under the variable name the code gives it."""
    names = {"exp": exp, "log": log, "recip": recip, "tanh": np.tanh, "sigmoid": sigmoid,
             "max_": max_, "pow_": pow_, "max_local": max_local, "pow_local": pow_local,
             "pow_value_exponent": pow_value_exponent, "chain": chain,
             "where": np.where, "np": np, "columns": columns, "total": total}
    names.update((variable, _Vectorized(gate)) for variable, gate in rows.items())
    return names
