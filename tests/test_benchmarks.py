"""The benchmark keeps working: its tables produced in this process at the tiny size (--tiny).

Never a timing threshold: this machine's speed says nothing about the code. What is checked: every
table has all its rows and columns, the engines' first-step losses agree, and every number is
finite and positive. PyTorch and JAX are in the bench extra, not the test one: installed or not,
the tests pass, and a row whose engine is missing prints "-" with the reason.
"""

from __future__ import annotations

import importlib.util
import json
import math

import pytest

from benchmarks.__main__ import COLUMNS, NAMES, main, report, run, table
from benchmarks.engines import ENGINES
from benchmarks.timing import close
from benchmarks.workloads import workloads

NUMBERS = ("steady_ms", "steady_median_ms", "steady_min_ms", "cold_ms")
INSTALLED = {name: importlib.util.find_spec(name) is not None for name in ("torch", "jax")}


@pytest.fixture(scope="module")
def tiny():
    results = run(tiny=True)
    return results, report(results)


def test_every_table_has_every_row_and_column(tiny):
    results, text = tiny
    assert list(results["workloads"]) == list(NAMES)
    for w in workloads(tiny=True):
        section = results["workloads"][w.name]
        assert list(section["engines"]) == list(w.engines)
        lines = table(section).splitlines()
        assert f"### {w.title}\n" in text and table(section) in text
        assert lines[0] == "| " + " | ".join(COLUMNS) + " |"
        assert len(lines) == 2 + len(w.engines)
        for line, name in zip(lines[2:], w.engines):
            cells = line.strip("|").split(" | ")
            assert cells[0].strip() == ENGINES[name][0]
            assert len(cells) == len(COLUMNS), line


def test_first_step_losses_agree(tiny):
    for name, section in tiny[0]["workloads"].items():
        check = section["check"]
        assert check["passed"], name
        losses = check["first_losses"]
        assert check["reference"] == "numpy" and len(losses) >= 2, name
        assert all(close(loss, losses["numpy"]) for loss in losses.values()), (name, losses)
        assert section["check"]["last_losses_spread"] < 1e-9, name


def test_numbers_are_finite_and_positive_or_the_row_says_why(tiny):
    for name, section in tiny[0]["workloads"].items():
        for engine, row in section["engines"].items():
            if engine in INSTALLED and not INSTALLED[engine]:
                assert "steady_ms" not in row and row["skipped"], (name, engine)
                continue
            if "skipped" in row:  # a reason the workload gives; never a failure
                assert engine in workloads(tiny=True)[NAMES.index(name)].skipped, row
                continue
            for key in NUMBERS:
                assert math.isfinite(row[key]) and row[key] > 0, (name, engine, key, row)
            if INSTALLED["torch"]:
                assert math.isfinite(row["ratio"]) and row["ratio"] > 0, (name, engine)
    demo = tiny[0]["workloads"]["demo"]
    assert demo["micrograd_over_plain"] > 0  # the plain graph against micrograd: a row kept


def test_command_line_prints_the_table_and_writes_json(tmp_path, capsys):
    path = tmp_path / "results.json"
    assert main(["--tiny", "--only", "fn-batch", "--json", str(path)]) == 0
    assert '| gategrad fn.batch(backend="numpy") |' in capsys.readouterr().out
    saved = json.loads(path.read_text())
    assert set(saved["workloads"]) == {"fn-batch"}
    assert saved["machine"]["date"] and saved["machine"]["python"]
    assert {"numpy", "torch", "jax"} <= set(saved["machine"]["versions"])
    row = saved["workloads"]["fn-batch"]["engines"]["fn-batch"]
    assert row["steady_ms"] > 0 and row["cold_ms"] > 0
    assert ("ratio" in row) == INSTALLED["torch"]


def test_the_compile_cost_table_at_a_tiny_size(capsys):
    from benchmarks import compile_cost
    assert compile_cost.main(["--tiny"]) == 0
    rows = capsys.readouterr().out.strip().splitlines()
    assert rows[0].startswith("| graph | gates | inputs |") and len(rows) == 4
    for row in rows[2:]:
        cells = [c.strip() for c in row.strip("|").split("|")]
        assert int(cells[1].replace(",", "")) > 0 and float(cells[3]) >= 0.0
