"""A graph drawn with its wrong wires marked: what the exercise checkers show at a failure.

`marked(root, wrong)` draws every node of root's graph as the lecture does (leaves as their
labels, gates as circles with their caption, the value above each wire in green) and below each
wire its gradient; a wire in `wrong` is drawn thick and red with the gradient it should not have
("yours: ..."), every other wire grey with its true gradient (or none, when `show_true=False`,
so that a failure gives no answer away). It only reads the graph.
"""

from __future__ import annotations

import html

from ..value import Value

FONT = "Helvetica"
VALUE_COLOR = "#1a7f37"
RIGHT_COLOR = "#57606a"
WRONG_COLOR = "#cf222e"


def marked(root: Value, wrong: dict[int, float], title: str = "", show_true: bool = False,
           first: int | None = None, grads: bool = True):
    """Draw root's graph (a Diagram); `wrong` maps id(node) to the gradient given for that
    node's wire.

    `first`: id of the node to call out as the first wrong wire (in backward order).
    `grads=False` draws the values alone (an exercise's blank circuit). A labelled wire carries
    its label above its value.
    """
    # The drawing layer and graphviz are imported here, when a failure is drawn: check/ reads
    # only the core when it is imported (tests/test_layout.py).
    import graphviz

    from ..show.captions import caption, number, visit_order
    from ..show.rendering import Diagram

    nodes = visit_order(root)
    index = {id(v): k for k, v in enumerate(nodes)}
    dot = graphviz.Digraph("marked", graph_attr={
        "rankdir": "LR", "fontname": FONT, "bgcolor": "white", "pad": "0.2", "nodesep": "0.25",
        "ranksep": "0.5"}, node_attr={"fontname": FONT}, edge_attr={"arrowsize": "0.6"})
    for v in nodes:
        k = index[id(v)]
        if v.is_constant:  # folded into its gate's caption (`*-1`, `+1`), as the lecture draws
            continue
        if v.gate is None:
            dot.node(f"n{k}", caption(v), shape="plaintext", fontsize="12")
        else:
            dot.node(f"n{k}", caption(v), shape="circle", width="0.5", fixedsize="true",
                     fontsize="11")
    dot.node("out", "", shape="point", width="0.01")

    def wire(tail: str, head: str, v: Value) -> None:
        value = f'<font color="{VALUE_COLOR}">{html.escape(number(v.data, 2))}</font>'
        if v.gate is not None and v.label:
            value = f"<b>{html.escape(v.label)}</b><br/>{value}"
        if not grads:
            dot.edge(tail, head, label=f"<{value}>", color=RIGHT_COLOR, fontsize="10")
            return
        if id(v) in wrong:
            mark = "first wrong: " if id(v) == first else ""
            text = f"{mark}yours {number(wrong[id(v)], 2)}"
            text += f", true {number(v.grad, 2)}" if show_true else ""
            grad = f'<font color="{WRONG_COLOR}"><b>{html.escape(text)}</b></font>'
            color, width = WRONG_COLOR, "2.5"
        else:
            grad = (f'<font color="{RIGHT_COLOR}">{html.escape(number(v.grad, 2))}</font>'
                    if show_true else f'<font color="{RIGHT_COLOR}">ok</font>')
            color, width = RIGHT_COLOR, "1"
        dot.edge(tail, head, label=f"<{value}<br/>{grad}>", color=color, penwidth=width,
                 fontsize="10")

    # A value used more than once (a fork) gets one labelled wire to a fork point, then plain
    # branches: its gradient is the sum over the branches, not what each one carries.
    uses: dict[int, int] = {}
    for v in nodes:
        for p in v.parents:
            uses[id(p)] = uses.get(id(p), 0) + 1
    for v in nodes:
        if uses.get(id(v), 0) > 1 and not v.is_constant:
            k = index[id(v)]
            dot.node(f"fork{k}", "", shape="point", width="0.06")
            wire(f"n{k}", f"fork{k}", v)
    for v in nodes:
        for p in v.parents:
            if p.is_constant:
                continue
            k = index[id(p)]
            if uses[id(p)] > 1:
                dot.edge(f"fork{k}", f"n{index[id(v)]}",
                         color=WRONG_COLOR if id(p) in wrong else RIGHT_COLOR)
            else:
                wire(f"n{k}", f"n{index[id(v)]}", p)
    wire(f"n{index[id(root)]}", "out", root)
    if title:
        dot.attr(label=title, labelloc="t", fontsize="13")
    return Diagram(dot, f"{len(nodes)} values, {len(wrong)} wrong wire(s) marked")
