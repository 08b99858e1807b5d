"""Argument checks shared by the modules, the training loop and the command line.

Each check names the function (`who`) and the argument, and raises the natural type: TypeError
for a value of the wrong kind (a string where a number belongs, a bool where a count belongs),
ValueError for one of the right kind out of range (a negative count, a NaN input).

>>> count("MLP", "nin", 2)
2
>>> count("MLP", "nin", True)
Traceback (most recent call last):
...
TypeError: MLP: nin must be an int, got bool True
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence

from gategrad.engine import Value


def _shown(x) -> str:
    return f"{type(x).__name__} {x!r}"


def count(who: str, name: str, value: object, minimum: int = 1) -> int:
    """`value` as an int >= `minimum`: a layer size, a number of epochs or of pieces."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{who}: {name} must be an int, got {_shown(value)}")
    if value < minimum:
        raise ValueError(f"{who}: {name} must be >= {minimum}, got {value}")
    return int(value)


def real(who: str, name: str, value: object, low: float | None = None, high: float | None = None,
         low_open: bool = False, high_open: bool = False) -> float:
    """`value` as a finite float within [low, high] (an end is excluded when `*_open`).

    >>> real("fit", "momentum", 0.9, 0.0, 1.0, high_open=True)
    0.9
    >>> real("fit", "momentum", 1.0, 0.0, 1.0, high_open=True)
    Traceback (most recent call last):
    ...
    ValueError: fit: momentum must be in [0, 1), got 1.0
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{who}: {name} must be a number, got {_shown(value)}")
    number = as_float(value, f"{who}: {name}")
    below = low is not None and (number <= low if low_open else number < low)
    above = high is not None and (number >= high if high_open else number > high)
    if not math.isfinite(number) or below or above:
        raise ValueError(f"{who}: {name} must be {range_text(low, high, low_open, high_open)}, "
                         f"got {value!r}")
    return number


def range_text(low: float | None = None, high: float | None = None, low_open: bool = False,
               high_open: bool = False) -> str:
    """How `real` describes its range: "in [0, 1)", "a finite number >= 0", ..."""
    if low is not None and high is not None:
        return f"in {'(' if low_open else '['}{low:g}, {high:g}{')' if high_open else ']'}"
    if low is not None:
        return f"a finite number {'>' if low_open else '>='} {low:g}"
    if high is not None:
        return f"a finite number {'<' if high_open else '<='} {high:g}"
    return "a finite number"


def as_float(value: object, what: str) -> float:
    """float(value), with an int too large for a float (10**400) reported as a ValueError."""
    try:
        return float(value)
    except OverflowError:
        raise ValueError(f"{what} is too large for a float ({len(str(abs(int(value))))} "
                         "digits)") from None


def flag(who: str, name: str, value: object) -> bool:
    """`value` as a bool; 0/1 or a string are mistakes, not switches."""
    if not isinstance(value, bool):
        raise TypeError(f"{who}: {name} must be True or False, got {_shown(value)}")
    return value


def text(who: str, name: str, value: object) -> str:
    """`value` as a str (a name or a label)."""
    if not isinstance(value, str):
        raise TypeError(f"{who}: {name} must be a str, got {_shown(value)}")
    return value


def _finite_entry(who: str, where: str, x) -> None:
    number = x.data if isinstance(x, Value) else x
    if isinstance(number, bool) or not isinstance(number, numbers.Real):
        raise TypeError(f"{who}: {where} must be a number, got {_shown(x)}")
    if not math.isfinite(as_float(number, f"{who}: {where}")):
        raise ValueError(f"{who}: {where} is {number!r}; inputs and targets must be finite "
                         "numbers")


def _place(what: str, i: int, j: int | None = None) -> str:
    if j is None:
        return f"{what}[{i}] (row {i})"
    return f"{what}[{i}][{j}] (row {i}, column {j})"


def finite_rows(who: str, rows: Sequence, what: str = "X") -> None:
    """Every entry of every row is a finite number; names the first offender as X[row][column].

    A row may be a bare number (a model with one input, or a scalar target), and any iterable of
    numbers (a list, a tuple, a numpy array).

    >>> finite_rows("fit", [[0.0, 1.0], [2.0, float("nan")]])
    Traceback (most recent call last):
    ...
    ValueError: fit: X[1][1] (row 1, column 1) is nan; inputs and targets must be finite numbers
    """
    for i, row in enumerate(rows):
        if isinstance(row, (numbers.Real, Value)):
            _finite_entry(who, _place(what, i), row)
            continue
        if isinstance(row, (str, bytes, dict)) or not hasattr(row, "__iter__"):
            raise TypeError(f"{who}: {_place(what, i)} must be a number or a list of numbers, got "
                            f"{_shown(row)}")
        for j, x in enumerate(row):
            _finite_entry(who, _place(what, i, j), x)


def finite_targets(who: str, targets: Sequence, what: str = "y") -> None:
    """Every target is a finite number (or a list of them, for several outputs)."""
    finite_rows(who, targets, what)


def sizes(who: str, name: str, values: object) -> list[int]:
    """A non-empty list of layer sizes, each an int >= 1.

    >>> sizes("MLP", "nouts", (16, 16, 1))
    [16, 16, 1]
    """
    if isinstance(values, (str, bytes, dict, numbers.Number)) or not hasattr(values, "__iter__"):
        raise TypeError(f"{who}: {name} must be a list of layer sizes like [16, 16, 1], got "
                        f"{_shown(values)}")
    result = [count(who, f"{name}[{i}]", n) for i, n in enumerate(values)]
    if not result:
        raise ValueError(f"{who}: {name} must list at least one layer, got {values!r}")
    return result


def fit_options(epochs: object, lr: object, batch_size: object, l2: object, momentum: object,
                grad_tol: object, lr_schedule: object, optimizer: object, callback: object,
                progress: object, val: object) -> None:
    """The options of `nn.fit`, each of the kind and in the range it must be."""
    count("fit", "epochs", epochs)
    real("fit", "lr", lr, 0.0)
    if batch_size is not None:
        count("fit", "batch_size", batch_size, 0)
    real("fit", "l2", l2, 0.0)
    real("fit", "momentum", momentum, 0.0, 1.0, high_open=True)
    if grad_tol is not None:
        real("fit", "grad_tol", grad_tol, 0.0, low_open=True)
    for name, function in (("lr_schedule", lr_schedule), ("callback", callback)):
        if function is not None and not callable(function):
            raise TypeError(f"fit: {name} must be a function, got {_shown(function)}")
    if optimizer is not None and not all(callable(getattr(optimizer, method, None))
                                         for method in ("step", "zero_grad")):
        raise TypeError(f"fit: optimizer must have step() and zero_grad(), got "
                        f"{type(optimizer).__name__}")
    flag("fit", "progress", progress)
    if val is not None and (isinstance(val, (str, dict)) or not hasattr(val, "__len__")
                            or len(val) != 2):
        raise TypeError(f"fit: val must be a pair (X_val, y_val), got {type(val).__name__}")
