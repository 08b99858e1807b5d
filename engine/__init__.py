"""gategrad's engine: scalar reverse-mode automatic differentiation, one gate table.

    from gategrad.engine import Value
    x = Value(2.0, label="x"); y = (x * x).exp(); y.backward(); x.grad

The core is this folder's top: gates.py (the table), value.py (Value), backprop.py (backward),
grad_mode.py (no_grad) and fused.py (the w·x+b and Σ builders). Each layer that reads it is a
subpackage: codegen/ (compile), show/ (draw, animate, explore, explain), check/ (gradcheck,
defgate). engine/README.md says in what order to read them.
"""

# value.py first: it ends by importing backprop.py, which reads the names value.py defines.
from .value import Constant, Value, apply, as_value  # isort: skip
from .backprop import backward, topological_order
from .check.defgate import GateCheckError, check_gate, defgate, remove_gate
from .check.gradcheck import gradcheck
from .codegen import CompiledFunction, compile
from .fused import linear, sum_of
from .gates import GATES, Gate
from .grad_mode import enable_grad, is_grad_enabled, no_grad
from .show.animate import Player
from .show.animate import animate as _animate_circuit
from .show.explain import explain as _explain_scalar
from .show.explore import Explorer, explore
from .vectors import Jacobian, Matrix, Vector, jacobian, matrix, vector

__all__ = ["GATES", "CompiledFunction", "Constant", "Explorer", "Gate", "GateCheckError",
           "Jacobian", "Matrix", "Player", "Value", "Vector", "animate", "apply", "as_value",
           "backward", "check_gate", "compile", "defgate", "draw", "enable_grad", "explain",
           "explore", "gradcheck", "is_grad_enabled", "jacobian", "linear", "matrix", "no_grad",
           "remove_gate", "sum_of", "topological_order", "vector"]


def draw(root, **options):
    """Draw the graph of `root` (see engine.show.drawing.draw); graphviz is imported only here.

    Anything else that has a `draw` method draws itself: `draw(model)` is `model.draw()`, the
    network diagram of a `gategrad.nn` model (found by its method: the engine never imports nn).
    """
    if not isinstance(root, Value) and callable(getattr(root, "draw", None)):
        return root.draw(**options)
    if options.get("style") == "blocks":  # vector operations as the lecture's boxes
        from .vectors.blocks import draw_blocks
        return draw_blocks(root, **{k: v for k, v in options.items() if k != "style"})
    from .show.drawing import draw as _draw
    return _draw(root, **options)


def explain(node, *args, **kwargs):
    """What backward does at `node` (see engine.show.explain.explain); for a Vector or Matrix a
    vector operation returned, its vector-Jacobian product in the lecture's shapes."""
    if isinstance(node, (Vector, Matrix)):
        from .vectors import explain_block
        return explain_block(node, *args, **kwargs)
    return _explain_scalar(node, *args, **kwargs)


explain.__wrapped__ = _explain_scalar


def animate(root, *args, **kwargs):
    """The forward and backward pass as frames (see engine.show.animate.animate); with
    style="blocks", one vector operation per frame, drawn as the lecture's boxes."""
    if kwargs.get("style") == "blocks":
        from .vectors.blocks import animate_blocks
        return animate_blocks(root, *args, **{k: v for k, v in kwargs.items() if k != "style"})
    return _animate_circuit(root, *args, **kwargs)


animate.__wrapped__ = _animate_circuit
