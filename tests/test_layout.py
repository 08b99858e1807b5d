"""The folders show the layers (engine/README.md, docs/design.md): the core at the top of engine/
imports only the standard library and itself, each layer reads only what is below it, and every
public name is still where users import it from.

The imports are read from the source with `ast`, so a test needs no import to have run first."""

import ast
import importlib
import inspect
import sys
from pathlib import Path

import pytest

import gategrad
import gategrad.engine
import gategrad.nn

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = {"engine": "gategrad.engine", "nn": "gategrad.nn"}

CORE = ["gates", "value", "backprop", "grad_mode", "fused"]  # engine/<name>.py

# What each layer may import when it is imported (imports inside a function, which run only when
# it is called, and imports for type hints only are left out): a layer reads what is below it.
ENGINE, NN = "gategrad.engine", "gategrad.nn"
CORE_MODULES = {f"{ENGINE}.{name}" for name in CORE}
READS = {
    f"{ENGINE}.codegen": {"core", f"{ENGINE}.codegen", f"{ENGINE}.show.captions"},
    f"{ENGINE}.show": {"core", f"{ENGINE}.show"},
    # check's circuit exercise draws the circuit it checks, with show's captions and renderer
    f"{ENGINE}.check": {"core", f"{ENGINE}.check", f"{ENGINE}.show"},
    # vectors build scalar graphs through the core's gates; their diagrams reuse show's renderer
    f"{ENGINE}.vectors": {"core", f"{ENGINE}.vectors", f"{ENGINE}.show"},
    f"{NN}.model": {ENGINE, "nn top", f"{NN}.model"},
    f"{NN}.training": {ENGINE, "nn top", f"{NN}.model", f"{NN}.training"},
    f"{NN}.show": {ENGINE, "nn top", f"{NN}.model", f"{NN}.training", f"{NN}.show"},
}
NN_TOP = {f"{NN}.{name}" for name in ("checks", "data", "losses", "objectives")}


def module_name(path: Path) -> str:
    folder, *parts = path.relative_to(ROOT).with_suffix("").parts
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join([FOLDERS[folder], *parts])


def imports(path: Path):
    """(the module imported, the function it is imported in or None, whether it is only for type
    hints) for every import statement of the file at `path`."""
    tree = ast.parse(path.read_text(), filename=str(path))
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    where: dict[int, str] = {}
    hints_only: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for child in ast.walk(node):
                where.setdefault(id(child), node.name)
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING":
            hints_only.update(id(child) for child in ast.walk(node))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[:len(parts) - node.level + 1])
                module = f"{base}.{node.module}" if node.module else base
                # `from . import grad_mode` imports a module; `from .value import Value` a name
                targets = [module] if node.module else [f"{base}.{a.name}" for a in node.names]
            else:
                targets = [node.module]
        else:
            continue
        for target in targets:
            yield target, where.get(id(node)), id(node) in hints_only


def under(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


@pytest.mark.parametrize("name", CORE)
def test_the_core_imports_only_the_standard_library_and_itself(name):
    path = ROOT / "engine" / f"{name}.py"
    found = list(imports(path))
    assert found, f"no imports read from {path}"
    for target, function, _ in found:
        if (name, target, function) == ("value", f"{ENGINE}.draw", "draw"):
            continue  # Value.draw: the one convenience, imported when it is called
        top = target.split(".")[0]
        assert target in CORE_MODULES or (top in sys.stdlib_module_names or top == "__future__"), \
            f"engine/{name}.py imports {target}: the core imports only the standard library " \
            f"and the core ({', '.join(CORE)})"


def test_the_one_import_of_a_layer_in_the_core_is_inside_value_draw():
    upward = [(name, target, function) for name in CORE
              for target, function, _ in imports(ROOT / "engine" / f"{name}.py")
              if under(target, ENGINE) and target not in CORE_MODULES]
    assert upward == [("value", f"{ENGINE}.draw", "draw")]  # engine.draw: circuit or blocks


def layer_of(module: str) -> str:
    if module in CORE_MODULES:
        return "core"
    if module in NN_TOP:
        return "nn top"
    for layer in READS:
        if under(module, layer):
            return layer
    return module


@pytest.mark.parametrize("layer", READS)
def test_each_layer_reads_only_what_is_below_it(layer):
    folder = ROOT.joinpath(*layer.split(".")[1:])
    paths = sorted(folder.rglob("*.py"))
    assert paths, f"no modules in {folder}"
    for path in paths:
        for target, function, hints_only in imports(path):
            if function is not None or hints_only or not target.startswith("gategrad"):
                continue
            allowed = READS[layer]
            assert layer_of(target) in allowed or any(under(target, a) for a in allowed), \
                f"{module_name(path)} imports {target}; {layer} may import only {sorted(allowed)}"


def test_the_engine_never_imports_nn():
    for path in sorted((ROOT / "engine").rglob("*.py")):
        for target, _, _ in imports(path):
            assert not under(target, NN), f"{module_name(path)} imports {target}"


# The public names of gategrad, gategrad.engine and gategrad.nn before the layers were folders
# (0.2.0); each is still there, and every name in an `__all__` resolves.
PUBLIC = {
    "gategrad": ["GATES", "MLP", "SGD", "Constant", "Gate", "Layer", "Module", "Neuron", "Value",
                 "__version__", "animate", "compile", "defgate", "draw", "enable_grad", "engine",
                 "evaluate", "explain", "explore", "fit", "gradcheck", "load", "nn", "no_grad",
                 "predict", "save"],
    "gategrad.engine": ["GATES", "CompiledFunction", "Constant", "Explorer", "Gate",
                        "GateCheckError", "Player", "Value", "animate", "apply", "as_value",
                        "backward", "check_gate", "compile", "defgate", "draw", "enable_grad",
                        "explain", "explore", "gradcheck", "is_grad_enabled", "linear",
                        "no_grad", "remove_gate", "sum_of", "topological_order"],
    "gategrad.nn": ["MLP", "SGD", "Activation", "DivergedError", "History", "Layer",
                    "LinearDecay", "Maxout", "Module", "Neuron", "activations", "data",
                    "evaluate", "fit", "load", "losses", "objectives", "optim",
                    "plot_decision_boundary", "predict", "save"],
}


@pytest.mark.parametrize("name", PUBLIC)
def test_every_public_name_is_where_users_import_it(name):
    module = importlib.import_module(name)
    assert set(PUBLIC[name]) <= set(module.__all__)
    missing = [n for n in module.__all__ if not hasattr(module, n)]
    assert not missing, f"{name}.__all__ names what it does not have: {missing}"


# nn's modules that users reach as attributes (`nn.optim.SGD`), and where their files are now.
NN_ATTRIBUTES = {"activations": "gategrad.nn.model.activations", "data": "gategrad.nn.data",
                 "losses": "gategrad.nn.losses", "objectives": "gategrad.nn.objectives",
                 "optim": "gategrad.nn.training.optim"}


@pytest.mark.parametrize("attribute", NN_ATTRIBUTES)
def test_nn_modules_users_reach_as_attributes(attribute):
    module = getattr(gategrad.nn, attribute)
    assert module is importlib.import_module(NN_ATTRIBUTES[attribute])
    names = getattr(module, "__all__", None) or [
        n for n, obj in vars(module).items() if not n.startswith("_")
        and (inspect.isfunction(obj) or inspect.isclass(obj)) and obj.__module__ == module.__name__]
    assert names
    missing = [n for n in names if not hasattr(module, n)]
    assert not missing, f"nn.{attribute} lacks {missing}"


# Every module that moved, at its new path (CHANGELOG.md, "Where things moved").
MOVED = ["gategrad.engine.codegen.compiler", "gategrad.engine.codegen.numpy_gates",
         "gategrad.engine.codegen.matrix", "gategrad.engine.codegen.tracing",
         "gategrad.engine.show.drawing", "gategrad.engine.show.rendering",
         "gategrad.engine.show.captions", "gategrad.engine.show.animate",
         "gategrad.engine.show.explore", "gategrad.engine.show.explain",
         "gategrad.engine.show.examples", "gategrad.engine.check.gradcheck",
         "gategrad.engine.check.defgate", "gategrad.engine.check.gatecheck",
         "gategrad.engine.check.gatehints", "gategrad.nn.model.module", "gategrad.nn.model.layers",
         "gategrad.nn.model.activations", "gategrad.nn.model.io", "gategrad.nn.training.train",
         "gategrad.nn.training.optim", "gategrad.nn.training.compiled",
         "gategrad.nn.training.progress", "gategrad.nn.show.netdraw", "gategrad.nn.show.plots",
         "gategrad.nn.show.summary"]


@pytest.mark.parametrize("name", MOVED)
def test_a_moved_module_imports_at_its_new_path(name):
    assert importlib.import_module(name).__name__ == name


def test_the_same_function_under_both_names():
    assert gategrad.engine.compile is gategrad.engine.codegen.compile is gategrad.compile
    assert gategrad.engine.draw is gategrad.draw
    assert gategrad.nn.fit is gategrad.fit is gategrad.nn.training.train.fit
