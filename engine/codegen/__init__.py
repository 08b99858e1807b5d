"""Code generation: a graph written out as code that runs without building a graph.

- compiler.py: `compile(f, inputs)` and the `CompiledFunction` it returns; the gate templates, the
  variable names, and the Python (per sample, or a sample loop) and numpy (per batch) code.
- tracing.py: `trace(f, inputs)`, which runs f once and refuses a function whose graph depends
  on its numbers (`DataDependentError`): what compile replays must be the same for every input.
- numpy_gates.py: the gate table's functions over numpy arrays, for the numpy backend.
- matrix.py: the matrix form for training (`fn.matrix()`): parameters one vector, samples the
  rows of one matrix, a layer one matrix product.

Importing gategrad never imports numpy: numpy_gates.py and matrix.py are imported when a numpy
backend runs, and compiler.py looks for numpy only inside `fn.batch(...)` and its checks of the
numbers it is given. A new backend is a module here that writes code from compiler.py's `_Trace`,
as these do.
"""

from .compiler import CompiledFunction, compile
from .tracing import DataDependentError, trace

__all__ = ["CompiledFunction", "DataDependentError", "compile", "trace"]
