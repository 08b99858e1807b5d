"""Optimizers: the lecture's update rule w <- w - eta dL/dw, as PyTorch's `torch.optim`.

>>> from gategrad.engine import Value
>>> w = Value(1.0)
>>> opt = SGD([w], lr=0.1)
>>> loss = w * w; loss.backward(); opt.step()   # dL/dw = 2w = 2
>>> round(w.data, 12)
0.8
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from gategrad.engine import Value

from .. import checks


class LinearDecay:
    """A learning rate going linearly from `start` to `end` over `steps` steps, then staying.

    micrograd's demo uses `lr = 1.0 - 0.9*k/100`, which is `LinearDecay(1.0, 0.1, 100)`.

    >>> schedule = LinearDecay(1.0, 0.1, 100)
    >>> schedule(0), round(schedule(50), 12), round(schedule(100), 12), round(schedule(500), 12)
    (1.0, 0.55, 0.1, 0.1)
    """

    def __init__(self, start: float, end: float, steps: int):
        self.start = checks.real("LinearDecay", "start", start, 0.0)
        self.end = checks.real("LinearDecay", "end", end, 0.0)
        self.steps = checks.count("LinearDecay", "steps", steps)

    def __call__(self, step: int) -> float:
        """The learning rate for step number `step` (counted from 0)."""
        return self.start + (self.end - self.start) * min(step, self.steps) / self.steps

    def __repr__(self) -> str:
        return f"LinearDecay({self.start}, {self.end}, {self.steps})"


class SGD:
    """Stochastic gradient descent with optional momentum and weight decay (PyTorch's rule).

    velocity <- momentum * velocity + (grad + weight_decay * p);  p <- p - lr * velocity.
    Weight decay adds weight_decay * p to the gradient without showing in the loss; the loss term
    `nn.losses.l2_penalty(params, lam)` gives the same update with weight_decay = 2 lam.

    `lr_schedule(step) -> lr` (for example `LinearDecay`) sets the rate before each step; the
    rate used by the last step is `self.lr`, and `self.steps` counts the steps taken.
    """

    def __init__(self, params: Iterable[Value], lr: float = 0.01, momentum: float = 0.0,
                 weight_decay: float = 0.0, lr_schedule: Callable[[int], float] | None = None):
        self.params = list(params)
        if not self.params:
            raise ValueError("SGD: no parameters to optimize")
        for i, p in enumerate(self.params):
            if not isinstance(p, Value):
                raise TypeError(f"SGD: parameter {i} must be a Value, got {type(p).__name__}")
        self.lr = checks.real("SGD", "lr", lr, 0.0)
        # a momentum of 1 or more never forgets a gradient: the steps grow without end
        self.momentum = checks.real("SGD", "momentum", momentum, 0.0, 1.0, high_open=True)
        self.weight_decay = checks.real("SGD", "weight_decay", weight_decay, 0.0)
        if lr_schedule is not None and not callable(lr_schedule):
            raise TypeError(f"SGD: lr_schedule must be a function of the step, got "
                            f"{type(lr_schedule).__name__}")
        self.lr_schedule = lr_schedule
        self.steps = 0
        self._velocity = [0.0] * len(self.params) if momentum else None

    def step(self) -> None:
        """Move every parameter against its gradient (with momentum and weight decay if set)."""
        if self.lr_schedule is not None:
            self.lr = float(self.lr_schedule(self.steps))
        lr, decay = self.lr, self.weight_decay
        if self._velocity is None:
            if decay:
                for p in self.params:
                    p.data -= lr * (p.grad + decay * p.data)
            else:
                for p in self.params:
                    p.data -= lr * p.grad
        else:
            mu, velocity = self.momentum, self._velocity
            for i, p in enumerate(self.params):
                velocity[i] = mu * velocity[i] + p.grad + decay * p.data
                p.data -= lr * velocity[i]
        self.steps += 1

    def zero_grad(self) -> None:
        """Set every parameter's gradient to 0, before the next backward pass."""
        for p in self.params:
            p.grad = 0.0

    def __repr__(self) -> str:
        schedule = f", lr_schedule={self.lr_schedule!r}" if self.lr_schedule else ""
        return (f"SGD({len(self.params)} parameters, lr={self.lr:g}, momentum={self.momentum:g}, "
                f"weight_decay={self.weight_decay:g}{schedule})")
