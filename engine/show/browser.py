"""Diagrams in a web browser: under Pyodide there is no program to run, so DOT goes to Graphviz
compiled to WebAssembly (@viz-js/viz), run by the browser itself in the kernel's web worker.

The in-browser site (docs/site/build.py) ships @viz-js/viz's one-file build in a small wheel,
`gategrad_wasm_graphviz`, and preloads it. Importing gategrad in a browser evaluates that file in
the kernel's JavaScript context and begins starting Graphviz, which finishes on its own a moment
later; after that every `render` is a plain call. A diagram asked for before then waits for it
inside a synchronous call (a notebook's display asks for SVG synchronously) with
`pyodide.ffi.run_sync`, which needs the browser's JavaScript Promise Integration (the site is
tested in Chromium 150, which has it); a browser without it says to run the cell again.
The layout is Graphviz's `dot` (16.1 in @viz-js/viz 3.31.0), the program a desktop with Graphviz
installed runs; the DOT text is the same.
"""

from __future__ import annotations

import sys
from importlib import resources

IN_BROWSER = sys.platform == "emscripten"
GRAPHVIZ_WHEEL = "gategrad_wasm_graphviz"

_graphviz = None  # the started @viz-js/viz instance
_starting = None  # the promise of it, from the moment gategrad is imported in a browser


def start() -> None:
    """Begin starting Graphviz, which takes a moment and finishes on its own. engine/show calls
    this when gategrad is imported in a browser, so that Graphviz is ready by the first diagram
    even where the browser cannot wait for it (no JavaScript Promise Integration)."""
    global _starting
    if _starting is not None:
        return
    try:
        script = resources.files(GRAPHVIZ_WHEEL).joinpath("viz-global.js").read_text("utf-8")
    except ModuleNotFoundError:
        return  # said when a diagram is asked for
    import js
    from pyodide.ffi import create_once_callable

    def started(instance):
        global _graphviz
        _graphviz = instance

    js.eval(script)  # an indirect eval: the script defines globalThis.Viz
    _starting = js.Viz.instance()
    _starting.then(create_once_callable(started))


def _started_graphviz():
    global _graphviz
    if _graphviz is not None:
        return _graphviz
    start()
    if _starting is None:
        raise FileNotFoundError(
            f"no renderer for diagrams in this browser: the package {GRAPHVIZ_WHEEL} (Graphviz "
            f"as WebAssembly, which gategrad's in-browser site ships) is not installed here; "
            f"use the site that `make site` builds, or save the DOT text with .save('f.dot')")
    from pyodide.ffi import run_sync

    from .rendering import RenderError

    try:
        _graphviz = run_sync(_starting)  # wait for Graphviz inside this synchronous call
    except Exception as err:  # no JavaScript Promise Integration, or Graphviz failed to start
        raise RenderError(
            f"Graphviz (WebAssembly) has not started yet in this browser, and this browser cannot "
            f"wait for it ({err}): run the cell again in a moment") from None
    return _graphviz


def render(source: str, fmt: str) -> bytes:
    """DOT text as SVG, laid out by Graphviz's dot in the browser. Only SVG: PNG and PDF need
    programs the browser has not got."""
    if fmt != "svg":
        raise ValueError(f"in the browser gategrad renders diagrams as SVG only, not {fmt!r}: "
                         f"save as .svg or .dot (PNG, PDF and GIF need gategrad installed with "
                         f"pip on a computer)")
    graphviz = _started_graphviz()
    import js
    from pyodide.ffi import JsException, to_js

    from .rendering import RenderError

    options = to_js({"format": "svg", "engine": "dot"}, dict_converter=js.Object.fromEntries)
    try:
        return str(graphviz.renderString(source, options)).encode("utf-8")
    except JsException as err:
        raise RenderError(f"Graphviz (WebAssembly) could not lay out the diagram: {err}"
                          ) from None
