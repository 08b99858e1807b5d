"""Grad mode: whether gates record the graph. Per thread, as PyTorch's is: inference under
`no_grad()` in one thread does not stop another thread from recording its graph.

The same per-thread state says which class new nodes are while `compile` traces a function in
this thread (engine/codegen/tracing.py): the one other mode a gate has to know about."""

from __future__ import annotations

import functools
import threading


class _State(threading.local):
    enabled = True     # each thread starts recording
    node_class = None  # the class of new nodes while this thread traces (None: Value)


state = _State()
# How many threads are inside no_grad() or a trace now. Gates read the (slower) thread-local state
# only when this is not 0: recording, the common case, costs one test of a number.
threads_in_a_mode = 0
_lock = threading.Lock()


def is_grad_enabled() -> bool:
    """Whether gates record the graph in this thread (False inside `no_grad()`)."""
    return state.enabled


def _set(enabled: bool) -> None:
    global threads_in_a_mode
    with _lock:
        threads_in_a_mode += (not enabled) - (not state.enabled)
        state.enabled = enabled


def set_node_class(node_class) -> None:
    """While compile traces a function: make this thread's new nodes of `node_class` (None to
    stop). Only engine/codegen/tracing.py calls this."""
    global threads_in_a_mode
    with _lock:
        threads_in_a_mode += (node_class is not None) - (state.node_class is not None)
        state.node_class = node_class


class _GradMode:
    """Sets this thread's grad mode for a `with` block or a decorated function, then restores
    what was there before, even after an error."""

    enabled = True

    def __enter__(self):
        self._previous = state.enabled
        _set(self.enabled)

    def __exit__(self, *exc_info):
        _set(self._previous)

    def __call__(self, function):
        @functools.wraps(function)
        def wrapper(*args, **kwargs):
            with self.__class__():
                return function(*args, **kwargs)
        return wrapper


class no_grad(_GradMode):  # noqa: N801  (PyTorch's name)
    """`with no_grad():` or `@no_grad()`: gates record no graph in this thread; their results
    are plain leaves (fast inference). Other threads keep recording.

    >>> from gategrad.engine import Value
    >>> with no_grad():
    ...     y = Value(2.0) * 3
    >>> y.parents, is_grad_enabled()
    ((), True)
    """

    enabled = False


class enable_grad(_GradMode):  # noqa: N801
    """`with enable_grad():` or `@enable_grad()`: record the graph again inside a no_grad()."""

    enabled = True
