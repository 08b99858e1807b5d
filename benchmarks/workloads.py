"""The workloads: data, model sizes, loss, initial weights and schedule, one copy for every engine.

Every engine starts from these exact numbers, so their first-step losses must agree to rounding
(timing.py checks it before timing anything). The demo is micrograd's two-moons demo
(demo.ipynb): MLP(2, [16, 16, 1]) with ReLU hidden layers and a linear output, hinge loss
mean(relu(1 - y*score)) + 1e-4 * the sum of squares of all parameters, full-batch SGD with
lr = 1.0 - 0.9*k/100 at step k, which is what `nn.fit(model, X, y, loss="hinge", l2=1e-4,
lr_schedule=nn.LinearDecay(1.0, 0.1, 100))` runs.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

DEMO = (2, 16, 16, 1)
WIDE = (10, 128, 128, 10)
SCALAR_ONLY_AT_100 = "skipped at this size: the scalar engines take minutes here"


@dataclass(frozen=True)
class Workload:
    name: str                    # key in the JSON and for --only
    title: str                   # the table's heading
    X: list[list[float]]         # points
    y: list[int]                 # labels: -1/+1 for "hinge", class indices for "cross_entropy"
    sizes: tuple[int, ...]       # (inputs, units of each layer...): ReLU hidden, linear output
    loss: str                    # nn.fit's name of the loss: "hinge" or "cross_entropy"
    init: list[float]            # every parameter, in micrograd's order (see layers())
    lr: tuple[float, float] | None  # LinearDecay(start, end, 100); None: gradient only, no update
    steps: int                   # steady-state steps timed after the first (cold) one
    rounds: int                  # how many times every engine runs, interleaved
    engines: tuple[str, ...]     # the rows of its table
    skipped: dict[str, str] = field(default_factory=dict)  # row printed as "-" with this reason
    l2: float = 1e-4

    @property
    def points(self) -> int:
        return len(self.X)

    def learning_rate(self, k: int) -> float:
        """nn.LinearDecay(start, end, 100)(k), written out: micrograd's 1.0 - 0.9*k/100."""
        start, end = self.lr
        return start + (end - start) * min(k, 100) / 100

    def layers(self) -> list[tuple[list[list[float]], list[float]]]:
        """`init` cut into (weight rows, biases) per layer. micrograd's parameter order is, neuron
        by neuron and layer by layer, the neuron's weights and then its bias."""
        layers, i = [], 0
        for nin, nout in zip(self.sizes, self.sizes[1:]):
            rows, biases = [], []
            for _ in range(nout):
                rows.append(self.init[i:i + nin])
                biases.append(self.init[i + nin])
                i += nin + 1
            layers.append((rows, biases))
        return layers


def num_parameters(sizes) -> int:
    return sum((a + 1) * b for a, b in zip(sizes, sizes[1:]))


def initial_weights(sizes, scaled: bool, seed: int = 0) -> list[float]:
    """Uniform in [-1, 1] like micrograd's Neuron, biases included (so no engine's bias starts at
    a special 0). `scaled` divides by sqrt(fan-in) so that a 128-wide layer does not start with
    logits in the hundreds, which SGD would blow up."""
    rng = random.Random(seed)
    weights = []
    for nin, nout in zip(sizes, sizes[1:]):
        scale = 1 / math.sqrt(nin) if scaled else 1.0
        weights += [scale * rng.uniform(-1.0, 1.0) for _ in range(nout * (nin + 1))]
    return weights


def moons(points: int) -> tuple[list[list[float]], list[int]]:
    """nn.data's two moons (what users train on) with -1/+1 labels."""
    from gategrad.nn import data
    X, y = data.moons(n=points, noise=0.1, seed=0)
    return [[float(a), float(b)] for a, b in X], data.pm1(y)


def classes(points: int, nin: int, k: int) -> tuple[list[list[float]], list[int]]:
    """Gaussian points labelled by a random linear teacher: k classes a network can learn."""
    rng = random.Random(1)
    teacher = [[rng.gauss(0, 1) for _ in range(nin)] for _ in range(k)]
    X = [[rng.gauss(0, 1) for _ in range(nin)] for _ in range(points)]
    y = [max(range(k), key=lambda c: sum(w * v for w, v in zip(teacher[c], x))) for x in X]
    return X, y


def workloads(tiny: bool = False) -> list[Workload]:
    """The four tables. `tiny`: every one at a size that runs in seconds (what the tests run)."""
    n_demo, n_large, n_wide = (8, 64, 8) if tiny else (100, 100_000, 100)
    wide = (10, 8, 8, 10) if tiny else WIDE
    steps = {"demo": 2, "demo-large": 2, "wide": 2, "fn-batch": 2} if tiny else \
        {"demo": 20, "demo-large": 10, "wide": 10, "fn-batch": 50}
    rounds = {"demo": 2, "demo-large": 2, "wide": 2, "fn-batch": 2} if tiny else \
        {"demo": 5, "demo-large": 3, "wide": 3, "fn-batch": 5}
    batched = ("torch", "jax", "numpy")
    demo_init = initial_weights(DEMO, scaled=False)
    X, y = moons(n_demo)
    Xl, yl = moons(n_large)
    Xw, yw = classes(n_wide, wide[0], wide[-1])
    demo = f"MLP(2, [16, 16, 1]) ({num_parameters(DEMO)} parameters)"
    step = "hinge + 1e-4 * sum p^2, backward, SGD with micrograd's schedule"
    return [
        Workload("demo", f"(1) demo step, {n_demo:,} points: {demo}, {step}", X, y, DEMO,
                 "hinge", demo_init, (1.0, 0.1), steps["demo"], rounds["demo"],
                 (*batched, "fit", "fit-plain", "micrograd", "scalar")),
        Workload("demo-large", f"(2) demo step, {n_large:,} points: {demo}, {step}", Xl, yl,
                 DEMO, "hinge", demo_init, (1.0, 0.1), steps["demo-large"],
                 rounds["demo-large"], (*batched, "fit", "fit-plain", "micrograd", "scalar"),
                 skipped={"fit-plain": SCALAR_ONLY_AT_100, "micrograd": SCALAR_ONLY_AT_100,
                          "scalar": SCALAR_ONLY_AT_100}),
        Workload("wide", f"(3) MLP({wide[0]}, {list(wide[1:])}) ({num_parameters(wide):,} "
                 f"parameters), softmax cross-entropy + 1e-4 * sum p^2, {n_wide:,} points, "
                 "SGD with lr 0.1 decaying to 0.01", Xw, yw, wide, "cross_entropy",
                 initial_weights(wide, scaled=True), (0.1, 0.01), steps["wide"], rounds["wide"],
                 (*batched, "fit", "fit-plain", "micrograd", "scalar"),
                 skipped={"micrograd": "micrograd 0.1.0 has no exp or log for a softmax",
                          "scalar": "hand-written for the demo's hinge loss only"}),
        Workload("fn-batch", f"(4) the demo's loss and gradient, {n_demo:,} points: one "
                 "sample's hinge loss compiled, run over the batch with the 337 parameters "
                 "broadcast (no L2, no update)", X, y, DEMO, "hinge", demo_init, None,
                 steps["fn-batch"], rounds["fn-batch"], (*batched, "fn-batch"), l2=0.0),
    ]
