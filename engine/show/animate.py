"""Backpropagation as a sequence of pictures: `animate(root)` and the `Player` that shows them.

The lecture teaches backward as steps: the forward values appear gate by gate, then the gradient
starts at 1 on the output and each gate multiplies it by its local gradient and passes it back.
`animate` draws one frame per step, on the user's own graph:

- frame 0 shows the inputs only;
- one forward frame per gate, in topological order: the gate highlighted, its output value added;
- one backward frame per gate, in the order backward() visits them (reversed(root.nodes())): the
  gate highlighted, its output's gradient and what it sends to each input shown, every gradient
  not computed yet left blank, and a caption from the gate table's `local` and `rule`;
- the last frame: the finished diagram, the same as draw(root) after backward().

The gradients are computed here with the chain rule exactly as backward() applies it, into a list
beside the graph: like draw(), animate only reads the graph and never writes to a Value.
"""

from __future__ import annotations

import html
import io
import json
import math
import re
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..value import Value
from .captions import caption, number, visit_order

if TYPE_CHECKING:  # drawing imports graphviz: only when a frame is drawn
    from .drawing import Frame
    from .rendering import Diagram

MAX_GATES = 100  # 2 frames per gate: beyond this a player is long to render and to watch
DURATION = 1.0   # seconds per frame, when playing and in a GIF
FRAME_FORMATS = ("svg", "png")


@dataclass(frozen=True)
class Step:
    """One frame: where it is in the pass ("forward 3/8"), what the margin note says, and what
    the diagram shows (a drawing.Frame)."""

    phase: str
    caption: str
    frame: Frame


def animate(root: Value, forward: bool = True, style: str = "circuit", rankdir: str | None = None,
            digits: int = 2, duration: float = DURATION, max_gates: int = MAX_GATES,
            fontsize: float | None = None, caption: str | None = None, wire_labels: bool = False,
            subscripts: bool = False) -> Player:
    """The forward and backward pass of `root`'s graph as frames of its diagram: a `Player`.

    forward=False gives the backward frames only (and the finished diagram). style, rankdir and
    digits are draw()'s; rankdir defaults to "LR" for the circuit and "TB" for the nodes style
    (which, left to right, is too wide to read in a notebook's column). fontsize, caption,
    wire_labels and subscripts are draw()'s slide controls; fontsize also sets the size of the
    player's and the GIF's captions. duration: seconds per frame when playing, and in a GIF.
    `len(player)` counts the frames, `player.frame(k)` is frame k as a diagram, `player.save(path)`
    writes a .gif, a standalone .html player, or a folder of numbered frames. In Jupyter the
    player shows itself with buttons, a slider and the caption; arrow keys step.

    >>> from gategrad.engine import Value
    >>> x = Value(3.0, label="x"); y = (x * x).exp()
    >>> player = animate(y)
    >>> len(player)   # the inputs, 2 gates forward, 2 gates backward, the finished diagram
    6
    >>> player.captions[3]
    'exp: local exp(x) = 8103.08, upstream 1.00, sends 8103.08'
    """
    if not isinstance(root, Value):
        raise TypeError(f"animate: expected a Value, got {type(root).__name__}")
    if not isinstance(forward, bool):
        raise TypeError(f"animate: forward must be True or False, got {forward!r}")
    from .drawing import STYLES
    if style not in STYLES:
        raise ValueError(f"animate: style must be one of {', '.join(STYLES)}, got {style!r}")
    _check_duration(duration, "animate")
    if isinstance(digits, bool) or not isinstance(digits, int) or digits < 0:
        raise ValueError(f"animate: digits must be a whole number >= 0, got {digits!r}")
    nodes = visit_order(root)
    gates = sum(1 for v in nodes if v.gate is not None)
    if gates > max_gates:
        raise ValueError(f"animate: this graph has {gates} gates, {2 * gates + 2} frames; "
                         f"animate a part of it (an interior Value) or raise max_gates "
                         f"(now {max_gates})")
    steps = _Pass(nodes, digits).steps(forward)
    if rankdir is None:
        rankdir = "TB" if style == "nodes" else "LR"
    options = {"style": style, "rankdir": rankdir, "digits": digits}
    slides = {"fontsize": fontsize, "caption": caption, "wire_labels": wire_labels,
              "subscripts": subscripts}
    options.update({k: v for k, v in slides.items() if v not in (None, False)})
    player = Player(root, steps, options, duration)
    player.frame(-1)  # its DOT now (no rendering yet), so that draw's own checks speak here
    return player


class _Pass:
    """The forward and backward pass of one graph, replayed step by step for the frames."""

    def __init__(self, nodes: list[Value], digits: int):
        self.nodes, self.digits = nodes, digits
        self.index = {v: i for i, v in enumerate(nodes)}
        self.gates = [i for i, v in enumerate(nodes) if v.gate is not None]
        # Every use of a node that receives a gradient, as (gate, input position), in the order
        # the diagram draws a fork's branches; a node is complete once all its uses have sent.
        self.uses: list[list[tuple[int, int]]] = [[] for _ in nodes]
        for i in self.gates:
            for k, p in enumerate(nodes[i].parents):
                if not p.is_constant:
                    self.uses[self.index[p]].append((i, k))
        self.names = _expressions(nodes)
        self._backward()

    def _backward(self) -> None:
        """backward()'s chain rule into lists: grads[i], and sent[(gate, k)] as draw() shows it."""
        last = len(self.nodes) - 1
        grads = [0.0] * len(self.nodes)
        grads[last] = 1.0
        self.local: dict[int, tuple[float, ...]] = {}
        self.sent: dict[tuple[int, int], float] = {}
        for i in reversed(self.gates):
            v, g = self.nodes[i], grads[i]
            local = v.gate.local(v.data, *[p.data for p in v.parents])
            self.local[i] = local
            for k, p in enumerate(v.parents):
                if p.is_constant:
                    continue
                # backward() passes nothing on from a zero gradient or along a zero local one
                # (0 * an infinite local would be nan), and the diagram shows such a wire as 0.
                self.sent[(i, k)] = local[k] * g if g != 0.0 else 0.0
                if g != 0.0 and local[k] != 0.0:
                    grads[self.index[p]] += local[k] * g
        self.grads = tuple(grads)

    def steps(self, forward: bool) -> list[Step]:
        from .drawing import Frame
        last = len(self.nodes) - 1
        count = len(self.gates)
        steps = []
        if forward:
            shown = {i for i, v in enumerate(self.nodes) if v.gate is None}
            steps.append(Step("inputs", self._inputs_caption(),
                              Frame(self.grads, frozenset(shown), frozenset(), frozenset())))
            for j, i in enumerate(self.gates, 1):
                shown.add(i)
                steps.append(Step(f"forward {j}/{count}", self._forward_caption(i),
                                  Frame(self.grads, frozenset(shown), frozenset(), frozenset(), i)))
        known, sent = {last}, set()
        waiting = [len(u) for u in self.uses]
        for j, i in enumerate(reversed(self.gates), 1):
            completed = []
            for k, p in enumerate(self.nodes[i].parents):
                if p.is_constant:
                    continue
                sent.add((i, k))
                q = self.index[p]
                waiting[q] -= 1
                if waiting[q] == 0:
                    known.add(q)
                    completed.append(q)
            text = self._backward_caption(i) + "".join(self._fork_note(q) for q in completed)
            steps.append(Step(f"backward {j}/{count}", text,
                              Frame(self.grads, None, frozenset(known), frozenset(sent), i)))
        steps.append(Step("done", self._done_caption(), Frame(self.grads)))
        return steps

    # --- captions: the lecture's margin notes -----------------------------------------------

    def _num(self, x: float) -> str:
        return number(x, self.digits)

    def _inputs_caption(self) -> str:
        leaves = [v for v in self.nodes if v.gate is None and not v.is_constant]
        named = [f"{v.label} = {self._num(v.data)}" for v in leaves if v.label]
        if not named:
            return f"the inputs: {len(leaves)} numbers, the forward pass starts from them"
        return "the inputs: " + _listed(named, 8)

    def _forward_caption(self, i: int) -> str:
        """The gate's formula with numbers: `exp: exp(-1.00) = 0.37`, `+1: 0.37 + 1 = 1.37`."""
        v = self.nodes[i]
        args = [number(p.data) if p.is_constant else self._num(p.data) for p in v.parents]
        return f"{caption(v)}: {_formula(v, args, spaced=True)} = {self._num(v.data)}"

    def _backward_caption(self, i: int) -> str:
        v, g = self.nodes[i], self.grads[i]
        local = self.local[i]
        takers = [k for k, p in enumerate(v.parents) if not p.is_constant]
        head = f"{caption(v)}: "
        if not takers:
            return head + "every input is a constant, nothing to send back"
        terms = _rule_terms(v)
        upstream = f"upstream {self._num(g)}"
        if len(takers) == 1:
            k = takers[0]
            if terms is None:
                local_text = f"{self._num(local[k])} ({v.gate.rule})"
            else:
                local_text = _term(terms[k][1], self._num(local[k]))
            return head + f"local {local_text}, {upstream}, sends {self._num(self.sent[(i, k)])}"
        if terms is None:  # a rule in words (max) or over indexed inputs (w·x+b, Σ)
            names = [self.names[self.index[v.parents[k]]] or f"input {k + 1}" for k in takers]
            local_text = (_listed([self._num(local[k]) for k in takers], 6, " and ")
                          + f" ({v.gate.rule})")
        else:
            names = [terms[k][0] + (f" = {self.names[self.index[v.parents[k]]]}"
                                    if self.names[self.index[v.parents[k]]] else "")
                     for k in takers]
            local_text = ", ".join(f"d/d{terms[k][0]} = {_term(terms[k][1], self._num(local[k]))}"
                                   for k in takers)
        sends = [f"{self._num(self.sent[(i, k)])} to {name}" for k, name in zip(takers, names)]
        return head + f"local {local_text}, {upstream}, sends {_listed(sends, 8)}"

    def _fork_note(self, q: int) -> str:
        uses = self.uses[q]
        if len(uses) < 2:
            return ""
        parts = [self.sent[u] for u in uses]
        total = _sum_text(parts, self.grads[q], self.digits)
        times = "twice" if len(uses) == 2 else f"{len(uses)} times"
        name = self.names[q] or f"the output of {caption(self.nodes[q])}"
        return f"; {name} is used {times}, so its gradients add: {total}"

    def _done_caption(self) -> str:
        root = self.nodes[-1].label or "out"
        named = [f"d{root}/d{v.label} = {self._num(self.grads[i])}"
                 for i, v in enumerate(self.nodes)
                 if v.gate is None and not v.is_constant and v.label and v is not self.nodes[-1]]
        if not named:
            return "done: every gradient is computed"
        return "done: " + _listed(named, 8)


def _rule_terms(v: Value) -> list[tuple[str, str]] | None:
    """The rule's variable and expression per input: 'd/dx = -1/x^2 = -out^2' -> [('x', '-1/x^2')].

    None for a rule written in words (max) or over indexed inputs (w·x+b: 'd/dw_i = x_i, ...').
    """
    if v.gate.arity is None:
        return None
    terms = []
    for part in re.split(r",\s*(?=d/d)", v.gate.rule):
        found = re.fullmatch(r"d/d(\w+) = (.+?)(?: = .*)?", part.strip())
        if found is None:
            return None
        terms.append((found[1], found[2]))
    return terms if len(terms) == len(v.parents) else None


def _term(expression: str, value: str) -> str:
    """'-1/x^2 = -0.53'; a rule that is a plain number ('1') is its own value."""
    return expression if re.fullmatch(r"-?\d+(\.\d+)?", expression) else f"{expression} = {value}"


INFIX = {"add": " + ", "mul": "*", "pow": "**"}
NAME_LENGTH = 24  # longer expressions make a caption hard to read: such a node goes unnamed


def _expressions(nodes: list[Value], given: dict[Value, str] | None = None) -> list[str | None]:
    """A short name per node for the captions: the name `given` to it, its label, or its
    expression in those names when that is short (`w0*x0 + w1*x1`, `-dot`), else None. Built in
    topological order, without recursion."""
    names: list[str | None] = []
    index = {v: i for i, v in enumerate(nodes)}
    given = given or {}
    for v in nodes:
        if v in given:
            names.append(given[v])
            continue
        if v.label or v.gate is None:
            names.append(v.label or number(v.data))
            continue
        args = [number(p.data) if p.is_constant else names[index[p]] for p in v.parents]
        if None in args:
            names.append(None)
            continue
        if v.gate.name == "mul" and args[1] == "-1":
            text = f"-{args[0]}" if args[0].isidentifier() else f"-({args[0]})"
        else:
            if v.gate.name == "mul":  # a sum inside a product needs its parentheses
                args = [f"({a})" if " + " in a else a for a in args]
            text = _formula(v, args)
        names.append(text if len(text) <= NAME_LENGTH else None)
    return names


def _formula(v: Value, args: list[str], spaced: bool = False) -> str:
    """The gate applied to `args` as the lecture writes it: a + b, a*b, 1/x, exp(x), max(a, b).
    `spaced` puts spaces around every operator, for numbers: 2.00 * -1.00."""
    name = v.gate.name
    if name in INFIX and len(args) == 2:
        return args[0] + (f" {INFIX[name].strip()} " if spaced else INFIX[name]) + args[1]
    if name == "recip":
        return "1/" + (args[0] if args[0].replace(".", "").isalnum() else f"({args[0]})")
    return f"{v.gate.symbol}({_listed(args, 6)})"


def _sum_text(parts: list[float], total: float, digits: int) -> str:
    """'0.22 + 0.42 = 0.64'; with more decimals where the rounded parts would not add up to the
    rounded total (0.044 - 0.156 = -0.112 shows as 0.04 - 0.16 = -0.11 with two)."""
    for shown in range(digits, digits + 4):
        rounded = [round(p, shown) for p in parts]
        if round(sum(rounded), shown) == round(total, shown) or not math.isfinite(total):
            break
    text = number(parts[0], shown) + "".join(
        f" - {number(-p, shown)}" if p < 0 else f" + {number(p, shown)}" for p in parts[1:])
    return f"{text} = {number(total, shown)}"


def _listed(items: list[str], most: int, last_join: str = ", ") -> str:
    if len(items) > most:
        return ", ".join(items[:most]) + f", ... ({len(items)} in all)"
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + last_join + items[-1]


def _check_duration(duration, where: str) -> None:
    if isinstance(duration, bool) or not isinstance(duration, (int, float)) \
            or not math.isfinite(duration) or duration <= 0:
        raise ValueError(f"{where}: duration must be a number of seconds > 0, got {duration!r}")


class Player:
    """The frames of `animate()`: `len(player)`, `player.frame(k)`, `.captions`, `.save(path)`.

    In Jupyter it shows as the diagram with buttons (first, previous, play/pause, next, last), a
    slider and the caption, one self-contained HTML and JavaScript output: every frame is rendered
    to SVG once and stepping happens in the page, so it needs no kernel and works in exported HTML.
    """

    def __init__(self, root: Value, steps: list[Step], options: dict, duration: float):
        self.root, self.steps, self.options, self.duration = root, steps, options, duration
        self._diagrams: dict[int, Diagram] = {}

    def __len__(self) -> int:
        return len(self.steps)

    @property
    def captions(self) -> list[str]:
        return [s.caption for s in self.steps]

    @property
    def phases(self) -> list[str]:
        """Where each frame is: 'inputs', 'forward 3/8', 'backward 1/8', 'done'."""
        return [s.phase for s in self.steps]

    def frame(self, k: int) -> Diagram:
        """Frame k (negative counts from the end) as a diagram: `.source`, `.svg()`, `.save()`."""
        if isinstance(k, bool) or not isinstance(k, int):
            raise TypeError(f"Player.frame: k must be a whole number, got {k!r}")
        if not -len(self) <= k < len(self):
            raise IndexError(f"Player.frame: no frame {k}; this player has {len(self)} "
                             f"(0 to {len(self) - 1})")
        k %= len(self)
        if k not in self._diagrams:
            self._diagrams[k] = self._draw(self.steps[k].frame)
        return self._diagrams[k]

    def _draw(self, frame) -> Diagram:
        """One frame's diagram (a player of another kind of diagram draws its own)."""
        from .drawing import draw
        return draw(self.root, frame=frame, **self.options)

    def svgs(self) -> list[str]:
        """Every frame as SVG text, without the XML prolog (ready to put into a page)."""
        return [_inline_svg(self.frame(k).svg()) for k in range(len(self))]

    # --- saving -----------------------------------------------------------------------------

    def save(self, path, duration: float | None = None, fmt: str = "svg") -> Path:
        """Write `path.gif` (animated, `duration` seconds per frame), `path.html` (this player as
        a standalone page), or, for a folder (a path ending in / or without a suffix), the frames
        as numbered files frame-000.svg ... (fmt="png" for PNG) and their captions.txt."""
        duration = self.duration if duration is None else duration
        _check_duration(duration, "Player.save")
        text = str(path)
        path = Path(path)
        suffix = path.suffix.lower()
        if text.endswith(("/", "\\")) or path.is_dir() or not suffix:
            return self._save_frames(path, fmt)
        if suffix == ".gif":
            path.write_bytes(self.gif(duration))
        elif suffix in (".html", ".htm"):
            path.write_text(self.page(duration), encoding="utf-8")
        else:
            raise ValueError(f"Player.save: cannot save an animation as {path.name!r}: use .gif, "
                             ".html, or a folder for numbered frames")
        return path

    def _save_frames(self, folder: Path, fmt: str) -> Path:
        if fmt not in FRAME_FORMATS:
            raise ValueError(f"Player.save: frames are written as {' or '.join(FRAME_FORMATS)}, "
                             f"got fmt={fmt!r}")
        folder.mkdir(parents=True, exist_ok=True)
        width = max(3, len(str(len(self) - 1)))
        for k in range(len(self)):
            self.frame(k).save(folder / f"frame-{k:0{width}d}.{fmt}")
        lines = [f"{k:0{width}d}  {s.phase}: {s.caption}" for k, s in enumerate(self.steps)]
        (folder / "captions.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
        return folder

    def gif(self, duration: float | None = None) -> bytes:
        """The animated GIF: every frame as PNG with its caption under it, all the same size."""
        duration = self.duration if duration is None else duration
        _check_duration(duration, "Player.gif")
        pngs = [self.frame(k).pipe("png") for k in range(len(self))]
        texts = [(s.phase, s.caption) for s in self.steps]
        return _gif(pngs, texts, round(duration * 1000), self._fontsize())

    def _fontsize(self) -> float:
        from .drawing import NUMBER_SIZE
        return self.options.get("fontsize") or NUMBER_SIZE

    # --- the HTML player --------------------------------------------------------------------

    def html(self, duration: float | None = None) -> str:
        """The player as one HTML element with its script (what Jupyter shows)."""
        duration = self.duration if duration is None else duration
        return _player_html(self.svgs(), self.phases, self.captions, round(duration * 1000),
                            f"gg-player-{uuid.uuid4().hex[:12]}", self._fontsize())

    def page(self, duration: float | None = None) -> str:
        """The player as a standalone HTML page."""
        title = html.escape(f"gategrad: backpropagation through {self.root.label or 'a graph'}")
        return (f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
                f"<title>{title}</title>\n</head>\n<body>\n{self.html(duration)}\n</body>\n"
                "</html>\n")

    def _repr_html_(self) -> str:
        from .rendering import RenderError
        try:
            return self.html()
        except (OSError, ValueError, RenderError) as err:  # no renderer: one line, no traceback
            message = f"{self!r}\ncannot render it: {err}"
            return f"<pre>{html.escape(message)}</pre>"

    def __repr__(self) -> str:
        return (f"<Player: {len(self)} frames, {self.options['style']} style; len(), .frame(k), "
                ".captions, .save(path)>")


def _inline_svg(svg: str) -> str:
    """Graphviz's SVG from its <svg> tag on: the XML prolog and doctype may not stand in a page."""
    start = svg.find("<svg")
    return svg[start:] if start >= 0 else svg


def _json(data) -> str:
    """JSON that can stand inside a <script> element ("</script>" in a caption cannot end it)."""
    return json.dumps(data).replace("</", "<\\/")




# --- the GIF: Pillow assembles PNG frames, each with its caption under the diagram -------------

CAPTION_PX = 24     # the wire labels' size at the renderer's 144 dpi
MARGIN = 16
INK, GREY = (36, 41, 47), (87, 96, 106)


def _gif(pngs: list[bytes], texts: list[tuple[str, str]], milliseconds: int,
         fontsize: float = 11) -> bytes:
    try:
        from PIL import Image, ImageDraw, ImageFont
    except ImportError:
        raise ImportError("saving an animation as GIF needs Pillow (a dependency of gategrad): "
                          "pip install Pillow; .html and frame folders work without it") from None
    pictures = [Image.open(io.BytesIO(png)).convert("RGB") for png in pngs]
    width = max(p.width for p in pictures)
    top = max(p.height for p in pictures)
    size = round(CAPTION_PX * fontsize / 11)  # the wire labels' size, at the renderer's dpi
    font = ImageFont.load_default(size=size)
    small = ImageFont.load_default(size=size * 4 // 5)
    line = size * 3 // 2
    notes = [_wrap(text, font, width - 2 * MARGIN) for _, text in texts]
    height = top + MARGIN // 2 + line + max(len(lines) for lines in notes) * line + MARGIN
    frames = []
    for picture, (phase, _), lines in zip(pictures, texts, notes):
        canvas = Image.new("RGB", (width, height), "white")  # padded to the largest frame
        canvas.paste(picture, (0, 0))
        pen = ImageDraw.Draw(canvas)
        y = top + MARGIN // 2
        pen.text((MARGIN, y), phase, fill=GREY, font=small)
        for text in lines:
            y += line
            pen.text((MARGIN, y), text, fill=INK, font=font)
        frames.append(canvas.quantize(256, method=Image.Quantize.MEDIANCUT,
                                      dither=Image.Dither.NONE))
    out = io.BytesIO()
    frames[0].save(out, format="GIF", save_all=True, append_images=frames[1:],
                   duration=milliseconds, loop=0)
    return out.getvalue()


def _wrap(text: str, font, width: int) -> list[str]:
    """Greedy word wrap by the font's measured widths."""
    lines, current = [], ""
    for word in text.split(" "):
        trial = f"{current} {word}" if current else word
        if current and font.getlength(trial) > width:
            lines.append(current)
            current = word
        else:
            current = trial
    return lines + [current]


# --- the HTML player: every frame embedded, stepping in the page, no kernel needed ------------

PLAYER = """<div id="@ID@" class="gg-player" tabindex="0" data-lm-suppress-shortcuts="true"
 data-frame="0" style="font-family: Helvetica, Arial, sans-serif; outline: none;">
<style>
#@ID@ .gg-view svg { max-width: 100%; height: auto; }
#@ID@ .gg-bar { align-items: center; gap: 4px; margin: 4px 0; flex-wrap: wrap; }
#@ID@ .gg-bar button { font-size: @BUTTON@px; min-width: 3.2em; cursor: pointer; }
#@ID@ .gg-bar input { flex: 0 1 320px; }
#@ID@ .gg-index { font-size: @SMALL@px; color: #57606a; min-width: 4.5em; }
#@ID@ .gg-phase { font-size: @SMALL@px; color: #57606a; }
#@ID@ .gg-caption { font-size: @CAPTION_PX@px; color: #24292f; min-height: 2.6em;
 max-width: 60em; }
#@ID@:focus-within { box-shadow: 0 0 0 1px #d0d7de; }
#@ID@:fullscreen { background: white; padding: 2vh 3vw; box-sizing: border-box;
 display: flex; flex-direction: column; }
#@ID@:fullscreen .gg-view { flex: 1 1 auto; min-height: 0; }
#@ID@:fullscreen .gg-view svg { width: 100% !important; height: 100% !important;
 max-width: none !important; }
#@ID@:fullscreen .gg-caption { font-size: max(24px, 2.2vw); max-width: none; }
#@ID@:fullscreen .gg-phase, #@ID@:fullscreen .gg-index { font-size: max(18px, 1.5vw); }
#@ID@:fullscreen .gg-bar button { font-size: max(16px, 1.2vw); }
</style>
<div class="gg-view" style="display: none"></div>
<div class="gg-bar" style="display: none">
<button type="button" data-action="first" title="first frame (Home)">|&#9664; first</button>
<button type="button" data-action="prev" title="previous frame (left arrow)">&#9664; prev</button>
<button type="button" data-action="play" title="play or pause">play</button>
<button type="button" data-action="next" title="next frame (right arrow)">next &#9654;</button>
<button type="button" data-action="last" title="last frame (End)">last &#9654;|</button>
<input type="range" class="gg-slider" min="0" max="@LAST@" value="0" step="1"
 aria-label="frame">
<span class="gg-index">1 / @COUNT@</span>
<button type="button" data-action="screen" title="full screen, for a projector (Esc leaves)"
>full screen</button>
</div>
<div class="gg-phase" style="display: none">@PHASE@</div>
<div class="gg-caption" style="display: none">@CAPTION@</div>
<div class="gg-strip">
<div class="gg-noscript" style="font-size: 13px; color: #9a6700;">The player needs JavaScript
(in Jupyter: run the cell again, or trust the notebook); here are its @COUNT@ frames.</div>
@STRIP@
</div>
<script>
(function () {
  // the player around this script: the same output shown twice has two players of one id
  var here = document.currentScript;
  var root = (here && here.closest(".gg-player")) || document.getElementById("@ID@");
  if (!root || root.getAttribute("data-ready")) { return; }
  root.setAttribute("data-ready", "1");
  var phases = @PHASES@, captions = @CAPTIONS@, delay = @DELAY@;
  // the frames are the static strip's pictures: read once, then the strip gives way
  var strip = root.querySelector(".gg-strip");
  var frames = Array.prototype.map.call(strip.querySelectorAll(".gg-strip-svg"),
                                        function (f) { return f.innerHTML; });
  strip.remove();
  var view = root.querySelector(".gg-view"), slider = root.querySelector(".gg-slider");
  var bar = root.querySelector(".gg-bar");
  var index = root.querySelector(".gg-index"), phase = root.querySelector(".gg-phase");
  var caption = root.querySelector(".gg-caption");
  [view, phase, caption].forEach(function (e) { e.style.display = ""; });
  bar.style.display = "flex";
  var playButton = root.querySelector('[data-action="play"]');
  var k = 0, timer = null;
  function show(j) {
    k = Math.max(0, Math.min(frames.length - 1, j));
    view.innerHTML = frames[k];
    slider.value = k;
    index.textContent = (k + 1) + " / " + frames.length;
    phase.textContent = phases[k];
    caption.textContent = captions[k];
    root.setAttribute("data-frame", k);
  }
  function stop() {
    if (timer !== null) { clearInterval(timer); timer = null; }
    playButton.textContent = "play";
  }
  function play() {
    if (k === frames.length - 1) { show(0); }
    playButton.textContent = "pause";
    timer = setInterval(function () {
      show(k + 1);
      if (k >= frames.length - 1) { stop(); }  // the last frame stays, the button says play
    }, delay);
  }
  var actions = {
    first: function () { stop(); show(0); },
    prev: function () { stop(); show(k - 1); },
    play: function () { if (timer === null) { play(); } else { stop(); } },
    next: function () { stop(); show(k + 1); },
    last: function () { stop(); show(frames.length - 1); },
    screen: function () {  // a projector: the player alone on the screen, its text larger
      if (document.fullscreenElement) { document.exitFullscreen(); }
      else if (root.requestFullscreen) { root.requestFullscreen(); }
    }
  };
  root.querySelectorAll("button[data-action]").forEach(function (button) {
    button.addEventListener("click", actions[button.getAttribute("data-action")]);
  });
  slider.addEventListener("input", function () { stop(); show(Number(slider.value)); });
  // The player takes the keys as soon as it is shown: while the focus is in it, and while
  // nothing has the focus (a page of its own) and it is the player last shown or used.
  window.ggKeyPlayer = root;
  root.addEventListener("pointerdown", function () { window.ggKeyPlayer = root; });
  var keys = {ArrowRight: "next", ArrowLeft: "prev", Home: "first", End: "last"};
  // Listened for on the window before anything else sees them (capture phase): Notebook 7 takes
  // arrow keys at the document for its cells.
  function onKey(event) {
    if (!document.contains(root)) { window.removeEventListener("keydown", onKey, true); return; }
    var free = event.target === document.body || event.target === document.documentElement;
    if (!root.contains(event.target) && !(free && window.ggKeyPlayer === root)) { return; }
    if (!keys[event.key] || event.altKey || event.ctrlKey || event.metaKey) { return; }
    event.stopPropagation();  // the notebook's own shortcuts must not act on these keys too
    if (event.target === slider) { return; }  // a focused slider steps itself, reports "input"
    event.preventDefault();
    actions[keys[event.key]]();
  }
  window.addEventListener("keydown", onKey, true);
  show(0);
})();
</script>
</div>"""

STRIP_FRAME = ('<div class="gg-strip-frame" style="margin: 8px 0 16px 0;">'
               '<div class="gg-strip-caption" style="font-size: {size}px; color: #24292f;">'
               '{caption}</div><div class="gg-strip-svg">{svg}</div></div>')


def _player_html(svgs: list[str], phases: list[str], captions: list[str], delay: int,
                 element_id: str, fontsize: float = 11) -> str:
    """The player's HTML: its text sized from the diagram's `fontsize` (the caption 1.5 times
    the numbers' size in points, as pixels), and every frame in the static strip."""
    caption_px = str(round(fontsize * 1.5))
    fitted = [re.sub(r"<svg\b", '<svg style="max-width: 100%; height: auto"', svg, count=1)
              for svg in svgs]
    strip = "\n".join(STRIP_FRAME.format(size=caption_px, svg=svg,
                                         caption=html.escape(f"{phase}: {text}"))
                      for phase, text, svg in zip(phases, captions, fitted))
    fields = {
        "@STRIP@": strip, "@LAST@": str(len(svgs) - 1), "@COUNT@": str(len(svgs)),
        "@PHASE@": html.escape(phases[0]), "@CAPTION@": html.escape(captions[0]),
        "@PHASES@": _json(phases), "@CAPTIONS@": _json(captions),
        "@DELAY@": str(delay), "@ID@": element_id, "@CAPTION_PX@": caption_px,
        "@SMALL@": str(round(fontsize * 1.2)), "@BUTTON@": str(round(fontsize * 1.2)),
    }
    return re.sub("|".join(fields), lambda found: fields[found[0]], PLAYER)
