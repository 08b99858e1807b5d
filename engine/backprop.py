"""backward(): the chain rule, the one place that multiplies an upstream gradient by a gate's
local gradients and adds the product to the gate's inputs.

A node may pass its gradient on once every node that consumes it has passed on its own. The
classic way to know when that is, micrograd's, first sorts the whole graph topologically and then
walks the sorted list. That search costs as much again as the chain rule itself. This walk needs
no search for the commonest case, a node with exactly one consumer:

- CPython counts the references to every object. A node whose only reference is the parents
  tuple of the consumer we came from has that one consumer, which has just passed its gradient
  on, so the node's gradient is complete: it goes on at once (depth first, no recursion). NumPy
  trusts the same count to reuse temporary arrays. Any other reference (a user's variable, a
  second consumer, a list) only makes the test fail, which is always safe.
- Every other node waits in a heap ordered by creation serial. Serials are topological (a node is
  made after its inputs), so when no node is ready the waiting node with the highest serial has
  heard from all its consumers: a consumer not yet done would be a waiting entry, or an input of
  one, and either way some waiting entry would have a higher serial still.
- A dense() layer's record waits in the same heap, under a serial after its nodes and before any
  node that uses them, and passes its gradients on as one block (_backprop_dense).

Interior gradients are recomputed from scratch: the first contribution of a call replaces what an
earlier call left. Leaves (parameters, inputs) accumulate until zero_grad(), as in PyTorch.
"""

from __future__ import annotations

import sys
from heapq import heappop, heappush
from itertools import chain
from operator import add as _add
from operator import mul as _mul

from .value import ADD, MUL, RELU, SUM, Activated, Constant, DenseLayer, Unit, Value


def _no_count(obj) -> int:
    return -1


_refcount = getattr(sys, "getrefcount", _no_count)


def _refcount_of_a_sole_input() -> int:
    """What `_refcount(a)` says inside backward() of a node `a` whose only reference is one
    consumer's parents tuple: the tuple, the local name `a` and the call's argument, as far as
    this interpreter counts them. Measured in the very shape backward() tests it in."""
    parents = (object(), None)
    a, b = parents
    return _refcount(a)


# None (never equal to a count) switches the test off: every node then waits in the heap. So it is
# outside CPython, and after a failed _self_check().
_SOLE = _refcount_of_a_sole_input() if _refcount is not _no_count else None


def backward(root: Value) -> None:
    """d(root)/d(node) for every node of root's graph, written to each node's .grad."""
    if root.gate is None:  # a leaf: d(root)/d(root) = 1, accumulated like any leaf gradient
        root.grad += 1.0
        return
    walk = _Walk()
    walk.deliver(root, 1.0)
    ready, waiting, arrived = walk.ready, walk.waiting, walk.arrived
    sole, refcount = _SOLE, _refcount
    v = None
    while True:
        if v is None:  # the next node whose gradient is complete
            if ready:
                v = ready.pop()
            elif waiting:
                v = heappop(waiting)[1]
                if v.__class__ is DenseLayer:
                    _backprop_dense(v, walk)
                    v = None
                    continue
            else:
                break
        g = v.grad
        gate = v.gate
        follow = None  # the next node: a parent whose gradient this node has just completed
        # `+`, `*` and relu are written out because they are most of every graph (each is checked
        # against its row of GATES in tests/test_gates.py). For each parent: a Constant takes
        # nothing; a leaf, or a node already waiting, adds it up; a node with this one consumer
        # is complete; any other node starts waiting (deliver). `or 0.0` keeps a product of 0
        # from showing as -0.0.
        if gate is MUL and g:  # (g == 0 goes below: nothing to multiply)
            a, b = v.parents
            kind = a.__class__
            if kind is not Constant:
                d = b.data * g
                if a.gate is None:
                    a.grad += d
                elif kind is Value and refcount(a) == sole:
                    a.grad = d or 0.0
                    follow = a
                elif a in arrived:
                    a.grad += d
                else:
                    walk.deliver(a, d)
            kind = b.__class__
            if kind is not Constant:
                d = a.data * g
                if b.gate is None:
                    b.grad += d
                elif kind is Value and refcount(b) == sole:
                    b.grad = d or 0.0
                    if follow is None:
                        follow = b
                    else:
                        ready.append(b)
                elif b in arrived:
                    b.grad += d
                else:
                    walk.deliver(b, d)
        elif gate is ADD or not g or gate is SUM:  # every input gets g; a zero passes on zeros
            for a in v.parents:
                kind = a.__class__
                if kind is not Constant:
                    if a.gate is None:
                        a.grad += g
                    elif kind is Value and refcount(a) == sole:
                        a.grad = g
                        if follow is None:
                            follow = a
                        else:
                            ready.append(a)
                    elif a in arrived:
                        a.grad += g
                    else:
                        walk.deliver(a, g)
        elif gate is RELU:
            (a,) = v.parents
            d = g if a.data > 0.0 else 0.0
            if a.gate is None:
                a.grad += d
            elif a.__class__ is Value and refcount(a) == sole:
                a.grad = d
                follow = a
            elif a in arrived:
                a.grad += d
            else:
                walk.deliver(a, d)
        else:  # every other gate: its partials from the table
            parents = v.parents
            partials = gate.local(v.data, *[p.data for p in parents])
            for p, d in zip(parents, partials):
                if p.gate is None:
                    p.grad += d * g  # a leaf (a Constant drops the write)
                else:
                    walk.deliver(p, d * g)
        v = follow
    walk.finish()


class _Walk:
    """One backward() call's bookkeeping: the nodes whose gradient is complete, the nodes and
    layer records that may still hear from a consumer, and what the layers leave to sum."""

    __slots__ = ("ready", "waiting", "arrived", "mark", "layer_sums", "weight_columns")

    def __init__(self):
        self.ready = []        # nodes whose gradient is complete, a stack
        self.waiting = []      # a heap of (-serial, node or DenseLayer)
        self.arrived = set()   # the plain nodes in `waiting`
        self.mark = object()   # the records this call has reset carry it
        self.layer_sums = {}   # a layer's weights (see _backprop_dense) -> what finish() sums
        self.weight_columns = {}  # id(weight_data) -> (weight_data, its columns)

    def deliver(self, p: Value, d: float) -> None:
        """Add the contribution d to p's gradient, when p may have other consumers."""
        kind = p.__class__
        if kind is Constant:
            return
        if p.gate is None:
            p.grad += d
        elif kind is Unit or kind is Activated:
            self.enter(p.layer)
            p.grad += d
        elif p in self.arrived:
            p.grad += d
        else:  # its first contribution in this call: it replaces the last call's gradient
            self.arrived.add(p)
            p.grad = 0.0 + d
            heappush(self.waiting, (-p._serial, p))

    def enter(self, layer: DenseLayer) -> None:
        """Reset a record's gradients the first time this call reaches it, and let it wait."""
        if layer.mark is not self.mark:
            layer.mark = self.mark
            n = len(layer.pre)
            layer.unit_grads = [0.0] * n
            if layer.activation is not None:
                layer.act_grads = [0.0] * n
            heappush(self.waiting, (-layer._serial, layer))

    def columns(self, weight_data: list) -> list:
        """The columns of a layer's weight numbers (one per input), made once per call: records
        of the same layer share their weight_data list."""
        columns = self.weight_columns.get(id(weight_data))
        if columns is None:
            columns = self.weight_columns[id(weight_data)] = (weight_data, list(zip(*weight_data)))
        return columns[1]

    def finish(self) -> None:
        """Add the weight and bias gradients of leaf layers: for each weight row j, summed over
        every record of it, d/dw_ji = sum_s g_sj x_si and d/db_j = sum_s g_sj. Deferring them is
        exact because a leaf's gradient is read by no gate."""
        for weights, biases, grads, xdata in filter(None, self.layer_sums.values()):
            xcolumns = list(zip(*xdata))  # per input, its value in each record
            for row, bias, gcolumn in zip(weights, biases, zip(*grads)):
                if gcolumn.count(0.0) == len(gcolumn):
                    continue  # a neuron that was never active adds nothing
                bias.grad += sum(gcolumn)
                for w, xcolumn in zip(row, xcolumns):
                    w.grad += sum(map(_mul, gcolumn, xcolumn))


def _backprop_dense(layer: DenseLayer, walk: _Walk) -> None:
    """The chain rule of a dense() layer, as one block: through the activation, then
    d/dx_i = sum_j w_ji g_j for the inputs now, and d/dw_ji = x_i g_j, d/db_j = g_j later.

    Layers whose weights and biases are all leaves (nn's always are) only leave their gradients
    and inputs in walk.layer_sums: finish() sums them over every record of the same weights at
    once. Interior weights and biases get theirs now, like any node's inputs.
    """
    grads = layer.unit_grads
    activation = layer.activation
    if activation is RELU:
        through = [g if z > 0.0 else 0.0 for g, z in zip(layer.act_grads, layer.pre)]
    elif activation is not None:
        local = activation.local
        through = [g * local(a, z)[0] if g else 0.0
                   for g, a, z in zip(layer.act_grads, layer.post, layer.pre)]
    if activation is not None:  # the units' gradients are complete now: keep them for readers
        grads = layer.unit_grads = (through if grads.count(0.0) == len(grads)
                                    else list(map(_add, grads, through)))
    xdata, weights, biases = layer.input_data, layer.weights, layer.biases
    # Records of one nn.Layer share its weight numbers (weight_data): that finds their sums
    # without hashing hundreds of ids. Other weights with the same numbers get a key of their own.
    key = id(layer.weight_data)
    sums = walk.layer_sums.get(key)
    if sums and (sums[0] != weights or sums[1] != biases):
        key = tuple(map(id, chain(weights, biases)))
        sums = walk.layer_sums.get(key)
    if sums is None:
        leaves = (all(w.gate is None for row in weights for w in row)
                  and all(b.gate is None for b in biases))
        sums = walk.layer_sums[key] = (weights, biases, [], []) if leaves else False
    if sums:
        sums[2].append(grads)
        sums[3].append(xdata)
    else:
        for row, bias, g in zip(weights, biases, grads):
            walk.deliver(bias, g)
            for w, xi in zip(row, xdata):
                walk.deliver(w, xi * g)
    if grads.count(0.0) == len(grads):  # an inactive layer (a dead relu, most often)
        gx = [0.0] * len(xdata)
    else:
        gx = [sum(map(_mul, grads, column)) for column in walk.columns(layer.weight_data)]
    source = layer.source
    if source is None:
        for xi, d in zip(layer.inputs, gx):
            if xi.__class__ is not Constant:
                walk.deliver(xi, d)
        return
    walk.enter(source)
    if layer.source_units:  # added to what the source's nodes have so far (0 + x is x)
        before = source.unit_grads
        source.unit_grads = gx if before.count(0.0) == len(before) else list(map(_add, before, gx))
    else:
        before = source.act_grads
        source.act_grads = gx if before.count(0.0) == len(before) else list(map(_add, before, gx))


def _self_check() -> None:
    """The sole-consumer test must never take a shared node for a sole one. Check each shape
    backward() tests it in (`+`'s loop, `*`'s pair, relu's one input) on a node h = 6 with two
    consumers; on an interpreter that counts references differently, switch the test off."""
    global _SOLE
    cases = ((lambda h: (h + 1.0) * (h + 5.0), 18.0),  # d/dh = (h + 5) + (h + 1)
             (lambda h: (h * 2.0) * (h * 3.0), 72.0),  # 6h^2: 12h
             (lambda h: h.relu() * h.relu(), 12.0))    # h^2: 2h
    for make, expected in cases:
        h = Value(3.0) * 2.0
        y = make(h)
        del h  # now only its two consumers refer to it
        backward(y)
        if y.parents[0].parents[0].grad != expected:  # taken for a sole input, it reads a part
            _SOLE = None


_self_check()
