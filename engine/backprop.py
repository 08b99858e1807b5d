"""backward(): the chain rule, and the only place that applies it.

A node may pass its gradient back only once it is complete: once every node that consumes it has
passed its own gradient back, because a node used twice gets the sum of both paths (the lecture's
"gradients add at a fork"). Visiting the nodes in reverse topological order (every consumer before
the nodes it consumes) guarantees that. The order comes from a depth-first search written with an
explicit stack, so a graph a million gates deep needs no recursion.
"""

from __future__ import annotations

import threading

from .value import Constant, Value


def topological_order(root: Value, leaves: bool = True, seen: set | None = None) -> list[Value]:
    """Every node that `root` depends on, each after all of its parents (so `root` is last).

    A depth-first search with an explicit stack. A node popped for the first time goes back on
    the stack, then a `None`, then its parents: once the parents are all in the order, the `None`
    comes off, and the node under it goes in too. Parents are pushed right to left, so the
    leftmost is taken first and an expression comes out in the order a person reads it.
    `leaves=False` leaves out the leaves. `seen`: nodes an earlier call has already ordered, left
    out and added to (compile orders several outputs' graphs this way, each node once).
    """
    order: list[Value] = []
    seen, stack = set() if seen is None else seen, [root]
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


# One lock, held by every call for its whole run: graphs may share nodes (every sample's graph uses
# the model's weights), and backward() sets interior grads to 0 and then read-modify-writes them
# (`parent.grad += ...`), so two calls interleaving would zero or lose each other's additions.
# Calls wait for each other instead. An RLock, because a user gate's `local` may itself call
# backward() (on a graph of its own): the thread holding the lock is let in, not made to wait.
_LOCK = threading.RLock()


def backward(root: Value) -> None:
    """d(root)/d(node) into the `.grad` of every node of root's graph.

    Interior nodes start from 0 on every call; leaves accumulate across calls until zero_grad(),
    as in PyTorch. A Constant takes nothing (it is skipped). A node whose gradient is exactly 0
    passes nothing back (not 0 * its local gradient, which is NaN where that local gradient is
    infinite), and neither does a zero local gradient (max's losing input, a relu that is off, a
    `*` by 0), so an infinite upstream gradient never turns into NaN there. Calls from several
    threads run one after another.
    """
    with _LOCK:
        if root.gate is None:  # a leaf: d(root)/d(root) = 1, accumulated like any leaf's gradient
            root.grad += 1.0
            return
        order = topological_order(root, leaves=False)  # every consumer after the nodes it uses
        for node in order:  # (once the order is complete: a walk that fails changes no grad)
            node.grad = 0.0
        root.grad = 1.0
        for node in reversed(order):  # each node is complete when it is reached: pass it back
            g = node.grad
            if not g:
                continue
            partials = node.gate.local(node.data, *[p.data for p in node.parents])
            for parent, local in zip(node.parents, partials):
                if local and type(parent) is not Constant:
                    parent.grad += local * g
