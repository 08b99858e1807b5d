"""gategrad's engine: scalar reverse-mode automatic differentiation, one gate table.

    from gategrad.engine import Value
    x = Value(2.0, label="x"); y = (x * x).exp(); y.backward(); x.grad
"""

from .animate import Player, animate
from .backprop import backward, topological_order
from .compile import CompiledFunction, compile
from .defgate import GateCheckError, check_gate, defgate, remove_gate
from .explain import explain
from .explore import Explorer, explore
from .fused import linear, sum_of
from .gates import GATES, Gate
from .grad_mode import enable_grad, is_grad_enabled, no_grad
from .gradcheck import gradcheck
from .value import Constant, Value, apply, as_value

__all__ = ["GATES", "CompiledFunction", "Constant", "Explorer", "Gate", "GateCheckError",
           "Player", "Value", "animate", "apply", "as_value", "backward", "check_gate", "compile",
           "defgate", "draw", "enable_grad", "explain", "explore", "gradcheck",
           "is_grad_enabled", "linear", "no_grad", "remove_gate", "sum_of", "topological_order"]


def draw(root, **options):
    """Draw the graph of `root` (see engine.drawing.draw); graphviz is imported only here.

    Anything else that has a `draw` method draws itself: `draw(model)` is `model.draw()`, the
    network diagram of a `gategrad.nn` model (found by its method: the engine never imports nn).
    """
    if not isinstance(root, Value) and callable(getattr(root, "draw", None)):
        return root.draw(**options)
    from .drawing import draw as _draw
    return _draw(root, **options)
