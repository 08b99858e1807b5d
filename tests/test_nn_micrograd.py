"""nn against micrograd: its demo reproduced to the published digits, and step by step against the
real micrograd package (PyPI micrograd==0.1.0) from identical weights.

Independent references: the loss values that micrograd's demo.ipynb prints (karpathy/micrograd,
the cell `for k in range(100)`: "step 0 loss 0.8958441028683222, accuracy 50.0%" ... "step 99 loss
0.010978370135492717, accuracy 100.0%"), and the micrograd package computing the same maths with
its own engine.
"""

import gc
import random

import numpy as np
import pytest

from gategrad import nn
from gategrad.engine import Value

micrograd_nn = pytest.importorskip("micrograd.nn")
micrograd_engine = pytest.importorskip("micrograd.engine")


def sklearn_make_moons(n_samples, noise, generator):
    """scikit-learn's make_moons (shuffle=True), line for line, so that the demo's data can be
    rebuilt from numpy's legacy generator without installing scikit-learn."""
    n_out = n_samples // 2
    n_in = n_samples - n_out
    outer_x = np.cos(np.linspace(0, np.pi, n_out))
    outer_y = np.sin(np.linspace(0, np.pi, n_out))
    inner_x = 1 - np.cos(np.linspace(0, np.pi, n_in))
    inner_y = 1 - np.sin(np.linspace(0, np.pi, n_in)) - 0.5
    X = np.vstack([np.append(outer_x, inner_x), np.append(outer_y, inner_y)]).T
    y = np.hstack([np.zeros(n_out, dtype=np.intp), np.ones(n_in, dtype=np.intp)])
    order = np.arange(n_samples)
    generator.shuffle(order)
    X, y = X[order], y[order]
    X = X + generator.normal(scale=noise, size=X.shape)
    return X, y


def micrograd_demo_data():
    """The demo's first cells: np.random.seed(1337); random.seed(1337); make_moons(100, 0.1);
    y = y*2 - 1. Leaves `random` seeded exactly where the demo builds its MLP."""
    generator = np.random.RandomState(1337)
    random.seed(1337)
    X, y = sklearn_make_moons(100, 0.1, generator)
    return X.tolist(), (y * 2 - 1).tolist()


def test_micrograd_demo_reaches_100_percent_with_the_published_losses():
    X, y = micrograd_demo_data()
    model = nn.MLP(2, [16, 16, 1])
    history = nn.fit(model, X, y, loss="hinge", l2=1e-4, epochs=100, lr=1.0,
                     lr_schedule=nn.LinearDecay(1.0, 0.1, 100), batch_size=None, progress=False)
    # micrograd prints the total loss (hinge + L2) and accuracy measured before each update.
    assert history.objective[0] == pytest.approx(0.8958441028683222, abs=1e-12)
    assert history.train_acc[0] == 0.5
    assert history.objective[99] == pytest.approx(0.010978370135492717, abs=1e-12)
    assert history.train_acc[99] == 1.0
    assert history.lr[99] == pytest.approx(1.0 - 0.9 * 99 / 100)
    _, accuracy = nn.evaluate(model, X, y, loss="hinge")
    assert accuracy == 1.0


def _micrograd_step(model, X, y, alpha=1e-4):
    """micrograd's demo `loss()` and backward, verbatim."""
    inputs = [list(map(micrograd_engine.Value, row)) for row in X]
    scores = list(map(model, inputs))
    losses = [(1 + -yi * scorei).relu() for yi, scorei in zip(y, scores, strict=True)]
    data_loss = sum(losses) * (1.0 / len(losses))
    reg_loss = alpha * sum(p * p for p in model.parameters())
    total_loss = data_loss + reg_loss
    model.zero_grad()
    total_loss.backward()
    return [s.data for s in scores], total_loss.data


def _gategrad_step(model, X, y, alpha=1e-4):
    params = model.parameters()
    scores = [model(x) for x in X]
    total_loss = nn.losses.hinge(scores, y) + nn.losses.l2_penalty(params, alpha)
    model.zero_grad()
    total_loss.backward()
    return [s.data for s in scores], total_loss.data


@pytest.fixture
def collector_paused():
    """micrograd's nodes form reference cycles (a closure per node), which make Python's cycle
    collector run often and slowly; pausing it changes no number and makes the test 3x faster."""
    gc.disable()
    yield
    gc.enable()
    gc.collect()


@pytest.mark.parametrize("fused", [True, False])
def test_same_weights_give_micrograds_outputs_loss_and_gradients(fused, collector_paused):
    X, y = micrograd_demo_data()
    X, y = X[:40], y[:40]  # micrograd takes half a second per full step; 40 points suffice
    random.seed(7)
    theirs = micrograd_nn.MLP(2, [16, 16, 1])
    random.seed(7)
    ours = nn.MLP(2, [16, 16, 1], fused=fused)
    their_params, our_params = theirs.parameters(), ours.parameters()
    # The same draws from `random`, in the same order: identical initial weights.
    assert [p.data for p in our_params] == [p.data for p in their_params]
    for k in range(3):
        their_scores, their_loss = _micrograd_step(theirs, X, y)
        our_scores, our_loss = _gategrad_step(ours, X, y)
        assert our_scores == pytest.approx(their_scores, rel=1e-12, abs=1e-12)
        assert our_loss == pytest.approx(their_loss, rel=1e-12, abs=1e-12)
        for mine, theirs_p in zip(our_params, their_params, strict=True):
            assert mine.grad == pytest.approx(theirs_p.grad, rel=1e-12, abs=1e-12)
        lr = 1.0 - 0.9 * k / 100
        for p in their_params:
            p.data -= lr * p.grad
        nn.SGD(our_params, lr=lr).step()


def test_parameter_order_and_structure_match_micrograd():
    random.seed(3)
    theirs = micrograd_nn.MLP(3, [4, 2])
    random.seed(3)
    ours = nn.MLP(3, [4, 2])
    assert len(ours.layers) == len(theirs.layers)
    for our_layer, their_layer in zip(ours.layers, theirs.layers, strict=True):
        assert len(our_layer.neurons) == len(their_layer.neurons)
        for a, b in zip(our_layer.neurons, their_layer.neurons, strict=True):
            assert [w.data for w in a.w] == [w.data for w in b.w]
            assert a.b.data == b.b.data == 0
            assert a.nonlin == b.nonlin
    assert [p.data for p in ours.parameters()] == [p.data for p in theirs.parameters()]
    x = [0.3, -1.2, 2.0]
    ours_out = ours(x)
    theirs_out = theirs([micrograd_engine.Value(v) for v in x])
    assert [o.data for o in ours_out] == pytest.approx([o.data for o in theirs_out], rel=1e-12)


def test_a_one_output_layer_returns_a_value_as_in_micrograd():
    random.seed(0)
    layer = nn.Layer(2, 1)
    assert isinstance(layer([1.0, 2.0]), Value)
    assert isinstance(nn.Layer(2, 3)([1.0, 2.0]), list)
    # micrograd's MLP builds its last layer as Layer(nin, nout, nonlin=False)
    assert all(not n.nonlin for n in nn.Layer(2, 3, nonlin=False).neurons)
    assert repr(nn.Layer(2, 3, nonlin=False)) == "Layer(2 -> 3, linear)"
