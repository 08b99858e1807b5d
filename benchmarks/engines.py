"""The engines: each runs a workload's training step its own way, from the workload's weights.

An engine is a `Runner` class: built from a `Workload` (untimed: the model, the weights, the data
in the engine's own format), then `step(k)` runs step k (forward, loss, zero the gradients,
backward, SGD update with the learning rate of step k) and returns the loss before the update.
A runner is used for one run of consecutive steps and then dropped: the next run starts from the
workload's weights again in a new runner, so its first step is cold again.

Each engine's code is what its users write: PyTorch with nn.Sequential and torch.optim.SGD, JAX
with one jax.jit of the whole step, micrograd as its demo notebook, gategrad through nn.fit itself.
The hand-written ones are written plainly with no trick another engine could not use. When an
engine cannot run here (not installed), building it raises `Unavailable` with the reason.
"""

from __future__ import annotations

import random
from operator import mul
from time import perf_counter

from .workloads import Workload


class Unavailable(Exception):
    """This engine cannot run on this machine or workload; the message says why."""


class Runner:
    def __init__(self, w: Workload):
        self.w = w

    def step(self, k: int) -> float:
        raise NotImplementedError

    def run(self, steps: int) -> tuple[list[float], list[float]]:
        """Steps 0..steps: the seconds each took and the loss of each (timing.py's unit)."""
        durations, losses = [], []
        for k in range(steps + 1):
            start = perf_counter()
            losses.append(self.step(k))
            durations.append(perf_counter() - start)
        return durations, losses


class Torch(Runner):
    """Batched PyTorch in float64, one thread: the reference every row is divided by. One
    thread like every scalar engine here; on this 2-core machine the default pool's threads
    spin waiting for each other whenever the other core is busy."""

    def __init__(self, w: Workload):
        super().__init__(w)
        try:
            import torch
        except ImportError as error:
            raise Unavailable(f"torch is not installed ({error}): pip install '.[bench]'") from None
        torch.set_num_threads(1)
        self.torch, f64 = torch, torch.float64
        layers = []
        for i, (W, b) in enumerate(w.layers()):
            linear = torch.nn.Linear(len(W[0]), len(W), dtype=f64)
            with torch.no_grad():
                linear.weight.copy_(torch.tensor(W, dtype=f64))
                linear.bias.copy_(torch.tensor(b, dtype=f64))
            layers += [linear] if i == len(w.sizes) - 2 else [linear, torch.nn.ReLU()]
        self.model = torch.nn.Sequential(*layers)
        self.params = list(self.model.parameters())
        self.optimizer = torch.optim.SGD(self.params, lr=1.0)
        self.X = torch.tensor(w.X, dtype=f64)
        self.Y = torch.tensor(w.y, dtype=f64 if w.loss == "hinge" else torch.long)

    def step(self, k: int) -> float:
        torch, w = self.torch, self.w
        out = self.model(self.X)
        if w.loss == "hinge":
            loss = torch.relu(1 - self.Y * out[:, 0]).mean()
        else:
            loss = torch.nn.functional.cross_entropy(out, self.Y)
        if w.l2:
            loss = loss + w.l2 * sum((p * p).sum() for p in self.params)
        self.optimizer.zero_grad()
        loss.backward()
        if w.lr is not None:
            self.optimizer.param_groups[0]["lr"] = w.learning_rate(k)
            self.optimizer.step()
        return loss.item()


class Jax(Runner):
    """JAX in float64 with jax.jit of the whole step (forward, loss, gradient, SGD update): one
    XLA program per step, the strongest anchor. Its first step traces and compiles."""

    def __init__(self, w: Workload):
        super().__init__(w)
        try:
            import jax
        except ModuleNotFoundError as error:
            raise Unavailable(f"jax is not installed ({error}): pip install '.[bench]'") from None
        except Exception as error:  # noqa: BLE001  (a broken install raises more than ImportError)
            raise Unavailable(f"jax does not import ({type(error).__name__}: {error})") from None
        jax.config.update("jax_enable_x64", True)
        jnp, hinge, l2 = jax.numpy, w.loss == "hinge", w.l2
        self.jax = jax
        self.params = [(jnp.array(W), jnp.array(b)) for W, b in w.layers()]
        self.X = jnp.array(w.X)
        self.Y = jnp.array(w.y, dtype=jnp.float64 if hinge else jnp.int32)

        def loss_fn(params, X, Y):
            a = X
            for i, (W, b) in enumerate(params):
                a = a @ W.T + b
                if i < len(params) - 1:
                    a = jax.nn.relu(a)
            if hinge:
                data = jax.nn.relu(1 - Y * a[:, 0]).mean()
            else:
                picked = jnp.take_along_axis(a, Y[:, None], axis=1)[:, 0]
                data = (jax.nn.logsumexp(a, axis=1) - picked).mean()
            return data + l2 * sum((W * W).sum() + (b * b).sum() for W, b in params)

        value_and_grad = jax.value_and_grad(loss_fn)

        def step(params, X, Y, lr):
            loss, grads = value_and_grad(params, X, Y)
            return loss, jax.tree.map(lambda p, g: p - lr * g, params, grads)

        self.fn = jax.jit(value_and_grad if w.lr is None else step)

    def step(self, k: int) -> float:
        if self.w.lr is None:
            loss, self.grads = self.fn(self.params, self.X, self.Y)
        else:
            loss, self.params = self.fn(self.params, self.X, self.Y, self.w.learning_rate(k))
        self.jax.block_until_ready(self.params if self.w.lr is not None else self.grads)
        return float(loss)


class Numpy(Runner):
    """The limit: the step written by hand in numpy, a matrix product per layer forward and two
    backward, nothing a framework adds."""

    def __init__(self, w: Workload):
        super().__init__(w)
        import numpy as np
        self.np = np
        self.params = [(np.array(W), np.array(b)) for W, b in w.layers()]
        self.X = np.array(w.X)
        self.Y = np.array(w.y, dtype=float if w.loss == "hinge" else int)

    def step(self, k: int) -> float:
        np, w, params, Y = self.np, self.w, self.params, self.Y
        n, last = len(self.X), len(params) - 1
        acts = [self.X]  # each layer's input, kept for backward
        for i, (W, b) in enumerate(params):
            z = acts[-1] @ W.T + b
            acts.append(z if i == last else np.maximum(z, 0.0))
        out = acts.pop()
        if w.loss == "hinge":
            margin = 1.0 - Y * out[:, 0]
            data = np.maximum(margin, 0.0).mean()
            d = np.where(margin > 0.0, -Y / n, 0.0)[:, None]  # d loss / d output
        else:
            shifted = out - out.max(axis=1, keepdims=True)
            e = np.exp(shifted)
            total, rows = e.sum(axis=1), np.arange(n)
            data = (np.log(total) - shifted[rows, Y]).mean()
            d = e / total[:, None]
            d[rows, Y] -= 1.0
            d /= n
        loss = data + w.l2 * sum((W * W).sum() + (b * b).sum() for W, b in params)
        grads = []
        for i in range(last, -1, -1):
            W, b = params[i]
            gW, gb = d.T @ acts[i], d.sum(axis=0)
            grads.append((gW + 2 * w.l2 * W, gb + 2 * w.l2 * b) if w.l2 else (gW, gb))
            if i:  # down through W, then the ReLU below (its output > 0 exactly where it passes)
                d = (d @ W) * (acts[i] > 0.0)
        self.grads = grads[::-1]
        if w.lr is not None:
            lr = w.learning_rate(k)
            for (W, b), (gW, gb) in zip(params, self.grads):
                W -= lr * gW
                b -= lr * gb
        return float(loss)


class Fit(Runner):
    """gategrad's real step: nn.fit itself, what users run. One call of nn.fit with epochs =
    steps + 1, each epoch's wall time read from history.seconds (no callback: a callback makes
    fit write the weights back into the model's Values after every epoch, which a plain run does
    not do); at full batch an epoch is one step. The first step is timed from the call, so it
    includes fit's set-up and compiling the model: the cold step.
    compile=True is the default path (compile=None) made strict: it raises instead of quietly
    falling back to the plain graph, so this row cannot time the wrong thing."""

    compile = True

    def __init__(self, w: Workload):
        super().__init__(w)
        from gategrad import nn
        self.nn = nn
        self.model = nn.MLP(w.sizes[0], list(w.sizes[1:]), rng=random.Random(0))
        for p, x in zip(self.model.parameters(), w.init, strict=True):
            p.data = x

    def run(self, steps: int) -> tuple[list[float], list[float]]:
        w, nn = self.w, self.nn
        start, end = w.lr
        began = perf_counter()
        history = nn.fit(self.model, w.X, w.y, loss=w.loss, l2=w.l2, epochs=steps + 1,
                         lr=start, lr_schedule=nn.LinearDecay(start, end, 100), progress=False,
                         compile=self.compile)
        total = perf_counter() - began
        if history.epochs != steps + 1:
            raise RuntimeError(f"nn.fit ran {history.epochs} epochs of {steps + 1}: "
                               f"{history.stop_reason}")
        seconds = list(history.seconds)
        seconds[0] = total - sum(seconds[1:])  # the cold step: everything but the later ones
        return seconds, history.objective


class FitPlain(Fit):
    """nn.fit(compile=False): the plain graph, built sample by sample every step."""

    compile = False


class FnBatch(Runner):
    """gategrad's compile used directly: one sample's loss relu(1 - y * model(x)) traced with
    the parameters, x0, x1 and y as inputs, then fn.batch(*parameters, X0, X1, Y,
    backend="numpy") over the whole batch, parameters broadcast. The first step traces and
    compiles (as nn.fit's first epoch does)."""

    def __init__(self, w: Workload):
        super().__init__(w)
        import numpy as np
        self.fn, self.params = None, list(w.init)
        self.columns = [np.array(c) for c in zip(*w.X)] + [np.array(w.y, dtype=float)]

    def _compile(self):
        from gategrad import nn
        from gategrad.engine import Value, compile
        model = nn.MLP(self.w.sizes[0], list(self.w.sizes[1:]), rng=random.Random(0))
        x = [Value(0.0, label=f"x{i}") for i in range(self.w.sizes[0])]
        y = Value(1.0, label="y")
        loss = (1 + -y * model(x)).relu()  # nn.losses.hinge's per-sample term
        return compile(loss, inputs=[*model.parameters(), *x, y], wrt=model.parameters())

    def step(self, k: int) -> float:
        if self.fn is None:
            self.fn = self._compile()
        losses, self.grads = self.fn.batch(*self.params, *self.columns,
                                           grad_output=1.0 / len(self.w.X), backend="numpy")
        return float(losses.mean())


class Micrograd(Runner):
    """micrograd 0.1.0's demo step, as its demo.ipynb writes it."""

    def __init__(self, w: Workload):
        super().__init__(w)
        try:
            from micrograd.engine import Value
            from micrograd.nn import MLP
        except ImportError as error:
            raise Unavailable(f"micrograd is not installed ({error}): "
                              "pip install '.[bench]'") from None
        self.Value, self.model = Value, MLP(w.sizes[0], list(w.sizes[1:]))
        for p, x in zip(self.model.parameters(), w.init, strict=True):
            p.data = x

    def step(self, k: int) -> float:
        model, w = self.model, self.w
        inputs = [list(map(self.Value, xrow)) for xrow in w.X]
        scores = list(map(model, inputs))
        losses = [(1 + -yi * scorei).relu() for yi, scorei in zip(w.y, scores)]
        data_loss = sum(losses) * (1.0 / len(losses))
        reg_loss = w.l2 * sum(p * p for p in model.parameters())
        total_loss = data_loss + reg_loss
        model.zero_grad()
        total_loss.backward()
        learning_rate = w.learning_rate(k)
        for p in model.parameters():
            p.data -= learning_rate * p.grad
        return total_loss.data


class Scalar(Runner):
    """Hand-written scalar Python: the demo's forward and backward on plain floats, per point and
    per neuron, as a student writes backprop after the lecture. It is not the fastest any scalar
    engine could be: gategrad's generated code beats it. It skips the chain rule where the
    upstream gradient is exactly 0 (an inactive hinge or ReLU), as gategrad's backward() does."""

    def __init__(self, w: Workload):
        super().__init__(w)
        self.layers = [([list(row) for row in W], list(b)) for W, b in w.layers()]

    def step(self, k: int) -> float:
        w, layers = self.w, self.layers
        last, n = len(layers) - 1, len(w.X)
        traces, hinge_sum = [], 0.0  # per point: label, margin, each layer's input and output
        for x, y in zip(w.X, w.y):
            a, outputs = x, [x]
            for i, (W, b) in enumerate(layers):
                z = [sum(map(mul, row, a), bj) for row, bj in zip(W, b)]
                a = z if i == last else [v if v > 0.0 else 0.0 for v in z]
                outputs.append(a)
            margin = 1.0 - y * a[0]
            if margin > 0.0:
                hinge_sum += margin
            traces.append((y, margin, outputs))
        squares = sum(p * p for W, b in layers for row in (*W, b) for p in row)
        loss = hinge_sum * (1.0 / n) + w.l2 * squares
        grads = [([[0.0] * len(row) for row in W], [0.0] * len(b)) for W, b in layers]
        columns = [list(zip(*W)) for W, _ in layers]  # W^T, for d input = W^T d output
        for y, margin, outputs in traces:
            if margin <= 0.0:
                continue  # an inactive hinge sends no gradient
            d = [-y / n]
            for i in range(last, -1, -1):
                gW, gb = grads[i]
                a_in = outputs[i]
                for j, dj in enumerate(d):
                    if dj != 0.0:  # an inactive ReLU sends no gradient
                        gb[j] += dj
                        gW[j] = [g + dj * a for g, a in zip(gW[j], a_in)]
                if i:
                    d = [sum(map(mul, d, col)) if a > 0.0 else 0.0
                         for col, a in zip(columns[i], a_in)]
        lr, two_l2 = w.learning_rate(k), 2.0 * w.l2
        for (W, b), (gW, gb) in zip(layers, grads):
            for j, (row, grow) in enumerate(zip(W, gW)):
                W[j] = [p - lr * (g + two_l2 * p) for p, g in zip(row, grow)]
            b[:] = [p - lr * (g + two_l2 * p) for p, g in zip(b, gb)]
        return loss


ENGINES: dict[str, tuple[str, type[Runner]]] = {
    "torch": ("PyTorch, batched, float64, 1 thread (the reference)", Torch),
    "jax": ("JAX, jax.jit of the whole step, float64", Jax),
    "numpy": ("hand-written numpy (the limit)", Numpy),
    "fit": ("gategrad nn.fit, compiled (its default)", Fit),
    "fit-plain": ("gategrad nn.fit(compile=False), the plain graph", FitPlain),
    "fn-batch": ('gategrad fn.batch(backend="numpy")', FnBatch),
    "micrograd": ("micrograd 0.1.0", Micrograd),
    "scalar": ("hand-written scalar Python", Scalar),
}
