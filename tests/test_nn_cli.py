"""`gategrad train` and `gategrad predict` as a newcomer runs them."""

import re
import subprocess
import sys

import pytest

from gategrad import nn
from gategrad.cli import main


def accuracy_of(text, split="train"):
    match = re.search(rf"{split}:\s+loss [0-9.]+, accuracy ([0-9.]+)%", text)
    assert match, text
    return float(match.group(1)) / 100


def test_the_issues_command_trains_with_a_progress_bar_and_saves(tmp_path, capsys):
    path = tmp_path / "model.json"
    code = main(["train", "--data", "moons", "--hidden", "16,16", "--loss", "hinge", "--epochs",
                 "100", "--lr", "1.0", "--batch-size", "0", "--save", str(path)])
    assert code == 0
    captured = capsys.readouterr()
    assert "MLP(2 -> 16 -> 16 -> 1, 337 parameters)" in captured.out
    assert "ran all 100 epochs" in captured.out
    assert accuracy_of(captured.out) >= 0.97
    assert f"saved the model to {path}" in captured.out
    assert "100/100" in captured.err and "acc=" in captured.err  # tqdm writes to stderr

    # predict prints the score and the class; it agrees with the model loaded in Python
    assert main(["predict", str(path), "0.5", "-0.2"]) == 0
    printed = capsys.readouterr().out.strip()
    score = nn.load(path)([0.5, -0.2]).data
    assert printed == f"score {score:.6g} -> class {int(score > 0)}"


def test_parity_with_a_constant_learning_rate_and_no_l2(capsys):
    code = main(["train", "--data", "parity", "--bits", "3", "--hidden", "8", "--activation",
                 "tanh", "--loss", "bce_with_logits", "--epochs", "300", "--lr", "1.0",
                 "--lr-end", "1.0", "--l2", "0", "--no-progress"])
    assert code == 0
    out = capsys.readouterr().out
    assert accuracy_of(out) == 1.0
    assert "data: parity, 8 training points; loss: bce_with_logits" in out


def test_spirals_default_to_cross_entropy_with_one_output_per_class(capsys, tmp_path):
    path = tmp_path / "spirals.json"
    assert main(["train", "--data", "spirals", "--n", "60", "--hidden", "8", "--epochs", "3",
                 "--batch-size", "10", "--val", "0.2", "--test", "0.2", "--no-progress",
                 "--save", str(path)]) == 0
    out = capsys.readouterr().out
    assert "MLP(2 -> 8 -> 3" in out and "loss: cross_entropy" in out
    assert "validation:" in out and "test:" in out
    assert main(["predict", str(path), "0.1", "0.2"]) == 0
    assert re.fullmatch(r"scores \[.*\] -> class [012]\n", capsys.readouterr().out)


def test_regression_reports_a_loss_without_accuracy(capsys):
    assert main(["train", "--data", "regression", "--n", "20", "--hidden", "8", "--activation",
                 "tanh", "--epochs", "5", "--lr", "0.1", "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"train:\s+loss [0-9.]+\n", out) and "accuracy" not in out


@pytest.mark.parametrize("argv, message", [
    (["predict", "{model}", "1", "2", "3"], "{model}: the model takes 2 inputs, got 3"),
    (["predict", "{missing}", "1", "2"], "No such file or directory"),
    (["predict", "{corrupt}", "1", "2"], "{corrupt}: not a valid model file"),
    (["train", "--data", "spirals", "--loss", "hinge", "--epochs", "1"],
     "spirals has 3 classes; --loss hinge handles two"),
])
def test_errors_are_one_clear_line_and_a_nonzero_exit(argv, message, tmp_path, capsys):
    paths = {"model": tmp_path / "m.json", "missing": tmp_path / "missing.json",
             "corrupt": tmp_path / "corrupt.json"}
    nn.save(nn.MLP(2, [2, 1]), paths["model"])
    paths["corrupt"].write_text('{"format": "gategrad.nn", "vers')
    argv = [a.format(**paths) for a in argv]
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert err.startswith("gategrad: ") and err.count("\n") == 1
    assert message.format(**paths) in err


def test_bad_layer_sizes_are_rejected_by_the_parser(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["train", "--hidden", "16,x"])
    assert exit_info.value.code == 2
    assert "expected layer sizes like 16,16" in capsys.readouterr().err


def test_help_lists_train_and_predict_from_the_installed_command():
    result = subprocess.run([sys.executable, "-m", "gategrad", "--help"], capture_output=True,
                            text=True, check=True)
    assert "train" in result.stdout and "predict" in result.stdout
    result = subprocess.run([sys.executable, "-m", "gategrad", "train", "--help"],
                            capture_output=True, text=True, check=True)
    assert "--batch-size" in result.stdout and "micrograd" in result.stdout
