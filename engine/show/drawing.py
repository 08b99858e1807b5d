"""Gradient-flow diagrams: a Value graph drawn as the lecture's circuit, or as micrograd's boxes.

Drawing only reads the graph: the forward values in `.data` and the gradients the last
`backward()` left in `.grad` (a constant has no gradient, so none is drawn for it). The graph is
walked in `visit_order`, and every graphviz node is named by its position in that order, never by
`id()`, so the same graph gives byte-identical DOT and SVG on every run.

In the circuit style every wire is a small label node between its two ends: a coloured bar that
continues the wire, the forward value above it and the gradient below it. Graphviz's own edge
labels would put both numbers on one side of the wire; the lecture's figure has one on each side.
"""

from __future__ import annotations

import html
import math
import re
from dataclasses import dataclass

import graphviz

from ..value import Value
from .captions import caption, folded_constant, number, visit_order
from .rendering import Diagram

STYLES = ("circuit", "nodes")
RANKDIRS = ("LR", "TB")
# Graphviz lays out a circuit of a few hundred gates in seconds; far beyond that it takes minutes
# and nobody can read the result, while the nodes style stays usable (documented in docs/).
CIRCUIT_MAX_GATES = 500
# Inputs stand in one column on the left in small diagrams; in large ones the long wires that
# this takes make Graphviz's layout ten times slower, so inputs stand next to their first gate.
LEFT_COLUMN_MAX_NODES = 100
# A circuit stacks the input wires of all gates at one depth in one column, each wire about 45pt
# (90 pixels of PNG) tall with its two numbers; beyond about 48 wires (a picture over 4,000 pixels
# tall) no screen shows a column of it at a readable size. A fused MLP(2, [16, 16, 1]) stacks 528.
CIRCUIT_MAX_COLUMN_WIRES = 48
PIXELS_PER_WIRE = 90
# The gates a layer's weighted sum is made of. A leaf used only after some other gate (relu, tanh,
# exp, ...) is a later layer's parameter: it stands next to its gate, not in the inputs' column.
WEIGHTED_SUM_GATES = frozenset({"add", "mul", "linear", "sum"})

FONT = "Helvetica"
VALUE_COLOR = "#1a7f37"      # green: the forward value, above the wire
GRAD_COLOR = "#cf222e"       # red: the gradient, below the wire
WIRE_COLOR = "#24292f"
FADED_WIRE = "#c8ccd1"       # a zero gradient: nothing flows back along this wire
FADED_VALUE = "#9fcbab"
FADED_GRAD = "#efa8ad"
NOTE_COLOR = "#57606a"
MAX_PENWIDTH = 5             # the widest wire, for the largest |gradient| in the diagram
SPACE = "&#160;"             # keeps an empty gradient row as tall as a full one
# Font sizes in points at fontsize=None: `fontsize=N` sets the numbers to N and scales the rest.
NUMBER_SIZE, GATE_SIZE, LEAF_SIZE, TITLE_SIZE = 11, 12, 13, 14
# A label that reads w0, x12, w_3: letters, then digits (subscripts=True writes them as w₀).
SUBSCRIPTED = re.compile(r"([A-Za-z]+)_?(\d+)")
# The gate at work in a frame of an animation: filled and outlined in amber.
HIGHLIGHT = {"style": "filled", "fillcolor": "#fff1b8", "color": "#bf8700", "penwidth": "2.5"}


@dataclass(frozen=True)
class Look:
    """How a diagram's text looks: its size (`fontsize` of the numbers, in points; the gates,
    labels and title grow with it), the labels of interior wires, and w0 written as w₀."""

    fontsize: float = NUMBER_SIZE
    wire_labels: bool = False
    subscripts: bool = False

    def size(self, base: float) -> str:
        """The size in points of text that is `base` points at the default size."""
        return f"{base * self.fontsize / NUMBER_SIZE:g}"

    def label(self, text: str) -> str:
        """A label as HTML-like text for Graphviz: escaped, and w0 as w<SUB>0</SUB>."""
        found = SUBSCRIPTED.fullmatch(text) if self.subscripts else None
        if found is None:
            return html.escape(text)
        return (f'{html.escape(found[1])}<FONT POINT-SIZE="{self.size(LEAF_SIZE * 0.75)}">'
                f"<SUB>{found[2]}</SUB></FONT>")

    def node_label(self, text: str) -> str:
        """A whole node's label: plain DOT text, or HTML-like when it has a subscript."""
        if self.subscripts and SUBSCRIPTED.fullmatch(text):
            return f"<{self.label(text)}>"
        return graphviz.escape(text)


@dataclass(frozen=True)
class Frame:
    """One step of an animation (engine/show/animate.py): which numbers are known so far.

    Nodes are numbered in visit order. `grads` holds every node's gradient (None: read `.grad`).
    A number not computed yet is drawn blank: the forward value of a node not in `values`, the
    gradient of a node not in `grads_known`, and what gate i sends to its input k along a fork's
    branch when (i, k) is not in `sent`; None shows them all. `highlight` is the gate at work.
    Blank numbers keep their room, so the layout does not move from one frame to the next.
    """

    grads: tuple[float, ...] | None = None
    values: frozenset[int] | None = None
    grads_known: frozenset[int] | None = None
    sent: frozenset[tuple[int, int]] | None = None
    highlight: int | None = None

    def grad(self, i: int, v: Value) -> float:
        """The gradient of node i (the Value v) in this frame."""
        return v.grad if self.grads is None else self.grads[i]

    def shows_value(self, i: int) -> bool:
        """Whether node i's forward value is known in this frame."""
        return self.values is None or i in self.values

    def shows_grad(self, i: int) -> bool:
        """Whether node i's gradient is known in this frame."""
        return self.grads_known is None or i in self.grads_known

    def shows_sent(self, gate: int, k: int) -> bool:
        """Whether what gate `gate` sends to its input k is known in this frame."""
        return self.sent is None or (gate, k) in self.sent


def draw(root: Value, style: str = "circuit", rankdir: str = "LR", digits: int = 2,
         show_grad: bool = True, title: str | None = None,
         max_gates: int = CIRCUIT_MAX_GATES, frame: Frame | None = None,
         max_column_wires: int = CIRCUIT_MAX_COLUMN_WIRES, fontsize: float | None = None,
         caption: str | None = None, wire_labels: bool = False,
         subscripts: bool = False) -> Diagram:
    """Draw the graph that computes `root`, with the gradients of the last backward pass.

    style: "circuit" (the lecture's figure: gates as circles, value above and gradient below
    every wire; at most `max_gates` gates) or "nodes" (a box per Value with its data and grad,
    for large graphs). rankdir: "LR" (left to right) or "TB" (top to bottom). digits: decimals
    shown. show_grad=False draws values only. title: a line above the diagram.
    Before `backward()` every gradient is 0: the title says so instead of showing zeros.
    frame: one step of `animate()` (see `Frame`): the numbers known so far, the rest left blank.
    max_column_wires: the most wires the circuit style stacks in one column (see `tallest_column`).

    For slides: fontsize: the numbers' size in points (11 by default; gates, labels and the title
    grow with it). caption: a line under the diagram (under the title, when there is one).
    wire_labels=True writes the label of every labelled interior wire (`s`, `z`) beside its
    value. subscripts=True writes a label that reads w0 or x12 as w₀, x₁₂.

    >>> from gategrad.engine import Value
    >>> x = Value(2.0, label="x"); f = x * x; f.backward()
    >>> "4.00" in draw(f).source   # df/dx = 2x, on the wire into the fork
    True
    """
    if not isinstance(root, Value):
        raise TypeError(f"draw: expected a Value, got {type(root).__name__}")
    if style not in STYLES:
        raise ValueError(f"draw: style must be one of {', '.join(STYLES)}, got {style!r}")
    if rankdir not in RANKDIRS:
        raise ValueError(f"draw: rankdir must be 'LR' or 'TB', got {rankdir!r}")
    if not isinstance(digits, int) or digits < 0:
        raise ValueError(f"draw: digits must be a whole number >= 0, got {digits!r}")
    if fontsize is not None and (isinstance(fontsize, bool)
                                 or not isinstance(fontsize, (int, float))
                                 or not 4 <= fontsize <= 72):
        raise ValueError(f"draw: fontsize must be a number of points from 4 to 72, got "
                         f"{fontsize!r}")
    if caption is not None and not isinstance(caption, str):
        raise TypeError(f"draw: caption must be a string, got {type(caption).__name__}")
    look = Look(NUMBER_SIZE if fontsize is None else fontsize, bool(wire_labels),
                bool(subscripts))
    nodes = visit_order(root)
    gates = sum(1 for v in nodes if v.gate is not None)
    if style == "circuit" and gates > max_gates:
        raise ValueError(f"draw: this graph has {gates} gates, more than the circuit style draws "
                         f"({max_gates}); use style='nodes', draw a subgraph (an interior Value), "
                         "or raise max_gates")
    tallest = tallest_column(nodes) if style == "circuit" else 0
    if tallest > max_column_wires:
        raise ValueError(f"draw: this circuit would stack {tallest} wires in one column, a picture "
                         f"about {tallest * PIXELS_PER_WIRE:,} pixels tall, more than the circuit "
                         f"style shows readably ({max_column_wires}); for a network's weights use "
                         "model.draw() (gategrad.nn), or use style='nodes', draw a subgraph (an "
                         "interior Value), or raise max_column_wires")
    # A gradient of exactly 0 on the root means no backward pass has run from it (backward
    # sets it to 1), so whatever other nodes hold would be zeros or another pass's leftovers.
    with_grad = show_grad and (root.grad != 0.0 or frame is not None)
    notes = []
    if show_grad and not with_grad:
        call = f"{root.label}.backward()" if root.label else "backward() on the output"
        notes.append(f"no gradients yet: call {call} to see them")
    elif with_grad and frame is None and root.gate is not None and root.grad != 1.0:
        notes.append(f"gradients of the last backward(), which started downstream of this node "
                     f"(its gradient is {number(root.grad, digits)}, not 1)")
    dot = graphviz.Digraph("gategrad", graph_attr={
        "rankdir": rankdir, "fontname": FONT, "bgcolor": "white", "pad": "0.2",
        "nodesep": "0.12" if style == "circuit" else "0.25",
        "ranksep": "0.1" if style == "circuit" else "0.35",
        # Caps Graphviz's network simplex for x coordinates at 2 passes per node: a graph with
        # long wires otherwise takes minutes (100 gates, one input used 50 times: 77 s -> 0.6 s),
        # while small diagrams converge well within the cap and come out the same.
        "nslimit": "2",
    }, node_attr={"fontname": FONT}, edge_attr={"arrowsize": "0.6", "color": WIRE_COLOR})
    if style == "circuit":
        notes += _Circuit(dot, nodes, digits, with_grad, rankdir == "LR", frame, look).draw()
    else:
        _boxes(dot, nodes, digits, with_grad, frame, look)
    _title(dot, title, notes, caption, look)
    return Diagram(dot, f"{style} style, {len(nodes)} values, {gates} gates")


class _Circuit:
    """The lecture's figure: leaves as labels, gates as circles, numbers on every wire."""

    def __init__(self, dot: graphviz.Digraph, nodes: list[Value], digits: int, with_grad: bool,
                 horizontal: bool, frame: Frame | None = None, look: Look | None = None):
        self.dot, self.nodes, self.digits = dot, nodes, digits
        self.look = look or Look()
        # wire_labels: the label of a labelled interior node, on the wire that leaves it (its
        # only wire, or the stem of its fork); keyed by the wire's tail
        last = len(nodes) - 1
        self.names = {f"n{i}": v.label for i, v in enumerate(nodes)
                      if self.look.wire_labels and v.label and v.gate is not None and i != last}
        self.with_grad, self.horizontal = with_grad, horizontal
        self.frame = frame or Frame()
        # (order, tail, head, value, gradient or None, (value shown, gradient shown)); a gate's
        # input wires are written in operand order, which `ordering=in` turns into top-to-bottom
        # order (w0 above x0). A frame's wires hold all their numbers, shown or not, so that every
        # frame sizes its wires alike and the layout stands still from frame to frame.
        self.wires: list[tuple[tuple[int, int], str, str, float, float | None,
                               tuple[bool, bool]]] = []
        self.largest = 0.0  # the largest finite |gradient| on any wire, for the wire widths

    def draw(self) -> list[str]:
        notes = self._trace()
        self.wires.sort(key=lambda wire: wire[0])
        finite = [abs(g) for *_, g, _ in self.wires if g is not None and math.isfinite(g)]
        self.largest = max(finite, default=0.0)
        for k, (_, *wire) in enumerate(self.wires):
            self._wire(k, *wire)
        return notes

    def _trace(self) -> list[str]:
        """Add every node and collect the wires; one pass over the graph in visit order."""
        last = len(self.nodes) - 1
        index = {v: i for i, v in enumerate(self.nodes)}
        uses: list[list[tuple[tuple[int, int], str, float]]] = [[] for _ in self.nodes]
        leaves = []  # the inputs' column on the left; a later layer's parameters are not in it
        later = _later_layer_leaves(self.nodes, index)
        for i, v in enumerate(self.nodes):
            if v.gate is None:
                if not v.is_constant or i == last:
                    if i not in later:
                        leaves.append(f"n{i}")
                    self.dot.node(f"n{i}", self.look.node_label(caption(v)), shape="plaintext",
                                  fontsize=self.look.size(LEAF_SIZE))
                continue
            text = caption(v)  # a long caption (`sigmoid`, `max(·, 2)`) would blow up a circle
            self.dot.node(f"n{i}", graphviz.escape(text), fontsize=self.look.size(GATE_SIZE),
                          width=f"{0.42 * self.look.fontsize / NUMBER_SIZE:.2f}",
                          shape="circle" if len(text) <= 4 else "ellipse", margin="0.04,0.02",
                          **{"penwidth": "1.2", "ordering": "in",
                             **(HIGHLIGHT if i == self.frame.highlight else {})})
            folded = folded_constant(v)
            local = v.gate.local(v.data, *[p.data for p in v.parents])
            for k, p in enumerate(v.parents):
                if k == folded:
                    continue
                if p.is_constant:  # an unfolded constant: its own label per use, no gradient
                    name = f"n{i}c{k}"
                    self.dot.node(name, graphviz.escape(caption(p)), shape="plaintext",
                                  fontsize=self.look.size(LEAF_SIZE))
                    self.wires.append(((i, k), name, f"n{i}", p.data, None, (True, True)))
                else:  # what this gate sends back along the wire: local gradient x upstream;
                    # like backward(), nothing when upstream is 0 (an infinite local would be nan)
                    g = self.frame.grad(i, v)
                    sends = local[k] * g if g != 0.0 else 0.0
                    uses[index[p]].append(((i, k), f"n{i}", sends))
        if len(self.nodes) <= LEFT_COLUMN_MAX_NODES:
            with self.dot.subgraph() as column:  # every input on the left, as the lecture has it
                column.attr(rank="min")
                for name in leaves:
                    column.node(name)
        root = self.nodes[last]
        if root.label:
            self.dot.node("out", self.look.node_label(root.label), shape="plaintext",
                          fontsize=self.look.size(LEAF_SIZE))
        else:  # the output wire still ends somewhere: an invisible point
            self.dot.node("out", "", shape="point", style="invis", width="0")
        uses[last].append(((last + 1, 0), "out", self.frame.grad(last, root)))
        return self._forks(uses)

    def _forks(self, uses) -> list[str]:
        """One wire per use of a node; a node used twice forks, so gradients visibly add."""
        mismatched = False
        for i, v in enumerate(self.nodes):
            heads = uses[i]
            if not heads:  # a constant: its wires are drawn per use already
                continue
            grad = self.frame.grad(i, v) if self.with_grad else None
            if v.gate is None and self.with_grad:
                mismatched |= not math.isclose(sum(s for *_, s in heads), grad,
                                               rel_tol=1e-9, abs_tol=1e-12)
            shown = (self.frame.shows_value(i), self.frame.shows_grad(i))
            if len(heads) == 1:
                order, head, _ = heads[0]
                self.wires.append((order, f"n{i}", head, v.data, grad, shown))
                continue
            # The stem carries the node's gradient, each branch what its gate sends back: the
            # picture shows the stem's number as the sum of the branches' numbers.
            self.dot.node(f"n{i}j", "", shape="point", width="0.07",
                          color=FADED_WIRE if grad == 0.0 and shown[1] else WIRE_COLOR)
            self.wires.append((heads[0][0], f"n{i}", f"n{i}j", v.data, grad, shown))
            for order, head, sends in heads:
                self.wires.append((order, f"n{i}j", head, v.data,
                                   sends if self.with_grad else None,
                                   (shown[0], self.frame.shows_sent(*order))))
        if mismatched and self.nodes[-1].grad == 1.0:
            return ["a leaf's gradient is not the sum of its wires: it includes earlier "
                    "backward() calls (see zero_grad()) or uses outside this diagram"]
        return []

    def _wire(self, k: int, tail: str, head: str, value: float, grad: float | None,
              shown: tuple[bool, bool]) -> None:
        value_text = number(value, self.digits)
        grad_text = "" if grad is None else number(grad, self.digits)
        name = self.names.get(tail)
        named = f"{name} = {value_text}" if name else value_text
        # of every number, shown or blank
        length = _text_width(named, grad_text, size=self.look.fontsize)
        if not shown[1]:  # a frame's gradient not computed yet: a plain wire, the number blank
            color, width, value_color, grad_label = WIRE_COLOR, 1, VALUE_COLOR, SPACE
        elif grad is None:  # no gradients shown, or a constant's wire, along which none flows
            color = FADED_WIRE if self.with_grad else WIRE_COLOR
            width, value_color, grad_label = 1, VALUE_COLOR, SPACE
        elif grad == 0.0:
            color, width, value_color = FADED_WIRE, 1, FADED_VALUE
            grad_label = _font(grad_text, FADED_GRAD)
        else:
            color, width, value_color = WIRE_COLOR, self._width(grad), VALUE_COLOR
            grad_label = _font(grad_text, GRAD_COLOR)
        value_label = _font(value_text, value_color) if shown[0] else SPACE
        if name:  # the wire's name stays while its value is blank: a frame's layout stands still
            value_label = (f'<FONT COLOR="{NOTE_COLOR}"><I>{self.look.label(name)}</I> = </FONT>'
                           + value_label)
        label = _wire_label(value_label, grad_label, color, width, length, self.horizontal)
        wire = f"wire{k}"
        enter, leave = ("bar:w", "bar:e") if self.horizontal else ("bar:n", "bar:s")
        self.dot.node(wire, label, shape="plaintext", margin="0",
                      fontsize=self.look.size(NUMBER_SIZE))
        self.dot.edge(tail, f"{wire}:{enter}", arrowhead="none", color=color, penwidth=str(width))
        # Graphviz scales an arrowhead with the pen width; shrink it back so thick wires do not
        # end in huge arrows.
        arrow = f"{0.75 / math.sqrt(width):.2f}"
        self.dot.edge(f"{wire}:{leave}", head, color=color, penwidth=str(width), arrowsize=arrow)

    def _width(self, grad: float) -> int:
        """1 to MAX_PENWIDTH points, growing with |grad| relative to the largest in the diagram."""
        if not math.isfinite(grad) or self.largest == 0.0:
            return MAX_PENWIDTH
        return 1 + round((MAX_PENWIDTH - 1) * abs(grad) / self.largest)


def tallest_column(nodes: list[Value]) -> int:
    """About how many wires the circuit of `nodes` stacks in one column: the input wires of all
    the gates at the same depth (Graphviz puts a gate one rank after its deepest input)."""
    index = {v: i for i, v in enumerate(nodes)}
    depth = [0] * len(nodes)
    wires: dict[int, int] = {}
    for i, v in enumerate(nodes):
        if v.gate is None:
            continue
        depth[i] = 1 + max((depth[index[p]] for p in v.parents), default=0)
        drawn = len(v.parents) - (folded_constant(v) is not None)
        wires[depth[i]] = wires.get(depth[i], 0) + drawn
    return max(wires.values(), default=0)


def _later_layer_leaves(nodes: list[Value], index: dict) -> set[int]:
    """The leaves first used after a gate outside WEIGHTED_SUM_GATES: in an MLP, the weights of
    the second layer on (they meet the first layer's relu), which then stand next to their own
    gates instead of crossing the first layer from the inputs' column."""
    stage = [0] * len(nodes)  # how many such gates stand between the inputs and a node
    joins: dict[int, int] = {}  # leaf -> the lowest stage of any gate input it meets
    for i, v in enumerate(nodes):
        if v.gate is None:
            continue
        meets = max((stage[index[p]] for p in v.parents), default=0)
        stage[i] = meets + (v.gate.name not in WEIGHTED_SUM_GATES)
        for p in v.parents:
            if p.gate is None:
                j = index[p]
                joins[j] = min(joins.get(j, meets), meets)
    return {j for j, meets in joins.items() if meets > 0}


def _boxes(dot: graphviz.Digraph, nodes: list[Value], digits: int, with_grad: bool,
           frame: Frame | None = None, look: Look | None = None) -> None:
    """micrograd's picture: a box per Value (label, data, grad) and an op node before each gate.

    Shared attributes are set once as node defaults: this style is the one for 10,000-gate
    graphs, and quoting attributes per node is most of the time the graphviz package takes.
    """
    edges = []
    shown_constants = set()
    frame = frame or Frame()
    look = look or Look()
    dot.attr("node", shape="ellipse", fontsize=look.size(NUMBER_SIZE), margin="0.04,0.02",
             width="0.4",
             height="0.3")
    for i, v in enumerate(nodes):
        if v.gate is None:
            continue
        dot.node(f"n{i}op", graphviz.escape(caption(v)),
                 **(HIGHLIGHT if i == frame.highlight else {}))
        edges.append((f"n{i}op", f"n{i}"))
        folded = folded_constant(v)
        for k, p in enumerate(v.parents):
            if k != folded:
                edges.append((p, f"n{i}op"))
                if p.is_constant:
                    shown_constants.add(p)
    dot.attr("node", shape="plaintext", margin="0")
    names = {}
    for i, v in enumerate(nodes):
        names[v] = f"n{i}"
        if v.is_constant and v not in shown_constants:
            continue
        cells = ["const" if v.is_constant else look.label(v.label)]
        data = number(v.data, digits)
        cells.append(_font(f"data {data}", VALUE_COLOR) if frame.shows_value(i)
                     else "data" + SPACE * len(data))  # blank, about as wide
        if with_grad and not v.is_constant:
            grad = frame.grad(i, v)
            cells.append(_font(f"grad {number(grad, digits)}",
                               FADED_GRAD if grad == 0.0 else GRAD_COLOR) if frame.shows_grad(i)
                         else "grad" + SPACE * len(number(grad, digits)))
        row = "".join(f"<TD>{c}</TD>" for c in cells if c)
        dot.node(f"n{i}", f'<<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="4">'
                          f"<TR>{row}</TR></TABLE>>")
    dot.edges((tail if isinstance(tail, str) else names[tail], head) for tail, head in edges)


def _wire_label(value: str, grad: str, color: str, width: int, length: int,
                horizontal: bool) -> str:
    """The numbers of one wire around a bar that continues it (value above, gradient below).

    Graphviz ends an edge 1pt short of the cell it points at, which leaves a visible gap in the
    wire; so the bar has a 2pt stub of its own colour at each end, and the edges end on the stubs.
    """
    fill = f'CELLPADDING="0" BGCOLOR="{color}"'
    if horizontal:
        stub = f'<TD WIDTH="2" HEIGHT="{width}" FIXEDSIZE="TRUE" {fill}></TD>'
        bar = f'<TD PORT="bar" WIDTH="{length}" HEIGHT="{width}" {fill}></TD>'
        rows = (f'<TR><TD COLSPAN="3">{value}</TD></TR><TR>{stub}{bar}{stub}</TR>'
                f'<TR><TD COLSPAN="3">{grad}</TD></TR>')
    else:  # top to bottom: the value left of the wire, the gradient right of it
        stub = f'<TD WIDTH="{width}" HEIGHT="2" FIXEDSIZE="TRUE" {fill}></TD>'
        bar = f'<TD PORT="bar" WIDTH="{width}" HEIGHT="16" {fill}></TD>'
        rows = (f'<TR><TD ROWSPAN="3" CELLPADDING="3">{value}</TD>{stub}'
                f'<TD ROWSPAN="3" CELLPADDING="3">{grad}</TD></TR><TR>{bar}</TR><TR>{stub}</TR>')
    return f'<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1">{rows}</TABLE>>'


def _text_width(*texts: str, size: float = NUMBER_SIZE) -> int:
    """About the width in points of the longer number at `size` points of Helvetica (digits are
    6.1pt wide at 11pt)."""
    return max(math.ceil(6.2 * size / NUMBER_SIZE * len(t)) for t in texts) + 2


def _font(text: str, color: str) -> str:
    return f'<FONT COLOR="{color}">{html.escape(text)}</FONT>'


def _title(dot: graphviz.Digraph, title: str | None, notes: list[str],
           caption: str | None = None, look: Look | None = None) -> None:
    """The title and notes above the diagram; a caption under it (Graphviz draws one label per
    diagram: with a title too, the caption is its last line, above the diagram)."""
    look = look or Look()
    lines = [f"<B>{html.escape(title)}</B>"] if title else []
    lines += [f'<FONT POINT-SIZE="{look.size(NUMBER_SIZE)}" COLOR="{NOTE_COLOR}">'
              f"{html.escape(n)}</FONT>" for n in notes]
    if caption:
        lines.append(f'<FONT POINT-SIZE="{look.size(LEAF_SIZE)}">{html.escape(caption)}</FONT>')
    if lines:
        dot.attr(label="<" + "<BR/>".join(lines) + ">",
                 labelloc="b" if caption and not title and not notes else "t",
                 fontsize=look.size(TITLE_SIZE))
