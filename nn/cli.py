"""`gategrad train` and `gategrad predict`, added to the `gategrad` command by gategrad/cli.py.

Without options `gategrad train` runs micrograd's demo: two moons (100 points, noise 0.1), an MLP
2 -> 16 -> 16 -> 1 with ReLU, hinge loss + 1e-4 L2, full batch, 100 steps of lr 1.0 decaying
linearly to 0.1.
"""

from __future__ import annotations

import argparse
import math
import os
import random
from collections.abc import Callable

from . import checks
from . import data as datasets
from .model.io import load, save
from .model.layers import MLP
from .objectives import ALIASES
from .training.optim import LinearDecay
from .training.train import evaluate, fit, loss_text, predict

# name: (generator(args) -> (X, y), number of classes or None for regression)
_DATASETS = {
    "and": (lambda a: datasets.and_gate(), 2),
    "or": (lambda a: datasets.or_gate(), 2),
    "xor": (lambda a: datasets.xor(), 2),
    "parity": (lambda a: datasets.parity(a.bits), 2),
    "moons": (lambda a: datasets.moons(a.n, noise=a.noise, seed=a.seed), 2),
    "circles": (lambda a: datasets.circles(a.n, noise=a.noise, seed=a.seed), 2),
    "spirals": (lambda a: datasets.spirals(a.n, classes=a.classes, noise=a.noise, seed=a.seed),
                None),
    "regression": (lambda a: datasets.regression_1d(a.n, noise=a.noise, seed=a.seed), 0),
}
_BINARY_LOSSES = ("hinge", "bce_with_logits", "bce", "mse")
_MULTICLASS_LOSSES = ("cross_entropy", "multiclass_hinge")
_LOSSES = _BINARY_LOSSES + _MULTICLASS_LOSSES + ("squared_l2",)


# --- argument types: each one names what it expects and the text it got ------------------------


def number_arg(low: float | None = None, high: float | None = None, low_open: bool = False,
               high_open: bool = False) -> Callable[[str], float]:
    """An argparse `type=` for a finite float within [low, high] (an end excluded when open).

    >>> number_arg(0.0, 1.0, high_open=True)("0.9")
    0.9
    >>> number_arg(0.0)("-1")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: must be a finite number >= 0, got '-1'
    """
    expected = checks.range_text(low, high, low_open, high_open)

    def finite_number(text: str) -> float:
        try:
            return checks.real("", "", float(text), low, high, low_open, high_open)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be {expected}, got {text!r}") from None
    return finite_number


def count_arg(minimum: int = 1) -> Callable[[str], int]:
    """An argparse `type=` for an int >= `minimum`.

    >>> count_arg(1)("0")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: must be an integer >= 1, got '0'
    """
    def integer(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = None
        if value is None or value < minimum:
            raise argparse.ArgumentTypeError(f"must be an integer >= {minimum}, got {text!r}")
        return value
    return integer


def save_path(text: str) -> str:
    """An argparse `type=` for a file to write: its folder must exist and it must not be one, so
    that `train --save` fails before training, not after."""
    folder = os.path.dirname(os.path.abspath(text))
    if os.path.isdir(text):
        raise argparse.ArgumentTypeError(f"{text!r} is a folder; give a file name such as "
                                         f"{os.path.join(text, 'model.json')!r}")
    if not os.path.isdir(folder):
        raise argparse.ArgumentTypeError(f"the folder {folder!r} does not exist (for {text!r})")
    return text


def _sizes(text: str) -> list[int]:
    if text.strip().lower() in ("", "none", "0"):
        return []
    try:
        sizes = [int(part) for part in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected layer sizes like 16,16, got {text!r}") from None
    if min(sizes) < 1:
        raise argparse.ArgumentTypeError(f"layer sizes must be >= 1, got {text!r}")
    return sizes


class _HelpFormatter(argparse.HelpFormatter):
    """Shows an option's default unless it has none or its help already speaks of it."""

    def _get_help_string(self, action):
        text = action.help or ""
        if action.default not in (None, False, argparse.SUPPRESS) and "default" not in text:
            text += " (default: %(default)s)"
        return text


def add_commands(subparsers: argparse._SubParsersAction) -> None:
    """Add `train` and `predict` to the `gategrad` command's subparsers."""
    train = subparsers.add_parser(
        "train", help="train an MLP on a built-in dataset (default: micrograd's moons demo)",
        description="Train an MLP with gradient descent, show a progress bar, print the final "
                    "accuracy, and optionally save the model. The defaults are micrograd's demo.",
        formatter_class=_HelpFormatter)
    group = train.add_argument_group("data")
    group.add_argument("--data", choices=list(_DATASETS), default="moons", help="dataset")
    group.add_argument("--n", type=count_arg(1), default=100, help="number of points (moons, "
                       "circles, spirals, regression)")
    group.add_argument("--noise", type=number_arg(0.0), default=0.1,
                       help="noise of the random datasets")
    group.add_argument("--bits", type=count_arg(1), default=4,
                       help="number of bits for --data parity")
    group.add_argument("--classes", type=count_arg(2), default=3, help="number of arms for spirals")
    group.add_argument("--seed", type=int, default=0,
                       help="seed of the data, the initial weights and the batch order")
    group.add_argument("--val", type=number_arg(0.0, 1.0, high_open=True), default=0.0,
                       metavar="FRACTION",
                       help="hold out this fraction for validation (reported every epoch)")
    group.add_argument("--test", type=number_arg(0.0, 1.0, high_open=True), default=0.0,
                       metavar="FRACTION",
                       help="hold out this fraction for a final test, measured once at the end")
    group = train.add_argument_group("model")
    group.add_argument("--hidden", type=_sizes, default="16,16", metavar="SIZES",
                       help="hidden layer sizes, comma separated ('' or 0 for none)")
    group.add_argument("--activation", default="relu",
                       help="hidden activation: relu, sigmoid, tanh, leaky_relu, prelu, elu, "
                            "linear or maxout")
    group.add_argument("--output-activation", default=None,
                       help="activation of the output layer (default: linear; sigmoid for "
                            "--loss bce)")
    group = train.add_argument_group("training")
    group.add_argument("--loss", choices=_LOSSES + tuple(ALIASES), default=None,
                       help="loss (default: hinge for two classes, cross_entropy for more, mse "
                            "for regression); PyTorch's names work too")
    group.add_argument("--epochs", type=count_arg(1), default=100,
                       help="passes over the training data")
    group.add_argument("--lr", type=number_arg(0.0, low_open=True), default=1.0,
                       help="learning rate at the start")
    group.add_argument("--lr-end", type=number_arg(0.0), default=None, metavar="LR",
                       help="the learning rate decays linearly from --lr towards LR over the run, "
                            "as micrograd's demo does (default: --lr/10; equal to --lr for a "
                            "constant rate)")
    group.add_argument("--batch-size", type=count_arg(0), default=0,
                       help="0 = full batch (batch GD), k = mini-batches of k, 1 = SGD")
    group.add_argument("--momentum", type=number_arg(0.0, 1.0, high_open=True), default=0.0,
                       help="SGD momentum, in [0, 1)")
    group.add_argument("--l2", type=number_arg(0.0), default=1e-4, help="lambda of the L2 penalty")
    group.add_argument("--grad-tol", type=number_arg(0.0, low_open=True), default=None,
                       metavar="EPS", help="stop early when the gradient norm is below EPS")
    group.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    group.add_argument("--save", type=save_path, metavar="PATH",
                       help="save the trained model as JSON (its folder must exist)")
    train.set_defaults(run=run_train)

    predict = subparsers.add_parser(
        "predict", help="run a saved model on one input",
        description="Load a model saved by `gategrad train --save` and print its output and "
                    "predicted class for the given input numbers.")
    predict.add_argument("model", help="model file (JSON)")
    predict.add_argument("inputs", nargs="+", type=number_arg(), metavar="X",
                         help="the input numbers, one per model input")
    predict.set_defaults(run=run_predict)


def _default_loss(classes) -> str:
    if classes == 0:
        return "mse"
    return "hinge" if classes == 2 else "cross_entropy"


def _output_size(loss: str, classes: int) -> int:
    return classes if loss in _MULTICLASS_LOSSES else 1


def run_train(args: argparse.Namespace) -> int:
    """`gategrad train`: build the data and the model, fit, report, and save if asked."""
    generate, classes = _DATASETS[args.data]
    X, y = generate(args)
    if classes is None:
        classes = args.classes
    loss = ALIASES.get(args.loss, args.loss) or _default_loss(classes)
    if classes == 0 and loss not in ("mse", "squared_l2"):
        raise ValueError(f"--data regression needs --loss mse or squared_l2, not {loss}")
    if classes > 2 and loss in _BINARY_LOSSES:
        raise ValueError(f"--data {args.data} has {classes} classes; --loss {loss} handles two "
                         f"(use {' or '.join(_MULTICLASS_LOSSES)})")
    if args.val or args.test:
        (X, y), val, test = datasets.split(X, y, val=args.val, test=args.test, seed=args.seed)
    else:
        val = test = ([], [])

    model = MLP(len(X[0]), args.hidden + [_output_size(loss, classes)],
                activation=args.activation,
                output_activation=args.output_activation or ("sigmoid" if loss == "bce" else None),
                rng=random.Random(args.seed))
    lr_end = args.lr / 10 if args.lr_end is None else args.lr_end
    steps = args.epochs * _batches_per_epoch(len(X), args.batch_size)
    print(model)
    print(f"data: {args.data}, {len(X)} training points"
          + (f", {len(val[0])} validation" if val[0] else "")
          + (f", {len(test[0])} test" if test[0] else "")
          + f"; loss: {loss}" + (f" + {args.l2:g} L2" if args.l2 else ""))
    history = fit(model, X, y, loss=loss, epochs=args.epochs, lr=args.lr,
                  lr_schedule=LinearDecay(args.lr, lr_end, max(steps, 1)),
                  batch_size=args.batch_size, momentum=args.momentum, l2=args.l2,
                  val=val if val[0] else None, grad_tol=args.grad_tol,
                  progress=not args.no_progress, rng=random.Random(args.seed))
    print(f"stopped: {history.stop_reason}")
    for name, (Xs, ys) in (("train", (X, y)), ("validation", val), ("test", test)):
        if Xs:
            print(_report(name, *evaluate(model, Xs, ys, loss=loss)))
    if args.save:
        save(model, args.save, meta={"loss": loss, "data": args.data, "classes": classes})
        print(f"saved the model to {args.save}")
    return 0


def _batches_per_epoch(n: int, batch_size: int) -> int:
    return 1 if not batch_size or batch_size >= n else math.ceil(n / batch_size)


def _report(name: str, loss: float, accuracy) -> str:
    text = f"{name + ':':12} loss {loss_text(loss)}"
    return text + (f", accuracy {accuracy:.1%}" if accuracy is not None else "")


def run_predict(args: argparse.Namespace) -> int:
    """`gategrad predict`: the saved model's output, and its class, for one input."""
    model, meta = load(args.model, with_meta=True)
    if len(args.inputs) != model.nin:
        raise ValueError(f"{args.model}: the model takes {model.nin} input"
                         f"{'s' * (model.nin != 1)}, got {len(args.inputs)}")
    [out] = predict(model, [args.inputs])
    print(_describe(out, meta.get("loss")))
    return 0


def _describe(out, loss) -> str:
    if isinstance(out, list):
        scores = out
        best = max(range(len(scores)), key=scores.__getitem__)
        shown = ", ".join(f"{s:.6g}" for s in scores)
        return f"scores [{shown}] -> class {best}" if loss else f"outputs [{shown}]"
    value = out
    if loss in ("hinge", "bce_with_logits"):
        return f"score {value:.6g} -> class {int(value > 0.0)}"
    if loss == "bce":
        return f"probability {value:.6g} -> class {int(value > 0.5)}"
    return f"output {value:.6g}"
