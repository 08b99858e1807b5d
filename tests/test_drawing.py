"""Diagrams: the lecture's sigmoid circuit in DOT and rendered, forks, fading, size, determinism.

Every expected number is computed here from its closed form (the lecture's sigmoid example),
never read from the engine.
"""

import html
import math
import re
import struct
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from gategrad.engine import Value, draw, sum_of
from gategrad.engine.show.drawing import FADED_WIRE, GRAD_COLOR
from gategrad.engine.show.examples import patterns, sigmoid_gate

WIRE = re.compile(r"^\s*(wire\d+) \[label=<(<TABLE.*?</TABLE>)>", re.MULTILINE)
FONT = re.compile(r'<FONT COLOR="[^"]+">([^<]*)</FONT>')
PLAIN_NODE = re.compile(r'^\s*(n\d+\w*|out) \[label=("(?:[^"\\]|\\.)*"|[^\s\]]+)', re.MULTILINE)
SVG_TEXT = re.compile(r"<text[^>]*>([^<]*)</text>")


def two(x: float) -> str:
    return f"{x:.2f}"


def lecture_wires() -> list[tuple[str, str]]:
    """(forward value, gradient) on every wire of the lecture's circuit, from closed forms."""
    w0, x0, w1, x1, w2 = 2.0, -1.0, -3.0, -2.0, -3.0
    dot = w0 * x0 + w1 * x1 + w2
    e = math.exp(-dot)
    f = 1 / (1 + e)
    df = f * (1 - f)                 # sigma'(dot), the gradient on every wire before `*-1`
    d_exp = -1 / (1 + e) ** 2        # (1/x)' at x = 1 + e, on the `exp` and `+1` wires
    wires = [(w0, x0 * df), (x0, w0 * df), (w1, x1 * df), (x1, w1 * df), (w2, df),
             (w0 * x0, df), (w1 * x1, df), (w0 * x0 + w1 * x1, df), (dot, df), (-dot, -df),
             (e, d_exp), (1 + e, d_exp), (f, 1.0)]
    return sorted((two(v), two(g)) for v, g in wires)


def wires(source: str) -> list[tuple[str, ...]]:
    """The numbers on each wire of a circuit diagram: (value,) or (value, gradient)."""
    return [tuple(FONT.findall(table)) for _, table in WIRE.findall(source)]


def plain_labels(source: str) -> list[str]:
    return [label.strip('"') for _, label in PLAIN_NODE.findall(source)]


@pytest.fixture
def pure(monkeypatch, graphviz_pure):
    monkeypatch.setenv("GATEGRAD_DOT", graphviz_pure)


# --- the lecture's figure, in DOT ------------------------------------------------------------

def test_sigmoid_dot_names_every_gate_and_every_number_of_the_lecture():
    source = draw(sigmoid_gate().root).source
    labels = plain_labels(source)
    assert Counter(labels) >= Counter(["*", "*", "+", "+", "*-1", "exp", "+1", "1/x"])
    assert sorted((v, g) for v, g in wires(source)) == lecture_wires()


def test_sigmoid_constants_are_folded_not_drawn_as_inputs():
    labels = plain_labels(draw(sigmoid_gate().root).source)
    leaves_and_gates = {"w0", "x0", "w1", "x1", "w2", "*", "+", "*-1", "exp", "+1", "1/x", "f"}
    assert set(labels) == leaves_and_gates
    assert not {"-1", "1", "-1.00", "1.00"} & set(labels)


def test_circuit_is_left_to_right_with_gates_as_circles_and_the_output_wire_labelled():
    source = draw(sigmoid_gate().root).source
    assert "rankdir=LR" in source
    assert re.search(r'label="1/x" .*shape=circle', source)
    assert re.search(r"wire\d+:bar:e -> out", source)  # the output wire, to the label f
    assert ("0.73", "1.00") in wires(source)


def test_wire_width_grows_with_the_gradient():
    source = draw(sigmoid_gate().root).source
    widths = {}
    for name, table in WIRE.findall(source):
        value, grad = FONT.findall(table)
        width = re.search(rf"-> {name}:bar:w \[.*penwidth=(\d+)", source).group(1)
        widths[abs(float(grad))] = int(width)
    by_gradient = [widths[g] for g in sorted(widths)]
    assert by_gradient == sorted(by_gradient) and by_gradient[0] < by_gradient[-1]


# --- rendered through graphviz-pure --------------------------------------------------------------

def test_rendered_svg_carries_the_same_numbers(pure):
    svg = draw(sigmoid_gate().root, title="sigmoid").svg()
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    texts = Counter(html.unescape(t) for t in SVG_TEXT.findall(svg))  # &#45; is a minus sign
    expected = Counter(x for pair in lecture_wires() for x in pair)
    assert texts >= expected
    assert texts >= Counter(["*", "*", "+", "+", "*-1", "exp", "+1", "1/x"])


def test_png_is_a_valid_png(pure, tmp_path):
    path = draw(sigmoid_gate().root).save(tmp_path / "sigmoid.png")
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    assert width > height > 100  # a wide circuit, left to right
    assert data[-8:-4] == b"IEND"


def test_jupyter_shows_the_diagram_as_svg(pure):
    bundle = draw(sigmoid_gate().root)._repr_mimebundle_()
    assert "<svg" in bundle["image/svg+xml"]


# --- determinism, forks, fading ------------------------------------------------------------------

def test_the_same_graph_gives_byte_identical_dot_and_svg(pure):
    first, second = draw(sigmoid_gate().root), draw(sigmoid_gate().root)
    assert first.source == second.source
    assert first.svg() == second.svg()
    assert "id(" not in first.source


def test_a_node_used_twice_is_drawn_with_two_wires():
    a = Value(3.0, label="a")
    f = a * a
    f.backward()
    source = draw(f).source
    assert len(re.findall(r"wire\d+:bar:e -> n1\b", source)) == 2  # two wires into the gate
    # The stem carries da = 2a = 6, each branch what the gate sends back: a = 3.
    assert Counter(wires(source)) == Counter([("3.00", "6.00"), ("3.00", "3.00"),
                                              ("3.00", "3.00"), ("9.00", "1.00")])


def test_a_node_used_by_two_gates_forks_and_its_gradients_add():
    x, y, z = Value(2.0, label="x"), Value(-3.0, label="y"), Value(5.0, label="z")
    f = x * y + x * z
    f.backward()
    source = draw(f).source
    assert len(re.findall(r"n0j -> wire\d+:bar:w", source)) == 2  # x forks into two branches
    numbers = wires(source)
    assert ("2.00", two(-3.0 + 5.0)) in numbers  # the stem: df/dx = y + z
    assert ("2.00", "-3.00") in numbers and ("2.00", "5.00") in numbers


def test_a_wire_with_zero_gradient_is_faded():
    source = draw(patterns().root).source
    faded = [(name, FONT.findall(table)) for name, table in WIRE.findall(source)
             if FADED_WIRE in table]
    assert faded == [(faded[0][0], ["-1.00", "0.00"])]  # only max's loser, w = -1
    assert len(re.findall(rf'color="{FADED_WIRE}"', source)) == 2  # both halves of that wire


def test_a_tiny_nonzero_gradient_is_not_faded():
    x = Value(20.0, label="x")
    f = x * 1e-9  # df/dx = 1e-9: shown as 0.00, but something does flow back
    f.backward()
    assert FADED_WIRE not in draw(f).source


# --- before backward, stale gradients, constants, options ---------------------------------------

def test_before_backward_the_title_says_so_and_no_gradients_are_drawn():
    x, y = Value(3.0, label="x"), Value(-2.0, label="y")
    g = x * y + 1
    g.label = "g"
    for style in ("circuit", "nodes"):
        source = draw(g, style=style).source
        assert "no gradients yet: call g.backward()" in source
        assert GRAD_COLOR not in source
    assert all(len(w) == 1 for w in wires(draw(g).source))


def test_gradients_left_by_another_graph_are_not_drawn():
    x, y = Value(3.0, label="x"), Value(-2.0, label="y")
    f = x * y
    f.backward()  # x and y now hold gradients of f
    g = f + x     # never backpropagated
    source = draw(g).source
    assert "no gradients yet" in source and GRAD_COLOR not in source


def test_show_grad_false_draws_values_only_without_a_note():
    source = draw(sigmoid_gate().root, show_grad=False).source
    assert GRAD_COLOR not in source and "no gradients" not in source
    assert len(wires(source)) == 13


def test_accumulated_leaf_gradients_are_pointed_out():
    x = Value(2.0, label="x")
    f = x * 3
    f.backward()
    f.backward()  # x.grad accumulates to 6; the wire of this pass sends 3
    assert "not the sum of its wires" in draw(f).source


def test_an_unfolded_constant_is_drawn_as_an_input_without_gradient():
    x, y = Value(1.0, label="x"), Value(4.0, label="y")
    f = sum_of([x, 2.5, y])  # an n-ary gate: its constant is an input of its own
    f.backward()
    numbers = wires(draw(f).source)
    assert ("2.50",) in numbers and ("1.00", "1.00") in numbers


def test_digits_rankdir_and_title():
    source = draw(sigmoid_gate().root, digits=3, rankdir="TB", title="a <title>").source
    assert ("0.731", "1.000") in wires(source)
    assert "rankdir=TB" in source and "bar:n" in source
    assert "a &lt;title&gt;" in source


def test_bad_options_are_clear_errors():
    f = sigmoid_gate().root
    with pytest.raises(ValueError, match="style must be one of circuit, nodes"):
        draw(f, style="boxes")
    with pytest.raises(ValueError, match="rankdir"):
        draw(f, rankdir="RL")
    with pytest.raises(TypeError, match="expected a Value, got float"):
        draw(1.5)


def test_nodes_style_has_a_box_per_value_and_an_op_node_per_gate():
    source = draw(sigmoid_gate().root, style="nodes").source
    assert source.count(">data ") == 13          # 5 inputs + 8 gates; folded constants not drawn
    assert source.count(">grad ") == 13
    assert len(re.findall(r"^\s*n\d+op \[", source, re.MULTILINE)) == 8
    assert "*-1" in source and "+1" in source


def test_value_draw_is_engine_draw():
    f = sigmoid_gate().root
    assert f.draw(style="nodes").source == draw(f, style="nodes").source


def test_importing_the_engine_does_not_import_graphviz():
    code = ("import sys; import gategrad.engine as engine; engine.Value(1.0); "
            "assert 'graphviz' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).parent.parent)


# --- large graphs ---------------------------------------------------------------------------------

def deep_chain(gates: int) -> Value:
    x = Value(0.5, label="x")
    y = x
    for _ in range(gates // 2):
        y = (y * 0.999).tanh()
    y.backward()
    return y


def test_a_10000_gate_graph_draws_in_the_nodes_style():
    y = deep_chain(10_000)  # 10,000 deep: tracing and drawing must not recurse
    start = time.perf_counter()
    source = draw(y, style="nodes").source
    assert time.perf_counter() - start < 20  # about a second; rendering it is another matter
    assert len(re.findall(r"^\s*n\d+op \[", source, re.MULTILINE)) == 10_000


def test_the_circuit_style_refuses_a_huge_graph_and_says_what_to_do():
    with pytest.raises(ValueError, match=r"10000 gates.*style='nodes'.*subgraph"):
        draw(deep_chain(10_000))
    assert "wire" in draw(deep_chain(10), max_gates=10).source


# --- in a notebook: fitted to the column ----------------------------------------------------------

def test_jupyter_gets_the_svg_fitted_to_the_width_and_a_click_for_full_size(pure):
    diagram = draw(sigmoid_gate().root)
    bundle = diagram._repr_mimebundle_()
    shown = bundle["text/html"]
    assert shown.startswith('<div class="gg-diagram"')
    assert '<svg style="max-width: 100%; height: auto"' in shown and "<?xml" not in shown
    assert "onclick=" in shown and "maxWidth" in shown  # the click toggles full size
    assert re.search(r'viewBox="[\d. ]+"', shown)  # the aspect is kept by the viewBox
    full = diagram.full_size()._repr_mimebundle_()["text/html"]
    assert '<svg style="max-width: none; height: auto"' in full
    assert diagram.full_size().source == diagram.source


# --- slide controls -------------------------------------------------------------------------------

def test_fontsize_sets_the_numbers_and_scales_the_rest():
    source = draw(sigmoid_gate().root, fontsize=22).source
    assert re.search(r"wire\d+ \[label=<.*fontsize=22 ", source)  # the numbers
    assert re.search(r'label="1/x" .*fontsize=24\b', source)        # gates: 12 at 11
    assert re.search(r"n0 \[label=w0 .*fontsize=26\b", source)      # labels: 13 at 11
    with pytest.raises(ValueError, match="fontsize must be a number of points from 4 to 72"):
        draw(sigmoid_gate().root, fontsize=0)


def test_fontsize_makes_the_numbers_larger_on_the_picture(pure):
    # on a slide the picture is scaled to the slide's width: what counts is the size of the
    # numbers relative to the picture (11pt on 933pt by default)
    def share(svg):
        width = float(re.search(r'<svg width="([\d.]+)pt"', svg)[1])
        size = float(re.search(r'font-size="([\d.]+)" fill="#1a7f37"', svg)[1])
        return size / width
    default, slide = (share(draw(sigmoid_gate().root, fontsize=f).svg()) for f in (None, 18))
    assert slide > 1.4 * default


def test_caption_is_a_line_under_the_diagram():
    source = draw(sigmoid_gate().root, caption="the <sigmoid> neuron").source
    assert "the &lt;sigmoid&gt; neuron" in source and "labelloc=b" in source
    titled = draw(sigmoid_gate().root, title="t", caption="c").source
    assert "labelloc=t" in titled and titled.index("<B>t</B>") < titled.index(">c</FONT>")


def test_wire_labels_draw_the_names_of_interior_wires():
    s = Value(1.5, label="s")
    x, y = s ** 2, 3 * s
    z = x * y
    x.label, y.label, z.label = "x", "y", "z"
    z.backward()
    plain = draw(z).source
    labelled = draw(z, wire_labels=True).source
    assert "<I>x</I>" not in plain
    names = re.findall(r"<I>(\w+)</I> = </FONT>", labelled)
    assert sorted(names) == ["x", "y"]  # interior wires; s and z stand as labels already
    assert ("2.25", "4.50") in [tuple(FONT.findall(t))[-2:] for _, t in WIRE.findall(labelled)]


def test_subscripts_write_w0_as_w_sub_0(pure):
    source = draw(sigmoid_gate().root, subscripts=True).source
    assert re.search(r"n0 \[label=<w<FONT POINT-SIZE=\"[\d.]+\"><SUB>0</SUB></FONT>>", source)
    assert "<SUB>" not in draw(sigmoid_gate().root).source
    svg = draw(sigmoid_gate().root, subscripts=True).svg()
    assert 'baseline-shift="sub"' in svg
