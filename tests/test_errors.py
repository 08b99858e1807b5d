"""Bad input: an error of the natural type, naming the gate and the offending value."""

import pytest

from gategrad.engine import GATES, Value, apply


@pytest.mark.parametrize("build, error, words", [
    (lambda: Value(-1.0).log(), ValueError, ["log gate", "-1.0"]),
    (lambda: Value(0.0).log(), ValueError, ["log gate", "0.0"]),
    (lambda: Value(0.0).reciprocal(), ZeroDivisionError, ["1/x gate", "0.0"]),
    (lambda: 1 / Value(0.0), ZeroDivisionError, ["1/x gate"]),
    (lambda: Value(2.0) / Value(0.0), ZeroDivisionError, ["1/x gate"]),
    (lambda: Value(2.0) / 0, ZeroDivisionError, ["/ gate", "0.0"]),
    (lambda: Value(-8.0) ** (1 / 3), ValueError, ["pow gate", "-8.0"]),
    (lambda: Value(-2.0) ** Value(2.0), ValueError, ["pow gate", "-2.0"]),
    (lambda: Value(0.0) ** -1, ZeroDivisionError, ["pow gate", "-1"]),
    (lambda: (-2) ** Value(0.5), ValueError, ["pow gate", "-2.0"]),
    (lambda: Value(1000.0).exp(), OverflowError, ["exp gate", "1000.0"]),
    (lambda: Value(10.0) ** 400, OverflowError, ["pow gate", "400"]),
    (lambda: Value(1.0) + "a", TypeError, ["+ gate", "str"]),
    (lambda: Value(1.0) * None, TypeError, ["* gate", "NoneType"]),
    (lambda: Value(1.0).max([2.0]), TypeError, ["max gate", "list"]),
    (lambda: Value(1.0) * [2.0], TypeError, ["* gate", "list"]),
    (lambda: [2.0] + Value(1.0), TypeError, ["+ gate", "list"]),
    (lambda: Value(1.0) ** 1j, TypeError, ["** gate", "complex"]),
    (lambda: Value(1.0) - "a", TypeError, ["-", "str"]),
    (lambda: apply(GATES["exp"], Value(1.0), Value(2.0)), TypeError, ["exp gate", "1 inputs"]),
])
def test_bad_input_raises_a_clear_error(build, error, words):
    with pytest.raises(error) as info:
        build()
    message = str(info.value)
    assert "math domain error" not in message
    for word in words:
        assert word in message, (word, message)


def test_a_failed_gate_leaves_nothing_half_built():
    x = Value(-1.0)
    with pytest.raises(ValueError):
        x.log()
    assert x.grad == 0.0 and x.parents == ()
