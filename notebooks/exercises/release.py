"""Make the student version of an exercise notebook from its solutions, and ship both.

    python notebooks/exercises/release.py

gates_solutions.ipynb is the one to edit. This writes gates.ipynb from it, each solution region
(`### BEGIN SOLUTION` ... `### END SOLUTION`) replaced by the stub nbgrader puts there, and copies
both notebooks into src/gategrad/exercises/, where `gategrad exercises DIR` finds them in an
installed package. tests/test_exercises.py fails when any of the three copies is out of date.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat

HERE = Path(__file__).resolve().parent
PACKAGE_COPY = HERE.parents[1] / "src" / "gategrad" / "exercises"
NOTEBOOKS = {"gates_solutions.ipynb": "gates.ipynb"}  # solutions -> student version
BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
STUB = ("# YOUR CODE HERE", "raise NotImplementedError()")  # nbgrader's stub for Python


def strip_solutions(source: str, where: str = "cell") -> str:
    """The cell's source with each solution region replaced by the stub, at its indentation."""
    lines, inside = [], False
    for line in source.split("\n"):
        mark = line.strip()
        if mark == BEGIN:
            if inside:
                raise ValueError(f"{where}: {BEGIN} inside another solution region")
            indent = line[:len(line) - len(line.lstrip())]
            lines += [indent + s for s in STUB]
            inside = True
        elif mark == END:
            if not inside:
                raise ValueError(f"{where}: {END} without {BEGIN}")
            inside = False
        elif not inside:
            lines.append(line)
    if inside:
        raise ValueError(f"{where}: {BEGIN} without {END}")
    return "\n".join(lines)


def student_version(solutions: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy of the notebook with its solutions taken out and no outputs."""
    student = nbformat.from_dict(solutions)
    for cell in student.cells:
        if cell.cell_type == "code":
            cell.source = strip_solutions(cell.source, f"cell {cell.get('id', '?')}")
            cell.outputs, cell.execution_count = [], None
    return student


def release() -> list[Path]:
    written = []
    PACKAGE_COPY.mkdir(exist_ok=True)
    for solutions_name, student_name in NOTEBOOKS.items():
        solutions = nbformat.read(HERE / solutions_name, as_version=4)
        nbformat.write(student_version(solutions), HERE / student_name)
        for name in (solutions_name, student_name):
            shutil.copyfile(HERE / name, PACKAGE_COPY / name)
            written += [HERE / name, PACKAGE_COPY / name]
    return written


if __name__ == "__main__":
    for path in release():
        print(f"wrote {path}")
