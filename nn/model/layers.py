"""Neurons, Maxout units, layers and MLPs, compatible with micrograd's `nn.py`.

With micrograd's arguments these are micrograd's modules: weights uniform in [-1, 1] drawn from
Python's `random` (so `random.seed()` reproduces micrograd's model exactly), bias 0, ReLU hidden
units, a linear last layer, the same parameter order, and a 1-output layer returns a Value.

A neuron's pre-activation w·x + b is one fused `w·x+b` gate (`engine.linear`) by default; with
`fused=False` it is built gate by gate from `*` and `+` exactly as micrograd does, so that it can be
drawn and explained one multiply at a time. Both give the same numbers.

>>> import random
>>> model = MLP(2, [4, 1], rng=random.Random(0))
>>> model
MLP(2 -> 4 -> 1, 17 parameters)
  L1: Layer(2 -> 4, relu)
  L2: Layer(4 -> 1, linear)
>>> model.parameters()[0].label, isinstance(model([0.5, -0.2]), Value)
('L1.N1.w0', True)
"""

from __future__ import annotations

import numbers
import random

from gategrad.engine import Value, as_value, linear
from gategrad.engine.fused import linear_unchecked

from .. import checks
from . import activations
from .activations import _Stateless
from .module import Module


def _prefix(name: str) -> str:
    return f"{name}." if name else ""


def _check_size(what: str, expected: int, x) -> None:
    if len(x) != expected:
        raise ValueError(f"{what} expects {expected} input{'s' * (expected != 1)}, "
                         f"got {len(x)}")


class Neuron(Module):
    """activation(w·x + b), the lecture's model of one neuron.

    `activation` is a name from `nn.activations.NAMES`, an `Activation`, or a function of one
    Value; without it, micrograd's `nonlin` decides between 'relu' and 'linear'.

    >>> n = Neuron(3, activation="sigmoid", rng=random.Random(1))
    >>> n
    Neuron(3, sigmoid)
    >>> 0.0 < n([1.0, 2.0, 3.0]).data < 1.0
    True
    """

    def __init__(self, nin: int, nonlin: bool = True, activation=None, rng=None,
                 fused: bool = True, name: str = ""):
        nin = checks.count("Neuron", "nin", nin)
        checks.flag("Neuron", "fused", fused)
        checks.text("Neuron", "name", name)
        if activation is None:
            activation = "relu" if nonlin else "linear"
        uniform = (rng or random).uniform
        prefix = _prefix(name)
        self.w = [Value(uniform(-1, 1), label=f"{prefix}w{i}") for i in range(nin)]
        self.b = Value(0.0, label=f"{prefix}b")
        self.activation = activations.get(activation).for_unit(name)
        self.nonlin = self.activation is not activations.LINEAR  # micrograd's attribute
        self.fused = fused
        self.name = name

    @property
    def nin(self) -> int:
        """The number of inputs."""
        return len(self.w)

    def __call__(self, x) -> Value:
        if len(x) != len(self.w):
            _check_size(f"neuron {self.name or ''}".rstrip(), len(self.w), x)
        return self.activation(self.pre_activation(x))

    def pre_activation(self, x) -> Value:
        """w·x + b: one fused gate, or micrograd's chain b + w0*x0 + w1*x1 + ... of 2n gates."""
        if self.fused:
            return linear(self.w, x, self.b)
        z = self.b
        for wi, xi in zip(self.w, x, strict=True):
            z = z + wi * xi
        return z

    def named_parameters(self) -> list[tuple[str, Value]]:
        # micrograd's order (weights, then bias), then the activation's own (PReLU's slope).
        return ([(w.label, w) for w in self.w] + [(self.b.label, self.b)]
                + self.activation.named_parameters())

    def parameters(self) -> list[Value]:
        return self.w + [self.b] + self.activation.parameters()

    def config(self) -> dict:
        return {"type": "Neuron", "nin": self.nin, "activation": self.activation.config(),
                "fused": self.fused, "name": self.name}

    def __repr__(self) -> str:
        return f"Neuron({self.nin}, {self.activation!r}{'' if self.fused else ', unfused'})"


class Maxout(Module):
    """The lecture's Maxout, max over k linear pieces, max(w1·x + b1, w2·x + b2, ...): no
    saturation, no dead units, at the price of k times the parameters.

    >>> unit = Maxout(2, pieces=3, rng=random.Random(0))
    >>> unit.num_parameters(), unit([1.0, 1.0]).data == max(p([1.0, 1.0]).data for p in unit.pieces)
    (9, True)
    """

    def __init__(self, nin: int, pieces: int = 2, rng=None, fused: bool = True, name: str = ""):
        nin = checks.count("Maxout", "nin", nin)
        pieces = checks.count("Maxout", "pieces", pieces)
        checks.text("Maxout", "name", name)
        prefix = _prefix(name)
        self.pieces = [Neuron(nin, activation="linear", rng=rng, fused=fused,
                              name=f"{prefix}p{k + 1}") for k in range(pieces)]
        self.fused = fused
        self.name = name

    @property
    def nin(self) -> int:
        """The number of inputs."""
        return self.pieces[0].nin

    def __call__(self, x) -> Value:
        if len(x) != self.nin:
            _check_size(f"maxout unit {self.name}".rstrip(), self.nin, x)
        out = self.pieces[0].pre_activation(x)
        for piece in self.pieces[1:]:
            out = out.max(piece.pre_activation(x))
        return out

    def named_parameters(self) -> list[tuple[str, Value]]:
        return [pair for piece in self.pieces for pair in piece.named_parameters()]

    def parameters(self) -> list[Value]:
        return [p for piece in self.pieces for p in piece.parameters()]

    def config(self) -> dict:
        return {"type": "Maxout", "nin": self.nin, "pieces": len(self.pieces),
                "fused": self.fused, "name": self.name}

    def __repr__(self) -> str:
        return f"Maxout({self.nin}, pieces={len(self.pieces)})"


def _unit(nin: int, name: str, activation=None, pieces: int = 2, **kwargs) -> Module:
    if isinstance(activation, str) and activation.lower() == "maxout":
        kwargs.pop("nonlin", None)
        return Maxout(nin, pieces=pieces, name=name, **kwargs)
    return Neuron(nin, activation=activation, name=name, **kwargs)


class Layer(Module):
    """`nout` neurons that all see the same inputs; keyword arguments go to each neuron
    (`activation='maxout'` makes Maxout units, with `pieces=k`).

    >>> layer = Layer(3, 2, activation="tanh", rng=random.Random(0))
    >>> layer, len(layer([1.0, 0.0, -1.0]))
    (Layer(3 -> 2, tanh), 2)
    """

    def __init__(self, nin: int, nout: int, name: str = "", **kwargs):
        nin, nout = checks.count("Layer", "nin", nin), checks.count("Layer", "nout", nout)
        checks.text("Layer", "name", name)
        prefix = _prefix(name)
        self.neurons = [_unit(nin, f"{prefix}N{j + 1}", **kwargs) for j in range(nout)]
        self.nin, self.nout, self.name = nin, nout, name

    def __call__(self, x):
        if len(x) != self.nin:
            _check_size(f"layer {self.name}".rstrip(), self.nin, x)
        out = self.forward([as_value(xi) for xi in x])
        return out[0] if len(out) == 1 else out

    def forward(self, xs) -> list[Value]:
        """The layer on inputs already checked and turned into Values; always returns a list.

        A fused neuron with a plain activation is its two gates, applied here directly (what
        Neuron.__call__ does, less two calls and the checks per neuron: this is the hot loop of
        training)."""
        return [unit.activation.function(linear_unchecked(unit.w, xs, unit.b))
                if type(unit) is Neuron and unit.fused and type(unit.activation) is _Stateless
                else unit(xs) for unit in self.neurons]

    def named_parameters(self) -> list[tuple[str, Value]]:
        return [pair for n in self.neurons for pair in n.named_parameters()]

    def parameters(self) -> list[Value]:
        return [p for n in self.neurons for p in n.parameters()]

    def _unit_config(self) -> dict:
        unit = self.neurons[0]
        if isinstance(unit, Maxout):
            return {"activation": "maxout", "pieces": len(unit.pieces), "fused": unit.fused}
        return {"activation": unit.activation.config(), "fused": unit.fused}

    def config(self) -> dict:
        return {"type": "Layer", "nin": self.nin, "nout": self.nout, "name": self.name,
                **self._unit_config()}

    def _describe_units(self) -> str:
        unit = self.neurons[0]
        if isinstance(unit, Maxout):
            return f"maxout of {len(unit.pieces)}"
        return repr(unit.activation) + ("" if unit.fused else ", unfused")

    def __repr__(self) -> str:
        return f"Layer({self.nin} -> {self.nout}, {self._describe_units()})"


class MLP(Module):
    """A multi-layer perceptron: `nouts` lists the layer sizes, the last one is the output.

    `activation` is the hidden units' (ReLU by default, as micrograd), `output_activation` the last
    layer's (linear when None). `model(x)` takes a list of floats or Values (a bare number when
    there is one input) and returns a Value for one output, else a list of Values.
    """

    def __init__(self, nin: int, nouts, activation="relu", output_activation=None, rng=None,
                 fused: bool = True, pieces: int = 2):
        nin, nouts = checks.count("MLP", "nin", nin), checks.sizes("MLP", "nouts", nouts)
        pieces = checks.count("MLP", "pieces", pieces)
        sizes = [nin] + nouts
        last = len(nouts) - 1
        self.layers = [Layer(sizes[i], sizes[i + 1], name=f"L{i + 1}", rng=rng, fused=fused,
                             pieces=pieces,
                             activation=activation if i < last else output_activation or "linear")
                       for i in range(len(nouts))]
        self.nin, self.nouts = nin, nouts

    def __call__(self, x):
        if isinstance(x, (numbers.Real, Value)):
            x = [x]
        if len(x) != self.nin:
            _check_size(f"{type(self).__name__}({self._sizes()})", self.nin, x)
        xs = [as_value(xi) for xi in x]  # once per sample, not once per neuron
        for layer in self.layers:
            xs = layer.forward(xs)
        return xs[0] if len(xs) == 1 else xs

    def named_parameters(self) -> list[tuple[str, Value]]:
        return [pair for layer in self.layers for pair in layer.named_parameters()]

    def parameters(self) -> list[Value]:
        return [p for layer in self.layers for p in layer.parameters()]

    def config(self) -> dict:
        hidden = [layer._unit_config() for layer in self.layers[:-1]]
        output = self.layers[-1]._unit_config()
        config = {"type": "MLP", "nin": self.nin, "nouts": self.nouts,
                  "activation": hidden[0]["activation"] if hidden else "relu",
                  "output_activation": output["activation"], "fused": output["fused"]}
        pieces = [c["pieces"] for c in hidden + [output] if "pieces" in c]
        if pieces:
            config["pieces"] = pieces[0]
        return config

    def _sizes(self) -> str:
        return " -> ".join(str(n) for n in [self.nin] + self.nouts)

    def __repr__(self) -> str:
        lines = [f"MLP({self._sizes()}, {self.num_parameters()} parameters)"]
        lines += [f"  {layer.name}: {layer!r}" for layer in self.layers]
        return "\n".join(lines)
