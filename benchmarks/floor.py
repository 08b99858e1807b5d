"""The floor: each workload's maths on plain Python floats, forward and backward written by hand.

No graph, no nodes: what is left is the arithmetic itself, so this is the fastest any pure-Python
scalar engine could be. It is written plainly, the way a student would write backprop by hand after
the lecture, with no trick an engine could not also use: zip/map loops, and skipping the chain rule
where the upstream gradient is exactly 0 (an inactive hinge or ReLU), which gategrad's backward()
also does.
"""

from __future__ import annotations

from operator import mul

from .demo_spec import DemoSpec
from .engines import Engine


class FloorDemo:
    """MLP(2, [16, 16, 1]) step on floats: activations kept from forward for the backward pass."""

    def __init__(self, spec: DemoSpec):
        self.spec = spec
        self.reset()

    def reset(self) -> None:
        # per layer: weight rows and biases, copied so that updates never touch the spec
        self.layers = [([list(w) for w, _ in neurons], [b for _, b in neurons])
                       for neurons in self.spec.layer_blocks()]

    def parameters(self) -> list[float]:
        return [x for W, b in self.layers for w, bj in zip(W, b) for x in (*w, bj)]

    def forward(self) -> float:
        spec, layers = self.spec, self.layers
        last = len(layers) - 1
        self.traces = traces = []  # per point: (label, [input, layer outputs...]) for backward
        hinge_sum = 0.0
        for x, y in zip(spec.X, spec.Y):
            a = x
            outputs = [a]
            for i, (W, b) in enumerate(layers):
                # b + w0 a0 + w1 a1 + ..., micrograd's order of summation
                z = [sum(map(mul, w, a), bj) for w, bj in zip(W, b)]
                a = z if i == last else [v if v > 0.0 else 0.0 for v in z]
                outputs.append(a)
            margin = 1.0 - y * a[0]
            if margin > 0.0:
                hinge_sum += margin
            traces.append((y, margin, outputs))
        data_loss = hinge_sum * (1.0 / len(spec.X))
        return data_loss + spec.l2 * sum(p * p for p in self.parameters())

    def backward(self, loss: float) -> None:
        layers, n = self.layers, len(self.spec.X)
        self.grads = grads = [([[0.0] * len(w) for w in W], [0.0] * len(b)) for W, b in layers]
        columns = [list(zip(*W)) for W, _ in layers]  # W^T, for d input = W^T d output
        for y, margin, outputs in self.traces:
            if margin <= 0.0:
                continue  # an inactive hinge sends no gradient
            d = [-y / n]  # d loss / d score
            for i in range(len(layers) - 1, -1, -1):
                gW, gb = grads[i]
                a_in = outputs[i]
                for j, dj in enumerate(d):
                    if dj == 0.0:
                        continue  # an inactive ReLU sends no gradient
                    gb[j] += dj
                    gW[j] = [g + dj * a for g, a in zip(gW[j], a_in)]
                if i:  # down through W, then the ReLU below: a > 0 exactly where z > 0
                    d = [sum(map(mul, d, col)) if a > 0.0 else 0.0
                         for col, a in zip(columns[i], a_in)]

    def update(self, lr: float) -> None:
        two_l2 = 2.0 * self.spec.l2
        for (W, b), (gW, gb) in zip(self.layers, self.grads):
            for j, (w, gw) in enumerate(zip(W, gW)):
                W[j] = [p - lr * (g + two_l2 * p) for p, g in zip(w, gw)]
            b[:] = [p - lr * (g + two_l2 * p) for p, g in zip(b, gb)]

    def loss_value(self, loss: float) -> float:
        return loss


class Floor(Engine):
    name = "floor"
    title = "floor (hand-written floats)"
    workloads = frozenset({"chain", "dot", "demo"})  # no graph: nothing to measure in (4), (5)

    def version(self) -> str:
        return "-"

    # chain y = y * c + d: forward is the loop itself, backward multiplies by c once per step
    def chain_forward(self, steps: int, c: float, d: float):
        y = 1.0
        for _ in range(steps):
            y = y * c + d
        return (steps, c, y)

    def chain_backward(self, graph) -> None:
        steps, c, _ = graph
        g = 1.0
        for _ in range(steps):
            g = g * c  # the + gate passes g on unchanged
        self._chain_grad = g

    def chain_result(self, graph) -> tuple[float, float]:
        return graph[2], self._chain_grad

    # dot product: s = w0 x0 + w1 x1 + ...; d s / d w_i = x_i and d s / d x_i = w_i
    def dot_leaves(self, ws, xs):
        return list(ws), list(xs)

    def dot_forward(self, leaves):
        ws, xs = leaves
        s = ws[0] * xs[0]
        for w, x in zip(ws[1:], xs[1:]):
            s = s + w * x
        return (ws, xs, s)

    def dot_backward(self, graph) -> None:
        ws, xs, _ = graph
        g = 1.0
        self._dot_grads = [x * g for x in xs] + [w * g for w in ws]

    def dot_result(self, graph) -> tuple[float, list[float]]:
        return graph[2], self._dot_grads

    def demo(self, spec: DemoSpec) -> FloorDemo:
        return FloorDemo(spec)
