"""The examples in every docstring of gategrad run as tests, imported by their installed names."""

import doctest
import importlib
import pkgutil

import pytest

import gategrad
import gategrad.engine
import gategrad.nn

# Each package's own folder is walked (an editable install maps them to separate folders), and
# every subpackage in it (engine/codegen, engine/show, nn/model, ...).
MODULES = sorted(m.name
                 for package in (gategrad, gategrad.engine, gategrad.nn)
                 for m in pkgutil.walk_packages(package.__path__, package.__name__ + ".")
                 if not m.name.endswith(".__main__"))  # __main__ runs the command on import


def test_every_subpackage_is_walked():
    assert {"gategrad.engine.value", "gategrad.nn.model.layers", "gategrad.cli",
            "gategrad.engine.codegen.compiler", "gategrad.nn.training.train"} <= set(MODULES)


@pytest.mark.parametrize("name", ["gategrad", *MODULES])
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples failed in {name}"
