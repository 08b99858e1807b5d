"""`compile`: a graph turned into straight-line Python, the lecture's "staged computation".

    >>> from gategrad.engine import Value, compile
    >>> x, w, b = Value(0.5, label="x"), Value(-1.0, label="w"), Value(0.2, label="b")
    >>> f = (w * x + b).tanh()
    >>> fn = compile(f, inputs=[x, w, b])
    >>> y, (dx, dw, db) = fn(0.3, 2.0, -0.1)      # no graph is built: the code runs on floats
    >>> round(y, 6), round(dw, 6)
    (0.462117, 0.235934)
    >>> print(fn.source.splitlines()[0])
    def grad_out(x, w, b, d_out=1.0):

The graph is traced once: its gates become one line each in forward order, then the backward
pass in reverse order, each line the gate's local gradient times the upstream gradient, `+=`
where a value forks. A person could have written it, can read it and diff it against a hand
derivation. `fn.batch(...)` runs the same code over a batch: sample by sample in plain Python
(`backend="python"`), or each gate once over whole numpy arrays (`backend="numpy"`).

Like `jax.jit`, compile replays the one graph it traced. Code that decides the graph's shape from
the numbers (a Python `if` on `.data`) gives a different graph for other numbers: compile it per
shape, or use the plain graph. Leaves that are not among `inputs` keep the number they had when
traced. The gates' own local gradients come from the table; the templates below are those rows
written as code, checked against the table by tests/test_compile.py.
"""

from __future__ import annotations

import builtins
import gc
import inspect
import keyword
import math
import numbers
import re
import sys
import unicodedata
from collections.abc import Iterable, Mapping, Set
from dataclasses import dataclass

from ..backprop import topological_order
from ..gates import GATES
from ..show.captions import caption, folded_constant, number
from ..value import Value, _real
from . import runtime
from .tracing import trace

__all__ = ["CompiledFunction", "compile"]


@dataclass(frozen=True)
class Template:
    """A gate as code: its forward expression and its local partial for each input, with `{0}`,
    `{1}` for the inputs and `{out}` for its output. The chain rule makes what it sends an input:
    local * upstream. `sends` replace that where the gate routes the upstream gradient itself (a
    relu passes it or stops it); `numpy_*` replace them where numpy needs other code (np.where).
    No `locals`: the generated code calls the gate's own `local` from the table."""

    forward: str
    locals: tuple[str, ...] | None = None
    sends: tuple[str, ...] | None = None
    numpy_forward: str | None = None
    numpy_sends: tuple[str, ...] | None = None


# The table's rows as code. Functions named here (exp, tanh, ...) are the rows' own forward
# functions in Python, and numpy versions of them (with the same error messages) in numpy.
TEMPLATES: dict[str, Template] = {
    "add": Template("{0} + {1}", ("1.0", "1.0")),
    "mul": Template("{0} * {1}", ("{1}", "{0}")),
    "exp": Template("exp({0})", ("{out}",)),
    "log": Template("log({0})", ("1.0 / {0}",)),
    "recip": Template("recip({0})", ("-{out} * {out}",)),
    "tanh": Template("tanh({0})", ("1.0 - {out} * {out}",)),
    "sigmoid": Template("sigmoid({0})", ("{out} * (1.0 - {out})",)),
    "relu": Template("0.0 if {0} <= 0.0 else {0}", ("0.0 if {0} <= 0.0 else 1.0",),
                     ("0.0 if {0} <= 0.0 else {g}",),
                     "where({0} <= 0.0, 0.0, {0})", ("where({0} <= 0.0, 0.0, {g})",)),
    "max": Template("max_({0}, {1})"),
    "pow": Template("pow_({0}, {1})"),
}
# The n-ary gates are written out per node (their number of inputs varies): see _forward_code.

BACKENDS = ("python", "numpy")
LINEAR, SUM, POW = GATES["linear"], GATES["sum"], GATES["pow"]
# What the generated code calls (engine/codegen/numpy_gates.py has the numpy versions).
HELPERS = {"exp", "log", "recip", "tanh", "sigmoid", "max_", "pow_", "pow_value_exponent",
           "max_local", "pow_local", "where", "np", "chain", "columns", "total", "in_sample",
           "error", "k", "samples", "local"}
_BUILTINS = set(dir(builtins))


def compile(outputs, inputs, wrt=None) -> CompiledFunction:  # noqa: A001  (the lecture's word)
    """Trace the graph of `outputs` (a Value, or a list of Values) once and generate its forward
    and backward pass as Python code, a function of the numbers of `inputs` (leaf Values).

    The result `fn` runs it: `fn(*numbers)` gives (output, gradients of the output with respect
    to each input); `fn.batch(...)` runs it over a batch; `fn.source` is the code. `wrt`: the
    inputs to differentiate with respect to (all by default), e.g. a model's parameters but not
    its data.

    `outputs` may also be a function, as for `jax.jit`: `compile(f, [0.5, 2.0])` calls f on new
    inputs with those numbers (named after f's parameters; `inputs` may also hold leaf Values)
    and compiles what it returns. A function that reads the number of a value computed from its
    inputs (`if h.data > 0:`) is refused with a DataDependentError (engine/codegen/tracing.py):
    its graph could differ for other numbers.
    """
    if callable(outputs) and not isinstance(outputs, Value):
        inputs = _leaves_for(outputs, inputs)
        outputs = trace(outputs, inputs)
    single = isinstance(outputs, Value)
    roots = [outputs] if single else list(outputs)
    if not roots or not all(isinstance(r, Value) and not r.is_constant for r in roots):
        raise TypeError(f"compile: outputs must be a Value or a list of Values (not constants), "
                        f"got {outputs!r}")
    if len({id(r) for r in roots}) != len(roots):
        raise ValueError("compile: an output is listed twice")
    inputs = list(inputs)
    for i, x in enumerate(inputs):
        if not isinstance(x, Value) or x.gate is not None or x.is_constant:
            raise TypeError(f"compile: inputs[{i}] must be a leaf Value (an input or weight), got "
                            f"{x!r}")
    if len({id(x) for x in inputs}) != len(inputs):
        raise ValueError("compile: an input is listed twice")
    wrt = inputs if wrt is None else list(wrt)
    input_ids = {id(x) for x in inputs}
    if not all(id(x) in input_ids for x in wrt):
        raise ValueError("compile: every Value in wrt must be one of the inputs")
    # Python's cycle collector is paused meanwhile: writing the code makes many small objects,
    # and each collection would walk the whole graph again (a third of the time on a long chain)
    collecting = gc.isenabled()
    gc.disable()
    try:
        return CompiledFunction(_Trace(roots, inputs, wrt), single)
    finally:
        if collecting:
            gc.enable()


def _leaves_for(function, inputs) -> list[Value]:
    """compile(f, [...]): leaf Values for f, new ones for numbers, named after f's parameters."""
    try:
        names = list(inspect.signature(function).parameters)
    except (TypeError, ValueError):
        names = []
    leaves = []
    for i, x in enumerate(inputs):
        if isinstance(x, Value):
            leaves.append(x)
        else:
            label = names[i] if i < len(names) else f"x{i}"
            leaves.append(Value(_real(x, f"compile: input {i} of {function!r}"), label=label))
    return leaves


class _Trace:
    """The graph as lists: nodes in topological order and a variable name for each."""

    def __init__(self, roots: list[Value], inputs: list[Value], wrt: list[Value]):
        self.roots, self.inputs, self.wrt = roots, inputs, wrt
        self.order = _order(roots)
        input_ids = {id(x) for x in inputs}
        self.gates = [v for v in self.order if v.gate is not None]
        # leaves that are not inputs: their numbers are written into the code
        self.frozen = [v for v in self.order
                       if v.gate is None and not v.is_constant and id(v) not in input_ids]
        # A node needs a gradient when an input of `wrt` is among what it is computed from.
        needs = {id(x) for x in wrt}
        for v in self.gates:
            for p in v.parents:
                if id(p) in needs:
                    needs.add(id(v))
                    break
        self.needs_grad = needs
        self.names = _names(self.order, inputs, roots)
        self.gate_names = _gate_names(self.gates)
        self._captions: dict[int, str] = {}
        self.templates: dict[int, Template | None] = {}
        for v in self.gates:  # (one look per row, not per node)
            if id(v.gate) not in self.templates:
                self.templates[id(v.gate)] = _template(v)

    def args(self, v: Value) -> list[str]:
        """The variables (or numbers) a gate reads."""
        names = self.names
        return [names[id(p)] for p in v.parents]

    comments = True  # False while writing code that only runs (comments are for people)

    def caption(self, v: Value) -> str:
        """The gate as a diagram labels it (`*`, `+1`, `exp`), once per node."""
        if not self.comments:
            return ""
        text = self._captions.get(id(v))
        if text is None:
            text = self._captions[id(v)] = caption(v)
        return text

    def name(self, v: Value) -> str:
        """The variable of a node; a constant is its number written out."""
        return self.names[id(v)]


def _order(roots: list[Value]) -> list[Value]:
    """Every node of the roots' graphs once, in topological_order's order (the plain graph's:
    gradients are summed in the same order, so they come out the same to the last bit)."""
    order: list[Value] = []
    seen: set = set()
    for root in roots:
        order += topological_order(root, seen=seen)
    return order


def _literal(x: float) -> str:
    return repr(x) if math.isfinite(x) else f"float({str(x)!r})"


# --- names -----------------------------------------------------------------------------------

def _identifier(label) -> str:
    """A label as a Python identifier, as Python itself reads it (NFKC: µ and μ are one name),
    or '' where none can be made. '−z' becomes neg_z, not z."""
    text = unicodedata.normalize("NFKC", str(label)).strip()
    if text[:1] in ("-", "\N{MINUS SIGN}"):
        text = "neg_" + text[1:]
    text = "".join(c if ("_" + c).isidentifier() else "_" for c in text)
    text = unicodedata.normalize("NFKC", re.sub(r"__+", "_", text).strip("_"))
    return text if text.isidentifier() else ""


def _used_by_the_code(name: str) -> bool:
    """Names a label may not take: Python's keywords and builtins, the helpers the code calls,
    and the shapes of the code's own names (d_x for x's gradient, x_all for a batch column, W1,
    X1, Z1, A1, D1, dX1 for a layer's arrays, gate_... for a row, grad_... for the function)."""
    return (keyword.iskeyword(name) or name in _BUILTINS or name in HELPERS
            or name.startswith(("d_", "gate_", "grad_"))
            or name.endswith(("_all", "_seed", "_seeds", "_sum"))
            or re.fullmatch(r"[A-Z]\d+|dX\d+", name) is not None)


def _names(order: list[Value], inputs: list[Value], roots: list[Value]) -> dict[int, str]:
    """Variable names: a node's label made into an identifier where it has one, else t1, t2, ...
    for gates and in1, in2, ... for inputs; every name unique, none the code's own."""
    names: dict[int, str] = {}
    taken: set[str] = set()

    def claim(v: Value, fallback: str) -> None:
        base = _identifier(v.label) if v.label != "" else ""
        if not base:
            base = fallback  # t1, in1, out, leaf: none is the code's own
        elif _used_by_the_code(base):
            base = "_" + base if base.startswith(("d_", "gate_", "grad_")) else base + "_"
            base = base + "_" if _used_by_the_code(base) else base
        name, k = base, 2
        while name in taken:
            name, k = f"{base}_{k}", k + 1
        taken.add(name)
        names[id(v)] = name

    for i, x in enumerate(inputs):
        claim(x, f"in{i + 1}")
    single_root = roots[0] if len(roots) == 1 else None
    gate_count = 0
    for v in order:
        if id(v) in names:
            continue
        if v.is_constant:
            names[id(v)] = _literal(v.data)
        elif v.gate is None:
            claim(v, "leaf")  # a leaf that is not an input: its number is frozen into the code
        else:
            gate_count += 1
            claim(v, "out" if v is single_root else f"t{gate_count}")
    return names


def _gate_names(gates: list[Value]) -> dict[int, str]:
    """A variable per row of the table without a template (a user's gate): gate_<name>, and
    gate_<name>_2 for an older row of the same name (a gate redefined after nodes used it)."""
    names: dict[int, str] = {}
    for v in gates:
        written_out = v.gate is GATES["linear"] or v.gate is GATES["sum"]
        if id(v.gate) not in names and _template(v) is None and not written_out:
            base = "gate_" + (_identifier(v.gate.name) or "row")
            name, k = base, 2
            while name in names.values():
                name, k = f"{base}_{k}", k + 1
            names[id(v.gate)] = name
    return names


def _template(v: Value) -> Template | None:
    """The node's template, if its gate is the built-in row of that name."""
    name = v.gate.name
    return TEMPLATES.get(name) if v.gate is GATES.get(name) and name in TEMPLATES else None


# --- writing the code ----------------------------------------------------------------------------

def _forward_code(v: Value, trace: _Trace, numpy: bool) -> str:
    args = trace.args(v)
    if v.gate is LINEAR:  # b + w_1 x_1 + ... + w_n x_n, the order of the row's sum
        n = len(args) // 2
        return " + ".join([args[-1]] + [f"{w} * {x}" for w, x in zip(args[:n], args[n:-1])])
    if v.gate is SUM:
        return " + ".join(args)
    template = trace.templates[id(v.gate)]
    if template is None:  # a gate without a template: call its own forward function
        return f"{trace.gate_names[id(v.gate)]}.forward({', '.join(args)})"
    if v.gate is POW and not v.parents[1].is_constant:
        return f"pow_value_exponent({args[0]}, {args[1]})"  # checks the base, as the graph did
    return ((template.numpy_forward or template.forward) if numpy else template.forward).format(
        *args)


def _sends(v: Value, trace: _Trace, numpy: bool, exact: bool) -> tuple[list[str], str | None]:
    """What v sends each input, as expressions of d_v; and a line computing the local gradients
    first when the gate has no template (they then come from its row's `local`).

    The chain rule sends local * upstream. `exact` code follows the plain graph's zero rules to
    the letter, chain(local, upstream): 0 where either is 0, so that 0 * inf adds nothing."""
    args = trace.args(v)
    out = trace.names[id(v)]
    g = "d_" + out
    template = trace.templates[id(v.gate)]
    if v.gate is LINEAR:  # d/dw_i = x_i, d/dx_i = w_i, d/db = 1
        n = len(args) // 2
        locals_, pre = [*args[n:-1], *args[:n], "1.0"], None
    elif v.gate is SUM:
        locals_, pre = ["1.0"] * len(args), None
    elif template is not None and template.sends is not None:
        sends = (template.numpy_sends or template.sends) if numpy else template.sends
        return [s.format(*args, out=out, g=g) for s in sends], None
    elif template is not None and template.locals is not None:
        locals_, pre = [t.format(*args, out=out) for t in template.locals], None
    elif v.gate is POW and v.parents[1].is_constant and v.parents[1].data == 2.0:
        locals_, pre = [f"2.0 * {args[0]}", "0.0"], None  # q ** 2: the row's 2 q^1, exactly
    else:
        function = (trace.gate_names[id(v.gate)] + ".local" if template is None
                    else f"{v.gate.name}_local")
        locals_ = [f"local[{i}]" for i in range(len(args))]
        pre = f"local = {function}({', '.join([out, *args])})"
    return [_send(local, g, exact) for local in locals_], pre


def _send(local: str, g: str, exact: bool) -> str:
    if local == "1.0":
        return g
    if exact:
        return f"chain({local}, {g})"
    if " + " in local or " - " in local or " if " in local:
        local = f"({local})"
    return f"{local} * {g}"


def _comment(v: Value, trace: _Trace) -> str:
    """`1/x: d/dx = -1/x^2 = -out^2` with the gate's own output named as the code names it,
    and a folded constant's gate its own rule (`*-1: d/dx = -1`, not the two-input rule)."""
    if not trace.comments:
        return ""
    k = folded_constant(v)
    rule = v.gate.rule if k is None else _folded_rule(v, k)
    rule = re.sub(r"\bout\b", trace.names[id(v)], rule)
    return f"{trace.caption(v)}: {rule}"


def _folded_rule(v: Value, k: int) -> str:
    c = number(v.parents[k].data)
    name = v.gate.name
    if name == "mul":
        return f"d/dx = {c}"
    if name == "add":
        return "d/dx = 1"
    if name == "max":
        return f"d/dx = 1 if x > {c}, 0 if x < {c}, 0.5 on a tie"
    if k == 1:  # x ** c
        return "d/dx = 2 x" if c == "2" else f"d/dx = {c} x^({c} - 1)"
    return f"d/dx = {c}^x log {c}"  # c ** x


def _body(trace: _Trace, numpy: bool, exact: bool = False,
          layers: dict | None = None) -> tuple[list[str], list[str]]:
    """Forward lines and backward lines. The outputs' gradients are set before (the upstream
    gradients). `layers`: w·x+b nodes run as one matrix product per layer (numpy; see _layers),
    by node id."""
    layers = layers or {}
    forward = []
    for v in trace.gates:
        layer = layers.get(id(v))
        if layer is None:
            forward.append(f"{trace.names[id(v)]} = {_forward_code(v, trace, numpy)}  "
                           f"# {trace.caption(v)}")
        elif v is layer.nodes[0]:  # all its inputs are computed by now, none of its outputs used
            forward += layer.forward_lines(trace)
    backward = []
    assigned = {id(r) for r in trace.roots}
    needs_grad, names = trace.needs_grad, trace.names
    for v in reversed(trace.gates):
        if layers:
            layer = layers.get(id(v))
            if layer is not None:  # the layer's first node comes last: every output's gradient
                if v is layer.nodes[0]:  # is complete by then
                    backward += layer.backward_lines(trace, assigned)
                continue
        if id(v) not in needs_grad or id(v) not in assigned:
            continue  # nothing flows back from here to an input
        sends, pre = _sends(v, trace, numpy, exact)
        targets = [(p, s) for p, s in zip(v.parents, sends) if id(p) in needs_grad]
        if not targets:
            continue
        if pre:
            backward.append(f"{pre}  # {v.gate.name}: {v.gate.rule}")
        comment = _comment(v, trace)
        for p, s in targets:
            d = "d_" + names[id(p)]
            if id(p) not in assigned:
                backward.append(f"{d} = {s}  # {comment}")
            elif numpy:  # not +=: that would add in place to an array another name shares
                backward.append(f"{d} = {d} + {s}  # {comment}")
            else:
                backward.append(f"{d} += {s}  # {comment}")
            assigned.add(id(p))
    for x in trace.wrt:  # an input nothing flows back to
        if id(x) not in assigned:
            backward.append(f"d_{trace.name(x)} = 0.0  # nothing depends on it")
            assigned.add(id(x))
    return forward, backward


def _header(trace: _Trace) -> list[str]:
    return [f"{trace.name(v)} = {_literal(v.data)}  # a leaf not among the inputs: its number "
            "when traced" for v in trace.frozen]


def _function_source(trace: _Trace, fname: str, exact: bool = False) -> str:
    params = [trace.name(x) for x in trace.inputs]
    params += [f"d_{trace.name(r)}=1.0" for r in trace.roots]
    forward, backward = _body(trace, numpy=False, exact=exact)
    outs = ", ".join(trace.name(r) for r in trace.roots)
    lines = [f"def {fname}({', '.join(params)}):"]
    if trace.comments:  # the code as shown runs on its own: it imports what it calls
        lines += ["    " + line for line in _imports(trace, forward + backward)]
    lines += ["    " + line for line in _header(trace)]
    lines += ["    # forward: one line per gate, inputs first"]
    lines += ["    " + line for line in forward]
    lines += ["    # backward: the chain rule, outputs first; += where a value forks"]
    lines += ["    " + line for line in backward]
    lines += [f"    return ({outs}{',' if len(trace.roots) == 1 else ''}), {_grads(trace)}"]
    return "\n".join(lines) + "\n"


def _imports(trace: _Trace, lines: list[str]) -> list[str]:
    """The imports that make the shown code run on its own (`exec(fn.source, {})`): the table's
    functions it calls, and the rows of gates without a template."""
    code = "\n".join(line.split("  # ", 1)[0] for line in lines)
    used = [name for name in runtime.NAMES if re.search(rf"\b{name}\(", code)]
    out = [f"from gategrad.engine.codegen.runtime import {', '.join(used)}"] if used else []
    rows = {id(v.gate): v.gate for v in trace.gates if id(v.gate) in trace.gate_names}
    if rows:
        out.append("from gategrad.engine import GATES")
    for gate in rows.values():
        note = "" if GATES.get(gate.name) is gate else \
            "  # redefined since this graph was made: compiled code runs the old row"
        out.append(f"{trace.gate_names[id(gate)]} = GATES[{gate.name!r}]{note}")
    return out


def _grads(trace: _Trace) -> str:
    names = [f"d_{trace.name(x)}" for x in trace.wrt]
    return f"({', '.join(names)}{',' if len(names) == 1 else ''})"


def _sample_loop(trace: _Trace, batched: tuple[bool, ...], body: list[str],
                 collect: list[str]) -> list[str]:
    """`for k, (x, y) in enumerate(zip(x_all, y_all)):` around the per-sample lines, with the
    error of a gate saying which sample raised it. An output's upstream gradients, when given
    per sample, come in as the column d_<output>_seeds."""
    loop = [(trace.name(x), f"{trace.name(x)}_all") for x in trace.inputs]
    loop += [(f"d_{trace.name(r)}", f"d_{trace.name(r)}_seeds") for r in trace.roots]
    loop = [pair for pair, b in zip(loop, batched) if b]
    if len(loop) > 1:
        head = (f"for k, ({', '.join(v for v, _ in loop)}) in enumerate(zip("
                f"{', '.join(c for _, c in loop)})):")
    elif loop:
        head = f"for k, {loop[0][0]} in enumerate({loop[0][1]}):"
    else:
        head = "for k in range(samples):"
    return (["k = -1", "try:", "    " + head] + ["        " + line for line in body + collect]
            + ["except (ArithmeticError, ValueError) as error:",
               "    raise in_sample(error, k) from None"])


def _collected_outputs(trace: _Trace, batched: tuple[bool, ...]) -> tuple[list[str], list, str]:
    """The lists that gather the outputs sample by sample: (their set-up lines, the lines that
    append to them, what the function returns). An output that is an input is its column."""
    columns = {id(x): f"{trace.name(x)}_all" if b else f"[{trace.name(x)}] * samples"
               for x, b in zip(trace.inputs, batched)}
    gathered = [r for r in trace.roots if id(r) not in columns]
    setup = [f"{trace.name(r)}_all = []" for r in gathered]
    collect = [f"{trace.name(r)}_all.append({trace.name(r)})" for r in gathered]
    outs = ", ".join(columns.get(id(r), f"{trace.name(r)}_all") for r in trace.roots)
    return setup, collect, f"({outs},)"


def _python_batch_source(trace: _Trace, batched: tuple[bool, ...], fname: str,
                         exact: bool = False) -> str:
    """The sample loop in generated code: each sample's gradients computed afresh, a broadcast
    input's summed over the batch, a batched input's collected in a list."""
    n = len(trace.inputs)
    is_batched = {id(x): b for x, b in zip(trace.inputs, batched)}
    params = [f"{trace.name(x)}_all" if b else trace.name(x) for x, b in zip(trace.inputs, batched)]
    params += [f"d_{trace.name(r)}_seeds" if b else f"d_{trace.name(r)}_seed"
               for r, b in zip(trace.roots, batched[n:])]
    forward, backward = _body(trace, numpy=False, exact=exact)
    seeds = [f"d_{trace.name(r)} = d_{trace.name(r)}_seed" for r, b in
             zip(trace.roots, batched[n:]) if not b and id(r) in trace.needs_grad]
    setup, collect, outs = _collected_outputs(trace, batched)
    for x in trace.wrt:
        d = f"d_{trace.name(x)}"
        collect.append(f"{d}_all.append({d})" if is_batched[id(x)] else f"{d}_sum += {d}")
    lines = [f"def {fname}(samples, {', '.join(params)}):"]
    lines += ["    " + line for line in _header(trace)]
    lines += [f"    d_{trace.name(x)}{'_all = []' if is_batched[id(x)] else '_sum = 0.0'}"
              for x in trace.wrt]
    lines += ["    " + line for line in setup]
    lines += ["    " + line for line in _sample_loop(trace, batched, forward + seeds + backward,
                                                      collect)]
    grads = [f"d_{trace.name(x)}{'_all' if is_batched[id(x)] else '_sum'}" for x in trace.wrt]
    lines.append(f"    return {outs}, ({', '.join(grads)}{',' if len(grads) == 1 else ''})")
    return "\n".join(lines) + "\n"


def _forward_batch_source(trace: _Trace, batched: tuple[bool, ...], numpy: bool,
                          fname: str) -> str:
    """The forward pass only, over a batch: the outputs, no gradients."""
    names = [trace.name(x) for x in trace.inputs]
    params = [f"{n}_all" if b and not numpy else n for n, b in zip(names, batched)]
    forward = [f"{trace.name(v)} = {_forward_code(v, trace, numpy)}  # {trace.caption(v)}"
               for v in trace.gates]
    lines = [f"def {fname}(samples, {', '.join(params)}):"]
    lines += ["    " + line for line in _header(trace)]
    if numpy:
        lines += ["    " + line for line in forward]
        lines.append(f"    return ({', '.join(trace.name(r) for r in trace.roots)},)")
        return "\n".join(lines) + "\n"
    setup, collect, outs = _collected_outputs(trace, batched)
    mask = tuple(batched) + (False,) * len(trace.roots)
    lines += ["    " + line for line in setup]
    lines += ["    " + line for line in _sample_loop(trace, mask, forward, collect)]
    lines.append(f"    return {outs}")
    return "\n".join(lines) + "\n"


def _numpy_batch_source(trace: _Trace, batched: tuple[bool, ...], fname: str,
                        exact: bool = False) -> str:
    """Each gate once over whole arrays (a broadcast input is a float, a batched one an array),
    a layer of w·x+b gates as one matrix product (not in exact code: a matrix product cannot
    leave out a 0 * inf). Broadcast inputs' gradients are summed over the batch at the end (a
    layer's weights' come summed from its matrix product)."""
    params = [trace.name(x) for x in trace.inputs] + [f"d_{trace.name(r)}" for r in trace.roots]
    layers = {} if exact else _layers(trace, batched)
    forward, backward = _body(trace, numpy=True, exact=exact, layers=layers)
    is_batched = dict(zip([id(x) for x in trace.inputs], batched))
    fused = {id(w) for layer in set(layers.values()) for w in layer.parameters}
    totals = [f"d_{trace.name(x)} = total(samples, d_{trace.name(x)})" for x in trace.wrt
              if not is_batched[id(x)] and id(x) not in fused]
    outs = ", ".join(trace.name(r) for r in trace.roots)
    lines = [f"def {fname}(samples, {', '.join(params)}):"]
    lines += ["    " + line for line in _header(trace)]
    lines += ["    " + line for line in forward + backward]
    if totals:
        lines += ["    # a broadcast input's gradient: the sum of its gradients over the batch"]
        lines += ["    " + line for line in totals]
    lines.append(f"    return ({outs},), {_grads(trace)}")
    return "\n".join(lines) + "\n"


class _Layer:
    """w·x+b nodes that read the same inputs x with weights and biases of their own (broadcast
    inputs, used nowhere else): W x + b for the whole batch as one matrix product."""

    def __init__(self, number: int, nodes: list[Value], activations: list[Value] | None):
        self.number, self.nodes, self.activations = number, nodes, activations
        n = (len(nodes[0].parents) - 1) // 2
        self.inputs = nodes[0].parents[n:-1]
        self.weights = [v.parents[:n] for v in nodes]
        self.biases = [v.parents[-1] for v in nodes]
        self.parameters = [w for row in self.weights for w in row] + self.biases

    def forward_lines(self, trace: _Trace) -> list[str]:
        k, name = self.number, trace.name
        rows = ", ".join("[" + ", ".join(name(w) for w in row) + "]" for row in self.weights)
        lines = [f"# layer {k}: {len(self.nodes)} w·x+b gates reading the same "
                 f"{len(self.inputs)} inputs, as one matrix product",
                 f"W{k} = np.array([{rows}])",
                 f"X{k} = columns(samples, {', '.join(name(x) for x in self.inputs)})",
                 f"Z{k} = X{k} @ W{k}.T + np.array([{', '.join(map(name, self.biases))}])"]
        if self.activations is None:
            return lines + [f"{', '.join(name(v) for v in self.nodes)}, = Z{k}.T"]
        return lines + [self.activation_forward(),
                        f"{', '.join(name(v) for v in self.activations)}, = A{k}.T"]

    def activation_forward(self) -> str:
        """A{k}: the layer's one activation over Z{k}, every unit at once (numpy)."""
        k, gate = self.number, self.activations[0].gate
        template = TEMPLATES[gate.name]
        forward = (template.numpy_forward or template.forward).format(f"Z{k}")
        return f"A{k} = {forward}  # {gate.symbol} of every unit"

    def activation_backward(self) -> str:
        """D{k} taken back through the activation: the gradient of each unit's w·x+b."""
        k, gate = self.number, self.activations[0].gate
        template = TEMPLATES[gate.name]
        if template.sends is not None:
            send = (template.numpy_sends or template.sends)[0].format(f"Z{k}", g=f"D{k}")
        else:
            send = _send(template.locals[0].format(f"Z{k}", out=f"A{k}"), f"D{k}", False)
        return f"D{k} = {send}  # {gate.symbol}: {gate.rule}"

    def backward_lines(self, trace: _Trace, assigned: set) -> list[str]:
        k, name = self.number, trace.name
        outs = self.nodes if self.activations is None else self.activations
        grads = ", ".join(f"d_{name(v)}" if id(v) in assigned else "0.0" for v in outs)
        lines = [f"# layer {k}: d/dx = W^T d, d/dW = d x^T summed over the batch, d/db = d",
                 f"D{k} = columns(samples, {grads})"]
        if self.activations is not None:  # through the activation first: d of each w·x+b
            lines.append(self.activation_backward())
        needed = [(i, x) for i, x in enumerate(self.inputs) if id(x) in trace.needs_grad]
        if needed:
            lines.append(f"dX{k} = D{k} @ W{k}")
            for i, x in needed:
                d = f"d_{name(x)}"
                lines.append(f"{d} = {d} + dX{k}[:, {i}]" if id(x) in assigned
                             else f"{d} = dX{k}[:, {i}]")
                assigned.add(id(x))
        targets = [f"d_{name(p)}" if id(p) in trace.needs_grad else "_"
                   for p in self.parameters]
        lines.append(f"{', '.join(targets)}, = (*(D{k}.T @ X{k}).ravel().tolist(), "
                     f"*D{k}.sum(axis=0).tolist())")
        assigned.update(id(p) for p in self.parameters)
        return lines


def _layers(trace: _Trace, batched: tuple[bool, ...], smallest: int = 2) -> dict:
    """The w·x+b nodes that form layers (at least `smallest` reading the same inputs, every weight
    and bias a broadcast input used by that node alone), by node id."""
    broadcast = {id(x) for x, b in zip(trace.inputs, batched) if not b}
    uses: dict[int, int] = {}
    for v in trace.gates:
        for p in v.parents:
            uses[id(p)] = uses.get(id(p), 0) + 1
    groups: dict[tuple, list] = {}
    for v in trace.gates:
        if v.gate is not GATES["linear"]:
            continue
        n = (len(v.parents) - 1) // 2
        bias = v.parents[-1]  # a bias of its own, or a constant (a vector's W·x has 0)
        if all(id(p) in broadcast and uses[id(p)] == 1 for p in v.parents[:n]) and (
                bias.is_constant or id(bias) in broadcast and uses[id(bias)] == 1):
            groups.setdefault(tuple(map(id, v.parents[n:-1])), []).append(v)
    consumers: dict[int, Value] = {}
    for v in trace.gates:
        for p in v.parents:
            consumers[id(p)] = v
    roots = {id(r) for r in trace.roots}
    layers = {}
    for nodes in groups.values():
        if len(nodes) < smallest:
            continue
        # The same one-input activation as the only use of every unit: applied to the layer.
        after = [consumers.get(id(v)) for v in nodes]
        fused = (all(a is not None and uses[id(v)] == 1 and id(v) not in roots for a, v in
                     zip(after, nodes))
                 and all(a.gate is after[0].gate for a in after)
                 and after[0].gate in (GATES["relu"], GATES["tanh"], GATES["sigmoid"]))
        layer = _Layer(len(set(layers.values())) + 1, nodes, after if fused else None)
        layers.update((id(v), layer) for v in nodes + (after if fused else []))
    return layers


# --- running it ----------------------------------------------------------------------------------

def _python_namespace(trace: _Trace) -> dict:
    """What the generated Python code calls (codegen/runtime.py), and each row without a
    template under the variable the code gives it: the very row each node was made with."""
    namespace = {name: getattr(runtime, name) for name in runtime.NAMES}
    for v in trace.gates:
        if id(v.gate) in trace.gate_names:
            namespace[trace.gate_names[id(v.gate)]] = v.gate
    return namespace


def _numpy_namespace(trace: _Trace) -> dict:
    from . import numpy_gates
    return numpy_gates.namespace({trace.gate_names[id(v.gate)]: v.gate for v in trace.gates
                                    if id(v.gate) in trace.gate_names})


_in_sample = runtime.in_sample  # (numpy_gates.py words its errors with it too)


def _running(write, trace: _Trace, name: str) -> str:
    """Code that only runs: written without its comments, which cost time on a large graph."""
    trace.comments = False
    try:
        return write(trace, name)
    finally:
        trace.comments = True


_CHUNK = 2000  # lines: a longer straight-line function is run in pieces of this many


def _define(source: str, name: str, namespace: dict):
    """The function `name` that `source` defines. Comments are for people: they are left out of
    what Python compiles. CPython compiles one very long function slowly and with much memory
    (about 3.5 KB per line); a straight-line function longer than _CHUNK lines is therefore run as
    pieces of _CHUNK lines over one dictionary of variables, each piece compiled on its own."""
    lines = source.splitlines()
    filename = f"<gategrad.compile {name}>"
    if len(lines) <= _CHUNK or any(line.startswith("        ") for line in lines):
        code = "\n".join(line.split("  # ", 1)[0] for line in lines)
        exec(builtins.compile(code, filename, "exec"), namespace)  # noqa: S102
        return namespace[name]
    pieces = [builtins.compile("\n".join(line[4:].split("  # ", 1)[0]
                                         for line in lines[i:min(i + _CHUNK, len(lines) - 1)]),
                               filename, "exec")
              for i in range(1, len(lines) - 1, _CHUNK)]
    result = builtins.compile(lines[-1].strip().removeprefix("return "), filename, "eval")
    scope: dict = {}  # arguments are bound as the def would bind them, defaults included
    exec(lines[0].replace(f"def {name}(", "def bind(", 1) + "\n    return locals()", scope)  # noqa: S102
    bind = scope["bind"]

    def run(*args, **kwargs):
        variables = dict(namespace)
        variables.update(bind(*args, **kwargs))
        for piece in pieces:
            exec(piece, variables)  # noqa: S102
        return eval(result, variables)  # noqa: S307

    run.__name__ = name
    return run


class CompiledFunction:
    """A traced graph as generated code. Call it on numbers; `.source` is the code.

    `fn(*inputs)` returns (output, grads), where output is a float (a tuple of floats for several
    outputs) and grads a tuple with d output / d input for each input. With several outputs, or to
    backpropagate another upstream gradient, pass `grad_output` (one number per output).

    The code in `.source` multiplies local gradients by upstream ones as they come. Where that
    gives a gradient that is inf or nan, the call runs again in code that follows the plain
    graph's zero rules to the letter (`.exact_source`: a zero local or upstream gradient adds
    nothing, so 0 * inf is 0): the two agree on every finite result, and the answer is always
    the plain graph's.
    """

    def __init__(self, trace: _Trace, single: bool):
        self._trace, self._single = trace, single
        self.inputs = tuple(trace.inputs)
        self.name = _function_name(trace)
        # the per-sample function is written now (the others when first asked for): errors in
        # writing it show at compile()
        self._functions: dict = {("fast", "call", None): _define(
            _running(_function_source, trace, self.name), self.name, _python_namespace(trace))}
        self._source: str | None = None
        self._matrix = None
        self._wrt_ids = {id(x) for x in trace.wrt}

    @property
    def source(self) -> str:
        """The generated code, one line per gate, each with its comment (what runs is this code
        without the comments)."""
        if self._source is None:
            self._source = _function_source(self._trace, self.name)
        return self._source

    @property
    def exact_source(self) -> str:
        """The code that runs where `.source` gives a gradient that is not finite."""
        return _function_source(self._trace, self.name, exact=True)

    def _fast_then_exact(self, backend: str, batched, write, namespace, args, finite):
        """Run the code that multiplies as it goes; where a gradient comes out inf or nan
        (`finite(grads)` is false), run the exact code instead, which applies the zero rules."""
        for exact in (False, True):
            function = self._generated(("exact" if exact else "fast", backend, batched),
                                       lambda name, exact=exact: write(name, exact), namespace)
            outs, grads = function(*args)
            if finite(grads):
                break
        return outs, grads

    def _generated(self, key: tuple, make_source, namespace):
        """A generated function, made the first time it is asked for."""
        function = self._functions.get(key)
        if function is None:
            name = f"{self.name}_{'_'.join(str(part) for part in key[:2])}"
            function = _define(_running(lambda _, n: make_source(n), self._trace, name), name,
                               namespace(self._trace))
            self._functions[key] = function
        return function

    def __call__(self, *inputs, grad_output=None):
        self._check_arity(inputs)
        values = [_number(x, i, self) for i, x in enumerate(inputs)]
        seeds = [_number(s, len(values) + i, self, "grad_output")
                 for i, s in enumerate(self._grad_outputs(grad_output))]
        outs, grads = self._fast_then_exact(
            "call", None, lambda name, exact: _function_source(self._trace, name, exact),
            _python_namespace, (*values, *seeds), lambda gs: all(map(math.isfinite, gs)))
        return (outs[0] if self._single else outs), grads

    def _grad_outputs(self, grad_output) -> list:
        n = len(self._trace.roots)
        if grad_output is None:
            if n > 1:
                raise ValueError(f"{self.name}: {n} outputs: pass grad_output, one upstream "
                                 "gradient per output")
            return [1.0]
        seeds = [grad_output] if n == 1 and not isinstance(grad_output, (list, tuple)) \
            else list(grad_output)
        if len(seeds) != n:
            raise ValueError(f"{self.name}: grad_output needs {n} values, got {len(seeds)}")
        return seeds

    def _check_arity(self, inputs) -> None:
        if len(inputs) != len(self.inputs):
            names = ", ".join(self._trace.name(x) for x in self.inputs)
            raise TypeError(f"{self.name} takes {len(self.inputs)} inputs ({names}), got "
                            f"{len(inputs)}")

    def batch(self, *inputs, grad_output=None, backend: str | None = None, grad: bool = True):
        """The function over a batch. Each input is one number (broadcast: the same for every
        sample, its gradient summed over the batch) or a sequence of B numbers (one per sample,
        its gradient per sample). Returns (outputs, grads): outputs of shape (B,) (one such per
        output with several outputs). backend "numpy" (the default when numpy imports) runs
        each gate once over arrays; "python" runs the sample loop in generated Python and
        returns lists. `grad_output`: the upstream gradient(s), numbers or sequences of B.
        grad=False runs the forward pass only and returns the outputs alone. Both backends take
        the same columns: real numbers (not bools, strings or None), a sequence or a 1-D array.
        """
        self._check_arity(inputs)
        if backend is None:
            backend = "numpy" if _numpy() is not None else "python"
            if backend == "python":  # (in a browser without numpy, for one)
                say_once("fn.batch: numpy is not installed, so batches run on the python "
                         "backend (a loop over the samples in generated Python)")
        if backend not in BACKENDS:
            raise ValueError(f"{self.name}.batch: backend must be one of {BACKENDS}, got "
                             f"{backend!r}")
        if backend == "numpy" and _numpy() is None:
            raise ImportError(f"{self.name}.batch(backend='numpy') needs numpy: pip install "
                              "numpy, or use backend='python'")
        if len(self._trace.roots) == 1:  # one output: its upstream is one column
            seeds = [1.0 if grad_output is None else grad_output]
        elif grad_output is None and not grad:
            seeds = [0.0] * len(self._trace.roots)  # not used: there is no backward pass
        else:
            seeds = self._grad_outputs(grad_output)
        numpy = backend == "numpy"
        columns = [c if type(c) is float else _column(c, i, self, numpy)
                   for i, c in enumerate([*inputs, *seeds])]
        batched = tuple(not isinstance(c, float) for c in columns)
        sizes = {len(c) for c, b in zip(columns, batched) if b}
        if len(sizes) > 1:
            raise ValueError(f"{self.name}.batch: the batched inputs differ in length: "
                             f"{sorted(sizes)}")
        if not sizes:
            raise ValueError(f"{self.name}.batch: no input is a sequence; call {self.name}(...) "
                             "for one sample")
        samples = sizes.pop()
        n = len(self.inputs)
        if not grad:
            return self._forward_batch(columns[:n], batched[:n], samples, numpy)
        if numpy:
            if self._matrix_shaped(batched):
                result = self._batch_matrix(columns, batched, samples)
                if result is not None:
                    return result
            return self._batch_numpy(columns, batched, samples)
        return self._batch_python(columns, batched, samples)

    def _matrix_shaped(self, batched) -> bool:
        """Whether a batch is the matrix form's: every input in `wrt` the same for all samples
        (a parameter), every other input one number per sample (data)."""
        wrt = self._wrt_ids
        return all((id(x) in wrt) != b for x, b in zip(self.inputs, batched))

    def _batch_matrix(self, columns, batched, samples):
        """A batch through the matrix form (engine/codegen/matrix.py): the parameters one
        vector, the data one matrix; None where a gradient is not finite (the numpy backend's
        exact code then decides)."""
        np = _numpy()
        n, position = len(self.inputs), {id(x): i for i, x in enumerate(self.inputs)}
        theta = np.array([columns[position[id(x)]] for x in self._trace.wrt], dtype=float)
        data = [c for c, b in zip(columns[:n], batched[:n]) if b]
        X = np.column_stack(data) if data else np.zeros((samples, 0))
        seeds = columns[n:]

        def loss_grad(out):
            return np.column_stack([np.broadcast_to(s, (samples,)) for s in seeds])

        out, grad = self.matrix()(theta, X, loss_grad)
        if not np.all(np.isfinite(grad)):
            return None
        outs = [np.array(out[:, j]) for j in range(out.shape[1])]
        return (outs[0] if self._single else tuple(outs)), tuple(grad.tolist())

    def batch_source(self, backend: str = "python", batched=None, exact: bool = False) -> str:
        """The generated batch code (for which inputs are batched: all by default)."""
        n = len(self.inputs) + len(self._trace.roots)
        mask = tuple(batched) if batched is not None else (True,) * len(self.inputs) + \
            (False,) * len(self._trace.roots)
        if len(mask) != n:
            raise ValueError(f"batched needs {n} flags (inputs, then grad outputs)")
        if backend == "numpy":
            return _numpy_batch_source(self._trace, mask, self.name + "_batch", exact)
        return _python_batch_source(self._trace, mask, self.name + "_batch", exact)

    def matrix(self):
        """The function as one matrix computation for training (engine/codegen/matrix.py):
        `run(theta, X, loss_grad) -> (OUT, grad)`, theta the numbers of `wrt`, X the other
        inputs as the columns of a matrix with one row per sample."""
        if self._matrix is None:
            from .matrix import MatrixFunction
            self._matrix = MatrixFunction(self._trace)
        return self._matrix

    def _forward_batch(self, columns, batched, samples, numpy: bool):
        function = self._generated(
            ("forward", "numpy" if numpy else "python", batched),
            lambda name: _forward_batch_source(self._trace, batched, numpy, name),
            _numpy_namespace if numpy else _python_namespace)
        if numpy:
            np = _numpy()
            with np.errstate(all="ignore"):
                outs = function(samples, *columns)
            outs = [np.broadcast_to(np.asarray(o, dtype=float), (samples,)).copy() for o in outs]
        else:
            outs = function(samples, *columns)
        return outs[0] if self._single else tuple(outs)

    def _batch_python(self, columns, batched, samples):
        if len(self._trace.gates) > _CHUNK // 2:  # a sample loop this long compiles slowly:
            return self._batch_by_calls(columns, batched, samples)  # call fn once per sample
        outs, grads = self._fast_then_exact(
            "python", batched,
            lambda name, exact: _python_batch_source(self._trace, batched, name, exact),
            _python_namespace, (samples, *columns),
            lambda gs: all(math.isfinite(g) if isinstance(g, float) else all(map(math.isfinite, g))
                           for g in gs))
        return (outs[0] if self._single else outs), grads

    def _batch_by_calls(self, columns, batched, samples):
        """The python backend as a loop of calls of the per-sample function."""
        n, wrt = len(self.inputs), self._trace.wrt
        position = {id(x): i for i, x in enumerate(self.inputs)}
        outs = [[] for _ in self._trace.roots]
        grads = [[] if batched[position[id(x)]] else 0.0 for x in wrt]
        for k in range(samples):
            values = [c[k] if b else c for c, b in zip(columns, batched)]
            try:
                out, g = self(*values[:n], grad_output=values[n:])
            except (ArithmeticError, ValueError) as error:
                raise _in_sample(error, k) from None
            for column, o in zip(outs, out if not self._single else (out,)):
                column.append(o)
            for i, gi in enumerate(g):
                if isinstance(grads[i], list):
                    grads[i].append(gi)
                else:
                    grads[i] += gi
        return (outs[0] if self._single else tuple(outs)), tuple(grads)

    def _batch_numpy(self, columns, batched, samples):
        np = _numpy()
        with np.errstate(all="ignore"):  # what a gate must refuse, it checks itself
            outs, grads = self._fast_then_exact(
                "numpy", batched,
                lambda name, exact: _numpy_batch_source(self._trace, batched, name, exact),
                _numpy_namespace, (samples, *columns),
                lambda gs: all(np.all(np.isfinite(g)) for g in gs))
        per_sample = [np.broadcast_to(np.asarray(o, dtype=float), (samples,)).copy()
                      for o in outs]
        position = {id(x): i for i, x in enumerate(self.inputs)}
        grads = tuple(np.broadcast_to(np.asarray(g, dtype=float), (samples,)).copy()
                      if batched[position[id(x)]] else float(g)
                      for g, x in zip(grads, self._trace.wrt))
        return (per_sample[0] if self._single else tuple(per_sample)), grads

    def __repr__(self) -> str:
        names = ", ".join(self._trace.name(x) for x in self.inputs)
        return (f"<compiled {self.name}({names}): {len(self._trace.gates)} gates; .source, "
                f".batch(...)>")


def _function_name(trace: _Trace) -> str:
    """grad_<output>, as JAX's grad(f): the function gives the output and its gradients (no
    label takes a name that starts with grad_)."""
    return f"grad_{trace.names[id(trace.roots[0])]}" if len(trace.roots) == 1 else "grad_outputs"


def _what(fn: CompiledFunction, i: int, kind: str = "input") -> str:
    """'input 2 (w)': the 1-based position and the variable it feeds."""
    n = len(fn.inputs)
    if kind == "input" and i < n:
        return f"input {i + 1} ({fn._trace.name(fn.inputs[i])})"
    return f"grad_output {i - n + 1}" if i >= n else f"{kind} {i + 1}"


def _number(x, i: int, fn: CompiledFunction, kind: str = "input") -> float:
    """A real number as a float: not a bool, a string, None or a Value."""
    if isinstance(x, numbers.Real) and not isinstance(x, bool):
        return float(x)
    np = _numpy()
    if np is not None and isinstance(x, np.ndarray) and x.ndim == 0 and x.dtype.kind in "fiu":
        return float(x)
    hint = " (pass v.data)" if isinstance(x, Value) else ""
    raise TypeError(f"{fn.name}: {_what(fn, i, kind)} must be a real number, got "
                    f"{type(x).__name__}: {x!r}{hint}")


def _column(c, i: int, fn: CompiledFunction, numpy: bool):
    """One input of a batch: a float (the same for every sample), or its B numbers (a numpy
    array for the numpy backend, a list of floats for python). Both backends check alike."""
    np = _numpy()
    if np is not None and isinstance(c, np.ndarray):
        if c.ndim == 0:
            return _number(c, i, fn)
        if c.ndim != 1:
            raise ValueError(f"{fn.name}.batch: {_what(fn, i)} must be a number or a 1-D "
                             f"sequence, got an array of shape {c.shape}")
        if c.dtype.kind in "fiu":  # numbers already: no check per sample
            return c.astype(float) if numpy else c.astype(float).tolist()
        c = c.tolist()
    if isinstance(c, (str, bytes, Mapping, Set)):  # iterable, but not a column of numbers
        raise TypeError(f"{fn.name}.batch: {_what(fn, i)} must be a number or a sequence of "
                        f"numbers, got {type(c).__name__}: {c!r:.80}")
    if not isinstance(c, Iterable):
        return _number(c, i, fn)
    values = []
    for k, x in enumerate(c):
        if isinstance(x, numbers.Real) and not isinstance(x, bool):
            values.append(float(x))
        else:
            raise TypeError(f"{fn.name}.batch: {_what(fn, i)}, sample {k}: expected a real "
                            f"number, got {type(x).__name__}: {x!r}")
    return np.array(values, dtype=float) if numpy else values


_said: set[str] = set()


def say_once(notice: str) -> None:
    """A notice printed once per process, to stderr (one that would say the same thing on
    every call): compile's and fit's fallbacks when numpy is missing."""
    if notice not in _said:
        _said.add(notice)
        print(notice, file=sys.stderr)


def _numpy():
    try:
        import numpy
    except ImportError:  # the plain graph and the python backend need only the standard library
        return None
    return numpy
