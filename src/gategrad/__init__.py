"""gategrad: a scalar reverse-mode autodiff engine for learning, teaching and debugging backprop.

    import gategrad as gg
    x = gg.Value(2.0, label="x")
    y = (x * x).exp()
    y.backward()
    x.grad                      # d/dx exp(x^2) = 2x exp(x^2)

`gategrad.engine` is the engine (Value, the gate table and `defgate` for gates of your own,
backward, `compile`, diagrams, animate, explain, gradcheck);
`gategrad.nn` builds networks on it (micrograd's Neuron, Layer and MLP, losses, optimizers, fit).
The everyday names of both are here too: `gg.Value`, `gg.draw`, `gg.MLP`, `gg.fit`, ...
"""

__version__ = "0.2.0"

from . import engine, nn  # noqa: E402  (the version is set first: the CLI reads it)
from .engine import (  # noqa: E402
    GATES,
    Constant,
    Gate,
    Value,
    animate,
    compile,
    defgate,
    draw,
    enable_grad,
    explain,
    explore,
    gradcheck,
    jacobian,
    matrix,
    no_grad,
    vector,
)
from .nn import MLP, SGD, Layer, Module, Neuron, evaluate, fit, load, predict, save  # noqa: E402

__all__ = ["GATES", "MLP", "SGD", "Constant", "Gate", "Layer", "Module", "Neuron", "Value",
           "__version__", "animate", "compile", "defgate", "draw", "enable_grad", "engine",
           "evaluate", "explain", "explore", "fit", "gradcheck", "jacobian", "load", "matrix",
           "nn", "no_grad", "predict", "save", "vector"]
