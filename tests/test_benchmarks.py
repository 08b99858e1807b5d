"""The benchmark keeps working: one run at tiny sizes (--quick).

Never a timed assertion: this machine's speed says nothing about the code. What is checked is that
every workload runs and reports, and that the engines compute the same thing.
"""

from __future__ import annotations

import json
import math

import pytest

from benchmarks.__main__ import WORKLOADS, main, run
from benchmarks.report import text_report


@pytest.fixture(scope="module")
def quick():
    results = run(quick=True)
    return results, text_report(results)


def test_every_workload_runs_and_is_named_in_the_output(quick):
    results, text = quick
    assert set(results["workloads"]) == set(WORKLOADS)
    for heading in ("(1) chain", "(2) dot product", "(3) demo step", "(4) memory",
                    "(5) deepest chain"):
        assert heading in text
    assert "gc.collect() runs before every timed region" in text


def test_first_step_losses_agree_across_engines(quick):
    checks = quick[0]["workloads"]["demo"]["checks"]
    assert {"gategrad", "micrograd", "floor"} <= set(checks)
    reference = checks["floor"]["first_loss"]
    for name, c in checks.items():
        assert math.isclose(c["first_loss"], reference, rel_tol=1e-9, abs_tol=1e-9), name
        assert c["same_loss_every_rep"], name
        assert c["max_param_diff_after_step"] < 1e-9, name


def test_every_engine_gets_chain_and_dot_right(quick):
    w = quick[0]["workloads"]
    for section in w["chain"]:
        assert all(c["grad_ok"] for c in section["checks"].values())
    assert all(c["value_ok"] and c["grads_ok"] for c in w["dot"]["checks"].values())


def test_memory_and_depth_report_numbers(quick):
    w = quick[0]["workloads"]
    for name in ("gategrad", "micrograd"):
        assert w["memory"][name]["bytes_per_gate_forward"] > 0
        assert w["depth"][name]["rungs"]
    assert w["depth"]["micrograd"]["recursion"]["fails_from_gates"] > 0


def test_command_line_writes_json(tmp_path, capsys):
    path = tmp_path / "results.json"
    assert main(["--quick", "--only", "dot", "--no-torch", "--json", str(path)]) == 0
    out = capsys.readouterr().out
    assert "(2) dot product" in out
    assert "the PyTorch rows are skipped" in out  # as in CI, where torch is not installed
    saved = json.loads(path.read_text())
    assert set(saved["workloads"]) == {"dot"}
    assert saved["machine"]["python"]
