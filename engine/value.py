"""`Value`: one scalar node of a computation graph, built gate by gate from the table in gates.py.

A node holds its number (`data`), its gradient (`grad`), the nodes it was computed from
(`parents`, an ordered tuple: `a + a` has two parents) and its gate's row of `GATES` (`gate`). It
holds no closure and nothing else, so a graph has no reference cycles: drop the output and the
whole graph is freed at once. `backward()` (engine/backprop.py) reads `gate.local` to apply the
chain rule. Speed is not this file's job: `compile` (engine/codegen/) turns a graph into code.
"""

from __future__ import annotations

import numbers
import sys
from itertools import repeat
from operator import attrgetter

from . import grad_mode
from .gates import GATES, Gate, check_value_exponent_base

ADD, MUL, POW, MAX = GATES["add"], GATES["mul"], GATES["pow"], GATES["max"]
EXP, LOG, RECIP = GATES["exp"], GATES["log"], GATES["recip"]
RELU, TANH, SIGMOID = GATES["relu"], GATES["tanh"], GATES["sigmoid"]


class Value:
    """A scalar with a gradient: the output of a gate, or a leaf (an input, a weight).

    >>> a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    >>> c = a * b + a
    >>> c.backward()
    >>> a.grad, b.grad   # dc/da = b + 1, dc/db = a
    (-2.0, 2.0)
    """

    __slots__ = ("data", "grad", "parents", "gate", "label")

    def __init__(self, data, label: str = ""):
        self.data = _real(data, "Value")
        self.grad = 0.0
        self.parents: tuple[Value, ...] = ()
        self.gate: Gate | None = None
        self.label = label

    @property
    def op(self) -> str:
        """The gate's symbol, as micrograd's `_op` ('*', '1/x', ...); '' for a leaf."""
        return self.gate.symbol if self.gate is not None else ""

    @property
    def is_constant(self) -> bool:
        """True for a Constant: a plain number that takes part in the graph but never learns."""
        return False

    # --- the primitive gates: each builds one node through its row of the table ----------------

    def __add__(self, other):
        """The `+` gate: a + b. Local gradients: d/da = 1, d/db = 1."""
        if not isinstance(other, Value):
            other = _constant(other, "+")
        return _node(ADD, self.data + other.data, (self, other))

    def __mul__(self, other):
        """The `*` gate: a * b. Local gradients: d/da = b, d/db = a."""
        if not isinstance(other, Value):
            other = _constant(other, "*")
        return _node(MUL, self.data * other.data, (self, other))

    def __pow__(self, exponent):
        """The `**` gate: x ** n. Local gradients: d/dx = n x^(n-1), d/dn = x^n log x."""
        return apply(POW, self, exponent)

    def __rpow__(self, base):
        """c ** x: the `**` gate with a constant base."""
        return as_value(base, "**") ** self

    def exp(self):
        """The `exp` gate: e^x. Local gradient: d/dx = e^x, the gate's own output."""
        return _node(EXP, EXP.forward(self.data), (self,))

    def log(self):
        """The `log` gate: the natural logarithm, for x > 0. Local gradient: d/dx = 1/x."""
        return _node(LOG, LOG.forward(self.data), (self,))

    def reciprocal(self):
        """The `1/x` gate. Local gradient: d/dx = -1/x^2, minus the output squared."""
        return _node(RECIP, RECIP.forward(self.data), (self,))

    def relu(self):
        """The `relu` gate: max(0, x). Local gradient: 1 if x > 0 else 0 (0 at the kink)."""
        return _node(RELU, RELU.forward(self.data), (self,))

    def tanh(self):
        """The `tanh` gate. Local gradient: d/dx = 1 - tanh(x)^2, one minus the output squared."""
        return _node(TANH, TANH.forward(self.data), (self,))

    def sigmoid(self):
        """The fused `sigmoid` gate: 1 / (1 + e^-x). Local gradient: out * (1 - out)."""
        return _node(SIGMOID, SIGMOID.forward(self.data), (self,))

    def max(self, other):
        """The `max` gate. Local gradient: 1 to the larger input, 0 to the other; a tie 0.5 each."""
        return apply(MAX, self, other)

    # --- compositions of primitive gates, as the lecture builds them ---------------------------

    def __neg__(self):                 # the lecture's `*-1` gate
        return self * -1.0

    def __radd__(self, other):         # 1 + x: a `+1` gate
        return self + other

    def __rmul__(self, other):
        return self * other

    def __sub__(self, other):          # a - b = a + (b * -1); a - c is a `+(-c)` gate
        if isinstance(other, Value):
            return self + (-other)
        return self + -_real(other, "-")

    def __rsub__(self, other):         # c - a = (a * -1) + c
        return (-self) + other

    def __truediv__(self, other):      # a / b = a * (1/b); a / c is a `*(1/c)` gate
        if isinstance(other, Value):
            return self * other.reciprocal()
        c = _real(other, "/")
        if c == 0.0:
            raise ZeroDivisionError(f"/ gate: division of {self.data!r} by the constant {c!r}")
        return self * (1.0 / c)

    def __rtruediv__(self, other):     # 1 / b is the `1/x` gate itself; c / b = (1/b) * c
        c = _real(other, "/")
        return self.reciprocal() if c == 1.0 else self.reciprocal() * c

    # --- gradients -------------------------------------------------------------------------------

    def backward(self) -> None:
        """Backpropagate from this node: d(self)/d(node) into every node's `.grad`.

        Leaves (weights, inputs) accumulate: a second call adds the same again, until
        `zero_grad()`. Interior nodes are recomputed from scratch on every call. How it walks the
        graph, and why in that order: engine/backprop.py.
        """
        backward(self)

    def zero_grad(self) -> None:
        """Set the gradient of every node of this graph, leaves included, to 0."""
        for v in self.nodes():
            v.grad = 0.0

    def nodes(self) -> list[Value]:
        """Every node of the graph, in topological order: each after the nodes it is made from."""
        return topological_order(self)

    def draw(self, **options):
        """The graph as the lecture draws circuits, or style="blocks" for vector operations (see
        gategrad.engine.draw)."""
        from . import draw  # the one import of a layer in the core: lazy, here
        return draw(self, **options)

    # --- how a node shows itself, and what it refuses to be ------------------------------------

    def __repr__(self) -> str:
        op = f", op={self.op!r}" if self.gate is not None else ""
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data:.4g}, grad={self.grad:.4g}{op}{label})"

    def __format__(self, spec: str) -> str:  # f"{v:.2f}" formats the number
        return format(self.data, spec) if spec else repr(self)

    # A silent conversion to a plain number would cut the graph there without a word.
    def __float__(self, *args):
        raise TypeError(_NOT_A_NUMBER)

    __int__ = __index__ = __round__ = __trunc__ = __floor__ = __ceil__ = __complex__ = __float__


_NOT_A_NUMBER = ("a Value is a node of a graph, not a number: use v.data for its number, or a gate "
                 "method (v.exp(), v.log(), v.tanh(), ...) to keep computing in the graph")


class Constant(Value):
    """A plain number in an expression (`x * 3`): a leaf that never receives a gradient, like a
    PyTorch tensor without requires_grad. Its data cannot be changed, backward() passes it by,
    and its gradient reads 0 whatever is written to it: it stays what it was written as.

    >>> y = Value(2.0) * 3
    >>> y.parents[1]
    Constant(3.0)
    """

    __slots__ = ()
    parents, gate, grad, label = (), None, 0.0, ""  # the same for every constant: a diagram
                                                    # shows a constant by its number

    def __init__(self, data):
        _set_data(self, _real(data, "Constant"))

    @property
    def is_constant(self) -> bool:
        return True

    def __setattr__(self, name, value):
        if name == "grad":  # zero_grad() and the like reset every node: a constant's stays 0
            return
        raise AttributeError(f"Constant({self.data!r}) is read-only: a constant cannot change its "
                             f"{name}; make a Value to have a number that changes")

    def __reduce__(self):  # copy and pickle rebuild it through __init__ (its data is read-only)
        return (Constant, (self.data,))

    def __repr__(self) -> str:
        return f"Constant({self.data!r})"


_set_data = Value.data.__set__  # writes a constant's number directly, past its __setattr__


# --- building nodes ------------------------------------------------------------------------------

_new = object.__new__  # a node without __init__'s checks: its data is a gate's float


def _node(gate: Gate, data: float, parents: tuple) -> Value:
    """A new node made by `gate`; under no_grad() a plain leaf that remembers nothing, and while
    compile traces a function, a node of the tracer's class (engine/codegen/tracing.py)."""
    mode = grad_mode.state if grad_mode.threads_in_a_mode else None  # rarely: some thread is in one
    out = _new(mode.node_class or Value) if mode is not None else _new(Value)
    out.data, out.grad, out.label = data, 0.0, ""
    out.parents, out.gate = (parents, gate) if mode is None or mode.enabled else ((), None)
    return out


def apply(gate: Gate, *inputs) -> Value:
    """A node of any row of the table: `apply(GATES["tanh"], x)` is `x.tanh()`. Plain numbers
    become Constants."""
    if gate.arity is not None and len(inputs) != gate.arity:
        raise TypeError(f"{gate.name} gate takes {gate.arity} inputs, got {len(inputs)}")
    if not all(map(isinstance, inputs, repeat(Value))):
        inputs = tuple(as_value(x, gate.symbol) for x in inputs)
    if gate is POW and not inputs[1].is_constant:  # however the node is made, as compile checks
        check_value_exponent_base(inputs[0].data)
    return _node(gate, gate.forward(*map(_data, inputs)), inputs)


_data = attrgetter("data")


def as_value(x, where: str = "as_value") -> Value:
    """A Value as it is; a plain number as a Constant."""
    return x if isinstance(x, Value) else _constant(x, where)


def _constant(x, where: str) -> Constant:
    c = _new(Constant)
    _set_data(c, x if type(x) is float else _real(x, f"{where} gate"))
    return c


def _real(x, where: str) -> float:
    if type(x) is float:
        return x
    if isinstance(x, numbers.Real) and not isinstance(x, Value):
        try:
            return float(x)
        except OverflowError:
            raise OverflowError(f"{where}: {x!r} is too large for a float (at most about "
                                f"{_MAX_FLOAT:.3g})") from None
    raise TypeError(f"{where}: expected a real number (int, float or a numpy scalar), got "
                    f"{type(x).__name__}: {x!r}")


_MAX_FLOAT = sys.float_info.max


from .backprop import backward, topological_order  # noqa: E402  (backprop reads Value's gates)
