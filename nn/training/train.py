"""`fit`: gradient-based learning as the lecture lists it. For each batch: forward propagate,
compute the loss, zero the gradients, backpropagate, update the weights. Batch GD, mini-batch GD
and SGD differ only in the batch size (all, k, 1).

>>> import random
>>> from gategrad import nn
>>> X, y = nn.data.and_gate()
>>> neuron = nn.Neuron(2, activation="linear", rng=random.Random(0))
>>> history = nn.fit(neuron, X, y, loss="bce_with_logits", epochs=300, lr=1.0, progress=False)
>>> history.train_acc[-1]
1.0
"""

from __future__ import annotations

import gc
import math
import random
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from gategrad.engine import no_grad

from .. import checks, objectives
from ..data import _as_rng, batches
from ..losses import l2_penalty
from .optim import SGD
from .progress import progress_bar

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from ..model.module import Module

# a loss name (nn.objectives.NAMES), a function loss(outputs, targets) -> Value, or an Objective
LossSpec = str | Callable | objectives.Objective
# 'auto', None, or a function correct(output, target) -> bool
AccuracySpec = str | Callable[..., bool] | None


class DivergedError(FloatingPointError):
    """`fit` stopped because training diverged: the loss, a gradient or a weight left the finite
    numbers (the learning rate is usually too large). `history` holds the epochs run, the last
    one included; the message says in which epoch and batch."""

    def __init__(self, message: str, history: History):
        super().__init__(message)
        self.history = history


@dataclass
class History:
    """Per-epoch metrics of a `fit` run, and why it stopped.

    `train_loss`/`train_acc` are measured on each batch just before its update (as micrograd's demo
    prints them); `val_loss`/`val_acc` on the validation set after the epoch. Losses are the data
    loss; `objective` adds the L2 penalty (what gradient descent minimises). `grad_norm` is the
    length of the epoch's mean gradient, `lr` the last learning rate used, `seconds` the wall
    time of the epoch's steps (validation left out). An accuracy is None when the task has none
    (regression).
    """

    train_loss: list[float] = field(default_factory=list)
    train_acc: list[float | None] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_acc: list[float | None] = field(default_factory=list)
    objective: list[float] = field(default_factory=list)
    grad_norm: list[float] = field(default_factory=list)
    lr: list[float] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    stop_reason: str = ""

    @property
    def epochs(self) -> int:
        """The number of epochs run."""
        return len(self.train_loss)

    def plot(self, title: str | None = None) -> Figure:
        """The matplotlib Figure of the loss and accuracy per epoch, train and validation
        (matplotlib is imported only here; see nn/show/plots.py)."""
        from ..show.plots import plot_history
        return plot_history(self, title=title)

    def __repr__(self) -> str:
        if not self.epochs:
            return f"History(0 epochs, {self.stop_reason or 'not started'})"
        parts = [f"train loss {self.train_loss[-1]:.4g}"]
        if self.train_acc[-1] is not None:
            parts.append(f"acc {self.train_acc[-1]:.1%}")
        if self.val_loss:
            parts.append(f"val loss {self.val_loss[-1]:.4g}")
            if self.val_acc[-1] is not None:
                parts.append(f"val acc {self.val_acc[-1]:.1%}")
        return f"History({self.epochs} epochs, {', '.join(parts)}; {self.stop_reason})"


def predict(model: Module, X: Iterable) -> list:
    """The model's outputs on every point, as floats (lists of floats for several outputs),
    computed without recording a graph. A NaN or infinite input is a ValueError naming its row
    and column."""
    X = list(X)
    checks.finite_rows("predict", X)
    with no_grad():
        outputs = [model(x) for x in X]
    return [out.data if not isinstance(out, list) else [o.data for o in out] for out in outputs]


def evaluate(model: Module, X: Iterable, y: Iterable, loss: LossSpec = "mse",
             accuracy: AccuracySpec = "auto") -> tuple[float, float | None]:
    """(data loss, accuracy) of `model` on the points X with targets y; no graph is recorded.

    >>> import random
    >>> from gategrad import nn
    >>> X, y = nn.data.xor()
    >>> model = nn.MLP(2, [1], rng=random.Random(0))
    >>> loss, acc = nn.evaluate(model, X, y, loss="hinge"); acc <= 0.75
    True
    """
    X, y = list(X), list(y)
    if len(X) != len(y):
        raise ValueError(f"evaluate: {len(X)} points but {len(y)} targets")
    if not X:
        raise ValueError("evaluate: no data")
    checks.finite_rows("evaluate", X)
    checks.finite_targets("evaluate", y)
    objective = objectives.get(loss, y, accuracy)
    with no_grad():
        outputs = [model(x) for x in X]
        value = objective.loss(outputs, list(y)).data
    return value, _accuracy(objective, outputs, y)


def _hits(objective, outputs, targets) -> int:
    """How many outputs the objective's accuracy rule counts as correct (0 without a rule)."""
    correct = objective.correct
    if correct is None:
        return 0
    return sum(bool(correct(out.data if not isinstance(out, list) else [o.data for o in out], t))
               for out, t in zip(outputs, targets, strict=True))


def _accuracy(objective, outputs, targets) -> float | None:
    if objective.correct is None:
        return None
    return _hits(objective, outputs, targets) / len(outputs)


def _progress_bar(epochs: int, enabled: bool):
    # the widget bar in Jupyter with ipywidgets, else the text bar, never a warning
    # (nn/training/progress.py)
    return progress_bar(epochs, enabled)


def fit(model: Module, X: Iterable, y: Iterable, loss: LossSpec = "mse", epochs: int = 100,
        lr: float = 0.1, batch_size: int | None = None, optimizer: SGD | None = None,
        l2: float = 0.0, val: tuple[Sequence, Sequence] | None = None, progress: bool = True,
        grad_tol: float | None = None, lr_schedule: Callable[[int], float] | None = None,
        momentum: float = 0.0, rng: random.Random | int | None = None,
        accuracy: AccuracySpec = "auto",
        callback: Callable[[int, History], bool | None] | None = None, live: bool | int = False,
        compile: bool | None = None) -> History:  # noqa: A002
    """Train `model` on (X, y) and return its `History`.

    loss: a name from `nn.objectives.NAMES` ('hinge' accepts 0/1 or -1/+1 labels) or a function
        `loss(outputs, targets) -> Value` over a batch.
    batch_size: None or 0 for batch gradient descent, k for mini-batches of k, 1 for SGD.
    optimizer: by default `SGD(model.parameters(), lr, momentum, lr_schedule=lr_schedule)`;
        a schedule `lr_schedule(step) -> lr` (e.g. `LinearDecay`) replaces `lr` step by step.
    l2: lambda of the L2 penalty lambda * sum w^2 added to the loss (MAP instead of MLE).
    val: (X_val, y_val), evaluated after every epoch.
    progress: show a tqdm progress bar with loss and accuracy (the widget bar in Jupyter when
        ipywidgets is installed, the text bar otherwise).
    grad_tol: stop once the epoch's mean gradient is shorter than this (|grad| < eps).
    rng: shuffles the mini-batches (a random.Random, a seed, or None for the global `random`).
    accuracy: 'auto', None, or `correct(output, target) -> bool`.
    callback: called as callback(epoch, history) after each epoch; a true result stops training.
    live: in Jupyter, one figure redrawn in place every few epochs (an int: every that many) with
        the train and validation loss and accuracy and, for two inputs, the decision boundary;
        elsewhere the progress bar as usual (nn/show/plots.py).
    compile: train through `gategrad.engine.compile` (nn/training/compiled.py): the model's
        graph for one sample is traced once and replayed as generated code, much faster. None
        (the default) compiles unless the model reads the number of a value that depends on its
        input or parameters while it builds its graph (a branch on `.data`: such a graph may
        differ from sample to sample); then it says so in one line and trains on the plain
        graph. True insists (DataDependentError), False builds the plain graph for every sample
        (to draw or explain it mid-training, say). Compiled and plain training agree to rounding
        (about 1e-12 per step; the generated code adds a layer's products in another order).
        Where a run meets an exact tie (two maxout pieces or max inputs equal, a relu input
        exactly 0), that rounding can break the tie one way in one run and the other way in the
        other, and from there the two runs part.

    Training stops early, with the reason in `history.stop_reason`, on grad_tol, the callback or
    Ctrl-C. When it diverges (the loss or a weight becomes infinite or nan, or a gate overflows;
    the learning rate is usually too large) it stops and raises `DivergedError`, which names the
    epoch and batch and holds the history. Inputs and targets must be finite numbers (ValueError
    naming the row and column); every option is checked before training starts.

    Python's cycle collector is paused while training: the engine's graphs hold no reference
    cycles, so reference counting frees each step's graph, and the collector would only re-scan
    the live nodes (about 15% of a step of micrograd's demo, measured).
    """
    X, y = list(X), list(y)
    if len(X) != len(y):
        raise ValueError(f"fit: {len(X)} points but {len(y)} targets")
    if not X:
        raise ValueError("fit: no training data")
    checks.fit_options(epochs, lr, batch_size, l2, momentum, grad_tol, lr_schedule, optimizer,
                       callback, progress, val)
    checks.finite_rows("fit", X)
    checks.finite_targets("fit", y)
    if val is not None:
        checks.finite_rows("fit", list(val[0]), "X_val")
        checks.finite_targets("fit", list(val[1]), "y_val")
    objective = objectives.get(loss, y, accuracy)
    params = model.parameters()
    if optimizer is None:
        optimizer = SGD(params, lr=lr, momentum=momentum, lr_schedule=lr_schedule)
    shuffler = _as_rng(rng)
    training = _compiled_training(model, objective, l2, X, y, optimizer, compile)
    history = History()
    figure = None  # fit(live=...)'s figure in Jupyter, None elsewhere (then the progress bar)
    if live:
        from ..show.plots import live_figure
        figure = live_figure(live, model, X, y, objective, epochs)
    bar = _progress_bar(epochs, progress and figure is None)
    collector_was_enabled = gc.isenabled()
    gc.disable()
    try:
        for epoch in bar:
            began = time.perf_counter()
            if training is not None:
                stop = training.epoch(history, batch_size, shuffler)
            else:
                stop = _epoch(model, X, y, objective, params, optimizer, l2, batch_size,
                              shuffler, history)
            history.seconds.append(time.perf_counter() - began)
            if training is not None and (val is not None or figure is not None
                                         or callback is not None):
                training.write_back()  # they read the model
            if val is not None:
                val_loss, val_acc = evaluate(model, val[0], val[1], objective, accuracy)
                history.val_loss.append(val_loss)
                history.val_acc.append(val_acc)
            bar.set_postfix(_postfix(history), refresh=False)
            if figure is not None:
                figure.update(history)
            if stop:
                history.stop_reason = stop
                break
            if grad_tol is not None and history.grad_norm[-1] < grad_tol:
                history.stop_reason = (f"converged: |grad| = {history.grad_norm[-1]:.3g} < "
                                       f"grad_tol = {grad_tol:g} after {epoch + 1} epochs")
                break
            if callback is not None and callback(epoch, history):
                history.stop_reason = f"stopped by the callback after {epoch + 1} epochs"
                break
        else:
            history.stop_reason = f"ran all {epochs} epochs"
    except KeyboardInterrupt:
        history.stop_reason = f"interrupted after {history.epochs} epochs"
    finally:
        if training is not None:  # the weights of the last finished step, also after Ctrl-C
            training.write_back()
        if collector_was_enabled:
            gc.enable()
        bar.close()
    if figure is not None:
        figure.finish(history)
    if history.stop_reason.startswith("diverged"):
        raise DivergedError(f"fit {history.stop_reason}", history)
    return history


def _compiled_training(model, objective, l2, X, y, optimizer, compile):  # noqa: A002
    if compile is not None and not isinstance(compile, bool):
        raise ValueError(f"fit: compile must be True, False or None, got {compile!r}")
    if compile is False:
        return None
    from gategrad.engine.codegen import DataDependentError
    from gategrad.engine.codegen.compiler import say_once
    try:
        from .compiled import compile_training  # (numpy: compiled training is matrix code)
    except ImportError as error:
        if compile:
            raise ImportError(f"fit(compile=True) needs numpy: {error}") from None
        say_once("fit: training on the plain graph, not compiled: numpy is not installed")
        return None
    try:
        return compile_training(model, objective, l2, X, y, optimizer)
    except DataDependentError as error:
        if compile:
            raise DataDependentError(f"fit(compile=True): this model cannot be traced once: "
                                     f"{error}") from None
        reason = error
    except Exception as error:  # noqa: BLE001  (the plain graph says it again if it is real)
        if compile:
            raise
        reason = f"{type(error).__name__}: {error}"
    # compile=None: the plain graph is always right; say once, in one line, why it is used
    print(f"fit: training on the plain graph, not compiled: {reason}", file=sys.stderr)
    return None


def _epoch(model, X, y, objective, params, optimizer, l2, batch_size, shuffler, history):
    """One pass over the data on the plain graph; records the epoch's metrics; returns a stop
    reason or ''. (Compiled training: CompiledTraining.epoch in nn/training/compiled.py.)"""
    n = len(X)
    loss_sum = objective_sum = 0.0
    hits = 0
    mean_grad = [0.0] * len(params)
    reason = ""
    where = f"in epoch {history.epochs + 1}"
    for batch, (xb, yb) in enumerate(batches(X, y, batch_size, rng=shuffler), 1):
        try:
            outputs = [model(x) for x in xb]
            data_loss = objective.loss(outputs, yb)
            total = data_loss + l2_penalty(params, l2) if l2 else data_loss
        except OverflowError as err:  # a gate overflowed: the weights have blown up
            loss_sum = objective_sum = math.inf
            reason = _diverged(f"{where}, batch {batch}: {err}", optimizer)
            break
        loss_sum += data_loss.data * len(xb)
        objective_sum += total.data * len(xb)
        if not math.isfinite(total.data):
            reason = _diverged(f"{where}, batch {batch}: the loss became {total.data}", optimizer)
            break
        optimizer.zero_grad()
        total.backward()
        weight = len(xb) / n
        for i, p in enumerate(params):
            mean_grad[i] += p.grad * weight
        optimizer.step()
        hits += _hits(objective, outputs, yb)
    history.train_loss.append(loss_sum / n)
    history.objective.append(objective_sum / n)
    history.train_acc.append(hits / n if objective.correct is not None else None)
    history.grad_norm.append(math.sqrt(sum(g * g for g in mean_grad)))
    history.lr.append(getattr(optimizer, "lr", math.nan))
    if not reason and not math.isfinite(sum(p.data for p in params)):  # the last step's update
        reason = _diverged(f"{where}: a weight became infinite or nan", optimizer)
    return reason


def _diverged(what: str, optimizer) -> str:
    lr = getattr(optimizer, "lr", None)
    used = f" (it was {lr:g})" if isinstance(lr, float) else ""
    return f"diverged {what}; try a smaller learning rate{used}"


def loss_text(x: float) -> str:
    """A loss for people: 4 decimals in the usual range, else 4 significant digits, so that a
    diverging loss of 1e200 prints as 1e+200, not as 200 digits.

    >>> loss_text(0.123456), loss_text(6.8e270), loss_text(2.5e-7), loss_text(float("inf"))
    ('0.1235', '6.8e+270', '2.5e-07', 'inf')
    """
    return f"{x:.4f}" if x == 0 or 1e-3 <= abs(x) < 1e5 else f"{x:.4g}"


def _postfix(history: History) -> dict:
    shown = {"loss": loss_text(history.train_loss[-1])}
    if history.train_acc[-1] is not None:
        shown["acc"] = f"{history.train_acc[-1]:.1%}"
    if history.val_loss:
        shown["val_loss"] = loss_text(history.val_loss[-1])
        if history.val_acc[-1] is not None:
            shown["val_acc"] = f"{history.val_acc[-1]:.1%}"
    return shown
