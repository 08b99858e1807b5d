"""The player and the sliders in a real browser: headless Chromium driven by Playwright.

Chromium is Debian's package (/usr/bin/chromium; `.ci/run` installs it), never a browser that
Playwright downloads. Without it these tests are skipped with the reason; with
GATEGRAD_REQUIRE_BROWSER=1 (as CI sets it) a missing browser is a failure instead. Screenshots go
to the folder named by GATEGRAD_SCREENSHOTS, or to pytest's temporary folder.
"""

import math
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from gategrad.engine import animate
from gategrad.engine.show.captions import number
from gategrad.engine.show.drawing import GRAD_COLOR
from gategrad.engine.show.examples import sigmoid_gate

CHROMIUM = os.environ.get("GATEGRAD_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "04_watch_backprop.ipynb"


def _why_not() -> str | None:
    if not Path(CHROMIUM).exists():
        return f"browser tests skipped: {CHROMIUM} not found; `.ci/run` installs it"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "browser tests skipped: the playwright package is not installed (test extra)"
    return None


def _unavailable(reason: str):
    """Skip, saying why; under GATEGRAD_REQUIRE_BROWSER=1 (CI) fail instead."""
    if os.environ.get("GATEGRAD_REQUIRE_BROWSER") == "1":
        pytest.fail(reason.replace("skipped", "cannot run, and GATEGRAD_REQUIRE_BROWSER=1"),
                    pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser():
    reason = _why_not()
    if reason:
        _unavailable(reason)
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def red_numbers(player) -> int:
    """How many gradients (red text) the player's diagram shows now."""
    return player.locator(f'.gg-view svg text[fill="{GRAD_COLOR}"]').count()


# --- the exported HTML player ----------------------------------------------------------------

def test_exported_player_steps_with_buttons_keys_and_slider(browser, tmp_path, shots):
    reference = animate(sigmoid_gate().root, duration=0.05)
    page_path = reference.save(tmp_path / "backward.html")
    page = browser.new_page(viewport={"width": 1300, "height": 600})
    page.goto(page_path.as_uri())
    player = page.locator(".gg-player")
    caption = player.locator(".gg-caption")
    assert player.get_attribute("data-ready") == "1"  # the script ran
    assert player.get_attribute("data-frame") == "0" and caption.inner_text() == \
        reference.captions[0]
    assert red_numbers(player) == 0 and page.locator(".gg-noscript").count() == 0

    player.get_by_role("button", name="next").click()
    assert player.get_attribute("data-frame") == "1"
    assert caption.inner_text() == reference.captions[1] == "*: 2.00 * -1.00 = -2.00"
    assert player.locator(".gg-index").inner_text() == "2 / 18"
    page.keyboard.press("ArrowRight")  # focus is on the "next" button, inside the player
    assert player.get_attribute("data-frame") == "2"
    assert caption.inner_text() == reference.captions[2]
    page.keyboard.press("ArrowLeft")
    assert player.get_attribute("data-frame") == "1"

    player.locator(".gg-slider").focus()
    page.keyboard.press("ArrowRight")  # a focused slider steps once, not once more for the player
    assert player.get_attribute("data-frame") == "2"
    player.locator(".gg-slider").fill("9")  # the first backward step
    assert player.get_attribute("data-frame") == "9"
    assert caption.inner_text() == "1/x: local -1/x^2 = -0.53, upstream 1.00, sends -0.53"
    assert player.locator(".gg-phase").inner_text() == "backward 1/8"
    assert red_numbers(player) == 2  # the output's 1.00 and the -0.53 sent back: no others
    page.screenshot(path=str(shots / "player_backward_1.png"))

    player.get_by_role("button", name="last").click()
    assert caption.inner_text() == reference.captions[-1]
    assert red_numbers(player) == 13  # every wire of the lecture's circuit
    player.get_by_role("button", name="first").click()
    player.get_by_role("button", name="play").click()  # 50 ms a frame, to the end, then stops
    page.wait_for_function(
        "document.querySelector('.gg-player').getAttribute('data-frame') === '17'")
    assert player.locator('[data-action="play"]').inner_text() == "play"
    page.screenshot(path=str(shots / "player_done.png"))
    page.close()


# --- JupyterLab on notebook 04 -----------------------------------------------------------------

# JupyterLab (or JupyterLite) has opened a notebook and started its kernel's session
KERNEL_STARTED = ("window.jupyterapp && window.jupyterapp.shell.currentWidget"
                  " && window.jupyterapp.shell.currentWidget.sessionContext"
                  " && window.jupyterapp.shell.currentWidget.sessionContext.session"
                  " && window.jupyterapp.shell.currentWidget.sessionContext.session.kernel")


def first_player(page, reference):
    """The page's first player, scrolled into view, ready and at the reference's first frame;
    returns it and its caption."""
    player = page.locator(".gg-player").first
    player.scroll_into_view_if_needed()
    assert player.get_attribute("data-ready") == "1"
    caption = player.locator(".gg-caption")
    assert caption.text_content() == reference.captions[0]
    return player, caption


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def jupyterlab_serving(tmp_path: Path, notebook: Path):
    """A JupyterLab server on a copy of `notebook`, its settings and state kept in tmp_path;
    yields the notebook's URL, and stops the server afterwards (for a fixture to `yield from`)."""
    if shutil.which("jupyter-lab", path=str(Path(sys.executable).parent)) is None:
        _unavailable("browser tests skipped: jupyterlab is not installed (test extra)")
    work = tmp_path / "work"
    work.mkdir()
    shutil.copy(notebook, work)
    settings = tmp_path / "settings" / "@jupyterlab" / "notebook-extension"
    settings.mkdir(parents=True)
    # every cell stays in the page, so the test can find outputs far down the notebook
    (settings / "tracker.jupyterlab-settings").write_text('{"windowingMode": "none"}')
    news = tmp_path / "settings" / "@jupyterlab" / "apputils-extension"
    news.mkdir(parents=True)  # no "get notified about Jupyter news?" over the screenshots
    (news / "notification.jupyterlab-settings").write_text('{"fetchNews": "false"}')
    env = {**os.environ, "JUPYTERLAB_SETTINGS_DIR": str(tmp_path / "settings"),
           "JUPYTERLAB_WORKSPACES_DIR": str(tmp_path / "workspaces"),
           "JUPYTER_CONFIG_DIR": str(tmp_path / "config"),
           "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime")}
    port, token = _free_port(), "gategrad-browser-test"
    log = (tmp_path / "jupyterlab.log").open("w")
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "jupyter-lab"), "--no-browser", f"--port={port}",
         "--ServerApp.ip=127.0.0.1", f"--IdentityProvider.token={token}",
         "--ServerApp.allow_root=True", f"--ServerApp.root_dir={work}",
         "--LabApp.expose_app_in_browser=True",
         "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
         "--LabApp.news_url=None"],
        cwd=work, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):  # up to about a minute for the server to answer
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
                break
            except OSError:
                if server.poll() is not None:
                    break
                time.sleep(0.5)
        else:
            pytest.fail(f"JupyterLab did not start; see {log.name}")
        assert server.poll() is None, (tmp_path / "jupyterlab.log").read_text()[-2000:]
        yield f"{base}/lab/tree/{notebook.name}?token={token}"
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


@pytest.fixture
def jupyterlab(tmp_path):
    """A JupyterLab server on a copy of notebook 04."""
    yield from jupyterlab_serving(tmp_path, NOTEBOOK)


def test_notebook_07_in_jupyterlab_player_and_sliders_respond(browser, jupyterlab, shots):
    reference = animate(sigmoid_gate().root)
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.set_default_timeout(90_000)
    page.goto(jupyterlab)
    page.wait_for_function(KERNEL_STARTED)
    page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
    page.locator(".jp-OutputArea-output").get_by_text("KiB of HTML").wait_for()  # all ran
    assert page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']"
                        ).count() == 0

    # the player of the sigmoid example, the first in the notebook
    player, caption = first_player(page, reference)
    player.get_by_role("button", name="next").click()
    assert player.get_attribute("data-frame") == "1"
    assert caption.inner_text() == reference.captions[1]
    page.keyboard.press("ArrowRight")  # JupyterLab's own shortcuts must leave the key alone
    assert player.get_attribute("data-frame") == "2"
    player.locator(".gg-slider").fill("9")
    assert caption.inner_text() == reference.captions[9]
    assert red_numbers(player) == 2
    player.screenshot(path=str(shots / "jupyterlab_player.png"))

    # the sliders on the sigmoid neuron: drag w0, and the diagram's numbers follow
    sliders = page.locator(".widget-slider")
    w0 = sliders.filter(has_text="w0").first
    w0.scroll_into_view_if_needed()
    box = w0.locator("xpath=ancestor::div[contains(@class, 'widget-vbox')][2]")
    picture = box.locator(".widget-html").last
    before = picture.locator("svg text").all_text_contents()
    assert "0.73" in before  # f at the lecture's inputs
    handle = w0.locator(".noUi-handle")
    start = handle.bounding_box()
    page.mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] / 2)
    page.mouse.down()
    page.mouse.move(start["x"] + start["width"] / 2 - 15, start["y"] + start["height"] / 2,
                    steps=5)  # a little to the left: f stays off its flat ends
    page.mouse.up()
    readout = w0.locator(".widget-readout")
    page.wait_for_function("([svg, old]) => svg && svg.textContent !== old",
                           arg=[picture.locator("svg").element_handle(), "".join(before)])
    w0_now = float(readout.inner_text().replace("\u2212", "-"))  # the readout writes U+2212
    assert w0_now < 2.0
    # the kernel may still be answering the last steps of the drag: wait for the final state
    f = 1 / (1 + math.exp(-(w0_now * -1.0 + 6.0 - 3.0)))
    summary = box.locator(".widget-html").first
    summary.get_by_text(f"f = {number(f, 2)};").wait_for()
    after = picture.locator("svg text").all_text_contents()
    assert number(f, 2) in after and after != before
    assert number(w0_now, 2) in after  # the slider's value on w0's wire
    df_dw0 = -1.0 * f * (1 - f)  # x0 f (1 - f), x0 = -1
    assert abs(df_dw0) > 0.01 and number(df_dw0, 2) in after
    assert re.search(rf"df/dw0 = {number(df_dw0, 2)},", summary.inner_text())
    box.screenshot(path=str(shots / "jupyterlab_sliders.png"))
    page.close()
