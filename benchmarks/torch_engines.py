"""PyTorch two ways: one 0-d tensor per scalar (a scalar engine), and batched tensors (the
vectorised code a scalar engine is not meant to beat, shown for scale). Both in float64, so their
results agree with the Python-float engines to rounding.

Nothing here is imported unless torch is installed: `torch_engines()` returns [] without it.
"""

from __future__ import annotations

from .demo_spec import DemoSpec
from .engines import Engine, GraphEngine


def torch_engines() -> list[Engine]:
    try:
        import torch
    except ImportError:
        return []
    # One thread, like every other engine here. With its default pool (one thread per core) a
    # step of these tiny matrices took ~48 ms instead of ~1.3 ms whenever the machine's other
    # core was busy: the pool's threads spin, waiting for each other.
    torch.set_num_threads(1)
    return [TorchScalar(), TorchBatched()]


class TorchScalar(GraphEngine):
    name = "torch-scalar"
    title = "PyTorch 0-d tensors"
    # not "memory": tracemalloc cannot see the C++ allocations that hold a PyTorch graph
    workloads = frozenset({"chain", "dot", "demo", "depth"})

    def __init__(self):
        import torch
        self.torch = torch

    def version(self) -> str:
        return f"{self.torch.__version__}, {self.torch.get_num_threads()} thread"

    def leaf(self, x: float):
        return self.torch.tensor(x, dtype=self.torch.float64, requires_grad=True)

    def value(self, node) -> float:
        return node.item()

    def grad(self, leaf) -> float:
        return leaf.grad.item()

    def demo(self, spec: DemoSpec):
        return TorchScalarDemo(spec)


class TorchScalarDemo:
    """micrograd's demo with a 0-d tensor for every weight and input, and torch.optim.SGD."""

    def __init__(self, spec: DemoSpec):
        import torch
        self.torch, self.spec = torch, spec
        self.layers = [[([torch.tensor(w, dtype=torch.float64, requires_grad=True) for w in ws],
                         torch.tensor(b, dtype=torch.float64, requires_grad=True))
                        for ws, b in layer] for layer in spec.layer_blocks()]
        self.params = [p for layer in self.layers for ws, b in layer for p in (*ws, b)]
        self.optimizer = torch.optim.SGD(self.params, lr=1.0)
        self.reset()

    def reset(self) -> None:
        with self.torch.no_grad():
            for p, x in zip(self.params, self.spec.init, strict=True):
                p.fill_(x)
                p.grad = None

    def parameters(self) -> list[float]:
        return [p.item() for p in self.params]

    def forward(self):
        torch, spec = self.torch, self.spec
        relu, last = torch.relu, len(self.layers) - 1
        losses = []
        for x, y in zip(spec.X, spec.Y):
            a = [torch.tensor(v, dtype=torch.float64) for v in x]
            for i, layer in enumerate(self.layers):
                z = [sum((w * v for w, v in zip(ws, a)), b) for ws, b in layer]
                a = z if i == last else [relu(v) for v in z]
            losses.append(relu(1 + -y * a[0]))
        data_loss = sum(losses) * (1.0 / len(losses))
        return data_loss + spec.l2 * sum(p * p for p in self.params)

    def backward(self, loss) -> None:
        self.optimizer.zero_grad()
        loss.backward()

    def update(self, lr: float) -> None:
        for group in self.optimizer.param_groups:
            group["lr"] = lr
        self.optimizer.step()

    def loss_value(self, loss) -> float:
        return loss.item()


class TorchBatched(TorchScalar):
    name = "torch-batched"
    title = "PyTorch batched"
    workloads = frozenset({"dot", "demo"})  # a chain is sequential: there is nothing to batch

    def dot_leaves(self, ws, xs):
        t = self.torch
        return (t.tensor(ws, dtype=t.float64, requires_grad=True),
                t.tensor(xs, dtype=t.float64, requires_grad=True))

    def dot_forward(self, leaves):
        return leaves, self.torch.dot(*leaves)

    def dot_result(self, graph) -> tuple[float, list[float]]:
        (ws, xs), root = graph
        return root.item(), [*ws.grad.tolist(), *xs.grad.tolist()]

    def demo(self, spec: DemoSpec):
        return TorchBatchedDemo(spec)


class TorchBatchedDemo:
    """The same MLP as weight matrices: three matmuls over all 100 points at once."""

    def __init__(self, spec: DemoSpec):
        import torch
        self.torch, self.spec = torch, spec
        f64 = torch.float64
        self.X = torch.tensor(spec.X, dtype=f64)
        self.Y = torch.tensor(spec.Y, dtype=f64)
        self.weights, self.biases = [], []
        for layer in spec.layer_blocks():
            self.weights.append(torch.zeros(len(layer), len(layer[0][0]), dtype=f64,
                                            requires_grad=True))
            self.biases.append(torch.zeros(len(layer), dtype=f64, requires_grad=True))
        self.params = [p for pair in zip(self.weights, self.biases) for p in pair]
        self.optimizer = torch.optim.SGD(self.params, lr=1.0)
        self.reset()

    def reset(self) -> None:
        t = self.torch
        with t.no_grad():
            for W, b, layer in zip(self.weights, self.biases, self.spec.layer_blocks()):
                W.copy_(t.tensor([ws for ws, _ in layer], dtype=t.float64))
                b.copy_(t.tensor([bj for _, bj in layer], dtype=t.float64))
        for p in self.params:
            p.grad = None

    def parameters(self) -> list[float]:
        t = self.torch
        return [x for W, b in zip(self.weights, self.biases)
                for x in t.cat([W, b[:, None]], dim=1).flatten().tolist()]

    def forward(self):
        relu, a, last = self.torch.relu, self.X, len(self.weights) - 1
        for i, (W, b) in enumerate(zip(self.weights, self.biases)):
            z = a @ W.T + b
            a = z if i == last else relu(z)
        data_loss = relu(1 - self.Y * a[:, 0]).mean()
        return data_loss + self.spec.l2 * sum((p * p).sum() for p in self.params)

    backward = TorchScalarDemo.backward
    update = TorchScalarDemo.update
    loss_value = TorchScalarDemo.loss_value
