"""The block diagram: a graph made with vectors drawn as the lecture draws a vectorized network,
one box per vector operation labelled with its shapes (`W·x: 2×2 @ 2 -> 2`), each wire with its
value's and its gradient's shape. It reads the scalar graph and the blocks that vector operations
recorded (engine/vectors/record.py); scalar gates outside any block are drawn as themselves.
"""

from __future__ import annotations

import graphviz

from ..backprop import topological_order
from ..show.captions import caption
from ..show.rendering import Diagram
from ..value import Value
from .record import Block, _text, block_of, inner_block_of

__all__ = ["draw_blocks"]

FONT = "Helvetica"


def draw_blocks(root: Value, rankdir: str = "LR", title: str | None = None) -> Diagram:
    """The blocks of root's graph (see the module's text)."""
    if not isinstance(root, Value):
        raise TypeError(f"draw(style='blocks'): expected a Value, got {type(root).__name__}")
    if rankdir not in ("LR", "TB"):
        raise ValueError(f"draw: rankdir must be 'LR' or 'TB', got {rankdir!r}")
    nodes = topological_order(root)
    owner: dict[int, Block] = {}
    for v in nodes:
        block = block_of(v) or inner_block_of(v)
        if block is not None:
            owner[id(v)] = block
    has_grad = root.grad != 0.0
    dot = graphviz.Digraph("blocks", graph_attr={"rankdir": rankdir, "fontname": FONT,
                                                 "bgcolor": "white", "pad": "0.2"},
                           node_attr={"fontname": FONT}, edge_attr={"arrowsize": "0.6"})
    ids: dict[int, str] = {}  # a block, an input array or a scalar node -> its DOT node
    inputs: dict[tuple, str] = {}

    def source_of(values: list[Value], name: str, shape: tuple) -> str:
        """The DOT node that gives `values`: their block, or an input array drawn once."""
        block = owner.get(id(values[0]))
        if block is not None and all(owner.get(id(v)) is block for v in values):
            return ids[id(block)]
        if len(values) == 1 and values[0].gate is not None and id(values[0]) in ids:
            return ids[id(values[0])]
        key = tuple(map(id, values))
        if key not in inputs:
            inputs[key] = f"in{len(inputs)}"
            dot.node(inputs[key], f"{name}\n{_text(shape) or 'scalar'}", shape="ellipse",
                     style="filled", fillcolor="#eef3fb", color="#5b7fb5")
        return inputs[key]

    def wire(tail: str, head: str, values: list[Value], shape: tuple) -> None:
        label = f"value {_text(shape) or 'scalar'}"
        if has_grad:  # the gradient flowing back along the wire has the value's shape
            label += f"\ngrad {_text(shape) or 'scalar'}"
        dot.edge(tail, head, label=label, fontsize="10", fontcolor="#555555", fontname=FONT)

    for v in nodes:
        block = owner.get(id(v))
        if block is not None:
            if id(block) in ids:
                continue
            ids[id(block)] = f"b{len(ids)}"
            dot.node(ids[id(block)], block.caption, shape="box", style="rounded,filled",
                     fillcolor="#fdf3e1", color="#b5873b")
            for name, shape, values in block.operands:
                wire(source_of(values, name, shape), ids[id(block)], values, shape)
        elif v.gate is not None:  # a scalar gate outside any vector operation
            ids[id(v)] = f"g{len(ids)}"
            dot.node(ids[id(v)], caption(v), shape="circle", width="0.5")
            for p in v.parents:
                if not p.is_constant:
                    wire(source_of([p], p.label or "", ()), ids[id(v)], [p], ())
    if title:
        dot.attr(label=title, labelloc="t", fontsize="14")
    blocks = len({id(b) for b in owner.values()})
    return Diagram(dot, f"blocks style, {blocks} vector operations")
