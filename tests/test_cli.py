"""The `gategrad` command as a newcomer uses it."""

import math
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
