"""Training through `compile`: the whole step as matrix code, the parameters as one array.

A model of nn builds the same graph for every sample (its shape depends on the layer sizes, not
on the data), so it is traced once (engine/codegen/tracing.py refuses a model that reads its
numbers) and compiled in its matrix form (engine/codegen/matrix.py): every layer one matrix
product over the batch, the parameters one vector `theta`. A step then is, for a batch of rows of X:

1. the forward pass, the loss and its gradient with respect to the outputs (`loss_grad`, numpy
   code per loss below, or the loss's plain graph for a loss of your own);
2. the backward pass, the L2 term's gradient 2 lambda theta added;
3. the SGD update on theta, with momentum and the learning-rate schedule, as nn.optim.SGD does.

No Value is touched while training runs: the model's Values get theta back (and each parameter
its last gradient) when training ends, is interrupted, or before anything reads the model (a
validation set, a callback, a live plot). The numbers are the plain graph's to rounding.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence

import numpy as np

from gategrad.engine import GATES, Value, compile
from gategrad.engine.codegen import trace

from .. import losses, objectives
from ..data import batch_indices, pm1
from .optim import SGD
from .train import _diverged

# Each loss below takes the model's outputs (samples x outputs) and the batch's targets as an
# array made once for the whole data set (_targets_array), and returns (loss, d loss / d outputs).

def _hinge(out, y):
    """micrograd's mean(relu(1 + -y s)) for labels y of -1/+1, as the plain graph computes it,
    and d/ds."""
    c = 1.0 / len(y)
    margin = out[:, 0] * -y + 1.0
    return float(np.sum(np.where(margin <= 0.0, 0.0, margin))) * c, \
        np.where(margin <= 0.0, 0.0, -y * c)[:, None]


def _bce_with_logits(out, t):
    """max(z, 0) - z t + log(1 + exp(-|z|)), its mean, and d/dz through the same gates."""
    z = out[:, 0]
    g = 1.0 / len(t) if len(t) > 1 else 1.0
    abs_z = np.maximum(z, -z)
    e = np.exp(-abs_z)
    loss = np.maximum(z, 0.0) - z * t + np.log(1.0 + e)
    d_abs = -1.0 * (e * (1.0 / (1.0 + e) * g))
    # max(z, 0) sends 1, 0 or (a tie at 0) 0.5; |z| = max(z, -z) sends d_abs to z or -z, half
    # each at 0, where the two halves cancel
    dz = np.where(z > 0.0, 1.0, np.where(z < 0.0, 0.0, 0.5)) * g + t * (-1.0 * g) \
        + np.where(z > -z, d_abs, np.where(z < -z, -d_abs, 0.0))
    return (float(np.sum(loss)) * g if len(t) > 1 else float(loss[0])), dz[:, None]


def _cross_entropy(out, t):
    """-log softmax(z)[t], the softmax CE gate's numbers for every row, its mean, and the gate's
    local gradient p - y times 1/B."""
    rows = np.arange(len(t))
    g = 1.0 / len(t) if len(t) > 1 else 1.0
    top = out.max(axis=1, keepdims=True)
    e = np.exp(out - top)
    total = e.sum(axis=1)
    loss = np.log(total) - (out[rows, t] - top[:, 0])
    p = e / total[:, None]
    p[rows, t] -= 1.0
    return (float(np.sum(loss)) * g if len(t) > 1 else float(loss[0])), p * g


def _squared(mean_over_outputs: bool):
    """mse (the mean over a sample's outputs) or squared_l2 (their sum), averaged over samples."""
    def loss_grad(out, t):
        g = 1.0 / len(t) if len(t) > 1 else 1.0
        if mean_over_outputs and out.shape[1] > 1:
            g = 1.0 / out.shape[1] * g
        diff = out + -t
        squares = diff ** 2
        overflow = np.isinf(squares) & np.isfinite(diff)
        if np.any(overflow):  # the plain graph's pow gate raises here: so does this
            GATES["pow"].forward(float(diff[overflow][0]), 2.0)
        per_sample = squares.sum(axis=1)
        if mean_over_outputs and out.shape[1] > 1:
            per_sample = per_sample * (1.0 / out.shape[1])
        value = float(np.sum(per_sample)) * (1.0 / len(t)) if len(t) > 1 else float(per_sample[0])
        return value, 2.0 * diff * g
    return loss_grad


# The losses of nn.objectives in numpy, by their batch loss function (a loss of your own, or one
# not here, runs as its plain graph on the outputs).
_LOSS_GRADS = {objectives._hinge: _hinge, objectives._bce_with_logits: _bce_with_logits,
               objectives._cross_entropy: _cross_entropy}
_REGRESSION = {losses.mse: _squared(True), losses.squared_l2: _squared(False)}



def _targets_array(loss_grad, y: list, outputs: int):
    """The targets as the loss above takes them: -1/+1 labels for the hinge loss, class indices
    for cross-entropy, one row of numbers per sample for a squared loss."""
    if loss_grad is _hinge:
        return np.asarray(pm1(y), dtype=float)
    if loss_grad is _cross_entropy:
        return np.asarray(y, dtype=int)
    if loss_grad is _bce_with_logits:
        return np.asarray(y, dtype=float)
    return np.asarray(y, dtype=float).reshape(len(y), outputs)


# The accuracy rules of nn.objectives over a batch: OUT (samples x outputs), targets T.
_HITS = {
    objectives.positive_is_one: lambda out, t: (out[:, 0] > 0.0) == (t == 1),
    objectives.positive_logit: lambda out, t: (out[:, 0] > 0.0) == (t > 0.5),
    objectives.above_half: lambda out, t: (out[:, 0] > 0.5) == (t > 0.5),
    objectives.above_half_is_one: lambda out, t: (out[:, 0] > 0.5) == (t == 1),
    objectives.top_class: lambda out, t: np.argmax(out, axis=1) == t,
}


class CompiledTraining:
    """What fit runs instead of building the graph sample by sample (see the module's text)."""

    def __init__(self, model, objective, l2: float, X, y, optimizer):
        self.model, self.objective, self.l2, self.optimizer = model, objective, l2, optimizer
        self.params = model.parameters()
        x = [Value(float(v), label=f"x{i}") for i, v in enumerate(X[0])]
        out = trace(lambda *leaves: model(list(leaves[len(self.params):])), [*self.params, *x])
        self.vector = not isinstance(out, Value)  # several outputs per sample
        self.fn = compile(out, [*self.params, *x], wrt=self.params)
        self.run = self.fn.matrix()
        self.X, self.y = np.asarray(X, dtype=float), list(y)
        self.y_array = np.asarray(y, dtype=float)
        self.theta = np.array([p.data for p in self.params])
        self.grad = np.zeros_like(self.theta)
        self.loss_grad = _LOSS_GRADS.get(objective.loss) or _REGRESSION.get(
            getattr(objective.loss, "per_example", None)) or self._plain_loss_grad
        self._check_targets(out)
        if self.loss_grad != self._plain_loss_grad:
            self.targets = _targets_array(self.loss_grad, self.y,
                                          len(out) if self.vector else 1)
        self.hits = _HITS.get(objective.correct)
        self.vectorized_sgd = type(optimizer) is SGD
        self.velocity = None
        if self.vectorized_sgd and optimizer._velocity is not None:
            self.velocity = np.array(optimizer._velocity, dtype=float)
        self.in_values = True  # the model's Values hold theta

    def _check_targets(self, out) -> None:
        """Every target as the plain loss would check it, with its words: the plain loss runs
        on the traced outputs with the first target (the outputs' shape), then with the first
        target that numpy code would take without a word."""
        self.objective.loss([out], self.y[:1])
        if self.loss_grad == self._plain_loss_grad:
            return  # the plain loss checks every batch itself
        outputs = len(out) if self.vector else 1
        for k, t in enumerate(self.y):
            if self.loss_grad is _hinge:
                fine = t in (0, 1, -1) and not isinstance(t, bool)
            elif self.loss_grad is _bce_with_logits:
                fine = 0.0 <= t <= 1.0
            elif self.loss_grad is _cross_entropy:
                fine = isinstance(t, numbers.Integral) and not isinstance(t, bool) \
                    and 0 <= t < outputs
            else:  # a squared loss: one number per output
                fine = isinstance(t, numbers.Real) if not self.vector else \
                    isinstance(t, Sequence) and len(t) == outputs
            if not fine:
                self.objective.loss([out], [t])  # raises the plain loss's error
                raise ValueError(f"fit: target {k} is {t!r}, which the loss "
                                 f"{self.objective.name!r} cannot take")

    # --- one epoch -------------------------------------------------------------------------

    def epoch(self, history, batch_size, shuffler) -> str:
        """One pass over the data, fit's `_epoch` as matrix code; returns a stop reason or ''."""
        n = len(self.y)
        loss_sum = objective_sum = 0.0
        hits = 0
        mean_grad = np.zeros_like(self.theta)
        reason, where = "", f"in epoch {history.epochs + 1}"
        self.in_values = False
        for batch, rows in enumerate(batch_indices(n, batch_size, rng=shuffler), 1):
            xb = self.X if rows is None else self.X[rows]
            size = n if rows is None else len(rows)
            if self.loss_grad == self._plain_loss_grad:  # a list, as the plain loss takes it
                yb = self.y if rows is None else [self.y[i] for i in rows]
            else:
                yb = self.targets if rows is None else self.targets[rows]
            try:
                out, data_loss, grad = self._gradient(xb, yb)
            except OverflowError as err:  # a gate overflowed: the weights have blown up
                loss_sum = objective_sum = math.inf
                reason = _diverged(f"{where}, batch {batch}: {err}", self.optimizer)
                break
            with np.errstate(all="ignore"):  # overflows to inf, which is divergence, said below
                total = data_loss + self.l2 * float(self.theta @ self.theta) if self.l2 \
                    else data_loss
            loss_sum += data_loss * size
            objective_sum += total * size
            if not math.isfinite(total):
                reason = _diverged(f"{where}, batch {batch}: the loss became {total}",
                                   self.optimizer)
                break
            if self.l2:
                grad = grad + 2.0 * self.l2 * self.theta
            self.grad = grad
            mean_grad += grad * (size / n)
            self._update(grad)
            hits += self._hits(out, rows)
        history.train_loss.append(loss_sum / n)
        history.objective.append(objective_sum / n)
        history.train_acc.append(hits / n if self.objective.correct is not None else None)
        with np.errstate(all="ignore"):  # a diverged run's gradient may overflow: inf, said
            history.grad_norm.append(math.sqrt(float(mean_grad @ mean_grad)))
        history.lr.append(getattr(self.optimizer, "lr", math.nan))
        if not reason and not np.all(np.isfinite(self.theta)):  # the last step's update
            reason = _diverged(f"{where}: a weight became infinite or nan", self.optimizer)
        return reason

    def _gradient(self, xb, yb):
        """The model's outputs, the data loss and its gradient with respect to theta."""
        seen = {}

        def loss_grad(out):
            seen["loss"], d_out = self.loss_grad(out, yb)
            seen["d_out"] = d_out
            return d_out

        out, grad = self.run(self.theta, xb, loss_grad)
        if not np.all(np.isfinite(grad)) and np.isfinite(seen["loss"]):
            # matrix code multiplies as it goes; the exact code applies the zero rules
            d_out = seen["d_out"]
            seeds = [d_out[:, j] for j in range(d_out.shape[1])]
            _, grads = self.fn.batch(*self.theta.tolist(), *xb.T,
                                     grad_output=seeds if self.vector else seeds[0],
                                     backend="numpy")
            grad = np.array(grads, dtype=float)
        return out, seen["loss"], grad

    def _plain_loss_grad(self, out, targets):
        """A loss without numpy code: its plain graph on the outputs as leaf Values."""
        values = [[Value(float(o)) for o in row] for row in out]
        outputs = values if self.vector else [row[0] for row in values]
        loss = self.objective.loss(outputs, list(targets))
        loss.backward()
        return loss.data, np.array([[o.grad for o in row] for row in values], dtype=float)

    def _hits(self, out, rows) -> int:
        if self.objective.correct is None:
            return 0
        if self.hits is not None:
            targets = self.y_array if rows is None else self.y_array[rows]
            return int(np.count_nonzero(self.hits(out, targets)))
        correct = self.objective.correct  # a rule of your own: sample by sample
        yb = self.y if rows is None else [self.y[i] for i in rows]
        return sum(bool(correct(list(o) if self.vector else float(o[0]), t))
                   for o, t in zip(out, yb))

    def _update(self, grad) -> None:
        """nn.optim.SGD's step on theta: the same formula, the whole vector at once."""
        opt = self.optimizer
        if not self.vectorized_sgd:  # another optimizer: it steps the Values themselves
            self.write_back()
            opt.step()
            self.theta = np.array([p.data for p in self.params])
            self.in_values = False
            return
        if opt.lr_schedule is not None:
            opt.lr = float(opt.lr_schedule(opt.steps))
        lr, decay = opt.lr, opt.weight_decay
        with np.errstate(all="ignore"):  # a weight that overflows is divergence, caught after
            self._step(lr, decay, grad)
        opt.steps += 1

    def _step(self, lr: float, decay: float, grad) -> None:
        opt = self.optimizer
        if self.velocity is None:
            self.theta = self.theta - lr * (grad + decay * self.theta) if decay \
                else self.theta - lr * grad
        else:
            self.velocity = opt.momentum * self.velocity + grad + decay * self.theta
            self.theta = self.theta - lr * self.velocity

    def write_back(self) -> None:
        """theta into the model's Values, each parameter's last gradient into its grad."""
        if self.in_values:
            return
        for p, value, g in zip(self.params, self.theta.tolist(), self.grad.tolist()):
            p.data, p.grad = value, g
        if self.velocity is not None:
            self.optimizer._velocity = self.velocity.tolist()
        self.in_values = True


def compile_training(model, objective, l2: float, X, y, optimizer):
    """A CompiledTraining for `model`, or None when it has no parameters. Raises
    DataDependentError (a ValueError) when the model's graph depends on the numbers."""
    if not model.parameters() or len(X) == 0:
        return None
    return CompiledTraining(model, objective, l2, X, y, optimizer)
