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


@pytest.mark.parametrize("argv, message", [
    (["train", "--lr-end", "-1"], "argument --lr-end: must be a finite number >= 0, got '-1'"),
    (["train", "--epochs", "0"], "argument --epochs: must be an integer >= 1, got '0'"),
    (["train", "--epochs", "2.5"], "argument --epochs: must be an integer >= 1, got '2.5'"),
    (["train", "--momentum", "2"], "argument --momentum: must be in [0, 1), got '2'"),
    (["train", "--grad-tol", "-1"], "argument --grad-tol: must be a finite number > 0, got '-1'"),
    (["train", "--lr", "0"], "argument --lr: must be a finite number > 0, got '0'"),
    (["train", "--lr", "nan"], "argument --lr: must be a finite number > 0, got 'nan'"),
    (["train", "--l2=-1e-4"], "argument --l2: must be a finite number >= 0, got '-1e-4'"),
    (["train", "--batch-size", "-1"], "argument --batch-size: must be an integer >= 0, got '-1'"),
    (["train", "--val", "1"], "argument --val: must be in [0, 1), got '1'"),
    (["train", "--noise", "inf"], "argument --noise: must be a finite number >= 0, got 'inf'"),
    (["train", "--classes", "1"], "argument --classes: must be an integer >= 2, got '1'"),
    (["predict", "m.json", "nan", "1"], "argument X: must be a finite number, got 'nan'"),
    (["predict", "m.json", "--", "1", "-inf"], "argument X: must be a finite number, got '-inf'"),
])
def test_bad_options_are_rejected_by_the_parser_naming_option_and_value(argv, message, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert message in err, err


def test_saving_into_a_missing_folder_fails_before_training(tmp_path, capsys):
    target = tmp_path / "no-such-folder" / "model.json"
    with pytest.raises(SystemExit) as exit_info:
        main(["train", "--epochs", "1", "--save", str(target)])
    assert exit_info.value.code == 2
    captured = capsys.readouterr()
    assert captured.out == ""  # no model printed, no epoch run
    assert f"argument --save: the folder '{target.parent}' does not exist" in captured.err
    with pytest.raises(SystemExit):
        main(["train", "--epochs", "1", "--save", str(tmp_path)])
    assert f"'{tmp_path}' is a folder" in capsys.readouterr().err


def test_a_diverging_run_says_so_in_one_line_not_with_a_200_digit_loss(capsys):
    code = main(["train", "--loss", "mse", "--lr", "100", "--epochs", "100", "--no-progress"])
    assert code == 1
    captured = capsys.readouterr()
    assert re.fullmatch(r"gategrad: fit diverged in epoch \d+, batch 1: .*; try a smaller "
                        r"learning rate \(it was [0-9.]+\)\n", captured.err), captured.err
    assert not re.search(r"\d{30}", captured.out + captured.err)


def test_pytorchs_loss_names_work_on_the_command_line(tmp_path, capsys):
    runs = {}
    for name in ("bce_with_logits", "binary_cross_entropy_with_logits"):
        assert main(["train", "--data", "xor", "--hidden", "4", "--loss", name, "--epochs", "20",
                     "--no-progress", "--save", str(tmp_path / f"{name}.json")]) == 0
        out = capsys.readouterr().out
        runs[name] = out.split("stopped:")[1].split("saved the model")[0]
        assert "loss: bce_with_logits" in out
    assert runs["bce_with_logits"] == runs["binary_cross_entropy_with_logits"]
    assert main(["predict", str(tmp_path / "binary_cross_entropy_with_logits.json"), "1", "0"]) == 0
    assert re.fullmatch(r"score \S+ -> class [01]\n", capsys.readouterr().out)
