"""Every gate of the gate table, tested from the table itself.

GATE_SPECS mirrors GATES: for each gate, points inside its domain where its local partials are
checked against central differences of its own forward function, and against the same gate run
through Value.backward(). A gate without a spec fails.
"""

import math

import pytest

from gategrad.engine import GATES, Value, apply, as_value

EPS = 1e-6

# gate -> list of (inputs, indices of inputs whose partial to check); None means all of them
GATE_SPECS = {
    "add": [((1.5, -2.0), None), ((0.3, 0.7), None)],
    "mul": [((1.5, -2.0), None), ((-0.3, 0.7), None)],
    "pow": [((1.7, 2.0), None), ((0.5, -1.5), None), ((2.0, 0.5), None), ((3.0, 0.0), None),
            ((-1.5, 3.0), (0,))],   # a negative base: only d/dx exists
    "exp": [((-1.0,), None), ((0.5,), None), ((3.0,), None)],
    "log": [((0.3,), None), ((2.0,), None), ((50.0,), None)],
    "max": [((1.0, -2.0), None), ((-1.0, 0.5), None)],
    "recip": [((0.7,), None), ((-2.0,), None)],
    "relu": [((1.3,), None), ((-0.7,), None)],
    "tanh": [((-1.2,), None), ((0.3,), None), ((2.5,), None)],
    "sigmoid": [((-3.0,), None), ((0.0,), None), ((1.0,), None)],
    "linear": [((0.5, -1.0, 2.0, 3.0, 0.25), None),
               ((1.5, -0.5, 0.75, 2.0, -1.0, 4.0, -2.0), None)],
    "sum": [((1.0, 2.0, -3.0), None), ((0.5,), None)],
    # logits, then the target class (a label: only the logits' partials are checked)
    "softmax_ce": [((2.0, 1.0, 0.1, 0.0), (0, 1, 2)), ((-1.5, 3.0, 2.0, 1.0), (0, 1, 2)),
                   ((1000.0, -1000.0, 0.5, 1.0), (0, 1, 2))],
}


def test_every_gate_has_a_spec_and_every_spec_a_gate():
    assert set(GATE_SPECS) == set(GATES)


def test_gate_table_rows_are_complete():
    for name, gate in GATES.items():
        assert gate.name == name
        assert gate.symbol and gate.rule
        assert callable(gate.forward) and callable(gate.local)


CASES = [pytest.param(name, inputs, check, id=f"{name}{inputs}")
         for name, points in GATE_SPECS.items() for inputs, check in points]


def _central_difference(forward, inputs, i):
    hi = list(inputs)
    lo = list(inputs)
    hi[i] += EPS
    lo[i] -= EPS
    return (forward(*hi) - forward(*lo)) / (2 * EPS)


@pytest.mark.parametrize("name, inputs, check", CASES)
def test_local_gradient_matches_central_differences(name, inputs, check):
    gate = GATES[name]
    out = gate.forward(*inputs)
    partials = gate.local(out, *inputs)
    assert len(partials) == len(inputs)
    for i in check if check is not None else range(len(inputs)):
        numeric = _central_difference(gate.forward, inputs, i)
        assert partials[i] == pytest.approx(numeric, rel=1e-6, abs=1e-8), (name, i)


@pytest.mark.parametrize("name, inputs, check", CASES)
def test_backward_applies_the_table(name, inputs, check):
    """backward() through a single gate gives exactly the table's partials (the inline `+` and `*`
    included) on every non-constant input."""
    gate = GATES[name]
    leaves = [Value(x) for x in inputs]
    if gate is GATES["pow"] and not inputs[0] > 0:  # x ** 3 at x < 0: the exponent is a constant
        leaves[1] = as_value(inputs[1])
    out = apply(gate, *leaves)
    assert out.data == gate.forward(*inputs)
    out.backward()
    partials = gate.local(out.data, *inputs)
    for leaf, partial in zip(leaves, partials, strict=True):
        if not leaf.is_constant:
            assert leaf.grad == partial


# --- edge rules, decided in writing -----------------------------------------------------------

def test_max_tie_splits_the_gradient_equally():
    a, b = Value(2.0), Value(2.0)
    a.max(b).backward()
    assert (a.grad, b.grad) == (0.5, 0.5)


def test_max_routes_the_whole_gradient_to_the_larger_input():
    a, b = Value(2.0), Value(-1.0)
    a.max(b).backward()
    assert (a.grad, b.grad) == (1.0, 0.0)


def test_relu_at_zero_has_gradient_zero():
    x = Value(0.0)
    y = x.relu()
    y.backward()
    assert (y.data, x.grad) == (0.0, 0.0)


@pytest.mark.parametrize("n, expected", [
    (2.0, 0.0),          # 2 * 0^1
    (1.0, 1.0),
    (0.0, 0.0),          # x^0 is constant: PyTorch gives 0
    (0.5, math.inf),     # n x^(n-1) blows up at 0: PyTorch gives inf
    (3.0, 0.0),
])
def test_pow_at_zero_matches_pytorch(n, expected):
    x = Value(0.0)
    y = x ** n
    y.backward()
    assert y.data == (1.0 if n == 0.0 else 0.0)
    assert x.grad == expected


def test_pow_value_exponent_gradient_at_positive_base():
    x, n = Value(2.0), Value(3.0)
    (x ** n).backward()
    assert x.grad == pytest.approx(3 * 2.0 ** 2)
    assert n.grad == pytest.approx(2.0 ** 3 * math.log(2.0))


def test_sigmoid_and_tanh_are_stable_at_extremes():
    for x, s, t in [(1000.0, 1.0, 1.0), (-1000.0, 0.0, -1.0), (-745.0, 0.0, -1.0)]:
        v = Value(x)
        assert v.sigmoid().data == pytest.approx(s, abs=1e-300)
        assert v.tanh().data == t
        ys = v.sigmoid()
        ys.backward()
        assert v.grad == pytest.approx(0.0, abs=1e-300)


@pytest.mark.parametrize("x, n, expected", [
    (2.225073858507203e-309, 2.225073858507203e-309, math.inf),  # found by hypothesis
    (-1e-103, -2.0, math.inf), (-1e-78, -3.0, -math.inf), (1e-103, -2.0, -math.inf),
])
def test_pow_slope_that_overflows_is_an_infinity_of_the_right_sign(x, n, expected):
    v = Value(x)
    (v ** n).backward()
    assert v.grad == expected
