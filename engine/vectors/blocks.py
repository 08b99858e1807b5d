"""The block diagram: a graph made with vectors drawn as the lecture draws a vectorized network,
one box per vector operation labelled with its shapes (`W·x: 2×2 @ 2 -> 2`), each wire with its
value's and its gradient's shape. It reads the scalar graph and the blocks that vector operations
recorded (engine/vectors/record.py); scalar gates outside any block are drawn as themselves.
"""

from __future__ import annotations

from dataclasses import dataclass

import graphviz

from ..backprop import topological_order
from ..show.animate import Player, Step
from ..show.captions import caption, number
from ..show.rendering import Diagram
from ..value import Value
from .record import Block, _text, block_of, inner_block_of

__all__ = ["BlockFrame", "BlockPlayer", "animate_blocks", "blocks_of", "draw_blocks"]

FONT = "Helvetica"


@dataclass(frozen=True)
class BlockFrame:
    """One frame of an animation of the blocks: which blocks have run forward and backward so
    far (by position in `blocks_of(root)`), and which one is lit."""

    forward: int   # blocks 0 .. forward-1 have computed their values
    backward: int  # the last `backward` blocks have sent their gradients back
    lit: int | None


def blocks_of(root: Value) -> list[Block]:
    """The vector operations of root's graph, each once, in the order the forward pass runs them."""
    seen, blocks = set(), []
    for v in topological_order(root):
        block = block_of(v)
        if block is not None and id(block) not in seen:
            seen.add(id(block))
            blocks.append(block)
    return blocks


def draw_blocks(root: Value, rankdir: str = "LR", title: str | None = None,
                frame: BlockFrame | None = None) -> Diagram:
    """The blocks of root's graph (see the module's text); `frame`: one step of an animation
    (the wires show a value's shape once it is computed, a gradient's once it is sent)."""
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

    order = {id(b): k for k, b in enumerate(blocks_of(root))} if frame is not None else {}

    def known(values: list[Value], head_block: Block | None) -> tuple[bool, bool]:
        """(value shown, gradient shown) for a wire in this frame."""
        if frame is None:
            return True, has_grad
        source = owner.get(id(values[0]))
        value = source is None or order.get(id(source), 0) < frame.forward
        n = len(order)
        grad = head_block is not None and order[id(head_block)] >= n - frame.backward
        return value, grad

    def wire(tail: str, head: str, values: list[Value], shape: tuple,
             head_block: Block | None = None) -> None:
        shown_value, shown_grad = known(values, head_block)
        label = f"value {_text(shape) or 'scalar'}" if shown_value else " "
        if shown_grad:  # the gradient flowing back along the wire has the value's shape
            label += f"\ngrad {_text(shape) or 'scalar'}"
        dot.edge(tail, head, label=label, fontsize="10", fontcolor="#555555", fontname=FONT)

    for v in nodes:
        block = owner.get(id(v))
        if block is not None:
            if id(block) in ids:
                continue
            ids[id(block)] = f"b{len(ids)}"
            lit = frame is not None and frame.lit == order[id(block)]
            dot.node(ids[id(block)], block.caption, shape="box", style="rounded,filled",
                     fillcolor="#ffe08a" if lit else "#fdf3e1",
                     color="#d1242f" if lit else "#b5873b", penwidth="2.5" if lit else "1")
            for name, shape, values in block.operands:
                wire(source_of(values, name, shape), ids[id(block)], values, shape, block)
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


def animate_blocks(root: Value, rankdir: str = "LR", digits: int = 2, duration: float = 1.5):
    """The forward and backward pass of root's graph, one vector operation per frame, as a
    Player (engine/show/animate.py): `animate(f, style="blocks")`."""
    if not isinstance(root, Value):
        raise TypeError(f"animate(style='blocks'): expected a Value, got {type(root).__name__}")
    if root.grad == 0.0:
        raise ValueError("animate(style='blocks'): call backward() on the output first")
    blocks = blocks_of(root)
    if not blocks:
        raise ValueError("animate(style='blocks'): this graph has no vector operation "
                         "(gategrad.vector / gategrad.matrix)")
    n = len(blocks)

    def numbers(values, grad=False):
        shown = [number(v.grad if grad else v.data, digits) for v in values[:6]]
        return "[" + ", ".join(shown) + (", ...]" if len(values) > 6 else "]")

    steps = [Step("inputs", "the inputs: each vector operation is one box",
                  BlockFrame(0, 0, None))]
    for k, b in enumerate(blocks):
        steps.append(Step(f"forward {k + 1}/{n}", f"{b.caption}: {b.name} = {numbers(b.outputs)}",
                          BlockFrame(k + 1, 0, k)))
    for j, b in enumerate(reversed(blocks)):
        sends = ", ".join(f"{name} ({_text(shape) or 'scalar'})"
                          for name, shape, values in b.operands
                          if not all(v.is_constant for v in values))
        steps.append(Step(f"backward {j + 1}/{n}",
                          f"{b.op}: upstream gradient {numbers(b.outputs, grad=True)} "
                          f"(shape {_text(b.shape) or 'scalar'}); sends to {sends}",
                          BlockFrame(n, j + 1, n - 1 - j)))
    steps.append(Step("done", "every gradient sent back", BlockFrame(n, n, None)))
    return BlockPlayer(root, steps, {"style": "blocks", "rankdir": rankdir}, duration)


class BlockPlayer(Player):
    """animate()'s player, its frames drawn as blocks."""

    def _draw(self, frame: BlockFrame) -> Diagram:
        return draw_blocks(self.root, rankdir=self.options["rankdir"], frame=frame)
