"""Grad mode: whether gates record the graph. Per thread, as PyTorch's is: inference under
`no_grad()` in one thread does not stop another thread from recording its graph."""

from __future__ import annotations

import functools
import threading


class _State(threading.local):
    enabled = True  # each thread starts recording


state = _State()
# How many threads are inside no_grad() now. Gates read the (slower) thread-local state only when
# this is not 0: recording, the common case, costs one test of a number.
threads_in_no_grad = 0
_lock = threading.Lock()


def is_grad_enabled() -> bool:
    """Whether gates record the graph in this thread (False inside `no_grad()`)."""
    return state.enabled


def _set(enabled: bool) -> None:
    global threads_in_no_grad
    with _lock:
        threads_in_no_grad += (not enabled) - (not state.enabled)
        state.enabled = enabled


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
