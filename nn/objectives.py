"""What `fit` and `evaluate` need to know about a loss: how to average it over a batch of model
outputs and labels, and when a prediction counts as correct (for the accuracy).

>>> objective = get("hinge")
>>> objective.correct(0.7, 1), objective.correct(0.7, 0)   # a score > 0 predicts class 1
(True, False)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from gategrad.engine import Value, sum_of

from . import losses
from .data import pm1


def _scalar_outputs(name: str, outputs: list) -> list[Value]:
    for out in outputs:
        if not isinstance(out, Value):
            raise ValueError(f"loss {name!r} needs a model with 1 output, but it gives "
                             f"{len(out)}; for several classes use 'cross_entropy' or "
                             "'multiclass_hinge'")
    return outputs


def _vector_outputs(name: str, outputs: list) -> list[list[Value]]:
    if outputs and isinstance(outputs[0], Value):
        raise ValueError(f"loss {name!r} needs a model with one output per class, but it gives "
                         "1; for two classes use 'hinge' or 'bce_with_logits'")
    return outputs


def _argmax(values: list[float]) -> int:
    return max(range(len(values)), key=values.__getitem__)


class Objective:
    """A batch loss `loss(outputs, targets) -> Value` and an accuracy rule `correct(out, target)`,
    where `out` is the model's output as a float (a list of floats for several outputs);
    `correct` is None when the task has no accuracy (regression)."""

    def __init__(self, name: str, loss: Callable[[list, list], Value],
                 correct: Callable[..., bool] | None = None):
        self.name, self.loss, self.correct = name, loss, correct

    def __repr__(self) -> str:
        return f"Objective({self.name!r})"


def _hinge(outputs, targets):
    return losses.hinge(_scalar_outputs("hinge", outputs), pm1(targets))


def _bce_with_logits(outputs, targets):
    return losses.bce_with_logits(_scalar_outputs("bce_with_logits", outputs), targets)


def _bce(outputs, targets):
    return losses.bce(_scalar_outputs("bce", outputs), targets)


def _cross_entropy(outputs, targets):
    return losses.cross_entropy(_vector_outputs("cross_entropy", outputs), targets)


def _multiclass_hinge(outputs, targets):
    outputs = _vector_outputs("multiclass_hinge", outputs)
    if len(outputs) != len(targets):
        raise ValueError(f"multiclass_hinge: {len(outputs)} examples but {len(targets)} targets")
    per_example = [losses.multiclass_hinge(z, t) for z, t in zip(outputs, targets, strict=True)]
    return sum_of(per_example) * (1.0 / len(per_example))


def _regression(loss_one):
    # One example's output may be a Value or a list of Values; the batch loss is the mean.
    def batch_loss(outputs, targets):
        if len(outputs) != len(targets):
            raise ValueError(f"{len(outputs)} outputs but {len(targets)} targets")
        per_example = [loss_one(out, t) for out, t in zip(outputs, targets, strict=True)]
        if len(per_example) == 1:
            return per_example[0]
        return sum_of(per_example) * (1.0 / len(per_example))
    batch_loss.per_example = loss_one  # (nn/training/compiled.py recognises the loss by it)
    return batch_loss


# The accuracy rules, named (nn/training/compiled.py runs each over a whole batch at once).
def positive_is_one(out: float, t: float) -> bool:
    """A score above 0 predicts class 1 (labels 0/1 or -1/+1)."""
    return (out > 0.0) == (t == 1)


def positive_logit(out: float, t: float) -> bool:
    """A logit above 0 predicts the target above 0.5."""
    return (out > 0.0) == (t > 0.5)


def above_half(out: float, t: float) -> bool:
    """A probability above 0.5 predicts the target above 0.5."""
    return (out > 0.5) == (t > 0.5)


def above_half_is_one(out: float, t: float) -> bool:
    """An output above 0.5 predicts class 1 (0/1 labels under a squared loss)."""
    return (out > 0.5) == (t == 1)


def top_class(out: list[float], t: int) -> bool:
    """The largest output (the first of equals) is the target class."""
    return _argmax(out) == t


def _threshold_rule(targets):
    """For a squared loss on class labels: 0/1 labels split at 0.5, -1/+1 labels at 0."""
    values = set(targets)
    if values <= {0, 1}:
        return above_half_is_one
    if values <= {-1, 1}:
        return positive_is_one
    return None


_OBJECTIVES = {
    "hinge": lambda: Objective("hinge", _hinge, positive_is_one),
    "bce_with_logits": lambda: Objective("bce_with_logits", _bce_with_logits, positive_logit),
    "bce": lambda: Objective("bce", _bce, above_half),
    "cross_entropy": lambda: Objective("cross_entropy", _cross_entropy, top_class),
    "multiclass_hinge": lambda: Objective("multiclass_hinge", _multiclass_hinge, top_class),
    "mse": lambda: Objective("mse", _regression(losses.mse)),
    "squared_l2": lambda: Objective("squared_l2", _regression(losses.squared_l2)),
}
NAMES = tuple(_OBJECTIVES)
# PyTorch's names of the same losses (torch.nn.functional), accepted wherever a name is
ALIASES = {"binary_cross_entropy": "bce", "binary_cross_entropy_with_logits": "bce_with_logits",
           "mse_loss": "mse"}


def get(loss: str | Callable | Objective, targets: Sequence | None = None,
        accuracy: str | Callable[..., bool] | None = "auto") -> Objective:
    """The objective for a loss name or a function `loss(outputs, targets) -> Value`.

    `accuracy` is "auto" (from the loss; for a squared loss, only when the targets are 0/1 or
    -1/+1 labels), None (no accuracy), or a function `correct(output, target) -> bool`.
    """
    if isinstance(loss, Objective):
        objective = loss
    elif isinstance(loss, str):
        loss = ALIASES.get(loss, loss)
        if loss not in _OBJECTIVES:
            raise ValueError(f"unknown loss {loss!r}; the valid ones are: {', '.join(NAMES)} (or "
                             f"PyTorch's {', '.join(ALIASES)}, or a function "
                             "loss(outputs, targets) -> Value)")
        objective = _OBJECTIVES[loss]()
        if objective.correct is None and accuracy == "auto" and targets is not None:
            if all(isinstance(t, (int, float)) for t in targets):
                objective.correct = _threshold_rule(targets)
    elif callable(loss):
        objective = Objective(getattr(loss, "__name__", "custom"), loss)
    else:
        raise TypeError(f"loss must be a name ({', '.join(NAMES)}) or a function, got {loss!r}")
    if accuracy is None:
        objective = Objective(objective.name, objective.loss)
    elif callable(accuracy):
        objective = Objective(objective.name, objective.loss, accuracy)
    elif accuracy != "auto":
        raise ValueError(f"accuracy must be 'auto', None or a function, got {accuracy!r}")
    return objective
