"""The `gategrad` command as a newcomer uses it."""

import math
import re
import shutil
import subprocess
import sys

import pytest

from gategrad.cli import main


def test_help_lists_the_subcommands(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert "example" in out


def test_example_list_names_the_lecture_examples(capsys):
    assert main(["example", "--list"]) == 0
    out = capsys.readouterr().out
    for name in ("sigmoid-gate", "patterns", "vectorized"):
        assert name in out


def test_sigmoid_gate_example_prints_values_gradients_and_the_explain_table(capsys):
    assert main(["example", "sigmoid-gate"]) == 0
    out = capsys.readouterr().out
    f = 1 / (1 + math.exp(-1.0))
    assert f"f = {f:.4f}" in out
    assert f"df/dx1 = {-3.0 * f * (1 - f):.4f}" in out
    assert "backward pass from f" in out and "1/x" in out and "*-1" in out


def forward_and_table(out: str) -> tuple[dict[str, str], list[list[str]]]:
    """The forward line's names and numbers, and the step table's rows split into columns."""
    forward = next(line for line in out.splitlines() if line.startswith("forward:"))
    named = dict(pair.split(" = ") for pair in forward[len("forward:"):].strip().split(", "))
    lines = out.splitlines()
    rule = next(k for k, line in enumerate(lines) if line.startswith("----"))
    starts = [m.start() for m in re.finditer(r"-+", lines[rule])]
    rows = [[line[a:b].strip() for a, b in zip(starts, starts[1:] + [None])]
            for line in lines[rule + 1:] if line.strip()]
    return named, rows


@pytest.mark.parametrize("name", ["sigmoid-gate", "sigmoid-gate-fused", "simple", "patterns",
                                  "vectorized"])
def test_the_step_tables_names_are_the_forward_lines(name, capsys):
    assert main(["example", name, "--digits", "2"]) == 0
    named, rows = forward_and_table(capsys.readouterr().out)
    outputs = dict(row[3].split(" = ") for row in rows)  # output column: "name = value"
    inputs = dict(part.split(" = ") for row in rows for part in row[2].split(", ")
                  if " = " in part)
    table = {**inputs, **outputs}
    for wire, value in named.items():  # every wire the forward line names, by that name
        assert table.get(wire) == value, (wire, value, rows)
    for text in table:  # and no name the forward line would call otherwise
        assert not re.fullmatch(r".*#\d+", text) and text not in ("+", "*")


def test_the_step_table_leaves_constants_local_gradients_out(capsys):
    assert main(["example", "sigmoid-gate", "--digits", "2"]) == 0
    _, rows = forward_and_table(capsys.readouterr().out)
    by_gate = {row[1]: row for row in rows}
    assert by_gate["*-1"][2:] == ["dot = 1.00", "-dot = -1.00", "-1.00", "-0.20", "0.20"]
    assert by_gate["+1"][4] == "1.00" and by_gate["+1"][6] == "-0.53"
    assert main(["example", "vectorized", "--digits", "3"]) == 0
    _, rows = forward_and_table(capsys.readouterr().out)
    square = next(row for row in rows if row[1] == "**2")
    assert "," not in square[2] + square[4] + square[6]  # q, its 2q, what it sends: one each


def test_the_cli_rounds_half_away_from_zero(capsys):
    assert main(["example", "vectorized", "--digits", "3"]) == 0
    out = capsys.readouterr().out
    # f = 0.22^2 + 0.26^2 = 0.116 exactly in decimals; 2 q1 = 0.44, 0.44 * 0.2 = 0.088 ...
    assert "f = 0.116" in out
    x = 0.125
    assert f"{x:.2f}" == "0.12"  # Python's rounding, which a student's table must not copy
    from gategrad.engine.show.captions import number
    assert number(x, 2) == "0.13" and number(10.125, 2) == "10.13" and number(-10.125, 2) == \
        "-10.13"


def test_unknown_example_is_a_clear_error(capsys):
    assert main(["example", "nope"]) == 2
    err = capsys.readouterr().err
    assert "no example 'nope'" in err and "sigmoid-gate" in err


def test_installed_console_command_runs():
    exe = shutil.which("gategrad") or str(__import__("pathlib").Path(sys.executable).parent
                                          / "gategrad")
    done = subprocess.run([exe, "example", "patterns", "--digits", "2"], capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "df/dx = -8.00" in done.stdout and "df/dw = 0.00" in done.stdout


@pytest.mark.parametrize("argv, message", [
    (["example", "sigmoid-gate", "--digits", "-1"],
     "argument --digits: must be an integer >= 0, got '-1'"),
    (["example", "sigmoid-gate", "--digits", "two"],
     "argument --digits: must be an integer >= 0, got 'two'"),
    (["example", "sigmoid-gate", "--frame-seconds", "0"],
     "argument --frame-seconds: must be a finite number > 0, got '0'"),
])
def test_bad_example_options_are_parser_errors_not_format_errors(argv, message, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


def test_digits_zero_prints_whole_numbers(capsys):
    assert main(["example", "simple", "--digits", "0"]) == 0
    out = capsys.readouterr().out
    assert "f = -12" in out and "df/dz = 3" in out


def test_version(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    from gategrad import __version__
    assert capsys.readouterr().out == f"gategrad {__version__}\n"
