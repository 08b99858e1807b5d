"""Diagrams fit the notebook's column, and the exported player takes the keys at once: JupyterLab
and headless Chromium, driven by Playwright (see test_browser.py for the browser's set-up).

The notebook is written here, in a temporary folder: it draws the lecture's widest diagrams (the
sigmoid circuit, model.draw() of an MLP(2, [16, 16, 1]), a deep parity circuit, a nodes-style
player), so the test does not depend on the course notebooks' names or numbers.
"""

import json
import time
from pathlib import Path

import pytest
from test_browser import KERNEL_STARTED, browser, jupyterlab_serving  # noqa: F401 (fixtures)

from gategrad.engine import animate
from gategrad.engine.show.examples import sigmoid_gate

COLUMN = 1000  # px: the width of the notebook's output column the test sets up

CELLS = [
    """import random
import gategrad.nn as nn
from gategrad.engine import Value, animate, draw
from gategrad.engine.show.examples import sigmoid_gate""",
    # the lecture's sigmoid circuit (1,244 px wide at full size)
    "draw(sigmoid_gate().root, title='sigmoid gate')",
    # slide controls: larger numbers, the interior wires' labels, a caption
    """ex = sigmoid_gate()
ex.extra['dot'].label = 'dot'
draw(ex.root, fontsize=16, wire_labels=True, subscripts=True, caption='the sigmoid neuron')""",
    # the training notebook's network (1,085 x 1,251 px)
    "nn.MLP(2, [16, 16, 1], rng=random.Random(0)).draw()",
    # the depth and parity notebook's XOR tree over 4 bits (1,879 px)
    """def xor_block(a, b):
    s = a + b
    return s.relu() + (s - 1).relu() * -2


def deep_parity(bits):
    level = list(bits)
    while len(level) > 1:
        pairs = [xor_block(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        level = pairs + ([level[-1]] if len(level) % 2 else [])
    return level[0]


bits = [Value(float(b), label=f"x{i + 1}") for i, b in enumerate((1, 0, 1, 1))]
out = deep_parity(bits)
out.label = "parity"
out.backward()
draw(out)""",
    # the nodes-style player of the watch-backprop notebook
    "animate(sigmoid_gate().root, forward=False, style='nodes')",
]


def _notebook(folder: Path) -> Path:
    cells = [{"cell_type": "code", "execution_count": None, "id": f"cell{k}", "metadata": {},
              "outputs": [], "source": source} for k, source in enumerate(CELLS)]
    notebook = {"cells": cells, "metadata": {"kernelspec": {
        "display_name": "Python 3", "language": "python", "name": "python3"}},
        "nbformat": 4, "nbformat_minor": 5}
    path = folder / "fit.ipynb"
    path.write_text(json.dumps(notebook), encoding="utf-8")
    return path


@pytest.fixture
def jupyterlab(tmp_path):
    """A JupyterLab server on the notebook above."""
    source = tmp_path / "source"
    source.mkdir()
    yield from jupyterlab_serving(tmp_path, _notebook(source))


MEASURE = """() => Array.from(document.querySelectorAll('.jp-OutputArea-output')).map(out => {
  const picture = out.querySelector('.gg-view svg, svg, img');
  if (!picture) { return null; }
  const box = out.getBoundingClientRect(), shown = picture.getBoundingClientRect();
  return {column: box.width, left: box.left, right: box.right, width: shown.width,
          pictureLeft: shown.left, pictureRight: shown.right, scroll: out.scrollWidth,
          client: out.clientWidth, text: out.textContent.slice(0, 60)};
}).filter(x => x)"""


def test_every_diagram_fits_a_1000_px_column(browser, jupyterlab, shots):  # noqa: F811
    page = browser.new_page(viewport={"width": 1300, "height": 1000})
    page.set_default_timeout(120_000)
    page.goto(jupyterlab)
    page.wait_for_function(KERNEL_STARTED)
    # the notebook's column at 1,000 px: measured on a cell, the window set to match
    column = page.locator(".jp-Cell-inputArea .jp-InputArea-editor").first
    column.wait_for()
    editor = page.evaluate("() => document.querySelector('.jp-InputArea-editor')"
                           ".getBoundingClientRect().width")
    page.set_viewport_size({"width": round(1300 + COLUMN - editor), "height": 1000})
    page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
    page.locator(".gg-player").wait_for()
    page.wait_for_function("document.querySelectorAll('.jp-OutputArea-output:has(svg, img)')"
                           f".length >= {len(CELLS) - 1}")
    time.sleep(1)  # the last outputs lay out
    assert page.locator(".jp-OutputArea-output[data-mime-type="
                        "'application/vnd.jupyter.stderr']").count() == 0
    shown = page.evaluate(MEASURE)
    assert len(shown) == len(CELLS) - 1, shown
    for k, out in enumerate(shown):
        assert abs(out["column"] - COLUMN) < 40, out  # the column the test meant to set up
        assert out["width"] <= out["column"] + 1, (k, out)  # the picture fits ...
        assert out["pictureRight"] <= out["right"] + 1, (k, out)
        assert out["scroll"] <= out["client"] + 1, (k, out)  # ... and nothing scrolls sideways
    for k, output in enumerate(page.locator(".jp-OutputArea-output:has(svg, img)").all()):
        output.scroll_into_view_if_needed()
        output.screenshot(path=str(shots / f"fit_{k}.png"))

    # a click shows the diagram at full size (the column then scrolls), a second click fits it
    first = page.locator(".gg-diagram").first
    first.scroll_into_view_if_needed()
    fitted = first.locator("svg").bounding_box()["width"]
    first.click()
    full = first.locator("svg").bounding_box()["width"]
    assert full > fitted * 1.1, (full, fitted)
    first.click()
    assert first.locator("svg").bounding_box()["width"] == pytest.approx(fitted, abs=1)
    page.close()


def test_exported_player_takes_the_arrow_keys_at_once(browser, tmp_path, shots):  # noqa: F811
    reference = animate(sigmoid_gate().root, duration=0.05)
    page_path = reference.save(tmp_path / "backward.html")
    page = browser.new_page(viewport={"width": 1000, "height": 700})
    page.goto(page_path.as_uri())
    player = page.locator(".gg-player")
    assert player.get_attribute("data-ready") == "1"
    page.keyboard.press("ArrowRight")  # no click first
    assert player.get_attribute("data-frame") == "1"
    assert player.locator(".gg-caption").inner_text() == reference.captions[1]
    page.keyboard.press("End")
    assert player.get_attribute("data-frame") == str(len(reference) - 1)
    page.keyboard.press("Home")
    assert player.get_attribute("data-frame") == "0"
    assert page.locator(".gg-strip").count() == 0  # the static strip is for pages without JS
    page.close()


def test_exported_player_without_javascript_shows_every_frame(browser, tmp_path, shots):  # noqa: F811
    reference = animate(sigmoid_gate().root, forward=False)
    page_path = reference.save(tmp_path / "backward.html")
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1000,
                                                                       "height": 800})
    page = context.new_page()
    page.goto(page_path.as_uri())
    strip = page.locator(".gg-strip")
    assert strip.is_visible()
    assert strip.locator("svg").count() == len(reference)
    assert strip.locator(".gg-strip-caption").all_inner_texts() == [
        f"{phase}: {caption}" for phase, caption in zip(reference.phases, reference.captions)]
    assert not page.locator(".gg-bar").is_visible()  # no buttons that cannot work
    for picture in strip.locator("svg").all():
        assert picture.bounding_box()["width"] <= 1000
    page.screenshot(path=str(shots / "player_without_javascript.png"), full_page=False)
    context.close()


def test_the_player_has_a_full_screen_mode(browser, tmp_path, shots):  # noqa: F811
    page_path = animate(sigmoid_gate().root).save(tmp_path / "backward.html")
    page = browser.new_page(viewport={"width": 1280, "height": 720})
    page.goto(page_path.as_uri())
    player = page.locator(".gg-player")
    player.get_by_role("button", name="full screen").click()
    page.wait_for_function("document.fullscreenElement !== null"
                           " && document.fullscreenElement.classList.contains('gg-player')")
    time.sleep(0.3)
    picture = player.locator(".gg-view svg").bounding_box()
    assert picture["width"] > 1100 or picture["height"] > 500  # fills the projector's screen
    caption_size = page.evaluate("parseFloat(getComputedStyle(document.querySelector("
                                 "'.gg-caption')).fontSize)")
    assert caption_size >= 24
    page.screenshot(path=str(shots / "player_full_screen.png"))
    page.keyboard.press("ArrowRight")
    assert player.get_attribute("data-frame") == "1"
    page.close()
