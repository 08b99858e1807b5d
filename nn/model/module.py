"""`Module`: what every layer and model shares (micrograd's base class, with PyTorch's names).

A module lists its parameters as (name, Value) pairs in micrograd's order. Names are structural and
fixed at construction, e.g. `L1.N3.w0` is `model.layers[0].neurons[2].w[0]`: layers and neurons are
counted from 1 as the lecture draws them, and a weight carries the index of the input it multiplies.
Each parameter's `label` is the same name, so diagrams and state dicts read alike.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from gategrad.engine import Value

from .. import checks

if TYPE_CHECKING:
    from gategrad.engine.show.rendering import Diagram

    from ..show.summary import Summary


class Module:
    """Base class: parameters, gradients, and a state dict of plain floats.

    >>> from gategrad.nn import Neuron
    >>> n = Neuron(2, rng=__import__("random").Random(0))
    >>> [name for name, _ in n.named_parameters()]
    ['w0', 'w1', 'b']
    >>> n.load_state_dict({"w0": 0.5, "w1": -1.0, "b": 0.25}); n([2.0, 1.0]).data
    0.25
    """

    def named_parameters(self) -> list[tuple[str, Value]]:
        """Every parameter with its structural name (`L1.N3.w0`), in micrograd's order."""
        return []

    def parameters(self) -> list[Value]:
        """Every parameter (weights, biases, learnable slopes), in micrograd's order."""
        return [p for _, p in self.named_parameters()]

    def num_parameters(self) -> int:
        """How many parameters the module has."""
        return len(self.parameters())

    def zero_grad(self) -> None:
        """Set every parameter's gradient to 0 (gradients add up over backward() calls)."""
        for p in self.parameters():
            p.grad = 0.0

    def state_dict(self) -> dict[str, float]:
        """Every parameter's value by name, in parameter order (a snapshot of floats)."""
        return {name: p.data for name, p in self.named_parameters()}

    def load_state_dict(self, state: Mapping[str, float]) -> None:
        """Set every parameter from `state` (name -> number), or change nothing and raise.

        All names and values are checked before the first one is assigned, so a bad state dict
        never leaves a half-loaded model.
        """
        if not isinstance(state, dict):
            raise ValueError(f"a state dict must be a dict of name -> number, got "
                             f"{type(state).__name__}")
        named = self.named_parameters()
        expected = {name for name, _ in named}
        missing = [name for name, _ in named if name not in state]
        unexpected = [name for name in state if name not in expected]
        if missing or unexpected:
            problems = [_listing(kind, names) for kind, names in
                        (("missing", missing), ("unexpected", unexpected)) if names]
            raise ValueError(f"state dict does not match the model ({len(expected)} parameters, "
                             f"{len(state)} entries): " + "; ".join(problems))
        for name, _ in named:
            _check_number(name, state[name])
        for name, p in named:
            p.data = float(state[name])

    def draw(self, x: Sequence[float] | None = None, grads: bool = False, digits: int = 2,
             title: str | None = None) -> Diagram:
        """The lecture's network diagram: a column of circles per layer, a line per weight
        (colour its sign, width its magnitude), each bias in its neuron. `x=[...]` writes each
        neuron's value for that input in its circle; `grads=True` draws the gradients of the last
        backward() instead of the weights. Returns a `Diagram` (see nn/show/netdraw.py)."""
        from ..show.netdraw import draw_network
        return draw_network(self, x=x, grads=grads, digits=digits, title=title)

    def summary(self, digits: int = 4) -> Summary:
        """Per layer: shape, activation, parameter count, and the norms of the weights, the
        biases and their gradients from the last backward() (see nn/show/summary.py)."""
        from ..show.summary import summarize
        return summarize(self, digits=digits)

    def config(self) -> dict:
        """The constructor arguments that rebuild this architecture (used by `nn.save`)."""
        raise NotImplementedError(f"{type(self).__name__} does not describe its architecture")

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.num_parameters()} parameters)"


def _listing(kind: str, names: list[str], shown: int = 5) -> str:
    more = f" and {len(names) - shown} more" if len(names) > shown else ""
    return f"{kind} {', '.join(names[:shown])}{more}"


def _check_number(name: str, x) -> None:
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        raise ValueError(f"parameter {name} must be a number, got {type(x).__name__}: {x!r}")
    if not math.isfinite(checks.as_float(x, f"parameter {name}")):  # 10**400 is no float
        raise ValueError(f"parameter {name} must be a finite number, got {x!r}")
