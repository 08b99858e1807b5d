"""nn.save and nn.load: bit-for-bit round trips, atomic saves, and corrupt, truncated or mismatched
files that raise a clear error naming the file and never return a half-loaded model."""

import json
import os
import random

import pytest

from gategrad import nn

ARCHITECTURES = [
    lambda: nn.MLP(2, [16, 16, 1], rng=random.Random(0)),
    lambda: nn.MLP(3, [4, 3], activation="tanh", output_activation="sigmoid",
                   rng=random.Random(1)),
    lambda: nn.MLP(2, [5, 1], activation=nn.activations.LeakyReLU(0.2), fused=False,
                   rng=random.Random(2)),
    lambda: nn.MLP(2, [4, 2], activation="prelu", rng=random.Random(3)),
    lambda: nn.MLP(2, [3, 1], activation={"name": "elu", "alpha": 0.5}, rng=random.Random(4)),
    lambda: nn.MLP(2, [3, 1], activation="maxout", pieces=3, rng=random.Random(5)),
    lambda: nn.Layer(3, 2, activation="sigmoid", rng=random.Random(6)),
    lambda: nn.Neuron(4, activation="tanh", rng=random.Random(7)),
]


def outputs(model, points):
    result = []
    for x in points:
        out = model(x)
        result.append([v.data for v in out] if isinstance(out, list) else out.data)
    return result


@pytest.mark.parametrize("build", ARCHITECTURES)
def test_a_reloaded_model_predicts_bit_for_bit(build, tmp_path):
    model = build()
    rng = random.Random(9)
    for p in model.parameters():  # awkward floats, not just the initial draws
        p.data = rng.gauss(0.0, 1.0) / 3.0
    nin = model.nin
    points = [[rng.uniform(-2, 2) for _ in range(nin)] for _ in range(5)]
    path = tmp_path / "model.json"
    nn.save(model, path)
    loaded = nn.load(path)
    assert type(loaded) is type(model)
    assert repr(loaded) == repr(model)
    assert loaded.state_dict() == model.state_dict()  # exact float equality
    assert outputs(loaded, points) == outputs(model, points)


def test_the_file_is_json_with_architecture_parameters_and_meta(tmp_path):
    model = nn.MLP(2, [3, 1], rng=random.Random(0))
    path = tmp_path / "m.json"
    nn.save(model, path, meta={"loss": "hinge"})
    document = json.loads(path.read_text())
    assert document["format"] == "gategrad.nn" and document["version"] == 1
    assert document["architecture"] == {"type": "MLP", "nin": 2, "nouts": [3, 1],
                                        "activation": "relu", "output_activation": "linear",
                                        "fused": True}
    assert list(document["parameters"]) == [name for name, _ in model.named_parameters()]
    loaded, meta = nn.load(path, with_meta=True)
    assert meta == {"loss": "hinge"}


def test_loading_does_not_advance_the_global_random(tmp_path):
    path = tmp_path / "m.json"
    nn.save(nn.MLP(2, [8, 1], rng=random.Random(0)), path)
    random.seed(1)
    state = random.getstate()
    nn.load(path)
    assert random.getstate() == state


def test_saving_replaces_the_file_atomically(tmp_path, monkeypatch):
    path = tmp_path / "m.json"
    nn.save(nn.MLP(2, [3, 1], rng=random.Random(0)), path)
    before = path.read_bytes()

    def crash(*args):
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", crash)  # the crash happens while the new file is written
    with pytest.raises(OSError, match="disk full"):
        nn.save(nn.MLP(2, [3, 1], rng=random.Random(1)), path)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["m.json"]  # no temporary file left behind


def test_a_custom_activation_cannot_be_saved_and_nothing_is_written(tmp_path):
    model = nn.MLP(2, [3, 1], activation=lambda z: z * z, rng=random.Random(0))
    with pytest.raises(ValueError, match="custom function, which cannot be saved"):
        nn.save(model, tmp_path / "m.json")
    assert os.listdir(tmp_path) == []


def test_a_diverged_model_cannot_be_saved(tmp_path):
    model = nn.MLP(2, [3, 1], rng=random.Random(0))
    model.parameters()[4].data = float("inf")
    with pytest.raises(ValueError, match="L1.N2.w1 is inf"):
        nn.save(model, tmp_path / "m.json")


@pytest.fixture
def saved(tmp_path):
    path = tmp_path / "model.json"
    nn.save(nn.MLP(2, [3, 1], rng=random.Random(0)), path)
    return path


def rewrite(path, change):
    document = json.loads(path.read_text())
    change(document)
    path.write_text(json.dumps(document))


CORRUPTIONS = {
    "truncated": (lambda p: p.write_text(p.read_text()[: len(p.read_text()) // 2]),
                  "JSON is corrupt or truncated"),
    "empty": (lambda p: p.write_text(""), "JSON is corrupt or truncated"),
    "binary": (lambda p: p.write_bytes(b"\xff\xfe\x00garbage"), "corrupt or truncated"),
    "not a model": (lambda p: p.write_text('{"hello": 1}'), "not a gategrad model"),
    "a list": (lambda p: p.write_text("[1, 2]"), "not a gategrad model"),
    "future version": (lambda p: rewrite(p, lambda d: d.update(version=99)),
                       "version 99 is not supported"),
    "missing parameter": (lambda p: rewrite(p, lambda d: d["parameters"].pop("L1.N2.b")),
                          "missing L1.N2.b"),
    "extra parameter": (lambda p: rewrite(p, lambda d: d["parameters"].update({"L3.N1.b": 0})),
                        "unexpected L3.N1.b"),
    "wrong architecture": (lambda p: rewrite(p, lambda d: d["architecture"].update(
        nouts=[2, 1])), "does not match the model"),
    "unknown type": (lambda p: rewrite(p, lambda d: d["architecture"].update(type="CNN")),
                     "unknown model type 'CNN'"),
    "bad activation": (lambda p: rewrite(p, lambda d: d["architecture"].update(
        activation="swish")), "unknown activation 'swish'"),
    "giant architecture": (lambda p: rewrite(p, lambda d: d["architecture"].update(
        nouts=[10 ** 9, 1])), "needs at least 3000000000 parameters"),
    "string parameter": (lambda p: rewrite(p, lambda d: d["parameters"].update(
        {"L1.N1.w0": "0.5"})), "L1.N1.w0 must be a number, got str"),
    "null parameter": (lambda p: rewrite(p, lambda d: d["parameters"].update(
        {"L2.N1.b": None})), "L2.N1.b must be a number, got NoneType"),
    "NaN parameter": (lambda p: p.write_text(p.read_text().replace(
        '"L1.N1.b": 0.0', '"L1.N1.b": NaN')), "NaN is not a valid parameter value"),
}


@pytest.mark.parametrize("case", list(CORRUPTIONS))
def test_a_bad_file_is_a_clear_error_naming_it(saved, case):
    corrupt, message = CORRUPTIONS[case]
    corrupt(saved)
    with pytest.raises(ValueError, match=message) as error:
        nn.load(saved)
    assert str(saved) in str(error.value)


def test_a_missing_file_is_an_os_error_naming_it(tmp_path):
    with pytest.raises(FileNotFoundError, match="nowhere.json"):
        nn.load(tmp_path / "nowhere.json")
