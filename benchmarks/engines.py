"""One adapter per engine, all with the same small interface, so every workload is one loop.

An adapter builds each workload's graph with its engine's ordinary API, as that engine's users
write it; the chain and the dot product are the same Python loop for every graph engine (only the
leaf type differs), so no engine gets a cheaper loop than another.

Workloads an adapter does not support are left out of its `workloads`; the floor and the PyTorch
adapters live in floor.py and torch_engines.py.
"""

from __future__ import annotations

import sys
from importlib import metadata

from .demo_spec import DemoSpec

ALL_WORKLOADS = frozenset({"chain", "dot", "demo", "memory", "depth"})


class Engine:
    name = "?"      # key in the JSON and on the command line
    title = "?"     # what the table prints
    workloads = ALL_WORKLOADS

    def version(self) -> str:
        return "-"

    def demo(self, spec: DemoSpec):
        raise NotImplementedError


class GraphEngine(Engine):
    """An engine with Value-like nodes: `leaf * c + d` builds gates, `backward()` runs them."""

    def leaf(self, x: float):
        raise NotImplementedError

    def backward(self, root) -> None:
        root.backward()

    def value(self, node) -> float:
        return node.data

    def grad(self, leaf) -> float:
        return leaf.grad

    # chain: y = y * c + d, two gates per step
    def chain_forward(self, steps: int, c: float, d: float):
        leaf = y = self.leaf(1.0)
        for _ in range(steps):
            y = y * c + d
        return leaf, y

    def chain_backward(self, graph) -> None:
        self.backward(graph[1])

    def chain_result(self, graph) -> tuple[float, float]:
        return self.value(graph[1]), self.grad(graph[0])

    # dot product of N pairs with one `*` and one `+` per pair (the first pair has no `+`)
    def dot_leaves(self, ws, xs):
        return [self.leaf(w) for w in ws], [self.leaf(x) for x in xs]

    def dot_forward(self, leaves):
        pairs = zip(*leaves)
        w, x = next(pairs)
        s = w * x
        for w, x in pairs:
            s = s + w * x
        return leaves, s

    def dot_backward(self, graph) -> None:
        self.backward(graph[1])

    def dot_result(self, graph) -> tuple[float, list[float]]:
        (ws, xs), root = graph
        return self.value(root), [self.grad(v) for v in (*ws, *xs)]


class Gategrad(GraphEngine):
    name = "gategrad"
    title = "gategrad"

    def __init__(self):
        from gategrad import engine
        self.engine = engine

    def version(self) -> str:
        return metadata.version("gategrad")

    def leaf(self, x: float):
        return self.engine.Value(x)

    def demo(self, spec: DemoSpec):
        from .nn_demo import GategradDemo
        return GategradDemo(spec, fused=True)


class GategradLinear(Gategrad):
    """The dot product as one fused `linear()` node instead of 2N - 1 gates."""

    name = "gategrad-linear"
    title = "gategrad linear()"
    workloads = frozenset({"dot"})

    def dot_forward(self, leaves):
        ws, xs = leaves
        return leaves, self.engine.linear(ws, xs)


class GategradUnfused(Gategrad):
    """The demo with nn.MLP(fused=False): every neuron built from `*` and `+` gates, as in the
    lecture and micrograd, instead of one fused `linear()` node per neuron."""

    name = "gategrad-unfused"
    title = "gategrad fused=False"
    workloads = frozenset({"demo"})

    def demo(self, spec: DemoSpec):
        from .nn_demo import GategradDemo
        return GategradDemo(spec, fused=False)


class GategradCompiled(Gategrad):
    """The demo through `compile`: one sample's loss traced once, then replayed over the batch
    in generated Python (fn.batch(backend="python"))."""

    name = "gategrad-compiled"
    title = "gategrad compile, python"
    workloads = frozenset({"demo"})
    backend = "python"

    def demo(self, spec: DemoSpec):
        from .nn_demo import CompiledDemo
        return CompiledDemo(spec, self.backend)


class GategradCompiledNumpy(GategradCompiled):
    """The same traced code, each gate run once over numpy arrays of the whole batch."""

    name = "gategrad-compiled-numpy"
    title = "gategrad compile, numpy"
    backend = "numpy"


class Micrograd(GraphEngine):
    name = "micrograd"
    title = "micrograd 0.1.0"
    recursive_backward = True  # its topological sort recurses once per level of the graph

    def __init__(self, recursion_limit: int | None = None):
        from micrograd.engine import Value
        self.Value = Value
        # micrograd's backward() sorts the graph recursively: one Python frame per node of depth.
        # None keeps Python's limit; a workload that needs a deeper graph raises it and says so.
        self.recursion_limit = recursion_limit

    def version(self) -> str:
        return metadata.version("micrograd")

    def leaf(self, x: float):
        return self.Value(x)

    def backward(self, root) -> None:
        if self.recursion_limit is None:
            root.backward()
            return
        previous = sys.getrecursionlimit()
        sys.setrecursionlimit(max(previous, self.recursion_limit))
        try:
            root.backward()
        finally:
            sys.setrecursionlimit(previous)

    def demo(self, spec: DemoSpec):
        return MicrogradDemo(spec)


class MicrogradDemo:
    """The step exactly as micrograd's demo.ipynb writes it, on micrograd.nn.MLP."""

    def __init__(self, spec: DemoSpec):
        from micrograd.engine import Value
        from micrograd.nn import MLP
        self.spec, self.Value = spec, Value
        self.model = MLP(spec.nin, list(spec.nouts))
        self.params = self.model.parameters()
        self.reset()

    def reset(self) -> None:
        for p, x in zip(self.params, self.spec.init, strict=True):
            p.data, p.grad = x, 0

    def parameters(self) -> list[float]:
        return [p.data for p in self.params]

    def forward(self):
        Value, model, spec = self.Value, self.model, self.spec
        inputs = [list(map(Value, xrow)) for xrow in spec.X]
        scores = list(map(model, inputs))
        losses = [(1 + -yi * scorei).relu() for yi, scorei in zip(spec.Y, scores)]
        data_loss = sum(losses) * (1.0 / len(losses))
        reg_loss = spec.l2 * sum(p * p for p in model.parameters())
        return data_loss + reg_loss

    def backward(self, loss) -> None:
        self.model.zero_grad()
        loss.backward()

    def update(self, lr: float) -> None:
        for p in self.model.parameters():
            p.data -= lr * p.grad

    def loss_value(self, loss) -> float:
        return loss.data


def all_engines(with_torch: bool = True) -> list[Engine]:
    """Every engine that can run here; the PyTorch ones only when torch imports."""
    from .floor import Floor
    engines: list[Engine] = [Gategrad(), GategradLinear(), GategradUnfused(), GategradCompiled(),
                             GategradCompiledNumpy(), Micrograd(), Floor()]
    if with_torch:
        from .torch_engines import torch_engines
        engines += torch_engines()
    return engines


def by_name(name: str) -> Engine:
    """One engine by its name (used by the subprocesses of isolated.py)."""
    if name.startswith("torch"):
        from .torch_engines import torch_engines
        candidates = torch_engines()
    else:
        candidates = all_engines(with_torch=False)
    for e in candidates:
        if e.name == name:
            return e
    raise ValueError(f"no engine {name!r} here")
