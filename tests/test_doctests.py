"""The examples in every docstring of gategrad run as tests, imported by their installed names."""

import doctest
import importlib
import pkgutil

import pytest

import gategrad

MODULES = sorted(m.name for m in pkgutil.walk_packages(gategrad.__path__, "gategrad.")
                 if not m.name.endswith("__main__"))  # __main__ runs the command on import


def test_every_subpackage_is_walked():
    assert {"gategrad.engine.value", "gategrad.nn.layers", "gategrad.cli"} <= set(MODULES)


@pytest.mark.parametrize("name", ["gategrad", *MODULES])
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples failed in {name}"
