"""The demo step's shared inputs: data, initial weights and hyper-parameters, one copy for all.

Every engine starts from these exact numbers, so their first-step losses must agree to rounding;
the benchmark prints them to show it.

The step is micrograd's two-moons demo (its demo.ipynb): MLP(2, [16, 16, 1]) with ReLU hidden
layers and a linear output, hinge loss mean(relu(1 - y s)) over the full batch, plus an L2 penalty
1e-4 * sum(p^2), zero_grad, backward, and an SGD update with micrograd's learning-rate schedule.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

NIN, NOUTS = 2, (16, 16, 1)
L2 = 1e-4


def learning_rate(step: int) -> float:
    """micrograd demo's schedule: 1.0 at the first step, decaying linearly over 100 steps."""
    return 1.0 - 0.9 * step / 100


@dataclass(frozen=True)
class DemoSpec:
    X: tuple[tuple[float, float], ...]  # points
    Y: tuple[int, ...]                  # labels, +1 or -1
    init: tuple[float, ...]             # every parameter, in micrograd's order
    nin: int = NIN
    nouts: tuple[int, ...] = NOUTS
    l2: float = L2

    def layer_blocks(self) -> list[list[tuple[list[float], float]]]:
        """`init` cut into layers of neurons, each (weights, bias): micrograd's parameter order
        is per neuron its weights then its bias, neuron by neuron, layer by layer."""
        layers, i, nin = [], 0, self.nin
        for nout in self.nouts:
            neurons = []
            for _ in range(nout):
                neurons.append((list(self.init[i:i + nin]), self.init[i + nin]))
                i += nin + 1
            layers.append(neurons)
            nin = nout
        return layers


def num_parameters(nin: int = NIN, nouts=NOUTS) -> int:
    sizes = [nin, *nouts]
    return sum((a + 1) * b for a, b in zip(sizes, sizes[1:]))


def make_spec(points: int = 100, seed: int = 0) -> DemoSpec:
    """Two moons from nn.data (what users train on) and weights drawn once, uniform in [-1, 1]
    like micrograd's Neuron, biases included, so that no engine's bias starts at a special 0."""
    from gategrad.nn import data

    X, y = data.moons(n=points, noise=0.1, seed=seed)
    labels = data.pm1(y)
    rng = random.Random(seed)
    init = tuple(rng.uniform(-1.0, 1.0) for _ in range(num_parameters()))
    return DemoSpec(X=tuple((float(a), float(b)) for a, b in X),
                    Y=tuple(int(v) for v in labels), init=init)
