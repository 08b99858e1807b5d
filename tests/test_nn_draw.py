"""The network diagram (model.draw(), gg.draw(model)), model.summary(), and the circuit diagram of a
network: its height limit and its layer order.

Expected numbers come from the weights set here and from closed forms (the sigmoid by math.exp,
gradients by central differences), never from the drawing code.
"""

import html
import math
import random
import re
import struct

import pytest

import gategrad as gg
from gategrad import nn
from gategrad.engine import Value, draw
from gategrad.engine.show.examples import sigmoid_gate
from gategrad.nn.show.netdraw import (
    LABELLED_MAX_WEIGHTS,
    MAX_PENWIDTH,
    MIN_PENWIDTH,
    NEGATIVE,
    POSITIVE,
    ZERO,
)

LINE = re.compile(r"^\s*(\w+) -> (\w+) \[(.*)\]$", re.MULTILINE)
CIRCLE = re.compile(r"^\s*(\w+) \[label=<(.*)> .*shape=circle", re.MULTILINE)
RANK = re.compile(r"\{\s*rank=same\s*(.*?)\}", re.DOTALL)
FONT = re.compile(r"<FONT ([^>]*)>([^<]*)</FONT>")


def sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


def lines(source: str) -> list[tuple[str, str, str]]:
    """(tail, head, attributes) of every visible line of a diagram."""
    return [line for line in LINE.findall(source) if "style=invis" not in line[2]]


def weight_lines(source: str) -> dict[str, dict]:
    """Each weight's line by the weight's name: tail, head, colour, width, number written on it."""
    found = {}
    for tail, head, attributes in lines(source):
        tooltip = re.search(r'tooltip="([^"]*)"', attributes)
        if tooltip is None or ":" not in tooltip.group(1):
            continue
        written = FONT.search(attributes)
        found[tooltip.group(1).split(":")[0]] = {
            "tail": tail, "head": head,
            "color": re.search(r'\bcolor="([^"]+)"', attributes).group(1),
            "width": float(re.search(r"penwidth=([\d.]+)", attributes).group(1)),
            "written": float(written.group(2)) if written else None}
    return found


def circles(source: str) -> dict[str, list[str]]:
    """Each circle's lines of text."""
    return {node: [text for _, text in FONT.findall(label)] for node, label in
            CIRCLE.findall(source)}


def expected_width(magnitude: float, largest: float) -> float:
    return MIN_PENWIDTH + (MAX_PENWIDTH - MIN_PENWIDTH) * magnitude / largest


def set_weights(model, layers) -> None:
    """layers: [(W, b)] with row j of W the weights of neuron j, as the lecture writes them."""
    state = {}
    for k, (W, b) in enumerate(layers):
        for j, (row, bias) in enumerate(zip(W, b)):
            state.update({f"L{k + 1}.N{j + 1}.w{i}": float(w) for i, w in enumerate(row)})
            state[f"L{k + 1}.N{j + 1}.b"] = float(bias)
    model.load_state_dict(state)


# the lecture's three-layer sigmoid network, "a network is a function"
LECTURE = [([[1, -2], [-1, 1]], [1, 0]), ([[2, -1], [-2, -1]], [0, 0]),
           ([[3, -1], [-1, 4]], [-2, 2])]


def lecture_network():
    model = nn.MLP(2, [2, 2, 2], activation="sigmoid", output_activation="sigmoid")
    set_weights(model, LECTURE)
    return model


# --- structure: a circle per neuron, a line per weight, a rank per layer --------------------------

def test_a_circle_per_neuron_and_a_line_per_weight_between_every_pair():
    model = nn.MLP(3, [4, 2], rng=random.Random(1))
    source = model.draw().source
    assert sorted(circles(source)) == sorted(
        ["x0", "x1", "x2"] + [f"u1_{j}" for j in range(1, 5)] + ["u2_1", "u2_2"])
    pairs = [(tail, head) for tail, head, _ in lines(source)]
    assert len(pairs) == 3 * 4 + 4 * 2 == model.num_parameters() - 4 - 2
    assert set(pairs) == ({(f"x{i}", f"u1_{j}") for i in range(3) for j in range(1, 5)}
                          | {(f"u1_{j}", f"u2_{k}") for j in range(1, 5) for k in (1, 2)})
    # every line is one weight, named as the model names it, between the units it joins
    found = weight_lines(source)
    assert set(found) == {name for name, _ in model.named_parameters() if ".w" in name}
    assert found["L1.N3.w2"]["tail"] == "x2" and found["L1.N3.w2"]["head"] == "u1_3"
    assert found["L2.N2.w3"]["tail"] == "u1_4" and found["L2.N2.w3"]["head"] == "u2_2"


def test_each_layer_is_one_rank_with_its_units_in_order_and_labelled_by_activation():
    model = nn.MLP(2, [3, 1], activation="tanh", output_activation="sigmoid",
                   rng=random.Random(2))
    source = model.draw().source
    ranks = [re.findall(r"^\s*(x\d+|u\d+_\d+) \[", block, re.MULTILINE)
             for block in RANK.findall(source)]
    assert ranks == [["x0", "x1"], ["u1_1", "u1_2", "u1_3"], ["u2_1"]]
    # invisible links keep the header on top and the units in their order
    chains = [re.findall(r"^\s*(\w+) -> (\w+) \[style=invis\]", block, re.MULTILINE)
              for block in RANK.findall(source)]
    assert chains[1] == [("head_u1_1", "u1_1"), ("u1_1", "u1_2"), ("u1_2", "u1_3")]
    texts = circles(source)
    assert [texts[f"u1_{j}"][0] for j in (1, 2, 3)] == ["tanh"] * 3
    assert texts["u2_1"][0] == "sigmoid" and texts["x0"] == ["x0"]
    assert "L1 (hidden)" in source and "L2 (output)" in source


def test_colour_is_the_weights_sign_and_width_its_magnitude():
    model = nn.MLP(2, [2, 1], activation="relu")
    set_weights(model, [([[0.5, -2.0], [0.0, 1.0]], [0.25, -0.5]), ([[-1.5, 0.1]], [3.0])])
    found = weight_lines(model.draw().source)
    weights = {name: p.data for name, p in model.named_parameters() if ".w" in name}
    largest = max(abs(w) for w in weights.values())
    assert largest == 2.0
    for name, w in weights.items():
        line = found[name]
        assert line["color"] == (POSITIVE if w > 0 else NEGATIVE if w < 0 else ZERO), name
        assert line["width"] == pytest.approx(expected_width(abs(w), largest), abs=0.006), name
        assert line["written"] == w  # a small network writes each weight on its line
    widths = sorted(found.values(), key=lambda line: line["width"])
    assert widths[-1] is found["L1.N1.w1"] and widths[0] is found["L1.N2.w0"]


def test_biases_are_written_inside_their_neurons():
    model = nn.MLP(2, [2, 1], activation="relu")
    set_weights(model, [([[1, 1], [1, 1]], [0.25, -0.5]), ([[1, 1]], [3.0])])
    texts = circles(model.draw().source)
    assert texts["u1_1"][-1] == "b 0.25" and texts["u1_2"][-1] == "b -0.50"
    assert texts["u2_1"][-1] == "b 3.00"
    assert texts["x0"] == ["x0"]  # an input has no bias
    assert circles(model.draw(digits=3).source)["u1_2"][-1] == "b -0.500"


def test_x_writes_each_neurons_value_the_lectures_network():
    model = lecture_network()
    for x, rounded in (([1, -1], [[0.98, 0.12], [0.86, 0.11], [0.62, 0.83]]),
                       ([0, 0], [[0.73, 0.50], [0.72, 0.12], [0.51, 0.85]])):
        texts = circles(model.draw(x=x).source)
        assert [texts["x0"][1], texts["x1"][1]] == [f"{v:.2f}" for v in x]
        h = [float(v) for v in x]
        for k, (W, b) in enumerate(LECTURE):  # sigma(W h + b), layer by layer
            h = [sigmoid(sum(w * hi for w, hi in zip(row, h)) + bias) for row, bias in zip(W, b)]
            assert [round(v, 2) for v in h] == rounded[k]  # the lecture's slide
            assert [texts[f"u{k + 1}_{j + 1}"][1] for j in range(2)] == [f"{v:.2f}" for v in h]


def test_grads_draws_each_weights_gradient_from_the_last_backward():
    model = nn.MLP(2, [3, 1], activation="tanh", rng=random.Random(3))
    x, target = [0.7, -1.2], 0.5

    def loss() -> Value:
        return (model(x) - target) ** 2

    loss().backward()
    named = dict(model.named_parameters())

    def central_difference(p: Value, h: float = 1e-6) -> float:
        saved = p.data
        p.data = saved + h
        up = loss().data
        p.data = saved - h
        down = loss().data
        p.data = saved
        return (up - down) / (2 * h)

    reference = {name: central_difference(p) for name, p in named.items()}
    source = model.draw(grads=True, digits=3).source
    found = weight_lines(source)
    largest = max(abs(g) for name, g in reference.items() if ".w" in name)
    for name, line in found.items():
        g = reference[name]
        assert line["written"] == pytest.approx(g, abs=0.0006), name
        assert line["color"] == (POSITIVE if g > 0 else NEGATIVE), name
        assert line["width"] == pytest.approx(expected_width(abs(g), largest), abs=0.01), name
    texts = circles(source)
    for j in range(1, 4):
        written = float(texts[f"u1_{j}"][-1].removeprefix("∂b "))
        assert written == pytest.approx(reference[f"L1.N{j}.b"], abs=0.0006)
    assert "gradient" in source


def test_grads_before_any_backward_says_so():
    model = nn.MLP(2, [2, 1], rng=random.Random(0))
    source = model.draw(grads=True).source
    assert "no gradients yet" in source
    assert {line["color"] for line in weight_lines(source).values()} == {ZERO}


def test_maxout_units_are_drawn_as_their_pieces_and_a_max():
    model = nn.MLP(2, [3, 1], activation="maxout", pieces=2, rng=random.Random(4))
    x = [0.3, -0.8]
    source = model.draw(x=x).source
    texts = circles(source)
    pieces = [f"u1_{j}p{p}" for j in (1, 2, 3) for p in (1, 2)]
    assert sorted(texts) == sorted(["x0", "x1", *pieces, "u1_1", "u1_2", "u1_3", "u2_1"])
    found = weight_lines(source)
    assert len(found) == 2 * 6 + 3  # one line per weight: each piece's two, the output's three
    dashed = [(t, h) for t, h, a in lines(source) if "dashed" in a]
    assert sorted(dashed) == sorted((f"u1_{j}p{p}", f"u1_{j}") for j in (1, 2, 3) for p in (1, 2))
    for j, unit in enumerate(model.layers[0].neurons, start=1):
        by_hand = [sum(w.data * xi for w, xi in zip(piece.w, x)) + piece.b.data
                   for piece in unit.pieces]
        assert [texts[f"u1_{j}p{p}"][1] for p in (1, 2)] == [f"{v:.2f}" for v in by_hand]
        assert texts[f"u1_{j}"] == ["max", f"{max(by_hand):.2f}"]


def test_a_neuron_and_a_layer_draw_alone():
    neuron = nn.Neuron(3, activation="sigmoid", rng=random.Random(5))
    source = neuron.draw(x=[1.0, 2.0, 3.0]).source
    assert sorted(circles(source)) == ["u1_1", "x0", "x1", "x2"]
    assert len(weight_lines(source)) == 3
    z = sum(w.data * xi for w, xi in zip(neuron.w, [1.0, 2.0, 3.0])) + neuron.b.data
    assert circles(source)["u1_1"][1] == f"{sigmoid(z):.2f}"
    layer = nn.Layer(2, 3, activation="tanh", rng=random.Random(6))
    assert len(weight_lines(layer.draw().source)) == 6


def test_gg_draw_of_a_model_is_the_models_draw():
    model = lecture_network()
    assert gg.draw(model, x=[1, -1]).source == model.draw(x=[1, -1]).source
    assert gg.engine.draw(model, grads=True).source == model.draw(grads=True).source
    assert "rank=min" in gg.draw(sigmoid_gate().root).source  # a Value still draws its circuit


def test_bad_options_are_clear_errors():
    model = nn.MLP(2, [2, 1], rng=random.Random(0))
    with pytest.raises(ValueError, match="x must have 2 numbers.*got 3"):
        model.draw(x=[1, 2, 3])
    with pytest.raises(TypeError, match=r"x\[1\] must be a number, got str"):
        model.draw(x=[1, "2"])
    with pytest.raises(ValueError, match="digits"):
        model.draw(digits=-1)
    with pytest.raises(TypeError, match="grads must be True or False"):
        model.draw(grads="yes")

    class Custom(nn.Module):
        pass

    with pytest.raises(TypeError, match="cannot draw Custom as a network"):
        Custom().draw()


# --- size: MLP(2, [16, 16, 1]) on one readable page --------------------------------------------

def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


@pytest.fixture
def pure(monkeypatch, graphviz_pure):
    monkeypatch.setenv("GATEGRAD_DOT", graphviz_pure)


def test_mlp_16_16_1_fits_on_one_readable_page(pure):
    model = nn.MLP(2, [16, 16, 1], rng=random.Random(0))
    diagram = model.draw()
    source = diagram.source
    assert len(circles(source)) == 2 + 16 + 16 + 1
    assert len(weight_lines(source)) == 2 * 16 + 16 * 16 + 16 == 304
    assert 304 > LABELLED_MAX_WEIGHTS and "headlabel" not in source  # numbers in tooltips only
    width, height = png_size(diagram.pipe("png"))  # at 144 dpi: twice the size on screen
    assert 1000 < width < 2000 and 1000 < height < 2000, (width, height)
    # a tooltip per weight in the SVG (shown on hover in Jupyter), 16 relu circles per column
    svg = diagram.svg()
    assert len(re.findall(r'xlink:title="L\d\.N\d+\.w\d+:', svg)) == 304
    assert svg.count(">relu</text>") == 32


def test_a_small_network_renders_with_its_numbers(pure, tmp_path):
    path = lecture_network().draw(x=[1, -1]).save(tmp_path / "lecture.png")
    width, height = png_size(path.read_bytes())
    assert width > height > 200  # four columns side by side
    svg = html.unescape(lecture_network().draw(x=[1, -1]).svg())
    for number in ("0.98", "0.12", "0.86", "0.11", "0.62", "0.83", "-2.00", "4.00"):
        assert f">{number}</text>" in svg, number


# --- summary -----------------------------------------------------------------------------------

def test_summary_has_a_row_per_layer_with_its_norms():
    model = nn.MLP(2, [3, 2], activation="tanh", rng=random.Random(7))
    outputs = model([0.4, -0.9])
    (outputs[0] * outputs[1]).backward()
    summary = model.summary()
    assert [row.name for row in summary.rows] == ["L1", "L2"]
    for row, layer, (nin, nout) in zip(summary.rows, model.layers, [(2, 3), (3, 2)]):
        weights = [w for n in layer.neurons for w in n.w]
        biases = [n.b for n in layer.neurons]
        assert (row.nin, row.nout, row.parameters) == (nin, nout, nin * nout + nout)
        assert row.activation == ("tanh" if layer is model.layers[0] else "linear")
        assert row.weight_norm == pytest.approx(math.sqrt(sum(w.data ** 2 for w in weights)))
        assert row.bias_norm == pytest.approx(math.sqrt(sum(b.data ** 2 for b in biases)))
        assert row.weight_grad_norm == pytest.approx(math.sqrt(sum(w.grad ** 2 for w in weights)))
        assert row.bias_grad_norm == pytest.approx(math.sqrt(sum(b.grad ** 2 for b in biases)))
    # d(o1 o2)/db of the output layer is (o2, o1): its bias gradient norm is |outputs|
    assert summary.rows[1].bias_grad_norm == pytest.approx(math.hypot(outputs[0].data,
                                                                      outputs[1].data))
    text = str(summary).splitlines()
    assert text[0].split() == ["layer", "shape", "activation", "params", "|w|", "|b|",
                               "|grad", "w|", "|grad", "b|"]
    assert text[1].split()[:6] == ["L1", "2", "->", "3", "tanh", "9"]
    assert text[-1].split() == ["total", str(model.num_parameters())] == ["total", "17"]


def test_summary_shows_saturated_sigmoids_killing_the_gradient():
    model = nn.MLP(2, [2, 2, 1], activation="sigmoid")
    set_weights(model, [([[8, 8], [8, 8]], [8, 8]), ([[8, 8], [8, 8]], [8, 8]), ([[1, 1]], [0])])
    model([1.0, 1.0]).backward()
    rows = model.summary().rows
    # layer 2 sees sigma(24) ~ 1 and outputs sigma(24) ~ 1: sigma'(24) = 3.8e-11 per layer
    slope = sigmoid(24) * (1 - sigmoid(24))
    assert rows[2].bias_grad_norm == 1.0
    assert rows[1].bias_grad_norm == pytest.approx(math.sqrt(2) * slope, rel=1e-6)
    assert rows[0].bias_grad_norm < 1e-15
    assert "e-11" in str(model.summary())  # significant digits, not 0.0000


def test_summary_of_maxout_counts_every_piece():
    layer = nn.Layer(2, 3, activation="maxout", pieces=3, rng=random.Random(8))
    (row,) = layer.summary().rows
    assert (row.parameters, row.activation) == (3 * 3 * (2 + 1), "maxout of 3")
    weights = [w.data for unit in layer.neurons for piece in unit.pieces for w in piece.w]
    assert row.weight_norm == pytest.approx(math.sqrt(sum(w * w for w in weights)))


# --- the circuit of a network: its height limit and its order -----------------------------------

def test_a_tall_circuit_is_refused_with_its_height_and_what_to_do():
    model = nn.MLP(2, [16, 16, 1], rng=random.Random(0))
    out = model([0.5, -0.3])
    out.backward()
    # layer 2: 16 fused gates side by side, each with 16 weights, 16 inputs and a bias
    wires = 16 * (16 + 16 + 1)
    message = rf"{wires} wires.*{wires * 90:,} pixels.*model\.draw\(\).*style='nodes'.*subgraph"
    with pytest.raises(ValueError, match=message):
        draw(out)
    assert "rankdir" in draw(out, style="nodes").source
    assert "wire" in draw(out, max_column_wires=wires).source
    small = nn.MLP(2, [4, 4, 1], rng=random.Random(0))([0.5, -0.3])
    assert "wire" in draw(small).source  # 4 x (4 + 4 + 1) = 36 wires still draw


def test_the_height_in_the_message_is_the_pictures(pure):
    out = nn.MLP(2, [4, 1], rng=random.Random(0))([0.5, -0.3])
    out.backward()
    _, height = png_size(draw(out).pipe("png"))
    wires = 4 * (2 + 2 + 1)  # layer 1's four gates, each with w0, w1, x0, x1, b
    assert height == pytest.approx(wires * 90, rel=0.15)
    with pytest.raises(ValueError, match=f"{wires} wires"):
        draw(out, max_column_wires=wires - 1)


def svg_x(svg: str, text: str) -> list[float]:
    """The x coordinates of every SVG text element that reads `text`."""
    return [float(x) for x in re.findall(rf'<text[^>]*\bx="([-\d.]+)"[^>]*>{re.escape(text)}<',
                                         svg)]


def test_an_mlps_circuit_reads_inputs_then_each_layer_with_its_parameters(pure):
    model = nn.MLP(2, [2, 1], rng=random.Random(0))
    out = model([Value(0.5, label="x0"), Value(-0.3, label="x1")])
    out.backward()
    diagram = draw(out)
    left = re.search(r"rank=min\s*(.*?)\}", diagram.source, re.DOTALL).group(1).split()
    labels = dict(re.findall(r"^\s*(n\d+) \[label=\"?([\w.]+)", diagram.source, re.MULTILINE))
    in_left = {labels[name] for name in left}
    assert in_left == {"x0", "x1"} | {f"L1.N{j}.{p}" for j in (1, 2) for p in ("w0", "w1", "b")}
    svg = diagram.svg()
    layer1_gates = sorted(svg_x(svg, "w·x+b"))[:2]
    relus = svg_x(svg, "relu")
    layer1 = [x for j in (1, 2) for p in ("w0", "w1", "b") for x in svg_x(svg, f"L1.N{j}.{p}")]
    layer2 = [x for p in ("w0", "w1", "b") for x in svg_x(svg, f"L2.N1.{p}")]
    inputs = svg_x(svg, "x0") + svg_x(svg, "x1")
    assert len(layer1) == 6 and len(layer2) == 3 and len(inputs) == 2
    assert max(inputs + layer1) < min(layer1_gates) <= max(layer1_gates) < min(relus)
    # layer 2's parameters stand beside layer 2's gate, in the column of layer 1's relus
    assert min(layer2) >= max(relus) > max(layer1_gates)


def test_the_lectures_circuit_keeps_every_input_in_the_left_column():
    source = draw(sigmoid_gate().root).source
    left = re.search(r"rank=min\s*(.*?)\}", source, re.DOTALL).group(1).split()
    labels = dict(re.findall(r"^\s*(n\d+) \[label=(\w+)", source, re.MULTILINE))
    assert sorted(labels[name] for name in left) == ["w0", "w1", "w2", "x0", "x1"]
