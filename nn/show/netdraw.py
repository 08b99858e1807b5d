"""The lecture's network diagram: neurons in columns joined by one line per weight.

    model.draw()                       # inputs, hidden layers, outputs; weights by colour and width
    model.draw(x=[0.5, -1.0])          # each neuron's value for that input, in its circle
    loss.backward(); model.draw(grads=True)   # each line is the weight's gradient instead

Each neuron is a circle labelled with its activation and its bias (`b 0.12`); a line's colour is
the sign of its weight (blue positive, orange negative) and its width the magnitude, relative to
the largest in the diagram. The numbers of every weight are in the tooltips (hover in Jupyter, the
SVG), and written on the lines themselves only when the network is small enough to read them.

A Maxout unit is drawn as what it computes: its linear pieces, each a circle with its own lines,
then a `max` circle. The diagram is read through the public attributes only (`model.layers`,
`layer.neurons`, `neuron.w`, `neuron.b`, `neuron.activation`, `unit.pieces`) and renders through
the same `Diagram` as the circuit diagrams.
"""

from __future__ import annotations

import html
import math
import numbers

from gategrad.engine import no_grad
from gategrad.engine.show.captions import number

POSITIVE = "#0969da"     # blue: a positive weight (or gradient)
NEGATIVE = "#e16f24"     # orange: a negative one
ZERO = "#d0d7de"         # exactly zero: nothing flows along this line
VALUE_COLOR = "#1a7f37"  # green, as the forward values of the circuit diagrams
GRAD_COLOR = "#cf222e"   # red, as their gradients
NOTE_COLOR = "#57606a"
FONT = "Helvetica"
MIN_PENWIDTH, MAX_PENWIDTH = 0.4, 5.0
# A line's number is written on it only up to this many weights in all (the lecture's 2-2-2
# network has 12) and between two neighbouring columns (4 x 4 lines cross too steeply for their
# numbers to stand apart); beyond that, the lines carry the weights by colour and width alone, and
# the tooltips carry the numbers.
LABELLED_MAX_WEIGHTS = 24
LABELLED_MAX_BETWEEN_COLUMNS = 12


class _Unit:
    """One circle of the diagram: its id, its caption, the lines into it, and its tooltip."""

    def __init__(self, node: str, caption: str, name: str, bias=None):
        self.node, self.caption, self.name, self.bias = node, caption, name, bias
        self.lines: list[tuple[_Unit, object]] = []  # (the unit before, weight Value or None)
        self.value: float | None = None


def network_layers(model) -> list[tuple[str, list]]:
    """The model's layers as (name, units): an MLP's layers, a Layer, or one Neuron or Maxout unit.

    Raises TypeError for a model that has none of the attributes a network is read through.
    """
    if hasattr(model, "layers"):
        layers = list(model.layers)
    elif hasattr(model, "neurons"):
        layers = [model]
    elif hasattr(model, "pieces") or hasattr(model, "w"):
        return [(getattr(model, "name", "") or "unit", [model])]
    else:
        raise TypeError(f"cannot draw {type(model).__name__} as a network: it has no `layers`, "
                        "`neurons`, `pieces` or `w` (draw an MLP, Layer, Neuron or Maxout, or "
                        "draw a Value's circuit with gg.draw(value))")
    return [(getattr(layer, "name", "") or f"L{k + 1}", list(layer.neurons))
            for k, layer in enumerate(layers)]


def unit_inputs(unit) -> int:
    """How many inputs a Neuron or a Maxout unit takes."""
    return len(unit.pieces[0].w) if hasattr(unit, "pieces") else len(unit.w)


def activation_name(unit) -> str:
    """'relu', 'tanh', 'sigmoid', 'linear', ... or 'maxout of 3' for a Maxout unit."""
    if hasattr(unit, "pieces"):
        return f"maxout of {len(unit.pieces)}"
    activation = unit.activation
    return getattr(activation, "name", None) or repr(activation)


def draw_network(model, x=None, grads: bool = False, digits: int = 2,
                 title: str | None = None):
    """The network diagram of `model` (see the module docstring); returns a `Diagram`.

    x: one input (a list of numbers, one per input); each neuron's value for it is written in its
    circle. grads: draw each weight's gradient (from the last backward()) instead of the weight,
    and each bias's gradient instead of the bias. digits: decimals of every number shown.
    title: a line above the diagram.
    """
    if not isinstance(digits, int) or isinstance(digits, bool) or digits < 0:
        raise ValueError(f"draw: digits must be a whole number >= 0, got {digits!r}")
    if not isinstance(grads, bool):
        raise TypeError(f"draw: grads must be True or False, got {grads!r}")
    layers = network_layers(model)
    nin = unit_inputs(layers[0][1][0])
    inputs = None if x is None else _check_input(x, nin)
    columns = _columns(layers, nin)
    if inputs is not None:
        _forward(columns, layers, inputs)
    return _Drawing(columns, grads, digits).diagram(model, title)


def _check_input(x, nin: int) -> list[float]:
    if isinstance(x, numbers.Real) and not isinstance(x, bool):
        x = [x]
    if isinstance(x, (str, bytes)) or not hasattr(x, "__len__"):
        raise TypeError(f"draw: x must be a list of {nin} numbers (one input), got "
                        f"{type(x).__name__}")
    if len(x) != nin:
        raise ValueError(f"draw: x must have {nin} number{'s' * (nin != 1)} (one per input of "
                         f"the network), got {len(x)}")
    values = []
    for i, xi in enumerate(x):
        xi = getattr(xi, "data", xi)  # a Value's number
        if isinstance(xi, bool) or not isinstance(xi, numbers.Real):
            raise TypeError(f"draw: x[{i}] must be a number, got {type(xi).__name__}: {xi!r}")
        values.append(float(xi))
    return values


def _columns(layers, nin: int) -> list[tuple[str, list[_Unit]]]:
    """The diagram's columns of circles: the inputs, then each layer (a Maxout layer takes two,
    its pieces and their maxima); every unit knows the lines that come into it."""
    inputs = [_Unit(f"x{i}", f"x{i}", f"x{i}") for i in range(nin)]
    columns = [("input", inputs)]
    previous = inputs
    for k, (name, units) in enumerate(layers):
        role = "output" if k == len(layers) - 1 else "hidden"
        pieces, circles = [], []
        for j, unit in enumerate(units):
            unit_name = f"{name}.N{j + 1}"
            if hasattr(unit, "pieces"):
                top = _Unit(f"u{k + 1}_{j + 1}", "max", unit_name)
                for p, piece in enumerate(unit.pieces):
                    circle = _neuron(f"u{k + 1}_{j + 1}p{p + 1}", piece, "linear",
                                     f"{unit_name}, piece {p + 1}", previous)
                    pieces.append(circle)
                    top.lines.append((circle, None))
                circles.append(top)
            else:
                circles.append(_neuron(f"u{k + 1}_{j + 1}", unit, activation_name(unit),
                                       unit_name, previous))
        if pieces:
            columns.append((f"{name} pieces", pieces))
            columns.append((f"{name} maxout ({role})", circles))
        else:
            columns.append((f"{name} ({role})", circles))
        previous = circles
    return columns


def _neuron(node: str, neuron, caption: str, name: str, previous: list[_Unit]) -> _Unit:
    if len(neuron.w) != len(previous):
        raise ValueError(f"cannot draw {name}: it has {len(neuron.w)} weights but the column "
                         f"before it has {len(previous)} units")
    circle = _Unit(node, caption, name, bias=neuron.b)
    circle.lines = [(tail, w) for tail, w in zip(previous, neuron.w)]
    circle.neuron = neuron
    return circle


def _forward(columns, layers, inputs: list[float]) -> None:
    """Write each circle's value for one input: every unit is called on the layer before's
    numbers, as the model itself computes them, without recording a graph."""
    for circle, xi in zip(columns[0][1], inputs):
        circle.value = xi
    by_node = {c.node: c for _, column in columns for c in column}
    h = inputs
    with no_grad():
        for k, (_, units) in enumerate(layers):
            outputs = []
            for j, unit in enumerate(units):
                out = unit(h).data
                by_node[f"u{k + 1}_{j + 1}"].value = out
                for p, piece in enumerate(getattr(unit, "pieces", [])):
                    by_node[f"u{k + 1}_{j + 1}p{p + 1}"].value = piece(h).data
                outputs.append(out)
            h = outputs


class _Drawing:
    """Builds the graphviz graph of the columns."""

    def __init__(self, columns, grads: bool, digits: int):
        self.columns, self.grads, self.digits = columns, grads, digits
        weights = [w for _, column in columns for c in column for _, w in c.lines if w is not None]
        self.weights = len(weights)
        between = max(sum(len(c.lines) for c in column) for _, column in columns)
        self.labelled = (self.weights <= LABELLED_MAX_WEIGHTS
                         and between <= LABELLED_MAX_BETWEEN_COLUMNS)
        shown = [self._number(w) for w in weights]
        self.largest = max((abs(s) for s in shown if math.isfinite(s)), default=0.0)

    def _number(self, parameter) -> float:
        return parameter.grad if self.grads else parameter.data

    def diagram(self, model, title: str | None):
        import graphviz  # only here: importing gategrad.nn must not need graphviz

        from gategrad.engine.show.rendering import Diagram

        self.graphviz = graphviz
        dot = graphviz.Digraph("network", graph_attr={
            "rankdir": "LR", "fontname": FONT, "bgcolor": "white", "pad": "0.2",
            # straight lines: a fully connected layer of 16 x 16 is 256 lines, which curved
            # splines would turn into a tangle (and take Graphviz far longer to route)
            "splines": "line", "nodesep": self._nodesep(), "ranksep": self._ranksep(),
            "nslimit": "2",
            "outputorder": "edgesfirst",
        }, node_attr={"fontname": FONT}, edge_attr={"arrowhead": "none", "fontname": FONT})
        width = self._diameter()
        for name, column in self.columns:
            self._column(dot, name, column, width)
        self._lines(dot)
        self._caption(dot, title)
        summary = (f"network diagram, {sum(len(c) for _, c in self.columns)} circles, "
                   f"{self.weights} weights{', gradients' if self.grads else ''}")
        return Diagram(dot, summary)

    def _nodesep(self) -> str:
        # numbers on the lines need the lines into one circle to arrive apart
        return "0.2" if self.labelled else "0.08"

    def _ranksep(self) -> str:
        # the widest pair of neighbouring columns decides how far apart columns must stand for
        # its lines to be told apart
        sizes = [len(column) for _, column in self.columns]
        widest = max(a * b for a, b in zip(sizes, sizes[1:]))
        if self.labelled:  # room for the numbers near the heads
            return "1.7"
        return f"{min(2.4, 0.8 + 0.1 * math.sqrt(widest)):.2f}"

    def _diameter(self) -> str:
        """One circle size for the whole diagram, wide enough for its longest line of text."""
        longest = max(len(text) for _, column in self.columns for c in column
                      for text in self._texts(c))
        return f"{max(0.55, (5.2 * longest + 12) / 72):.2f}"

    def _texts(self, circle: _Unit) -> list[str]:
        texts = [circle.caption]
        if circle.value is not None:
            texts.append(number(circle.value, self.digits))
        if circle.bias is not None:
            texts.append(self._bias_text(circle))
        return texts

    def _bias_text(self, circle: _Unit) -> str:
        if self.grads:
            return f"∂b {number(circle.bias.grad, self.digits)}"
        return f"b {number(circle.bias.data, self.digits)}"

    def _column(self, dot, name: str, column: list[_Unit], width: str) -> None:
        with dot.subgraph() as rank:
            rank.attr(rank="same")
            header = f"head_{column[0].node}"
            rank.node(header, html.escape(name), shape="plaintext", fontsize="11",
                      fontcolor=NOTE_COLOR, height="0.25")
            for circle in column:
                rank.node(circle.node, self._label(circle), shape="circle", fixedsize="true",
                          width=width, penwidth="1.2", tooltip=self._tooltip(circle))
            # invisible links keep the header on top and the units in their order (N1 first)
            names = [header] + [c.node for c in column]
            for upper, lower in zip(names, names[1:]):
                rank.edge(upper, lower, style="invis")

    def _label(self, circle: _Unit) -> str:
        rows = [f'<FONT POINT-SIZE="10">{html.escape(circle.caption)}</FONT>']
        if circle.value is not None:
            rows.append(_font(number(circle.value, self.digits), VALUE_COLOR, 10))
        if circle.bias is not None:
            rows.append(_font(self._bias_text(circle), GRAD_COLOR if self.grads else NOTE_COLOR,
                              9))
        return "<" + "<BR/>".join(rows) + ">"

    def _tooltip(self, circle: _Unit) -> str:
        parts = [circle.name]
        if circle.value is not None:
            parts.append(f"value {number(circle.value, 4)}")
        if circle.bias is not None:
            parts.append(f"{circle.bias.label or 'b'} = {number(circle.bias.data, 4)} "
                         f"(grad {number(circle.bias.grad, 4)})")
        neuron = getattr(circle, "neuron", None)
        for label, p in getattr(getattr(neuron, "activation", None), "named_parameters",
                                lambda: [])():
            parts.append(f"{label} = {number(p.data, 4)} (grad {number(p.grad, 4)})")
        return "; ".join(parts)

    def _lines(self, dot) -> None:
        lines = [(tail, circle, w) for _, column in self.columns for circle in column
                 for tail, w in circle.lines]
        # thin lines first, so that the strong weights are drawn on top of the faint ones
        lines.sort(key=lambda line: self._magnitude(line[2]))
        labelled = self.labelled
        for tail, circle, w in lines:
            if w is None:  # a maxout piece into its max: no weight
                dot.edge(tail.node, circle.node, color=NOTE_COLOR, penwidth="1", style="dashed")
                continue
            shown = self._number(w)
            attributes = {"color": self._color(shown, labelled), "penwidth": self._width(shown),
                          "tooltip": f"{w.label or 'w'}: {tail.name} → {circle.name}, "
                                     f"w = {number(w.data, 4)}, grad {number(w.grad, 4)}"}
            if labelled:
                # near the head, on a white patch: mid-line labels would sit exactly on the
                # crossing of the X that two fully connected pairs of neurons make
                attributes.update(headlabel=_patch(number(shown, self.digits),
                                                   self._color(shown)),
                                  labelangle="0", labeldistance="3.2", labelfontsize="9")
            dot.edge(tail.node, circle.node, **attributes)

    def _magnitude(self, w) -> float:
        if w is None:
            return -1.0
        shown = abs(self._number(w))
        return shown if math.isfinite(shown) else math.inf

    def _color(self, shown: float, opaque: bool = True) -> str:
        if math.isnan(shown):
            return GRAD_COLOR
        if shown == 0.0:
            return ZERO
        color = POSITIVE if shown > 0 else NEGATIVE
        if opaque or not math.isfinite(shown):
            return color
        # in a large diagram, weak lines fade into the background, so that the hundreds of
        # lines between two wide layers do not become one solid block of colour
        return f"{color}{round(255 * (0.3 + 0.7 * abs(shown) / self.largest)):02x}"

    def _width(self, shown: float) -> str:
        """MIN_PENWIDTH to MAX_PENWIDTH points, in proportion to |number| / the largest."""
        if not math.isfinite(shown):
            return f"{MAX_PENWIDTH:.2f}"
        if self.largest == 0.0:  # all zero (no backward yet): thin lines
            return f"{MIN_PENWIDTH:.2f}"
        share = abs(shown) / self.largest
        return f"{MIN_PENWIDTH + (MAX_PENWIDTH - MIN_PENWIDTH) * share:.2f}"

    def _caption(self, dot, title: str | None) -> None:
        what = "weight's gradient" if self.grads else "weight"
        notes = [f"a line per weight, drawn by the {what}: blue > 0, orange < 0, wider when "
                 f"larger (widest {number(self.largest, self.digits)})"]
        if self.grads and self.largest == 0.0:
            notes.insert(0, "no gradients yet: call backward() on the loss (or output) first")
        lines = [f"<B>{html.escape(title)}</B>"] if title else []
        lines += [_font(note, NOTE_COLOR, 11) for note in notes]
        dot.attr(label="<" + "<BR/>".join(lines) + ">", labelloc="t", fontsize="14")


def _patch(text: str, color: str) -> str:
    return (f'<<TABLE BORDER="0" CELLPADDING="1" CELLSPACING="0" BGCOLOR="white"><TR><TD>'
            f'<FONT COLOR="{color}">{html.escape(text)}</FONT></TD></TR></TABLE>>')


def _font(text: str, color: str, size: int) -> str:
    return f'<FONT POINT-SIZE="{size}" COLOR="{color}">{html.escape(text)}</FONT>'
