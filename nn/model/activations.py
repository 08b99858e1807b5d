"""The lecture's activation functions, each built from the engine's gates.

Plain functions work on one Value: `relu(z)`, `sigmoid(z)`, `tanh(z)`, `leaky_relu(z, slope)`,
`prelu(z, slope)` (slope a learnable Value), `elu(z, alpha)` and `linear(z)`.

A neuron holds an `Activation` object instead: it knows its name and options, so a model can be
printed and saved, and it owns its parameters (PReLU's slope). `get(spec)` makes one from what a
user writes: `'relu'`, `LeakyReLU(0.1)`, `{'name': 'elu', 'alpha': 0.5}`, or a callable.

Kinks: the engine's relu sends 0 at 0 (relu'(0) = 0, as PyTorch). The others are built on the max
gate, which splits a tie 0.5/0.5, so at 0 they send the mean of the two one-sided slopes, which is
exactly what a central difference measures there.

>>> from gategrad.engine import Value
>>> z = Value(-2.0)
>>> import math
>>> leaky_relu(z, 0.1).data, elu(z).data == math.exp(-2.0) - 1.0
(-0.2, True)
"""

from __future__ import annotations

from collections.abc import Callable

from gategrad.engine import Value

from .. import checks

__all__ = ["ELU", "LINEAR", "NAMES", "RELU", "SIGMOID", "TANH", "Activation", "Custom", "LeakyReLU",
           "PReLU", "elu", "get", "leaky_relu", "linear", "prelu", "relu", "sigmoid", "tanh"]

# --- the functions -------------------------------------------------------------------------------


def relu(z: Value) -> Value:
    """max(0, z), the engine's relu gate."""
    return z.relu()


def sigmoid(z: Value) -> Value:
    """1 / (1 + exp(-z)), the engine's fused sigmoid gate (local gradient sigma(1 - sigma))."""
    return z.sigmoid()


def tanh(z: Value) -> Value:
    """tanh(z) = 2 sigma(2z) - 1, the engine's tanh gate."""
    return z.tanh()


def linear(z: Value) -> Value:
    """The identity: a neuron without a non-linearity (a linear classifier or regressor)."""
    return z


def leaky_relu(z: Value, slope: float = 0.01) -> Value:
    """max(slope * z, z), as the lecture writes it: a `*slope` gate then a max gate.

    The max form is leaky ReLU only for 0 <= slope <= 1 (above 1 it would pick slope*z for z > 0).
    """
    if not 0.0 <= slope <= 1.0:
        raise ValueError(f"leaky_relu: slope must be in [0, 1] for max(slope*z, z), got {slope!r}")
    return (z * slope).max(z)


def prelu(z: Value, slope: Value) -> Value:
    """max(slope * z, z) with a learnable slope (a Value that receives a gradient)."""
    return (z * slope).max(z)


def elu(z: Value, alpha: float = 1.0) -> Value:
    """z for z > 0, alpha (exp(z) - 1) for z <= 0.

    Built as max(z, 0) + alpha (exp(min(z, 0)) - 1), with min(z, 0) = -max(-z, 0): exp only ever
    sees z <= 0, so it cannot overflow, and both halves use the max gate's tie rule at 0.
    """
    negative_part = -((-z).max(0.0))
    return z.max(0.0) + (negative_part.exp() - 1.0) * alpha


# --- activation objects, which a neuron holds -----------------------------------------------------


class Activation:
    """A named activation with fixed options; calling it applies it to a Value."""

    name = "activation"

    def __call__(self, z: Value) -> Value:
        """The activation applied to `z`, built from the engine's gates."""
        raise NotImplementedError

    def options(self) -> dict:
        """The activation's options by name (`slope`, `alpha`, `init`); {} when it has none."""
        return {}

    def config(self) -> str | dict:
        """What `get()` needs to build it again: the name alone, or a dict with the options."""
        options = self.options()
        return {"name": self.name, **options} if options else self.name

    def for_unit(self, prefix: str) -> Activation:
        """The instance one neuron uses; stateless activations are shared, PReLU copies itself."""
        return self

    def parameters(self) -> list[Value]:
        """Its learnable parameters (PReLU's slope); [] for the others."""
        return []

    def named_parameters(self) -> list[tuple[str, Value]]:
        """Its learnable parameters with their names."""
        return []

    def __repr__(self) -> str:
        options = ", ".join(f"{k}={v!r}" for k, v in self.options().items())
        return f"{type(self).__name__}({options})"

    def __eq__(self, other) -> bool:
        return type(other) is type(self) and other.config() == self.config()

    def __hash__(self) -> int:
        return hash(self.name)


class _Stateless(Activation):
    """An activation without options or parameters (relu, sigmoid, tanh, linear): one shared
    instance applies its function."""

    def __init__(self, name: str, function):
        self.name, self.function = name, function

    def __call__(self, z: Value) -> Value:
        return self.function(z)

    def __repr__(self) -> str:
        return f"{self.name}"


# The gates' methods themselves, not the wrappers above: one call less per neuron on the hot path.
RELU = _Stateless("relu", Value.relu)
SIGMOID = _Stateless("sigmoid", Value.sigmoid)
TANH = _Stateless("tanh", Value.tanh)
LINEAR = _Stateless("linear", linear)


class LeakyReLU(Activation):
    name = "leaky_relu"

    def __init__(self, slope: float = 0.01):
        self.slope = checks.real("leaky_relu", "slope", slope, 0.0, 1.0)

    def __call__(self, z: Value) -> Value:
        return (z * self.slope).max(z)

    def options(self) -> dict:
        return {"slope": self.slope}


class ELU(Activation):
    name = "elu"

    def __init__(self, alpha: float = 1.0):
        self.alpha = checks.real("elu", "alpha", alpha)

    def __call__(self, z: Value) -> Value:
        return elu(z, self.alpha)

    def options(self) -> dict:
        return {"alpha": self.alpha}


class PReLU(Activation):
    """max(a z, z) with a learnable slope a, one per neuron, starting at `init` (PyTorch: 0.25)."""

    name = "prelu"

    def __init__(self, init: float = 0.25, label: str = "slope"):
        self.init = checks.real("prelu", "init", init)
        self.slope = Value(self.init, label=label)

    def __call__(self, z: Value) -> Value:
        return (z * self.slope).max(z)

    def options(self) -> dict:
        return {"init": self.init}

    def for_unit(self, prefix: str) -> PReLU:
        return PReLU(self.init, label=f"{prefix}.slope" if prefix else "slope")

    def parameters(self) -> list[Value]:
        return [self.slope]

    def named_parameters(self) -> list[tuple[str, Value]]:
        return [(self.slope.label, self.slope)]

    def __repr__(self) -> str:
        return f"PReLU(slope={self.slope.data:.4g})"


class Custom(Activation):
    """Any callable Value -> Value; works everywhere except `nn.save`, which cannot store code."""

    def __init__(self, function: Callable[[Value], Value]):
        self.function = function
        self.name = getattr(function, "__name__", type(function).__name__)

    def __call__(self, z: Value) -> Value:
        return self.function(z)

    def config(self) -> str | dict:
        """Never: code cannot be saved (ValueError)."""
        raise ValueError(f"activation {self.name!r} is a custom function, which cannot be saved; "
                         f"use one of {', '.join(NAMES)}")

    def __eq__(self, other) -> bool:
        return isinstance(other, Custom) and other.function is self.function

    def __hash__(self) -> int:
        return id(self.function)

    def __repr__(self) -> str:
        return self.name


_BUILDERS = {  # name: (builder, the options it takes)
    "relu": (lambda: RELU, ()),
    "sigmoid": (lambda: SIGMOID, ()),
    "tanh": (lambda: TANH, ()),
    "linear": (lambda: LINEAR, ()),
    "leaky_relu": (LeakyReLU, ("slope",)),
    "prelu": (PReLU, ("init",)),
    "elu": (ELU, ("alpha",)),
}
NAMES = tuple(_BUILDERS)


def get(spec: str | dict | Activation | Callable[[Value], Value], **options: float) -> Activation:
    """An `Activation` from a name (with options), a config dict, an Activation, or a callable.

    >>> get("leaky_relu", slope=0.1)
    LeakyReLU(slope=0.1)
    >>> get({"name": "elu", "alpha": 0.5})
    ELU(alpha=0.5)
    >>> get("swish")
    Traceback (most recent call last):
    ...
    ValueError: unknown activation 'swish'; the valid ones are: relu, sigmoid, tanh, linear, \
leaky_relu, prelu, elu (or pass a function of one Value)
    """
    if isinstance(spec, Activation):
        return spec
    if isinstance(spec, dict):
        spec = dict(spec)
        name = spec.pop("name", None)
        if not isinstance(name, str):  # a name, never another dict: no recursion on a file's say
            raise ValueError(f"an activation dict needs a \"name\" string, got {name!r}")
        return get(name, **spec, **options)
    if isinstance(spec, str):
        key = spec.lower().replace("-", "_")
        if key not in _BUILDERS:
            raise ValueError(f"unknown activation {spec!r}; the valid ones are: "
                             f"{', '.join(NAMES)} (or pass a function of one Value)")
        build, accepted = _BUILDERS[key]
        unknown = sorted(set(options) - set(accepted))
        if unknown:
            raise ValueError(f"activation {key!r} takes the options {list(accepted)}, "
                             f"not {unknown}")
        return build(**options)  # each class checks its options
    if callable(spec):
        return Custom(spec)
    raise ValueError(f"activation must be a name ({', '.join(NAMES)}) or a function of one Value, "
                     f"got {type(spec).__name__}: {spec!r}")
