"""defgate: a user's gate becomes a row of GATES, checked against central differences first.

References: closed forms of each gate's derivative, and HIPS autograd for a graph that mixes a
user gate with built-in ones. Every gate a test defines is removed again (the `user_gates`
fixture): tests/test_gates.py generates its tests from the whole table.
"""

import math
import pickle
import random
import re

import autograd.numpy as anp
import pytest
from autograd import grad

from gategrad import nn
from gategrad.engine import (
    GATES,
    Constant,
    GateCheckError,
    Value,
    check_gate,
    defgate,
    draw,
    explain,
    gradcheck,
    remove_gate,
)
from gategrad.engine.check.defgate import GateFunction

pytestmark = pytest.mark.usefixtures("user_gates")


def sigmoid(x):
    return 1.0 / (1.0 + math.exp(-x))


def define_softplus(**options):
    return defgate("softplus", forward=lambda x: math.log1p(math.exp(x)),
                   local=lambda out, x: (sigmoid(x),), rule="d/dx = sigmoid(x)",
                   domain=(-20, 20), **options)


# --- defining and using -------------------------------------------------------------------------

def test_defgate_adds_a_row_to_the_gate_table():
    softplus = define_softplus(symbol="sp")
    assert isinstance(softplus, GateFunction) and softplus.__name__ == "softplus"
    gate = GATES["softplus"]
    assert softplus.gate is gate
    assert (gate.name, gate.symbol, gate.arity) == ("softplus", "sp", 1)
    assert gate.rule == "d/dx = sigmoid(x)"
    assert gate.forward(0.3) == math.log1p(math.exp(0.3))
    assert softplus.report.points >= 16 and softplus.report.edges == 2
    assert "matches central differences" in str(softplus.report)


def test_the_symbol_defaults_to_the_name():
    assert define_softplus().gate.symbol == "softplus"


@pytest.mark.parametrize("x", [-3.0, -0.4, 0.0, 2.5])
def test_a_user_gate_runs_forward_and_backward(x):
    softplus = define_softplus()
    v = Value(x, label="x")
    y = softplus(v)
    assert y.gate is GATES["softplus"] and y.parents == (v,) and y.op == "softplus"
    assert y.data == pytest.approx(math.log(1.0 + math.exp(x)), rel=1e-15)
    y.backward()
    assert v.grad == pytest.approx(sigmoid(x), rel=1e-15)


def test_plain_numbers_become_constants():
    softplus = define_softplus()
    y = softplus(1.5)
    assert isinstance(y, Value) and isinstance(y.parents[0], Constant)
    assert y.data == pytest.approx(math.log1p(math.exp(1.5)))


def test_a_user_gate_inside_a_graph_matches_hips_autograd():
    softplus = define_softplus()

    def f(a, b):
        return softplus(a * b) * b + a.tanh()

    def reference(a, b):
        return anp.log1p(anp.exp(a * b)) * b + anp.tanh(a)

    for a0, b0 in [(0.7, -1.3), (-2.0, 0.4), (1.1, 2.2)]:
        a, b = Value(a0), Value(b0)
        out = f(a, b)
        out.backward()
        assert out.data == pytest.approx(reference(a0, b0), rel=1e-12)
        assert a.grad == pytest.approx(grad(reference, 0)(a0, b0), rel=1e-12)
        assert b.grad == pytest.approx(grad(reference, 1)(a0, b0), rel=1e-12)


def test_gradcheck_runs_a_user_gate():
    softplus = define_softplus()
    result = gradcheck(lambda x, y: softplus(x * y) + softplus(y), 0.8, -1.7)
    assert result.ok and result.worst_abs < 1e-7


def test_a_user_gate_is_drawn_with_its_symbol_and_numbers():
    softplus = define_softplus(symbol="softplus⁺")
    x = Value(0.5, label="x")
    y = softplus(x)
    y.label = "y"
    y.backward()
    source = draw(y).source
    assert "softplus⁺" in source
    assert f"{math.log1p(math.exp(0.5)):.2f}" in source     # the value on the output wire
    assert f"{sigmoid(0.5):.2f}" in source                  # the gradient on x's wire


def test_explain_shows_a_user_gate_with_its_local_gradient():
    softplus = define_softplus()
    x = Value(-1.0, label="x")
    y = softplus(x * 2.0)
    y.label = "y"
    y.backward()
    steps = list(explain(y))
    assert steps[0].gate == "softplus"
    assert steps[0].local == pytest.approx((sigmoid(-2.0),))
    assert steps[1].sends[0] == pytest.approx(2.0 * sigmoid(-2.0))
    assert "softplus" in str(explain(y))


def test_animate_shows_a_user_gate_with_its_rule():
    from gategrad.engine import animate

    softplus = define_softplus()
    x = Value(0.0, label="x")
    y = softplus(x)
    player = animate(y)
    assert len(player) == 4  # the inputs, one gate forward, one gate backward, the end
    assert player.captions[2] == "softplus: local sigmoid(x) = 0.50, upstream 1.00, sends 0.50"
    assert "softplus" in player.frame(2).source


def test_compile_calls_a_user_gates_own_functions():
    from gategrad.engine import compile

    softplus = define_softplus()
    w, x = Value(0.5, label="w"), Value(-1.0, label="x")
    fn = compile(softplus(w * x) * w, inputs=[w, x])
    assert "gate_softplus.forward(" in fn.source and "gate_softplus.local(" in fn.source
    for w0, x0 in [(0.7, 2.0), (-1.2, 0.4)]:
        z = w0 * x0
        value, (dw, dx) = fn(w0, x0)  # f = softplus(w x) w, closed forms of its partials
        assert value == pytest.approx(math.log1p(math.exp(z)) * w0, rel=1e-12)
        assert dw == pytest.approx(sigmoid(z) * x0 * w0 + math.log1p(math.exp(z)), rel=1e-12)
        assert dx == pytest.approx(sigmoid(z) * w0 * w0, rel=1e-12)
    values, (dws, dxs) = fn.batch([0.7, -1.2], [2.0, 0.4])
    assert list(dws) == pytest.approx([fn(0.7, 2.0)[1][0], fn(-1.2, 0.4)[1][0]], rel=1e-15)


def test_a_user_gate_as_an_nn_activation():
    softplus = define_softplus()
    neuron = nn.Neuron(2, activation=softplus, rng=random.Random(3))
    x = [0.5, -1.5]
    out = neuron(x)
    out.backward()
    w, b = [p.data for p in neuron.w], neuron.b.data
    z = w[0] * x[0] + w[1] * x[1] + b
    assert out.data == pytest.approx(math.log1p(math.exp(z)), rel=1e-12)
    assert [p.grad for p in neuron.w] == pytest.approx([sigmoid(z) * xi for xi in x], rel=1e-12)
    assert neuron.b.grad == pytest.approx(sigmoid(z), rel=1e-12)


def test_an_mlp_with_a_user_activation_trains_on_its_gradients():
    softplus = define_softplus()
    model = nn.MLP(2, [3, 1], activation=softplus, rng=random.Random(0))
    loss = (model([1.0, -2.0]) - 1.0) ** 2
    loss.backward()
    leaves = model.parameters()
    numeric = []
    for p in leaves:  # central differences of the loss in each parameter
        p0 = p.data
        p.data = p0 + 1e-6
        hi = ((model([1.0, -2.0]) - 1.0) ** 2).data
        p.data = p0 - 1e-6
        lo = ((model([1.0, -2.0]) - 1.0) ** 2).data
        p.data = p0
        numeric.append((hi - lo) / 2e-6)
    assert [p.grad for p in leaves] == pytest.approx(numeric, rel=1e-5, abs=1e-8)


def test_a_graph_of_a_user_gate_pickles_by_the_gates_name():
    softplus = define_softplus()
    saved = pickle.dumps(softplus(Value(0.5)))
    assert pickle.loads(saved).gate is GATES["softplus"]
    remove_gate("softplus")
    with pytest.raises(ValueError, match="no gate named 'softplus'.*define it"):
        pickle.loads(saved)


# --- n-ary gates and domains ----------------------------------------------------------------

def test_an_n_ary_gate_takes_any_number_of_inputs():
    norm = defgate("norm", forward=lambda *xs: math.sqrt(math.fsum(x * x for x in xs)),
                   local=lambda out, *xs: tuple(x / out for x in xs),
                   rule="d/dx_i = x_i / out", domain=(0.5, 2.0))
    assert norm.gate.arity is None
    for values in [(3.0,), (3.0, 4.0), (1.0, 2.0, 2.0, 4.0)]:
        leaves = [Value(v) for v in values]
        out = norm(*leaves)
        out.backward()
        length = math.sqrt(sum(v * v for v in values))
        assert out.data == pytest.approx(length)
        assert [v.grad for v in leaves] == pytest.approx([v / length for v in values])


def test_an_n_ary_gate_with_a_wrong_partial_is_caught_for_every_input_count():
    with pytest.raises(GateCheckError, match=r"hint \(d/dxs\[0\], d/dxs\[1\], d/dxs\[2\]\)"):
        defgate("sumsq", forward=lambda *xs: math.fsum(x * x for x in xs),
                local=lambda out, *xs: tuple(xs), rule="d/dx_i = 2 x_i")


def test_one_interval_per_input():
    power = defgate("power", forward=lambda x, n: x ** n,
                    local=lambda out, x, n: (n * x ** (n - 1), out * math.log(x)),
                    rule="d/dx = n x^(n-1), d/dn = out log x", domain=[(0.1, 3.0), (-2.0, 2.0)])
    x, n = Value(2.0), Value(3.0)
    power(x, n).backward()
    assert (x.grad, n.grad) == pytest.approx((12.0, 8.0 * math.log(2.0)))


def test_a_domain_that_excludes_zero_with_a_sampler():
    def away_from_zero(rng):
        return rng.choice((-1.0, 1.0)) * rng.uniform(0.2, 4.0)

    inverse = defgate("inverse", forward=lambda x: 1.0 / x, local=lambda out, x: (-out * out,),
                      rule="d/dx = -out^2", domain=away_from_zero)
    assert inverse.report.edges == 0
    x = Value(-0.5)
    inverse(x).backward()
    assert x.grad == pytest.approx(-4.0)


def test_an_interval_that_excludes_zero():
    root = defgate("root", forward=lambda x: math.sqrt(x), local=lambda out, x: (0.5 / out,),
                   rule="d/dx = 1 / (2 sqrt(x))", domain=(0.01, 9.0))
    assert root.report.edges == 2


def test_a_gate_that_raises_outside_its_domain_is_reported_with_the_points():
    with pytest.raises(ValueError) as info:
        defgate("mylog", forward=lambda x: math.log(x), local=lambda out, x: (1.0 / x,),
                rule="d/dx = 1/x")
    message = str(info.value)
    assert "mylog gate: forward fails at" in message and "(the default: pass domain=...)" in message
    assert "ValueError: math domain error" in message
    points = [float(p) for p in re.findall(r"x=(-?[\d.e+-]+): ValueError", message)]
    assert points and all(p <= 0 for p in points)  # only where log is undefined
    assert "mylog" not in GATES


def square_of_a_length(x):
    if x < 0:
        raise ValueError(f"a length is >= 0, got {x}")
    return x * x


def test_edges_are_checked_one_sidedly_from_inside():
    # a central difference at the edge 0 would step to -1e-6, where forward raises
    square = defgate("square", forward=square_of_a_length, local=lambda out, x: (2 * x,),
                     rule="d/dx = 2x", domain=(0.0, 2.0))
    assert square.report.edges == 2
    # ... and a partial wrong only at the edge is found there
    with pytest.raises(GateCheckError, match=r"x=0 \(edge\)  d/dx     0   *1"):
        defgate("square_bad", forward=square_of_a_length,
                local=lambda out, x: (2 * x if x > 0 else 1.0,), rule="d/dx = 2x",
                domain=(0.0, 2.0))


# --- kinks --------------------------------------------------------------------------------------

@pytest.mark.parametrize("at_zero", [0.0, 0.5, 1.0])
def test_at_a_kink_any_value_between_the_one_sided_slopes_passes(at_zero):
    # a central difference at 0 would give 0.5 and fail 0 and 1: the kink is never crossed
    defgate("ramp", forward=lambda x: x if x > 0 else 0.0,
            local=lambda out, x: (1.0 if x > 0 else at_zero if x == 0 else 0.0,),
            rule="d/dx = 1 if x > 0 else 0", kinks=[0.0])


def test_a_kink_partial_outside_the_one_sided_slopes_is_caught():
    with pytest.raises(GateCheckError) as info:
        defgate("ramp", forward=lambda x: x if x > 0 else 0.0,
                local=lambda out, x: (1.0 if x > 0 else 2.0 if x == 0 else 0.0,),
                rule="d/dx = 1 if x > 0 else 0", kinks=[0.0])
    message = str(info.value)
    assert re.search(r"x=0\s+x\s+0\s+1\s+2", message)  # kink, direction, left, right, yours
    assert "between the one-sided slopes 0 and 1" in message


def test_a_wrong_slope_just_beside_a_kink_is_caught_on_its_side():
    with pytest.raises(GateCheckError, match=r"x=-0.001 \(beside a kink\)"):
        defgate("ramp", forward=lambda x: x if x > 0 else 0.0,
                local=lambda out, x: (1.0 if x > 0 else 0.0 if x == 0 or x < -0.01 else 0.3,),
                rule="d/dx = 1 if x > 0 else 0", kinks=[0.0], domain=(-3.0, 3.0))


def test_a_max_that_gives_a_tie_to_both_inputs_is_caught():
    with pytest.raises(GateCheckError) as info:
        defgate("mymax", forward=lambda a, b: a if a >= b else b,
                local=lambda out, a, b: (float(a >= b), float(b >= a)),
                rule="1 to the larger input", kinks=[(1.0, 1.0)])
    message = str(info.value)
    assert "all inputs together" in message
    assert "the partials must add up to 1; yours add up to 2" in message


# --- names, redefinition, check=False ---------------------------------------------------------

def test_a_built_in_name_is_refused():
    tanh = GATES["tanh"]
    with pytest.raises(ValueError, match="'tanh' is a built-in gate; give yours another name"):
        defgate("tanh", forward=math.tanh, local=lambda out, x: (1 - out * out,),
                rule="d/dx = 1 - out^2")
    assert GATES["tanh"] is tanh
    with pytest.raises(ValueError, match="'tanh' is a built-in gate"):
        remove_gate("tanh")


@pytest.mark.parametrize("name", ["", "1/x", "two words", "lambda", 3])
def test_a_name_must_be_an_identifier(name):
    with pytest.raises(ValueError, match="must be a Python identifier"):
        defgate(name, forward=math.tanh, local=lambda out, x: (1 - out * out,), rule="r")


def test_defining_again_replaces_a_user_gate_and_old_nodes_keep_their_row():
    first = defgate("double", forward=lambda x: 2 * x, local=lambda out, x: (2.0,), rule="d/dx = 2")
    old = first(Value(1.0))
    second = defgate("double", forward=lambda x: x + x, local=lambda out, x: (2.0,),
                     rule="d/dx = 2, again")
    assert GATES["double"] is second.gate and second.gate is not first.gate
    assert old.gate is first.gate
    assert second(Value(1.0)).gate.rule == "d/dx = 2, again"


def test_a_failed_redefinition_changes_nothing():
    first = defgate("double", forward=lambda x: 2 * x, local=lambda out, x: (2.0,), rule="d/dx = 2")
    with pytest.raises(GateCheckError):
        defgate("double", forward=lambda x: 2 * x, local=lambda out, x: (1.0,), rule="d/dx = 1")
    assert GATES["double"] is first.gate


def test_check_false_skips_the_check_and_check_gate_runs_it_on_demand():
    wrong = defgate("wrongexp", forward=math.exp, local=lambda out, x: (1.0,), rule="d/dx = 1",
                    check=False)
    assert wrong.report is None and GATES["wrongexp"] is wrong.gate
    for handle in (wrong, "wrongexp", wrong.gate):
        with pytest.raises(GateCheckError, match="off by a factor of the output"):
            check_gate(handle)


@pytest.mark.parametrize("name, options", [
    ("tanh", {}), ("sigmoid", {"domain": (-10, 10)}), ("exp", {}), ("log", {"domain": (0.05, 5)}),
    ("recip", {"domain": (0.2, 5)}), ("mul", {}), ("add", {}),
    ("relu", {"kinks": [0.0]}), ("max", {"kinks": [(1.0, 1.0), (-2.0, -2.0)]}),
    ("sum", {}),
])
def test_check_gate_passes_the_built_in_gates(name, options):
    report = check_gate(name, **options)
    assert report.points >= 16


def test_check_gate_names_an_unknown_gate():
    with pytest.raises(ValueError, match="no gate named 'nope'"):
        check_gate("nope")


# --- what a check reports -----------------------------------------------------------------------

def _first_row(message):
    """point, expected and computed of the first row of a GateCheckError's table."""
    row = re.search(r"\n  x=(\S+)\s+d/dx\s+(\S+)\s+(\S+)", message)
    return tuple(float(v) for v in row.groups())


def test_the_table_holds_the_numeric_and_the_computed_partial():
    with pytest.raises(GateCheckError) as info:
        defgate("badsig", forward=sigmoid, local=lambda out, x: (-out * (1 - out),),
                rule="d/dx = out(1 - out)")
    message = str(info.value)
    assert isinstance(info.value, AssertionError)
    assert "badsig gate: local disagrees with central differences of forward at 18 of 18" in message
    assert "The rule it was given: d/dx = out(1 - out)" in message
    x, expected, computed = _first_row(message)
    s = sigmoid(x)
    assert expected == pytest.approx(s * (1 - s), rel=1e-5)  # 6 digits printed
    assert computed == pytest.approx(-s * (1 - s), rel=1e-5)
    assert "badsig" not in GATES


WRONG = {  # name: (forward, a wrong local, options, what the hint must say)
    "sign": (sigmoid, lambda out, x: (-out * (1 - out),), {}, "off by a sign"),
    "forward value": (math.tanh, lambda out, x: (out,), {},
                      "the forward function's value where its derivative belongs"),
    "missing output factor": (math.exp, lambda out, x: (1.0,), {},
                              "the true partial is yours times out"),
    "extra output factor": (math.tanh, lambda out, x: (out * (1 - out * out),), {},
                            "yours divided by out"),
    "output for input": (lambda x: 1.0 / x, lambda out, x: (-1.0 / out ** 2,),
                         {"domain": (0.25, 4.0)}, "the output in place of the input"),
    "swapped": (lambda a, b: a * b, lambda out, a, b: (a, b), {},
                "your partial for a is the true partial for b"),
    "chain factor": (lambda w, x: math.log1p(math.exp(-w * x)),
                     lambda out, w, x: (sigmoid(w * x) - 1, sigmoid(w * x) - 1), {},
                     "a missing chain-rule factor: the true partial is yours times x"),
    "sign inside": (lambda w, x: math.log1p(math.exp(-w * x)),
                    lambda out, w, x: (sigmoid(-w * x) * x - x, sigmoid(-w * x) * w - w), {},
                    "a sign slip inside the formula"),
    "constant": (lambda x: x * x, lambda out, x: (x,), {},
                 "off by a constant factor: the true partial is 2 times yours"),
    "zero": (lambda a, b: a * b, lambda out, a, b: (0.0, a), {}, "your partial is 0"),
}


@pytest.mark.parametrize("case", WRONG)
def test_each_kind_of_wrong_local_gradient_is_caught_with_its_hint(case):
    forward, local, options, hint = WRONG[case]
    with pytest.raises(GateCheckError) as info:
        defgate("wrong", forward=forward, local=local, rule="the rule", **options)
    assert hint in str(info.value)
    assert "wrong" not in GATES


# --- a definition that is not a gate ------------------------------------------------------------

def test_a_local_without_the_output_argument_is_a_type_error():
    with pytest.raises(TypeError, match=r"local\(out, x\); yours takes \(x\)"):
        defgate("e", forward=math.exp, local=lambda x: (math.exp(x),), rule="d/dx = exp(x)")


def test_a_local_returning_a_bare_number_is_a_type_error():
    with pytest.raises(TypeError, match=r"one partial per input as a tuple \(d/dx,\)"):
        defgate("e", forward=math.exp, local=lambda out, x: out, rule="d/dx = out")


def test_a_local_returning_too_few_partials_is_a_type_error():
    with pytest.raises(TypeError, match=r"returned 1 partials for 2 inputs.*\(d/da, d/db\)"):
        defgate("m", forward=lambda a, b: a * b, local=lambda out, a, b: (b,), rule="r")


def test_a_forward_returning_a_non_number_is_a_type_error():
    with pytest.raises(TypeError, match="forward must return a real number"):
        defgate("v", forward=lambda x: Value(x), local=lambda out, x: (1.0,), rule="r")


def test_a_local_that_raises_is_reported_with_its_point():
    with pytest.raises(GateCheckError, match=r"local raised ZeroDivisionError at x="):
        defgate("sq", forward=lambda x: x * x, local=lambda out, x: (2 * x / (x - x),), rule="r")


def test_a_stub_raising_not_implemented_passes_through():
    def stub(out, x):
        raise NotImplementedError

    with pytest.raises(NotImplementedError):
        defgate("todo", forward=math.exp, local=stub, rule="d/dx = ?")
    assert "todo" not in GATES


@pytest.mark.parametrize("options, message", [
    ({"domain": (3.0, 1.0)}, "finite lo < hi"),
    ({"domain": (0.0, math.inf)}, "finite lo < hi"),
    ({"domain": [(0, 1), (0, 1), (0, 1)]}, "3 intervals for 2 inputs"),
    ({"domain": "wide"}, "domain must be a (lo, hi) interval"),
    ({"kinks": [1.0]}, "the kink 1.0: the gate takes 2 inputs"),
    ({"domain": lambda rng: None}, "a point is a number or a tuple of numbers"),
    ({"domain": lambda rng: (1.0,)}, "the domain sampler returned (1.0,): the gate takes 2"),
    ({"domain": lambda rng: (1.0, math.nan)}, "every input must be a finite real number"),
    ({"rule": ""}, "rule must say what the local gradient is"),
    ({"symbol": ""}, "symbol must be a non-empty string"),
])
def test_invalid_options_are_value_errors_naming_the_gate(options, message):
    arguments = {"forward": lambda a, b: a * b, "local": lambda out, a, b: (b, a),
                 "rule": "d/da = b, d/db = a", **options}
    with pytest.raises(ValueError) as info:
        defgate("prod", **arguments)
    assert message in str(info.value) and "prod gate" in str(info.value)


def test_a_forward_without_inputs_or_with_keyword_inputs_is_refused():
    with pytest.raises(ValueError, match="forward takes no inputs"):
        defgate("c", forward=lambda: 1.0, local=lambda out: (), rule="r")
    with pytest.raises(ValueError, match="may not require keyword arguments"):
        defgate("k", forward=lambda x, *, scale: x * scale, local=lambda out, x: (1.0,), rule="r")
    with pytest.raises(TypeError, match="forward must be a function"):
        defgate("n", forward=3.0, local=lambda out, x: (1.0,), rule="r")
