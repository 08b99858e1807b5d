"""Tracing a function for `compile`, refusing one whose graph depends on the numbers.

`compile` replays the one graph it traced. That is exact only if the function builds the same
graph whatever its inputs' numbers are. A function that reads the number of a value computed
from its inputs (`if h.data > 0:`, `Value(x.data ** 2)`, `w * x.data`) can build another graph
for other numbers, so replaying the traced one would be silently wrong. As `jax.jit` does with a
traced value, the tracer watches for exactly that: while the function runs, its inputs and every
node built from them are `TracedValue`s, whose `.data` notes who reads it. Reads by the engine's
own gates (which compute each node's number) are the graph being built; any other read is the
function looking at a number, and the trace is refused with the place and the value it read.

    >>> from gategrad.engine import Value
    >>> x = Value(1.0, label="x")
    >>> y = trace(lambda x: (x * 2.0).tanh(), [x])
    >>> type(y).__name__
    'Value'
    >>> trace(lambda x: x * 2.0 if x.data > 0 else x, [x])
    Traceback (most recent call last):
    ...
    gategrad.engine.codegen.tracing.DataDependentError: the function read the number of 'x' ...
"""

from __future__ import annotations

import sys
import threading

from .. import grad_mode
from ..value import Value

__all__ = ["DataDependentError", "TracedValue", "trace"]

# The modules whose reads of .data build the graph: the gates and how a node is made.
_ENGINE = {"gategrad.engine.value", "gategrad.engine.fused", "gategrad.engine.gates",
           "gategrad.engine.backprop"}


class DataDependentError(ValueError):
    """The traced function read the number of a value that depends on its inputs, so its graph
    may differ for other numbers and one trace cannot stand for every call."""


class _Active(threading.local):
    reads: list | None = None  # the reads noted by the trace running in this thread


_active = _Active()
_get_data, _set_data = Value.data.__get__, Value.data.__set__


def _read(node: Value) -> float:
    reads = _active.reads
    if reads is not None:
        frame = sys._getframe(1)
        if frame.f_globals.get("__name__") not in _ENGINE:
            reads.append((node, frame.f_code.co_filename, frame.f_lineno))
    return _get_data(node)


class TracedValue(Value):
    """A Value while a trace runs: the same node, whose number notes who reads it."""

    __slots__ = ()
    data = property(_read, _set_data)


def trace(function, inputs: list[Value]):
    """Call `function(*inputs)` and return what it returns (a Value or a list of Values),
    refusing a function that reads the number of an input or of a value computed from them
    (DataDependentError, with the file, line and value of the first such read).

    `inputs` are leaf Values (new ones, or a model's own parameters): they are TracedValues only
    while the function runs, and every node of the result is a plain Value afterwards.
    """
    for i, x in enumerate(inputs):
        if type(x) is not Value or x.gate is not None:
            raise TypeError(f"trace: inputs[{i}] must be a leaf Value, got {x!r}")
    if _active.reads is not None:
        raise RuntimeError("trace: a trace is already running in this thread")
    reads: list = []
    for x in inputs:
        x.__class__ = TracedValue
    _active.reads = reads
    grad_mode.set_node_class(TracedValue)
    try:
        result = function(*inputs)
    finally:
        grad_mode.set_node_class(None)
        _active.reads = None
        for x in inputs:
            x.__class__ = Value
    outputs = [result] if isinstance(result, Value) else list(result) \
        if isinstance(result, (list, tuple)) else None
    if outputs is None or not all(isinstance(o, Value) for o in outputs):
        raise TypeError(f"trace: the function must return a Value or a list of Values, got "
                        f"{result!r}")
    _untrace(outputs)
    if reads:
        node, filename, line = reads[0]
        name = repr(node.label) if node.label else \
            ("an input" if node.gate is None else f"the output of a {node.gate.symbol} gate")
        raise DataDependentError(
            f"the function read the number of {name} (.data = {_get_data(node)!r}) at "
            f"{filename}:{line}; its graph may then differ for other "
            f"numbers (a branch on .data, Value(x.data ...), an input used as a plain number), so "
            f"one trace cannot be replayed for every input: compute with the gates instead, or "
            f"use the plain graph")
    return result


def _untrace(outputs: list[Value]) -> None:
    """Every TracedValue of the graph made a plain Value again (a plain Value reads faster)."""
    stack, seen = list(outputs), set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if type(node) is TracedValue:
            node.__class__ = Value
        stack.extend(node.parents)
