"""The exercise notebooks: the solutions pass every check, typical wrong answers are caught with a
hint, the student version states no rule and fails each check with "not implemented yet" and
nothing else, the copies agree, the nbgrader metadata is well formed, and `gategrad exercises DIR`
copies them out. (tests/test_hints.py drives every slip through the checker; tests/test_nbgrader.py
runs nbgrader itself on the notebook.)
"""

import contextlib
import importlib.util
import io
import math
import re
from importlib.resources import files
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from gategrad.cli import main
from gategrad.engine import GATES, GateCheckError

ROOT = Path(__file__).resolve().parents[1]
EXERCISES = ROOT / "notebooks" / "exercises"
PACKAGE_COPY = ROOT / "src" / "gategrad" / "exercises"
NAMES = ("gates.ipynb", "gates_solutions.ipynb")
REPOSITORY_COPY = {"gates.ipynb": EXERCISES / "gates.ipynb",
                   "gates_solutions.ipynb": EXERCISES / "solutions" / "gates_solutions.ipynb"}
GATE_CHECKS = ["check_mul", "check_recip", "check_exp", "check_sigmoid", "check_tanh",
               "check_max", "check_relu", "check_pow", "check_log", "check_chain"]
CHECK_IDS = [*GATE_CHECKS, "check_circuit", "check_backward", "check_gradcheck", "check_grad_W",
             "check_two_layer"]


def _release_module():
    spec = importlib.util.spec_from_file_location("exercises_release", EXERCISES / "release.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


release = _release_module()
SOLUTIONS = nbformat.read(REPOSITORY_COPY["gates_solutions.ipynb"], as_version=4)
STUDENT = nbformat.read(EXERCISES / "gates.ipynb", as_version=4)


def nbgrader(cell) -> dict:
    return cell.metadata.get("nbgrader", {})


def cell_of(grade_id: str):
    (cell,) = [c for c in SOLUTIONS.cells if nbgrader(c).get("grade_id") == grade_id]
    return cell


pytestmark = pytest.mark.usefixtures("user_gates")


def run_cells(cells, namespace=None) -> tuple[dict, str]:
    """Execute notebook cells in this process, as a kernel would; returns (namespace, stdout)."""
    namespace = {"__name__": "__main__", "display": lambda obj: None} if namespace is None \
        else namespace
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        for cell in cells:
            exec(compile(cell.source, f"<cell {cell.id}>", "exec"), namespace)
    return namespace, out.getvalue()


# --- the copies agree ---------------------------------------------------------------------------

def test_the_student_version_is_the_solutions_with_the_solutions_taken_out():
    made = nbformat.writes(release.student_version(SOLUTIONS))
    assert made.rstrip() == (EXERCISES / "gates.ipynb").read_text(encoding="utf-8").rstrip(), (
        "notebooks/exercises/gates.ipynb is out of date: run python notebooks/exercises/release.py")


@pytest.mark.parametrize("name", NAMES)
def test_the_package_ships_the_repositorys_notebooks(name):
    repository = REPOSITORY_COPY[name].read_bytes()
    assert (PACKAGE_COPY / name).read_bytes() == repository, (
        f"src/gategrad/exercises/{name} is out of date: run python notebooks/exercises/release.py")
    # and the installed package (editable, or built by make) holds the same file
    assert (files("gategrad") / "exercises" / name).read_bytes() == repository


def test_strip_solutions_keeps_the_indentation_and_refuses_unbalanced_markers():
    source = "def f(x):\n    ### BEGIN SOLUTION\n    return 2 * x\n    ### END SOLUTION\n"
    assert release.strip_solutions(source) == (
        "def f(x):\n    # YOUR CODE HERE\n    raise NotImplementedError()\n")
    for broken in ("### BEGIN SOLUTION\nx = 1\n", "x = 1\n### END SOLUTION\n",
                   "### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION\n"):
        with pytest.raises(ValueError, match="SOLUTION"):
            release.strip_solutions(broken)


def test_the_student_version_has_no_solutions_left():
    text = "\n".join(c.source for c in STUDENT.cells if c.cell_type == "code")
    assert "BEGIN SOLUTION" not in text and "END SOLUTION" not in text
    assert "HIDDEN TESTS" not in text and "agrees(" not in text
    assert text.count("raise NotImplementedError()") == len(CHECK_IDS)
    assert all(not c.get("outputs") for c in STUDENT.cells if c.cell_type == "code")


def test_hidden_tests_are_stripped_whole_and_refuse_unbalanced_markers():
    source = "check(x)\n### BEGIN HIDDEN TESTS\nassert rule\n### END HIDDEN TESTS\n"
    assert release.strip_hidden_tests(source) == "check(x)"
    for broken in ("### BEGIN HIDDEN TESTS\n", "### END HIDDEN TESTS\n"):
        with pytest.raises(ValueError, match="HIDDEN TESTS"):
            release.strip_hidden_tests(broken)


def test_every_gate_check_keeps_its_rule_in_a_hidden_test_for_graders():
    for grade_id in GATE_CHECKS:
        source = cell_of(grade_id).source
        assert "### BEGIN HIDDEN TESTS" in source and "assert agrees(" in source, grade_id


def test_the_student_notebook_never_states_a_rule():
    """Neither the check cells (no rule=) nor the text give an answer away."""
    from gategrad.exercises.answers import ANSWERS
    everything = "\n".join(c.source for c in STUDENT.cells)
    assert "rule=" not in everything
    for name, answer in ANSWERS.items():
        if answer.convention is None:  # a tie rule is the exercise's statement, not its answer
            assert answer.rule not in everything, name
    # the derivatives the text used to state, in the forms it stated them
    for said in ("-1/x^2", "-1/1.37^2", "-0.53", "is itself", "\\sigma'(x) = ", "1 - \\tanh^2",
                 "(out,)", "the *other* input", "0.73 \\cdot (1 - 0.73)",
                 "= -\\frac{1}{h_2}", "= x_i$"):
        assert said not in everything, said


def test_the_solutions_are_not_beside_the_students_notebook():
    assert sorted(p.name for p in EXERCISES.glob("*.ipynb")) == ["gates.ipynb"]
    assert "gates_solutions.ipynb" not in STUDENT.cells[0].source


# --- nbgrader's cell metadata (its schema version 3) --------------------------------------------

KEYS = {"schema_version", "grade", "locked", "solution", "task", "grade_id", "points"}


def test_the_nbgrader_metadata_is_well_formed():
    cells = [c for c in SOLUTIONS.cells if "nbgrader" in c.metadata]
    ids = [nbgrader(c)["grade_id"] for c in cells]
    assert len(ids) == len(set(ids)), "grade ids must be unique"
    for cell in cells:
        meta = nbgrader(cell)
        assert set(meta) <= KEYS, set(meta) - KEYS
        assert meta["schema_version"] == 3 and meta["task"] is False
        for key in ("grade", "locked", "solution"):
            assert isinstance(meta[key], bool), (meta["grade_id"], key)
        assert re.fullmatch(r"[a-zA-Z0-9_\-]+", meta["grade_id"])
        assert ("points" in meta) == meta["grade"]
        assert cell.cell_type == "code"
        marked = "### BEGIN SOLUTION" in cell.source
        assert marked == meta["solution"], meta["grade_id"]
        if meta["solution"]:
            assert not meta["locked"] and not meta["grade"]
        if meta["grade"]:
            assert meta["locked"] and meta["points"] > 0 and "check" in cell.source
    unmarked = [c for c in SOLUTIONS.cells if "nbgrader" not in c.metadata]
    assert all("SOLUTION" not in c.source for c in unmarked)


def test_every_exercise_is_followed_by_its_check_cell():
    code = [c for c in SOLUTIONS.cells if c.cell_type == "code"]
    grades = [nbgrader(c)["grade_id"] for c in code if nbgrader(c).get("grade")]
    assert grades == CHECK_IDS
    for cell, after in zip(code, code[1:]):
        if nbgrader(cell).get("solution"):
            assert nbgrader(after).get("grade"), nbgrader(cell)["grade_id"]


# --- the solutions pass, the wrong answers do not ------------------------------------------------

def test_the_solutions_pass_every_check():
    namespace, out = run_cells([c for c in SOLUTIONS.cells if c.cell_type == "code"])
    ticks = [line for line in out.splitlines() if line.startswith("\N{CHECK MARK}")]
    assert [t.split()[1] for t in ticks] == [
        "my_mul", "my_recip", "my_exp", "my_sigmoid", "my_tanh", "my_max", "my_relu", "my_pow",
        "my_log", "my_chain", "every", "your", "numerical_gradient:", "grad_W", "the"]
    assert "the local gradient matches central differences" in ticks[0]
    assert "  the rule: d/da = b, d/db = a" in out  # shown once the answer passes
    # the printed derivation is caught, and the lecture's circuit from the student's gates agrees
    assert "hint: a sign slip inside the sigmoid" in out
    assert "your gates give the engine's gradients" in out
    f = namespace["f"]
    assert f.data == pytest.approx(1 / (1 + math.exp(-1.0)))


def sigma(z):
    return 1.0 / (1.0 + math.exp(-z))


def sigmoid_sign_slip(out, x):
    return (-out * (1.0 - out),)


def chain_missing_chain_factor(out, w0, w1, x0, x1):
    g = sigma(w0 * x0 + w1 * x1) - 1.0
    return (g, g, g, g)  # de/dz alone: the factor dz/dw_i = x_i (and dz/dx_i = w_i) left out


def chain_as_printed(out, w0, w1, x0, x1):
    s = sigma(-(w0 * x0 + w1 * x1))
    return (s * x0 - x0, s * x1 - x1, s * w0 - w0, s * w1 - w1)


def recip_output_for_input(out, x):
    return (-1.0 / out ** 2,)


def max_tie_split_one_one(out, a, b):
    return (1.0 if a >= b else 0.0, 1.0 if b >= a else 0.0)


def max_tie_to_the_first(out, a, b):
    return (1.0, 0.0) if a >= b else (0.0, 1.0)


def relu_one_at_zero(out, x):
    return (1.0 if x >= 0 else 0.0,)


def tanh_output_as_derivative(out, x):
    return (out,)


def exp_without_the_output(out, x):
    return (1.0,)


def mul_not_switched(out, a, b):
    return (a, b)


def sigmoid_without_a_tuple(out, x):
    return out * (1.0 - out)


WRONG = {  # the student's function replaced, the check that must catch it, and what it must say
    "a sign slip": ("sigmoid_local", sigmoid_sign_slip, "check_sigmoid", GateCheckError,
                    "off by a sign"),
    "a missing chain factor": ("chain_local", chain_missing_chain_factor, "check_chain",
                               GateCheckError, "a dropped chain-rule link: dh1/dw_i = x_i"),
    "the printed derivation": ("chain_local", chain_as_printed, "check_chain", GateCheckError,
                               "a sign slip inside the sigmoid"),
    "the output in place of the input": ("recip_local", recip_output_for_input, "check_recip",
                                         GateCheckError, "the output where the input belongs"),
    "a tie split 1/1": ("max_local", max_tie_split_one_one, "check_max", GateCheckError,
                        "the partials must add up to 1; yours add up to 2"),
    "a tie not split": ("max_local", max_tie_to_the_first, "check_max", GateCheckError,
                        "the lecture's rule gives (0.5, 0.5)"),
    "relu'(0) = 1": ("relu_local", relu_one_at_zero, "check_relu", GateCheckError,
                     "the lecture's rule gives (0.0,)"),
    "the output as the derivative": ("tanh_local", tanh_output_as_derivative, "check_tanh",
                                     GateCheckError, "the forward function's value where its "
                                                     "derivative belongs"),
    "a missing factor of the output": ("exp_local", exp_without_the_output, "check_exp",
                                       GateCheckError, "off by a factor of the output"),
    "partials not switched": ("mul_local", mul_not_switched, "check_mul", GateCheckError,
                              "the OTHER factor"),
    "a number, not a tuple": ("sigmoid_local", sigmoid_without_a_tuple, "check_sigmoid",
                              TypeError, "as a tuple (d/dx,)"),
}


@pytest.fixture(scope="module")
def solved():
    """The notebook's setup and exercise cells (not its checks), run once."""
    code = [c for c in SOLUTIONS.cells if c.cell_type == "code"]
    cells = [c for c in code
             if nbgrader(c).get("grade_id") == "setup" or nbgrader(c).get("solution")]
    namespace, _ = run_cells(cells)
    return namespace


@pytest.mark.parametrize("case", WRONG)
def test_a_typical_wrong_answer_is_caught_with_a_useful_message(case, solved):
    replaced, wrong, check_id, error, says = WRONG[case]
    namespace = {**solved, replaced: wrong}
    with pytest.raises(error) as info:
        run_cells([cell_of(check_id)], namespace)
    assert says in str(info.value)
    assert "my_" + check_id.removeprefix("check_") not in GATES
    if error is GateCheckError and "lecture's rule gives" not in says:
        assert "the rule it was given" not in str(info.value).lower()  # kept back
        from gategrad.exercises.answers import ANSWERS
        assert ANSWERS["my_" + check_id.removeprefix("check_")].rule not in str(info.value)


def test_the_solution_passes_the_same_check(solved):
    _, out = run_cells([cell_of("check_sigmoid")], dict(solved))
    assert out.startswith("\N{CHECK MARK} my_sigmoid gate")


# --- the student version in a kernel -------------------------------------------------------------

def test_the_student_notebook_stops_at_its_first_stub_with_a_clear_message():
    notebook = nbformat.read(EXERCISES / "gates.ipynb", as_version=4)
    with pytest.raises(CellExecutionError) as info:
        NotebookClient(notebook, timeout=300, kernel_name="python3",
                       resources={"metadata": {"path": str(EXERCISES)}}).execute()
    assert info.value.ename == "NotImplementedError"
    assert info.value.evalue.startswith("my_mul: not implemented yet. Replace `raise "
                                        "NotImplementedError()` in mul_local with your answer")
    ran = [c for c in notebook.cells if c.cell_type == "code" and c.get("execution_count")]
    assert nbgrader(ran[-1])["grade_id"] == "check_mul"


def test_the_student_notebook_fails_each_check_with_not_implemented_yet_and_nothing_else():
    notebook = nbformat.read(EXERCISES / "gates.ipynb", as_version=4)
    NotebookClient(notebook, timeout=300, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(EXERCISES)}}).execute()
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        errors = [o for o in cell.outputs if o.output_type == "error"]
        text = "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")
        grade_id = nbgrader(cell).get("grade_id")
        if nbgrader(cell).get("grade"):
            assert [(e.ename, "not implemented yet" in e.evalue) for e in errors] == [
                ("NotImplementedError", True)], grade_id
        else:
            assert not errors, (grade_id, [e.evalue for e in errors])
        if grade_id == "printed_derivation":
            assert "hint: a sign slip inside the sigmoid" in text
        if grade_id == "use_gates":
            assert text.startswith("Finish these exercises first: my_mul, my_exp, my_recip")


# --- gategrad exercises DIR ----------------------------------------------------------------------

def test_the_command_copies_the_student_notebook(tmp_path, capsys):
    target = tmp_path / "course"
    assert main(["exercises", str(target)]) == 0
    assert sorted(p.name for p in target.iterdir()) == ["gates.ipynb"]
    assert (target / "gates.ipynb").read_bytes() == (EXERCISES / "gates.ipynb").read_bytes()
    assert f"wrote {target / 'gates.ipynb'}" in capsys.readouterr().out


def test_the_command_refuses_to_overwrite_without_force(tmp_path, capsys):
    (tmp_path / "gates.ipynb").write_text("my work")
    assert main(["exercises", str(tmp_path)]) == 1
    assert "already exists; pass --force to overwrite" in capsys.readouterr().err
    assert (tmp_path / "gates.ipynb").read_text() == "my work"
    assert main(["exercises", str(tmp_path), "--force", "--solutions"]) == 0
    for name in NAMES:
        assert (tmp_path / name).read_bytes() == REPOSITORY_COPY[name].read_bytes()
