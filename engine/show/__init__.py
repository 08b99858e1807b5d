"""Showing a graph: pictures, animations, sliders and tables that read it and never change it.

- captions.py: the order nodes are shown in and each gate's caption (`*-1`, `+1`, `exp`).
- drawing.py: `draw(root)`, the lecture's circuit diagram (or micrograd's boxes) as DOT.
- rendering.py: DOT turned into SVG, PNG or PDF by a `dot` program, and the `Diagram` users hold
  (in a notebook: fitted to the width of the output, a click for full size).
- browser.py: the same in a web browser (Pyodide), where Graphviz compiled to WebAssembly lays
  out the DOT text and makes SVG.
- animate.py: `animate(root)`, the forward and backward pass frame by frame, and its `Player`.
- explore.py: `explore(fn, ...)`, sliders on a function's inputs and its circuit redrawn.
- explain.py: `explain(root)`, the backward pass as the lecture's table.
- examples.py: the lecture's worked examples, which the command line shows.

graphviz is imported only when a diagram is drawn. The names are exported by gategrad.engine
(`from gategrad.engine import draw, animate, explain`), not here: a function exported under its
module's name would hide the module.
"""

from . import browser

if browser.IN_BROWSER:  # Graphviz (WebAssembly) starts now, to be ready by the first diagram
    browser.start()
