"""Loss functions built from the engine's gates: what training minimises.

Regression: `squared_l2` (the lecture's ||y_hat - y||^2) and `mse` (its mean). Binary
classification: `bce` on a probability, `bce_with_logits` on a logit (stable for any logit), `hinge`
(the binary SVM's max-margin loss, labels -1/+1, micrograd's demo loss). Multiclass: `softmax`,
`cross_entropy` (a class index as target, stable for any logits) and `multiclass_hinge`.
Regularisation: `l2_penalty(params, lam)` is the lambda R(W) that turns MLE into MAP.

PyTorch's names (`torch.nn.functional`) work too: `binary_cross_entropy`,
`binary_cross_entropy_with_logits` and `mse_loss` are `bce`, `bce_with_logits` and `mse`, with
PyTorch's default reduction, the mean; `cross_entropy` has the same name in both.

Predictions are Values (a list of them for several outputs or a batch); targets are plain numbers.

>>> from gategrad.engine import Value
>>> round(cross_entropy([Value(1000.0), Value(-1000.0)], 1).data, 6)
2000.0
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Sequence

from gategrad.engine import GATES, Value, apply, linear, sum_of

# one prediction or a batch of them, and the matching plain-number targets
Predictions = Value | Sequence[Value]
Targets = float | Sequence[float]

__all__ = ["bce", "bce_with_logits", "binary_cross_entropy", "binary_cross_entropy_with_logits",
           "softmax_cross_entropy",
           "cross_entropy", "hinge", "l2_penalty", "mse", "mse_loss", "multiclass_hinge",
           "softmax", "squared_l2"]

# log() of a probability is clamped at -100, as PyTorch's binary_cross_entropy does, so that a
# saturated sigmoid (exactly 0.0 or 1.0 in floating point) gives a large finite loss, not an error.
_LOG_FLOOR = math.exp(-100.0)


def _as_list(x) -> list:
    return [x] if isinstance(x, (Value, numbers.Real)) else list(x)


def _paired(name: str, pred, target) -> tuple[list, list]:
    preds, targets = _as_list(pred), _as_list(target)
    if len(preds) != len(targets):
        raise ValueError(f"{name}: {len(preds)} predictions but {len(targets)} targets")
    if not preds:
        raise ValueError(f"{name}: no predictions")
    for t in targets:
        if isinstance(t, Value) or not isinstance(t, numbers.Real) or isinstance(t, bool):
            raise ValueError(f"{name}: targets must be plain numbers, got "
                             f"{type(t).__name__}: {t!r}")
    return preds, targets


def _mean(losses: list[Value]) -> Value:
    return losses[0] if len(losses) == 1 else sum_of(losses) * (1.0 / len(losses))


# --- regression -----------------------------------------------------------------------------------

def squared_l2(pred: Predictions, target: Targets) -> Value:
    """sum_k (y_hat_k - y_k)^2, the squared L2 norm of the error (the lecture's regression loss).

    >>> from gategrad.engine import Value
    >>> squared_l2([Value(1.0), Value(3.0)], [0.0, 1.0]).data
    5.0
    """
    return sum_of(_squared_errors("squared_l2", pred, target))


def mse(pred: Predictions, target: Targets) -> Value:
    """The mean of (y_hat - y)^2 over the predictions.

    >>> from gategrad.engine import Value
    >>> mse([Value(1.0), Value(3.0)], [0.0, 1.0]).data
    2.5
    """
    return _mean(_squared_errors("mse", pred, target))


def _squared_errors(name: str, pred: Predictions, target: Targets) -> list[Value]:
    preds, targets = _paired(name, pred, target)
    return [(p - t) ** 2 for p, t in zip(preds, targets, strict=True)]


# --- binary classification ------------------------------------------------------------------------

def _log_clamped(p: Value) -> Value:
    # Only a probability below the floor needs the max gate; above it max would route everything
    # to p, so leaving the gate out changes neither the value nor the gradient.
    return p.log() if p.data > _LOG_FLOOR else p.max(_LOG_FLOOR).log()


def bce(prob: Predictions, target: Targets) -> Value:
    """Binary cross-entropy -[y log p + (1 - y) log(1 - p)], averaged over a batch.

    `prob` is a probability (a sigmoid output), `target` in [0, 1]. Prefer `bce_with_logits` when
    you have the logit: it never saturates.

    >>> from gategrad.engine import Value
    >>> round(bce(Value(0.8), 1).data, 6) == round(-math.log(0.8), 6)
    True
    """
    probs, targets = _paired("bce", prob, target)
    losses = []
    for p, t in zip(probs, targets, strict=True):
        if not 0.0 <= t <= 1.0:
            raise ValueError(f"bce: a target must be in [0, 1], got {t!r}")
        if not 0.0 <= p.data <= 1.0:
            raise ValueError(f"bce: a probability must be in [0, 1], got {p.data!r} (apply a "
                             "sigmoid first, or use bce_with_logits)")
        # A term with weight 0 is left out: 0 * log(0) must not raise or give nan.
        if t == 1.0:
            losses.append(-_log_clamped(p))
        elif t == 0.0:
            losses.append(-_log_clamped(1.0 - p))
        else:
            losses.append(-(_log_clamped(p) * t + _log_clamped(1.0 - p) * (1.0 - t)))
    return _mean(losses)


def bce_with_logits(logit: Predictions, target: Targets) -> Value:
    """bce(sigmoid(z), y) computed stably from the logit z, averaged over a batch.

    Uses max(z, 0) - z y + log(1 + exp(-|z|)): exp never sees a positive number, so a logit of
    +-1000 gives the exact loss, and the gradient is sigmoid(z) - y everywhere, z = 0 included
    (both max gates split their tie there).

    >>> from gategrad.engine import Value
    >>> bce_with_logits(Value(-1000.0), 1).data, bce_with_logits(Value(1000.0), 1).data
    (1000.0, 0.0)
    """
    logits, targets = _paired("bce_with_logits", logit, target)
    losses = []
    for z, t in zip(logits, targets, strict=True):
        if not 0.0 <= t <= 1.0:
            raise ValueError(f"bce_with_logits: a target must be in [0, 1], got {t!r}")
        abs_z = z.max(-z)
        losses.append(z.max(0.0) - z * t + (1.0 + (-abs_z).exp()).log())
    return _mean(losses)


def hinge(scores: Predictions, labels: Targets) -> Value:
    """mean_i max(0, 1 - y_i s_i), the binary SVM loss, labels -1 or +1.

    Built exactly as micrograd's demo builds it, `sum((1 + -yi*scorei).relu()) * (1.0 / n)`.

    >>> from gategrad.engine import Value
    >>> hinge([Value(2.0), Value(0.5)], [1, 1]).data   # (0 + 0.5) / 2
    0.25
    """
    scores, labels = _paired("hinge", scores, labels)
    for y in labels:
        if y != 1 and y != -1:
            raise ValueError(f"hinge: labels must be -1 or +1, got {y!r} "
                             "(nn.data.pm1(y) maps 0/1 labels to -1/+1)")
    losses = [(1 + -y * s).relu() for y, s in zip(labels, scores, strict=True)]
    return sum_of(losses) * (1.0 / len(losses))


# --- multiclass -----------------------------------------------------------------------------------

def _check_class(name: str, logits: list, target) -> None:
    if isinstance(target, bool) or not isinstance(target, numbers.Integral):
        raise ValueError(f"{name}: the target must be a class index (an int), got "
                         f"{type(target).__name__}: {target!r}")
    if not 0 <= target < len(logits):
        raise ValueError(f"{name}: class index {target} is out of range for {len(logits)} "
                         f"classes (0..{len(logits) - 1})")


def softmax(logits: Sequence[Value]) -> list[Value]:
    """exp(z_k) / sum_j exp(z_j): scores to probabilities.

    The largest logit is subtracted first (as a constant: softmax does not change when every
    logit moves by the same amount), so exp never overflows.

    >>> from gategrad.engine import Value
    >>> [round(p.data, 4) for p in softmax([Value(1.0), Value(1.0), Value(1000.0)])]
    [0.0, 0.0, 1.0]
    """
    logits = list(logits)
    if not logits:
        raise ValueError("softmax: no logits")
    top = max(z.data for z in logits)
    exps = [(z - top).exp() for z in logits]
    inverse_total = sum_of(exps).reciprocal()
    return [e * inverse_total for e in exps]


def softmax_cross_entropy(logits: Sequence[Value], target_class: int) -> Value:
    """-log softmax(logits)[target_class] as one fused gate (`softmax CE` in a diagram), whose
    local gradient is the lecture's p - y: softmax(z)_j - 1 for the target class, softmax(z)_j
    for the others. The largest logit is shifted out inside the gate, so any logits work.

    >>> from gategrad.engine import Value
    >>> z = [Value(2.0), Value(1.0), Value(0.1)]
    >>> loss = softmax_cross_entropy(z, 0); loss.backward()
    >>> p0 = math.exp(2) / (math.exp(2) + math.exp(1) + math.exp(0.1))
    >>> abs(loss.data + math.log(p0)) < 1e-15, abs(z[0].grad - (p0 - 1)) < 1e-15
    (True, True)
    """
    logits = list(logits)
    _check_class("softmax_cross_entropy", logits, target_class)
    return apply(GATES["softmax_ce"], *logits, float(target_class))


def _cross_entropy_one(logits: list, target: int) -> Value:
    _check_class("cross_entropy", logits, target)
    return apply(GATES["softmax_ce"], *logits, float(target))


def cross_entropy(logits: Sequence[Value] | Sequence[Sequence[Value]],
                  target: int | Sequence[int]) -> Value:
    """-log softmax(logits)[target], for one example (a list of logits and a class index) or the
    mean over a batch (a list of such lists and a list of indices). Stable for any logits.

    >>> from gategrad.engine import Value
    >>> z = [Value(2.0), Value(1.0), Value(0.1)]
    >>> p0 = math.exp(2) / (math.exp(2) + math.exp(1) + math.exp(0.1))   # softmax, by hand
    >>> abs(cross_entropy(z, 0).data - -math.log(p0)) < 1e-15
    True
    """
    logits = list(logits)
    if logits and not isinstance(logits[0], Value):  # a batch
        targets = _as_list(target)
        if len(logits) != len(targets):
            raise ValueError(f"cross_entropy: {len(logits)} examples but {len(targets)} targets")
        return _mean([_cross_entropy_one(list(z), t) for z, t in zip(logits, targets, strict=True)])
    return _cross_entropy_one(logits, target)


def multiclass_hinge(scores: Sequence[Value], target: int, margin: float = 1.0) -> Value:
    """sum_{j != t} max(0, s_j - s_t + margin), the multiclass SVM loss of CS231n.

    (PyTorch's multi_margin_loss also divides this by the number of classes.)

    >>> from gategrad.engine import Value
    >>> round(multiclass_hinge([Value(3.2), Value(5.1), Value(-1.7)], 0).data, 12)  # CS231n's cat
    2.9
    """
    scores = list(scores)
    _check_class("multiclass_hinge", scores, target)
    correct = scores[target]
    terms = [(s - correct + margin).relu() for j, s in enumerate(scores) if j != target]
    return sum_of(terms) if terms else correct * 0.0


# --- regularisation -------------------------------------------------------------------------------

def l2_penalty(params: Iterable[Value], lam: float) -> Value:
    """lam * sum_p p^2: the prior term lambda R(W) that turns MLE into MAP.

    The sum of squares is one fused dot-product gate p·p (`engine.linear(params, params, 0)`):
    one node instead of 2n, and each p, sitting on both sides, receives x + w = 2p, which is
    d(p^2)/dp.

    >>> from gategrad.engine import Value
    >>> a, b = Value(3.0), Value(-4.0)
    >>> r = l2_penalty([a, b], 0.5); r.backward(); r.data, a.grad, b.grad
    (12.5, 3.0, -4.0)
    """
    params = list(params)
    return linear(params, params, 0.0) * lam


# --- PyTorch's names ------------------------------------------------------------------------------

def mse_loss(input: Predictions, target: Targets) -> Value:  # noqa: A002  (PyTorch's argument names)
    """PyTorch's name for `mse`: the mean of (input - target)^2.

    >>> from gategrad.engine import Value
    >>> mse_loss([Value(1.0), Value(3.0)], [0.0, 1.0]).data
    2.5
    """
    return mse(input, target)


def binary_cross_entropy(input: Predictions, target: Targets) -> Value:  # noqa: A002
    """PyTorch's name for `bce`: -[y log p + (1 - y) log(1 - p)] on probabilities, the mean over
    a batch, each log clamped at -100 as PyTorch does."""
    return bce(input, target)


def binary_cross_entropy_with_logits(input: Predictions,
                                     target: Targets) -> Value:  # noqa: A002
    """PyTorch's name for `bce_with_logits`: binary cross-entropy of sigmoid(input), computed
    stably from the logits, the mean over a batch."""
    return bce_with_logits(input, target)
