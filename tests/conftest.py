"""Fixtures shared by several test modules."""

import os
import shutil
import sysconfig
from pathlib import Path

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


@pytest.fixture
def shots(tmp_path) -> Path:
    """Where browser tests put their screenshots: GATEGRAD_SCREENSHOTS, or pytest's tmp_path."""
    folder = Path(os.environ.get("GATEGRAD_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder
