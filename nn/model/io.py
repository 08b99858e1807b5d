"""`save(model, path)` and `load(path)`: a model as one JSON file, architecture and parameters.

The file holds the constructor arguments (`model.config()`) and every parameter by name. Floats are
written with `repr`, which reads back to the same float, so a loaded model predicts bit for bit
what the saved one did. `load` checks everything and builds a complete new model before it returns:
a corrupt, truncated or mismatched file raises ValueError naming the file, and nothing half-loaded
ever escapes. `save` writes a temporary file in the same folder and renames it over the target, so
a crash mid-save leaves the previous file intact.

>>> import os, random, tempfile
>>> from gategrad import nn
>>> model = nn.MLP(2, [3, 1], rng=random.Random(0))
>>> path = os.path.join(tempfile.mkdtemp(), "model.json")
>>> nn.save(model, path)
>>> nn.load(path)([0.5, -0.2]).data == model([0.5, -0.2]).data
True
"""

from __future__ import annotations

import json
import math
import os
import random
import tempfile

from .layers import MLP, Layer, Maxout, Neuron
from .module import Module

FORMAT = "gategrad.nn"
VERSION = 1
_TYPES = {cls.__name__: cls for cls in (MLP, Layer, Neuron, Maxout)}


def to_dict(model: Module, meta: dict | None = None) -> dict:
    """The JSON-ready description of `model`: format, architecture, parameters, and `meta`."""
    state = model.state_dict()
    for name, x in state.items():
        if not math.isfinite(x):
            raise ValueError(f"parameter {name} is {x}; a diverged model cannot be saved as JSON")
    return {"format": FORMAT, "version": VERSION, "architecture": model.config(),
            "parameters": state, "meta": dict(meta or {})}


def from_dict(document: object) -> Module:
    """Build a model from `to_dict`'s description; raises ValueError before returning anything
    unless every check passes."""
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ValueError(f"not a gategrad model (no \"format\": \"{FORMAT}\")")
    version = document.get("version")
    if type(version) is not int or version != VERSION:
        raise ValueError(f"model format version {version!r} is not supported "
                         f"(this gategrad reads version {VERSION})")
    for key in ("architecture", "parameters"):
        if not isinstance(document.get(key), dict):
            raise ValueError(f"the {key!r} entry is missing or not a JSON object")
    if not isinstance(document.get("meta", {}), dict):
        raise ValueError(f"the 'meta' entry must be a JSON object, got "
                         f"{type(document['meta']).__name__}")
    architecture, parameters = document["architecture"], document["parameters"]
    needed = _weights_needed(architecture)
    if needed > len(parameters):  # checked before building: a file must not make us build a giant
        raise ValueError(f"the architecture needs at least {needed} parameters but the file has "
                         f"{len(parameters)}")
    model = build(architecture)
    model.load_state_dict(parameters)
    return model


def _size(value, what: str) -> int:
    """`value` as a size: a JSON integer >= 1 (not 2.0, not true, not 1e400)."""
    if type(value) is not int or value < 1:
        raise ValueError(f"the architecture's {what} must be an integer >= 1, got {_brief(value)}")
    return value


def _brief(value) -> str:
    text = repr(value)
    return text if len(text) <= 60 else f"{text[:50]}... ({type(value).__name__})"


def _weights_needed(architecture: dict) -> int:
    """A lower bound on the parameter count: the weights alone, without biases or slopes.

    It also checks the sizes themselves, so that `build` is only ever given plain ints."""
    kind = architecture.get("type")
    if not isinstance(kind, str) or kind not in _TYPES:
        raise ValueError(f"unknown model type {_brief(kind)}; expected one of {', '.join(_TYPES)}")
    nin = _size(architecture.get("nin"), "'nin'")
    pieces = _size(architecture.get("pieces", 2), "'pieces'")

    def per_unit(activation) -> int:  # a Maxout unit has `pieces` rows of weights
        return pieces if isinstance(activation, str) and activation.lower() == "maxout" else 1

    if kind == "MLP":
        nouts = architecture.get("nouts")
        if not isinstance(nouts, list) or not nouts:
            raise ValueError(f"the architecture's 'nouts' must be a list of layer sizes, got "
                             f"{_brief(nouts)}")
        sizes = [nin] + [_size(n, f"'nouts'[{i}]") for i, n in enumerate(nouts)]
        kinds = [architecture.get("activation", "relu")] * (len(nouts) - 1)
        kinds.append(architecture.get("output_activation"))
        pairs = zip(sizes[:-1], sizes[1:], kinds, strict=True)
        return sum(a * b * per_unit(k) for a, b, k in pairs)
    if kind == "Layer":
        return nin * _size(architecture.get("nout"), "'nout'") * per_unit(
            architecture.get("activation"))
    return nin * (pieces if kind == "Maxout" else 1)


def build(architecture: dict) -> Module:
    """A fresh model from a `config()` dict (weights from a private generator, to be replaced)."""
    arguments = dict(architecture)
    kind = arguments.pop("type", None)
    if not isinstance(kind, str) or kind not in _TYPES:
        raise ValueError(f"unknown model type {_brief(kind)}; expected one of {', '.join(_TYPES)}")
    try:
        # A private generator: loading must not advance the global `random` of the user's run.
        return _TYPES[kind](**arguments, rng=random.Random(0))
    except (TypeError, ValueError) as err:
        raise ValueError(f"invalid {kind} architecture: {err}") from None


def save(model: Module, path: str | os.PathLike, meta: dict | None = None) -> None:
    """Write `model` (and optional JSON-able `meta`, e.g. the loss it was trained with) to `path`
    atomically: a temporary file in the same folder, renamed over `path` once complete.

    Every error names `path` (never the temporary file): a ValueError or TypeError for a model or
    meta that JSON cannot hold, an OSError (FileNotFoundError, PermissionError, ...) for the disk.
    """
    path = os.fspath(path)
    try:
        text = json.dumps(to_dict(model, meta), indent=1, allow_nan=False)
    except (TypeError, ValueError) as err:
        raise type(err)(f"cannot save the model to {path}: {err}") from None
    folder = os.path.dirname(os.path.abspath(path))
    temporary = None
    try:
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{os.path.basename(path)}.",
                                             suffix=".tmp")
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text + "\n")
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException as err:
        if temporary is not None and os.path.exists(temporary):
            os.remove(temporary)
        if isinstance(err, OSError):
            reason = err.strerror or str(err)
            if os.path.isdir(path):
                reason = "it is a folder"
            elif not os.path.isdir(folder):
                reason = f"the folder {folder} does not exist"
            if err.errno is None:
                raise OSError(f"cannot save the model to {path}: {reason}") from None
            raise OSError(err.errno, f"cannot save the model to {path}: {reason}") from None
        raise


def read(path: str | os.PathLike) -> dict:
    """The parsed JSON document of a model file (see `load`); ValueError naming the file when it
    is not JSON, or nested too deeply to be a model."""
    path = os.fspath(path)
    try:
        with open(path, encoding="utf-8") as file:
            return json.loads(file.read(), parse_constant=_reject_constant)
    except ValueError as err:  # also UnicodeDecodeError and json.JSONDecodeError
        raise ValueError(f"{path}: not a valid model file, the JSON is corrupt or truncated "
                         f"({err})") from None
    except RecursionError:
        raise ValueError(f"{path}: not a valid model file, the JSON is nested too deeply") from None


def load(path: str | os.PathLike, with_meta: bool = False) -> Module | tuple[Module, dict]:
    """The model saved at `path` (and its meta dict if `with_meta`).

    A malformed file raises ValueError naming the file and what is wrong with it; a missing or
    unreadable one the OSError of the system (FileNotFoundError, ...), which names it too.
    """
    document = read(path)
    try:
        model = from_dict(document)
    except ValueError as err:
        raise ValueError(f"{os.fspath(path)}: {err}") from None
    meta = document.get("meta", {})
    return (model, meta) if with_meta else model


def _reject_constant(name: str):
    raise ValueError(f"{name} is not a valid parameter value")
