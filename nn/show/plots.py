"""Figures of training: a `History`'s loss and accuracy curves, a two-input model's decision
boundary, and the figure that `fit(..., live=True)` redraws in place in Jupyter while it trains.

    history = nn.fit(model, X, y, loss="hinge", epochs=100, val=(X_val, y_val), live=True)
    history.plot()                             # the curves, a matplotlib Figure
    nn.plot_decision_boundary(model, X, y)     # the regions each class gets, with the points

matplotlib is imported only when one of these runs: it is in gategrad's `notebook` and `test`
extras, not a core dependency. Figures are closed in pyplot as soon as they are drawn, so that
Jupyter shows a returned figure once (as the cell's result) and not a second time at the cell end.
"""

from __future__ import annotations

import math

from .. import objectives
from ..training.train import predict

TRAIN_COLOR, VAL_COLOR = "tab:blue", "tab:orange"
# the classes' colours and markers, in the order of their sorted labels (0/1, -1/+1, 0..k-1)
CLASS_COLORS = ("tab:red", "tab:blue", "tab:green", "tab:purple", "tab:brown", "tab:olive")
CLASS_MARKERS = ("o", "s", "^", "D", "v", "P")
# a live figure draws its boundary on a coarser grid: each redraw evaluates the model once per
# grid point, 30 x 30 = 900 forward passes, about as many as 9 epochs of 100 points
LIVE_RESOLUTION = 30
LIVE_REDRAWS = 20  # live=True redraws about this many times over a whole run


def pyplot():
    """matplotlib.pyplot, or an ImportError that says how to install it."""
    try:
        import matplotlib.pyplot as plt
    except ImportError as err:
        raise ImportError("gategrad's plots need matplotlib, which gategrad does not install by "
                          "itself: pip install matplotlib (or pip install 'gategrad[notebook]')"
                          ) from err
    return plt


# --- curves -----------------------------------------------------------------------------------


def plot_history(history, title: str | None = None):
    """The figure of `history`'s loss per epoch and, when the task has one, its accuracy; train
    and (when `fit` had `val=`) validation. Returns the matplotlib Figure."""
    plt = pyplot()
    panels = 2 if _has_accuracy(history) else 1
    fig, axes = plt.subplots(1, panels, figsize=(5.2 * panels, 3.6), constrained_layout=True,
                             squeeze=False)
    _draw_curves(axes[0], history)
    if title:
        fig.suptitle(title)
    plt.close(fig)
    return fig


def _has_accuracy(history) -> bool:
    return any(a is not None for a in history.train_acc)


def _draw_curves(axes, history, last_epoch: int | None = None) -> None:
    """Loss on the first axes, accuracy on the second (if given), train and validation.
    last_epoch: the x axis runs to it (a live figure's axes stay put while the curves grow)."""
    epochs = range(1, history.epochs + 1)
    style = {"marker": "o", "markersize": 3} if history.epochs < 20 else {}  # a dot is visible
    loss = axes[0]
    loss.plot(epochs, history.train_loss, color=TRAIN_COLOR, label="train", **style)
    if history.val_loss:
        loss.plot(range(1, len(history.val_loss) + 1), history.val_loss, color=VAL_COLOR,
                  label="validation", **style)
    loss.set(title="loss", xlabel="epoch", ylabel="loss")
    if len(axes) > 1:
        accuracy = axes[1]
        accuracy.plot(epochs, _as_float(history.train_acc), color=TRAIN_COLOR, label="train",
                      **style)
        if history.val_acc and any(a is not None for a in history.val_acc):
            accuracy.plot(range(1, len(history.val_acc) + 1), _as_float(history.val_acc),
                          color=VAL_COLOR, label="validation", **style)
        accuracy.set(title="accuracy", xlabel="epoch", ylabel="accuracy", ylim=(-0.02, 1.02))
    for ax in axes:
        ax.grid(alpha=0.3)
        if last_epoch:
            ax.set_xlim(0.5, max(last_epoch, history.epochs) + 0.5)
        if history.epochs:
            ax.legend(loc="best", fontsize=9)


def _as_float(values) -> list[float]:
    return [math.nan if v is None else v for v in values]


# --- decision boundary ---------------------------------------------------------------------------


def plot_decision_boundary(model, X, y, loss=None, resolution: int = 60, ax=None,
                           title: str | None = None):
    """The plane of a two-input classifier, coloured by the class the model predicts at each
    point, its decision boundary (black) and the points (X, y). Returns the matplotlib Figure.

    loss: the loss it was trained with (as in `fit`), which says how an output becomes a class.
    Without it: the largest output for several outputs; for one output, class 1 where the output
    is above 0 (a score or logit, as 'hinge' and 'bce_with_logits' read it), or above 0.5 when the
    output unit is a sigmoid. resolution: grid points per side. ax: draw into these axes.
    """
    plt = pyplot()
    X, y = list(X), list(y)
    _check_points(X, y)
    if not isinstance(resolution, int) or isinstance(resolution, bool) or resolution < 2:
        raise ValueError(f"plot_decision_boundary: resolution must be an int >= 2, got "
                         f"{resolution!r}")
    if ax is None:
        fig, ax = plt.subplots(figsize=(5.2, 4.6), constrained_layout=True)
        plt.close(fig)
    _draw_boundary(ax, model, X, y, _classifier(model, y, loss), resolution)
    if title is not None:
        ax.set_title(title)
    return ax.figure


def _check_points(X, y) -> None:
    if len(X) != len(y):
        raise ValueError(f"plot_decision_boundary: {len(X)} points but {len(y)} labels")
    if not X:
        raise ValueError("plot_decision_boundary: no points")
    wrong = next((x for x in X if len(x) != 2), None)
    if wrong is not None:
        raise ValueError(f"plot_decision_boundary: a decision boundary is drawn in the plane of "
                         f"two inputs, but a point has {len(wrong)}: {wrong!r}")


def _classifier(model, y, loss):
    """A function from the model's output (a float, or a list of floats) to a class label."""
    classes = sorted(set(y))
    if loss is not None:
        objective = objectives.get(loss, y)
        if objective.correct is None:
            raise ValueError(f"plot_decision_boundary: the loss {objective.name!r} has no "
                             "classes (a regression loss on labels that are not 0/1 or -1/+1)")

        def by_rule(out):
            return next((c for c in classes if objective.correct(out, c)), classes[0])
        return by_rule
    threshold = 0.5 if _output_activation(model) == "sigmoid" else 0.0

    def by_default(out):
        if isinstance(out, list):
            return max(range(len(out)), key=out.__getitem__)
        return classes[-1] if out > threshold else classes[0]
    return by_default


def _output_activation(model) -> str | None:
    from .netdraw import activation_name, network_layers
    try:
        units = network_layers(model)[-1][1]
    except TypeError:  # any callable model: no activation to read
        return None
    return activation_name(units[0])


def _draw_boundary(ax, model, X, y, classify, resolution: int) -> float:
    """Draws the regions, the boundary and the points into `ax`; returns the accuracy."""
    import numpy as np  # matplotlib's own dependency

    classes = sorted(set(y))
    xs, ys = _axis(X, 0, resolution), _axis(X, 1, resolution)
    grid = [[float(a), float(b)] for b in ys for a in xs]
    outputs = predict(model, grid)
    colors = [CLASS_COLORS[k % len(CLASS_COLORS)] for k in range(len(classes))]
    threshold = _threshold(classify, classes) if not isinstance(outputs[0], list) else None
    if threshold is not None:
        # one output: the boundary is where it crosses the threshold, a smooth contour line
        Z = np.array(outputs, dtype=float).reshape(len(ys), len(xs))
        levels = [min(np.nanmin(Z), threshold) - 1.0, threshold, max(np.nanmax(Z), threshold) + 1.0]
    else:  # the class of each grid point, whose boundaries follow the grid
        predicted = [classes.index(c) if c in classes else -1 for c in map(classify, outputs)]
        Z = np.array(predicted, dtype=float).reshape(len(ys), len(xs))
        Z[Z < 0] = np.nan  # a class the labels do not have: left blank
        levels = list(np.arange(len(classes) + 1) - 0.5)
    ax.contourf(xs, ys, Z, levels=levels, colors=colors, alpha=0.22)
    if threshold is None and len(classes) > 2:
        # the edge of each class's region: where class 0 meets class 2 the class index jumps
        # over 1, and contour lines of the index would draw that one edge twice, side by side
        for k in range(len(classes)):
            inside = (Z == k).astype(float)
            if 0.0 < inside.mean() < 1.0:
                ax.contour(xs, ys, inside, levels=[0.5], colors="black", linewidths=1.5)
    elif len(classes) > 1 and np.nanmin(Z) < max(levels[1:-1]) and \
            np.nanmax(Z) > min(levels[1:-1]):
        ax.contour(xs, ys, Z, levels=levels[1:-1], colors="black", linewidths=1.5)
    for k, label in enumerate(classes):
        points = [x for x, t in zip(X, y) if t == label]
        ax.scatter([p[0] for p in points], [p[1] for p in points], s=36, color=colors[k],
                   marker=CLASS_MARKERS[k % len(CLASS_MARKERS)], edgecolor="black",
                   linewidth=0.6, zorder=3, label=f"class {label}")
    hits = sum(classify(out) == t for out, t in zip(predict(model, X), y))
    accuracy = hits / len(X)
    ax.set(xlabel="x0", ylabel="x1", xlim=(xs[0], xs[-1]), ylim=(ys[0], ys[-1]),
           title=f"decision boundary: {hits} of {len(X)} points right ({accuracy:.0%})")
    ax.legend(loc="best", fontsize=9, framealpha=0.85)
    return accuracy


def _threshold(classify, classes) -> float | None:
    """The output value where a one-output model's predicted class changes from the first class
    to the second (0 for a score, 0.5 for a probability), found by bisection; None if there is
    none (one class only, or a rule that does not split the outputs in two)."""
    if len(classes) != 2:
        return None
    low, high = -1e6, 1e6
    if classify(low) != classes[0] or classify(high) != classes[1]:
        return None
    for _ in range(80):
        middle = (low + high) / 2
        low, high = (middle, high) if classify(middle) == classes[0] else (low, middle)
    return high


def _axis(X, k: int, resolution: int) -> list[float]:
    low, high = min(x[k] for x in X), max(x[k] for x in X)
    pad = max(0.1 * (high - low), 0.25)
    low, high = low - pad, high + pad
    return [low + (high - low) * i / (resolution - 1) for i in range(resolution)]


# --- live training -----------------------------------------------------------------------------


def in_notebook() -> bool:
    """True inside a Jupyter kernel (where a display can be updated in place)."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


def live_period(live, epochs: int) -> int:
    """How many epochs pass between two redraws: `live` itself when it is a number, else about
    LIVE_REDRAWS redraws over the run; 0 means no live figure."""
    if live is False or live is None:
        return 0
    if live is True:
        return max(1, math.ceil(epochs / LIVE_REDRAWS))
    if isinstance(live, int) and not isinstance(live, bool) and live >= 1:
        return live
    raise ValueError(f"fit: live must be True, False, or a number of epochs >= 1 between redraws, "
                     f"got {live!r}")


class LiveFigure:
    """One figure in a Jupyter output, redrawn in place (one display id, then updates)."""

    def __init__(self, model, X, y, objective, every: int, epochs: int):
        self.plt = pyplot()
        self.model, self.X, self.y, self.objective = model, X, y, objective
        self.every, self.epochs = every, epochs
        self.boundary = (objective.correct is not None and all(len(x) == 2 for x in X))
        self.accuracy = objective.correct is not None
        panels = 1 + self.accuracy + self.boundary
        self.figure, axes = self.plt.subplots(1, panels, figsize=(4.6 * panels, 3.8),
                                              squeeze=False)
        # fixed margins: the frames keep one layout, and constrained layout would take half the
        # time of every redraw
        self.figure.subplots_adjust(left=0.3 / panels, right=1 - 0.08 / panels, bottom=0.14,
                                    top=0.84, wspace=0.3)
        self.axes = list(axes[0])
        self.plt.close(self.figure)
        self.handle = None

    def update(self, history) -> None:
        """Redraw every `every` epochs (and at the first)."""
        if history.epochs == 1 or history.epochs % self.every == 0:
            self.redraw(history)

    def finish(self, history) -> None:
        """Show the last epoch and why training stopped."""
        self.redraw(history)

    def redraw(self, history) -> None:
        """Draw the curves (and the decision boundary) of `history` so far, in place."""
        import IPython.display

        for ax in self.axes:
            ax.clear()
        curves = self.axes[:1 + self.accuracy]
        if history.epochs:
            _draw_curves(curves, history, last_epoch=self.epochs)
        if self.boundary:
            classify = _classifier(self.model, self.y, self.objective)
            _draw_boundary(self.axes[-1], self.model, self.X, self.y, classify, LIVE_RESOLUTION)
        self.figure.suptitle(f"epoch {history.epochs} of {self.epochs}"
                             + (f": {history.stop_reason}" if history.stop_reason else ""))
        image = IPython.display.Image(data=self._png(), format="png")
        if self.handle is None:
            self.handle = IPython.display.display(image, display_id=True)
        else:
            self.handle.update(image)

    def _png(self) -> bytes:
        import io

        buffer = io.BytesIO()
        self.figure.savefig(buffer, format="png", dpi=80)
        return buffer.getvalue()


def live_figure(live, model, X, y, objective, epochs: int):
    """`fit`'s live figure, or None when `live` is off or no Jupyter kernel runs (the progress
    bar is shown instead). Raises ImportError in Jupyter when matplotlib is missing."""
    every = live_period(live, epochs)
    if not every or not in_notebook():
        return None
    return LiveFigure(model, X, y, objective, every, epochs)
