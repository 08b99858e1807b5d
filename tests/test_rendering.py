"""Finding and running the renderer: GATEGRAD_DOT, then dot, then graphviz-pure; clear errors."""

import os
import re
import stat
import sys
import sysconfig
from pathlib import Path

import pytest

from gategrad.cli import main
from gategrad.engine import draw
from gategrad.engine.show import rendering
from gategrad.engine.show.examples import sigmoid_gate
from gategrad.engine.show.rendering import RENDERER_ENV, RenderError, find_renderer

posix_only = pytest.mark.skipif(os.name != "posix", reason="fake renderers are shell scripts")


def fake_program(folder: Path, name: str, script: str = 'echo "$@"') -> Path:
    """A stand-in renderer; by default it prints the arguments it was given."""
    path = folder / name
    path.write_text(f"#!/bin/sh\n{script}\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


@pytest.fixture
def no_env(monkeypatch):
    monkeypatch.delenv(RENDERER_ENV, raising=False)


# --- the lookup order ------------------------------------------------------------------------

@posix_only
def test_system_dot_comes_before_graphviz_pure(tmp_path, monkeypatch, no_env):
    dot, _ = fake_program(tmp_path, "dot"), fake_program(tmp_path, "graphviz-pure")
    monkeypatch.setenv("PATH", str(tmp_path))
    assert find_renderer() == str(dot)


@posix_only
def test_graphviz_pure_on_path_when_there_is_no_dot(tmp_path, monkeypatch, no_env):
    pure = fake_program(tmp_path, "graphviz-pure")
    monkeypatch.setenv("PATH", str(tmp_path))
    assert find_renderer() == str(pure)


def test_graphviz_pure_beside_the_interpreter_when_path_lacks_it(tmp_path, monkeypatch, no_env):
    # A Jupyter kernel started without the venv's bin on PATH still finds the venv's program.
    monkeypatch.setenv("PATH", str(tmp_path))
    found = Path(find_renderer())
    assert found.name.startswith("graphviz-pure")
    assert found.parent in {Path(sysconfig.get_path("scripts")), Path(sys.executable).parent}


@posix_only
def test_the_environment_variable_wins(tmp_path, monkeypatch):
    fake_program(tmp_path, "dot")
    mine = fake_program(tmp_path, "my-dot")
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setenv(RENDERER_ENV, str(mine))
    assert find_renderer() == str(mine)
    monkeypatch.setenv(RENDERER_ENV, "my-dot")  # a bare name is looked up on PATH
    assert find_renderer() == str(mine)


@posix_only
def test_the_renderer_runs_quietly_on_dot_text(tmp_path, monkeypatch):
    monkeypatch.setenv(RENDERER_ENV, str(fake_program(tmp_path, "echo-args")))
    assert draw(sigmoid_gate().root).svg().split() == ["-Tsvg", "-q"]


# --- clear errors ------------------------------------------------------------------------------

def test_a_missing_renderer_is_a_clear_error(monkeypatch, capsys, tmp_path):
    missing = str(tmp_path / "no-such-dot")
    monkeypatch.setenv(RENDERER_ENV, missing)
    diagram = draw(sigmoid_gate().root)
    with pytest.raises(FileNotFoundError, match=f"{RENDERER_ENV}=.*no-such-dot.*names no program"):
        diagram.svg()
    # Jupyter shows one line of text instead of a traceback; the DOT text still works.
    assert "no-such-dot" in diagram._repr_mimebundle_()["text/plain"]
    assert diagram.source.startswith("digraph")
    # And the command line says it in one line.
    assert main(["example", "sigmoid-gate", "--svg", str(tmp_path / "f.svg")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("gategrad: ") and "no-such-dot" in err and "Traceback" not in err


def test_no_renderer_anywhere_names_what_to_install(tmp_path, monkeypatch, no_env):
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(rendering.sysconfig, "get_path", lambda name: str(tmp_path))
    monkeypatch.setattr(rendering.sys, "executable", str(tmp_path / "python"))
    with pytest.raises(FileNotFoundError, match="pip install graphviz-pure"):
        find_renderer()


@posix_only
def test_a_failing_renderer_reports_its_own_message(tmp_path, monkeypatch):
    broken = fake_program(tmp_path, "broken-dot", 'echo "syntax error in line 1" >&2; exit 3')
    monkeypatch.setenv(RENDERER_ENV, str(broken))
    with pytest.raises(RenderError, match="exit status 3.*syntax error in line 1"):
        draw(sigmoid_gate().root).svg()


def test_pdf_is_written_without_a_system_dot(monkeypatch, tmp_path, graphviz_pure):
    # graphviz-pure writes no PDF: the SVG becomes a vector PDF in Python (svglib, reportlab)
    monkeypatch.setenv(RENDERER_ENV, graphviz_pure)
    monkeypatch.setenv("PATH", str(tmp_path))  # no `dot` anywhere to fall back on
    data = draw(sigmoid_gate().root, title="sigmoid").save(tmp_path / "f.pdf").read_bytes()
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
    assert b"/Helvetica" in data  # text, not a picture of it
    box = re.search(rb"/MediaBox \[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", data)
    svg = draw(sigmoid_gate().root, title="sigmoid").svg()
    width, height = re.search(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"', svg).groups()
    assert (float(box[1]), float(box[2])) == (float(width), float(height))


def test_the_cli_writes_a_pdf_without_a_system_dot(monkeypatch, tmp_path, graphviz_pure, capsys):
    monkeypatch.setenv(RENDERER_ENV, graphviz_pure)
    monkeypatch.setenv("PATH", str(tmp_path))
    path = tmp_path / "f.pdf"
    assert main(["example", "sigmoid-gate", "--pdf", str(path)]) == 0
    assert path.read_bytes().startswith(b"%PDF-")
    assert f"wrote the circuit diagram to {path.resolve()}" in capsys.readouterr().out


# --- saving ------------------------------------------------------------------------------------

def test_save_picks_the_format_by_suffix(monkeypatch, tmp_path, graphviz_pure):
    monkeypatch.setenv(RENDERER_ENV, graphviz_pure)
    diagram = draw(sigmoid_gate().root)
    assert diagram.save(tmp_path / "f.dot").read_text() == diagram.source
    assert "<svg" in diagram.save(tmp_path / "f.svg").read_text()
    assert diagram.save(tmp_path / "f.PNG").read_bytes()[:4] == b"\x89PNG"
    with pytest.raises(ValueError, match=r"'f\.jpg'.*\.svg, \.png"):
        diagram.save(tmp_path / "f.jpg")


def test_cli_writes_the_circuit_and_says_where(monkeypatch, capsys, tmp_path, graphviz_pure):
    monkeypatch.setenv(RENDERER_ENV, graphviz_pure)
    svg, png = tmp_path / "sigmoid.svg", tmp_path / "sigmoid.png"
    assert main(["example", "sigmoid-gate", "--svg", str(svg), "--png", str(png)]) == 0
    out = capsys.readouterr().out
    assert f"wrote the circuit diagram to {svg.resolve()}" in out
    assert "1/x" in svg.read_text() and png.read_bytes()[:4] == b"\x89PNG"


def test_in_a_browser_draw_goes_to_graphviz_as_webassembly_and_makes_svg_only(monkeypatch):
    from gategrad.engine.show import browser
    calls = []
    monkeypatch.setattr(browser, "IN_BROWSER", True)
    monkeypatch.setattr(browser, "render", lambda source, fmt: calls.append((source, fmt)) or
                        b"<svg>in the page</svg>")
    diagram = draw(sigmoid_gate().root)
    assert diagram.svg() == "<svg>in the page</svg>"
    assert calls == [(diagram.source, "svg")]  # the same DOT text as on the desktop


def test_the_browser_renderer_refuses_png_and_says_what_to_save_instead():
    from gategrad.engine.show import browser
    with pytest.raises(ValueError, match=r"SVG only, not 'png': save as \.svg or \.dot"):
        browser.render("digraph { a }", "png")


def test_outside_a_browser_without_its_graphviz_package_the_error_names_it(monkeypatch):
    from gategrad.engine.show import browser
    monkeypatch.setattr(browser, "GRAPHVIZ_WHEEL", "no_such_package_here")
    monkeypatch.setattr(browser, "_graphviz", None)
    with pytest.raises(FileNotFoundError, match="no_such_package_here .*make site"):
        browser.render("digraph { a }", "svg")
