"""Turning DOT text into SVG or PNG with a `dot` program, and the `Diagram` that users hold.

The graphviz Python package can only run a program named `dot`, and most learners have no system
Graphviz; so gategrad finds a renderer itself and runs it on the DOT text:

1. the program named by the environment variable GATEGRAD_DOT (a name on PATH or a path),
2. the system Graphviz `dot` on PATH,
3. `graphviz-pure` (a dependency of gategrad: dot as one self-contained program) on PATH, or in the
   running interpreter's scripts folder, because a Jupyter kernel often starts without the
   virtual environment's bin folder on PATH.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path
from typing import TYPE_CHECKING

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
    """Run the renderer on DOT text: `fmt` is 'svg', 'png' or 'pdf' (pdf needs a system dot)."""
    program = find_renderer()
    if fmt == "pdf" and Path(program).name.lower().startswith(PURE):
        raise ValueError(f"PDF output needs the system Graphviz `dot`, and only {PURE} was found "
                         f"({PURE} writes svg and png): install Graphviz, set {RENDERER_ENV}, or "
                         "save as .svg or .png")
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


class Diagram:
    """A drawn graph: `.source` is the DOT text, `.svg()` the picture, `.save(path)` a file.

    `.graph` is the `graphviz.Digraph` it was built with, for anyone who wants to restyle it.
    In Jupyter it shows itself as SVG.
    """

    def __init__(self, graph: graphviz.Digraph, summary: str):
        self.graph = graph
        self.summary = summary
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

    def save(self, path: str | os.PathLike) -> Path:
        """Write .svg, .png, .dot (or .gv) by the path's suffix; .pdf needs a system dot."""
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
                return {"image/svg+xml": self.svg()}
            except (OSError, ValueError, RenderError) as err:
                self._display_error = str(err)
        return {"text/plain": f"{self!r}\ncannot render it: {self._display_error}"}

    def _repr_svg_(self):
        return self._repr_mimebundle_().get("image/svg+xml")

    def __repr__(self) -> str:
        return f"<Diagram: {self.summary}; .source, .svg(), .save(path)>"
