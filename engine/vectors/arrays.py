"""Vectors and matrices of Values: the lecture's "Dealing with vectors", with every entry still a
Value of the scalar graph (draw it, explain it, compile it).

    >>> W = matrix([[0.1, 0.5], [-0.3, 0.8]], name="W")
    >>> x = vector([0.2, 0.4], name="x")
    >>> q = W @ x                      # 2×2 @ 2 -> 2: one w·x+b node per entry
    >>> f = (q ** 2).sum()
    >>> f.backward()
    >>> [round(g, 3) for g in x.grad]  # W^T 2q
    [-0.112, 0.636]

Each operation checks its shapes, as the lecture's dimension analysis does, and a mismatch is a
ValueError naming the operation and both shapes. Each one also records itself as a block (its
name, its operands' shapes, its result's): `draw(f, style="blocks")` draws those blocks as the
lecture draws a vectorized network (engine/vectors/blocks.py). The records only describe the
graph; the graph itself is the scalar one.
"""

from __future__ import annotations

import numbers

from ..fused import linear, sum_of
from ..value import Value, as_value
from .record import record

__all__ = ["Matrix", "Vector", "matrix", "vector"]


def _leaf(x, label: str) -> Value:
    if isinstance(x, Value):
        return x
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        raise TypeError(f"{label}: an entry must be a number or a Value, got "
                        f"{type(x).__name__}: {x!r}")
    return Value(x, label=label)


def vector(values, name: str = "x") -> Vector:
    """A vector of Values; numbers become leaves labelled name[0], name[1], ..."""
    values = list(values)
    if not values:
        raise ValueError(f"vector {name!r}: no entries")
    return Vector([_leaf(v, f"{name}[{i}]") for i, v in enumerate(values)], name)


def matrix(rows, name: str = "W") -> Matrix:
    """A matrix of Values, given by its rows; numbers become leaves labelled name[i,j]."""
    rows = [list(r) for r in rows]
    if not rows or not rows[0]:
        raise ValueError(f"matrix {name!r}: no entries")
    widths = {len(r) for r in rows}
    if len(widths) > 1:
        raise ValueError(f"matrix {name!r}: rows of different lengths {sorted(widths)}")
    return Matrix([[_leaf(v, f"{name}[{i},{j}]") for j, v in enumerate(r)]
                   for i, r in enumerate(rows)], name)


def _shape_text(shape: tuple) -> str:
    return "×".join(map(str, shape))


class _Array:
    """What vectors and matrices share: shape, numbers, gradients, element-wise gates."""

    shape: tuple
    name: str

    def values(self) -> list[Value]:
        raise NotImplementedError

    def _like(self, values: list[Value], name: str):
        raise NotImplementedError

    def numpy(self, grad: bool = False):
        """The numbers (or, with grad=True, the gradients) as a numpy array of this shape."""
        import numpy as np
        return np.array(self.grad if grad else self.data, dtype=float)

    def _elementwise(self, op: str, function):
        out = self._like([function(v) for v in self.values()], f"{op}({self.name})")
        return record(op, [self], out)

    def tanh(self):
        """tanh of every entry."""
        return self._elementwise("tanh", Value.tanh)

    def sigmoid(self):
        """σ of every entry."""
        return self._elementwise("sigmoid", Value.sigmoid)

    def relu(self):
        """relu of every entry."""
        return self._elementwise("relu", Value.relu)

    def exp(self):
        """exp of every entry."""
        return self._elementwise("exp", Value.exp)

    def log(self):
        """log of every entry."""
        return self._elementwise("log", Value.log)

    def __pow__(self, n):
        """Every entry to the power n (a number)."""
        if isinstance(n, Value) or isinstance(n, bool) or not isinstance(n, numbers.Real):
            raise TypeError(f"{self.name} ** n: n must be a number, got {n!r}")
        return self._elementwise(f"**{n:g}", lambda v: v ** n)

    def _check_same(self, other, op: str) -> None:
        if not isinstance(other, _Array) or other.shape != self.shape:
            theirs = _shape_text(other.shape) if isinstance(other, _Array) else type(other).__name__
            raise ValueError(f"{self.name} {op} {getattr(other, 'name', other)}: shapes "
                             f"{_shape_text(self.shape)} and {theirs} differ; {op} takes two "
                             "arrays of one shape")

    def __add__(self, other):
        self._check_same(other, "+")
        out = self._like([a + b for a, b in zip(self.values(), other.values())],
                         f"{self.name}+{other.name}")
        return record("+", [self, other], out)

    def __sub__(self, other):
        self._check_same(other, "-")
        negated = [-b for b in other.values()]  # a - b is a + (b * -1), as for scalars
        out = self._like([a + nb for a, nb in zip(self.values(), negated)],
                         f"{self.name}-{other.name}")
        return record("-", [self, other], out, inner=negated)

    def __mul__(self, c):
        """Every entry times a scalar c (a number or a Value)."""
        if isinstance(c, _Array):
            raise TypeError(f"{self.name} * {c.name}: * scales by a scalar; for the dot "
                            "product use .dot(), for a matrix product @")
        c = as_value(c, "*")
        out = self._like([v * c for v in self.values()], f"c{self.name}")
        return record("*c", [self], out)

    __rmul__ = __mul__

    def sum(self) -> Value:
        """The sum of the entries, one Σ node."""
        return record("sum", [self], sum_of(self.values()))


class Vector(_Array):
    """n Values in a row: v[i] is the i-th entry's Value."""

    def __init__(self, entries: list[Value], name: str = "v"):
        self.entries, self.name = list(entries), name
        self.shape = (len(self.entries),)

    def values(self) -> list[Value]:
        return self.entries

    def _like(self, values, name):
        return Vector(values, name)

    @property
    def data(self) -> list[float]:
        return [v.data for v in self.entries]

    @property
    def grad(self) -> list[float]:
        return [v.grad for v in self.entries]

    def __len__(self) -> int:
        return len(self.entries)

    def __iter__(self):
        return iter(self.entries)

    def __getitem__(self, i) -> Value:
        return self.entries[i]

    def dot(self, other: Vector) -> Value:
        """x·y = sum_i x_i y_i, one w·x+b node."""
        if not isinstance(other, Vector) or other.shape != self.shape:
            theirs = _shape_text(other.shape) if isinstance(other, _Array) else repr(other)
            raise ValueError(f"{self.name}·{getattr(other, 'name', other)}: shapes "
                             f"{_shape_text(self.shape)} and {theirs}; a dot product needs two "
                             "vectors of one length")
        return record("dot", [self, other], linear(self.entries, other.entries, 0.0))

    def __matmul__(self, other):
        if isinstance(other, Vector):
            return self.dot(other)
        if isinstance(other, Matrix):  # x W: the row vector times a matrix (the lecture's f = xW)
            n, m = other.shape
            if self.shape != (n,):
                raise ValueError(f"{self.name} @ {other.name}: shapes {_shape_text(self.shape)} "
                                 f"and {_shape_text(other.shape)} do not match: a vector of "
                                 f"{self.shape[0]} entries times a {n}×{m} matrix needs {n}")
            out = Vector([linear(col, self.entries, 0.0) for col in other.T.rows],
                         f"{self.name}{other.name}")
            return record("x·W", [self, other], out)
        raise TypeError(f"{self.name} @ {other!r}: @ takes a vector or a matrix")

    def __repr__(self) -> str:
        return f"Vector({self.name!r}, shape {_shape_text(self.shape)}, data={self.data})"


class Matrix(_Array):
    """Rows of Values: W[i, j] is an entry, W[i] a row (a Vector), W.T the transpose."""

    def __init__(self, rows: list[list[Value]], name: str = "W"):
        self.rows, self.name = [list(r) for r in rows], name
        self.shape = (len(self.rows), len(self.rows[0]))

    def values(self) -> list[Value]:
        return [v for row in self.rows for v in row]

    def _like(self, values, name):
        m = self.shape[1]
        return Matrix([values[i:i + m] for i in range(0, len(values), m)], name)

    @property
    def data(self) -> list[list[float]]:
        return [[v.data for v in row] for row in self.rows]

    @property
    def grad(self) -> list[list[float]]:
        return [[v.grad for v in row] for row in self.rows]

    def __getitem__(self, index):
        if isinstance(index, tuple):
            i, j = index
            return self.rows[i][j]
        return Vector(self.rows[index], f"{self.name}[{index}]")

    @property
    def T(self) -> Matrix:  # noqa: N802  (numpy's and PyTorch's name)
        """The transpose: the same Values, rows and columns swapped (no new nodes)."""
        return Matrix([list(col) for col in zip(*self.rows)], f"{self.name}ᵀ")


    def __matmul__(self, other):
        n, m = self.shape
        if isinstance(other, Vector):
            if other.shape != (m,):
                raise ValueError(f"{self.name} @ {other.name}: shapes {_shape_text(self.shape)} "
                                 f"and {_shape_text(other.shape)} do not match: a {n}×{m} matrix "
                                 f"takes a vector of {m} entries")
            out = Vector([linear(row, other.entries, 0.0) for row in self.rows],
                         f"{self.name}{other.name}")
            return record("W·x", [self, other], out)
        if isinstance(other, Matrix):
            k, p = other.shape
            if k != m:
                raise ValueError(f"{self.name} @ {other.name}: shapes {_shape_text(self.shape)} "
                                 f"and {_shape_text(other.shape)} do not match: the inner sizes "
                                 f"{m} and {k} differ")
            columns = other.T.rows
            out = Matrix([[linear(row, col, 0.0) for col in columns] for row in self.rows],
                         f"{self.name}{other.name}")
            return record("W·V", [self, other], out)
        raise TypeError(f"{self.name} @ {other!r}: @ takes a vector or a matrix")

    def __repr__(self) -> str:
        return f"Matrix({self.name!r}, shape {_shape_text(self.shape)}, data={self.data})"
