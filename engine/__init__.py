"""gategrad's engine: scalar reverse-mode automatic differentiation, one gate table.

    from gategrad.engine import Value
    x = Value(2.0, label="x"); y = (x * x).exp(); y.backward(); x.grad
"""

from .animate import Player, animate
from .defgate import GateCheckError, check_gate, defgate, remove_gate
from .explain import explain
from .explore import Explorer, explore
from .gates import GATES, Gate
from .gradcheck import gradcheck
from .backprop import backward, topological_order
from .compile import CompiledFunction, compile
from .value import (
    Constant,
    Value,
    apply,
    as_value,
    enable_grad,
    is_grad_enabled,
    linear,
    no_grad,
    sum_of,
)

__all__ = ["GATES", "Constant", "Gate", "GateCheckError", "Value", "check_gate", "defgate",
           "remove_gate", "apply", "as_value", "backward", "draw",
           "enable_grad", "explain", "gradcheck", "is_grad_enabled", "linear", "no_grad",
           "sum_of", "topological_order", "compile", "CompiledFunction", "Player", "animate", "Explorer", "explore"]


def draw(root, **options):
    """Draw the graph of `root` (see engine.drawing.draw); graphviz is imported only here.

    Anything else that has a `draw` method draws itself: `draw(model)` is `model.draw()`, the
    network diagram of a `gategrad.nn` model (found by its method: the engine never imports nn).
    """
    if not isinstance(root, Value) and callable(getattr(root, "draw", None)):
        return root.draw(**options)
    from .drawing import draw as _draw
    return _draw(root, **options)
