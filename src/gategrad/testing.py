"""Assertions for your own tests (pytest or plain asserts): gates, gradients, worked examples.

    from gategrad.testing import assert_graph_matches, assert_grads_close, check_gate

- `check_gate(gate)`: a gate's local gradient against central differences, as `defgate` does
  when it defines one; raises GateCheckError (an AssertionError) with a table and a hint.
- `assert_grads_close(f, *values)`: the engine's gradients of `f` against central differences.
- `assert_graph_matches(root, expected)`: the values and gradients of a worked example, by label.
- `check_exercise(...)`: what the exercise notebooks' check cells run.

Every failure is one AssertionError whose message is a readable table; pytest shows it without
this module's own frames (`__tracebackhide__`), and so does IPython.
"""

from __future__ import annotations

import math

from .engine import Value, gradcheck
from .engine.check.defgate import GateFunction, check_gate, defgate, remove_gate
from .engine.check.gatecheck import GateCheckError
from .engine.gates import Gate

__all__ = ["GateCheckError", "assert_graph_matches", "assert_grads_close", "check_exercise",
           "check_gate"]


def assert_grads_close(f, *values, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-4):
    """Assert that backward() through `f` gives d f / d input for every input, as central
    differences do (engine.check.gradcheck: |analytic - numeric| <= atol + rtol |numeric|).

    `f` takes one Value per input and returns a Value; `values` are numbers or Values (only their
    data is read). Returns the gradcheck result when it passes.

    >>> assert_grads_close(lambda x, y: (x * y).tanh(), 0.5, -1.5)
    """
    __tracebackhide__ = True
    result = gradcheck(f, *values, eps=eps, atol=atol, rtol=rtol)
    if not result.ok:
        name = getattr(f, "__name__", type(f).__name__)
        raise AssertionError(f"the engine's gradients of {name} disagree with central "
                             f"differences:\n{result}")


def assert_graph_matches(root: Value, expected: dict, rel_tol: float = 1e-6,
                         abs_tol: float = 1e-9, digits: int | None = None) -> None:
    """Assert the forward values and gradients of the labelled nodes of `root`'s graph.

    expected: {label: (data, grad)} for each node to check, e.g. the lecture's table of a worked
    example; grad None checks the value only, and a bare number is (data, None). Gradients are
    those the last `root.backward()` left. Numbers match as math.isclose(rel_tol, abs_tol) has
    it, or to `digits` decimals when given (-0.20 for -0.19661193 with digits=2), as a lecture
    prints them. Labels must name exactly one node each.

    >>> from gategrad.engine import Value
    >>> x, y = Value(3.0, label="x"), Value(-4.0, label="y")
    >>> f = x * y; f.label = "f"; f.backward()
    >>> assert_graph_matches(f, {"x": (3, -4), "y": (-4, 3), "f": (-12, 1)})
    """
    __tracebackhide__ = True
    if not isinstance(root, Value):
        raise TypeError(f"assert_graph_matches: expected a Value, got {type(root).__name__}")
    if not isinstance(expected, dict) or not expected:
        raise TypeError("assert_graph_matches: expected must be a non-empty dict {label: (data, "
                        f"grad)}}, got {expected!r}")
    if digits is not None and (not isinstance(digits, int) or digits < 0):
        raise ValueError(f"assert_graph_matches: digits must be a whole number >= 0, got "
                         f"{digits!r}")
    by_label: dict[str, list[Value]] = {}
    for v in root.nodes():
        if v.label:
            by_label.setdefault(v.label, []).append(v)
    missing = [label for label in expected if label not in by_label]
    if missing:
        raise AssertionError(f"no node labelled {', '.join(map(repr, missing))} in the graph of "
                             f"{root.label or 'the root'}; its labels are: "
                             f"{', '.join(by_label) or '(none)'}")
    twice = [label for label in expected if len(by_label[label]) > 1]
    if twice:
        raise ValueError(f"assert_graph_matches: the label {twice[0]!r} names "
                         f"{len(by_label[twice[0]])} nodes; give them distinct labels")
    wants = {label: _pair(label, want) for label, want in expected.items()}
    if root.grad == 0.0 and any(grad is not None for _, grad in wants.values()):
        raise AssertionError("the root's gradient is 0: call backward() on it before checking "
                             "gradients")

    def close(got: float, want: float) -> bool:
        if math.isnan(want):
            return math.isnan(got)
        if digits is not None:
            return abs(got - want) <= 0.5 * 10.0 ** -digits + 1e-12
        return math.isclose(got, want, rel_tol=rel_tol, abs_tol=abs_tol)

    table, wrong = [], 0
    for label, (data, grad) in wants.items():
        node = by_label[label][0]
        bad_data = not close(node.data, data)
        bad_grad = grad is not None and not close(node.grad, grad)
        wrong += bad_data or bad_grad
        table.append([label, _num(data), _num(node.data) + (" <- wrong" if bad_data else ""),
                      "-" if grad is None else _num(grad),
                      ("-" if grad is None else _num(node.grad))
                      + (" <- wrong" if bad_grad else "")])
    if wrong:
        how = (f"to {digits} decimals" if digits is not None
               else f"rel_tol {rel_tol:g}, abs_tol {abs_tol:g}")
        raise AssertionError(f"{wrong} of {len(wants)} nodes differ from the expected values "
                             f"({how}):\n" + _table(["node", "value expected", "value",
                                                     "grad expected", "grad"], table))



def _pair(label: str, want) -> tuple[float, float | None]:
    if isinstance(want, (int, float)):
        return float(want), None
    try:
        data, grad = want
        return float(data), None if grad is None else float(grad)
    except (TypeError, ValueError):
        raise TypeError(f"assert_graph_matches: expected[{label!r}] must be (data, grad), "
                        f"(data, None) or a number, got {want!r}") from None


def _num(x: float) -> str:
    return f"{x + 0.0:.8g}"


def _table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = [header, ["-" * w for w in widths], *rows]
    return "\n".join("  " + "  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip()
                     for r in lines)


def check_exercise(name: str, forward, local, rule: str, domain=(-3.0, 3.0), kinks=(),
                   convention: Gate | None = None, symbol: str | None = None) -> GateFunction:
    """Define the gate `name` from an exercise's functions and report at once whether its local
    gradient is right: prints a tick and returns the gate's function when it is, raises when not.

    The exercise notebooks' check cells call this. A stub still raising NotImplementedError gives
    a short "not implemented yet" NotImplementedError (a check cell must fail until the work is
    done, or a grader such as nbgrader would award its points). `convention`: a built-in gate
    whose partials at the declared kinks yours must equal (the lecture's own choice there, e.g.
    max's 0.5/0.5 tie), beyond being any valid one-sided slope.
    """
    __tracebackhide__ = True
    what = getattr(local, "__name__", "local")
    try:
        gate = defgate(name, forward=forward, local=local, rule=rule, domain=domain, kinks=kinks,
                       symbol=symbol)
    except NotImplementedError:
        _report(NotImplementedError(f"{name}: not implemented yet. Replace `raise "
                                    f"NotImplementedError()` in {what} with your answer, run "
                                    "that cell, then this one again."))
    except (GateCheckError, TypeError, ValueError) as err:
        _report(type(err)(str(err)))
    if convention is not None:
        for kink in _kinks(kinks):
            mine = local(forward(*kink), *kink)
            lecture = convention.local(convention.forward(*kink), *kink)
            if tuple(mine) != tuple(lecture):
                remove_gate(name)
                _report(GateCheckError(
                    f"{name} gate: at the kink {kink} your partials are {tuple(mine)}, a valid "
                    f"choice, but the lecture's rule gives {tuple(lecture)}: {convention.rule}"))
    print(f"\N{CHECK MARK} {gate.report}")
    return gate


def _report(error: Exception):
    # A fresh exception raised from this small frame: IPython hides check_exercise's frame
    # (__tracebackhide__) but always shows the last one, so a student sees the message, not the
    # checker's insides.
    raise error from None


def _kinks(kinks) -> list[tuple[float, ...]]:
    if isinstance(kinks, (int, float)):
        kinks = (kinks,)
    return [(float(k),) if isinstance(k, (int, float)) else tuple(map(float, k)) for k in kinks]

