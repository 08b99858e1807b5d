"""The lecture's worked examples (sigmoid circuit, gate patterns, vectorized), against closed forms.

Every expected number is computed here from its formula with the math module, independently of
the engine; the figures' rounded numbers are checked too, to the digits the lecture prints.
"""

import math

import pytest

from gategrad.engine import Value
from gategrad.engine.show.examples import (
    EXAMPLES,
    patterns,
    sigmoid_gate,
    simple_circuit,
    vectorized,
)


def sigma(z):
    return 1.0 / (1.0 + math.exp(-z))


# --- section 1: the sigmoid gate -------------------------------------------------------------

W0, X0, W1, X1, W2 = 2.0, -1.0, -3.0, -2.0, -3.0
DOT = W0 * X0 + W1 * X1 + W2                      # 1
F = sigma(DOT)                                     # 0.7310585786
DF_DDOT = F * (1 - F)                              # the fused gate's local gradient, 0.1966


def _wires(f):
    """Map each wire of the primitive-gate circuit to its node, walking back from f."""
    plus1 = f.parents[0]                            # 1/x <- (+1)
    exp = plus1.parents[0]
    neg = exp.parents[0]                            # *-1
    plus_w2 = neg.parents[0]
    plus = plus_w2.parents[0]
    mul0, mul1 = plus.parents
    return {"*0": mul0, "*1": mul1, "+": plus, "+w2": plus_w2, "*-1": neg, "exp": exp,
            "+1": plus1, "1/x": f}


def test_sigmoid_gate_forward_and_gradients_on_every_wire():
    ex = sigmoid_gate()
    f = ex.root
    w = _wires(f)
    expected = {  # wire: (forward value, df/dwire), from the chain rule written out by hand
        "*0": (W0 * X0, DF_DDOT), "*1": (W1 * X1, DF_DDOT), "+": (W0 * X0 + W1 * X1, DF_DDOT),
        "+w2": (DOT, DF_DDOT), "*-1": (-DOT, -DF_DDOT),
        "exp": (math.exp(-DOT), -1 / (1 + math.exp(-DOT)) ** 2),
        "+1": (1 + math.exp(-DOT), -1 / (1 + math.exp(-DOT)) ** 2), "1/x": (F, 1.0),
    }
    for wire, (value, grad) in expected.items():
        assert w[wire].data == pytest.approx(value, abs=1e-12), wire
        assert w[wire].grad == pytest.approx(grad, abs=1e-12), wire
    assert [w[k].op for k in ("*0", "+", "*-1", "exp", "+1", "1/x")] == \
        ["*", "+", "*", "exp", "+", "1/x"]
    inputs = ex.inputs
    closed = {"w0": X0 * DF_DDOT, "x0": W0 * DF_DDOT, "w1": X1 * DF_DDOT, "x1": W1 * DF_DDOT,
              "w2": DF_DDOT}
    for name, grad in closed.items():
        assert inputs[name].grad == pytest.approx(grad, abs=1e-12), name


def test_sigmoid_gate_matches_the_lecture_table_to_its_digits():
    ex = sigmoid_gate()
    w = _wires(ex.root)
    table = {  # the lecture's sigmoid example, 8 decimals
        "w0": -0.19661193, "x0": 0.39322387, "w1": -0.39322387, "x1": -0.58983580, "w2": 0.19661193,
    }
    for name, grad in table.items():
        assert ex.inputs[name].grad == pytest.approx(grad, abs=1e-6)
    assert w["exp"].data == pytest.approx(0.36787944, abs=1e-6)
    assert w["exp"].grad == pytest.approx(-0.53444665, abs=1e-6)
    assert w["+1"].data == pytest.approx(1.36787944, abs=1e-6)
    assert ex.root.data == pytest.approx(0.73105858, abs=1e-6)
    # the lecture's two hand steps: -1/1.37^2 = -0.53 and sigma(1)(1 - sigma(1)) = 0.20
    assert round(w["+1"].grad, 2) == -0.53
    assert round(w["+w2"].grad, 2) == 0.20


def test_fused_sigmoid_gate_gives_the_same_input_gradients():
    built, fused = sigmoid_gate(), sigmoid_gate(fused=True)
    assert fused.root.op == "sigmoid"
    assert fused.root.data == pytest.approx(built.root.data, abs=1e-15)
    for name in built.inputs:
        assert fused.inputs[name].grad == pytest.approx(built.inputs[name].grad, abs=1e-15)


# --- section 2: gradient-flow patterns -------------------------------------------------------

def test_simple_circuit():
    ex = simple_circuit()
    x, y, z = (ex.inputs[k] for k in "xyz")
    assert (ex.extra["q"].data, ex.root.data) == (3.0, -12.0)
    assert (x.grad, y.grad, z.grad) == (z.data, z.data, x.data + y.data) == (-4.0, -4.0, 3.0)


def test_patterns_circuit():
    ex = patterns()
    g = {k: v.grad for k, v in ex.inputs.items()}
    assert ex.root.data == 2 * (3 * -4 + max(2, -1)) == -20
    # add distributes 2 to both branches; mul switches (dx = 2y, dy = 2x); max routes to z
    assert g == {"x": 2 * -4.0, "y": 2 * 3.0, "z": 2.0, "w": 0.0}


# --- section 3: chain rule -------------------------------------------------------------------

def test_squared_error_gradient_is_minus_two_x_residual():
    w, x, y = [0.3, -1.2, 0.5], [1.0, 2.0, -0.5], 0.7
    wv = [Value(v) for v in w]
    e = (y - sum((wi * xi for wi, xi in zip(wv, x)), Value(0.0))) ** 2
    e.backward()
    residual = y - sum(a * b for a, b in zip(w, x))
    assert [v.grad for v in wv] == pytest.approx([-2 * xi * residual for xi in x], abs=1e-12)


def test_log_sigmoid_gradient_and_the_seeds_sign_slip():
    w, x = [0.4, -0.8], [1.5, 0.5]
    wv = [Value(v) for v in w]
    s = sum(a * b for a, b in zip(w, x))
    e = -((wv[0] * x[0] + wv[1] * x[1]).sigmoid().log())
    e.backward()
    correct = [-sigma(-s) * xi for xi in x]            # = sigma(s) x - x
    assert [v.grad for v in wv] == pytest.approx(correct, abs=1e-12)
    assert [v.grad for v in wv] == pytest.approx([sigma(s) * xi - xi for xi in x], abs=1e-12)
    slip = [sigma(-s) * xi - xi for xi in x]            # the seed's last step
    assert [v.grad for v in wv] != pytest.approx(slip, abs=1e-3)


@pytest.mark.parametrize("z", [-3.0, -0.2, 0.0, 1.7])
def test_sigmoid_derivative_and_tanh_identity(z):
    v = Value(z)
    v.sigmoid().backward()
    assert v.grad == pytest.approx(sigma(z) * (1 - sigma(z)), abs=1e-15)
    assert Value(z).tanh().data == pytest.approx(2 * sigma(2 * z) - 1, abs=1e-15)


# --- section 4: the vectorized example -------------------------------------------------------

def test_vectorized_example():
    ex = vectorized()
    W, x = [[0.1, 0.5], [-0.3, 0.8]], [0.2, 0.4]
    q = [sum(W[i][j] * x[j] for j in range(2)) for i in range(2)]
    assert [ex.extra["q1"].data, ex.extra["q2"].data] == pytest.approx(q, abs=1e-15)
    assert q == pytest.approx([0.22, 0.26])
    assert ex.root.data == pytest.approx(sum(qi * qi for qi in q), abs=1e-15)
    assert ex.root.data == pytest.approx(0.116)
    grad_W = [[2 * q[i] * x[j] for j in range(2)] for i in range(2)]       # 2 q x^T
    grad_x = [sum(W[i][j] * 2 * q[i] for i in range(2)) for j in range(2)]  # W^T 2q
    got_W = [[ex.inputs[f"w{i + 1}{j + 1}"].grad for j in range(2)] for i in range(2)]
    assert got_W == [pytest.approx(row, abs=1e-15) for row in grad_W]
    assert [ex.inputs["x1"].grad, ex.inputs["x2"].grad] == pytest.approx(grad_x, abs=1e-15)
    assert grad_W == [pytest.approx([0.088, 0.176]), pytest.approx([0.104, 0.208])]
    assert grad_x == pytest.approx([-0.112, 0.636])


def test_every_example_builds():
    for name, build in EXAMPLES.items():
        ex = build()
        assert ex.root.grad == 1.0, name
