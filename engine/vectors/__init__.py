"""Vectors as a thin layer over the scalar graph: every entry is still a Value.

`vector`, `matrix` (arrays.py), `jacobian` (jacobian.py, both modes from the same gate table),
the block diagram (blocks.py: `draw(f, style="blocks")`) and `explain` for a vector operation
(explain.py). The operations record blocks (record.py) that only the diagrams and explain read.
"""

from .arrays import Matrix, Vector, matrix, vector
from .explain import explain_block
from .jacobian import Jacobian, jacobian

__all__ = ["Jacobian", "Matrix", "Vector", "explain_block", "jacobian", "matrix", "vector"]
