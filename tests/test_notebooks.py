"""Every notebook runs top to bottom in a fresh kernel, in its own folder, as a student runs it;
their assert cells check the lecture's numbers."""

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
PATHS = sorted(NOTEBOOKS.rglob("*.ipynb"))
PATHS = [p for p in PATHS if ".ipynb_checkpoints" not in p.parts]


def test_the_notebooks_are_found():
    assert len(PATHS) >= 6


@pytest.mark.parametrize("path", PATHS, ids=[str(p.relative_to(NOTEBOOKS)) for p in PATHS])
def test_notebook_runs(path):
    notebook = nbformat.read(path, as_version=4)
    NotebookClient(notebook, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
