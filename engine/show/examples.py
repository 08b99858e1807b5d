"""The lecture's worked examples, with the lecture's numbers, built with the public API.

Each builder returns an `Example`: the named input Values, the output, and backward already run.
The CLI, the tests and the notebooks all use these, so every number the lecture shows is computed
in one place: here, by the engine.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..value import Value


@dataclass
class Example:
    """A worked example: its CLI name and title, the output Value (backward already run), the
    named input Values, and interior wires worth showing."""

    name: str
    title: str
    root: Value
    inputs: dict[str, Value]
    extra: dict[str, Value] = field(default_factory=dict)  # named interior wires worth showing


def _leaves(**values: float) -> dict[str, Value]:
    return {name: Value(v, label=name) for name, v in values.items()}


def sigmoid_gate(fused: bool = False) -> Example:
    """f(w, x) = 1 / (1 + exp(-(w0 x0 + w1 x1 + w2))) at w = (2, -3, -3), x = (-1, -2): the
    lecture's "A detailed example" of backpropagation, whose output is sigma(1) = 0.73.

    Built from the lecture's gates `*`, `+`, `*-1`, `exp`, `+1`, `1/x`; with `fused=True` the last
    four are one `sigmoid` gate, which must give the same gradients on the inputs.
    """
    v = _leaves(w0=2.0, x0=-1.0, w1=-3.0, x1=-2.0, w2=-3.0)
    dot = v["w0"] * v["x0"] + v["w1"] * v["x1"] + v["w2"]
    f = dot.sigmoid() if fused else 1 / (1 + (-dot).exp())
    f.label = "f"
    f.backward()
    title = "sigmoid gate, fused" if fused else "sigmoid gate, built from primitive gates"
    return Example("sigmoid-gate-fused" if fused else "sigmoid-gate", title, f, v, {"dot": dot})


def simple_circuit() -> Example:
    """f = (x + y) * z with x = -2, y = 5, z = -4, the lecture's first circuit: f = -12,
    df/dx = df/dy = -4, df/dz = 3."""
    v = _leaves(x=-2.0, y=5.0, z=-4.0)
    q = v["x"] + v["y"]
    q.label = "q"
    f = q * v["z"]
    f.label = "f"
    f.backward()
    return Example("simple", "(x + y) * z", f, v, {"q": q})


def patterns() -> Example:
    """f = 2 * (x*y + max(z, w)) at x = 3, y = -4, z = 2, w = -1, the lecture's circuit of the
    gradient-flow patterns: add distributes, mul switches, max routes."""
    v = _leaves(x=3.0, y=-4.0, z=2.0, w=-1.0)
    xy = v["x"] * v["y"]
    m = v["z"].max(v["w"])
    s = xy + m
    f = s * 2
    f.label = "f"
    f.backward()
    return Example("patterns", "2 * (x*y + max(z, w))", f, v, {"x*y": xy, "max": m, "sum": s})


def vectorized() -> Example:
    """f(x, W) = sum_i (W x)_i^2 with W = [[0.1, 0.5], [-0.3, 0.8]], x = [0.2, 0.4], the lecture's
    vectorized example: f = 0.116, grad_W f = 2 q x^T, grad_x f = W^T 2q."""
    v = _leaves(w11=0.1, w12=0.5, w21=-0.3, w22=0.8, x1=0.2, x2=0.4)
    q1 = v["w11"] * v["x1"] + v["w12"] * v["x2"]
    q2 = v["w21"] * v["x1"] + v["w22"] * v["x2"]
    q1.label, q2.label = "q1", "q2"
    f = q1 ** 2 + q2 ** 2
    f.label = "f"
    f.backward()
    return Example("vectorized", "sum_i (W x)_i^2", f, v, {"q1": q1, "q2": q2})


EXAMPLES = {
    "sigmoid-gate": sigmoid_gate,
    "sigmoid-gate-fused": lambda: sigmoid_gate(fused=True),
    "simple": simple_circuit,
    "patterns": patterns,
    "vectorized": vectorized,
}
