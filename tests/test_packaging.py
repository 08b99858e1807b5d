"""The built wheel installs one import package, gategrad, that works from any folder, even one
holding a student's own engine.py and nn/ (the names micrograd's tutorial has them write)."""

import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

CHECK = """
import importlib.util, sys
import gategrad as gg
from gategrad.engine import Value
from gategrad.nn import MLP
assert gg.__version__ == "0.2.0", gg.__version__
x = Value(2.0); y = (x * x).exp(); y.backward()
assert abs(x.grad - 4 * 2.718281828459045 ** 4) < 1e-9
assert gg.MLP is MLP and gg.Value is Value and gg.nn.fit is gg.fit
for name in ("engine", "nn", "benchmarks"):
    spec = importlib.util.find_spec(name)
    assert spec is None or spec.origin.startswith(sys.argv[1]), (name, spec)
print("ok")
"""


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
                    "--disable-pip-version-check", "-w", str(out), str(ROOT)],
                   check=True, capture_output=True, text=True)
    (found,) = out.glob("gategrad-0.2.0-*.whl")
    return found


def test_wheel_holds_one_top_level_package(wheel):
    import zipfile

    names = zipfile.ZipFile(wheel).namelist()
    tops = {n.split("/")[0] for n in names if not n.split("/")[0].endswith(".dist-info")}
    assert tops == {"gategrad"}
    assert {"gategrad/engine/value.py", "gategrad/nn/model/layers.py", "gategrad/cli.py",
            "gategrad/py.typed"} <= set(names)


def test_wheel_holds_every_module_of_engine_and_nn_and_no_other(wheel):
    """Each layer is a subpackage listed in pyproject.toml; one left out would be missing here,
    and a module moved away would linger here if an old build/ folder were packed."""
    import zipfile

    names = set(zipfile.ZipFile(wheel).namelist())
    tree = {f"gategrad/{path.relative_to(ROOT).as_posix()}"
            for folder in ("engine", "nn") for path in (ROOT / folder).rglob("*.py")}
    packed = {n for n in names if n.startswith(("gategrad/engine/", "gategrad/nn/"))
              and n.endswith(".py")}
    assert packed == tree, (f"not in the wheel: {sorted(tree - packed)}; in the wheel only (a "
                            f"stale build/ folder?): {sorted(packed - tree)}")


def test_wheel_in_a_fresh_venv_beside_a_decoy_engine(wheel, tmp_path):
    env = tmp_path / "venv"
    venv.create(env, with_pip=True)
    python = env / "bin" / "python"
    install = subprocess.run([str(python), "-m", "pip", "install", "--quiet",
                              "--disable-pip-version-check", str(wheel)],
                             capture_output=True, text=True)
    assert install.returncode == 0, install.stderr[-2000:]
    student = tmp_path / "student"
    (student / "nn").mkdir(parents=True)
    (student / "engine.py").write_text("class Value:\n    pass\n")  # micrograd-style decoys
    (student / "nn" / "__init__.py").write_text("raise ImportError('the decoy nn')\n")
    result = subprocess.run([str(python), "-c", CHECK, str(student)], cwd=student,
                            capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.strip() == "ok", result.stderr
    cli = subprocess.run([str(env / "bin" / "gategrad"), "--version"], cwd=student,
                         capture_output=True, text=True)
    assert cli.stdout.strip() == "gategrad 0.2.0", cli.stderr
    module = subprocess.run([str(python), "-m", "gategrad", "example", "--list"], cwd=student,
                            capture_output=True, text=True)
    assert "sigmoid-gate" in module.stdout, module.stderr
