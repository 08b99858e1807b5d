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

    A depth-first search with an explicit stack. A node popped for the first time goes back on
    the stack, then a `None`, then its parents: once the parents are all in the order, the `None`
    comes off, and the node under it goes in too. Parents are pushed right to left, so the
    leftmost is taken first and an expression comes out in the order a person reads it.
    `leaves=False` leaves out the leaves.
    """
    order: list[Value] = []
    seen, stack = set(), [root]
    while stack:
        node = stack.pop()
        if node is None:  # the node under this None has all its parents in the order
            order.append(stack.pop())
        elif node not in seen:
            seen.add(node)
            stack.append(node)
            stack.append(None)
            for parent in reversed(node.parents):
                if parent not in seen and (leaves or parent.gate is not None):
                    stack.append(parent)
    return order


SEEN = object()  # in a node's grad while backward() walks the graph: "reached already"


def backward(root: Value) -> None:
    """d(root)/d(node) into the `.grad` of every node of root's graph.

    Interior nodes start from 0 on every call; leaves accumulate across calls until zero_grad(),
    as in PyTorch. A Constant takes nothing (it is skipped). A node whose gradient is exactly 0
    passes nothing back (not 0 * its local gradient, which is NaN where that local gradient is
    infinite), and neither does a zero local gradient (max's losing input, a relu that is off).
    """
    if root.gate is None:  # a leaf: d(root)/d(root) = 1, accumulated like any leaf's gradient
        root.grad += 1.0
        return
    # The walk of topological_order(root, leaves=False), with one change for speed: an interior
    # node's grad, which is about to be recomputed anyway, holds the mark SEEN once the walk has
    # reached it, so "seen?" is a look at the node instead of a set lookup.
    order: list[Value] = []
    stack = [root]
    try:
        while stack:
            node = stack.pop()
            if node is None:
                order.append(stack.pop())
            elif node.grad is not SEEN:
                stack.append(node)
                stack.append(None)
                node.grad = SEEN  # (after the push: an interrupted walk finds every mark)
                for parent in reversed(node.parents):
                    if parent.gate is not None and parent.grad is not SEEN:
                        stack.append(parent)
    finally:  # every node reached starts from 0, the mark gone even if the walk was interrupted
        for node in order:
            node.grad = 0.0
        for node in stack:
            if node is not None:
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
            for w, x in zip(parents, parents[n:-1]):  # (zip stops after the n weights)
                if type(w) is not Constant:
                    w.grad += x.data * g
                if type(x) is not Constant:
                    x.grad += w.data * g
            if type(parents[-1]) is not Constant:
                parents[-1].grad += g
        else:  # any other row: its local gradients, from the table
            parents = node.parents
            if len(parents) == 1:  # relu, tanh, exp, ...: one input, one local gradient
                (x,) = parents
                (local,) = gate.local(node.data, x.data)
                if local and type(x) is not Constant:
                    x.grad += local * g
                continue
            partials = gate.local(node.data, *[p.data for p in parents])
            for parent, local in zip(parents, partials):
                if local and type(parent) is not Constant:
                    parent.grad += local * g
