"""Fixtures shared by several test modules."""

import shutil
import sysconfig

import pytest


@pytest.fixture
def graphviz_pure() -> str:
    """The graphviz-pure program, a normal dependency: on PATH or beside this interpreter."""
    found = shutil.which("graphviz-pure") or shutil.which(
        "graphviz-pure", path=sysconfig.get_path("scripts"))
    assert found, "graphviz-pure is a dependency of gategrad and must be installed"
    return found
