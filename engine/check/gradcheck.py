"""`gradcheck`: compare the engine's gradients with central differences, input by input."""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable
from dataclasses import dataclass

from ..grad_mode import no_grad
from ..value import Value


@dataclass(frozen=True)
class InputCheck:
    """One input's verdict: the gradient `backward()` gave, the slope central differences
    measured, and how far apart they are."""

    index: int
    label: str
    value: float
    analytic: float    # from backward()
    numeric: float     # (f(x + eps) - f(x - eps)) / (2 eps)
    abs_error: float
    rel_error: float   # abs_error / max(|analytic|, |numeric|), 0 when both are 0


@dataclass(frozen=True)
class GradcheckResult:
    """Every input's `InputCheck` and the tolerances; true (`ok`) when all of them pass. Prints
    as a table, one row per input."""

    inputs: tuple[InputCheck, ...]
    atol: float
    rtol: float

    @property
    def worst_abs(self) -> float:
        """The largest absolute error over the inputs."""
        return max((c.abs_error for c in self.inputs), default=0.0)

    @property
    def worst_rel(self) -> float:
        """The largest relative error over the inputs."""
        return max((c.rel_error for c in self.inputs), default=0.0)

    @property
    def ok(self) -> bool:
        """Every input within atol + rtol * |numeric| (the rule of numpy's isclose)."""
        return all(c.abs_error <= self.atol + self.rtol * abs(c.numeric) for c in self.inputs)

    def __bool__(self) -> bool:
        return self.ok

    def __str__(self) -> str:
        head = (f"{'input':>8} {'value':>12} {'analytic':>14} {'numeric':>14} {'abs err':>9} "
                f"{'rel err':>9}")
        lines = [head]
        for c in self.inputs:
            lines.append(f"{c.label:>8} {c.value:>12.6g} {c.analytic:>14.8g} {c.numeric:>14.8g} "
                         f"{c.abs_error:>9.1e} {c.rel_error:>9.1e}")
        verdict = "ok" if self.ok else "MISMATCH"
        lines.append(f"worst abs error {self.worst_abs:.1e}, worst rel error {self.worst_rel:.1e}: "
                     f"{verdict} (atol {self.atol:g}, rtol {self.rtol:g})")
        return "\n".join(lines)

    __repr__ = __str__


def gradcheck(f: Callable[..., Value], *values: float | Value, eps: float = 1e-6,
              atol: float = 1e-5, rtol: float = 1e-4) -> GradcheckResult:
    """Check d f / d input for every input against central differences.

    `f` takes one Value per input and returns a Value; `values` are finite numbers or Values (only
    their data is used; the Values you pass are not touched). `eps` is the step of the central
    difference, `atol` and `rtol` the tolerances of `GradcheckResult.ok`.

    >>> r = gradcheck(lambda x, y: x * y.exp(), 2.0, 0.5)
    >>> r.ok, r.worst_abs < 1e-6
    (True, True)
    >>> gradcheck(lambda x: x.exp(), "x")
    Traceback (most recent call last):
    ...
    TypeError: gradcheck: input 0 must be a number or a Value, got str 'x'
    """
    points = _points(f, values, eps, atol, rtol)
    labels = [(v.label if isinstance(v, Value) and v.label else f"x{i}")
              for i, v in enumerate(values)]
    leaves = [Value(x, label=name) for x, name in zip(points, labels)]
    out = f(*leaves)
    if not isinstance(out, Value):
        raise TypeError(f"gradcheck: f must return a Value, got {type(out).__name__}: {out!r}")
    out.backward()

    def at(i: int, x: float) -> float:
        with no_grad():
            y = f(*[Value(x if j == i else p) for j, p in enumerate(points)])
        return y.data

    checks = []
    for i, (x, leaf) in enumerate(zip(points, leaves)):
        numeric = (at(i, x + eps) - at(i, x - eps)) / (2 * eps)
        err = abs(leaf.grad - numeric)
        scale = max(abs(leaf.grad), abs(numeric))
        checks.append(InputCheck(i, labels[i], x, leaf.grad, numeric, err,
                                 err / scale if scale else 0.0))
    return GradcheckResult(tuple(checks), atol, rtol)



def _points(f, values, eps, atol, rtol) -> list[float]:
    """The inputs' numbers, after checking every argument of gradcheck."""
    if not callable(f):
        raise TypeError(f"gradcheck: f must be a function of Values, got "
                        f"{type(f).__name__} {f!r}")
    if not values:
        raise ValueError("gradcheck: no inputs to check; pass the point, e.g. gradcheck(f, 2.0)")
    for name, x, positive in (("eps", eps, True), ("atol", atol, False), ("rtol", rtol, False)):
        if isinstance(x, bool) or not isinstance(x, numbers.Real):
            raise TypeError(f"gradcheck: {name} must be a number, got {type(x).__name__} {x!r}")
        if not math.isfinite(x) or x < 0 or (positive and x == 0):
            raise ValueError(f"gradcheck: {name} must be a finite number "
                             f"{'> 0' if positive else '>= 0'}, got {x!r}")
    points = []
    for i, v in enumerate(values):
        x = v.data if isinstance(v, Value) else v
        if isinstance(x, bool) or not isinstance(x, numbers.Real):
            raise TypeError(f"gradcheck: input {i} must be a number or a Value, got "
                            f"{type(v).__name__} {v!r}")
        try:
            x = float(x)
        except OverflowError:
            raise ValueError(f"gradcheck: input {i} is too large for a float") from None
        if not math.isfinite(x):
            raise ValueError(f"gradcheck: input {i} is {x}; a gradient is checked at a finite "
                             "point")
        points.append(x)
    return points
