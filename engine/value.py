"""`Value`: a scalar node of a computation graph; its `backward()` is in engine/backprop.py.

Design choices, each made for a reason:
- A node stores its parents as an ordered tuple and its gate as a row of `GATES`, never a closure,
  so a graph has no reference cycles: dropping the output frees it at once by reference counting.
- Every node gets a serial number when it is created. Parents always exist before their children,
  so that number orders a graph topologically: `backward()` needs no recursion.
- A plain number operand becomes a `Constant`, a leaf that receives no gradient. Constants of
  common values are cached and shared, which is safe precisely because they never hold a gradient.
"""

from __future__ import annotations

import numbers
from contextlib import contextmanager
from itertools import count, repeat
from operator import attrgetter
from operator import mul as _mul

from .gates import GATES, Gate

ADD, MUL, POW, EXP, LOG = GATES["add"], GATES["mul"], GATES["pow"], GATES["exp"], GATES["log"]
RECIP, RELU, TANH, SIGMOID = GATES["recip"], GATES["relu"], GATES["tanh"], GATES["sigmoid"]
LINEAR, SUM = GATES["linear"], GATES["sum"]

_serial = count()        # creation order; see the module docstring
_grad_enabled = True     # False inside `no_grad()`


class Value:
    """A scalar with a gradient, the output of a gate (or a leaf when it has no parents).

    >>> a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    >>> c = a * b + a
    >>> c.backward()
    >>> a.grad, b.grad   # dc/da = b + 1, dc/db = a
    (-2.0, 2.0)
    """

    __slots__ = ("data", "grad", "parents", "gate", "_label", "_serial")

    def __init__(self, data, label: str = ""):
        self.data = _to_float(data, "Value")
        self.grad = 0.0
        self.parents: tuple[Value, ...] = ()
        self.gate: Gate | None = None
        self._label = label
        self._serial = next(_serial)

    # --- what the node is ----------------------------------------------------------------------

    @property
    def op(self) -> str:
        """The gate's symbol as micrograd's `_op` has it ('*', '1/x', ...); '' for a leaf.

        The gate's row in the table is `self.gate`, its key `self.gate.name`."""
        return self.gate.symbol if self.gate is not None else ""

    @property
    def is_constant(self) -> bool:
        return False

    # A node made by a gate has no label until someone gives it one: not storing "" saves a
    # write per gate on the hottest path there is.
    @property
    def label(self) -> str:
        """The node's name in diagrams and tables ('' when it has none)."""
        try:
            return self._label
        except AttributeError:
            return ""

    @label.setter
    def label(self, name: str) -> None:
        self._label = name

    def __repr__(self) -> str:
        op = f", op={self.op!r}" if self.gate is not None else ""
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data:.4f}, grad={self.grad:.4f}{op}{label})"

    # --- primitive gates ---------------------------------------------------------------------

    # `+` and `*` build their node inline (no helper call): they are most of every graph.
    def __add__(self, other):
        if other.__class__ is not Value:
            other = (other.__class__ is float and _constants.get(other)) or _operand(other, "+")
        v = _new(Value)
        v.data = self.data + other.data
        v.grad = 0.0
        v._serial = next(_serial)
        if _grad_enabled:
            v.parents = (self, other)
            v.gate = ADD
        else:
            v.parents = ()
            v.gate = None
        return v

    def __mul__(self, other):
        if other.__class__ is not Value:
            other = (other.__class__ is float and _constants.get(other)) or _operand(other, "*")
        v = _new(Value)
        v.data = self.data * other.data
        v.grad = 0.0
        v._serial = next(_serial)
        if _grad_enabled:
            v.parents = (self, other)
            v.gate = MUL
        else:
            v.parents = ()
            v.gate = None
        return v

    def __pow__(self, exponent):
        if isinstance(exponent, Value) and not exponent.is_constant and not self.data > 0.0:
            raise ValueError(f"pow gate: a Value exponent needs a positive base, got base "
                             f"{self.data!r}")
        exponent = _operand(exponent, "**")
        return apply(POW, self, exponent)

    def __rpow__(self, base):
        return _operand(base, "**") ** self

    def exp(self):
        return _unary(self, EXP)

    def log(self):
        return _unary(self, LOG)

    def reciprocal(self):
        return _unary(self, RECIP)

    def relu(self):
        return _unary(self, RELU)

    def tanh(self):
        return _unary(self, TANH)

    def sigmoid(self):
        return _unary(self, SIGMOID)

    def max(self, other):
        return apply(GATES["max"], self, _operand(other, "max"))

    # --- compositions of primitives, as the lecture builds them --------------------------------

    def __neg__(self):                 # the lecture's `*-1` gate
        return self * _constant(-1.0)

    def __radd__(self, other):         # 1 + x: a `+1` gate
        return self + other

    def __rmul__(self, other):
        return self * other

    def __sub__(self, other):          # a - b = a + (b * -1); a - c folds to a `+(-c)` gate
        if isinstance(other, Value):
            return self + (-other)
        return self + _constant(-_to_float(other, "-"))

    def __rsub__(self, other):         # c - a = (a * -1) + c
        return (-self) + other

    def __truediv__(self, other):      # a / b = a * (1/b); a / c folds to a `*(1/c)` gate
        if isinstance(other, Value):
            return self * other.reciprocal()
        c = _to_float(other, "/")
        if c == 0.0:
            raise ZeroDivisionError(f"/ gate: division of {self.data!r} by the constant {c!r}")
        return self * _constant(1.0 / c)

    def __rtruediv__(self, other):     # 1 / b is the `1/x` gate itself; c / b = (1/b) * c
        c = _to_float(other, "/")
        return self.reciprocal() if c == 1.0 else self.reciprocal() * c

    # --- the backward pass (the chain rule itself is in engine/backprop.py) ---------------------

    def backward(self) -> None:
        """Backpropagate from this node: d(self)/d(node) for every node of its graph.

        Leaves (parameters, inputs) *accumulate*: a second call adds the same amount again, until
        `zero_grad()`. Interior nodes are recomputed from scratch on every call. A node whose
        upstream gradient is exactly 0 passes on no products, only zeros. How: engine/backprop.py.
        """
        _backprop(self)

    def zero_grad(self) -> None:
        """Set the gradient of every node of this graph, leaves included, to 0."""
        for v in _all_nodes(self):
            v.grad = 0.0

    # --- helpers for users and the drawing/explain modules -------------------------------------

    def nodes(self) -> list[Value]:
        """Every node of the graph, in topological order (inputs first)."""
        return sorted(_all_nodes(self), key=_by_serial)

    def draw(self, **options):
        from .drawing import draw
        return draw(self, **options)


class Constant(Value):
    """A leaf that holds a plain number: it takes part in the forward pass, never in learning.

    Its gradient is always 0 and writes to it are dropped, like a PyTorch tensor without
    requires_grad; so one constant can be shared by many gates without collecting stale gradients.
    """

    __slots__ = ()

    grad = property(lambda self: 0.0, lambda self, _: None)

    @property
    def is_constant(self) -> bool:
        return True

    def __repr__(self) -> str:
        return f"Constant({self.data!r})"


class Parameter(Value):
    """A leaf that learns (a weight, a bias): a Value whose writes to `.data` are counted.

    `nn` makes its weights and biases Parameters. A layer reads its weights' numbers once and
    reuses them for every sample until some Parameter's data is written (`parameter_version()`
    changes), which is what makes a forward pass over a data set cheap.
    """

    __slots__ = ("_data",)

    @property
    def data(self) -> float:
        return self._data

    @data.setter
    def data(self, value: float) -> None:
        global _parameter_writes
        _parameter_writes += 1
        self._data = value


_parameter_writes = 0


def parameter_version() -> int:
    """A number that changes whenever the data of any Parameter is written."""
    return _parameter_writes


# --- building nodes ----------------------------------------------------------------------------

_new = object.__new__


def _node(data: float, parents: tuple, gate: Gate) -> Value:
    v = _new(Value)
    v.data = data
    v.grad = 0.0
    v._serial = next(_serial)
    if _grad_enabled:
        v.parents = parents
        v.gate = gate
    else:
        v.parents = ()
        v.gate = None
    return v


def _unary(x: Value, gate: Gate) -> Value:
    v = _new(Value)  # _node() written out: this runs once per activation of every neuron
    v.data = gate.forward(x.data)
    v.grad = 0.0
    v._serial = next(_serial)
    if _grad_enabled:
        v.parents = (x,)
        v.gate = gate
    else:
        v.parents = ()
        v.gate = None
    return v


def apply(gate: Gate, *inputs: Value) -> Value:
    """Run `gate` on Values (and plain numbers, which become constants) and record the node."""
    if gate.arity is not None and len(inputs) != gate.arity:
        raise TypeError(f"{gate.name} gate takes {gate.arity} inputs, got {len(inputs)}")
    inputs = tuple(x if isinstance(x, Value) else _operand(x, gate.symbol) for x in inputs)
    return _node(gate.forward(*[x.data for x in inputs]), inputs, gate)


def linear(w, x, b=0.0) -> Value:
    """One fused `w·x+b` gate: sum_i w_i x_i + b, a neuron's pre-activation, as a single node."""
    if len(w) != len(x):
        raise ValueError(f"linear gate: {len(w)} weights but {len(x)} inputs")
    inputs = tuple(v if isinstance(v, Value) else _operand(v, "w·x+b") for v in (*w, *x, b))
    return _node(LINEAR.forward(*[v.data for v in inputs]), inputs, LINEAR)


class DenseLayer:
    """What one dense() call records for backward(): weight rows, biases and inputs (by reference),
    the numbers the forward pass read and made, and the gradients of its units and activations.

    It is not a node of the graph: its `Unit` and `Activated` nodes are, one per neuron, each
    reading its parents, data and grad from here. backward() meets it as one block and runs the
    chain rule of the whole layer at once (_backprop_dense), the way hand-written code of a layer
    does, instead of one Python loop per weight.
    """

    __slots__ = ("weights", "biases", "inputs", "input_data", "weight_data", "pre", "post",
                 "activation", "unit_grads", "act_grads", "source", "source_units", "mark",
                 "_serial")

    def output_nodes(self) -> list[Value]:
        """This layer's outputs as new nodes, for one consumer that is not a dense() layer."""
        return _output_nodes(self)

    def input_nodes(self) -> tuple[Value, ...]:
        """The layer's inputs as nodes. When it was fed another record (dense(..., nodes=False)),
        that record's outputs are made here, the first time someone asks (drawing, explain)."""
        if self.inputs is None:
            self.inputs = tuple(_output_nodes(self.source))
        return self.inputs


class Unit(Value):
    """The `w·x+b` node of one neuron of a dense() layer: the same node `linear()` makes, with the
    same parents; its gradient lives in its layer's record."""

    __slots__ = ("layer", "index")

    gate = LINEAR

    @property
    def parents(self) -> tuple[Value, ...]:
        layer, j = self.layer, self.index
        return (*layer.weights[j], *layer.input_nodes(), layer.biases[j])

    @property
    def grad(self) -> float:
        grads = self.layer.unit_grads
        return 0.0 if grads is None else grads[self.index]

    @grad.setter
    def grad(self, value: float) -> None:
        layer = self.layer
        if layer.unit_grads is None:
            layer.unit_grads = [0.0] * len(layer.pre)
        layer.unit_grads[self.index] = value


class Activated(Value):
    """The activation node (relu, tanh, sigmoid) of one neuron of a dense() layer. Its parent is
    the neuron's `Unit`, made the first time someone asks for it (backward() never does); its
    gradient lives in the layer's record."""

    __slots__ = ("layer", "index", "_unit")

    @property
    def gate(self) -> Gate:
        return self.layer.activation

    @property
    def parents(self) -> tuple[Value, ...]:
        try:
            unit = self._unit
        except AttributeError:  # the first time: make it
            layer, j = self.layer, self.index
            unit = self._unit = _new(Unit)
            unit.data = layer.pre[j]
            # Any number between the serials of the layer's inputs and this node keeps the
            # topological order; this one sits just before this node.
            unit._serial = self._serial - 0.5 / (len(layer.pre) + 1)
            unit.layer = layer
            unit.index = j
        return (unit,)

    @property
    def grad(self) -> float:
        grads = self.layer.act_grads
        return 0.0 if grads is None else grads[self.index]

    @grad.setter
    def grad(self, value: float) -> None:
        layer = self.layer
        if layer.act_grads is None:
            layer.act_grads = [0.0] * len(layer.pre)
        layer.act_grads[self.index] = value


def dense(weights, x, biases, activation: Gate | None = None, weight_data=None,
          bias_data=None, nodes: bool = True):
    """A layer of `w·x+b` gates, one per row of `weights`, all reading the same inputs `x`, each
    followed by the one-input gate `activation` (GATES["relu"], ...) when it is given.

    Gives the same nodes as `[linear(w, x, b) for w, b in zip(weights, biases)]` (each a `Unit`,
    with an `Activated` node after it), and the same numbers, faster: this is the hot loop of
    training. The lists of weight rows and biases, and the rows, are kept by reference until
    backward: change them after backward, not between forward and backward. `weight_data` and
    `bias_data`, when given, are the numbers of the weights (row by row) and biases, read earlier
    by the caller (nn.Layer keeps them while no Parameter changes).

    With nodes=False it returns the layer's record (a DenseLayer) instead of its output nodes; `x`
    may be such a record, whose outputs then feed this layer without being made as separate
    objects until someone walks the graph (nn.MLP chains its layers this way). Feed a record to
    one layer only: each consumer would make its own copies of the record's output nodes.
    """
    if x.__class__ is DenseLayer:
        source, x, xdata = x, None, x.post
    else:
        x = tuple(x)
        source = _source_layer(x)
        if source is None:
            x = tuple(v if isinstance(v, Value) else _operand(v, "w·x+b") for v in x)
        xdata = [v.data for v in x]
    # Lists are kept as given (nn.Layer passes the same ones for every sample); see the docstring.
    if biases.__class__ is not list or not all(map(isinstance, biases, repeat(Value))):
        biases = [b if isinstance(b, Value) else _operand(b, "w·x+b") for b in biases]
    if weights.__class__ is not list:
        weights = list(weights)
    if len(weights) != len(biases):
        raise ValueError(f"linear gate: {len(weights)} weight rows but {len(biases)} biases")
    n = len(xdata)
    if list(map(len, weights)).count(n) != len(weights):
        w = next(w for w in weights if len(w) != n)
        raise ValueError(f"linear gate: {len(w)} weights but {n} inputs")
    if activation is not None and activation.arity != 1:
        raise ValueError(f"dense: the activation must be a one-input gate, got {activation!r}")
    if weight_data is None:
        weight_data = [[p.data for p in w] for w in weights]
    if bias_data is None:
        bias_data = [b.data for b in biases]
    pre = [sum(map(_mul, row, xdata), b) for row, b in zip(weight_data, bias_data)]
    if activation is None:
        post = pre
    elif activation is RELU:
        post = [z if z > 0.0 else 0.0 for z in pre]
    else:
        post = list(map(activation.forward, pre))
    if not _grad_enabled:
        return [Value(a) for a in post]  # a record would hold nothing worth keeping

    layer = DenseLayer()
    layer.weights, layer.biases, layer.inputs = weights, biases, x
    layer.input_data, layer.weight_data, layer.pre, layer.post = xdata, weight_data, pre, post
    layer.activation = activation
    layer.unit_grads = layer.act_grads = None  # all 0 until backward() reaches the layer
    layer.mark = None
    # When the inputs are exactly the outputs of one earlier layer, backward() adds to that
    # layer's record's gradients in one go.
    layer.source = source
    layer.source_units = source is not None and (source.activation is None if x is None
                                                 else x[0].__class__ is Unit)
    if not nodes:
        layer._serial = next(_serial)
        return layer
    out = []
    if activation is None:
        for j, z in enumerate(pre):
            u = _new(Unit)
            u.data = z
            u._serial = next(_serial)
            u.layer = layer
            u.index = j
            out.append(u)
    else:
        for j, a in enumerate(post):
            v = _new(Activated)
            v.data = a
            v._serial = next(_serial)
            v.layer = layer
            v.index = j
            out.append(v)
    layer._serial = next(_serial)  # after its nodes, before any node that uses them
    return out


def _output_nodes(layer: DenseLayer) -> list[Value]:
    """The output nodes of a record made with nodes=False, made now. Their serials fall between
    those of the layer's inputs and the record's own, where they would have been made."""
    activation, n = layer.activation, len(layer.pre)
    base = layer._serial - 1
    out = []
    for j, a in enumerate(layer.post):
        v = _new(Unit if activation is None else Activated)
        v.data = a
        v._serial = base + (j + 1) / (n + 1)
        v.layer = layer
        v.index = j
        out.append(v)
    return out


def _source_layer(x: tuple) -> DenseLayer | None:
    """The record whose outputs (all Activated, or all Unit nodes) `x` is, in order, if any."""
    first = x[0] if x else None
    kind = first.__class__
    if kind is not Activated and kind is not Unit:
        return None
    layer = first.layer
    if len(x) != len(layer.pre):
        return None
    for j, v in enumerate(x):
        if v.__class__ is not kind or v.layer is not layer or v.index != j:
            return None
    return layer


def sum_of(values) -> Value:
    """One fused `Σ` gate adding all of `values` (one node instead of n-1 `+` gates)."""
    inputs = tuple(v if isinstance(v, Value) else _operand(v, "Σ") for v in values)
    if not inputs:
        raise ValueError("Σ gate: sum_of() needs at least one value")
    return _node(SUM.forward(*[v.data for v in inputs]), inputs, SUM)


@contextmanager
def no_grad():
    """Inside this block gates record no graph: results are plain leaves (fast inference)."""
    global _grad_enabled
    previous, _grad_enabled = _grad_enabled, False
    try:
        yield
    finally:
        _grad_enabled = previous


# --- numbers and constants ---------------------------------------------------------------------

def _to_float(x, where: str) -> float:
    if type(x) is float:
        return x
    if isinstance(x, numbers.Real) and not isinstance(x, Value):
        return float(x)
    raise TypeError(f"{where}: expected a real number (int, float or a numpy scalar), got "
                    f"{type(x).__name__}: {x!r}")


_constants: dict[float, Constant] = {}
_CONSTANT_CACHE_SIZE = 4096


def _constant(x: float) -> Constant:
    c = _constants.get(x)
    if c is None:
        c = _new(Constant)
        c.data = x
        c.parents = ()
        c.gate = None
        c._serial = next(_serial)
        # Zero is not cached because 0.0 == -0.0 would hand back the wrong sign; NaN never
        # compares equal, so caching it would only grow the cache.
        if x != 0.0 and x == x and len(_constants) < _CONSTANT_CACHE_SIZE:
            _constants[x] = c
    return c


def as_value(x) -> Value:
    """A Value as it is; a plain number as a (cached) Constant, e.g. a data point's features."""
    return _operand(x, "as_value")


def _operand(x, gate_symbol: str) -> Value:
    if type(x) is float:  # the common case first: this runs for every `y * 1.0001`
        return _constant(x)
    if type(x) is int:
        return _constant(float(x))
    if isinstance(x, Value):
        return x
    return _constant(_to_float(x, f"{gate_symbol} gate"))


# --- graph traversal, iterative -----------------------------------------------------------------

_by_serial = attrgetter("_serial")


def _all_nodes(root: Value) -> list[Value]:
    seen = {root}
    stack = [root]
    while stack:
        for p in stack.pop().parents:
            if p not in seen:
                seen.add(p)
                stack.append(p)
    return list(seen)


from .backprop import backward as _backprop  # noqa: E402  (backprop.py builds on this module)
