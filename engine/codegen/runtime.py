"""What generated Python code calls, importable by name, so that `fn.source` runs on its own:
`exec(fn.source, {})` works, because the source starts by importing what it uses from here.

Each is a row of the gate table's own function (the same error messages as the plain graph), or
one of the two small helpers below.
"""

from __future__ import annotations

from ..gates import GATES, check_value_exponent_base

exp, log, recip = GATES["exp"].forward, GATES["log"].forward, GATES["recip"].forward
tanh, sigmoid = GATES["tanh"].forward, GATES["sigmoid"].forward
max_, pow_ = GATES["max"].forward, GATES["pow"].forward
max_local, pow_local = GATES["max"].local, GATES["pow"].local


def pow_value_exponent(x: float, n: float) -> float:
    """x ** n with n a Value: its base must be positive, as the plain graph checks."""
    check_value_exponent_base(x)
    return GATES["pow"].forward(x, n)


def chain(local: float, g: float) -> float:
    """local * g, the chain rule, with the plain graph's zero rules: a zero upstream gradient or
    a zero local gradient adds nothing (so 0 * inf is 0, not nan)."""
    return local * g if local and g else 0.0


def in_sample(error: Exception, k: int) -> Exception:
    """The same error, saying which sample of the batch raised it."""
    try:
        return type(error)(f"{error} (in sample {k} of the batch)")
    except Exception:  # an exception class that needs other arguments: keep it as it is
        return error


NAMES = ("exp", "log", "recip", "tanh", "sigmoid", "max_", "pow_", "max_local", "pow_local",
         "pow_value_exponent", "chain", "in_sample")
