"""What a vector operation leaves behind for diagrams: a block, the lecture's box labelled with
its operation and shapes (`W·x: 2×2 @ 2 -> 2`).

A block holds the operation's name, its operands' entries and shapes, and its result's entries.
It is found from any of its result's nodes (`block_of`), so `draw(f, style="blocks")` can start
from a plain Value. The table keeps the most recent blocks only (a long training loop of vector
operations does not keep every graph it ever made alive); the graph itself never depends on it.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

from ..value import Value

_KEPT = 50_000  # blocks remembered, newest first


@dataclass(eq=False)
class Block:
    """One vector operation: `op` applied to `operands` (lists of Values with their shapes and
    names) giving `outputs` (a list of Values of shape `shape`)."""

    op: str
    operands: list[tuple[str, tuple, list[Value]]]
    name: str
    shape: tuple
    outputs: list[Value]
    inner: list[Value]  # nodes made inside the operation (b * -1 in a - b): part of its box

    @property
    def caption(self) -> str:
        """`W·x: 2×2 @ 2 -> 2`."""
        ins = " @ " if self.op in ("W·x", "x·W", "W·V", "dot") else ", "
        shapes = ins.join(_text(shape) for _, shape, _ in self.operands)
        return f"{self.op}: {shapes} -> {_text(self.shape) or 'scalar'}"


_blocks: OrderedDict[int, Block] = OrderedDict()


def _text(shape: tuple) -> str:
    return "×".join(map(str, shape))


def record(op: str, operands: list, out, inner=()):
    """Remember `out` (a Vector, a Matrix or a Value) as the result of `op` on `operands`;
    `inner`: nodes the operation made on the way, drawn inside its box."""
    outputs = [out] if isinstance(out, Value) else out.values()
    shape = () if isinstance(out, Value) else out.shape
    name = out.label if isinstance(out, Value) else out.name
    if not name:  # a scalar result without a label: named after what made it
        name = f"{op}({', '.join(a.name for a in operands)})"
    block = Block(op, [(a.name, a.shape, a.values()) for a in operands], name, shape, outputs,
                  list(inner))
    for v in [*outputs, *inner]:
        _blocks[id(v)] = block
        _blocks.move_to_end(id(v))
    while len(_blocks) > _KEPT:
        _blocks.popitem(last=False)
    return out


def block_of(v: Value) -> Block | None:
    """The block whose result `v` is an entry of, if a vector operation made it."""
    block = _blocks.get(id(v))
    if block is not None and any(o is v for o in block.outputs):
        return block
    return None


def inner_block_of(v: Value) -> Block | None:
    """The block that made `v` on the way to its result (drawn inside that block's box)."""
    block = _blocks.get(id(v))
    return block if block is not None and any(o is v for o in block.inner) else None
