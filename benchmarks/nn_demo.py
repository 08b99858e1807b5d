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


class CompiledDemo:
    """The demo step through `compile`: one sample's hinge loss, relu(1 - y * model(x)), traced
    once with the model's parameters as broadcast inputs and x, y as per-sample inputs, then run
    over the whole batch by `fn.batch`; the L2 term and the update in plain Python."""

    def __init__(self, spec: DemoSpec, backend: str):
        from gategrad import nn
        from gategrad.engine import Value, compile
        self.spec, self.backend = spec, backend
        model = nn.MLP(spec.nin, list(spec.nouts), rng=random.Random(0))
        params = model.parameters()
        x = [Value(0.0, label=f"x{i}") for i in range(spec.nin)]
        y = Value(1.0, label="y")
        loss = (1.0 - y * model(x)).relu()
        loss.label = "loss"
        self.fn = compile(loss, inputs=[*params, *x, y], wrt=params)
        self.columns = [list(c) for c in zip(*spec.X)] + [list(spec.Y)]
        if backend == "numpy":
            import numpy as np
            self.columns = [np.array(c, dtype=float) for c in self.columns]
        self.reset()

    def reset(self) -> None:
        self.params = list(self.spec.init)
        self.grads = [0.0] * len(self.params)

    def parameters(self) -> list[float]:
        return list(self.params)

    def forward(self):
        n = len(self.spec.Y)
        losses, grads = self.fn.batch(*self.params, *self.columns, grad_output=1.0 / n,
                                      backend=self.backend)
        self.data_grads = grads
        l2 = self.spec.l2
        return float(sum(losses)) / n + l2 * sum(p * p for p in self.params)

    def backward(self, loss) -> None:  # the compiled code did the backward pass with forward
        l2 = 2.0 * self.spec.l2
        self.grads = [g + l2 * p for g, p in zip(self.data_grads, self.params)]

    def update(self, lr: float) -> None:
        self.params = [p - lr * g for p, g in zip(self.params, self.grads)]

    def loss_value(self, loss) -> float:
        return loss
