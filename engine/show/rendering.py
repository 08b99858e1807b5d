"""Turning DOT text into SVG or PNG with a `dot` program, and the `Diagram` that users hold.

The graphviz Python package can only run a program named `dot`, and most learners have no system
Graphviz; so gategrad finds a renderer itself and runs it on the DOT text:

1. the program named by the environment variable GATEGRAD_DOT (a name on PATH or a path),
2. the system Graphviz `dot` on PATH,
3. `graphviz-pure` (a dependency of gategrad: dot as one self-contained program) on PATH, or in the
   running interpreter's scripts folder, because a Jupyter kernel often starts without the
   virtual environment's bin folder on PATH.

graphviz-pure writes SVG and PNG but no PDF; a PDF is then made from the SVG in Python by svglib
and reportlab (dependencies of gategrad, installed as wheels), so `.save("f.pdf")` needs no system
Graphviz.

In a web browser (Pyodide) there are no programs: browser.py hands the DOT text to Graphviz
compiled to WebAssembly instead, and only SVG is made there.
"""

from __future__ import annotations

import html
import io
import os
import re
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path
from typing import TYPE_CHECKING

from . import browser

if TYPE_CHECKING:
    import graphviz

RENDERER_ENV = "GATEGRAD_DOT"
PURE = "graphviz-pure"
PNG_DPI = 144  # 72 is Graphviz's default and too coarse for two-decimal labels on a slide
FORMATS = {".svg": "svg", ".png": "png", ".pdf": "pdf", ".dot": None, ".gv": None}


class RenderError(RuntimeError):
    """The renderer ran but failed; the message carries its own error text."""


def find_renderer() -> str:
    """The path of the program that renders DOT, in the order of the module docstring."""
    named = os.environ.get(RENDERER_ENV, "").strip()
    if named:
        found = shutil.which(named)
        if found is None:
            raise FileNotFoundError(f"{RENDERER_ENV}={named!r} names no program that can be run; "
                                    f"point it at a Graphviz `dot` or `{PURE}`, or unset it")
        return found
    found = shutil.which("dot") or shutil.which(PURE)
    if found:
        return found
    folders = dict.fromkeys([sysconfig.get_path("scripts"), os.path.dirname(sys.executable)])
    for folder in folders:
        found = shutil.which(PURE, path=folder)
        if found:
            return found
    raise FileNotFoundError(f"no renderer for diagrams: neither `dot` nor `{PURE}` is on PATH or "
                            f"in {' or '.join(folders)}; `pip install {PURE}` (a dependency of "
                            f"gategrad) or set {RENDERER_ENV} to a dot program")


def render(source: str, fmt: str) -> bytes:
    """Run the renderer on DOT text: `fmt` is 'svg', 'png' or 'pdf'."""
    if browser.IN_BROWSER:
        return browser.render(source, fmt)
    program = find_renderer()
    if fmt == "pdf" and Path(program).name.lower().startswith(PURE):
        return svg_to_pdf(render(source, "svg").decode("utf-8"))
    # -q: renderer warnings would otherwise clutter every notebook cell that shows a diagram.
    command = [program, f"-T{fmt}", "-q"] + ([f"-Gdpi={PNG_DPI}"] if fmt == "png" else [])
    try:
        done = subprocess.run(command, input=source.encode("utf-8"), capture_output=True)
    except OSError as err:  # found but not runnable: not executable, wrong architecture, ...
        raise FileNotFoundError(f"cannot run the diagram renderer {program}: {err}") from None
    if done.returncode != 0 or not done.stdout:
        message = done.stderr.decode("utf-8", "replace").strip() or "no output"
        status = (f"killed by signal {-done.returncode}" if done.returncode < 0
                  else f"exit status {done.returncode}")
        raise RenderError(f"{program} -T{fmt} failed ({status}): {message}")
    return done.stdout


def svg_to_pdf(svg: str) -> bytes:
    """A vector PDF of Graphviz's SVG, made in Python (svglib and reportlab): no system dot."""
    try:
        from reportlab.graphics import renderPDF
        from svglib.svglib import svg2rlg
    except ImportError:
        raise ImportError("PDF output without a system Graphviz needs svglib and reportlab (both "
                          "dependencies of gategrad): pip install svglib reportlab; or save as "
                          ".svg or .png") from None
    drawing = svg2rlg(io.BytesIO(svg.encode("utf-8")))
    if drawing is None:
        raise RenderError("svglib could not read the diagram's SVG to make a PDF")
    return renderPDF.drawToString(drawing)


def fitted_html(svg: str, fit: bool = True) -> str:
    """The SVG as HTML that fits the width of the output it is shown in, keeping its aspect; a
    click shows it at full size (the output then scrolls sideways), another click fits it again.

    Without JavaScript (an untrusted notebook) the click does nothing and the diagram stays fitted.
    """
    start = svg.find("<svg")
    svg = svg[start:] if start >= 0 else svg
    size = "max-width: 100%; height: auto" if fit else "max-width: none; height: auto"
    svg = re.sub(r"<svg\b", f'<svg style="{size}"', svg, count=1)
    toggle = ("var s = this.querySelector('svg'); var full = s.style.maxWidth !== 'none'; "
              "s.style.maxWidth = full ? 'none' : '100%'; "
              "this.style.cursor = full ? 'zoom-out' : 'zoom-in';")
    return (f'<div class="gg-diagram" title="click: full size, or fit to the width" '
            f'style="max-width: 100%; overflow-x: auto; cursor: {"zoom-in" if fit else "zoom-out"}'
            f'" onclick="{html.escape(toggle)}">{svg}</div>')


class Diagram:
    """A drawn graph: `.source` is the DOT text, `.svg()` the picture, `.save(path)` a file.

    `.graph` is the `graphviz.Digraph` it was built with, for anyone who wants to restyle it.
    In Jupyter it shows itself as SVG, scaled to the width of the output (keeping its aspect);
    a click on it shows it at full size. `fit=False` (or `.full_size()`) shows it at full size
    from the start.
    """

    def __init__(self, graph: graphviz.Digraph, summary: str, fit: bool = True):
        self.graph = graph
        self.summary = summary
        self.fit = fit
        self._svg: str | None = None
        self._display_error: str | None = None

    @property
    def source(self) -> str:
        """The DOT text of the diagram."""
        return self.graph.source

    def pipe(self, fmt: str) -> bytes:
        """The diagram rendered in format `fmt` ('svg', 'png', ...), as bytes."""
        return render(self.source, fmt)

    def svg(self) -> str:
        """The diagram as SVG text (rendered once, then remembered)."""
        if self._svg is None:  # rendering is the slow part; a notebook asks more than once
            self._svg = self.pipe("svg").decode("utf-8")
        return self._svg

    def full_size(self) -> Diagram:
        """This diagram, shown in Jupyter at full size instead of fitted to the output's width."""
        shown = Diagram(self.graph, self.summary, fit=False)
        shown._svg = self._svg
        return shown

    def html(self) -> str:
        """The diagram as HTML for a notebook: fitted to the width, a click for full size."""
        return fitted_html(self.svg(), self.fit)

    def save(self, path: str | os.PathLike) -> Path:
        """Write .svg, .png, .pdf, .dot (or .gv) by the path's suffix."""
        path = Path(path)
        suffix = path.suffix.lower()
        if suffix not in FORMATS:
            raise ValueError(f"cannot save a diagram as {path.name!r}: the suffix must be one of "
                             f"{', '.join(FORMATS)}")
        fmt = FORMATS[suffix]
        if fmt is None:
            path.write_text(self.source, encoding="utf-8")
        elif fmt == "svg":
            path.write_text(self.svg(), encoding="utf-8")
        else:
            path.write_bytes(self.pipe(fmt))
        return path

    def _repr_mimebundle_(self, include=None, exclude=None):
        # A missing renderer shows as one line of text in the cell, not as a traceback; the
        # failure is kept so that IPython's other formatters do not run the renderer again.
        if self._display_error is None:
            try:
                # HTML first (Jupyter shows it): the SVG fitted to the output's width
                return {"text/html": self.html(), "image/svg+xml": self.svg()}
            except (OSError, ValueError, RenderError) as err:
                self._display_error = str(err)
        return {"text/plain": f"{self!r}\ncannot render it: {self._display_error}"}

    def _repr_html_(self):
        return self._repr_mimebundle_().get("text/html")

    def _repr_svg_(self):
        return self._repr_mimebundle_().get("image/svg+xml")

    def __repr__(self) -> str:
        return f"<Diagram: {self.summary}; .source, .svg(), .save(path)>"
