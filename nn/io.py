"""`save(model, path)` and `load(path)`: a model as one JSON file, architecture and parameters.

The file holds the constructor arguments (`model.config()`) and every parameter by name. Floats are
written with `repr`, which reads back to the same float, so a loaded model predicts bit for bit
what the saved one did. `load` checks everything and builds a complete new model before it returns:
a corrupt, truncated or mismatched file raises ValueError naming the file, and nothing half-loaded
ever escapes. `save` writes a temporary file in the same folder and renames it over the target, so
a crash mid-save leaves the previous file intact.

>>> import os, random, tempfile, nn
>>> model = nn.MLP(2, [3, 1], rng=random.Random(0))
>>> path = os.path.join(tempfile.mkdtemp(), "model.json")
>>> save(model, path)
>>> load(path)([0.5, -0.2]).data == model([0.5, -0.2]).data
True
"""

from __future__ import annotations

import json
import math
import os
import random
import tempfile

from .layers import MLP, Layer, Maxout, Neuron

FORMAT = "gategrad.nn"
VERSION = 1
_TYPES = {cls.__name__: cls for cls in (MLP, Layer, Neuron, Maxout)}


def to_dict(model, meta: dict | None = None) -> dict:
    """The JSON-ready description of `model`: format, architecture, parameters, and `meta`."""
    state = model.state_dict()
    for name, x in state.items():
        if not math.isfinite(x):
            raise ValueError(f"parameter {name} is {x}; a diverged model cannot be saved as JSON")
    return {"format": FORMAT, "version": VERSION, "architecture": model.config(),
            "parameters": state, "meta": dict(meta or {})}


def from_dict(document) -> object:
    """Build a model from `to_dict`'s description; raises ValueError before returning anything
    unless every check passes."""
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ValueError(f"not a gategrad model (no \"format\": \"{FORMAT}\")")
    if document.get("version") != VERSION:
        raise ValueError(f"model format version {document.get('version')!r} is not supported "
                         f"(this gategrad reads version {VERSION})")
    for key, kind in (("architecture", dict), ("parameters", dict)):
        if not isinstance(document.get(key), kind):
            raise ValueError(f"the {key!r} entry is missing or not a JSON object")
    architecture, parameters = document["architecture"], document["parameters"]
    needed = _weights_needed(architecture)
    if needed > len(parameters):  # checked before building: a file must not make us build a giant
        raise ValueError(f"the architecture needs at least {needed} parameters but the file has "
                         f"{len(parameters)}")
    model = build(architecture)
    model.load_state_dict(parameters)
    return model


def _weights_needed(architecture: dict) -> int:
    """A lower bound on the parameter count: the weights alone, without biases or slopes."""
    try:
        kind = architecture.get("type")
        if kind == "MLP":
            sizes = [int(architecture["nin"])] + [int(n) for n in architecture["nouts"]]
            return sum(a * b for a, b in zip(sizes, sizes[1:], strict=False))
        if kind == "Layer":
            return int(architecture["nin"]) * int(architecture["nout"])
        return int(architecture.get("nin", 0))
    except (KeyError, TypeError, ValueError) as err:
        raise ValueError(f"invalid architecture {architecture}: {err!r}") from None


def build(architecture: dict):
    """A fresh model from a `config()` dict (weights from a private generator, to be replaced)."""
    arguments = dict(architecture)
    kind = arguments.pop("type", None)
    if kind not in _TYPES:
        raise ValueError(f"unknown model type {kind!r}; expected one of {', '.join(_TYPES)}")
    try:
        # A private generator: loading must not advance the global `random` of the user's run.
        return _TYPES[kind](**arguments, rng=random.Random(0))
    except (TypeError, ValueError) as err:
        raise ValueError(f"invalid {kind} architecture {architecture}: {err}") from None


def save(model, path, meta: dict | None = None) -> None:
    """Write `model` (and optional JSON-able `meta`, e.g. the loss it was trained with) to `path`
    atomically."""
    text = json.dumps(to_dict(model, meta), indent=1, allow_nan=False)
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{os.path.basename(path)}.",
                                         suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text + "\n")
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.remove(temporary)
        raise


def read(path) -> dict:
    """The parsed and checked JSON document of a model file (see `load`)."""
    path = os.fspath(path)
    try:
        with open(path, encoding="utf-8") as file:
            return json.loads(file.read(), parse_constant=_reject_constant)
    except ValueError as err:  # also UnicodeDecodeError and json.JSONDecodeError
        raise ValueError(f"{path}: not a valid model file, the JSON is corrupt or truncated "
                         f"({err})") from None


def load(path, with_meta: bool = False):
    """The model saved at `path` (and its meta dict if `with_meta`)."""
    document = read(path)
    try:
        model = from_dict(document)
    except ValueError as err:
        raise ValueError(f"{os.fspath(path)}: {err}") from None
    meta = document.get("meta") if isinstance(document.get("meta"), dict) else {}
    return (model, meta) if with_meta else model


def _reject_constant(name: str):
    raise ValueError(f"{name} is not a valid parameter value")
