"""compile: the generated code against the plain graph on random graphs over every gate, batches
against a loop of single calls, the code itself, and its errors."""

import math
import random

import numpy as np
import pytest

from gategrad.engine import GATES, Value, compile, linear, sum_of
from gategrad.engine.codegen.compiler import TEMPLATES
from gategrad.engine.show.examples import EXAMPLES

# --- random graphs over every gate -------------------------------------------------------------

# Each builder makes a node from pool nodes, keeping inputs inside the gate's domain.
BUILDERS = {
    "add": lambda r, a, b: a + b,
    "mul": lambda r, a, b: a * b,
    "pow": lambda r, a, b: (a.tanh() * a.tanh() + 0.5) ** (b.tanh() + 1.5),  # base > 0, Value n
    "pow-const": lambda r, a, b: (a.tanh() * a.tanh() + 0.25) ** r.choice([2, 3, -1, 0.5]),
    "exp": lambda r, a, b: (a.tanh() * 2.0).exp(),
    "log": lambda r, a, b: (a * a + 0.5).log(),
    "max": lambda r, a, b: a.max(b),
    "recip": lambda r, a, b: 1 / (a * a + 1.0),
    "relu": lambda r, a, b: (a - 0.2).relu(),
    "tanh": lambda r, a, b: a.tanh(),
    "sigmoid": lambda r, a, b: (a * 3.0).sigmoid(),
    "linear": lambda r, a, b: linear([a, b, 0.5], [b, 1.5, a], -0.25),
    "sum": lambda r, a, b: sum_of([a, b, a, 2.0]),
    "sub-div": lambda r, a, b: (a - b) / (b * b + 2.0) - 1.0,
}


def random_graph(seed: int, gates=tuple(BUILDERS)):
    rng = random.Random(seed)
    inputs = [Value(rng.uniform(-1.5, 1.5), label=f"x{i}") for i in range(4)]
    pool = list(inputs)
    for _ in range(30):
        a, b = rng.choice(pool), rng.choice(pool)  # the same node twice: shared nodes and forks
        pool.append(BUILDERS[rng.choice(gates)](rng, a, b))
    root = sum_of(pool[-4:]) * pool[-5]
    return inputs, root


def plain(seed, values, gates=tuple(BUILDERS)):
    """The plain graph's value and input gradients at `values`: the same graph built anew."""
    inputs, root = _rebuild(seed, values, gates)
    root.backward()
    return root.data, [x.grad for x in inputs]


def _rebuild(seed, values, gates):
    rng = random.Random(seed)
    for _ in range(4):
        rng.uniform(-1.5, 1.5)
    inputs = [Value(v, label=f"x{i}") for i, v in enumerate(values)]
    pool = list(inputs)
    for _ in range(30):
        a, b = rng.choice(pool), rng.choice(pool)
        pool.append(BUILDERS[rng.choice(gates)](rng, a, b))
    return inputs, sum_of(pool[-4:]) * pool[-5]


def close(a, b):
    return a == pytest.approx(b, rel=1e-12, abs=1e-12)


@pytest.mark.parametrize("seed", range(40))
def test_compiled_code_equals_the_plain_graph_at_new_inputs(seed):
    inputs, root = random_graph(seed)
    fn = compile(root, inputs)
    rng = random.Random(1000 + seed)
    for _ in range(3):
        values = [rng.uniform(-1.5, 1.5) for _ in inputs]
        expected_value, expected_grads = plain(seed, values)
        value, grads = fn(*values)
        assert close(value, expected_value)
        assert all(close(g, e) for g, e in zip(grads, expected_grads)), (grads, expected_grads)


@pytest.mark.parametrize("name", sorted(set(BUILDERS) - {"sub-div", "pow-const"}))
def test_each_gate_alone_compiles_to_the_plain_graph(name):
    for seed in range(5):
        inputs, root = random_graph(seed, gates=(name,))
        value, grads = compile(root, inputs)(*[x.data for x in inputs])
        root.backward()
        assert close(value, root.data)
        assert all(close(g, x.grad) for g, x in zip(grads, inputs))


def test_every_gate_of_the_table_is_compiled_by_a_template_or_the_row_itself():
    written_out = {"linear", "sum"}
    by_its_row = {"softmax_ce"}  # the generated code calls the row's forward and local
    assert set(GATES) <= set(TEMPLATES) | written_out | by_its_row
    for name, template in TEMPLATES.items():
        assert name in GATES and template.forward


@pytest.mark.parametrize("backend", ["numpy", "python"])
@pytest.mark.parametrize("seed", range(12))
def test_batch_equals_a_loop_of_single_calls(seed, backend):
    inputs, root = random_graph(seed)
    fn = compile(root, inputs)
    rng = random.Random(seed)
    samples = 7
    columns = [[rng.uniform(-1.5, 1.5) for _ in range(samples)], 0.3,
               [rng.uniform(-1.5, 1.5) for _ in range(samples)], -0.7]  # two broadcast inputs
    ys, grads = fn.batch(*columns, backend=backend)
    for k in range(samples):
        args = [c[k] if isinstance(c, list) else c for c in columns]
        y, g = fn(*args)
        assert close(ys[k], y)
        assert close(grads[0][k], g[0]) and close(grads[2][k], g[2])
    # a broadcast input's gradient is its gradient summed over the samples
    loop = [fn(*[c[k] if isinstance(c, list) else c for c in columns])[1] for k in
            range(samples)]
    assert grads[1] == pytest.approx(sum(g[1] for g in loop), rel=1e-12)
    assert grads[3] == pytest.approx(sum(g[3] for g in loop), rel=1e-12)


def test_relu_and_max_are_right_per_sample_in_a_batch():
    x, y = Value(0.0, label="x"), Value(0.0, label="y")
    f = x.relu() * 2.0 + x.max(y)
    fn = compile(f, [x, y])
    xs, ys_ = [-1.0, 0.0, 2.0, 3.0], [1.0, 0.0, 1.0, 5.0]
    for backend in ("numpy", "python"):
        out, (dx, dy) = fn.batch(xs, ys_, backend=backend)
        assert list(out) == [1.0, 0.0, 6.0, 11.0]
        assert list(dx) == [0.0, 0.5, 3.0, 2.0]   # relu'(0) = 0 and a tie splits 0.5/0.5
        assert list(dy) == [1.0, 0.5, 0.0, 1.0]


def test_batch_shapes_and_types():
    x, w = Value(1.0, label="x"), Value(2.0, label="w")
    fn = compile((x * w).tanh(), [x, w])
    ys, (dx, dw) = fn.batch(np.array([0.1, 0.2, 0.3]), 0.5)
    assert isinstance(ys, np.ndarray) and ys.shape == (3,) and dx.shape == (3,)
    assert isinstance(dw, float)
    ys, (dx, dw) = fn.batch([0.1, 0.2, 0.3], 0.5, backend="python")
    assert isinstance(ys, list) and len(dx) == 3 and isinstance(dw, float)


def test_a_graph_that_does_not_depend_on_the_batch_still_gives_one_output_per_sample():
    x, w = Value(1.0, label="x"), Value(3.0, label="w")
    fn = compile(w * w, [x, w])
    ys, (dx, dw) = fn.batch([1.0, 2.0], 3.0)
    assert list(ys) == [9.0, 9.0] and list(dx) == [0.0, 0.0] and dw == 12.0


# --- the code ----------------------------------------------------------------------------------

def test_the_sigmoid_example_compiles_to_the_lecture_s_staged_computation():
    ex = EXAMPLES["sigmoid-gate"]()
    inputs = list(ex.inputs.values())
    fn = compile(ex.root, inputs)
    lines = [line.strip() for line in fn.source.splitlines()]
    assert lines[0] == "def grad_f(w0, x0, w1, x1, w2, d_f=1.0):"
    for expected in ["t1 = w0 * x0  # *", "t2 = w1 * x1  # *", "t3 = t1 + t2  # +",
                     "t4 = t3 + w2  # +", "t5 = t4 * -1.0  # *-1", "t6 = exp(t5)  # exp",
                     "t7 = t6 + 1.0  # +1", "f = recip(t7)  # 1/x",
                     "d_t7 = -f * f * d_f  # 1/x: d/dx = -1/x^2 = -f^2",
                     "d_t5 = t6 * d_t6  # exp: d/dx = exp(x) = t6",
                     "d_t4 = -1.0 * d_t5  # *-1: d/dx = -1",
                     "d_t6 = d_t7  # +1: d/dx = 1",
                     "d_w0 = x0 * d_t1  # *: d/da = b, d/db = a",
                     "return (f,), (d_w0, d_x0, d_w1, d_x1, d_w2)"]:
        assert expected in lines, expected
    forward = [line for line in lines if " # " in line and not line.startswith("d_")]
    assert len(forward) == 8  # one line per gate
    assert lines[1] == "from gategrad.engine.codegen.runtime import exp, recip"
    value, grads = fn(*[x.data for x in inputs])
    assert round(value, 2) == 0.73
    assert [round(g, 2) for g in grads] == [-0.2, 0.39, -0.39, -0.59, 0.2]


def test_a_fork_adds_with_plus_equals():
    x = Value(2.0, label="x")
    h = x * 3.0
    h.label = "h"
    f = h * h + h
    source = compile(f, [x]).source
    assert "d_h = " in source and "d_h += " in source
    assert compile(f, [x])(2.0)[1] == (2 * 6.0 * 3.0 + 3.0,)


def test_a_leaf_not_among_the_inputs_keeps_its_traced_number():
    x, w = Value(1.0, label="x"), Value(4.0, label="w")
    fn = compile(x * w, [x])
    assert "w = 4.0" in fn.source
    w.data = 100.0
    assert fn(2.0) == (8.0, (4.0,))


def test_several_outputs_need_their_upstream_gradients():
    x = Value(1.0, label="x")
    a, b = x * 2.0, x.exp()
    fn = compile([a, b], [x])
    outs, (dx,) = fn(0.5, grad_output=[1.0, 10.0])
    assert outs == (1.0, math.exp(0.5)) and dx == pytest.approx(2.0 + 10.0 * math.exp(0.5))
    with pytest.raises(ValueError, match="grad_output"):
        fn(0.5)


def test_labels_that_are_not_identifiers_become_names():
    w = Value(0.5, label="L1.N1.w0")
    x = Value(2.0, label="class")
    src = compile(w * x, [w, x]).source
    assert src.startswith("def grad_out(L1_N1_w0, class_, d_out=1.0):")


# --- errors ------------------------------------------------------------------------------------

def test_errors_name_the_gate_value_and_sample():
    x = Value(1.0, label="x")
    fn = compile(x.log(), [x])
    with pytest.raises(ValueError, match=r"log gate: .*-2\.0"):
        fn(-2.0)
    for backend in ("numpy", "python"):
        with pytest.raises(ValueError, match=r"log gate: .*-1\.0.*sample 7 of the batch"):
            fn.batch([1.0] * 7 + [-1.0, 2.0], backend=backend)
    fn = compile(1 / x, [x])
    for backend in ("numpy", "python"):
        with pytest.raises(ZeroDivisionError, match=r"1/x gate.*sample 1"):
            fn.batch([2.0, 0.0], backend=backend)
    fn = compile(x.exp(), [x])
    with pytest.raises(OverflowError, match=r"exp gate.*sample 0"):
        fn.batch([800.0, 1.0])


def test_bad_calls():
    x, y = Value(1.0, label="x"), Value(2.0, label="y")
    fn = compile(x * y, [x, y])
    with pytest.raises(TypeError, match=r"takes 2 inputs \(x, y\), got 1"):
        fn(1.0)
    with pytest.raises(TypeError, match=r"input 1 \(x\) must be a real number.*'a'"):
        fn("a", 1.0)
    with pytest.raises(ValueError, match="differ in length"):
        fn.batch([1.0, 2.0], [1.0])
    with pytest.raises(ValueError, match="backend"):
        fn.batch([1.0], 2.0, backend="torch")
    with pytest.raises(TypeError, match="leaf Value"):
        compile(x * y, [x * y])
    with pytest.raises(ValueError, match="listed twice"):
        compile(x * y, [x, x])


def test_wrt_differentiates_with_respect_to_some_inputs_only():
    x, w, b = Value(0.5, label="x"), Value(2.0, label="w"), Value(0.1, label="b")
    f = (w * x + b).tanh()
    fn = compile(f, [x, w, b], wrt=[w, b])
    assert "d_x" not in fn.source
    y, (dw, db) = fn(0.5, 2.0, 0.1)
    f.backward()
    assert (dw, db) == (w.grad, b.grad)
    for backend in ("numpy", "python"):
        ys, (dw_sum, db_sum) = fn.batch([0.5, 0.5], 2.0, 0.1, backend=backend)
        assert dw_sum == pytest.approx(2 * w.grad) and db_sum == pytest.approx(2 * b.grad)
    with pytest.raises(ValueError, match="wrt"):
        compile(f, [x], wrt=[w])


@pytest.mark.parametrize("backend", ["numpy", "python"])
def test_grad_false_gives_the_outputs_alone(backend):
    inputs, root = random_graph(3)
    fn = compile(root, inputs)
    columns = [[0.1, -0.4, 1.2], 0.3, [0.5, 0.5, -1.0], -0.7]
    ys = fn.batch(*columns, backend=backend, grad=False)
    expected, _ = fn.batch(*columns, backend=backend)
    assert list(ys) == list(expected)


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid", "linear"])
def test_a_layer_of_neurons_runs_as_one_matrix_product_with_the_same_numbers(activation):
    from gategrad import nn

    model = nn.MLP(3, [5, 4, 2], activation=activation, rng=random.Random(1))
    params = model.parameters()
    x = [Value(0.0, label=f"x{i}") for i in range(3)]
    out = model(x)
    fn = compile(out, [*params, *x], wrt=params)
    batched = (False,) * len(params) + (True,) * 3 + (False, False)
    source = fn.batch_source("numpy", batched=batched)
    assert source.count("as one matrix product") == 3
    assert ("A1 = " in source) == (activation != "linear")
    rng = random.Random(5)
    columns = [[rng.uniform(-2, 2) for _ in range(9)] for _ in range(3)]
    seeds = [0.5, -1.5]
    data = [p.data for p in params]
    outs_np, grads_np = fn.batch(*data, *columns, grad_output=seeds, backend="numpy")
    outs_py, grads_py = fn.batch(*data, *columns, grad_output=seeds, backend="python")
    for a, b in zip(outs_np, outs_py):
        assert list(a) == pytest.approx(b, rel=1e-12, abs=1e-12)
    assert list(grads_np) == pytest.approx(grads_py, rel=1e-11, abs=1e-12)
    # and against the plain graph, summed over the samples
    expected = [0.0] * len(params)
    for k in range(9):
        xs = [Value(c[k]) for c in columns]
        o = model(xs)
        (o[0] * seeds[0] + o[1] * seeds[1]).backward()
        for i, p in enumerate(params):
            expected[i] += p.grad
            p.grad = 0.0
    assert list(grads_np) == pytest.approx(expected, rel=1e-11, abs=1e-12)


def test_the_source_runs_on_its_own_in_a_fresh_namespace(user_gates):
    from gategrad.engine import defgate
    softplus = defgate("softplus", forward=lambda x: math.log1p(math.exp(x)),
                       local=lambda out, x: (1 / (1 + math.exp(-x)),), rule="d/dx = sigmoid(x)",
                       domain=(-20, 20))
    for seed in range(5):
        inputs, root = random_graph(seed)
        root = softplus(root * 0.1) + root.max(inputs[0]) ** 2
        fn = compile(root, inputs)
        namespace = {}
        exec(fn.source, namespace)  # nothing given: the source imports what it calls
        values = [0.3, -0.7, 1.1, 0.4]
        out, grads = namespace[fn.name](*values)
        expected_out, expected = fn(*values)
        assert out == (expected_out,) and grads == expected


def test_a_square_and_folded_constants_read_as_a_person_writes_them():
    q = Value(0.26, label="q2")
    x = Value(2.0, label="x")
    f = q ** 2 + (x * 3.0).max(1.0) + 2.0 ** x
    src = compile(f, [q, x]).source
    assert "d_q2 = 2.0 * q2 * d_t" in src and "# **2: d/dx = 2 x" in src
    assert "# *3: d/dx = 3" in src and "# max(·, 1): d/dx = 1 if x > 1, 0 if x < 1" in src
    assert "# 2**: d/dx = 2^x log 2" in src
    assert compile(f, [q, x])(0.26, 2.0)[1][0] == 2.0 * 0.26


def test_batch_without_numpy_runs_the_python_backend_and_says_so_once(monkeypatch, capsys):
    from gategrad.engine.codegen import compiler
    monkeypatch.setattr(compiler, "_numpy", lambda: None)  # as in a browser without numpy
    monkeypatch.setattr(compiler, "_said", set())
    a, b = Value(0.5, label="a"), Value(2.0, label="b")
    fn = compile((a * b + a).tanh(), inputs=[a, b])
    for _ in range(3):
        values, grads = fn.batch([0.5, -1.0], 2.0)
    assert type(values) is list and math.isclose(values[1], math.tanh(-3.0))
    assert math.isclose(grads[0][1], (1 - math.tanh(-3.0) ** 2) * 3.0)
    notice = capsys.readouterr().err
    assert notice.count("fn.batch: numpy is not installed, so batches run on the python") == 1
    with pytest.raises(ImportError, match=r"batch\(backend='numpy'\) needs numpy"):
        fn.batch([0.5], 2.0, backend="numpy")
