"""Fixtures shared by several test modules."""

import shutil
import sysconfig

import pytest

from gategrad.engine import GATES, remove_gate


@pytest.fixture
def graphviz_pure() -> str:
    """The graphviz-pure program, a normal dependency: on PATH or beside this interpreter."""
    found = shutil.which("graphviz-pure") or shutil.which(
        "graphviz-pure", path=sysconfig.get_path("scripts"))
    assert found, "graphviz-pure is a dependency of gategrad and must be installed"
    return found


@pytest.fixture
def user_gates():
    """Every gate a test defines with defgate is taken out of GATES afterwards, so that the tests
    generated from the table (tests/test_gates.py) see the built-in gates only."""
    before = set(GATES)
    yield
    for name in set(GATES) - before:
        remove_gate(name)
    assert set(GATES) == before
