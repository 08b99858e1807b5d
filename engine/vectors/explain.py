"""`explain` for a vector operation: the vector-Jacobian product that backward computes through
it, in the lecture's shapes: the upstream gradient, the local Jacobian, and what it sends."""

from __future__ import annotations

from ..value import Value
from .jacobian import jacobian
from .record import Block, _text, block_of


def explain_block(result, digits: int = 3) -> str:
    """The vector-Jacobian product of the operation that made `result` (a Vector, a Matrix or a
    Value a vector operation returned), with the gradients of the last backward pass."""
    first = result if isinstance(result, Value) else result.values()[0]
    block = block_of(first)
    if block is None:
        raise ValueError(f"explain: {result!r} was not made by a vector operation "
                         "(gategrad.vector / gategrad.matrix)")
    return _text_of(block, digits)


def _numbers(values, digits: int, shape: tuple = ()) -> str:
    """[a, b] for a vector, [[a, b], [c, d]] row by row for a matrix."""
    if len(shape) == 2:
        m = shape[1]
        return "[" + ", ".join(_numbers(values[i:i + m], digits)
                               for i in range(0, len(values), m)) + "]"
    return "[" + ", ".join(f"{v:.{digits}f}" for v in values) + "]"


def _text_of(block: Block, digits: int) -> str:
    out_shape = _text(block.shape) or "scalar"
    upstream = [v.grad for v in block.outputs]
    lines = [f"{block.caption}",
             f"  upstream gradient d loss/d {block.name or 'out'}: shape {out_shape} = "
             f"{_numbers(upstream, digits, block.shape)}"]
    for name, shape, values in block.operands:
        if all(v.is_constant for v in values):
            continue
        local = jacobian(block.outputs, values).rows  # d out_i / d operand_j
        sends = [sum(local[i][j] * upstream[i] for i in range(len(upstream)))
                 for j in range(len(values))]
        n_out, n_in = len(block.outputs), len(values)
        in_shape = _text(shape) or "scalar"
        lines += [f"  local Jacobian d {block.name or 'out'}/d {name}: {n_out}×{n_in} "
                  f"({out_shape} by {in_shape})",
                  f"  sends to {name}: Jᵀ · upstream, shape {in_shape} = "
                  f"{_numbers(sends, digits, shape)}"]
    return "\n".join(lines)
