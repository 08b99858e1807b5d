"""nn.fit, nn.evaluate and nn.predict: batch, mini-batch and stochastic gradient descent against
updates computed by hand, the history, early stopping, divergence and the progress bar."""

import gc
import math
import random

import pytest

from gategrad import nn
from gategrad.engine import sum_of
from gategrad.nn import data
from gategrad.nn.training.train import loss_text

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


def test_divergence_stops_training_and_raises_naming_the_epoch_and_batch():
    # batch GD on mean (w x + b - y)^2 with lr 5: each step multiplies the error by about -4, so
    # the loss grows ~16x per epoch until an error squared overflows (the pow gate raises), in
    # the epoch computed here by hand
    neuron = line_neuron()
    with pytest.raises(nn.DivergedError) as error:
        nn.fit(neuron, X_LINE, Y_LINE, loss="mse", epochs=2000, lr=5.0, progress=False)
    w, b, epoch = 0.3, -0.2, 0
    while True:
        epoch += 1
        errors = [w * x[0] + b - y for x, y in zip(X_LINE, Y_LINE, strict=True)]
        loss = sum(e * e for e in errors) / 5  # e * e: a float's ** raises where the gate gives inf
        if not math.isfinite(loss):
            break
        dw, db = mse_gradient(w, b, X_LINE, Y_LINE)
        w, b = w - 5.0 * dw, b - 5.0 * db
    message = str(error.value)
    assert isinstance(error.value, FloatingPointError)
    assert message.startswith(f"fit diverged in epoch {epoch}, batch 1: pow gate: ")
    assert message.endswith("try a smaller learning rate (it was 5)")
    history = error.value.history
    assert history.epochs == epoch and history.stop_reason in message
    assert history.train_loss[-2] > 1e300  # the epoch before, finite and huge


def test_a_gate_overflow_during_training_is_divergence_too():
    # exp(w x) with a weight pushed to ~1000 overflows the exp gate, an OverflowError in the engine
    neuron = nn.Neuron(1, activation=lambda z: z.exp(), rng=random.Random(0))
    neuron.load_state_dict({"w0": 700.0, "b": 0.0})
    with pytest.raises(nn.DivergedError, match=r"fit diverged in epoch 1, batch 1: .*exp") as err:
        nn.fit(neuron, [[1.5]], [0.0], loss="mse", epochs=5, lr=0.1, progress=False)
    assert err.value.history.epochs == 1


def test_a_weight_blown_up_by_the_last_step_is_caught_at_the_end_of_its_epoch():
    # one step of lr 1e308 times a gradient of about -16 sends w to +inf; no later loss shows it
    dw, _ = mse_gradient(-5.0, 0.0, X_LINE, Y_LINE)
    assert not math.isfinite(-5.0 - 1e308 * dw)
    neuron = line_neuron(w=-5.0, b=0.0)
    with pytest.raises(nn.DivergedError, match="epoch 1: a weight became infinite or nan"):
        nn.fit(neuron, X_LINE, Y_LINE, loss="mse", epochs=1, lr=1e308, progress=False)
    assert neuron.w[0].data == math.inf


def test_losses_print_in_a_readable_width():
    assert loss_text(0.25) == "0.2500" and loss_text(12345.678) == "12345.6780"
    assert loss_text(6.859e270) == "6.859e+270"
    assert loss_text(4.5e-05) == "4.5e-05" and loss_text(math.nan) == "nan"


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
    ({"epochs": -1}, "fit: epochs must be >= 1, got -1"),
    ({"epochs": 0}, "fit: epochs must be >= 1, got 0"),
    ({"lr": -0.1}, r"fit: lr must be a finite number >= 0, got -0.1"),
    ({"lr": math.inf}, r"fit: lr must be a finite number >= 0, got inf"),
    ({"lr": math.nan}, r"fit: lr must be a finite number >= 0, got nan"),
    ({"l2": -1}, r"fit: l2 must be a finite number >= 0, got -1"),
    ({"momentum": 2}, r"fit: momentum must be in \[0, 1\), got 2"),
    ({"momentum": 1.0}, r"fit: momentum must be in \[0, 1\), got 1.0"),
    ({"momentum": -0.5}, r"fit: momentum must be in \[0, 1\), got -0.5"),
    ({"grad_tol": -1}, r"fit: grad_tol must be a finite number > 0, got -1"),
    ({"grad_tol": 0}, r"fit: grad_tol must be a finite number > 0, got 0"),
    ({"batch_size": -2}, "fit: batch_size must be >= 0, got -2"),
])
def test_bad_arguments_are_clear_errors(kwargs, message):
    X, y = data.xor()
    with pytest.raises(ValueError, match=message):
        nn.fit(nn.MLP(2, [3, 1], rng=random.Random(0)), X, y, progress=False, **kwargs)


@pytest.mark.parametrize("kwargs, message", [
    ({"epochs": 10.0}, "fit: epochs must be an int, got float 10.0"),
    ({"epochs": True}, "fit: epochs must be an int, got bool True"),
    ({"lr": "0.1"}, "fit: lr must be a number, got str '0.1'"),
    ({"l2": None}, "fit: l2 must be a number, got NoneType None"),
    ({"batch_size": 2.5}, "fit: batch_size must be an int, got float 2.5"),
    ({"momentum": "0.9"}, "fit: momentum must be a number, got str"),
    ({"lr_schedule": 0.5}, "fit: lr_schedule must be a function, got float 0.5"),
    ({"callback": "stop"}, "fit: callback must be a function, got str 'stop'"),
    ({"optimizer": "sgd"}, "fit: optimizer must have step.. and zero_grad.., got str"),
    ({"progress": "yes"}, "fit: progress must be True or False, got str 'yes'"),
    ({"val": 0.2}, "fit: val must be a pair .X_val, y_val., got float"),
])
def test_options_of_the_wrong_kind_are_type_errors(kwargs, message):
    X, y = data.xor()
    options = {"progress": False, **kwargs}
    with pytest.raises(TypeError, match=message):
        nn.fit(nn.MLP(2, [3, 1], rng=random.Random(0)), X, y, **options)


NAN, INF = math.nan, math.inf


@pytest.mark.parametrize("call, message", [
    (lambda m: nn.fit(m, [[0.0, 1.0], [1.0, NAN]], [0, 1], progress=False),
     r"fit: X\[1\]\[1\] \(row 1, column 1\) is nan"),
    (lambda m: nn.fit(m, [[0.0, 1.0], [-INF, 0.0]], [0, 1], progress=False),
     r"fit: X\[1\]\[0\] \(row 1, column 0\) is -inf"),
    (lambda m: nn.fit(m, [[0.0, 1.0], [1.0, 0.0]], [0.5, NAN], progress=False),
     r"fit: y\[1\] \(row 1\) is nan"),
    (lambda m: nn.fit(m, [[0.0, 1.0]], [1], val=([[INF, 0.0]], [0]), progress=False),
     r"fit: X_val\[0\]\[0\] \(row 0, column 0\) is inf"),
    (lambda m: nn.fit(m, [[0.0, 1.0]], [1], val=([[1.0, 0.0]], [NAN]), progress=False),
     r"fit: y_val\[0\] \(row 0\) is nan"),
    (lambda m: nn.predict(m, [[0.0, 1.0], [2.0, 3.0], [NAN, 1.0]]),
     r"predict: X\[2\]\[0\] \(row 2, column 0\) is nan"),
    (lambda m: nn.evaluate(m, [[0.0, 1.0], [0.0, INF]], [0, 1]),
     r"evaluate: X\[1\]\[1\] \(row 1, column 1\) is inf"),
    (lambda m: nn.evaluate(m, [[0.0, 1.0], [0.0, 1.0]], [0, INF]),
     r"evaluate: y\[1\] \(row 1\) is inf"),
    (lambda m: nn.predict(m, [[0.0, 10 ** 400]]),
     r"predict: X\[0\]\[1\] \(row 0, column 1\) is too large for a float"),
])
def test_non_finite_inputs_and_targets_are_rejected_naming_row_and_column(call, message):
    model = nn.MLP(2, [3, 1], rng=random.Random(0))
    before = model.state_dict()
    with pytest.raises(ValueError, match=message):
        call(model)
    assert model.state_dict() == before  # nothing trained on the bad data


@pytest.mark.parametrize("call, message", [
    (lambda m: nn.predict(m, [[0.0, "1"]]), r"predict: X\[0\]\[1\] .* must be a number, got str"),
    (lambda m: nn.predict(m, ["ab"]),
     r"predict: X\[0\] \(row 0\) must be a number or a list of numbers, got str"),
    (lambda m: nn.fit(m, [[0.0, 1.0]], [None], progress=False),
     r"fit: y\[0\] \(row 0\) must be a number or a list of numbers, got NoneType"),
])
def test_inputs_that_are_not_numbers_are_type_errors(call, message):
    with pytest.raises(TypeError, match=message):
        call(nn.MLP(2, [3, 1], rng=random.Random(0)))


def test_a_binary_loss_on_a_multi_output_model_suggests_cross_entropy():
    X, y = data.xor()
    with pytest.raises(ValueError, match="use 'cross_entropy'"):
        nn.fit(nn.MLP(2, [3, 2], rng=random.Random(0)), X, y, loss="hinge", progress=False)
