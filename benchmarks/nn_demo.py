"""gategrad's demo step, written the way a user writes it with `nn`: nn.MLP, nn.losses.hinge,
nn.losses.l2_penalty and nn.optim.SGD. The benchmark times this code, not a hand-tuned variant,
because this is what students run.
"""

from __future__ import annotations

import random

from .demo_spec import DemoSpec


class GategradDemo:
    def __init__(self, spec: DemoSpec, fused: bool = True):
        from gategrad import nn
        self.nn, self.spec = nn, spec
        self.X = [list(x) for x in spec.X]
        self.Y = list(spec.Y)
        self.model = nn.MLP(spec.nin, list(spec.nouts), rng=random.Random(0), fused=fused)
        self.params = self.model.parameters()
        self.optimizer = nn.optim.SGD(self.params, lr=1.0)
        self.reset()

    def reset(self) -> None:
        for p, x in zip(self.params, self.spec.init, strict=True):
            p.data, p.grad = x, 0.0

    def parameters(self) -> list[float]:
        return [p.data for p in self.params]

    def forward(self):
        losses, model = self.nn.losses, self.model
        scores = [model(x) for x in self.X]
        return losses.hinge(scores, self.Y) + losses.l2_penalty(self.params, self.spec.l2)

    def backward(self, loss) -> None:
        self.optimizer.zero_grad()
        loss.backward()

    def update(self, lr: float) -> None:
        self.optimizer.lr = lr
        self.optimizer.step()

    def loss_value(self, loss) -> float:
        return loss.data
