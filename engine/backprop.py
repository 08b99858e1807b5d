"""backward(): the chain rule, and the only place that applies it.

A node may pass its gradient back only once it is complete: once every node that consumes it has
passed its own gradient back, because a node used twice gets the sum of both paths (the lecture's
"gradients add at a fork"). Visiting the nodes in reverse topological order (every consumer before
the nodes it consumes) guarantees that. The order comes from a depth-first search written with an
explicit stack, so a graph a million gates deep needs no recursion.
"""

from __future__ import annotations

from .gates import GATES
from .value import ADD, MUL, Constant, Value

LINEAR = GATES["linear"]


def topological_order(root: Value, leaves: bool = True) -> list[Value]:
    """Every node that `root` depends on, each after all of its parents (so `root` is last).

    A depth-first search with an explicit stack: go down to the first parent not seen yet; when a
    node has none left, everything it depends on is in the list, so it goes in too. Parents are
    taken left to right, so an expression comes out in the order a person reads it.
    `leaves=False` leaves out the leaves (backward() has nothing to do at a leaf).
    """
    order: list[Value] = []
    seen = {root}
    path, unvisited = [root], [iter(root.parents)]  # from root down to the node being looked
    while path:                                     # at, and its parents yet to be visited
        for parent in unvisited[-1]:
            if (leaves or parent.gate is not None) and parent not in seen:
                seen.add(parent)
                path.append(parent)
                unvisited.append(iter(parent.parents))
                break
        else:  # no parent left to visit
            unvisited.pop()
            order.append(path.pop())
    return order


def backward(root: Value) -> None:
    """d(root)/d(node) into the `.grad` of every node of root's graph.

    Interior nodes start from 0 on every call; leaves accumulate across calls until zero_grad(),
    as in PyTorch. A Constant takes nothing (it is skipped). A node whose gradient is exactly 0
    nothing (not 0 * its local gradient, which is NaN where that local gradient is infinite), and
    neither does a zero local gradient (max's losing input, a relu that is off).
    """
    if root.gate is None:  # a leaf: d(root)/d(root) = 1, accumulated like any leaf's gradient
        root.grad += 1.0
        return
    order = topological_order(root, leaves=False)
    for node in order:
        node.grad = 0.0
    root.grad = 1.0
    for node in reversed(order):  # each node is complete when it is reached: pass it back
        g = node.grad
        if not g:
            continue
        # `+`, `*` and every neuron's `w·x+b` are most of every graph: their rows of the table,
        # written out (tests/test_gates.py checks each against its row).
        gate = node.gate
        if gate is ADD:
            a, b = node.parents
            if type(a) is not Constant:
                a.grad += g
            if type(b) is not Constant:
                b.grad += g
        elif gate is MUL:
            a, b = node.parents
            if type(a) is not Constant:
                a.grad += b.data * g
            if type(b) is not Constant:
                b.grad += a.data * g
        elif gate is LINEAR:  # parents w_1..w_n, x_1..x_n, b
            parents = node.parents
            n = len(parents) // 2
            for w, x in zip(parents[:n], parents[n:-1]):
                if type(w) is not Constant:
                    w.grad += x.data * g
                if type(x) is not Constant:
                    x.grad += w.data * g
            if type(parents[-1]) is not Constant:
                parents[-1].grad += g
        else:
            parents = node.parents
            partials = node.gate.local(node.data, *[p.data for p in parents])
            for parent, local in zip(parents, partials):
                if local and type(parent) is not Constant:
                    parent.grad += local * g
