"""explore(fn, **ranges): sliders on the user's own function, and its circuit redrawn as they move.

Each slider is one input of `fn`. Moving it runs forward and backward again in the kernel and
redraws the circuit: values above the wires, gradients below. The sliders are ipywidgets; the
rest needs no browser: `ex.update(w0=1.0)` recomputes and returns the new diagram, and
`ex.values` holds the current inputs.
"""

from __future__ import annotations

import html
import inspect
import math
import numbers
from dataclasses import dataclass

from ..value import Value
from .captions import number


@dataclass(frozen=True)
class Range:
    """One slider: where it starts, its ends, and its step."""

    start: float
    low: float
    high: float
    step: float


def explore(fn, draw_options: dict | None = None, **ranges) -> Explorer:
    """Sliders for the inputs of `fn`, and the circuit of `fn(**inputs)` under them.

    Each keyword names an input of `fn` and gives (start, low, high) or (start, low, high, step);
    the step defaults to a hundredth of the range. `fn` takes Values and returns the Value to
    differentiate. draw_options go to draw() (style, rankdir, digits, ...).

    >>> ex = explore(lambda a, b: a * b + a, a=(2, -5, 5), b=(3, -5, 5))
    >>> ex.values
    {'a': 2.0, 'b': 3.0}
    >>> ex.grads                 # d/da (ab + a) = b + 1, d/db = a
    {'a': 4.0, 'b': 2.0}
    >>> diagram = ex.update(b=-1.0); ex.grads
    {'a': 0.0, 'b': 2.0}
    """
    if not callable(fn):
        raise TypeError(f"explore: fn must be a function of the inputs, got {type(fn).__name__}")
    return Explorer(fn, {name: _range(name, spec) for name, spec in ranges.items()},
                    dict(draw_options or {}))


def _range(name: str, spec) -> Range:
    if not isinstance(spec, (tuple, list)) or len(spec) not in (3, 4):
        raise TypeError(f"explore: {name}= must be (start, low, high) or (start, low, high, "
                        f"step), got {spec!r}")
    for x in spec:
        if isinstance(x, bool) or not isinstance(x, numbers.Real) or not math.isfinite(x):
            raise ValueError(f"explore: {name}={tuple(spec)!r} must hold finite numbers, "
                             f"got {x!r}")
    start, low, high = (float(x) for x in spec[:3])
    if not low < high:
        raise ValueError(f"explore: {name}: the low end {low:g} must be below the high end "
                         f"{high:g}")
    if not low <= start <= high:
        raise ValueError(f"explore: {name}: the start {start:g} is outside {low:g} to {high:g}")
    step = float(spec[3]) if len(spec) == 4 else (high - low) / 100
    if step <= 0:
        raise ValueError(f"explore: {name}: the step must be > 0, got {step:g}")
    return Range(start, low, high, step)


class Explorer:
    """The state behind the sliders: `.values`, `.grads`, `.root`, `.diagram`, `.update(...)`.

    In Jupyter it shows itself as the sliders with the diagram under them (ipywidgets).
    """

    def __init__(self, fn, ranges: dict[str, Range], draw_options: dict):
        self.fn, self.ranges, self.draw_options = fn, ranges, draw_options
        _check_names(fn, ranges)
        self._values = {name: r.start for name, r in ranges.items()}
        self._widget = None
        self._sliders: dict = {}
        self._syncing = False  # set while update() moves the sliders itself
        self._run()

    @property
    def values(self) -> dict[str, float]:
        """The current inputs, name -> number."""
        return dict(self._values)

    @property
    def grads(self) -> dict[str, float]:
        """d(output)/d(input) at the current inputs, name -> number."""
        return {name: v.grad for name, v in self.inputs.items()}

    def update(self, **values) -> object:
        """Set some inputs, run forward and backward again, and return the new diagram."""
        for name, x in values.items():
            if name not in self.ranges:
                raise TypeError(f"Explorer.update: no input named {name!r}; the inputs are "
                                f"{', '.join(self.ranges)}")
            if isinstance(x, bool) or not isinstance(x, numbers.Real) or not math.isfinite(x):
                raise ValueError(f"Explorer.update: {name} must be a finite number, got {x!r}")
            r = self.ranges[name]
            if not r.low <= x <= r.high:
                raise ValueError(f"Explorer.update: {name}={x!r} is outside its range "
                                 f"{r.low:g} to {r.high:g}")
        old = self._values
        self._values = {**old, **{name: float(x) for name, x in values.items()}}
        try:
            self._run()
        except Exception:
            self._values = old  # a failed input leaves the last good state in place
            raise
        self._sync_sliders()
        return self.diagram

    def _run(self) -> None:
        from .drawing import draw  # graphviz is imported only when a diagram is drawn
        inputs = {name: Value(x, label=name) for name, x in self._values.items()}
        root = self.fn(**inputs)
        if not isinstance(root, Value):
            raise TypeError(f"explore: fn must return a Value built from its inputs, got "
                            f"{type(root).__name__}")
        if not root.label and root.gate is not None:
            root.label = "f"
        root.backward()
        diagram = draw(root, **self.draw_options)
        # only a complete run replaces the state: a failed one leaves the last good one
        self.inputs, self.root, self.diagram = inputs, root, diagram

    def summary(self) -> str:
        """One line: the output and the gradient of every input."""
        digits = self.draw_options.get("digits", 2)
        out = self.root.label or "out"
        grads = ", ".join(f"d{out}/d{name} = {number(g, digits)}"
                          for name, g in self.grads.items())
        return f"{out} = {number(self.root.data, digits)}; {grads}"

    # --- the widgets -------------------------------------------------------------------------

    def widget(self):
        """The sliders, the summary line and the diagram, as one ipywidgets box (built once)."""
        if self._widget is not None:
            return self._widget
        try:
            import ipywidgets as widgets
        except ImportError:
            raise ImportError("explore's sliders need ipywidgets: pip install ipywidgets (or "
                              "gategrad[notebook]); ex.update(...) works without it") from None
        digits = self.draw_options.get("digits", 2)
        for name, r in self.ranges.items():
            slider = widgets.FloatSlider(value=self._values[name], min=r.low, max=r.high,
                                         step=r.step, description=name,
                                         readout_format=f".{digits}f", continuous_update=True)
            slider.observe(self._moved, names="value")
            self._sliders[name] = slider
        self._summary = widgets.HTML()
        self._picture = widgets.HTML()
        self._show()
        self._widget = widgets.VBox([widgets.VBox(list(self._sliders.values())),
                                     self._summary, self._picture])
        return self._widget

    def _moved(self, change) -> None:
        if self._syncing:
            return
        name = next(n for n, s in self._sliders.items() if s is change["owner"])
        try:
            self.update(**{name: change["new"]})
        except (ValueError, ZeroDivisionError, OverflowError) as err:  # a gate's domain error
            self._summary.value = (f'<span style="color:#cf222e">{html.escape(str(err))}'
                                   "</span>")
            return
        self._show()

    def _show(self) -> None:
        self._summary.value = f"<code>{html.escape(self.summary())}</code>"
        # scaled to the width of the output, like the player, instead of running off its side
        self._picture.value = ('<div style="max-width: 100%; overflow-x: auto">'
                               + self.diagram.svg().replace("<svg ", '<svg style="max-width: '
                                                             '100%; height: auto" ', 1)
                               + "</div>")

    def _sync_sliders(self) -> None:
        if not self._sliders:
            return
        self._syncing = True
        try:
            for name, slider in self._sliders.items():
                slider.value = self._values[name]
        finally:
            self._syncing = False
        self._show()

    def _repr_mimebundle_(self, include=None, exclude=None):
        try:
            return self.widget()._repr_mimebundle_(include=include, exclude=exclude)
        except ImportError as err:  # no ipywidgets: the diagram, and why there are no sliders
            bundle = self.diagram._repr_mimebundle_()
            bundle["text/plain"] = f"{self!r}\n{err}"
            return bundle

    def __repr__(self) -> str:
        inputs = ", ".join(f"{n}={number(x)}" for n, x in self._values.items())
        return f"<Explorer: {inputs}; .update(...), .values, .grads, .diagram>"


def _check_names(fn, ranges: dict[str, Range]) -> None:
    """Every input of fn without a default needs a range, and every range an input of fn."""
    try:
        parameters = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):  # a builtin without a signature: let the call tell
        return
    if any(p.kind is p.VAR_KEYWORD for p in parameters):
        return
    named = {p.name for p in parameters if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)}
    unknown = [name for name in ranges if name not in named]
    if unknown:
        raise TypeError(f"explore: fn has no input named {', '.join(map(repr, unknown))}; its "
                        f"inputs are {', '.join(sorted(named)) or 'none'}")
    missing = [p.name for p in parameters if p.name in named and p.name not in ranges
               and p.default is p.empty]
    if missing:
        raise TypeError(f"explore: no range for the input {', '.join(map(repr, missing))}; give "
                        f"each one as name=(start, low, high)")
