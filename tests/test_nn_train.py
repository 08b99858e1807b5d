"""nn.fit, nn.evaluate and nn.predict: batch, mini-batch and stochastic gradient descent against
updates computed by hand, the history, early stopping, divergence and the progress bar."""

import gc
import math
import random

import pytest

from gategrad import nn
from gategrad.engine import sum_of
from gategrad.nn import data

# y = 2x + 1 at five points: linear regression with one linear neuron
X_LINE = [[-1.0], [-0.5], [0.0], [0.5], [1.0]]
Y_LINE = [2 * x[0] + 1 for x in X_LINE]


def line_neuron(w=0.3, b=-0.2):
    neuron = nn.Neuron(1, activation="linear", rng=random.Random(0))
    neuron.load_state_dict({"w0": w, "b": b})
    return neuron


def mse_gradient(w, b, X, Y):
    """d/dw and d/db of mean (w x + b - y)^2, by hand."""
    n = len(X)
    dw = sum(2 * (w * x[0] + b - y) * x[0] for x, y in zip(X, Y, strict=True)) / n
    db = sum(2 * (w * x[0] + b - y) for x, y in zip(X, Y, strict=True)) / n
    return dw, db


def test_batch_gradient_descent_takes_one_step_per_epoch_along_the_full_gradient():
    neuron = line_neuron()
    history = nn.fit(neuron, X_LINE, Y_LINE, loss="mse", epochs=3, lr=0.1, progress=False)
    w, b = 0.3, -0.2
    for _ in range(3):
        dw, db = mse_gradient(w, b, X_LINE, Y_LINE)
        w, b = w - 0.1 * dw, b - 0.1 * db
    assert neuron.w[0].data == pytest.approx(w, rel=1e-14)
    assert neuron.b.data == pytest.approx(b, rel=1e-14)
    assert history.epochs == 3 and history.stop_reason == "ran all 3 epochs"
    assert history.train_acc == [None, None, None]  # regression: no accuracy


def test_sgd_steps_point_by_point_in_the_shuffled_order():
    neuron = line_neuron()
    nn.fit(neuron, X_LINE, Y_LINE, loss="mse", epochs=2, lr=0.05, batch_size=1,
           rng=random.Random(7), progress=False)
    order_rng = random.Random(7)
    w, b = 0.3, -0.2
    for _ in range(2):
        for xb, yb in data.batches(X_LINE, Y_LINE, 1, rng=order_rng):
            dw, db = mse_gradient(w, b, xb, yb)
            w, b = w - 0.05 * dw, b - 0.05 * db
    assert (neuron.w[0].data, neuron.b.data) == (pytest.approx(w, rel=1e-13),
                                                  pytest.approx(b, rel=1e-13))


def test_mini_batches_record_the_epochs_mean_loss_and_gradient():
    neuron = line_neuron()
    history = nn.fit(neuron, X_LINE, Y_LINE, loss="mse", epochs=1, lr=0.0, batch_size=2,
                     rng=0, progress=False)
    # lr 0 leaves the weights alone, so the epoch's mean over batches is the full-batch value
    dw, db = mse_gradient(0.3, -0.2, X_LINE, Y_LINE)
    assert history.grad_norm[0] == pytest.approx(math.hypot(dw, db), rel=1e-13)
    expected_loss = sum((0.3 * x[0] - 0.2 - y) ** 2 for x, y in zip(X_LINE, Y_LINE,
                                                                       strict=True)) / 5
    assert history.train_loss[0] == pytest.approx(expected_loss, rel=1e-13)


def test_early_stop_when_the_gradient_norm_is_below_epsilon():
    neuron = line_neuron()
    history = nn.fit(neuron, X_LINE, Y_LINE, loss="mse", epochs=10_000, lr=0.3, grad_tol=1e-6,
                     progress=False)
    assert history.stop_reason.startswith("converged: |grad| =")
    assert history.epochs < 10_000 and history.grad_norm[-1] < 1e-6
    assert all(g >= 1e-6 for g in history.grad_norm[:-1])
    assert neuron.w[0].data == pytest.approx(2.0, abs=1e-5)
    assert neuron.b.data == pytest.approx(1.0, abs=1e-5)


def test_validation_metrics_are_those_of_evaluate_after_each_epoch():
    X, y = data.moons(60, seed=1)
    (Xt, yt), (Xv, yv), _ = data.split(X, y, val=0.3, test=0.0)
    model = nn.MLP(2, [8, 1], rng=random.Random(0))
    seen = []

    def record(epoch, history):
        seen.append(nn.evaluate(model, Xv, yv, loss="hinge"))

    history = nn.fit(model, Xt, yt, loss="hinge", epochs=3, lr=0.5, val=(Xv, yv),
                     callback=record, progress=False)
    assert list(zip(history.val_loss, history.val_acc, strict=True)) == seen
    assert "val acc" in repr(history)


def test_hinge_accepts_0_1_labels_as_well_as_minus_1_plus_1():
    X, y = data.moons(40, seed=2)
    runs = []
    for labels in (y, data.pm1(y)):
        model = nn.MLP(2, [6, 1], rng=random.Random(0))
        runs.append(nn.fit(model, X, labels, loss="hinge", epochs=5, lr=0.5, progress=False))
    assert runs[0].train_loss == runs[1].train_loss
    assert runs[0].train_acc == runs[1].train_acc


def test_l2_adds_lambda_sum_w_squared_to_the_objective():
    neuron = line_neuron()
    history = nn.fit(neuron, X_LINE, Y_LINE, loss="mse", epochs=1, lr=0.0, l2=0.5,
                     progress=False)
    assert history.objective[0] - history.train_loss[0] == pytest.approx(0.5 * (0.3 ** 2 +
                                                                                 0.2 ** 2))


def test_cross_entropy_training_on_spirals_learns():
    X, y = data.spirals(60, classes=3, seed=0)
    model = nn.MLP(2, [16, 3], rng=random.Random(0))
    history = nn.fit(model, X, y, loss="cross_entropy", epochs=30, lr=0.5, batch_size=20,
                     rng=0, progress=False)
    assert history.train_loss[-1] < history.train_loss[0]
    assert history.train_acc[-1] > 1 / 3 + 0.2


def test_divergence_stops_training_with_a_reason():
    neuron = line_neuron()
    history = nn.fit(neuron, X_LINE, Y_LINE, loss="mse", epochs=2000, lr=5.0, progress=False)
    assert history.stop_reason.startswith("diverged")
    assert "smaller learning rate" in history.stop_reason
    assert history.epochs < 2000


def test_a_callback_or_ctrl_c_stops_training_and_keeps_the_history():
    history = nn.fit(line_neuron(), X_LINE, Y_LINE, epochs=50, lr=0.1, progress=False,
                     callback=lambda epoch, h: epoch == 4)
    assert history.epochs == 5 and "callback" in history.stop_reason

    def interrupt(epoch, h):
        if epoch == 2:
            raise KeyboardInterrupt

    history = nn.fit(line_neuron(), X_LINE, Y_LINE, epochs=50, lr=0.1, progress=False,
                     callback=interrupt)
    assert history.stop_reason == "interrupted after 3 epochs"


def test_the_cycle_collector_is_restored_after_training():
    assert gc.isenabled()
    nn.fit(line_neuron(), X_LINE, Y_LINE, epochs=2, lr=0.1, progress=False)
    assert gc.isenabled()


def test_progress_bar_shows_loss_and_accuracy_and_can_be_disabled(capsys):
    X, y = data.and_gate()
    nn.fit(nn.Neuron(2, rng=random.Random(0)), X, y, loss="hinge", epochs=3, progress=False)
    captured = capsys.readouterr()
    assert captured.err == "" and captured.out == ""
    nn.fit(nn.Neuron(2, rng=random.Random(0)), X, y, loss="hinge", epochs=3, progress=True)
    err = capsys.readouterr().err
    assert "3/3" in err and "loss=" in err and "acc=" in err


def test_evaluate_and_predict_record_no_graph():
    model = nn.MLP(2, [4, 1], rng=random.Random(0))
    X, y = data.xor()
    outputs = nn.predict(model, X)
    assert all(isinstance(o, float) for o in outputs)
    loss, acc = nn.evaluate(model, X, y, loss="hinge")
    by_hand = sum(max(0.0, 1 - t * o) for t, o in zip(data.pm1(y), outputs, strict=True)) / 4
    assert loss == pytest.approx(by_hand, rel=1e-14)
    assert acc == sum((o > 0) == (t == 1) for o, t in zip(outputs, y, strict=True)) / 4
    assert all(p.grad == 0.0 for p in model.parameters())


def test_custom_loss_and_accuracy_functions():
    def mean_abs(outputs, targets):
        return sum_of([(o - t).max(t - o) for o, t in zip(outputs, targets,
                                                                      strict=True)])

    history = nn.fit(line_neuron(), X_LINE, Y_LINE, loss=mean_abs, epochs=2, lr=0.01,
                     accuracy=lambda out, t: abs(out - t) < 0.5, progress=False)
    assert history.train_acc[0] is not None and history.train_loss[1] < history.train_loss[0]


@pytest.mark.parametrize("kwargs, message", [
    ({"loss": "huber"}, "unknown loss 'huber'; the valid ones are: hinge"),
    ({"loss": "cross_entropy"}, "needs a model with one output per class"),
    ({"epochs": -1}, "epochs must be an int >= 0"),
])
def test_bad_arguments_are_clear_errors(kwargs, message):
    X, y = data.xor()
    with pytest.raises(ValueError, match=message):
        nn.fit(nn.MLP(2, [3, 1], rng=random.Random(0)), X, y, progress=False, **kwargs)


def test_a_binary_loss_on_a_multi_output_model_suggests_cross_entropy():
    X, y = data.xor()
    with pytest.raises(ValueError, match="use 'cross_entropy'"):
        nn.fit(nn.MLP(2, [3, 2], rng=random.Random(0)), X, y, loss="hinge", progress=False)
