"""compile is exact or it refuses: random graphs with several outputs, outputs that are inputs,
any labels, non-finite leaves and redefined gates, through fn, fn.batch(python) and
fn.batch(numpy), against the plain graph; the zero rules; columns checked alike by both
backends; and models whose graph depends on the numbers, which fit trains on the plain graph."""

import math
import random

import numpy as np
import pytest
from test_compile import BUILDERS

from gategrad import nn
from gategrad.engine import GATES, Value, apply, as_value, compile, defgate
from gategrad.engine.codegen.tracing import DataDependentError, trace

LABELS = ["µ", "μ", "A1", "W1", "Z2", "dX1", "total", "zip", "enumerate", "float", "x_all",
          "ﬁ", "fi", "w₁", "w1", 3, "ℯ", "e", "class", "d_x", "grad_out", "−z", "z", "-z", "",
          "k", "samples", "np", "chain", "gate_add", "out", "t1", "in1", "x y", "1abc", "λ",
          "local", "columns", "exp", "x_seed", "None", "_"]


def labelled_graph(seed: int):
    """A random graph over every gate, its inputs and nodes given labels from LABELS, with
    several outputs (one of them an input, one feeding another)."""
    rng = random.Random(seed)
    inputs = [Value(rng.uniform(-1.5, 1.5), label=rng.choice(LABELS)) for _ in range(4)]
    pool = list(inputs)
    for _ in range(25):
        a, b = rng.choice(pool), rng.choice(pool)
        node = BUILDERS[rng.choice(list(BUILDERS))](rng, a, b)
        node.label = rng.choice(LABELS)
        pool.append(node)
    late = pool[-1] * pool[-3] + pool[-2]
    outputs = [late, pool[-3], inputs[0]]  # pool[-3] feeds late; inputs[0] is an output
    return inputs, outputs


def plain_gradients(outputs, inputs, seeds):
    """The plain graph's d(sum seed_i * output_i)/d input, and its outputs' numbers."""
    for v in {id(n): n for o in outputs for n in o.nodes()}.values():
        v.grad = 0.0
    total = outputs[0] * seeds[0]
    for o, s in zip(outputs[1:], seeds[1:]):
        total = total + o * s
    total.backward()
    return [o.data for o in outputs], [x.grad for x in inputs]




@pytest.mark.parametrize("seed", range(30))
def test_random_labelled_graphs_with_several_outputs_agree_everywhere(seed):
    inputs, outputs = labelled_graph(seed)
    fn = compile(outputs, inputs)
    seeds = [1.0, -0.5, 2.0]
    expected_outs, expected = plain_gradients(outputs, inputs, seeds)
    outs, grads = fn(*[x.data for x in inputs], grad_output=seeds)
    assert list(outs) == pytest.approx(expected_outs, rel=1e-12, abs=1e-12)
    assert list(grads) == pytest.approx(expected, rel=1e-10, abs=1e-10)
    # a batch of three copies of the sample, with per-sample seeds: every sample the same
    columns = [[x.data] * 3 for x in inputs]
    for backend in ("python", "numpy"):
        b_outs, b_grads = fn.batch(*columns, grad_output=[[s] * 3 for s in seeds],
                                   backend=backend)
        for o, e in zip(b_outs, expected_outs):
            assert list(o) == pytest.approx([e] * 3, rel=1e-12, abs=1e-12)
        for g, e in zip(b_grads, expected):
            assert list(g) == pytest.approx([e] * 3, rel=1e-10, abs=1e-10), backend
        # broadcast inputs: each gradient summed over the three samples, the seeds per sample
        b_outs, b_grads = fn.batch(*[x.data for x in inputs],
                                   grad_output=[[s, s, s] for s in seeds], backend=backend)
        assert list(b_grads) == pytest.approx([3 * e for e in expected], rel=1e-10, abs=1e-10)


def test_labels_that_python_reads_as_one_name_stay_two_variables():
    micro, mu = Value(2.0, label="µ"), Value(3.0, label="μ")  # NFKC makes them one identifier
    fi_ligature, fi = Value(5.0, label="ﬁ"), Value(7.0, label="fi")
    f = micro * 10.0 + mu + fi_ligature * 100.0 + fi * 1000.0
    fn = compile(f, [micro, mu, fi_ligature, fi])
    value, grads = fn(2.0, 3.0, 5.0, 7.0)
    assert value == 2.0 * 10 + 3.0 + 500.0 + 7000.0 and grads == (10.0, 1.0, 100.0, 1000.0)
    assert fn.source.startswith("def grad_out(μ, μ_2, fi, fi_2, d_out=1.0):")


def test_names_the_code_uses_itself_are_never_taken_by_a_label():
    x = Value(0.5, label="x")
    nodes = {}
    for label in ["total", "zip", "enumerate", "float", "x_all", "A1", "samples", "chain",
                  "np", "k", "w₁", 7, "class"]:
        nodes[str(label)] = (x * 2.0).tanh()
        nodes[str(label)].label = label
    root = sum(nodes.values(), Value(0.0, label="start"))
    root.label = "ℯ"
    fn = compile(root, [x])
    value, (dx,) = fn.batch([0.5, 0.5], backend="python")
    root.backward()
    assert value == [root.data, root.data] and dx == pytest.approx([x.grad, x.grad], rel=1e-12)
    assert fn.name == "grad_e"
    for name in ["total_", "zip_", "enumerate_", "float_", "x_all_", "A1_", "w1", "class_"]:
        assert f"{name} = " in fn.source, name


def test_a_layer_array_name_as_a_label_does_not_change_numpy_gradients():
    model = nn.MLP(2, [3, 3, 1], rng=random.Random(0))
    params = model.parameters()
    x = [Value(0.3, label="A1"), Value(-0.2, label="W2")]
    out = model(x)
    for i, v in enumerate(out.nodes()):
        if v.gate is not None and not v.label:
            v.label = ["A1", "Z1", "X1", "D1"][i % 4]
    fn = compile(out, [*params, *x], wrt=params)
    rng = random.Random(1)
    columns = [[rng.uniform(-1, 1) for _ in range(5)] for _ in range(2)]
    data = [p.data for p in params]
    _, numpy_grads = fn.batch(*data, *columns, backend="numpy")
    _, python_grads = fn.batch(*data, *columns, backend="python")
    assert list(numpy_grads) == pytest.approx(python_grads, rel=1e-11, abs=1e-12)


@pytest.mark.parametrize("backend", ["call", "python", "numpy"])
def test_the_zero_rules_hold_in_compiled_code(backend):
    def run(fn, *values):
        if backend == "call":
            return list(fn(*values)[1])
        _, grads = fn.batch(*[[v, v] for v in values], backend=backend)
        return [g[0] for g in grads]

    x = Value(0.0, label="x")
    f = (x ** 0.5).relu() + x  # relu's zero local gradient meets sqrt's infinite one at 0
    f.backward()
    assert x.grad == 1.0
    assert run(compile(f, [x]), 0.0) == [1.0]
    u, w = Value(math.inf, label="u"), Value(2.0, label="w")
    g = (u * w + u).tanh()  # tanh' = 0 at +inf: nothing flows back, no 0 * inf
    g.backward()
    assert (u.grad, w.grad) == (0.0, 0.0)
    assert run(compile(g, [u, w]), math.inf, 2.0) == [0.0, 0.0]


def test_a_nan_input_still_gives_nan_gradients():
    x = Value(1.0, label="x")
    fn = compile((x * 3.0).tanh(), [x])
    value, (dx,) = fn(math.nan)
    assert math.isnan(value) and math.isnan(dx)


@pytest.mark.parametrize("number", [math.inf, -math.inf, math.nan])
def test_a_leaf_not_among_the_inputs_may_hold_a_non_finite_number(number):
    x, c = Value(1.0, label="x"), Value(number, label="c")
    f = x.max(c) + x
    fn = compile(f, [x])
    value, (dx,) = fn(1.0)
    f.backward()
    assert (value == f.data or math.isnan(value) and math.isnan(f.data))
    assert dx == x.grad or math.isnan(dx) and math.isnan(x.grad)


def test_a_value_exponent_needs_a_positive_base_in_compiled_code_too():
    x, n = Value(2.0, label="x"), Value(3.0, label="n")
    fn = compile(x ** n, [x, n])
    assert fn(2.0, 3.0)[0] == 8.0
    with pytest.raises(ValueError, match="positive base"):
        Value(-2.0) ** n
    with pytest.raises(ValueError, match=r"positive base, got base 0\.0"):
        apply(GATES["pow"], Value(0.0), n)  # the table's row directly: the same refusal
    assert apply(GATES["pow"], Value(0.0), 2.0).data == 0.0  # a constant exponent: any base
    with pytest.raises(ValueError, match=r"positive base, got base -2\.0"):
        fn(-2.0, 3.0)
    for backend in ("python", "numpy"):
        with pytest.raises(ValueError, match=r"positive base, got base 0\.0.*sample 1"):
            fn.batch([1.0, 0.0], 2.0, backend=backend)
    y = Value(-2.0, label="y")
    assert compile(y ** 2, [y])(-3.0) == (9.0, (-6.0,))  # a constant exponent: any base


def test_a_redefined_gate_runs_as_each_node_was_made(user_gates):
    twice = defgate("scale", forward=lambda x: 2.0 * x, local=lambda out, x: (2.0,),
                    rule="d/dx = 2")
    x = Value(1.0, label="x")
    old = twice(x)
    thrice = defgate("scale", forward=lambda x: 3.0 * x, local=lambda out, x: (3.0,),
                     rule="d/dx = 3")
    f = old + thrice(x)
    f.backward()
    assert (f.data, x.grad) == (5.0, 5.0)
    fn = compile(f, [x])
    assert fn(1.0) == (5.0, (5.0,))
    for backend in ("python", "numpy"):
        outs, (dx,) = fn.batch([1.0, 2.0], backend=backend)
        assert list(outs) == [5.0, 10.0] and list(dx) == [5.0, 5.0]


def test_an_output_that_feeds_another_gives_per_sample_gradients():
    x = Value(0.5, label="x")
    a = x * 3.0
    b = a.tanh() * a
    fn = compile([a, b], [x])
    columns = [0.1, -0.4, 0.9]
    for backend in ("python", "numpy"):
        _, (dx,) = fn.batch(columns, grad_output=[1.0, 1.0], backend=backend)
        for k, value in enumerate(columns):
            assert dx[k] == pytest.approx(fn(value, grad_output=[1.0, 1.0])[1][0], rel=1e-14)


def test_an_output_that_is_an_input():
    x = Value(0.5, label="x")
    fn = compile(x, inputs=[x])
    assert fn(2.0) == (2.0, (1.0,))
    for backend in ("python", "numpy"):
        outs, (dx,) = fn.batch([1.0, 2.0], backend=backend)
        assert list(outs) == [1.0, 2.0] and list(dx) == [1.0, 1.0]
        outs, (dx,) = fn.batch([1.0, 2.0], grad_output=[3.0, 4.0], backend=backend)
        assert list(dx) == [3.0, 4.0]


@pytest.mark.parametrize("bad", [None, True, "0.5", {"a": 1.0}, b"1"])
def test_both_backends_refuse_the_same_bad_columns(bad):
    x, y = Value(1.0, label="x"), Value(2.0, label="y")
    fn = compile(x * y, [x, y])
    messages = []
    for backend in ("python", "numpy"):
        with pytest.raises(TypeError) as error:
            fn.batch([1.0, bad, 3.0] if not isinstance(bad, (dict, bytes)) else bad, [1.0] * 3,
                     backend=backend)
        messages.append(str(error.value))
    assert messages[0] == messages[1] and "input 1 (x)" in messages[0]
    with pytest.raises(TypeError, match="bool"):
        fn.batch(np.array([True, False]), 1.0, backend="numpy")
    with pytest.raises(TypeError, match="real number"):
        fn(None, 1.0)


def test_compile_a_function_as_jax_jit_does():
    fn = compile(lambda x, w: (x * w).tanh(), [0.5, -1.0])
    assert fn.source.startswith("def grad_out(x, w, d_out=1.0):")
    value, (dx, dw) = fn(0.3, 2.0)
    assert value == pytest.approx(math.tanh(0.6), rel=1e-15)
    assert dw == pytest.approx((1 - math.tanh(0.6) ** 2) * 0.3, rel=1e-15)
    with pytest.raises(DataDependentError, match=r"test_compile_exact\.py:\d+"):
        compile(lambda x: x * 2.0 if x.data > 0 else x * -1.0, [0.5])


def test_trace_refuses_the_three_ways_a_model_reads_its_numbers():
    x = Value(0.5, label="x0")
    with pytest.raises(DataDependentError, match="'x0'"):
        trace(lambda x: x * 2.0 if x.data > 0 else x, [x])
    with pytest.raises(DataDependentError):
        trace(lambda x: Value(x.data ** 2) * x, [x])
    with pytest.raises(DataDependentError, match="a \\* gate"):
        trace(lambda x: (x * 3.0) * (x * 3.0).data, [x])
    assert type(x) is Value and x.grad == 0.0
    # printing a node while tracing reads nothing that shapes the graph
    assert trace(lambda x: (print(x * 2.0), x * 2.0)[1], [x]).data == 1.0


# --- models whose graph depends on the numbers: fit trains them on the plain graph ------------

class Branchy(nn.Module):
    """if x0 > 0: w * x1, else: w * x1 * 3."""

    def __init__(self):
        self.w = Value(0.1, label="w")

    def __call__(self, x):
        x = [as_value(v) for v in x]  # fit hands the plain graph numbers, compile Values
        return self.w * x[1] if x[0].data > 0 else self.w * x[1] * 3.0

    def parameters(self):
        return [self.w]


class SquaredFeature(Branchy):
    """w * x0² with the square made as a plain number."""

    def __call__(self, x):
        return self.w * Value(as_value(x[0]).data ** 2)


class PlainNumberInput(Branchy):
    """w * x1 * x0, x0 used as a plain number."""

    def __call__(self, x):
        return self.w * x[1] * as_value(x[0]).data


@pytest.mark.parametrize("model_class", [Branchy, SquaredFeature, PlainNumberInput])
def test_fit_trains_a_data_dependent_model_on_the_plain_graph(model_class, capsys):
    X, y = nn.data.xor()
    X = [[2 * a - 1, 2 * b - 1] for a, b in X]
    y = [a * b for a, b in X]
    runs = []
    for compiled in (None, False):
        model = model_class()
        history = nn.fit(model, X, y, loss="mse", epochs=30, lr=0.1, progress=False,
                         compile=compiled)
        runs.append((model.w.data, history.train_loss))
    assert runs[0] == runs[1]  # the default ends exactly where the plain graph does
    assert runs[0][1][-1] < runs[0][1][0]  # and it learned
    assert "not compiled" in capsys.readouterr().err
    with pytest.raises(DataDependentError):
        nn.fit(model_class(), X, y, loss="mse", epochs=1, progress=False, compile=True)


def test_a_long_graph_runs_in_pieces_and_its_batch_call_by_call():
    x, w = Value(0.5, label="x"), Value(0.3, label="w")
    v = x
    for _ in range(1200):  # 3,600 gates: more lines than one piece, a batch loop too long
        v = (v * w + 0.25).tanh()
    v.backward()
    fn = compile(v, [x, w])
    value, grads = fn(0.5, 0.3)
    assert value == v.data and grads == pytest.approx((x.grad, w.grad), rel=1e-12)
    columns = [[0.5, -0.1, 0.9], 0.3]
    outs_py, grads_py = fn.batch(*columns, backend="python")
    outs_np, grads_np = fn.batch(*columns, backend="numpy")
    assert outs_py == pytest.approx(list(outs_np), rel=1e-12)
    assert grads_py[0] == pytest.approx(list(grads_np[0]), rel=1e-12)
    assert grads_py[1] == pytest.approx(grads_np[1], rel=1e-12)
    assert outs_py[0] == value


def test_maxout_training_compiled_agrees_to_rounding_and_splits_an_exact_tie_alike():
    X, y = nn.data.moons(30, noise=0.1, seed=4)

    def trained(compiled, tie=False):
        model = nn.MLP(2, [4, 1], activation="maxout", rng=random.Random(7))
        if tie:  # every unit's two pieces the same: an exact tie in both engines
            for unit in model.layers[0].neurons:
                first, second = unit.pieces
                for a, b in zip(first.parameters(), second.parameters()):
                    b.data = a.data
        nn.fit(model, X, y, loss="hinge", epochs=3, lr=0.1, progress=False, compile=compiled)
        return [p.data for p in model.parameters()]

    # a few steps: equal to rounding (the generated code adds a layer's products in another
    # order; over a long run an exact tie may then break one way in one and the other way in
    # the other, which is what fit's docstring says)
    assert trained(True) == pytest.approx(trained(False), rel=1e-12, abs=1e-14)
    tied_compiled, tied_plain = trained(True, tie=True), trained(False, tie=True)
    assert tied_compiled == pytest.approx(tied_plain, rel=1e-12, abs=1e-14)
    first_unit = tied_plain[:6]  # the two pieces of the tied unit moved together: 0.5/0.5
    assert first_unit[:3] == pytest.approx(first_unit[3:], rel=1e-15)
