"""The gate table: every primitive gate of gategrad, one row each.

A row holds the gate's name, the symbol a diagram prints, how many inputs it takes, its forward
function on floats, and its local partial derivatives as a pure function of the output and the
inputs (`local(out, *inputs) -> one partial per input`). This is the lecture's table of local
gradients; `backward()` (engine/backprop.py) multiplies these partials by the upstream gradient
(the chain rule) and is the only place that does so.

Forward functions turn Python's bare math errors into errors that name the gate and the value.
NaN goes through every gate as NaN (relu(nan) and max(nan, 1) are nan, as in PyTorch): a gate
never turns a missing number into a real one.

The table is open: `defgate` (engine/check/defgate.py) adds rows for a user's own gates.
"""

from __future__ import annotations

import math
import operator
import pickle
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Gate:
    name: str          # key in GATES and Value.op
    symbol: str        # what a diagram prints in the gate's circle
    arity: int | None  # number of inputs; None for n-ary (fused) gates
    forward: Callable[..., float]
    local: Callable[..., tuple[float, ...]]
    rule: str          # the local gradient as the lecture writes it, for explain() and docs

    def __repr__(self) -> str:
        return f"Gate({self.name!r}, symbol={self.symbol!r})"

    # A row of the table is shared by every node made with it, never copied: a copied graph keeps
    # its nodes' rows, even a user gate's row that defgate has since replaced under its name.
    def __copy__(self) -> Gate:
        return self

    def __deepcopy__(self, memo) -> Gate:
        return self

    def __reduce__(self):
        # A row holds functions, which pickle cannot store: a pickled Value names its gate
        # instead, and unpickling looks the name up in the table of the loading process. A row
        # that is no longer the table's under its name would load as another gate: refuse it.
        if GATES.get(self.name) is not self:
            raise pickle.PicklingError(
                f"the {self.name!r} gate of this node was redefined (or removed) after the node "
                "was made; pickle stores a gate by its name, so it would load as the current row: "
                "run the forward pass again to make the graph with the current definition, or "
                "pickle the graph before redefining the gate")
        return (_gate_named, (self.name,))


def _gate_named(name: str) -> Gate:
    try:
        return GATES[name]
    except KeyError:
        raise ValueError(f"no gate named {name!r} in GATES: define it (defgate) before loading "
                         "a graph that uses it") from None


# --- forward functions that can fail: each names its gate and the offending value --------------

def _exp(x: float) -> float:
    try:
        return math.exp(x)
    except OverflowError:
        raise OverflowError(f"exp gate: exp({x!r}) overflows a float (inputs above about 709.78 "
                            "do)") from None


def _log(x: float) -> float:
    if x <= 0.0:
        raise ValueError(f"log gate: log is defined only for inputs > 0, got {x!r}")
    return math.log(x)


def _recip(x: float) -> float:
    if x == 0.0:
        raise ZeroDivisionError(f"1/x gate: reciprocal of {x!r}")
    return 1.0 / x


def _pow(x: float, n: float) -> float:
    if x < 0.0 and not float(n).is_integer():
        raise ValueError(f"pow gate: a negative base {x!r} with the fractional exponent {n!r} "
                         "has no real value")
    if x == 0.0 and n < 0.0:
        raise ZeroDivisionError(f"pow gate: 0.0 raised to the negative exponent {n!r}")
    try:
        return float(x ** n)
    except OverflowError:
        raise OverflowError(f"pow gate: {x!r} ** {n!r} overflows a float") from None


def check_value_exponent_base(x: float) -> None:
    """x ** n with n a Value (not a constant) needs x > 0: d/dn = x^n log x has no real value
    otherwise. The plain graph checks it when the node is built, compiled code on every call."""
    if not x > 0.0:
        raise ValueError(f"pow gate: a Value exponent needs a positive base, got base {x!r}")


def _pow_local(out: float, x: float, n: float) -> tuple[float, float]:
    # d/dx x**n = n x**(n-1); PyTorch's edge values: 0 where n == 0, +-inf at x == 0 when n < 1.
    if n == 0.0:
        dx = 0.0
    elif x == 0.0 and n < 1.0:
        dx = math.copysign(math.inf, n)
    else:
        try:
            dx = n * x ** (n - 1.0)
        except OverflowError:  # e.g. a tiny x to a negative power: the slope is +-inf
            odd = x < 0.0 and (n - 1.0) % 2.0 == 1.0
            dx = math.copysign(math.inf, -n if odd else n)
    # d/dn x**n = x**n log x; only defined for x > 0. At x == 0 PyTorch gives 0, and a negative
    # base only reaches here with a constant exponent, which receives no gradient.
    dn = out * math.log(x) if x > 0.0 else 0.0
    return dx, dn


def _sigmoid(x: float) -> float:
    # Two forms so that exp never overflows: for x < 0 use e^x / (1 + e^x).
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def _max(a: float, b: float) -> float:
    if a != a or b != b:  # NaN on either side is NaN, in either order (as PyTorch's maximum)
        return math.nan
    return a if a >= b else b


def _max_local(out: float, a: float, b: float) -> tuple[float, float]:
    if a > b:
        return 1.0, 0.0
    if b > a:
        return 0.0, 1.0
    if a == b:
        return 0.5, 0.5  # a tie splits the gradient, as PyTorch's maximum and HIPS autograd do
    return 1.0, 1.0      # a NaN: both inputs take the gradient, as in PyTorch


def _linear(*inputs: float) -> float:
    # inputs = w_1..w_n, x_1..x_n, b; summed starting from b, in the order micrograd's Neuron uses.
    n = len(inputs) // 2
    return sum(map(operator.mul, inputs[:n], inputs[n:2 * n]), inputs[-1])


def _linear_local(out: float, *inputs: float) -> tuple[float, ...]:
    n = len(inputs) // 2
    return (*inputs[n:2 * n], *inputs[:n], 1.0)  # d/dw_i = x_i, d/dx_i = w_i, d/db = 1


def _softmax_ce_parts(inputs: tuple) -> tuple[list[float], int, float, list[float], float]:
    # inputs = z_1..z_k, t: the logits, then the target class as a number
    *logits, target = inputs
    if not logits or not float(target).is_integer() or not 0 <= target < len(logits):
        raise ValueError(f"softmax_ce gate: the target class must be a whole number from 0 to "
                         f"{len(logits) - 1} for {len(logits)} logits, got {target!r}")
    top = max(logits)  # shifted out first, so that exp never overflows
    exps = [math.exp(z - top) for z in logits]
    return logits, int(target), top, exps, sum(exps)


def _softmax_ce(*inputs: float) -> float:
    """-log softmax(z)[t] = log sum_j exp(z_j - top) - (z_t - top)."""
    if any(x != x for x in inputs):  # NaN in, NaN out (max() would skip it by position)
        return math.nan
    logits, t, top, _, total = _softmax_ce_parts(inputs)
    return math.log(total) - (logits[t] - top)


def _softmax_ce_local(out: float, *inputs: float) -> tuple[float, ...]:
    if any(x != x for x in inputs):
        return (math.nan,) * (len(inputs) - 1) + (0.0,)
    _, t, _, exps, total = _softmax_ce_parts(inputs)
    partials = [e / total for e in exps]  # p_j = softmax(z)_j ...
    partials[t] -= 1.0                    # ... minus 1 at the target: p - y
    return (*partials, 0.0)               # the target class is a label: no gradient


def _sum_local(out: float, *inputs: float) -> tuple[float, ...]:
    return (1.0,) * len(inputs)


# --- the table ---------------------------------------------------------------------------------

GATES: dict[str, Gate] = {g.name: g for g in (
    #    name       symbol   arity  forward                         local(out, *inputs)                              rule
    Gate("add",     "+",     2,     lambda a, b: a + b,             lambda out, a, b: (1.0, 1.0),                    "d/da = 1, d/db = 1"),
    Gate("mul",     "*",     2,     lambda a, b: a * b,             lambda out, a, b: (b, a),                        "d/da = b, d/db = a"),
    Gate("pow",     "**",    2,     _pow,                           _pow_local,                                      "d/dx = n x^(n-1), d/dn = x^n log x"),
    Gate("exp",     "exp",   1,     _exp,                           lambda out, x: (out,),                           "d/dx = exp(x) = out"),
    Gate("log",     "log",   1,     _log,                           lambda out, x: (1.0 / x,),                       "d/dx = 1/x"),
    Gate("max",     "max",   2,     _max,                           _max_local,                                      "1 to the larger input, 0 to the other; a tie splits 0.5/0.5"),
    Gate("recip",   "1/x",   1,     _recip,                         lambda out, x: (-out * out,),                    "d/dx = -1/x^2 = -out^2"),
    Gate("relu",    "relu",  1,     lambda x: 0.0 if x <= 0.0 else x, lambda out, x: (0.0 if x <= 0.0 else 1.0,),    "d/dx = 1 if x > 0 else 0"),
    Gate("tanh",    "tanh",  1,     math.tanh,                      lambda out, x: (1.0 - out * out,),               "d/dx = 1 - tanh(x)^2 = 1 - out^2"),
    Gate("sigmoid", "sigmoid", 1,   _sigmoid,                       lambda out, x: (out * (1.0 - out),),             "d/dx = sigma(x)(1 - sigma(x)) = out(1 - out)"),
    # Fused n-ary gates: nn makes one `w·x+b` node per neuron instead of 2n `*` and `+` nodes.
    Gate("linear",  "w·x+b", None,  _linear,                        _linear_local,                                   "d/dw_i = x_i, d/dx_i = w_i, d/db = 1"),
    Gate("sum",     "Σ",     None,  lambda *xs: sum(xs),            _sum_local,                                      "d/dx_i = 1"),
    # The fused loss of multiclass training: inputs z_1..z_k (logits) and t (the target class).
    Gate("softmax_ce", "softmax CE", None, _softmax_ce,            _softmax_ce_local,                               "d/dz_j = softmax(z)_j - [j = t] = p - y"),
)}
