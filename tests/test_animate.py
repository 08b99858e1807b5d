"""animate(): the frames of the forward and backward pass, their captions, and their exports.

Every expected number comes from a closed form written here (the lecture's sigmoid example and a
fork), or from the gate table's `local`, never from the frames themselves.
"""

import html
import json
import math
import re
from collections import Counter

import pytest
from PIL import Image

import gategrad as gg
from gategrad.engine import GATES, Value, animate, apply, draw
from gategrad.engine.show.animate import Player
from gategrad.engine.show.drawing import FADED_GRAD, FADED_VALUE, GRAD_COLOR, HIGHLIGHT, VALUE_COLOR
from gategrad.engine.show.examples import patterns, sigmoid_gate

WIRE = re.compile(r"^\s*wire\d+ \[label=<(<TABLE.*?</TABLE>)>", re.MULTILINE)
FONT = re.compile(r'<FONT COLOR="([^"]+)">([^<]*)</FONT>')
HIGHLIGHTED = re.compile(r'^\s*n(\d+)(?:op)? \[label=.*fillcolor="' + HIGHLIGHT["fillcolor"],
                         re.MULTILINE)


def two(x: float) -> str:
    return "0.00" if f"{x:.2f}" == "-0.00" else f"{x:.2f}"


def shown_wires(source: str) -> Counter:
    """(value or None, gradient or None) on each wire of a circuit frame: None where blank."""
    found = []
    for table in WIRE.findall(source):
        value = grad = None
        for color, text in FONT.findall(table):
            if color in (VALUE_COLOR, FADED_VALUE):
                value = text
            elif color in (GRAD_COLOR, FADED_GRAD):
                grad = text
        found.append((value, grad))
    return Counter(found)


def highlighted(source: str) -> list[int]:
    return [int(i) for i in HIGHLIGHTED.findall(source)]


# --- the lecture's sigmoid example, from its closed form ------------------------------------

W0, X0, W1, X1, W2 = 2.0, -1.0, -3.0, -2.0, -3.0
DOT = W0 * X0 + W1 * X1 + W2
E = math.exp(-DOT)
F = 1 / (1 + E)
DF = F * (1 - F)               # sigma'(dot): the gradient of every wire before `*-1`
D_EXP = -1 / (1 + E) ** 2      # (1/x)' at 1 + e: the gradient of the `exp` and `+1` wires


def sigmoid_reference(root: Value) -> dict[Value, tuple[float, float]]:
    """Each node of the lecture's circuit -> (forward value, gradient), found by its position in
    the expression: f = 1/(e + 1), e = exp(n), n = d * -1, d = (w0 x0 + w1 x1) + w2."""
    plus1 = root.parents[0]
    e = plus1.parents[0]
    n = e.parents[0]
    d = n.parents[0]
    s, w2 = d.parents
    p0, p1 = s.parents
    (w0, x0), (w1, x1) = p0.parents, p1.parents
    return {root: (F, 1.0), plus1: (1 + E, D_EXP), e: (E, D_EXP), n: (-DOT, -DF), d: (DOT, DF),
            s: (W0 * X0 + W1 * X1, DF), w2: (W2, DF), p0: (W0 * X0, DF), p1: (W1 * X1, DF),
            w0: (W0, X0 * DF), x0: (X0, W0 * DF), w1: (W1, X1 * DF), x1: (X1, W1 * DF)}


@pytest.fixture
def sigmoid():
    ex = sigmoid_gate()
    return ex.root, sigmoid_reference(ex.root)


def test_sigmoid_has_the_inputs_a_frame_per_gate_each_way_and_the_finished_diagram(sigmoid):
    root, _ = sigmoid
    gates = 8  # *, *, +, +, *-1, exp, +1, 1/x
    player = animate(root)
    assert len(player) == 1 + gates + gates + 1 == 18
    assert player.phases[0] == "inputs" and player.phases[-1] == "done"
    assert player.phases[1:9] == [f"forward {j}/8" for j in range(1, 9)]
    assert player.phases[9:17] == [f"backward {j}/8" for j in range(1, 9)]
    assert len(animate(root, forward=False)) == gates + 1


def test_sigmoid_forward_frames_show_values_gate_by_gate_and_no_gradient(sigmoid):
    root, reference = sigmoid
    nodes = root.nodes()
    player = animate(root)
    shown = {v for v in nodes if v.gate is None}
    gates = [v for v in nodes if v.gate is not None]
    for k in range(len(gates) + 1):
        if k:
            shown.add(gates[k - 1])
        expected = Counter((two(reference[v][0]) if v in shown else None, None)
                           for v in reference)
        source = player.frame(k).source
        assert shown_wires(source) == expected, f"frame {k}"
        assert GRAD_COLOR not in source and FADED_GRAD not in source  # blank, never 0
        assert highlighted(source) == ([nodes.index(gates[k - 1])] if k else [])


def test_sigmoid_backward_frames_reveal_gradients_in_backward_order(sigmoid):
    root, reference = sigmoid
    nodes = root.nodes()
    player = animate(root)
    order = [v for v in reversed(nodes) if v.gate is not None]  # backward()'s visiting order
    known = {root}
    for j, gate in enumerate(order):
        known |= {p for p in gate.parents if not p.is_constant}
        expected = Counter((two(value), two(grad) if v in known else None)
                           for v, (value, grad) in reference.items())
        source = player.frame(9 + j).source
        assert shown_wires(source) == expected, f"backward step {j + 1}"
        assert highlighted(source) == [nodes.index(gate)]


def test_the_last_frame_is_draw_after_backward_and_animate_changes_nothing():
    w = {n: Value(v, label=n) for n, v in dict(w0=W0, x0=X0, w1=W1, x1=X1, w2=W2).items()}
    f = 1 / (1 + (-(w["w0"] * w["x0"] + w["w1"] * w["x1"] + w["w2"])).exp())
    f.label = "f"
    before = [(v.data, v.grad) for v in f.nodes()]
    players = [animate(f), animate(f, style="nodes"), animate(f, rankdir="TB", digits=3)]
    finals = [p.frame(-1).source for p in players]
    assert [(v.data, v.grad) for v in f.nodes()] == before  # nothing written to the graph
    assert all(v.grad == 0.0 for v in f.nodes())
    f.backward()
    assert finals == [draw(f).source, draw(f, style="nodes", rankdir="TB").source,
                      draw(f, rankdir="TB", digits=3).source]


def test_a_fork_shows_its_branches_as_they_are_sent_and_its_stem_once_complete():
    x, y = Value(2.0, label="x"), Value(3.0, label="y")
    f = x * y + x  # df/dx = y + 1 = 4 (3 along the * branch, 1 along the + branch), df/dy = x
    f.label = "f"
    player = animate(f)
    assert len(player) == 6
    after_add = Counter({("2.00", None): 2, ("2.00", "1.00"): 1, ("3.00", None): 1,
                         ("6.00", "1.00"): 1, ("8.00", "1.00"): 1})
    assert shown_wires(player.frame(3).source) == after_add
    after_mul = Counter({("2.00", "4.00"): 1, ("2.00", "3.00"): 1, ("2.00", "1.00"): 1,
                         ("3.00", "2.00"): 1, ("6.00", "1.00"): 1, ("8.00", "1.00"): 1})
    assert shown_wires(player.frame(4).source) == after_mul
    assert player.captions[4].endswith("; x is used twice, so its gradients add: "
                                       "3.00 + 1.00 = 4.00")
    f.backward()
    assert player.frame(-1).source == draw(f).source


def test_a_fork_sum_gets_more_decimals_where_rounded_parts_would_not_add_up():
    x = Value(0.2, label="x")
    f = x * 0.22 + x * -0.78  # branches 0.22 and -0.78 add to -0.56: fine with two decimals
    g = x * 0.044 + x * -0.156  # 0.04 - 0.16 would not be the -0.11 shown for -0.112
    assert animate(f).captions[-2].endswith("gradients add: 0.22 - 0.78 = -0.56")
    assert animate(g).captions[-2].endswith("gradients add: 0.044 - 0.156 = -0.112")


# --- captions: the lecture's margin notes, from the gate table -----------------------------

def test_sigmoid_captions_read_like_the_lecture(sigmoid):
    root, _ = sigmoid
    captions = animate(root).captions
    assert captions[0] == "the inputs: w0 = 2.00, x0 = -1.00, w1 = -3.00, x1 = -2.00, w2 = -3.00"
    assert captions[6] == f"exp: exp({two(-DOT)}) = {two(E)}"
    assert captions[9] == f"1/x: local -1/x^2 = {two(D_EXP)}, upstream 1.00, sends {two(D_EXP)}"
    assert captions[9] == "1/x: local -1/x^2 = -0.53, upstream 1.00, sends -0.53"
    assert captions[10] == f"+1: local 1, upstream {two(D_EXP)}, sends {two(D_EXP)}"
    assert captions[11] == (f"exp: local exp(x) = {two(E)}, upstream {two(D_EXP)}, "
                            f"sends {two(E * D_EXP)}")
    assert captions[16] == (f"*: local d/da = b = {two(X0)}, d/db = a = {two(W0)}, upstream "
                            f"{two(DF)}, sends {two(X0 * DF)} to a = w0, {two(W0 * DF)} to b = x0")
    assert captions[-1] == (f"done: df/dw0 = {two(X0 * DF)}, df/dx0 = {two(W0 * DF)}, "
                            f"df/dw1 = {two(X1 * DF)}, df/dx1 = {two(W1 * DF)}, "
                            f"df/dw2 = {two(DF)}")


def test_max_routes_the_whole_gradient_to_the_larger_input():
    caption = animate(patterns().root).captions[7]  # backward 3/4: the max gate
    assert caption.startswith("max: local 1.00 and 0.00 (" + GATES["max"].rule + ")")
    assert caption.endswith("upstream 2.00, sends 2.00 to z, 0.00 to w")


NUMBER = re.compile(r"(?<![\w^/.])-?\d+(?:\.\d+)?(?![\w^/.])")  # not the 2 of x^2, not 1/x
# Inputs inside each gate's domain, to drive every row of the table through a caption.
GATE_INPUTS = {"add": (0.5, -1.5), "mul": (0.5, -1.5), "pow": (1.5, 2.5), "exp": (0.5,),
               "log": (1.5,), "max": (0.5, -1.5), "recip": (-0.8,), "relu": (0.5,),
               "tanh": (0.5,), "sigmoid": (-0.5,), "linear": (0.5, -1.0, 2.0, 0.25, 0.1),
               "sum": (0.5, -1.5, 2.0)}


@pytest.mark.parametrize("name", sorted(GATE_INPUTS))
def test_each_gates_caption_shows_its_table_local_gradients_and_what_it_sends(name):
    gate = GATES[name]
    inputs = [Value(x, label=f"i{k}") for k, x in enumerate(GATE_INPUTS[name])]
    out = apply(gate, *inputs) * 3.0  # upstream 3 at the gate
    caption = animate(out).captions[-2]  # backward 2/2: our gate
    local = gate.local(gate.forward(*GATE_INPUTS[name]), *GATE_INPUTS[name])
    assert caption.startswith(gate.symbol + ": local ")
    assert ", upstream 3.00, sends " in caption
    local_part, sends_part = caption.split(", upstream")[0], caption.split(", sends ")[1]
    numbers = [float(t) for t in NUMBER.findall(local_part)]  # `1` as the rule writes it, 0.79
    sends = [float(t) for t in NUMBER.findall(sends_part)]
    for k, partial in enumerate(local):
        assert any(abs(x - partial) <= 0.005 for x in numbers), (k, caption)
        assert any(abs(x - 3.0 * partial) <= 0.005 for x in sends), (k, caption)
    expressions = re.findall(r"d/d\w+ = ([^,=]+?)(?: = [^,]+)?(?:,|$)", gate.rule)
    if gate.arity is not None and len(expressions) == len(local):
        for expression in expressions:  # each partial as the rule writes it
            assert expression.strip() in caption, (expression, caption)


def test_a_leaf_root_has_the_input_frame_and_the_finished_one():
    x = Value(1.5, label="x")
    player = animate(x)
    assert len(player) == 2 and player.captions[-1] == "done: every gradient is computed"
    x.backward()
    assert player.frame(1).source == draw(x).source


# --- exports ---------------------------------------------------------------------------------

def near(picture: Image.Image, rgb: tuple[int, int, int], within: int = 24) -> int:
    """How many pixels are within `within` of a colour in every channel."""
    return sum(n for n, c in picture.getcolors(1 << 24)
               if all(abs(a - b) <= within for a, b in zip(c, rgb)))


def test_gif_has_one_frame_per_step_of_one_size_and_the_duration(sigmoid, tmp_path):
    root, _ = sigmoid
    player = animate(root)
    path = player.save(tmp_path / "backward.gif", duration=1.5)
    picture = Image.open(path)
    assert picture.format == "GIF" and picture.n_frames == len(player) == 18
    frames, sizes = [], set()
    for k in range(picture.n_frames):
        picture.seek(k)
        assert picture.info["duration"] == 1500
        frames.append(picture.convert("RGB"))
        sizes.add(picture.size)
    assert len(sizes) == 1
    red, amber = (0xCF, 0x22, 0x2E), (0xFF, 0xF1, 0xB8)
    assert near(frames[0], red) == 0 and near(frames[0], amber) == 0   # inputs only
    assert near(frames[9], red) > 0 and near(frames[9], amber) > 100   # 1/x at work
    assert near(frames[-1], amber) == 0 and near(frames[-1], red) > near(frames[9], red)


def test_gif_without_pillow_says_what_to_install(sigmoid, tmp_path, monkeypatch):
    monkeypatch.setitem(__import__("sys").modules, "PIL", None)
    with pytest.raises(ImportError,
                       match=r"GIF needs Pillow \(a dependency of gategrad\): pip install Pillow"):
        animate(sigmoid[0]).save(tmp_path / "x.gif")


def embedded(page: str, name: str) -> list[str]:
    found = re.search(rf"\b{name} = (\[.*?\])[,;]", page, re.DOTALL)
    return json.loads(found[1])


def test_html_page_holds_every_frame_and_caption(sigmoid, tmp_path):
    root, _ = sigmoid
    player = animate(root, duration=0.5)
    page = player.save(tmp_path / "backward.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    # every frame once, in the static strip a page without JavaScript shows (the script reads
    # its frames from there)
    frames = re.findall(r'<div class="gg-strip-svg">(.*?)</div></div>', page, re.DOTALL)
    assert len(frames) == len(player)
    assert [f.replace('<svg style="max-width: 100%; height: auto"', "<svg", 1) for f in frames] \
        == [player.frame(k).svg()[player.frame(k).svg().find("<svg"):]
            for k in range(len(player))]
    strip_captions = re.findall(r'<div class="gg-strip-caption"[^>]*>(.*?)</div>', page)
    assert strip_captions == [html.escape(f"{p}: {c}") for p, c in zip(player.phases,
                                                                      player.captions)]
    assert embedded(page, "captions") == player.captions
    assert embedded(page, "phases") == player.phases
    assert "delay = 500" in page
    for action in ("first", "prev", "play", "next", "last", "screen"):
        assert f'data-action="{action}"' in page
    assert "</script>" not in "".join(re.findall(r"var frames = .*?;\n", page, re.DOTALL))[:-1]


def test_a_folder_gets_numbered_frames_and_captions(sigmoid, tmp_path):
    player = animate(sigmoid[0], forward=False)
    folder = player.save(tmp_path / "frames/")
    svgs = sorted(folder.glob("frame-*.svg"))
    assert [p.name for p in svgs] == [f"frame-{k:03d}.svg" for k in range(len(player))]
    assert svgs[0].read_text(encoding="utf-8") == player.frame(0).svg()
    lines = (folder / "captions.txt").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "000  backward 1/8: 1/x: local -1/x^2 = -0.53, upstream 1.00, sends -0.53"
    pngs = player.save(tmp_path / "png", fmt="png")
    assert len(list(pngs.glob("frame-*.png"))) == len(player)
    assert (pngs / "frame-000.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_player_shows_itself_in_jupyter_and_says_when_it_cannot(sigmoid, monkeypatch):
    player = animate(sigmoid[0])
    shown = player._repr_html_()
    assert shown.count("<svg") == len(player)  # each frame once, in the static strip
    assert 'class="gg-strip"' in shown and 'data-action="screen"' in shown
    monkeypatch.setenv("GATEGRAD_DOT", "no-such-dot-program")
    fresh = animate(sigmoid[0])._repr_html_()
    assert fresh.startswith("<pre>") and "no-such-dot-program" in fresh


def test_gg_names_and_cli(tmp_path):
    from gategrad.cli import main
    assert gg.animate is animate and isinstance(gg.animate(Value(1.0)), Player)
    path = tmp_path / "backward.gif"
    assert main(["example", "sigmoid-gate", "--animate", str(path), "--frame-seconds",
                 "0.5"]) == 0
    picture = Image.open(path)
    assert picture.n_frames == 18 and picture.info["duration"] == 500


# --- bad input -------------------------------------------------------------------------------

def test_bad_input_gets_a_clear_error(sigmoid, tmp_path):
    root, _ = sigmoid
    with pytest.raises(TypeError, match="animate: expected a Value, got float"):
        animate(1.0)
    with pytest.raises(ValueError, match="style must be one of circuit, nodes, got 'boxes'"):
        animate(root, style="boxes")
    with pytest.raises(TypeError, match="forward must be True or False"):
        animate(root, forward="no")
    for bad in (0, -1.0, math.nan, math.inf, "1"):
        with pytest.raises(ValueError, match="duration must be a number of seconds > 0"):
            animate(root, duration=bad)
    with pytest.raises(ValueError, match="digits must be a whole number >= 0, got -1"):
        animate(root, digits=-1)
    with pytest.raises(ValueError, match="rankdir must be 'LR' or 'TB', got 'RL'"):
        animate(root, rankdir="RL")
    with pytest.raises(ValueError, match="8 gates, 18 frames; .* raise max_gates"):
        animate(root, max_gates=7)
    player = animate(root)
    with pytest.raises(IndexError, match="no frame 18; this player has 18"):
        player.frame(18)
    with pytest.raises(ValueError, match=r"cannot save an animation as 'x.pdf'"):
        player.save(tmp_path / "x.pdf")
    with pytest.raises(ValueError, match="frames are written as svg or png, got fmt='jpg'"):
        player.save(tmp_path / "frames", fmt="jpg")


# --- slide controls and the player's page ------------------------------------------------------

def test_animate_takes_draws_slide_controls(sigmoid, tmp_path):
    root, _ = sigmoid  # backward() has run once
    options = dict(fontsize=18, caption="the sigmoid neuron", wire_labels=True,
                   subscripts=True)
    player = animate(root, **options)
    assert player.frame(-1).source == draw(root, **options).source
    page = player.save(tmp_path / "slides.html").read_text(encoding="utf-8")
    assert ".gg-caption { font-size: 27px;" in page  # 1.5 x the numbers' 18pt
    default = animate(root).html()
    assert ".gg-caption { font-size: 16px;" in default


def test_a_larger_fontsize_gives_the_gif_larger_captions(sigmoid, tmp_path):
    root, _ = sigmoid
    small = Image.open(animate(root, forward=False).save(tmp_path / "small.gif"))
    large = Image.open(animate(root, forward=False, fontsize=22).save(tmp_path / "large.gif"))
    assert large.n_frames == small.n_frames
    assert large.size[1] > small.size[1]  # the numbers and the caption lines grow


def test_the_nodes_style_player_stands_top_to_bottom(sigmoid):
    # left to right, the nodes style is about twice as wide as a notebook's column
    assert "rankdir=TB" in animate(sigmoid[0], style="nodes").frame(0).source
    assert "rankdir=LR" in animate(sigmoid[0], style="nodes", rankdir="LR").frame(0).source
    assert "rankdir=LR" in animate(sigmoid[0]).frame(0).source


def test_the_page_without_javascript_is_a_strip_of_every_frame(sigmoid):
    player = animate(sigmoid[0], forward=False)
    shown = player.html()
    strip = shown[shown.index('<div class="gg-strip">'):shown.index("<script>")]
    assert strip.count("<svg") == len(player)
    assert strip.count('class="gg-strip-caption"') == len(player)
    assert html.escape(f"{player.phases[0]}: {player.captions[0]}") in strip
    # the buttons and the single view stay hidden until the script shows them
    assert '<div class="gg-bar" style="display: none">' in shown
    assert '<div class="gg-view" style="display: none"></div>' in shown
