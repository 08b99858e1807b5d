"""Vectors over the scalar graph: the lecture's vectorized example exact, shapes checked by
name, Jacobians in both modes against central differences (and PyTorch where installed), the
fused softmax cross-entropy gate, the block diagram, explain's vector-Jacobian product, and
compile on a graph built from vectors."""

import math
import random

import numpy as np
import pytest

import gategrad as gg
from gategrad import nn
from gategrad.engine import GATES, Value, compile
from gategrad.nn.losses import softmax_cross_entropy


def test_the_vectorized_example_as_vectors():
    W = gg.matrix([[0.1, 0.5], [-0.3, 0.8]], name="W")
    x = gg.vector([0.2, 0.4], name="x")
    q = W @ x
    f = (q ** 2).sum()
    f.backward()
    Wn, xn = np.array(W.data), np.array(x.data)
    qn = Wn @ xn  # independent reference: the closed forms of the lecture
    assert q.data == pytest.approx([0.22, 0.26], abs=1e-15)
    assert f.data == pytest.approx(0.116, abs=1e-15)
    assert np.allclose(W.numpy(grad=True), 2 * np.outer(qn, xn), atol=1e-15)   # 2 q x^T
    assert np.allclose(x.numpy(grad=True), Wn.T @ (2 * qn), atol=1e-15)        # W^T 2q
    assert [round(g, 3) for g in x.grad] == [-0.112, 0.636]
    assert [[round(g, 3) for g in row] for row in W.grad] == [[0.088, 0.176], [0.104, 0.208]]
    assert W[0, 1] is W.rows[0][1] and W[0, 1].label == "W[0,1]" and x[1].label == "x[1]"


def test_matrix_products_and_the_row_vector_times_a_matrix():
    rng = np.random.default_rng(0)
    A, B, v = rng.normal(size=(2, 3)), rng.normal(size=(3, 4)), rng.normal(size=2)
    Am, Bm, vv = gg.matrix(A, name="A"), gg.matrix(B, name="B"), gg.vector(v, name="v")
    assert np.allclose((Am @ Bm).numpy(), A @ B, atol=1e-14)
    assert np.allclose((vv @ Am).numpy(), v @ A, atol=1e-14)        # f = xW
    assert np.allclose(Am.T.numpy(), A.T)
    assert (vv @ Am).shape == (3,) and (Am @ Bm).shape == (2, 4)
    assert vv.dot(vv).data == pytest.approx(v @ v, rel=1e-14)
    s = (Am.tanh() * 2.0 - Am.sigmoid()).sum()
    assert s.data == pytest.approx(np.sum(2 * np.tanh(A) - 1 / (1 + np.exp(-A))), rel=1e-13)


@pytest.mark.parametrize("operation, words", [
    (lambda W, x, y: W @ y, r"W @ y: shapes 2×3 and 2 do not match.*3 entries"),
    (lambda W, x, y: x + y, r"x \+ y: shapes 3 and 2 differ"),
    (lambda W, x, y: W @ W, r"W @ W: shapes 2×3 and 2×3 do not match: the inner sizes 3 and 2"),
    (lambda W, x, y: x.dot(y), r"x·y: shapes 3 and 2"),
    (lambda W, x, y: x @ W, r"x @ W: shapes 3 and 2×3 do not match"),
    (lambda W, x, y: x * y, r"x \* y: \* scales by a scalar"),
])
def test_shape_mismatches_name_the_operation_and_both_shapes(operation, words):
    W = gg.matrix([[1, 2, 3], [4, 5, 6]], name="W")
    x, y = gg.vector([1, 2, 3], name="x"), gg.vector([1, 2], name="y")
    with pytest.raises((ValueError, TypeError), match=words):
        operation(W, x, y)


def random_function(seed):
    """A random R^3 -> R^2 function built from every kind of vector operation."""
    rng = random.Random(seed)
    W = gg.matrix([[rng.uniform(-1, 1) for _ in range(3)] for _ in range(2)], name="W")
    x = gg.vector([rng.uniform(-1, 1) for _ in range(3)], name="x")
    h = (W @ x).tanh()
    y = h * x[0] + (W @ x.sigmoid()).exp() - h ** 2
    return x, W, y


def central_jacobian(seed, xs, eps=1e-6):
    def value(k, delta):
        x, W, y = random_function(seed)
        for i, v in enumerate(x):
            v.data = xs[i]
        # rebuild with the shifted input: the graph is a function of x's numbers
        x2 = gg.vector([xs[i] + (delta if i == k else 0.0) for i in range(3)], name="x")
        h = (W @ x2).tanh()
        return np.array((h * x2[0] + (W @ x2.sigmoid()).exp() - h ** 2).data)
    return np.column_stack([(value(k, eps) - value(k, -eps)) / (2 * eps) for k in range(3)])


@pytest.mark.parametrize("seed", range(8))
def test_jacobians_both_ways_against_central_differences(seed):
    x, W, y = random_function(seed)
    reverse = gg.jacobian(y, x)
    forward = gg.jacobian(y, x, mode="forward")
    assert reverse.shape == forward.shape == (2, 3)
    assert (reverse.passes, forward.passes) == (2, 3)  # one per output / one per input
    assert np.allclose(reverse.numpy(), forward.numpy(), rtol=1e-12, atol=1e-14)
    assert np.allclose(reverse.numpy(), central_jacobian(seed, x.data), rtol=1e-6, atol=1e-8)
    # and d y / d W, a 2 x 6 Jacobian (the lecture's N x (M x N) bookkeeping)
    assert gg.jacobian(y, W.values()).shape == (2, 6)


def test_jacobian_leaves_the_gradients_as_they_were():
    a, b = Value(2.0), Value(3.0)
    f = a * b
    f.backward()
    gg.jacobian([a * b, a + b], [a, b])
    assert (a.grad, b.grad) == (3.0, 2.0)
    with pytest.raises(ValueError, match="mode"):
        gg.jacobian([f], [a], mode="sideways")
    with pytest.raises(TypeError, match=r"xs\[0\] must be a Value"):
        gg.jacobian([f], [2.0])


def test_jacobians_against_pytorch():
    torch = pytest.importorskip("torch")
    x, W, y = random_function(3)
    Wt = torch.tensor(W.data, dtype=torch.float64)

    def f(xt):
        h = torch.tanh(Wt @ xt)
        return h * xt[0] + torch.exp(Wt @ torch.sigmoid(xt)) - h ** 2

    expected = torch.autograd.functional.jacobian(f, torch.tensor(x.data, dtype=torch.float64))
    for mode in ("reverse", "forward"):
        assert np.allclose(gg.jacobian(y, x, mode=mode).numpy(), expected.numpy(), rtol=1e-12)


# --- the fused softmax cross-entropy gate -------------------------------------------------------

@pytest.mark.parametrize("logits, target", [([2.0, 1.0, 0.1], 0), ([-1.5, 3.0, 2.0, 0.5], 2),
                                            ([1000.0, -1000.0, 0.0], 1)])
def test_softmax_cross_entropy_is_one_gate_with_local_gradient_p_minus_y(logits, target):
    z = [Value(v) for v in logits]
    loss = softmax_cross_entropy(z, target)
    assert loss.gate is GATES["softmax_ce"] and loss.op == "softmax CE"
    loss.backward()
    zn = np.array(logits)
    p = np.exp(zn - zn.max()) / np.exp(zn - zn.max()).sum()
    y = np.eye(len(logits))[target]
    log_sum_exp = zn.max() + np.log(np.sum(np.exp(zn - zn.max())))
    assert loss.data == pytest.approx(log_sum_exp - zn[target], rel=1e-12)
    assert np.allclose([v.grad for v in z], p - y, atol=1e-15)
    forward = GATES["softmax_ce"].forward
    for j in range(len(logits)):  # central differences of the row's own forward function
        hi, lo = list(logits) + [target], list(logits) + [target]
        hi[j] += 1e-6
        lo[j] -= 1e-6
        if abs(logits[j]) < 100:
            assert z[j].grad == pytest.approx((forward(*hi) - forward(*lo)) / 2e-6, abs=1e-7)


def test_softmax_cross_entropy_against_pytorch():
    torch = pytest.importorskip("torch")
    logits, target = [0.3, -1.2, 2.2, 0.0], 3
    z = [Value(v) for v in logits]
    loss = softmax_cross_entropy(z, target)
    loss.backward()
    zt = torch.tensor([logits], dtype=torch.float64, requires_grad=True)
    expected = torch.nn.functional.cross_entropy(zt, torch.tensor([target]))
    expected.backward()
    assert loss.data == pytest.approx(expected.item(), rel=1e-14)
    assert np.allclose([v.grad for v in z], zt.grad.numpy()[0], atol=1e-15)


def test_a_bad_target_class_names_the_gate():
    with pytest.raises(ValueError, match="class index 3 is out of range"):
        softmax_cross_entropy([Value(1.0), Value(2.0)], 3)
    with pytest.raises(ValueError, match="softmax_ce gate: the target class"):
        GATES["softmax_ce"].forward(1.0, 2.0, 0.5)


def test_multiclass_training_uses_the_fused_gate():
    X, y = nn.data.spirals(20, classes=3, seed=1)
    model = nn.MLP(2, [8, 3], rng=random.Random(0))
    loss = nn.objectives.get("cross_entropy").loss([model(x) for x in X[:4]], y[:4])
    gates = {v.gate.name for v in loss.nodes() if v.gate is not None}
    assert "softmax_ce" in gates and "exp" not in gates


# --- pictures and explanations -----------------------------------------------------------------

def test_the_block_diagram_draws_each_vector_operation_as_one_box(tmp_path):
    W = gg.matrix([[0.1, 0.5], [-0.3, 0.8]], name="W")
    x = gg.vector([0.2, 0.4], name="x")
    f = ((W @ x) ** 2).sum()
    f.backward()
    diagram = f.draw(style="blocks")
    source = diagram.source
    for caption in ("W·x: 2×2 @ 2 -> 2", "**2: 2 -> 2", "sum: 2 -> scalar"):
        assert caption in source
    assert source.count("shape=box") == 3 and source.count("shape=ellipse") == 2
    assert "value 2×2\ngrad 2×2" in source  # the wire from W
    assert "w·x+b" not in source             # no scalar gate of the blocks is drawn
    png = diagram.save(tmp_path / "blocks.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert gg.draw(f, style="blocks").source == source
    # a - b makes b * -1 nodes on the way: they are inside the "-" box, not circles of their own
    g = (x - gg.vector([1.0, 2.0], name="y")).sum()
    g.backward()
    blocks = g.draw(style="blocks").source
    assert "-: 2, 2 -> 2" in blocks and "shape=circle" not in blocks


def test_explain_a_vector_operation_shows_its_vector_jacobian_product():
    W = gg.matrix([[0.1, 0.5], [-0.3, 0.8]], name="W")
    x = gg.vector([0.2, 0.4], name="x")
    q = W @ x
    (q ** 2).sum().backward()
    text = gg.explain(q)
    assert text.splitlines()[0] == "W·x: 2×2 @ 2 -> 2"
    assert "shape 2 = [0.440, 0.520]" in text                      # upstream: 2q
    assert "local Jacobian d Wx/d x: 2×2" in text and "[-0.112, 0.636]" in text
    assert "local Jacobian d Wx/d W: 2×4 (2 by 2×2)" in text       # N x (M x N)
    assert "shape 2×2 = [[0.088, 0.176], [0.104, 0.208]]" in text  # 2 q x^T, row by row
    with pytest.raises(ValueError, match="not made by a vector operation"):
        gg.explain(gg.vector([1.0, 2.0]))


def test_compile_takes_a_graph_built_from_vectors():
    W = gg.matrix([[0.1, 0.5], [-0.3, 0.8]], name="W")
    x = gg.vector([0.2, 0.4], name="x")
    f = ((W @ x) ** 2).sum()
    fn = compile(f, [*W.values(), *x.values()])
    value, grads = fn(*np.ravel(W.data), *x.data)
    f.backward()
    assert value == f.data and list(grads) == pytest.approx(
        [g for row in W.grad for g in row] + x.grad, rel=1e-15)
    assert "def grad_out(W_0_1" not in fn.source and fn.source.startswith("def grad_out(W_0_0")
    # over a batch of x with W broadcast: the numpy backend runs W·x as one matrix product
    xs = np.random.default_rng(1).normal(size=(5, 2))
    outs, grads = fn.batch(*np.ravel(W.data), xs[:, 0], xs[:, 1])
    assert np.allclose(outs, np.sum((xs @ np.array(W.data).T) ** 2, axis=1), rtol=1e-14)
    assert "as one matrix product" in fn.batch_source(
        "numpy", batched=(False,) * 4 + (True, True, False))
    assert math.isclose(grads[0], float(np.sum(2 * (xs @ np.array(W.data).T)[:, 0] * xs[:, 0])),
                        rel_tol=1e-12)


def test_animate_the_blocks_one_vector_operation_a_frame(tmp_path):
    W = gg.matrix([[0.1, 0.5], [-0.3, 0.8]], name="W")
    x = gg.vector([0.2, 0.4], name="x")
    f = ((W @ x) ** 2).sum()
    with pytest.raises(ValueError, match="backward"):
        gg.animate(f, style="blocks")
    f.backward()
    player = gg.animate(f, style="blocks")
    assert player.phases == ["inputs", "forward 1/3", "forward 2/3", "forward 3/3",
                             "backward 1/3", "backward 2/3", "backward 3/3", "done"]
    assert player.captions[1] == "W·x: 2×2 @ 2 -> 2: Wx = [0.22, 0.26]"
    assert player.captions[6] == ("W·x: upstream gradient [0.44, 0.52] (shape 2); sends to W "
                                  "(2×2), x (2)")
    first, lit, last = player.frame(0).source, player.frame(5).source, player.frame(-1).source
    assert "grad" not in first and "value 2×2" in first  # the inputs' values only
    assert lit.count("#ffe08a") == 1 and "grad 2" in lit and "grad 2×2" not in lit
    assert last.count("grad") == 4 and "#ffe08a" not in last
    gif = player.save(tmp_path / "blocks.gif")
    assert gif.read_bytes()[:6] == b"GIF89a"
