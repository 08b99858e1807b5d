"""Small datasets for the lecture's experiments, deterministic and pure Python (no numpy).

Every generator returns `(X, y)`: X a list of points (lists of floats), y a list of labels, ints
0/1 for binary tasks (0..k-1 for k classes), floats for regression. Random ones take a `seed` and
give the same data on every machine and Python version (they use `random.Random(seed)` only).

>>> X, y = xor()
>>> X, y
([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], [0, 1, 1, 0])
>>> X, y = moons(100, noise=0.1, seed=0)
>>> len(X), sorted(set(y)), y.count(1)
(100, [0, 1], 50)
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator, Sequence
from itertools import product
from typing import NamedTuple

# (X, y): the points (lists of floats) and their labels (ints for classes, floats for regression)
Dataset = tuple[list[list[float]], list]

# --- logic gates and parity (the lecture's linear separability and depth) ----------------------


def _truth_table(rule) -> Dataset:
    X = [[float(a), float(b)] for a, b in product((0, 1), repeat=2)]
    return X, [int(rule(int(a), int(b))) for a, b in X]


def and_gate() -> Dataset:
    """x1 AND x2 on the four binary inputs: linearly separable."""
    return _truth_table(lambda a, b: a and b)


def or_gate() -> Dataset:
    """x1 OR x2 on the four binary inputs: linearly separable."""
    return _truth_table(lambda a, b: a or b)


def xor() -> Dataset:
    """x1 XOR x2: not linearly separable, so one neuron cannot learn it; one hidden layer can."""
    return _truth_table(lambda a, b: a ^ b)


def parity(d: int) -> Dataset:
    """All 2^d bit vectors and their parity (1 when the number of ones is odd).

    >>> X, y = parity(3)
    >>> len(X), X[3], y[3], sum(y)
    (8, [0.0, 1.0, 1.0], 0, 4)
    """
    if d < 1:
        raise ValueError(f"parity needs at least 1 bit, got d={d}")
    X = [[float(bit) for bit in bits] for bits in product((0, 1), repeat=d)]
    return X, [int(sum(x)) % 2 for x in X]


# --- 2-D classification sets --------------------------------------------------------------------


def _linspace(start: float, stop: float, n: int, endpoint: bool = True) -> list[float]:
    if n == 1:
        return [start]
    step = (stop - start) / (n - 1 if endpoint else n)
    return [start + i * step for i in range(n)]


def _noisy_shuffled(points, labels, noise: float, rng: random.Random):
    if noise < 0:
        raise ValueError(f"noise must be >= 0, got {noise!r}")
    X = [[x + rng.gauss(0.0, noise), y + rng.gauss(0.0, noise)] for x, y in points]
    order = list(range(len(X)))
    rng.shuffle(order)
    return [X[i] for i in order], [labels[i] for i in order]


def _check_n(n: int, minimum: int, name: str) -> None:
    if n < minimum:
        raise ValueError(f"{name} needs n >= {minimum}, got n={n}")


def moons(n: int = 100, noise: float = 0.1, seed: int = 0) -> Dataset:
    """Two interleaving half circles, scikit-learn's make_moons (micrograd's demo data).

    Class 0 is the upper moon (cos t, sin t), class 1 the lower (1 - cos t, 0.5 - sin t), t in
    [0, pi]; Gaussian noise of standard deviation `noise` is added, then the points are shuffled.
    """
    _check_n(n, 2, "moons")
    n_upper = n // 2
    upper = [(math.cos(t), math.sin(t)) for t in _linspace(0.0, math.pi, n_upper)]
    lower = [(1.0 - math.cos(t), 0.5 - math.sin(t)) for t in _linspace(0.0, math.pi, n - n_upper)]
    labels = [0] * len(upper) + [1] * len(lower)
    return _noisy_shuffled(upper + lower, labels, noise, random.Random(seed))


def circles(n: int = 100, noise: float = 0.05, factor: float = 0.5,
            seed: int = 0) -> Dataset:
    """A circle of radius 1 (class 0) around one of radius `factor` (class 1), make_circles."""
    _check_n(n, 2, "circles")
    if not 0.0 < factor < 1.0:
        raise ValueError(f"circles: factor must be between 0 and 1, got {factor!r}")
    n_outer = n // 2
    outer = [(math.cos(t), math.sin(t))
             for t in _linspace(0.0, 2 * math.pi, n_outer, endpoint=False)]
    inner = [(factor * math.cos(t), factor * math.sin(t))
             for t in _linspace(0.0, 2 * math.pi, n - n_outer, endpoint=False)]
    labels = [0] * len(outer) + [1] * len(inner)
    return _noisy_shuffled(outer + inner, labels, noise, random.Random(seed))


def spirals(n: int = 150, classes: int = 3, noise: float = 0.2, seed: int = 0) -> Dataset:
    """`classes` interleaved spiral arms, CS231n's spiral data (labels 0..classes-1).

    Arm j has radius r from 0 to 1 and angle 4j + 4r plus Gaussian noise of standard deviation
    `noise` (on the angle); point (r sin angle, r cos angle).

    >>> X, y = spirals(90, classes=3)
    >>> len(X), [y.count(k) for k in range(3)]
    (90, [30, 30, 30])
    """
    _check_n(n, classes, "spirals")
    if classes < 2:
        raise ValueError(f"spirals needs at least 2 classes, got {classes}")
    if noise < 0:
        raise ValueError(f"noise must be >= 0, got {noise!r}")
    rng = random.Random(seed)
    X, y = [], []
    for j in range(classes):
        count = n // classes + (j < n % classes)
        for r in _linspace(0.0, 1.0, count):
            angle = 4.0 * j + 4.0 * r + rng.gauss(0.0, noise)
            X.append([r * math.sin(angle), r * math.cos(angle)])
            y.append(j)
    order = list(range(len(X)))
    rng.shuffle(order)
    return [X[i] for i in order], [y[i] for i in order]


def regression_1d(n: int = 50, noise: float = 0.1, seed: int = 0) -> Dataset:
    """y = sin(pi x) + Gaussian noise at n evenly spaced x in [-1, 1]; X as [[x], ...].

    >>> X, y = regression_1d(5, noise=0.0)
    >>> X[2], y[2]
    ([0.0], 0.0)
    """
    _check_n(n, 2, "regression_1d")
    if noise < 0:
        raise ValueError(f"noise must be >= 0, got {noise!r}")
    rng = random.Random(seed)
    xs = _linspace(-1.0, 1.0, n)
    return [[x] for x in xs], [math.sin(math.pi * x) + rng.gauss(0.0, noise) for x in xs]


# --- labels, splits and batches ------------------------------------------------------------------


def pm1(y: Sequence[int]) -> list[int]:
    """Binary labels 0/1 as -1/+1, for the hinge loss (labels already -1/+1 stay as they are).

    >>> pm1([0, 1, 1, -1])
    [-1, 1, 1, -1]
    """
    out = []
    for label in y:
        if label not in (0, 1, -1) or isinstance(label, bool):
            raise ValueError(f"pm1: binary labels must be 0/1 (or -1/+1), got {label!r}")
        out.append(1 if label == 1 else -1)
    return out


class Split(NamedTuple):
    """Three `(X, y)` pairs. Train on `train`; choose settings (epochs, size, lr) on `val`;
    measure `test` once, at the end: it must not influence any choice (the lecture's rule)."""

    train: tuple[list, list]
    val: tuple[list, list]
    test: tuple[list, list]


def split(X: Sequence, y: Sequence, val: float = 0.2, test: float = 0.2, seed: int = 0) -> Split:
    """Shuffle (seeded) and cut into train / validation / test by the given fractions.

    >>> X, y = moons(100)
    >>> train, val, test = split(X, y, val=0.2, test=0.1)
    >>> len(train[0]), len(val[0]), len(test[0])
    (70, 20, 10)
    """
    if len(X) != len(y):
        raise ValueError(f"split: {len(X)} points but {len(y)} labels")
    if not (0.0 <= val < 1.0 and 0.0 <= test < 1.0 and val + test < 1.0):
        raise ValueError(f"split: val and test must be fractions >= 0 with val + test < 1, got "
                         f"val={val!r}, test={test!r}")
    n = len(X)
    n_test, n_val = round(n * test), round(n * val)
    if n - n_test - n_val < 1:
        raise ValueError(f"split: {n} points leave no training data with val={val}, test={test}")
    order = list(range(n))
    random.Random(seed).shuffle(order)

    def take(indices):
        return [X[i] for i in indices], [y[i] for i in indices]

    return Split(take(order[n_test + n_val:]), take(order[n_test:n_test + n_val]),
                 take(order[:n_test]))


def _as_rng(rng):
    if rng is None:
        return random  # the global generator, so random.seed() makes a run reproducible
    if isinstance(rng, int) and not isinstance(rng, bool):
        return random.Random(rng)
    if hasattr(rng, "shuffle"):
        return rng
    raise ValueError(f"rng must be a random.Random, an int seed or None, got {rng!r}")


def batches(X: Sequence, y: Sequence, batch_size: int | None = None, shuffle: bool = True,
            rng: random.Random | int | None = None) -> Iterator[tuple[list, list]]:
    """Yield `(X_batch, y_batch)` pairs covering the data once (one epoch).

    `batch_size` None or 0 gives the whole set as one batch (batch gradient descent), k gives
    mini-batches of k (the last one may be smaller), 1 gives single points (SGD). The
    order is shuffled by `rng` (a random.Random, an int seed, or None for the global `random`); a
    single full batch is left in order, since reordering it would change only the rounding.

    >>> X, y = parity(3)
    >>> [len(yb) for _, yb in batches(X, y, batch_size=3, rng=0)]
    [3, 3, 2]
    """
    if len(X) != len(y):
        raise ValueError(f"batches: {len(X)} points but {len(y)} labels")
    for chosen in batch_indices(len(X), batch_size, shuffle, rng):
        if chosen is None:
            yield list(X), list(y)
        else:
            yield [X[i] for i in chosen], [y[i] for i in chosen]


def batch_indices(n: int, batch_size: int | None = None, shuffle: bool = True,
                  rng: random.Random | int | None = None) -> Iterator[list[int] | None]:
    """The rows of each batch of `batches` (None for one full batch, left in order); compiled
    training takes its batches from here, so that it sees the same batches as the plain graph."""
    if batch_size is not None and (isinstance(batch_size, bool) or not isinstance(batch_size, int)
                                   or batch_size < 0):
        raise ValueError(f"batch_size must be None, 0 (full batch) or a positive int, got "
                         f"{batch_size!r}")
    if not batch_size or batch_size >= n:
        yield None
        return
    order = list(range(n))
    if shuffle:
        _as_rng(rng).shuffle(order)
    for start in range(0, n, batch_size):
        yield order[start:start + batch_size]
