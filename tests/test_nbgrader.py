"""nbgrader for real: generate_assignment makes the student version of the exercise notebook, and
autograde scores two submissions, one correct and one with three typical slips (the mul gate's
partials not switched, tanh's square forgotten, sigmoid's rule written with x where out belongs).
The hidden tests, which hold each gate's rule for graders, run in autograde and never reach the
student's copy."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

nbgrader = pytest.importorskip("nbgrader", reason="nbgrader is in the test extra")
from nbgrader.api import Gradebook  # noqa: E402

SOURCE = (Path(__file__).resolve().parents[1] / "notebooks" / "exercises" / "solutions"
          / "gates_solutions.ipynb")
SLIPS = {  # grade_id of a solution cell -> the slip written in place of its answer
    "mul_local": ("return (b, a)", "return (a, b)"),
    "tanh_local": ("return (1.0 - out * out,)", "return (1.0 - out,)"),
    "sigmoid_local": ("return (out * (1.0 - out),)", "return (x * (1.0 - x),)"),
}
SLIPPED_CHECKS = {"check_mul", "check_tanh", "check_sigmoid"}


def grade_id(cell):
    return cell.metadata.get("nbgrader", {}).get("grade_id")


def without_markers(source: str) -> str:
    return "\n".join(line for line in source.split("\n")
                     if line.strip() not in ("### BEGIN SOLUTION", "### END SOLUTION"))


# nbgrader runs the `alembic` command (its database migrations) found on PATH: this interpreter's.
BIN = str(Path(sys.executable).parent)


@pytest.fixture(scope="module", autouse=True)
def alembic_on_path():
    before = os.environ.get("PATH", "")
    os.environ["PATH"] = BIN + os.pathsep + before
    yield
    os.environ["PATH"] = before


def run(course: Path, *args):
    done = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    return done


@pytest.fixture(scope="module")
def graded(tmp_path_factory, alembic_on_path):
    course = tmp_path_factory.mktemp("course")
    db = f"sqlite:///{course / 'gradebook.db'}"
    (course / "nbgrader_config.py").write_text(
        "c = get_config()\n"
        f"c.CourseDirectory.root = {str(course)!r}\n"
        f"c.CourseDirectory.db_url = {db!r}\n"
        "c.CourseDirectory.course_id = 'gategrad'\n"
        "c.ExecutePreprocessor.timeout = 300\n")
    (course / "source" / "ps1").mkdir(parents=True)
    shutil.copyfile(SOURCE, course / "source" / "ps1" / "gates.ipynb")
    run(course, "db", "assignment", "add", "ps1")
    run(course, "generate_assignment", "ps1", "--force")
    released = nbformat.read(course / "release" / "ps1" / "gates.ipynb", as_version=4)
    answers = {grade_id(c): without_markers(c.source)
               for c in nbformat.read(SOURCE, as_version=4).cells
               if c.metadata.get("nbgrader", {}).get("solution")}
    for student, slips in (("correct", {}), ("slips", SLIPS)):
        run(course, "db", "student", "add", student)
        submission = nbformat.from_dict(json.loads(json.dumps(released)))
        for cell in submission.cells:
            if grade_id(cell) in answers:
                cell.source = answers[grade_id(cell)]
                if grade_id(cell) in slips:
                    right, wrong = slips[grade_id(cell)]
                    assert right in cell.source
                    cell.source = cell.source.replace(right, wrong)
        folder = course / "submitted" / student / "ps1"
        folder.mkdir(parents=True)
        nbformat.write(submission, folder / "gates.ipynb")
        run(course, "autograde", "ps1", "--student", student, "--force")
    return course, db, released


def test_the_released_notebook_keeps_the_answers_and_hidden_tests_back(graded):
    _, _, released = graded
    text = "\n".join(c.source for c in released.cells if c.cell_type == "code")
    assert "HIDDEN TESTS" not in text and "agrees(" not in text
    assert "BEGIN SOLUTION" not in text
    assert text.count("raise NotImplementedError()") == 15
    # nbgrader's student version is the one release.py writes (and `gategrad exercises` ships)
    ours = nbformat.read(SOURCE.parents[1] / "gates.ipynb", as_version=4)
    assert [c.source.strip() for c in released.cells] == [c.source.strip() for c in ours.cells]


def test_autograde_scores_the_correct_submission_in_full_and_the_slips_three_short(graded):
    course, db, _ = graded
    with Gradebook(db) as gb:
        total = gb.find_assignment("ps1").max_score
        assert total == 24
        assert gb.find_submission("ps1", "correct").score == total
        slips = gb.find_submission("ps1", "slips")
        assert slips.score == total - 3
        notebook = gb.find_submission_notebook("gates", "ps1", "slips")
        lost = {g.name for g in notebook.grades if g.max_score and g.score < g.max_score}
        assert lost == SLIPPED_CHECKS


def test_the_graded_notebook_shows_each_slips_hint(graded):
    course, _, _ = graded
    notebook = nbformat.read(course / "autograded" / "slips" / "ps1" / "gates.ipynb",
                             as_version=4)
    errors = {grade_id(c): "".join(o.evalue for o in c.outputs if o.output_type == "error")
              for c in notebook.cells if c.cell_type == "code"}
    assert "the OTHER factor" in errors["check_mul"]
    assert "a forgotten square" in errors["check_tanh"]
    assert "the input where the output belongs" in errors["check_sigmoid"]
    assert not errors["check_chain"] and not errors["check_backward"]
