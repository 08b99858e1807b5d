"""The public API reads well in `help()`: every public name of gategrad.nn, of its submodules
and subpackages (their `__all__` where they have one) and of the engine's explain, gradcheck,
examples, drawing and rendering modules has a docstring, and so does every public method and
property of their classes; the public functions carry type hints on every argument and their
result."""

import importlib
import inspect
import pkgutil

import pytest

import gategrad
import gategrad.nn

NN_MODULES = sorted(m.name for m in pkgutil.walk_packages(gategrad.nn.__path__, "gategrad.nn."))
OTHER_MODULES = ["gategrad", "gategrad.cli", "gategrad.nn", "gategrad.engine.show.explain",
                 "gategrad.engine.check.gradcheck", "gategrad.engine.show.examples",
                 "gategrad.engine.show.drawing", "gategrad.engine.show.rendering"]
MODULES = NN_MODULES + OTHER_MODULES


def public_names(module) -> list[str]:
    """`__all__`, or the functions and classes the module defines without a leading _."""
    names = getattr(module, "__all__", None)
    if names is not None:
        return list(names)
    return [name for name, obj in vars(module).items() if not name.startswith("_")
            and (inspect.isfunction(obj) or inspect.isclass(obj))
            and obj.__module__ == module.__name__]


def documented_objects(module):
    """(qualified name, object) for every public function, class, method and property."""
    for name in public_names(module):
        obj = getattr(module, name)
        if not (inspect.isfunction(obj) or inspect.isclass(obj)):
            continue  # constants and submodules (checked as modules of their own)
        yield f"{module.__name__}.{name}", obj
        if inspect.isclass(obj) and obj.__module__.startswith("gategrad."):
            for attribute, member in vars(obj).items():
                if attribute.startswith("_"):
                    continue
                if isinstance(member, (staticmethod, classmethod)):
                    member = member.__func__
                if inspect.isfunction(member):
                    yield f"{module.__name__}.{name}.{attribute}", getattr(obj, attribute)
                elif isinstance(member, property):
                    # a property overriding a documented one inherits nothing, so look up the MRO
                    docs = [vars(base)[attribute].__doc__ for base in obj.__mro__
                            if isinstance(vars(base).get(attribute), property)]
                    yield f"{module.__name__}.{name}.{attribute}", next(
                        (doc for doc in docs if doc), None)


def test_the_walk_finds_the_api():
    names = {qualified for m in MODULES
             for qualified, _ in documented_objects(importlib.import_module(m))}
    assert {"gategrad.nn.training.train.fit", "gategrad.nn.model.layers.MLP.parameters",
            "gategrad.nn.losses.mse_loss", "gategrad.nn.model.io.load", "gategrad.nn.MLP",
            "gategrad.engine.check.gradcheck.gradcheck", "gategrad.cli.main"} <= names
    assert len(names) > 150


@pytest.mark.parametrize("name", MODULES)
def test_every_public_name_has_a_docstring(name):
    module = importlib.import_module(name)
    assert inspect.getdoc(module), f"module {name} has no docstring"
    missing = []
    for qualified, obj in documented_objects(module):
        doc = obj if isinstance(obj, str) or obj is None else inspect.getdoc(obj)
        if not doc or not doc.strip():
            missing.append(qualified)
    assert not missing, f"no docstring: {', '.join(missing)}"


@pytest.mark.parametrize("name", ["gategrad.nn.training.train", "gategrad.nn.model.io",
                                  "gategrad.nn.losses", "gategrad.nn.data",
                                  "gategrad.nn.objectives", "gategrad.nn.training.optim",
                                  "gategrad.nn.model.activations", "gategrad.nn.model.module",
                                  "gategrad.nn.cli", "gategrad.nn.training.progress",
                                  "gategrad.engine.check.gradcheck",
                                  "gategrad.engine.show.explain", "gategrad.engine.show.examples",
                                  "gategrad.cli"])
def test_public_functions_have_type_hints(name):
    module = importlib.import_module(name)
    unhinted = []
    for qualified, obj in documented_objects(module):
        if not inspect.isfunction(obj):
            continue
        signature = inspect.signature(obj)
        arguments = [p.name for p in signature.parameters.values()
                     if p.name not in ("self", "cls") and p.annotation is inspect.Parameter.empty]
        if arguments or signature.return_annotation is inspect.Signature.empty:
            unhinted.append(f"{qualified} {arguments or ''}")
    assert not unhinted, "no type hints: " + "; ".join(unhinted)


def test_help_of_a_pytorch_named_loss_says_what_it_is():
    text = pydoc_text(gategrad.nn.losses.binary_cross_entropy_with_logits)
    assert "PyTorch's name for `bce_with_logits`" in text
    assert "input: 'Predictions'" in text or "input: Predictions" in text


def pydoc_text(obj) -> str:
    import pydoc
    return pydoc.render_doc(obj, renderer=pydoc.plaintext)
