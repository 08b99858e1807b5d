"""Make the student version of an exercise notebook from its solutions, and ship both.

    python notebooks/exercises/release.py

solutions/gates_solutions.ipynb is the one to edit (it is nbgrader's source notebook). This writes
gates.ipynb from it, as nbgrader's generate_assignment would: each solution region
(`### BEGIN SOLUTION` ... `### END SOLUTION`) replaced by the stub nbgrader puts there, each hidden
test region (`### BEGIN HIDDEN TESTS` ... `### END HIDDEN TESTS`, where the check cells keep the
rule for graders) taken out. It copies both notebooks into src/gategrad/exercises/, where
`gategrad exercises DIR` finds them in an installed package. The solutions live in a folder of
their own so that the folder a student opens holds the exercises only.
tests/test_exercises.py fails when any copy is out of date.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat

HERE = Path(__file__).resolve().parent
PACKAGE_COPY = HERE.parents[1] / "src" / "gategrad" / "exercises"
SOLUTIONS = HERE / "solutions"
NOTEBOOKS = {"gates_solutions.ipynb": "gates.ipynb"}  # solutions/name -> student version
BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
BEGIN_HIDDEN, END_HIDDEN = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"
STUB = ("# YOUR CODE HERE", "raise NotImplementedError()")  # nbgrader's stub for Python


def _strip_regions(source: str, begin: str, end: str, where: str, replacement=()) -> list[str]:
    """The source's lines with each begin..end region replaced by `replacement` (at the
    region's indentation); a region left open or nested is an error naming the cell."""
    lines, inside = [], False
    for line in source.split("\n"):
        mark = line.strip()
        if mark == begin:
            if inside:
                raise ValueError(f"{where}: {begin} inside another region")
            indent = line[:len(line) - len(line.lstrip())]
            lines += [indent + s for s in replacement]
            inside = True
        elif mark == end:
            if not inside:
                raise ValueError(f"{where}: {end} without {begin}")
            inside = False
        elif not inside:
            lines.append(line)
    if inside:
        raise ValueError(f"{where}: {begin} without {end}")
    return lines


def strip_solutions(source: str, where: str = "cell") -> str:
    """The cell's source with each solution region replaced by the stub, at its indentation."""
    return "\n".join(_strip_regions(source, BEGIN, END, where, STUB))


def strip_hidden_tests(source: str, where: str = "cell") -> str:
    """The cell's source without its hidden test regions (nbgrader leaves nothing there)."""
    return "\n".join(_strip_regions(source, BEGIN_HIDDEN, END_HIDDEN, where)).rstrip("\n")


def student_version(solutions: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy of the notebook with its solutions and hidden tests taken out and no outputs."""
    student = nbformat.from_dict(solutions)
    for cell in student.cells:
        if cell.cell_type == "code":
            where = f"cell {cell.get('id', '?')}"
            cell.source = strip_hidden_tests(strip_solutions(cell.source, where), where)
            cell.outputs, cell.execution_count = [], None
    return student


def release() -> list[Path]:
    written = []
    PACKAGE_COPY.mkdir(exist_ok=True)
    for solutions_name, student_name in NOTEBOOKS.items():
        solutions = nbformat.read(SOLUTIONS / solutions_name, as_version=4)
        nbformat.write(student_version(solutions), HERE / student_name)
        for source, name in ((SOLUTIONS, solutions_name), (HERE, student_name)):
            shutil.copyfile(source / name, PACKAGE_COPY / name)
            written += [source / name, PACKAGE_COPY / name]
    return written


if __name__ == "__main__":
    for path in release():
        print(f"wrote {path}")
