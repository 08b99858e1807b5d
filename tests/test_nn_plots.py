"""Training figures: History.plot(), nn.plot_decision_boundary(), and fit(live=True), whose one
Jupyter display is faked here (IPython.display patched to record its calls), so the live figure is
executed headless exactly as a notebook runs it."""

import random
import subprocess
import sys
from pathlib import Path

import matplotlib
import pytest
from matplotlib.contour import ContourSet

from gategrad import nn
from gategrad.engine import Value
from gategrad.nn import objectives
from gategrad.nn.show import plots

matplotlib.use("Agg")
PNG = b"\x89PNG\r\n\x1a\n"


def trained(epochs=8, val=True, live=False, **options):
    X, y = nn.data.moons(40, noise=0.1, seed=0)
    model = nn.MLP(2, [6, 1], rng=random.Random(0))
    history = nn.fit(model, X, y, loss="hinge", epochs=epochs, lr=0.5, rng=1,
                     val=nn.data.moons(20, noise=0.1, seed=1) if val else None, live=live,
                     **options)
    return model, X, y, history


def lines_by_label(ax) -> dict:
    return {line.get_label(): list(line.get_ydata()) for line in ax.get_lines()}


# --- History.plot() ----------------------------------------------------------------------------

def test_history_plot_draws_loss_and_accuracy_train_and_validation():
    _, _, _, history = trained(progress=False)
    fig = history.plot(title="moons")
    loss, accuracy = fig.axes
    assert (loss.get_title(), loss.get_xlabel(), loss.get_ylabel()) == ("loss", "epoch", "loss")
    assert (accuracy.get_title(), accuracy.get_ylabel()) == ("accuracy", "accuracy")
    assert lines_by_label(loss) == {"train": history.train_loss, "validation": history.val_loss}
    assert lines_by_label(accuracy) == {"train": history.train_acc,
                                        "validation": history.val_acc}
    assert list(loss.get_lines()[0].get_xdata()) == list(range(1, history.epochs + 1))
    assert [t.get_text() for t in loss.get_legend().get_texts()] == ["train", "validation"]
    assert fig._suptitle.get_text() == "moons"


def test_a_regression_history_has_the_loss_alone():
    X, y = nn.data.regression_1d(20)
    model = nn.MLP(1, [4, 1], activation="tanh", rng=random.Random(0))
    history = nn.fit(model, X, y, loss="mse", epochs=5, lr=0.1, progress=False)
    (loss,) = history.plot().axes
    assert lines_by_label(loss) == {"train": history.train_loss}


# --- plot_decision_boundary --------------------------------------------------------------------

def contour_vertices(ax):
    lines = [c for c in ax.collections if isinstance(c, ContourSet) and not c.filled]
    assert len(lines) == 1
    return [point for segment in lines[0].allsegs[0] for point in segment]


def test_a_linear_neurons_boundary_is_its_line():
    # score = x0 - x1 + 0.25: class 1 above the line x1 = x0 + 0.25 (hinge: score > 0)
    neuron = nn.Neuron(2, activation="linear")
    neuron.load_state_dict({"w0": 1.0, "w1": -1.0, "b": 0.25})
    X = [[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [2.0, 0.5]]
    y = [1, 1, 0, 1, 0]
    fig = nn.plot_decision_boundary(neuron, X, y, loss="hinge", resolution=25)
    (ax,) = fig.axes
    vertices = contour_vertices(ax)
    assert len(vertices) > 10
    for x0, x1 in vertices:  # a linear score interpolates exactly
        assert x0 - x1 + 0.25 == pytest.approx(0.0, abs=1e-9)
    right = sum((x[0] - x[1] + 0.25 > 0) == (t == 1) for x, t in zip(X, y))
    assert right == 4  # all but (2, 0.5)
    assert ax.get_title() == f"decision boundary: {right} of {len(X)} points right (80%)"
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("x0", "x1")
    points = {c.get_label(): c.get_offsets().tolist() for c in ax.collections
              if not isinstance(c, ContourSet)}
    assert points == {"class 0": [[0.0, 1.0], [2.0, 0.5]],
                      "class 1": [[0.0, 0.0], [1.0, 0.0], [1.0, 1.0]]}


def test_a_sigmoid_output_splits_at_one_half_without_a_loss():
    neuron = nn.Neuron(2, activation="sigmoid")
    neuron.load_state_dict({"w0": 2.0, "w1": 0.0, "b": -1.0})  # p > 0.5 where x0 > 0.5
    X, y = [[0.0, 0.0], [1.0, 0.0], [0.2, 1.0], [0.9, 1.0]], [0, 1, 0, 1]
    (ax,) = nn.plot_decision_boundary(neuron, X, y, resolution=41).axes
    assert all(x0 == pytest.approx(0.5, abs=0.01) for x0, _ in contour_vertices(ax))
    assert ax.get_title().startswith("decision boundary: 4 of 4")


def test_several_outputs_are_classified_by_the_largest():
    X, y = nn.data.spirals(30, classes=3, seed=0)
    model = nn.MLP(2, [3], activation="linear", rng=random.Random(1))
    (ax,) = nn.plot_decision_boundary(model, X, y).axes
    outputs = nn.predict(model, X)
    right = sum(max(range(3), key=out.__getitem__) == t for out, t in zip(outputs, y))
    assert ax.get_title().startswith(f"decision boundary: {right} of 30 points right")
    assert {c.get_label() for c in ax.collections if not isinstance(c, ContourSet)} == \
        {"class 0", "class 1", "class 2"}


def test_decision_boundary_errors():
    model = nn.MLP(3, [1], rng=random.Random(0))
    with pytest.raises(ValueError, match="two inputs, but a point has 3"):
        nn.plot_decision_boundary(model, [[0, 0, 0]], [1])
    with pytest.raises(ValueError, match="2 points but 1 labels"):
        nn.plot_decision_boundary(model, [[0, 0], [1, 1]], [1])
    with pytest.raises(ValueError, match="resolution"):
        nn.plot_decision_boundary(nn.MLP(2, [1]), [[0, 0]], [1], resolution=1)


# --- fit(live=True) ------------------------------------------------------------------------------

class FakeDisplay:
    """Records what fit shows: IPython.display.display(obj, display_id=True) returns a handle
    whose update(obj) replaces the output in place."""

    def __init__(self):
        self.calls = []

    def display(self, obj, display_id=None, **kwargs):
        self.calls.append(("display", obj, display_id))
        return self

    def update(self, obj, **kwargs):
        self.calls.append(("update", obj, None))


@pytest.fixture
def jupyter(monkeypatch):
    import IPython.display

    fake = FakeDisplay()
    monkeypatch.setattr(plots, "in_notebook", lambda: True)
    monkeypatch.setattr(IPython.display, "display", fake.display)
    return fake


def test_live_training_updates_one_display_in_place(jupyter, capsys):
    _, _, _, history = trained(epochs=12, live=4)
    kinds = [kind for kind, _, _ in jupyter.calls]
    # redrawn after epochs 1, 4, 8 and 12, and once more at the end with the stop reason
    assert kinds == ["display"] + ["update"] * 4
    assert jupyter.calls[0][2] is True  # one display id, made by display(..., display_id=True)
    images = [obj.data for _, obj, _ in jupyter.calls]
    assert all(image.startswith(PNG) for image in images)
    assert len(set(images)) == len(images)  # every redraw shows something new
    assert history.epochs == 12 and "training" not in capsys.readouterr().err  # no progress bar


def test_live_true_redraws_about_twenty_times_over_a_run():
    # the number of epochs between redraws: ceil(epochs / 20), at least 1; a number is itself
    assert [plots.live_period(True, n) for n in (1, 5, 20, 21, 40, 1000)] == [1, 1, 1, 2, 2, 50]
    assert plots.live_period(7, 1000) == 7
    assert plots.live_period(False, 100) == 0


def test_the_live_figure_has_curves_and_the_boundary(jupyter):
    model, X, y, history = trained(epochs=3, progress=False)
    objective = objectives.get("hinge", y)
    figure = plots.live_figure(True, model, X, y, objective, epochs=10)
    figure.redraw(history)
    loss, accuracy, boundary = figure.figure.axes
    assert lines_by_label(loss) == {"train": history.train_loss, "validation": history.val_loss}
    assert lines_by_label(accuracy) == {"train": history.train_acc,
                                        "validation": history.val_acc}
    assert loss.get_xlim() == (0.5, 10.5)  # the whole run's epochs, so the axes stand still
    assert boundary.get_title().startswith("decision boundary:")
    assert (boundary.get_xlabel(), boundary.get_ylabel()) == ("x0", "x1")
    assert figure.figure._suptitle.get_text() == "epoch 3 of 10: ran all 3 epochs"


def test_live_without_two_inputs_shows_the_curves_only(jupyter):
    X, y = nn.data.parity(3)
    model = nn.MLP(3, [4, 1], activation="tanh", rng=random.Random(0))
    nn.fit(model, X, y, loss="bce_with_logits", epochs=2, lr=0.1, live=1)
    last = jupyter.calls[-1][1]
    assert last.data.startswith(PNG)
    figure = plots.live_figure(1, model, X, y, objectives.get("bce_with_logits", y), 2)
    assert len(figure.figure.axes) == 2  # loss and accuracy, no boundary in 3 dimensions


def test_outside_jupyter_live_falls_back_to_the_progress_bar(monkeypatch, capsys):
    import IPython.display

    def no_display(*args, **kwargs):
        raise AssertionError("nothing may be displayed outside Jupyter")

    monkeypatch.setattr(IPython.display, "display", no_display)
    assert not plots.in_notebook()
    *_, live = trained(epochs=5, live=True)
    assert "training" in capsys.readouterr().err  # the progress bar
    *_, plain = trained(epochs=5, progress=False)
    assert live.train_loss == plain.train_loss  # watching does not change the training


def test_live_must_be_a_flag_or_a_number_of_epochs():
    with pytest.raises(ValueError, match="live must be True, False, or a number"):
        trained(epochs=1, live="yes")
    with pytest.raises(ValueError, match="live must be"):
        trained(epochs=1, live=-2)


# --- matplotlib only when asked ------------------------------------------------------------------

def test_without_matplotlib_a_clear_import_error(monkeypatch):
    _, _, _, history = trained(epochs=1, progress=False)
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)  # import fails
    with pytest.raises(ImportError, match="pip install matplotlib"):
        history.plot()
    with pytest.raises(ImportError, match="pip install matplotlib"):
        nn.plot_decision_boundary(nn.Neuron(2), [[0.0, 0.0]], [1])


def test_training_and_drawing_do_not_import_matplotlib():
    code = ("import sys, random; from gategrad import nn; X, y = nn.data.xor(); "
            "m = nn.MLP(2, [2, 1], rng=random.Random(0)); "
            "nn.fit(m, X, y, epochs=2, progress=False, live=True); m.summary(); m.draw(); "
            "assert 'matplotlib' not in sys.modules, 'matplotlib was imported'")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).parent.parent)


def test_a_value_input_point_is_read_by_its_number():
    neuron = nn.Neuron(2, activation="linear")
    neuron.load_state_dict({"w0": 1.0, "w1": 0.0, "b": 0.0})
    X = [[Value(-1.0).data, 0.0], [1.0, 0.0]]
    (ax,) = nn.plot_decision_boundary(neuron, X, [0, 1]).axes
    assert ax.get_title().startswith("decision boundary: 2 of 2")


def test_three_class_regions_draw_each_edge_once():
    import matplotlib.pyplot as plt
    X, y = nn.data.spirals(30, classes=3, seed=0)
    model = nn.MLP(2, [8, 3], rng=random.Random(0))
    fig = nn.plot_decision_boundary(model, X, y)
    ax = fig.axes[0]
    # one line set per class region's edge (the class index's contour lines would draw the edge
    # between classes 0 and 2 twice, at levels 0.5 and 1.5)
    lines = [c for c in ax.collections if isinstance(c, ContourSet) and not c.filled]
    assert lines and all(list(c.levels) == [0.5] for c in lines)
    plt.close(fig)
