"""explain() reports the backward pass the lecture way; gradcheck() catches a wrong gradient."""

import math

import pytest

from gategrad.engine import GATES, Value, explain, gradcheck
from gategrad.engine.show.examples import sigmoid_gate


def test_explain_lists_gates_in_backward_order_with_local_and_sent_gradients():
    ex = sigmoid_gate()
    steps = list(explain(ex.root))
    assert [s.gate for s in steps] == ["1/x", "+1", "exp", "*-1", "+", "+", "*", "*"]
    first = steps[0]
    x = 1 + math.exp(-1.0)
    assert first.local == pytest.approx((-1 / x ** 2,))
    assert first.upstream == 1.0 and first.sends == pytest.approx((-1 / x ** 2,))
    for s in steps:
        assert s.upstream != 0.0
        for local, sent in zip(s.local, s.sends):
            assert sent is None or sent == pytest.approx(local * s.upstream)
    # constants (the 1 of `+1`, the -1 of `*-1`) receive nothing
    assert steps[1].sends[1] is None and steps[3].sends[1] is None
    last = steps[-1]
    assert [n for n, _ in last.inputs] == ["w0", "x0"]
    assert last.sends == pytest.approx((ex.inputs["w0"].grad, ex.inputs["x0"].grad))


def test_explain_text_and_html():
    ex = sigmoid_gate()
    text = str(explain(ex.root, digits=2))
    lines = text.splitlines()
    assert "upstream" in lines[1] and "sends" in lines[1]
    assert len({len(line) for line in lines[1:3]}) == 1 or lines[2].startswith("----")
    assert "-0.53" in text and "0.73" in text and "1/x" in text
    html = explain(ex.root)._repr_html_()
    assert html.count("<tr>") == 1 + 8 and "1/x" in html


def test_explain_requires_a_backward_pass_from_the_root():
    x = Value(2.0)
    y = x * 3
    with pytest.raises(ValueError, match="backward"):
        explain(y)


def test_gradcheck_passes_for_every_gate_in_its_domain():
    points = {"add": (1.0, 2.0), "mul": (1.5, -2.0), "pow": (1.7, 2.5), "exp": (0.3,),
              "log": (1.5,), "max": (1.0, -1.0), "recip": (0.6,), "relu": (0.8,),
              "tanh": (0.4,), "sigmoid": (-0.7,), "linear": (1.0, 2.0, 3.0, 4.0, 0.5),
              "sum": (1.0, 2.0, 3.0), "softmax_ce": (2.0, 1.0, 0.1)}
    # inputs that are not checked: softmax_ce's last input is the target class, a whole number
    fixed = {"softmax_ce": (1,)}
    assert set(points) == set(GATES)
    from gategrad.engine import apply
    for name, xs in points.items():
        constants = fixed.get(name, ())
        result = gradcheck(lambda *v, g=GATES[name], c=constants: apply(g, *v, *c), *xs)
        assert result.ok, (name, str(result))
        assert result.worst_abs < 1e-6


def test_gradcheck_reports_a_wrong_gradient():
    # a function whose "gradient" is wrong: data taken from a Value behind the engine's back
    def cheat(x):
        return x * Value(x.data)   # d/dx x^2 is 2x, but the engine sees only one factor
    result = gradcheck(cheat, 3.0)
    assert not result.ok
    assert result.inputs[0].analytic == 3.0
    assert result.inputs[0].numeric == pytest.approx(6.0, rel=1e-6)
    assert "MISMATCH" in str(result)


def test_gradcheck_rejects_a_non_value_result():
    with pytest.raises(TypeError, match="must return a Value"):
        gradcheck(lambda x: 1.0, 2.0)


def test_explain_names_each_wire_by_its_expression_in_the_labels():
    steps = list(explain(sigmoid_gate().root))
    assert [s.node for s in steps[-2:]] == ["w1*x1", "w0*x0"]
    assert [n for n, _ in steps[-3].inputs] == ["w0*x0", "w1*x1"]
    assert steps[-4].node == "w0*x0 + w1*x1 + w2"
    # an expression too long to read is its gate applied to `…`
    assert [s.node for s in steps[1:3]] == ["… + 1", "exp(…)"]


def test_explain_takes_names_and_builds_the_others_from_them():
    ex = sigmoid_gate()
    steps = list(explain(ex.root, names={ex.extra["dot"]: "dot"}))
    assert [s.node for s in steps[:5]] == ["f", "exp(-dot) + 1", "exp(-dot)", "-dot", "dot"]


def test_explain_gives_a_constant_no_local_gradient_and_leaves_a_folded_one_out():
    ex = sigmoid_gate()
    steps = list(explain(ex.root, digits=2))
    neg = steps[3]  # *-1
    assert neg.gate == "*-1" and neg.local == (-1.0, None) and neg.sends[1] is None
    rows = str(explain(ex.root, digits=2)).splitlines()
    neg_row = next(r for r in rows if r.split()[1:2] == ["*-1"])
    assert "1.00," not in neg_row and neg_row.split()[-3:] == ["-1.00", "-0.20", "0.20"]
    x = Value(2.0, label="x")
    y = (x ** 2) * 1.0
    y.backward()
    row = str(explain(y, digits=3)).splitlines()[-1]
    assert row.split()[1] == "**2" and "x = 2.000" in row and ", 2" not in row


def test_explain_rounds_half_away_from_zero():
    x = Value(10.125, label="x")
    y = x * 1.0
    y.label = "y"
    y.backward()
    assert "x = 10.13" in str(explain(y, digits=2))
