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
    # numbers JSON can write but a float cannot hold
    "nin 1e400": (lambda p: p.write_text(p.read_text().replace('"nin": 2', '"nin": 1e400')),
                  "'nin' must be an integer >= 1, got inf"),
    "parameter 10**400": (lambda p: p.write_text(p.read_text().replace(
        '"L1.N1.b": 0.0', '"L1.N1.b": 1' + "0" * 400)),
        "parameter L1.N1.b is too large for a float"),
    "parameter 1e400": (lambda p: p.write_text(p.read_text().replace(
        '"L1.N1.b": 0.0', '"L1.N1.b": -1e400')), "L1.N1.b must be a finite number, got -inf"),
    # every entry of the wrong JSON type
    "type a list": (lambda p: rewrite(p, lambda d: d["architecture"].update(type=["MLP"])),
                    r"unknown model type \['MLP'\]"),
    "type missing": (lambda p: rewrite(p, lambda d: d["architecture"].pop("type")),
                     "unknown model type None"),
    "nin a string": (lambda p: rewrite(p, lambda d: d["architecture"].update(nin="2")),
                     "'nin' must be an integer >= 1, got '2'"),
    "nin true": (lambda p: rewrite(p, lambda d: d["architecture"].update(nin=True)),
                 "'nin' must be an integer >= 1, got True"),
    "nin 2.0": (lambda p: rewrite(p, lambda d: d["architecture"].update(nin=2.0)),
                "'nin' must be an integer >= 1, got 2.0"),
    "nin negative": (lambda p: rewrite(p, lambda d: d["architecture"].update(nin=-2)),
                     "'nin' must be an integer >= 1, got -2"),
    "nouts a number": (lambda p: rewrite(p, lambda d: d["architecture"].update(nouts=3)),
                       "'nouts' must be a list of layer sizes, got 3"),
    "nouts entry a dict": (lambda p: rewrite(p, lambda d: d["architecture"].update(
        nouts=[3, {"n": 1}])), r"'nouts'\[1\] must be an integer >= 1, got \{'n': 1\}"),
    "activation a number": (lambda p: rewrite(p, lambda d: d["architecture"].update(
        activation=5)), "activation must be a name"),
    "activation option a list": (lambda p: rewrite(p, lambda d: d["architecture"].update(
        activation={"name": "elu", "alpha": [1]})), "elu: alpha must be a number, got list"),
    "activation option 10**400": (lambda p: rewrite(p, lambda d: d["architecture"].update(
        activation={"name": "elu", "alpha": 10 ** 400})), "elu: alpha is too large for a float"),
    "activation name a dict": (lambda p: rewrite(p, lambda d: d["architecture"].update(
        activation={"name": {"name": "relu"}})), "needs a \"name\" string"),
    "fused a string": (lambda p: rewrite(p, lambda d: d["architecture"].update(fused="yes")),
                       "fused must be True or False, got str 'yes'"),
    "unknown argument": (lambda p: rewrite(p, lambda d: d["architecture"].update(depth=3)),
                         "invalid MLP architecture: .*depth"),
    "pieces huge": (lambda p: rewrite(p, lambda d: d["architecture"].update(
        activation="maxout", pieces=10 ** 9)), "needs at least 6000000003 parameters"),
    "version true": (lambda p: rewrite(p, lambda d: d.update(version=True)),
                     "version True is not supported"),
    "architecture a list": (lambda p: rewrite(p, lambda d: d.update(architecture=[1])),
                            "'architecture' entry is missing or not a JSON object"),
    "parameters a list": (lambda p: rewrite(p, lambda d: d.update(parameters=[0.5])),
                          "'parameters' entry is missing or not a JSON object"),
    "parameter a list": (lambda p: rewrite(p, lambda d: d["parameters"].update(
        {"L1.N1.w0": [0.5]})), "L1.N1.w0 must be a number, got list"),
    "parameter true": (lambda p: rewrite(p, lambda d: d["parameters"].update(
        {"L1.N1.w0": True})), "L1.N1.w0 must be a number, got bool"),
    "meta a list": (lambda p: rewrite(p, lambda d: d.update(meta=["hinge"])),
                    "'meta' entry must be a JSON object, got list"),
    "nested deeply": (lambda p: p.write_text("[" * 100_000 + "]" * 100_000),
                      "nested too deeply"),
    "nested deeply in the architecture": (lambda p: p.write_text(p.read_text().replace(
        '"activation": "relu"', '"activation": ' + '{"name": ' * 50_000 + '"relu"' + "}" * 50_000)),
        "nested too deeply"),
}


@pytest.mark.parametrize("case", list(CORRUPTIONS))
def test_a_bad_file_is_a_clear_error_naming_it(saved, case):
    corrupt, message = CORRUPTIONS[case]
    corrupt(saved)
    with pytest.raises(ValueError, match=message) as error:
        nn.load(saved)
    assert str(saved) in str(error.value)


def test_every_malformed_file_is_a_value_error_never_another_type(saved):
    """The cases above, checked for the exception's exact type: an OverflowError, TypeError or
    RecursionError, even wrapped, would be a fault."""
    for case, (corrupt, _) in CORRUPTIONS.items():
        nn.save(nn.MLP(2, [3, 1], rng=random.Random(0)), saved)
        corrupt(saved)
        with pytest.raises(Exception) as error:
            nn.load(saved)
        assert type(error.value) is ValueError, (case, error.value)


def test_saving_into_a_missing_folder_names_the_target_not_the_temporary_file(tmp_path):
    target = tmp_path / "no" / "such" / "model.json"
    with pytest.raises(FileNotFoundError) as error:
        nn.save(nn.MLP(2, [3, 1]), target)
    message = str(error.value)
    assert f"cannot save the model to {target}" in message
    assert f"the folder {target.parent} does not exist" in message
    assert ".tmp" not in message and ".model.json." not in message


def test_saving_onto_a_folder_names_it_and_leaves_nothing_behind(tmp_path):
    folder = tmp_path / "model.json"
    folder.mkdir()
    with pytest.raises(OSError) as error:
        nn.save(nn.MLP(2, [3, 1]), folder)
    assert f"cannot save the model to {folder}: it is a folder" in str(error.value)
    assert ".tmp" not in str(error.value)
    assert os.listdir(tmp_path) == ["model.json"] and os.listdir(folder) == []


def test_meta_that_json_cannot_hold_names_the_target(tmp_path):
    target = tmp_path / "m.json"
    with pytest.raises(TypeError, match=f"cannot save the model to {target}: .*not JSON"):
        nn.save(nn.MLP(2, [3, 1]), target, meta={"rng": random.Random(0)})
    assert os.listdir(tmp_path) == []


def test_a_missing_file_is_an_os_error_naming_it(tmp_path):
    with pytest.raises(FileNotFoundError, match="nowhere.json"):
        nn.load(tmp_path / "nowhere.json")
