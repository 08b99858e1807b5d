"""explore(): the Python side of the sliders (no browser), the widgets it builds, bad input.

Expected numbers are closed forms of the lecture's sigmoid neuron,
f = sigma(w0 x0 + w1 x1 + w2), with df/dw0 = x0 f (1 - f), df/dx0 = w0 f (1 - f), ...
"""

import math
import re

import pytest

import gategrad as gg
from gategrad.engine import Value, draw, explore


def neuron(w0, x0, w1, x1, w2):
    return 1 / (1 + (-(w0 * x0 + w1 * x1 + w2)).exp())


TWO = Value(2.0)
RANGES = dict(w0=(2, -5, 5), x0=(-1, -5, 5), w1=(-3, -5, 5), x1=(-2, -5, 5), w2=(-3, -5, 5))


def closed_form(w0, x0, w1, x1, w2):
    f = 1 / (1 + math.exp(-(w0 * x0 + w1 * x1 + w2)))
    s = f * (1 - f)
    return f, {"w0": x0 * s, "x0": w0 * s, "w1": x1 * s, "x1": w1 * s, "w2": s}


def test_starts_at_the_given_values_with_forward_and_backward_done():
    ex = explore(neuron, **RANGES)
    assert ex.values == {"w0": 2.0, "x0": -1.0, "w1": -3.0, "x1": -2.0, "w2": -3.0}
    f, grads = closed_form(**ex.values)
    assert ex.root.data == pytest.approx(f, rel=1e-12)
    assert ex.grads == pytest.approx(grads, rel=1e-12)
    assert ex.summary().startswith("f = 0.73; df/dw0 = -0.20, df/dx0 = 0.39")


def test_update_recomputes_and_returns_the_new_diagram():
    ex = explore(neuron, **RANGES)
    diagram = ex.update(w0=1.0, x1=0.5)
    assert ex.values == {"w0": 1.0, "x0": -1.0, "w1": -3.0, "x1": 0.5, "w2": -3.0}
    f, grads = closed_form(**ex.values)
    assert ex.grads == pytest.approx(grads, rel=1e-12)
    assert diagram is ex.diagram and diagram.source == draw(ex.root).source
    # the numbers on the wires: f = sigma(-7.5) above the output wire, df/dw2 below w2's
    texts = re.findall(r'<FONT COLOR="[^"]+">([^<]*)</FONT>', diagram.source)
    assert f"{f:.2f}" in texts and f"{grads['w2']:.2f}" in texts and "0.50" in texts
    assert "-5.00" not in explore(neuron, **RANGES).diagram.source


def test_each_update_is_a_fresh_graph_so_gradients_do_not_accumulate():
    ex = explore(lambda a: a * a, a=(3, -4, 4))
    assert ex.grads == {"a": 6.0}
    ex.update(a=3.0)
    ex.update(a=3.0)
    assert ex.grads == {"a": 6.0}


def test_draw_options_reach_the_diagram():
    ex = explore(lambda a, b: a * b, draw_options={"style": "nodes", "digits": 3},
                 a=(1.5, 0, 2), b=(0.25, 0, 1))
    assert "data 1.500" in ex.diagram.source and "grad 0.250" in ex.diagram.source


def test_sliders_move_the_numbers_and_update_moves_the_sliders():
    pytest.importorskip("ipywidgets")
    ex = explore(neuron, **RANGES)
    box = ex.widget()
    sliders = {s.description: s for s in box.children[0].children}
    assert list(sliders) == list(RANGES)
    assert (sliders["w0"].min, sliders["w0"].max, sliders["w0"].value) == (-5, 5, 2)
    assert sliders["w0"].step == pytest.approx(0.1)
    picture = box.children[2]
    before = picture.value
    sliders["w0"].value = -4.0  # what a person's drag does
    f, grads = closed_form(w0=-4.0, x0=-1.0, w1=-3.0, x1=-2.0, w2=-3.0)
    assert ex.values["w0"] == -4.0 and ex.grads == pytest.approx(grads, rel=1e-12)
    assert picture.value != before and ex.diagram.svg()[-2000:] in picture.value
    assert f"f = {f:.2f}" in box.children[1].value
    ex.update(x0=3.0)
    assert sliders["x0"].value == 3.0 and ex.diagram.svg()[-2000:] in picture.value


def test_a_slider_outside_a_gates_domain_shows_the_error_and_keeps_the_last_state():
    pytest.importorskip("ipywidgets")
    ex = explore(lambda x: x.log(), x=(1, -1, 2))
    box = ex.widget()
    slider = box.children[0].children[0]
    slider.value = -0.5
    assert "log gate" in box.children[1].value and "-0.5" in box.children[1].value
    assert ex.values == {"x": 1.0} and ex.grads == {"x": 1.0}


def test_in_jupyter_it_shows_as_a_widget():
    pytest.importorskip("ipywidgets")
    bundle = explore(neuron, **RANGES)._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle


def test_gg_explore_is_the_engines():
    assert gg.explore is explore


@pytest.mark.parametrize("ranges, error, message", [
    (dict(a=(1, 0)), TypeError, r"a= must be \(start, low, high\)"),
    (dict(a=5), TypeError, r"a= must be \(start, low, high\)"),
    (dict(a=(1, 2, 0)), ValueError, "the low end 2 must be below the high end 0"),
    (dict(a=(3, 0, 2)), ValueError, "the start 3 is outside 0 to 2"),
    (dict(a=(1, 0, 2, 0)), ValueError, "the step must be > 0"),
    (dict(a=(math.nan, 0, 2)), ValueError, "must hold finite numbers, got nan"),
    (dict(a=(1, 0, 2), b=(1, 0, 2)), TypeError, "fn has no input named 'b'; its inputs are a"),
    (dict(), TypeError, "no range for the input 'a'"),
])
def test_bad_ranges_get_clear_errors(ranges, error, message):
    with pytest.raises(error, match=message):
        explore(lambda a: a * 2, **ranges)


def test_bad_functions_and_updates_get_clear_errors():
    with pytest.raises(TypeError, match="fn must be a function"):
        explore(3, a=(1, 0, 2))
    with pytest.raises(TypeError, match="fn must return a Value built from its inputs, got float"):
        explore(lambda a: 2.0, a=(1, 0, 2))
    ex = explore(lambda a, b=TWO: a * b, a=(1, 0, 2))  # an input with a default: no slider
    assert ex.grads == {"a": 2.0}
    with pytest.raises(TypeError, match="no input named 'c'; the inputs are a"):
        ex.update(c=1.0)
    with pytest.raises(ValueError, match="a=3.0 is outside its range 0 to 2"):
        ex.update(a=3.0)
    with pytest.raises(ValueError, match="a must be a finite number, got nan"):
        ex.update(a=math.nan)
    with pytest.raises(ValueError, match="log gate"):
        explore(lambda x: x.log(), x=(1, -1, 2)).update(x=-0.5)
