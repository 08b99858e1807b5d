"""The in-browser site (`make site`), offline: JupyterLite's Pyodide kernel in headless Chromium.

Chromium may ask only the local server that serves site/; every other request is refused and
recorded, and the tests require that there were none. The site is built by `make site` (`.ci/run`
builds it before `make test`); where it is missing, or Chromium is, these tests are skipped with
the reason (under GATEGRAD_REQUIRE_BROWSER=1, as in CI, they fail instead).

The numbers the browser shows are checked against closed forms and against this process's
gategrad (the same code, run natively).
"""

import functools
import hashlib
import http.server
import importlib.util
import json
import math
import random
import re
import threading
import time
from pathlib import Path

import pytest
from test_browser import KERNEL_STARTED, _unavailable, browser, first_player  # noqa: F401

import gategrad as gg
from gategrad import nn
from gategrad.engine import Value, animate
from gategrad.engine.show.captions import number
from gategrad.engine.show.examples import sigmoid_gate

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "site"
ERRORS = ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']"


class _Quiet(http.server.SimpleHTTPRequestHandler):
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map,
                      ".wasm": "application/wasm", ".mjs": "text/javascript",
                      ".js": "text/javascript"}

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def site_url():
    if not (SITE / "index.html").exists() or not (SITE / "static" / "pyodide").is_dir():
        _unavailable("site tests skipped: site/ is not built; `make site` builds it "
                     "(.ci/run does, before `make test`)")
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_Quiet, directory=str(SITE)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def offline(browser, site_url):  # noqa: F811 (the fixture of test_browser.py)
    """A fresh Chromium context (no workspace or storage of another test's) that may reach the
    local server only; yields (context, refused) and requires that nothing was refused."""
    refused = []

    def only_local(route):
        if route.request.url.startswith(site_url + "/"):
            route.continue_()
        else:
            refused.append(route.request.url)
            route.abort()

    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.route("**/*", only_local)
    yield context, refused
    context.close()
    assert refused == [], f"the site asked for things outside itself: {refused}"


def open_notebook(offline, site_url, path):
    """The notebook open in JupyterLite with its Pyodide kernel started; (page, seconds taken)."""
    context, refused = offline
    page = context.new_page()
    page.set_default_timeout(120_000)
    started = time.monotonic()
    page.goto(f"{site_url}/lab/index.html?path={path}")
    page.wait_for_function(KERNEL_STARTED
                           + " && window.jupyterapp.shell.currentWidget.context.isReady"
                           f" && window.jupyterapp.shell.currentWidget.context.path === '{path}'")
    return page, started


def wait_idle(page, timeout=300_000):
    """Until the kernel has been idle for two seconds running (a queue of cells has finished)."""
    page.wait_for_timeout(500)
    page.wait_for_function(
        "() => { const k = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;"
        " if (k.status !== 'idle') { window.__ggIdle = 0; return false; }"
        " window.__ggIdle = (window.__ggIdle || 0) + 1; return window.__ggIdle > 20; }",
        polling=100, timeout=timeout)


def run_all(page):
    """Run every cell; return when each code cell has run (or one has failed) and all is quiet."""
    page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
    page.wait_for_function(
        "(errors) => document.querySelector(errors) || window.jupyterapp.shell.currentWidget"
        ".content.widgets.filter(c => c.model.type === 'code')"
        ".every(c => c.model.executionCount !== null)", arg=ERRORS, timeout=300_000)
    wait_idle(page)


def run_cell(page, index, source=None) -> str:
    """Run code cell `index` of the open notebook (its source replaced first, if given); returns
    the text of its outputs."""
    page.evaluate("""([index, source]) => {
        const notebook = window.jupyterapp.shell.currentWidget.content;
        const cell = notebook.widgets[index];
        if (source !== null) cell.model.sharedModel.setSource(source);
        notebook.activeCellIndex = index;
        return window.jupyterapp.commands.execute('notebook:run-cell');
    }""", [index, source])
    wait_idle(page)
    return page.evaluate("""(index) => {
        const cell = window.jupyterapp.shell.currentWidget.content.widgets[index];
        return cell.node.querySelector('.jp-OutputArea').textContent;
    }""", index)


def append_cell(page, source) -> str:
    """Add a code cell at the end of the open notebook, run it, and return its outputs' text."""
    index = page.evaluate("""() => {
        const notebook = window.jupyterapp.shell.currentWidget.content;
        notebook.activeCellIndex = notebook.widgets.length - 1;
        return window.jupyterapp.commands.execute('notebook:insert-cell-below').then(
            () => notebook.widgets.length - 1);
    }""")
    return run_cell(page, index, source)


def code_cells(path):
    """Indices (among all cells) and sources of the code cells of a notebook in the site."""
    cells = json.loads((SITE / "files" / path).read_text(encoding="utf-8"))["cells"]
    return [(i, "".join(c["source"])) for i, c in enumerate(cells) if c["cell_type"] == "code"]


def test_the_site_holds_every_wheel_it_names_and_the_lessons_but_no_solutions(site_url):
    pyodide = SITE / "static" / "pyodide"
    lock = json.loads((pyodide / "pyodide-lock.json").read_text())
    assert lock["info"]["python"].startswith("3.14")
    for name, package in lock["packages"].items():
        wheel = pyodide / package["file_name"]  # a file of the site's own, never a URL
        assert "://" not in package["file_name"] and wheel.is_file(), name
        assert hashlib.sha256(wheel.read_bytes()).hexdigest() == package["sha256"], name
        assert set(package["depends"]) <= set(lock["packages"]), name
    for needed in ("gategrad", "gategrad-wasm-graphviz", "ipykernel", "pyodide-kernel",
                   "ipywidgets"):
        assert needed in lock["packages"]
    config = json.loads((SITE / "jupyter-lite.json").read_text())["jupyter-config-data"]
    kernel = config["litePluginSettings"]["@jupyterlite/pyodide-kernel-extension:kernel"]
    assert kernel["disablePyPIFallback"] is True
    assert sorted(kernel["loadPyodideOptions"]["packages"]) == sorted(lock["packages"])
    lessons = ROOT / "notebooks"
    expected = {p.relative_to(lessons).as_posix() for p in lessons.rglob("*.ipynb")
                if "solutions" not in p.parts and ".ipynb_checkpoints" not in p.parts}
    served = {p.relative_to(SITE / "files").as_posix() for p in (SITE / "files").rglob("*.ipynb")}
    assert served == expected and not any("solution" in name for name in served)


def _builder():
    spec = importlib.util.spec_from_file_location("site_build", ROOT / "docs" / "site" / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_docs_say_which_lessons_run_in_the_browser_as_the_build_decides():
    build = _builder()
    runnable, for_reading, users = set(), set(), {"matplotlib": set(), "numpy": set()}
    for path in (ROOT / "notebooks").glob("[0-9]*.ipynb"):
        needs = build.not_in_browser(json.loads(path.read_text(encoding="utf-8")))
        (for_reading if needs else runnable).add(path.name[:2])
        for name in needs:
            users[name].add(path.name[:2])
    docs = (ROOT / "docs" / "browser.md").read_text(encoding="utf-8")
    said_runnable = re.search(r"\| lessons ([\d, and]+) \| run in full", docs).group(1)
    said_reading = re.search(r"\| lessons ([\d, and]+) \| for reading", docs).group(1)
    assert set(re.findall(r"\d+", said_runnable)) == runnable == {"03", "04", "05"}
    assert set(re.findall(r"\d+", said_reading)) == for_reading
    for name, phrase in (("matplotlib", r"plot with matplotlib \(all but ([\d, and]+)\)"),
                         ("numpy", r"check numbers with numpy \(all but ([\d, and]+)\)")):
        left_out = set(re.findall(r"\d+", re.search(phrase, docs).group(1)))
        assert for_reading - left_out == users[name], name
    exercises = json.loads((ROOT / "notebooks" / "exercises" / "gates.ipynb").read_text())
    assert build.not_in_browser(exercises) == []


def test_docs_state_the_built_sites_size_and_contents(site_url):
    docs = (ROOT / "docs" / "browser.md").read_text(encoding="utf-8")
    files = [p for p in SITE.rglob("*") if p.is_file() and p.name != ".built"]
    stated = re.search(r"\*\*Size:\*\* ([\d.]+) MB in (\d+) files", docs)
    said, said_files = float(stated.group(1)), int(stated.group(2))
    size = sum(p.stat().st_size for p in files) / 1e6
    assert abs(size - said) / said < 0.1, (size, said)  # a rebuild may move it a little
    assert abs(len(files) - said_files) <= 0.1 * said_files, (len(files), said_files)
    wheels = list((SITE / "static" / "pyodide").glob("*.whl"))
    assert re.search(rf"The {len(wheels)} wheels are", docs)
    npm_lock = ROOT / "build" / "site-cache" / "npm" / "pyodide-314.0.6" / "package"
    if (npm_lock / "pyodide-lock.json").exists():
        count = len(json.loads((npm_lock / "pyodide-lock.json").read_text())["packages"])
        assert f"Its lockfile names\n{count} packages" in docs


# In the browser, after lesson 03 has run: compile (python backend; no numpy there), explain,
# and nn.fit (which falls back to the plain graph there, saying so once).
EXTRA = """import random
import sys

import gategrad as gg
from gategrad import nn
from gategrad.engine import Value, explain

a, b = Value(0.5, label="a"), Value(2.0, label="b")
out = (a * b + a).tanh()
out.label = "out"
fn = gg.compile(out, inputs=[a, b])
value, grads = fn(0.5, 2.0)
print("COMPILED", repr(value), repr(grads[0]), repr(grads[1]))
for _ in range(2):
    values, _ = fn.batch([0.5, -1.0], 2.0)
print("BATCH", repr(float(values[0])), repr(float(values[1])))
out.backward()
print(explain(out))
random.seed(1)
X, y = nn.data.xor()
model = nn.MLP(2, [4, 1])
history = nn.fit(model, X, y, loss="mse", epochs=30, lr=0.2, progress=False)
print("FIT", repr(history.train_loss[0]), repr(history.train_loss[-1]))
print("PLATFORM", sys.platform)
"""


def test_lesson_03_draws_the_sigmoid_circuit_in_the_browser(offline, site_url, shots):
    page, started = open_notebook(offline, site_url, "03_sigmoid_gate.ipynb")
    page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
    # the lecture's circuit at w0=2, x0=-1, w1=-3, x1=-2, w2=-3: f = sigma(1)
    first = page.locator(".jp-OutputArea-output svg").filter(has_text="0.73").first
    first.wait_for()
    seconds = time.monotonic() - started
    print(f"time to first diagram: {seconds:.1f} s (page opened, kernel started, cells run)")
    wait_idle(page)
    assert page.locator(ERRORS).count() == 0, page.locator(ERRORS).first.inner_text()
    f = 1 / (1 + math.exp(-1.0))
    s = f * (1 - f)  # d f / d z at the sigmoid
    w0, x0, w1, x1 = 2.0, -1.0, -3.0, -2.0
    expected = [x0 * s, w0 * s, x1 * s, w1 * s, s]  # d/dw0, d/dx0, d/dw1, d/dx1, d/dw2
    texts = first.locator("text").all_text_contents()
    assert number(f, 2) == "0.73" and "0.73" in texts
    for gradient in expected:
        assert number(gradient, 2) in texts, (gradient, texts)
    assert sorted(number(g, 2) for g in expected) == ["-0.20", "-0.39", "-0.59", "0.20", "0.39"]
    first.scroll_into_view_if_needed()
    first.screenshot(path=str(shots / "site_sigmoid_circuit.png"))
    page.screenshot(path=str(shots / "site_lesson_03.png"))  # docs/browser.png is one of these

    # compile, explain and fit in the same kernel, against this process's gategrad
    shown = append_cell(page, EXTRA)
    assert "PLATFORM emscripten" in shown
    a, b = Value(0.5, label="a"), Value(2.0, label="b")
    out = (a * b + a).tanh()
    fn = gg.compile(out, inputs=[a, b])
    value, grads = fn(0.5, 2.0)
    t = math.tanh(1.5)
    assert math.isclose(value, t) and math.isclose(grads[0], (1 - t * t) * 3.0)
    compiled = re.search(r"COMPILED (\S+) (\S+) (\S+)", shown).groups()
    for got, want in zip(map(float, compiled), [value, *grads], strict=True):
        assert math.isclose(got, want, rel_tol=1e-12)
    batch = [float(v) for v in re.search(r"BATCH (\S+) (\S+)", shown).groups()]
    assert math.isclose(batch[1], math.tanh(-1.0 * 2.0 - 1.0), rel_tol=1e-12)
    notice = "fn.batch: numpy is not installed, so batches run on the python backend"
    assert shown.count(notice) == 1  # said once, though the batch ran twice
    assert re.search(r"1\s+tanh\s+a\*b \+ a = 1\.5000\s+out = 0\.9051\s+0\.1807", shown)
    assert "fit: training on the plain graph, not compiled: numpy is not installed" in shown
    random.seed(1)
    X, y = nn.data.xor()
    model = nn.MLP(2, [4, 1])
    history = nn.fit(model, X, y, loss="mse", epochs=30, lr=0.2, progress=False, compile=False)
    first_loss, last_loss = map(float, re.search(r"FIT (\S+) (\S+)", shown).groups())
    assert math.isclose(first_loss, history.train_loss[0], rel_tol=1e-9)
    assert math.isclose(last_loss, history.train_loss[-1], rel_tol=1e-9)
    assert last_loss < first_loss / 2
    page.close()


def test_lesson_04_player_steps_with_arrow_keys_and_sliders_redraw(offline, site_url, shots):
    reference = animate(sigmoid_gate().root)
    page, _ = open_notebook(offline, site_url, "04_watch_backprop.ipynb")
    run_all(page)
    assert page.locator(ERRORS).count() == 0, page.locator(ERRORS).first.inner_text()
    player, caption = first_player(page, reference)
    player.get_by_role("button", name="next").focus()
    for key, frame in (("ArrowRight", 1), ("ArrowRight", 2), ("ArrowRight", 3),
                       ("ArrowLeft", 2)):
        page.keyboard.press(key)
        assert player.get_attribute("data-frame") == str(frame)
        assert caption.text_content() == reference.captions[frame]
    player.screenshot(path=str(shots / "site_player.png"))

    # explore's sliders (ipywidgets under the Pyodide kernel): move w0, the circuit follows
    w0 = page.locator(".widget-slider").filter(has_text="w0").first
    w0.scroll_into_view_if_needed()
    box = w0.locator("xpath=ancestor::div[contains(@class, 'widget-vbox')][2]")
    picture = box.locator(".widget-html").last
    before = picture.locator("svg text").all_text_contents()
    assert "0.73" in before
    w0.locator(".noUi-handle").focus()
    page.keyboard.press("ArrowLeft")  # noUiSlider: one step down
    page.wait_for_function("([svg, old]) => svg && svg.textContent !== old",
                           arg=[picture.locator("svg").element_handle(), "".join(before)])
    wait_idle(page)
    w0_now = float(w0.locator(".widget-readout").text_content().replace("\u2212", "-"))
    assert w0_now < 2.0
    f = 1 / (1 + math.exp(-(w0_now * -1.0 + 6.0 - 3.0)))
    assert number(f, 2) in picture.locator("svg text").all_text_contents()
    box.screenshot(path=str(shots / "site_sliders.png"))
    page.close()


def test_exercise_checker_in_the_browser(offline, site_url):
    path = "exercises/gates.ipynb"
    cells = code_cells(path)
    imports = cells[0][0]
    (answer,) = [i for i, source in cells if "def mul_local" in source]
    (checker,) = [i for i, source in cells if 'check("my_mul"' in source]
    page, _ = open_notebook(offline, site_url, path)
    page.wait_for_function("window.jupyterapp.shell.currentWidget.sessionContext.session.kernel"
                           ".status === 'idle'")  # Pyodide loaded: a cell now runs at once
    assert run_cell(page, imports).strip() == ""
    forward = "def mul_forward(a, b):\n    return a * b\n\n\n"
    run_cell(page, answer, forward + "def mul_local(out, a, b):\n    return a, b\n")
    wrong = run_cell(page, checker)
    assert "hint: each partial is its own input" in wrong and "✓" not in wrong
    run_cell(page, answer, forward + "def mul_local(out, a, b):\n    return b, a\n")
    right = run_cell(page, checker)
    assert "✓ my_mul gate: the local gradient matches central differences" in right
    assert "d/da = b, d/db = a" in right
    page.close()


def test_a_browser_that_cannot_wait_draws_once_graphviz_has_started(offline, site_url):
    """Without JavaScript Promise Integration (here: run_sync made to fail, before gategrad is
    imported) a diagram in the importing cell says to run it again; the next cell draws it."""
    page, _ = open_notebook(offline, site_url, "03_sigmoid_gate.ipynb")
    page.wait_for_function("window.jupyterapp.shell.currentWidget.sessionContext.session.kernel"
                           ".status === 'idle'")
    append_cell(page, "import pyodide.ffi\n\n\ndef cannot_wait(awaitable):\n"
                      "    raise RuntimeError('no JavaScript Promise Integration here')\n\n\n"
                      "pyodide.ffi.run_sync = cannot_wait")
    too_soon = append_cell(page, "from gategrad.engine import Value, draw\n\n"
                                 "x = Value(2.0, label='x')\n"
                                 "print(draw(x * 3)._repr_mimebundle_()['text/plain'])")
    assert "has not started yet in this browser" in too_soon
    assert "no JavaScript Promise Integration here" in too_soon
    assert "run the cell again in a moment" in too_soon
    drawn = append_cell(page, "svg = draw(x * 3).svg()\nprint(svg.count('<svg'), '6.00' in svg)")
    assert drawn.strip() == "1 True"
    page.close()
