"""Bad input: an error of the natural type, naming the gate and the offending value."""

import math

import pytest

from gategrad.engine import GATES, Value, apply, gradcheck


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


@pytest.mark.parametrize("call, error, words", [
    (lambda: gradcheck(lambda x: x.exp(), "x"), TypeError,
     ["gradcheck: input 0 must be a number or a Value, got str 'x'"]),
    (lambda: gradcheck(lambda x, y: x * y, 1.0, [2.0]), TypeError, ["input 1", "list"]),
    (lambda: gradcheck(lambda x: x, True), TypeError, ["input 0", "bool"]),
    (lambda: gradcheck(lambda x: x, math.nan), ValueError, ["input 0 is nan"]),
    (lambda: gradcheck(lambda x: x, Value(math.inf)), ValueError, ["input 0 is inf"]),
    (lambda: gradcheck(lambda x: x, 10 ** 400), ValueError, ["input 0 is too large"]),
    (lambda: gradcheck(lambda: Value(1.0)), ValueError, ["no inputs to check"]),
    (lambda: gradcheck("exp", 1.0), TypeError, ["f must be a function", "str"]),
    (lambda: gradcheck(lambda x: x, 1.0, eps=0.0), ValueError, ["eps must be", "> 0"]),
    (lambda: gradcheck(lambda x: x, 1.0, eps="1e-6"), TypeError, ["eps must be a number"]),
    (lambda: gradcheck(lambda x: x, 1.0, atol=-1), ValueError, ["atol must be", ">= 0"]),
    (lambda: gradcheck(lambda x: x, 1.0, rtol=math.nan), ValueError, ["rtol must be"]),
])
def test_gradcheck_rejects_bad_arguments_by_name(call, error, words):
    with pytest.raises(error) as info:
        call()
    for word in words:
        assert word in str(info.value), (word, str(info.value))


def test_gradcheck_still_takes_numbers_values_and_ints():
    import numpy as np
    result = gradcheck(lambda x, y, z: x * y.exp() + z, 2, Value(0.5), np.float64(1.5))
    assert result.ok and [c.value for c in result.inputs] == [2.0, 0.5, 1.5]
    assert result.inputs[0].analytic == pytest.approx(math.exp(0.5), rel=1e-15)
