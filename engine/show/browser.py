"""Diagrams in a web browser: under Pyodide there is no program to run, so DOT goes to Graphviz
compiled to WebAssembly (@viz-js/viz), run by the browser itself in the kernel's web worker.

The in-browser site (docs/site/build.py) ships @viz-js/viz's one-file build in a small wheel,
`gategrad_wasm_graphviz`, and preloads it. The first diagram evaluates that file in the kernel's
JavaScript context and waits for Graphviz to start; after that every `render` is a plain call.
Waiting inside a synchronous call (a notebook's display asks for SVG synchronously) needs
`pyodide.ffi.run_sync`, which needs the browser's JavaScript Promise Integration (the site is
tested in Chromium 150, which has it). The layout is Graphviz's `dot` (16.1 in @viz-js/viz
3.31.0), the program a desktop with Graphviz installed runs; the DOT text is the same.
"""

from __future__ import annotations

import sys
from importlib import resources

IN_BROWSER = sys.platform == "emscripten"
GRAPHVIZ_WHEEL = "gategrad_wasm_graphviz"

_graphviz = None  # the started @viz-js/viz instance, once the first diagram has asked for it


def _started_graphviz():
    global _graphviz
    if _graphviz is not None:
        return _graphviz
    try:
        script = resources.files(GRAPHVIZ_WHEEL).joinpath("viz-global.js").read_text("utf-8")
    except ModuleNotFoundError:
        raise FileNotFoundError(
            f"no renderer for diagrams in this browser: the package {GRAPHVIZ_WHEEL} (Graphviz "
            f"as WebAssembly, which gategrad's in-browser site ships) is not installed here; "
            f"use the site that `make site` builds, or save the DOT text with .save('f.dot')"
        ) from None
    import js
    from pyodide.ffi import run_sync

    from .rendering import RenderError

    js.eval(script)  # an indirect eval: the script defines globalThis.Viz
    try:
        _graphviz = run_sync(js.Viz.instance())
    except Exception as err:  # no JavaScript Promise Integration, or Graphviz failed to start
        raise RenderError(
            f"Graphviz (WebAssembly) could not be started in this browser: {err}; diagrams need "
            f"a browser with JavaScript Promise Integration (a recent Chromium has it)") from None
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
