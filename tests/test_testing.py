"""gategrad.testing: the assertions a user's own tests call, on passing and on failing input.

The references are closed forms computed here with math, independently of the engine.
"""

import math
import re

import pytest

from gategrad.engine import GATES, GateCheckError, Value, defgate
from gategrad.engine.check.defgate import GateFunction
from gategrad.testing import (
    assert_grads_close,
    assert_graph_matches,
    check_exercise,
    check_gate,
)

pytestmark = pytest.mark.usefixtures("user_gates")


def sigmoid(x):
    return 1.0 / (1.0 + math.exp(-x))


# --- assert_grads_close -------------------------------------------------------------------------

def test_assert_grads_close_passes_a_right_gradient():
    assert_grads_close(lambda x, y: (x * y).tanh() + x.exp(), 0.5, -1.5)


def test_assert_grads_close_shows_a_wrong_gradient_in_a_table():
    wrong = defgate("wrongsig", forward=sigmoid, local=lambda out, x: (out,), rule="d/dx = out",
                    check=False)

    def f(x):
        return wrong(x * 2.0)

    with pytest.raises(AssertionError) as info:
        assert_grads_close(f, 0.3)
    message = str(info.value)
    assert message.startswith("the engine's gradients of f disagree with central differences")
    row = re.search(r"x0\s+(\S+)\s+(\S+)\s+(\S+)", message)
    value, analytic, numeric = (float(v) for v in row.groups())
    s = sigmoid(0.6)
    assert value == 0.3
    assert analytic == pytest.approx(2.0 * s, rel=1e-7)            # what the wrong local gives
    assert numeric == pytest.approx(2.0 * s * (1 - s), rel=1e-7)   # d/dx sigmoid(2x)
    assert "MISMATCH" in message


# --- assert_graph_matches -----------------------------------------------------------------------

def lecture_circuit():
    """The lecture's sigmoid circuit, built with the engine, labels on the inputs and f."""
    w0, x0, w1, x1, w2 = (Value(v, label=n) for v, n in
                          [(2.0, "w0"), (-1.0, "x0"), (-3.0, "w1"), (-2.0, "x1"), (-3.0, "w2")])
    f = 1 / (1 + (-(w0 * x0 + w1 * x1 + w2)).exp())
    f.label = "f"
    return f


def closed_form():
    """f = sigma(z), z = w0 x0 + w1 x1 + w2; df/dw_i = sigma'(z) x_i, df/dx_i = sigma'(z) w_i."""
    z = 2.0 * -1.0 + -3.0 * -2.0 + -3.0
    s = sigmoid(z)
    d = s * (1 - s)
    return {"w0": (2.0, d * -1.0), "x0": (-1.0, d * 2.0), "w1": (-3.0, d * -2.0),
            "x1": (-2.0, d * -3.0), "w2": (-3.0, d), "f": (s, 1.0)}


def test_assert_graph_matches_the_closed_form():
    f = lecture_circuit()
    f.backward()
    assert_graph_matches(f, closed_form())


def test_assert_graph_matches_to_the_lectures_two_decimals():
    f = lecture_circuit()
    f.backward()
    printed = {"w0": (2, -0.20), "x0": (-1, 0.39), "w1": (-3, -0.39), "x1": (-2, -0.59),
               "w2": (-3, 0.20), "f": (0.73, 1)}
    assert_graph_matches(f, printed, digits=2)
    with pytest.raises(AssertionError, match="to 2 decimals"):
        assert_graph_matches(f, {**printed, "x1": (-2, -0.58)}, digits=2)


def test_a_wrong_gradient_is_marked_in_the_table():
    f = lecture_circuit()
    f.backward()
    expected = closed_form()
    expected["x0"] = (-1.0, 0.4)
    with pytest.raises(AssertionError) as info:
        assert_graph_matches(f, expected)
    message = str(info.value)
    assert message.startswith("1 of 6 nodes differ from the expected values")
    (row,) = [line for line in message.splitlines() if "<- wrong" in line]
    assert row.split()[:5] == ["x0", "-1", "-1", "0.4", f"{closed_form()['x0'][1]:.8g}"]


def test_a_wrong_value_is_marked_and_a_missing_gradient_is_not_checked():
    f = lecture_circuit()
    f.backward()
    with pytest.raises(AssertionError, match=r"f\s+0.75\s+0.73105858 <- wrong"):
        assert_graph_matches(f, {"f": 0.75, "w0": (2.0, None)})
    assert_graph_matches(f, {"f": sigmoid(1.0), "w0": (2.0, None)})


def test_a_missing_label_lists_the_graphs_labels():
    f = lecture_circuit()
    f.backward()
    with pytest.raises(AssertionError, match="no node labelled 'q'.*w0, x0, w1, x1, w2, f"):
        assert_graph_matches(f, {"q": (1.0, 1.0)})


def test_gradients_need_a_backward_pass_first():
    f = lecture_circuit()
    with pytest.raises(AssertionError, match=r"call backward\(\) on it"):
        assert_graph_matches(f, closed_form())
    assert_graph_matches(f, {"f": sigmoid(1.0)})  # values alone need no backward pass


def test_a_label_on_two_nodes_is_refused():
    a, b = Value(1.0, label="a"), Value(2.0, label="a")
    out = a * b
    out.backward()
    with pytest.raises(ValueError, match="the label 'a' names 2 nodes"):
        assert_graph_matches(out, {"a": (1.0, 2.0)})


@pytest.mark.parametrize("expected, error", [
    ({}, TypeError), ([("f", 1.0)], TypeError), ({"f": "one"}, TypeError),
    ({"f": (1.0, 2.0, 3.0)}, TypeError),
])
def test_a_malformed_expectation_is_a_type_error(expected, error):
    f = lecture_circuit()
    f.backward()
    with pytest.raises(error):
        assert_graph_matches(f, expected)


# --- check_gate and check_exercise ----------------------------------------------------------------

def test_check_gate_is_the_engines():
    wrong = defgate("half", forward=lambda x: x * x, local=lambda out, x: (x,), rule="d/dx = x",
                    check=False)
    with pytest.raises(GateCheckError, match="the true partial is 2 times yours"):
        check_gate(wrong)


def test_check_exercise_ticks_and_returns_the_gate(capsys):
    gate = check_exercise("my_tanh", math.tanh, lambda out, x: (1 - out * out,),
                          rule="d/dx = 1 - out^2")
    assert isinstance(gate, GateFunction) and GATES["my_tanh"] is gate.gate
    out = capsys.readouterr().out
    assert out.startswith("\N{CHECK MARK} my_tanh gate: the local gradient matches")


def test_check_exercise_says_not_implemented_yet():
    def tanh_local(out, x):
        raise NotImplementedError()

    with pytest.raises(NotImplementedError, match="my_tanh: not implemented yet.*in tanh_local"):
        check_exercise("my_tanh", math.tanh, tanh_local, rule="d/dx = 1 - out^2")
    assert "my_tanh" not in GATES


def test_check_exercise_raises_the_checkers_message():
    with pytest.raises(GateCheckError, match="off by a sign"):
        check_exercise("my_tanh", math.tanh, lambda out, x: (out * out - 1,), rule="r")
    with pytest.raises(TypeError, match=r"as a tuple \(d/dx,\)"):
        check_exercise("my_tanh", math.tanh, lambda out, x: 1 - out * out, rule="r")


def test_check_exercise_holds_a_kink_to_the_lectures_convention():
    def max_first_wins(out, a, b):  # a valid choice at a tie, but not the lecture's
        return (1.0, 0.0) if a >= b else (0.0, 1.0)

    def forward(a, b):
        return a if a >= b else b

    check_exercise("any_max", forward, max_first_wins, rule="r", kinks=[(1.0, 1.0)])
    with pytest.raises(GateCheckError, match=r"the lecture's rule gives \(0.5, 0.5\)"):
        check_exercise("my_max", forward, max_first_wins, rule="r", kinks=[(1.0, 1.0)],
                       convention=GATES["max"])
    assert "my_max" not in GATES


def test_check_exercise_knows_the_exercises_and_asks_for_a_rule_otherwise(capsys):
    with pytest.raises(ValueError, match="'my_own' is not an exercise gategrad knows; give its "
                                         "rule="):
        check_exercise("my_own", math.tanh, lambda out, x: (1 - out * out,))
    check_exercise("my_tanh", math.tanh, lambda out, x: (1 - out * out,))  # rule from answers
    check_exercise("my_tanh", math.tanh, lambda out, x: (1 - out * out,))  # a cell run again
    assert GATES["my_tanh"].rule == "d/dx = 1 - tanh(x)^2 = 1 - out^2"
    assert capsys.readouterr().out.count("\N{CHECK MARK} my_tanh gate") == 2


def test_a_failing_exercise_keeps_the_rule_back_but_a_given_rule_is_shown():
    with pytest.raises(GateCheckError) as info:
        check_exercise("my_tanh", math.tanh, lambda out, x: (out,))
    assert "The rule it was given" not in str(info.value)
    assert "1 - out^2" not in str(info.value)
    with pytest.raises(GateCheckError, match="The rule it was given: mine"):
        check_exercise("my_tanh", math.tanh, lambda out, x: (out,), rule="mine")


def test_a_built_in_gates_name_is_refused():
    with pytest.raises(ValueError, match="'tanh' is a built-in gate"):
        check_exercise("tanh", math.tanh, lambda out, x: (1 - out * out,), rule="r")
