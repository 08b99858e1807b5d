"""Assertions for your own tests (pytest or plain asserts): gates, gradients, worked examples.

    from gategrad.testing import assert_graph_matches, assert_grads_close, check_gate

- `check_gate(gate)`: a gate's local gradient against central differences, as `defgate` does
  when it defines one; raises GateCheckError (an AssertionError) with a table and a hint.
- `assert_grads_close(f, *values)`: the engine's gradients of `f` against central differences.
- `assert_graph_matches(root, expected)`: the values and gradients of a worked example, by label.
- `check_exercise(...)`: what the exercise notebooks' check cells run for a gate's local
  gradient (the rule kept back until the answer passes; `check_exercise.reveal(name)` shows it).
- `check_backward(backward)`: a backward() of your own against the engine's on random graphs;
  `check_circuit`, `check_gradcheck`, `check_grad_W`, `check_two_layer`: the other exercises.

Every failure is one AssertionError whose message is a readable table; pytest shows it without
this module's own frames (`__tracebackhide__`), and so does IPython.
"""

from __future__ import annotations

import math

from .engine import Value, gradcheck
from .engine.check.defgate import GateFunction, _read_arity, check_gate, defgate
from .engine.check.gatecheck import GateCheckError, GateSpec, run_check
from .engine.gates import GATES, Gate

__all__ = ["BackwardCheckError", "CircuitCheckError", "GateCheckError", "agrees",
           "assert_graph_matches", "assert_grads_close", "check_backward", "check_circuit",
           "check_exercise", "check_gate", "check_grad_W", "check_gradcheck", "check_two_layer",
           "draw_lecture_circuit", "lecture_sigmoid_circuit"]


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


HIDDEN_RULE = "kept back until your answer passes (check.reveal(name) shows it)"


def _answer(name: str):
    from .exercises.answers import ANSWERS  # the exercises' data: only their checker needs it
    return ANSWERS.get(name)


def check_exercise(name: str, forward, local, rule: str | None = None, domain=None, kinks=None,
                   convention: Gate | None = None, symbol: str | None = None,
                   like: str | None = None,
                   slips=None) -> GateFunction:
    """Define the gate `name` from an exercise's functions and report at once whether its local
    gradient is right: prints a tick and the rule, and returns the gate's function when it is
    right; raises when not.

    The exercise notebooks' check cells call this with the exercise's name and the student's two
    functions only: the rule, the domain, the kinks, the lecture's convention at a kink and the
    known slips come from gategrad/exercises/answers.py (under `like`, or `name`), so that the
    notebook never states the answer. A failure shows where the partials disagree and a hint,
    never the rule; the rule is printed once the answer passes, or by `check_exercise.reveal`.
    Arguments given here override the stored ones (`rule=` is then shown in a failure, as
    defgate shows it).

    A stub still raising NotImplementedError gives a short "not implemented yet"
    NotImplementedError (a check cell must fail until the work is done, or a grader such as
    nbgrader would award its points). `convention`: a built-in gate whose partials at the
    declared kinks yours must equal (the lecture's own choice there, e.g. max's 0.5/0.5 tie),
    beyond being any valid one-sided slope.
    """
    __tracebackhide__ = True
    answer = _answer(like or name)
    shown = rule is not None
    if answer is not None:
        rule = rule if shown else answer.rule
        domain = answer.domain if domain is None else domain
        kinks = answer.kinks if kinks is None else kinks
        slips = answer.slips if slips is None else slips
        if convention is None and answer.convention is not None:
            convention = GATES[answer.convention]
    if rule is None:
        raise ValueError(f"check_exercise: {name!r} is not an exercise gategrad knows; give its "
                         "rule=")
    domain = (-3.0, 3.0) if domain is None else domain
    kinks = () if kinks is None else kinks
    what = getattr(local, "__name__", "local")
    try:
        arity, names = _read_arity(name, forward)
        trial = Gate(name=name, symbol=symbol or name, arity=arity, forward=forward, local=local,
                     rule=rule if shown else HIDDEN_RULE)
        report = run_check(GateSpec.make(trial, names, domain, kinks), slips=slips or (),
                           show_rule=shown)
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
                _report(GateCheckError(
                    f"{name} gate: at the kink {kink} your partials are {tuple(mine)}, a valid "
                    f"choice between the one-sided slopes, but the lecture's rule gives "
                    f"{tuple(lecture)}: read the exercise's rule at the kink again"))
    # (a cell run again: defgate's new row replaces the old one under the name)
    gate = defgate(name, forward=forward, local=local, rule=rule, domain=domain, kinks=kinks,
                   symbol=symbol, check=False)
    gate.report = report
    print(f"\N{CHECK MARK} {report}\n  the rule: {rule}")
    return gate


def reveal(name: str) -> str:
    """Print (and return) an exercise's rule: for a student who asks for it."""
    answer = _answer(name)
    if answer is None:
        raise ValueError(f"reveal: no exercise named {name!r}")
    print(f"{name}: {answer.rule}")
    return answer.rule


check_exercise.reveal = reveal


def _report(error: Exception):
    # A fresh exception raised from this small frame: IPython hides check_exercise's frame
    # (__tracebackhide__) but always shows the last one, so a student sees the message, not the
    # checker's insides.
    raise error from None


def _kinks(kinks) -> list[tuple[float, ...]]:
    if isinstance(kinks, (int, float)):
        kinks = (kinks,)
    return [(float(k),) if isinstance(k, (int, float)) else tuple(map(float, k)) for k in kinks]


# --- write backward() yourself -----------------------------------------------------------------

class BackwardCheckError(AssertionError):
    """A student's backward() disagrees with the engine's; `.diagram` draws the smallest graph
    where it does, the wrong wires marked."""

    def __init__(self, message: str, diagram=None):
        super().__init__(message)
        self.diagram = diagram


DEEP = 3000  # a chain deeper than Python's default recursion limit (1000)


def _graph_cases(seed: int, trials: int):
    """(name, builder) pairs, smallest first; builder() returns a fresh root each call.

    Hand-made graphs for each thing backward() must get right (a fork: a node used twice; a
    node shared by two paths of different lengths), then random graphs of growing size, then a
    deep chain. Every node is a Value (no constants), interior nodes labelled n1, n2, ...
    """
    import random

    from .engine import apply

    def leaves(*numbers):
        return [Value(x, label="abcdefgh"[k]) for k, x in enumerate(numbers)]

    def labelled(root):
        k = 0
        for v in root.nodes():
            if v.gate is not None:
                k += 1
                v.label = f"n{k}"
        return root

    def one_gate():
        a, b = leaves(2.0, -3.0)
        return labelled(a * b)

    def fork():  # x used twice by one gate
        (a,) = leaves(1.5)
        return labelled(a * a)

    def shared():  # q feeds two gates, one path longer than the other
        a, b, c = leaves(0.5, -1.0, 2.0)
        q = a * b
        return labelled(q.tanh() * c + q)

    def diamond():  # a leaf feeds two branches that meet again
        (a,) = leaves(0.3)
        return labelled(a.tanh() * a.sigmoid())

    cases = [("one gate", one_gate), ("a fork (x * x)", fork),
             ("a shared node (a product that feeds two gates)", shared),
             ("a diamond (one input, two branches)", diamond)]
    gates = ["add", "mul", "tanh", "sigmoid"]
    rng = random.Random(seed)
    for t in range(trials):
        size, spec = 2 + t * 6 // max(1, trials), rng.randrange(10 ** 9)

        def build(size=size, spec_seed=spec):
            r = random.Random(spec_seed)
            nodes = leaves(*(round(r.uniform(-2, 2), 2) for _ in range(3)))
            for _ in range(size):
                name = r.choice(gates)
                last = nodes[-1]
                if GATES[name].arity == 1:
                    node = apply(GATES[name], last if r.random() < 0.7 else r.choice(nodes))
                else:
                    node = apply(GATES[name], last, r.choice(nodes))  # forks and shared nodes
                nodes.append(node)
            return labelled(nodes[-1])
        cases.append((f"a random graph of {size} gates", build))

    def deep():
        x, b = leaves(0.1, 0.001)
        y = x
        for _ in range(DEEP):
            y = y + b
        return y

    cases.append((f"a chain {DEEP} gates deep", deep))
    return cases


def check_backward(student_backward, seed: int = 0, trials: int = 60):
    """Run `student_backward(root)` against the engine's backward() on graphs with forks, shared
    nodes and a deep chain, smallest first; print a tick when every gradient agrees.

    `student_backward(root)` must leave in `.grad` of every node of root's graph d root / d node
    (the graphs are fresh: every grad starts at 0). At the first graph where it does not, raises
    BackwardCheckError naming the first wrong node in the order backpropagation reaches the
    nodes (every node after it may only be inheriting its error), with a table, a hint, and
    `.diagram`, the graph drawn with the wrong wires marked (shown at once in a notebook).
    """
    __tracebackhide__ = True
    from .engine import topological_order

    checked = 0
    for name, build in _graph_cases(seed, trials):
        truth, mine = build(), build()
        truth.backward()
        try:
            student_backward(mine)
        except NotImplementedError:
            _report(NotImplementedError("backward: not implemented yet. Replace `raise "
                                        "NotImplementedError()` with your answer, run that cell, "
                                        "then this one again."))
        except RecursionError:
            _report(BackwardCheckError(
                f"your backward() overflowed Python's stack (RecursionError) on {name}: a "
                f"recursive walk goes one call deeper per gate, and Python allows about "
                f"{__import__('sys').getrecursionlimit()} calls. Walk the graph with a list used "
                "as a stack (or a loop) instead of recursion."))
        order = topological_order(truth)
        yours = topological_order(mine)
        wrong = [(t, y) for t, y in zip(order, yours)
                 if not math.isclose(t.grad, y.grad, rel_tol=1e-9, abs_tol=1e-12)]
        if wrong:
            _backward_failure(name, truth, mine, order, yours)
        checked += 1
    print(f"\N{CHECK MARK} your backward() agrees with the engine's on {checked} graphs (forks, "
          f"shared nodes, random graphs, a chain {DEEP} gates deep)")


def _backward_failure(name, truth, mine, order, yours):
    from .engine.check.circuit import marked

    pairs = list(zip(order, yours))
    first = None
    for t, y in reversed(pairs):  # the order backpropagation reaches the nodes
        if not math.isclose(t.grad, y.grad, rel_tol=1e-9, abs_tol=1e-12):
            first = (t, y)
            break
    t, y = first
    consumers = [(tc, k) for tc, _ in pairs for k, p in enumerate(tc.parents) if p is t]
    contributions = [tc.gate.local(tc.data, *(p.data for p in tc.parents))[k] * tc.grad
                     for tc, k in consumers]
    if t is truth and y.grad == 0.0:
        hint = ("the output's gradient is 0: backpropagation starts with d out / d out = 1 at "
                "the output.")
    elif y.grad == 0.0:
        hint = (f"{t.label} was never given a gradient: is every node reached, and every "
                "parent of a gate (both inputs of a two-input gate) passed its share?")
    elif len(contributions) > 1 and any(math.isclose(y.grad, c, rel_tol=1e-9)
                                        for c in contributions):
        hint = (f"{t.label} feeds {len(contributions)} gates (a fork), so its gradient is the SUM "
                "of what each of them passes back; yours is just one of those shares. Add into "
                "the gradient (+=), do not overwrite it (=).")
    elif len(contributions) > 1 or any(_uses(pairs, tc) > 1 for tc, _ in consumers):
        fork = t if len(contributions) > 1 else next(tc for tc, _ in consumers
                                                     if _uses(pairs, tc) > 1)
        hint = (f"{fork.label} feeds {_uses(pairs, fork)} gates, and passed its gradient back "
                "before all of them had passed theirs to it (or more than once). Visit the nodes "
                "in reverse topological order, each once: every gate that uses a node comes "
                "before the node itself.")
    else:
        hint = (f"{t.label} gets one share, from the gate it feeds: that gate's gradient times "
                "its local partial for this input (the chain rule). Check the factor, and which "
                "of the gate's partials goes to which input.")
    rows = [[v.label, v.gate.symbol if v.gate else "input", _num(v.data), _num(v.grad),
             _num(u.grad) + (" <- first wrong" if v is t else
                             " <- wrong" if not math.isclose(v.grad, u.grad, rel_tol=1e-9,
                                                             abs_tol=1e-12) else "")]
            for v, u in reversed(pairs)]
    message = (f"your backward() is wrong on {name}: the first wrong gradient, in the order "
               f"backpropagation reaches the nodes, is {t.label}'s (d out/d {t.label} = "
               f"{_num(t.grad)}, yours {_num(y.grad)}).\nhint: {hint}")
    if len(pairs) <= 40:
        message += "\n\n" + _table(["node", "gate", "value", "true grad", "yours"], rows)
    diagram = None
    if len(pairs) <= 40:
        wrong = {id(v): u.grad for v, u in pairs
                 if not math.isclose(v.grad, u.grad, rel_tol=1e-9, abs_tol=1e-12)}
        diagram = marked(truth, wrong, title=f"your backward() on {name}", show_true=True,
                         first=id(t))
        _show(diagram)
    _report(BackwardCheckError(message, diagram))


def _uses(pairs, node) -> int:
    """How many inputs of gates in the graph are `node` (x * x uses x twice)."""
    return sum(p is node for v, _ in pairs for p in v.parents)


def _show(diagram) -> None:
    """Display a diagram when running in a notebook (not in a plain Python or a test)."""
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:
        return
    if get_ipython() is not None:
        display(diagram)


# --- fill in the circuit -------------------------------------------------------------------------

def lecture_sigmoid_circuit() -> Value:
    """The lecture's sigmoid circuit f = 1 / (1 + exp(-(w0 x0 + w1 x1 + w2))) at its numbers,
    every wire labelled by what it carries, backward() done."""
    w0, x0 = Value(2.0, label="w0"), Value(-1.0, label="x0")
    w1, x1 = Value(-3.0, label="w1"), Value(-2.0, label="x1")
    w2 = Value(-3.0, label="w2")
    a = w0 * x0
    b = w1 * x1
    s = a + b
    z = s + w2
    n = -z
    e = n.exp()
    d = 1 + e
    f = 1 / d
    for v, label in ((a, "w0*x0"), (b, "w1*x1"), (s, "sum"), (z, "z"), (n, "-z"), (e, "exp"),
                     (d, "1+exp"), (f, "f")):
        v.label = label
    f.backward()
    return f


def draw_lecture_circuit():
    """The lecture's sigmoid circuit with every wire's name and value, no gradients: the blank
    that the fill-in-the-circuit exercise asks to complete."""
    from .engine.check.circuit import marked
    return marked(lecture_sigmoid_circuit(), {}, grads=False,
                  title="the lecture's sigmoid circuit: each wire's name and value")


CIRCUIT_WIRES = ("f", "1+exp", "exp", "-z", "z", "sum", "w2", "w0*x0", "w1*x1", "w0", "x0",
                 "w1", "x1")


def check_circuit(grads, digits: int = 2):
    """Check the gradient a student wrote on every wire of the lecture's sigmoid circuit.

    grads: {wire: d f / d wire} for the wires in CIRCUIT_WIRES, to `digits` decimals as the
    lecture prints them, or a function of no arguments that returns it. At the first wrong wire
    in the order backpropagation reaches them (the wires after it may only inherit its error)
    raises CircuitCheckError with a hint, and draws the circuit with every wrong wire marked
    (no true gradients shown).
    """
    __tracebackhide__ = True
    if callable(grads):
        try:
            grads = grads()
        except NotImplementedError:
            _report(NotImplementedError("circuit: not implemented yet. Replace `raise "
                                        "NotImplementedError()` with your answer, run that "
                                        "cell, then this one again."))
    if not isinstance(grads, dict):
        raise TypeError(f"check_circuit: expected a dict {{wire: gradient}}, got "
                        f"{type(grads).__name__}")
    if any(v is ... for v in grads.values()):
        _report(NotImplementedError("circuit: not implemented yet: replace every ... with the "
                                    "gradient on that wire, run that cell, then this one again"))
    missing = [w for w in CIRCUIT_WIRES if w not in grads]
    unknown = [w for w in grads if w not in CIRCUIT_WIRES]
    if missing or unknown:
        _report(KeyError(f"the wires are {', '.join(CIRCUIT_WIRES)}"
                         + (f"; missing: {', '.join(missing)}" if missing else "")
                         + (f"; not a wire: {', '.join(unknown)}" if unknown else "")))
    f = lecture_sigmoid_circuit()
    by_label = {v.label: v for v in f.nodes() if v.label}
    tol = 0.5 * 10.0 ** -digits + 1e-12
    wrong = {id(by_label[w]): float(grads[w]) for w in CIRCUIT_WIRES
             if not abs(float(grads[w]) - by_label[w].grad) <= tol}
    if not wrong:
        print(f"\N{CHECK MARK} every wire's gradient is right ({len(CIRCUIT_WIRES)} wires, to "
              f"{digits} decimals)")
        return None
    first = next(w for w in CIRCUIT_WIRES if id(by_label[w]) in wrong)
    node = by_label[first]
    hint = _wire_hint(f, node, float(grads[first]), grads, tol)
    from .engine.check.circuit import marked
    diagram = marked(f, wrong, title="your gradients: the wrong wires in red", first=id(node))
    _show(diagram)
    names = ", ".join(w for w in CIRCUIT_WIRES if id(by_label[w]) in wrong)
    _report(CircuitCheckError(
        f"{len(wrong)} of {len(CIRCUIT_WIRES)} wires are wrong ({names}). "
        f"The first, in the order backpropagation reaches them, is {first!r} (yours "
        f"{float(grads[first]):g}); fix it first, as every wire to its left is computed from "
        f"it.\nhint: {hint}", diagram))


class CircuitCheckError(BackwardCheckError):
    """A wire's gradient is wrong; `.diagram` draws the circuit with the wrong wires marked."""


def _wire_hint(f: Value, node: Value, yours: float, grads: dict, tol: float) -> str:
    from .engine.show.captions import caption
    if node is f:
        return "the output's gradient is d f / d f: where backpropagation starts."
    (gate,) = [v for v in f.nodes() if any(p is node for p in v.parents)]
    k = [p is node for p in gate.parents].index(True)
    upstream = grads[gate.label]
    partials = gate.gate.local(gate.data, *(p.data for p in gate.parents))
    local = partials[k]
    what = f"the `{caption(gate)}` gate it feeds"

    def near(a, b):  # the student's numbers are rounded, and so is the upstream one used here
        return abs(a - b) <= 2 * tol * (1 + abs(local)) + 0.01 * abs(b)

    if near(yours, local) and not near(local * upstream, local):
        return (f"yours is the local gradient of {what}, alone: multiply it by the gradient that "
                f"arrives from the right, on the wire {gate.label!r} (the chain rule).")
    if near(yours, upstream) and not near(local, 1.0):
        return (f"yours passes the gradient of {gate.label!r} through unchanged, as an add gate "
                f"does; {what} has a local gradient of its own to multiply by.")
    if near(yours, -local * upstream):
        return "off by a sign: check the sign of the local gradient and of the upstream one."
    if len(partials) == 2 and near(yours, partials[1 - k] * upstream):
        return (f"yours is the partial of {what} for its OTHER input: a product's partial for one "
                "input is the other input (the gradient switcher).")
    return (f"the gradient on this wire is the gradient on {gate.label!r} times the local "
            f"gradient of {what}, for this input.")


# --- write gradcheck yourself --------------------------------------------------------------------

def check_gradcheck(numerical_gradient):
    """Check a student's `numerical_gradient(f, xs, eps=1e-6) -> [df/dx_i]` (central
    differences; f takes a list of floats). The checker probes a smooth function at two step
    sizes (so a one-sided difference, a missing 2 or an ignored eps shows), whether the caller's
    list is left as it was, and a kink, where only a central difference gives the average of the
    two one-sided slopes."""
    __tracebackhide__ = True

    def f(xs):
        return xs[0] ** 3 * xs[1] + math.exp(xs[1])

    def differences(fn, xs, h, kind):
        out = []
        for i in range(len(xs)):
            up, down = list(xs), list(xs)
            up[i] += h
            down[i] -= h
            out.append({"central": (fn(up) - fn(down)) / (2 * h),
                        "forward": (fn(up) - fn(xs)) / h,
                        "no half": (fn(up) - fn(down)) / h}[kind])
        return out

    def close(a, b, tol=1e-9):
        return len(a) == len(b) and all(abs(p - q) <= tol * max(1.0, abs(q)) for p, q in zip(a, b))

    def fail(message):
        _report(GateCheckError("numerical_gradient: " + message))

    xs = [1.3, -0.7]
    try:
        given = list(xs)
        coarse = numerical_gradient(f, given, eps=1e-2)
    except NotImplementedError:
        _report(NotImplementedError("numerical_gradient: not implemented yet. Replace `raise "
                                    "NotImplementedError()` with your answer, run that cell, "
                                    "then this one again."))
    if given != xs:
        fail(f"it changed the list it was given ({xs} became {given}): nudge a copy, or put "
             "each x back after nudging it, or the next partial is taken at the wrong point.")
    coarse = [float(c) for c in coarse]
    if not close(coarse, differences(f, xs, 1e-2, "central")):
        if close(coarse, differences(f, xs, 1e-2, "forward")):
            fail("a one-sided difference, (f(x+h) - f(x)) / h: its error shrinks only as h, a "
                 "central one's as h^2. Nudge x both ways.")
        if close(coarse, differences(f, xs, 1e-2, "no half")):
            fail("twice the slope: the two nudged points are 2h apart; divide by 2h.")
        if close(coarse, differences(f, xs, 1e-6, "central"), 1e-6):
            fail("with eps=1e-2 it gave the slopes of a step of 1e-6: use the eps it is given.")
        fail(f"with eps=1e-2 at x = {xs} it gave {coarse}; a central difference with that step "
             f"gives {differences(f, xs, 1e-2, 'central')}.")
    fine = [float(c) for c in numerical_gradient(f, list(xs))]
    exact = [3 * xs[0] ** 2 * xs[1], xs[0] ** 3 + math.exp(xs[1])]
    if not close(fine, exact, 1e-6):
        fail(f"with the default eps it gave {fine}, the true gradient is {exact}: is the default "
             "1e-6?")

    def kinked(xs):
        return max(xs[0], 0.0) + abs(xs[1])

    at_kink = [float(c) for c in numerical_gradient(kinked, [0.0, 0.0])]
    if not close(at_kink, [0.5, 0.0], 1e-6):
        fail(f"at the kink of max(x0, 0) + |x1| at (0, 0) it gave {at_kink}: a central "
             "difference straddles a kink and gives the average of the two one-sided slopes, "
             "(0 + 1)/2 = 0.5 and (-1 + 1)/2 = 0; a one-sided one gives one side's slope.")
    print("\N{CHECK MARK} numerical_gradient: central differences, the eps it is given, the "
          "caller's list untouched, and the average of the slopes at a kink")


# --- the vectorized example: grad_W of sum((W x)^2) ----------------------------------------------

def _engine_grad_W(W, x):
    Wv = [[Value(w) for w in row] for row in W]
    xv = [Value(v) for v in x]
    q = [sum((w * v for w, v in zip(row, xv)), Value(0.0)) for row in Wv]
    f = sum((qi * qi for qi in q), Value(0.0))
    f.backward()
    return [[w.grad for w in row] for row in Wv], [qi.data for qi in q]


def check_grad_W(grad_W):
    """Check a student's `grad_W(W, x)`, the gradient of f = sum_i (W x)_i^2 with respect to W as
    a list of rows, against the engine's on the lecture's W and x and on a 3 x 2 W (where a
    transposed answer has the wrong shape)."""
    __tracebackhide__ = True
    cases = [([[0.1, 0.5], [-0.3, 0.8]], [0.2, 0.4]),
             ([[0.3, -1.2], [0.7, 0.25], [-0.5, 0.9]], [1.5, -0.6])]
    for W, x in cases:
        try:
            mine = grad_W(W, x)
        except NotImplementedError:
            _report(NotImplementedError("grad_W: not implemented yet. Replace `raise "
                                        "NotImplementedError()` with your answer, run that cell, "
                                        "then this one again."))
        true, q = _engine_grad_W(W, x)
        mine = [[float(v) for v in row] for row in mine]
        shape = (len(W), len(W[0]))
        if (len(mine), len(mine[0]) if mine else 0) != shape:
            _report(GateCheckError(
                f"grad_W: for a {shape[0]} x {shape[1]} W yours is {len(mine)} x "
                f"{len(mine[0]) if mine else 0}: the gradient has W's shape, one entry per "
                "weight (an outer product q x^T, not x q^T)."))

        def equal(a, b):
            return all(abs(u - v) <= 1e-9 + 1e-9 * abs(v) for ra, rb in zip(a, b)
                       for u, v in zip(ra, rb))

        if equal(mine, true):
            continue
        half = [[g / 2 for g in row] for row in true]
        if equal(mine, half):
            hint = "yours is half the true gradient: d(q_i^2)/dq_i = 2 q_i."
        elif equal(mine, [list(col) for col in zip(*true)]):
            hint = ("transposed: entry (i, j) is the gradient of W_ij, which meets q_i and x_j "
                    "(an outer product q x^T, not x q^T).")
        else:
            hint = "entry (i, j) is df/dq_i times dq_i/dW_ij; q_i = sum_j W_ij x_j."
        _report(GateCheckError(f"grad_W: at W = {W}, x = {x} yours is {mine}.\nhint: {hint}"))
    print("\N{CHECK MARK} grad_W matches the engine's gradient on the lecture's W and x and on a "
          "3 x 2 W")


# --- the two-layer network, path by path --------------------------------------------------------

TWO_LAYER_NAMES = ("dL/dw11[2]", "dL/db1[2]", "dL/dw1[1]", "dL/db1[1]")


def _two_layer_engine(x, y, w1, b1, w2, b2):
    """One input x, hidden a_j = sigma(x w1[j] + b1[j]), outputs yhat_k = sum_j w2[j][k] a_j +
    b2[k], L = sum_k (yhat_k - y_k)^2; the four partials of TWO_LAYER_NAMES."""
    W1 = [Value(v) for v in w1]
    B1 = [Value(v) for v in b1]
    W2 = [[Value(v) for v in row] for row in w2]
    B2 = [Value(v) for v in b2]
    a = [(x * W1[j] + B1[j]).sigmoid() for j in range(2)]
    yhat = [W2[0][k] * a[0] + W2[1][k] * a[1] + B2[k] for k in range(2)]
    L = (yhat[0] - y[0]) * (yhat[0] - y[0]) + (yhat[1] - y[1]) * (yhat[1] - y[1])
    L.backward()
    return {"dL/dw11[2]": W2[0][0].grad, "dL/db1[2]": B2[0].grad, "dL/dw1[1]": W1[0].grad,
            "dL/db1[1]": B1[0].grad}


def _two_layer_slips(x, y, w1, b1, w2, b2):
    """Named wrong forms of dL/dw1[1] and dL/db1[1]: each leaves out one link or one path."""
    z = [x * w1[j] + b1[j] for j in range(2)]
    a = [1 / (1 + math.exp(-zj)) for zj in z]
    yhat = [w2[0][k] * a[0] + w2[1][k] * a[1] + b2[k] for k in range(2)]
    e = [2 * (yhat[k] - y[k]) for k in range(2)]
    s = a[0] * (1 - a[0])
    both = e[0] * w2[0][0] + e[1] * w2[0][1]
    return {
        "only the path through yhat_1": (e[0] * w2[0][0] * s * x, e[0] * w2[0][0] * s),
        "sigma' dropped": (both * x, both),
        "dz/dw = x dropped": (both * s, None),
        "the factor 2 of the loss dropped": (both * s * x / 2, both * s / 2),
    }


TWO_LAYER_HINTS = {
    "only the path through yhat_1": ("a missing path: w1[1] reaches L through a_1 and then BOTH "
                                     "outputs, yhat_1 and yhat_2; the two paths' products add."),
    "sigma' dropped": ("a dropped chain-rule link: da_1/dz_1, the sigmoid's local gradient, is "
                       "missing from the product along the path."),
    "dz/dw = x dropped": ("a dropped chain-rule link: dz_1/dw1[1] = x, the last link, is missing "
                          "(it is 1 for the bias)."),
    "the factor 2 of the loss dropped": ("a dropped factor: dL/dyhat_k = 2 (yhat_k - y_k), the "
                                         "square's 2."),
}


def check_two_layer(gradients):
    """Check a student's `gradients(x, y, w1, b1, w2, b2) -> {name: partial}` for the four names
    of TWO_LAYER_NAMES against the engine on several random networks; a wrong one is named, with
    the link or path it leaves out when it matches a known slip."""
    __tracebackhide__ = True
    import random
    rng = random.Random(3)
    for _ in range(5):
        x = rng.uniform(-2, 2)
        y = [rng.uniform(-1, 1) for _ in range(2)]
        w1 = [rng.uniform(-2, 2) for _ in range(2)]
        b1 = [rng.uniform(-1, 1) for _ in range(2)]
        w2 = [[rng.uniform(-2, 2) for _ in range(2)] for _ in range(2)]
        b2 = [rng.uniform(-1, 1) for _ in range(2)]
        try:
            mine = gradients(x, y, w1, b1, w2, b2)
        except NotImplementedError:
            _report(NotImplementedError("gradients: not implemented yet. Replace `raise "
                                        "NotImplementedError()` with your answer, run that cell, "
                                        "then this one again."))
        missing = [n for n in TWO_LAYER_NAMES if n not in mine]
        if missing:
            _report(KeyError(f"gradients must return all of {', '.join(TWO_LAYER_NAMES)}; "
                             f"missing {', '.join(missing)}"))
        true = _two_layer_engine(x, y, w1, b1, w2, b2)
        for name in TWO_LAYER_NAMES:  # the output layer first: the order backprop reaches them
            got = float(mine[name])
            if abs(got - true[name]) <= 1e-9 + 1e-7 * abs(true[name]):
                continue
            hint = "multiply the local gradients along each path from L to it, and add the paths."
            index = {"dL/dw1[1]": 0, "dL/db1[1]": 1}.get(name)
            if index is not None:
                for slip, forms in _two_layer_slips(x, y, w1, b1, w2, b2).items():
                    form = forms[index]
                    if form is not None and abs(got - form) <= 1e-9 + 1e-7 * abs(form):
                        hint = TWO_LAYER_HINTS[slip]
                        break
            _report(GateCheckError(f"{name} is wrong at x = {x:.4g}: yours {got:.6g}.\n"
                                   f"hint: {hint}"))
    print("\N{CHECK MARK} the four partials match the engine on 5 random networks")


def agrees(local, forward, rule, points) -> bool:
    """True when local(out, *p) equals rule(out, *p) at every point p (rel. 1e-9): what a
    grader's hidden test asserts, with the rule written out."""
    for p in points:
        p = tuple(map(float, p))
        out = forward(*p)
        mine, want = tuple(local(out, *p)), tuple(rule(out, *p))
        if len(mine) != len(want) or not all(math.isclose(a, b, rel_tol=1e-7, abs_tol=1e-12)
                                             for a, b in zip(mine, want)):
            return False
    return True
