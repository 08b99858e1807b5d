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
import keyword
import math
import re
from dataclasses import dataclass

from .backprop import topological_order
from .gates import GATES, Gate
from .trace import caption
from .value import Value

__all__ = ["CompiledFunction", "compile"]


@dataclass(frozen=True)
class Template:
    """A gate as code: its forward expression and what it sends each input, with `{0}`, `{1}` for
    the inputs, `{out}` for its output and `{g}` for the upstream gradient. `numpy_*` replace them
    where numpy needs other code (a conditional becomes np.where). No `sends`: the generated code
    calls the gate's own `local` from the table."""

    forward: str
    sends: tuple[str, ...] | None = None
    numpy_forward: str | None = None
    numpy_sends: tuple[str, ...] | None = None


# The table's rows as code. Functions named here (exp, tanh, ...) are the rows' own forward
# functions in Python, and numpy versions of them (with the same error messages) in numpy.
TEMPLATES: dict[str, Template] = {
    "add": Template("{0} + {1}", ("{g}", "{g}")),
    "mul": Template("{0} * {1}", ("{1} * {g}", "{0} * {g}")),
    "exp": Template("exp({0})", ("{out} * {g}",)),
    "log": Template("log({0})", ("1.0 / {0} * {g}",)),
    "recip": Template("recip({0})", ("-{out} * {out} * {g}",)),
    "tanh": Template("tanh({0})", ("(1.0 - {out} * {out}) * {g}",)),
    "sigmoid": Template("sigmoid({0})", ("{out} * (1.0 - {out}) * {g}",)),
    "relu": Template("0.0 if {0} <= 0.0 else {0}", ("0.0 if {0} <= 0.0 else {g}",),
                     "where({0} <= 0.0, 0.0, {0})", ("where({0} <= 0.0, 0.0, {g})",)),
    "max": Template("max_({0}, {1})"),
    "pow": Template("pow_({0}, {1})"),
}
# The n-ary gates are written out per node (their number of inputs varies): see _forward_code.

BACKENDS = ("python", "numpy")
RESERVED = {"exp", "log", "recip", "tanh", "sigmoid", "max_", "pow_", "where", "np", "k", "B",
            "local", "math", "grads", "outputs", "samples", "sample", "error"}


def compile(outputs, inputs, wrt=None) -> CompiledFunction:  # noqa: A001  (the lecture's word)
    """Trace the graph of `outputs` (a Value, or a list of Values) once and generate its forward
    and backward pass as Python code, a function of the numbers of `inputs` (leaf Values).

    The result `fn` runs it: `fn(*numbers)` gives (output, gradients of the output with respect
    to each input); `fn.batch(...)` runs it over a batch; `fn.source` is the code. `wrt`: the
    inputs to differentiate with respect to (all by default), e.g. a model's parameters but not
    its data.
    """
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
    if not {id(x) for x in wrt} <= {id(x) for x in inputs}:
        raise ValueError("compile: every Value in wrt must be one of the inputs")
    return CompiledFunction(_Trace(roots, inputs, wrt), single)


class _Trace:
    """The graph as lists: nodes in topological order and a variable name for each."""

    def __init__(self, roots: list[Value], inputs: list[Value], wrt: list[Value]):
        self.roots, self.inputs, self.wrt = roots, inputs, wrt
        order, seen = [], set()
        for root in roots:
            for v in topological_order(root):
                if v not in seen:
                    seen.add(v)
                    order.append(v)
        self.order = order
        self.gates = [v for v in order if v.gate is not None]
        # A node needs a gradient when an input of `wrt` is among what it is computed from.
        needs = {id(x) for x in wrt}
        for v in self.gates:
            if any(id(p) in needs for p in v.parents):
                needs.add(id(v))
        self.needs_grad = needs
        self.names = _names(order, inputs, roots)

    def name(self, v: Value) -> str:
        """The variable of a node; a constant is its number written out."""
        if v.is_constant:
            return repr(v.data) if math.isfinite(v.data) else f"float({str(v.data)!r})"
        return self.names[id(v)]


def _names(order: list[Value], inputs: list[Value], roots: list[Value]) -> dict[int, str]:
    """Variable names: a node's label made into an identifier where it has one, else t1, t2, ...
    for gates and in1, in2, ... for inputs; every name unique."""
    names: dict[int, str] = {}
    taken = set(RESERVED)

    def claim(v: Value, fallback: str) -> None:
        base = re.sub(r"\W", "_", v.label).strip("_") if v.label else ""
        if not base or base[0].isdigit():
            base = fallback
        if keyword.iskeyword(base) or base.startswith("d_"):
            base = f"{base}_"
        name, k = base, 2
        while name in taken:
            name, k = f"{base}_{k}", k + 1
        taken.add(name)
        names[id(v)] = name

    for i, x in enumerate(inputs):
        claim(x, f"in{i + 1}")
    roots_ids = {id(r) for r in roots}
    gate_count = 0
    for v in order:
        if id(v) in names or v.is_constant:
            continue
        if v.gate is None:
            claim(v, "leaf")  # a leaf that is not an input: its number is frozen into the code
        else:
            gate_count += 1
            claim(v, "out" if id(v) in roots_ids and len(roots) == 1 else f"t{gate_count}")
    return names


# --- writing the code ----------------------------------------------------------------------------

def _forward_code(v: Value, trace: _Trace, numpy: bool) -> str:
    args = [trace.name(p) for p in v.parents]
    name = v.gate.name
    if v.gate is GATES["linear"]:  # b + w_1 x_1 + ... + w_n x_n, the order of the row's sum
        n = len(args) // 2
        return " + ".join([args[-1]] + [f"{w} * {x}" for w, x in zip(args[:n], args[n:-1])])
    if v.gate is GATES["sum"]:
        return " + ".join(args)
    template = TEMPLATES.get(name) if v.gate is GATES.get(name) else None
    if template is None:  # a gate without a template: call its own forward function
        return f"{_gate_variable(v.gate)}.forward({', '.join(args)})"
    text = (template.numpy_forward or template.forward) if numpy else template.forward
    return text.format(*args)


def _sends(v: Value, trace: _Trace, numpy: bool) -> tuple[list[str], str | None]:
    """What v sends each input, as expressions of d_v; and a line computing the local gradients
    first when the gate has no template (they then come from its row's `local`)."""
    args = [trace.name(p) for p in v.parents]
    g, out = f"d_{trace.name(v)}", trace.name(v)
    name = v.gate.name
    if v.gate is GATES["linear"]:  # d/dw_i = x_i, d/dx_i = w_i, d/db = 1
        n = len(args) // 2
        return [f"{x} * {g}" for x in args[n:-1]] + [f"{w} * {g}" for w in args[:n]] + [g], None
    if v.gate is GATES["sum"]:
        return [g] * len(args), None
    template = TEMPLATES.get(name) if v.gate is GATES.get(name) else None
    if template is None or template.sends is None:
        local = (f"{_gate_variable(v.gate)}.local" if template is None
                 else f"{name}_local")
        pre = f"local = {local}({', '.join([out, *args])})"
        return [f"local[{i}] * {g}" for i in range(len(args))], pre
    sends = (template.numpy_sends or template.sends) if numpy else template.sends
    return [s.format(*args, out=out, g=g) for s in sends], None


def _gate_variable(gate: Gate) -> str:
    return "gate_" + re.sub(r"\W", "_", gate.name)


def _comment(v: Value) -> str:
    return f"{caption(v)}: {v.gate.rule}"


def _body(trace: _Trace, numpy: bool, summed: set[int],
          layers: dict | None = None) -> tuple[list[str], list[str]]:
    """Forward lines and backward lines. `summed`: inputs whose gradient is a running sum that
    starts before the code (a broadcast input in a batch): it only ever takes `+=`. `layers`:
    w·x+b nodes run as one matrix product per layer (numpy; see _layers), by node id."""
    layers = layers or {}
    forward = []
    for v in trace.gates:
        layer = layers.get(id(v))
        if layer is None:
            forward.append(f"{trace.name(v)} = {_forward_code(v, trace, numpy)}  # {caption(v)}")
        elif v is layer.nodes[0]:  # all its inputs are computed by now, none of its outputs used
            forward += layer.forward_lines(trace)
    backward = []
    assigned = set(summed) | {id(r) for r in trace.roots}
    for v in reversed(trace.gates):
        layer = layers.get(id(v))
        if layer is not None:  # the layer's first node comes last: every output's gradient is
            if v is layer.nodes[0]:  # complete by then
                backward += layer.backward_lines(trace, assigned)
            continue
        if id(v) not in trace.needs_grad or id(v) not in assigned:
            continue  # nothing flows back from here to an input
        sends, pre = _sends(v, trace, numpy)
        targets = [(p, s) for p, s in zip(v.parents, sends) if id(p) in trace.needs_grad]
        if not targets:
            continue
        if pre:
            backward.append(f"{pre}  # {v.gate.name}: {v.gate.rule}")
        comment = _comment(v)
        for p, s in targets:
            d = f"d_{trace.name(p)}"
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
    frozen = [v for v in trace.order if v.gate is None and not v.is_constant
              and id(v) not in {id(x) for x in trace.inputs}]
    return [f"{trace.name(v)} = {v.data!r}  # a leaf not among the inputs: its number when traced"
            for v in frozen]


def _function_source(trace: _Trace, fname: str) -> str:
    params = [trace.name(x) for x in trace.inputs]
    params += [f"d_{trace.name(r)}=1.0" for r in trace.roots]
    forward, backward = _body(trace, numpy=False, summed=set())
    outs = ", ".join(trace.name(r) for r in trace.roots)
    lines = [f"def {fname}({', '.join(params)}):"]
    lines += ["    " + line for line in _header(trace)]
    lines += ["    # forward: one line per gate, inputs first"]
    lines += ["    " + line for line in forward]
    lines += ["    # backward: the chain rule, outputs first; += where a value forks"]
    lines += ["    " + line for line in backward]
    lines += [f"    return ({outs}{',' if len(trace.roots) == 1 else ''}), {_grads(trace)}"]
    return "\n".join(lines) + "\n"


def _grads(trace: _Trace) -> str:
    names = [f"d_{trace.name(x)}" for x in trace.wrt]
    return f"({', '.join(names)}{',' if len(names) == 1 else ''})"


def _python_batch_source(trace: _Trace, batched: tuple[bool, ...], fname: str) -> str:
    """The sample loop in generated code: broadcast inputs' gradients summed in local variables,
    per-sample ones collected in lists."""
    columns = list(trace.inputs) + [None] * len(trace.roots)  # None: an upstream gradient
    names = [trace.name(x) for x in trace.inputs] + [f"d_{trace.name(r)}" for r in trace.roots]
    params = [f"{n}_all" if b else n for n, b in zip(names, batched)]
    wrt = {id(x) for x in trace.wrt}
    summed = {id(x) for x, b in zip(columns, batched) if x is not None and not b and id(x) in wrt}
    is_batched = {id(x): b for x, b in zip(columns, batched) if x is not None}
    forward, backward = _body(trace, numpy=False, summed=summed)
    loop_vars = [n for n, b in zip(names, batched) if b]
    lines = [f"def {fname}(samples, {', '.join(params)}):"]
    lines += ["    " + line for line in _header(trace)]
    for x in trace.wrt:
        lines.append(f"    d_{trace.name(x)}{'_all = []' if is_batched[id(x)] else ' = 0.0'}")
    lines += [f"    {trace.name(r)}_all = []" for r in trace.roots]
    lines.append("    k = -1")
    lines.append("    try:")
    if loop_vars:
        source = (f"zip({', '.join(n + '_all' for n in loop_vars)})" if len(loop_vars) > 1
                  else f"{loop_vars[0]}_all")
        target = f"({', '.join(loop_vars)})" if len(loop_vars) > 1 else loop_vars[0]
        lines.append(f"        for k, {target} in enumerate({source}):")
    else:
        lines.append("        for k in range(samples):")
    lines += ["            " + line for line in forward + backward]
    lines += [f"            {trace.name(r)}_all.append({trace.name(r)})" for r in trace.roots]
    lines += [f"            d_{trace.name(x)}_all.append(d_{trace.name(x)})"
              for x in trace.wrt if is_batched[id(x)]]
    lines += ["    except (ArithmeticError, ValueError) as error:",
              "        raise in_sample(error, k) from None"]
    outs = ", ".join(f"{trace.name(r)}_all" for r in trace.roots)
    grads = [f"d_{trace.name(x)}{'_all' if is_batched[id(x)] else ''}" for x in trace.wrt]
    lines.append(f"    return ({outs},), ({', '.join(grads)}{',' if len(grads) == 1 else ''})")
    return "\n".join(lines) + "\n"


def _forward_batch_source(trace: _Trace, batched: tuple[bool, ...], numpy: bool,
                          fname: str) -> str:
    """The forward pass only, over a batch: the outputs, no gradients."""
    names = [trace.name(x) for x in trace.inputs]
    params = [f"{n}_all" if b and not numpy else n for n, b in zip(names, batched)]
    forward = [f"{trace.name(v)} = {_forward_code(v, trace, numpy)}  # {caption(v)}"
               for v in trace.gates]
    outs = [trace.name(r) for r in trace.roots]
    lines = [f"def {fname}(samples, {', '.join(params)}):"]
    lines += ["    " + line for line in _header(trace)]
    if numpy:
        lines += ["    " + line for line in forward]
        lines.append(f"    return ({', '.join(outs)},)")
        return "\n".join(lines) + "\n"
    loop_vars = [n for n, b in zip(names, batched) if b]
    lines += [f"    {o}_all = []" for o in outs]
    lines += ["    k = -1", "    try:"]
    source = (f"zip({', '.join(n + '_all' for n in loop_vars)})" if len(loop_vars) > 1
              else f"{loop_vars[0]}_all")
    target = f"({', '.join(loop_vars)})" if len(loop_vars) > 1 else loop_vars[0]
    lines.append(f"        for k, {target} in enumerate({source}):")
    lines += ["            " + line for line in forward]
    lines += [f"            {o}_all.append({o})" for o in outs]
    lines += ["    except (ArithmeticError, ValueError) as error:",
              "        raise in_sample(error, k) from None"]
    lines.append(f"    return ({', '.join(o + '_all' for o in outs)},)")
    return "\n".join(lines) + "\n"


def _numpy_batch_source(trace: _Trace, batched: tuple[bool, ...], fname: str) -> str:
    """Each gate once over whole arrays (a broadcast input is a float, a batched one an array),
    a layer of w·x+b gates as one matrix product. Broadcast inputs' gradients are summed over the
    batch at the end (a layer's weights' come summed from its matrix product)."""
    params = [trace.name(x) for x in trace.inputs] + [f"d_{trace.name(r)}" for r in trace.roots]
    layers = _layers(trace, batched)
    forward, backward = _body(trace, numpy=True, summed=set(), layers=layers)
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
        gate = self.activations[0].gate
        forward = TEMPLATES[gate.name].numpy_forward or TEMPLATES[gate.name].forward
        return lines + [f"A{k} = {forward.format(f'Z{k}')}  # {gate.symbol} of every unit",
                        f"{', '.join(name(v) for v in self.activations)}, = A{k}.T"]

    def backward_lines(self, trace: _Trace, assigned: set) -> list[str]:
        k, name = self.number, trace.name
        outs = self.nodes if self.activations is None else self.activations
        grads = ", ".join(f"d_{name(v)}" if id(v) in assigned else "0.0" for v in outs)
        lines = [f"# layer {k}: d/dx = W^T d, d/dW = d x^T summed over the batch, d/db = d",
                 f"D{k} = columns(samples, {grads})"]
        if self.activations is not None:  # through the activation first: d of each w·x+b
            gate = self.activations[0].gate
            sends = TEMPLATES[gate.name].numpy_sends or TEMPLATES[gate.name].sends
            lines.append(f"D{k} = {sends[0].format(f'Z{k}', out=f'A{k}', g=f'D{k}')}  "
                         f"# {gate.symbol}: {gate.rule}")
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


def _layers(trace: _Trace, batched: tuple[bool, ...]) -> dict:
    """The w·x+b nodes that form layers (at least two reading the same inputs, every weight and
    bias a broadcast input used by that node alone), by node id."""
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
        own = (*v.parents[:n], v.parents[-1])
        if all(id(p) in broadcast and uses[id(p)] == 1 for p in own):
            groups.setdefault(tuple(map(id, v.parents[n:-1])), []).append(v)
    consumers: dict[int, Value] = {}
    for v in trace.gates:
        for p in v.parents:
            consumers[id(p)] = v
    roots = {id(r) for r in trace.roots}
    layers = {}
    for nodes in groups.values():
        if len(nodes) < 2:
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
    namespace = {
        "exp": GATES["exp"].forward, "log": GATES["log"].forward, "recip": GATES["recip"].forward,
        "tanh": GATES["tanh"].forward, "sigmoid": GATES["sigmoid"].forward,
        "max_": GATES["max"].forward, "pow_": GATES["pow"].forward,
        "max_local": GATES["max"].local, "pow_local": GATES["pow"].local,
        "in_sample": _in_sample,
    }
    for v in trace.gates:
        namespace[_gate_variable(v.gate)] = v.gate
    return namespace


def _in_sample(error: Exception, k: int) -> Exception:
    """The same error, saying which sample of the batch raised it."""
    try:
        return type(error)(f"{error} (in sample {k} of the batch)")
    except Exception:  # an exception class that needs other arguments: keep it as it is
        return error


def _define(source: str, name: str, namespace: dict):
    code = builtins.compile(source, f"<gategrad.compile {name}>", "exec")
    exec(code, namespace)  # noqa: S102  (the code is ours, generated from the graph)
    return namespace[name]


class CompiledFunction:
    """A traced graph as generated code. Call it on numbers; `.source` is the code.

    `fn(*inputs)` returns (output, grads), where output is a float (a tuple of floats for several
    outputs) and grads a tuple with d output / d input for each input. With several outputs, or to
    backpropagate another upstream gradient, pass `grad_output` (one number per output).
    """

    def __init__(self, trace: _Trace, single: bool):
        self._trace, self._single = trace, single
        self.inputs = tuple(trace.inputs)
        self.name = _function_name(trace)
        self.source = _function_source(trace, self.name)
        self._function = _define(self.source, self.name, _python_namespace(trace))
        self._batch_functions: dict = {}

    def __call__(self, *inputs, grad_output=None):
        self._check_arity(inputs)
        values = [_number(x, i, self) for i, x in enumerate(inputs)]
        outs, grads = self._function(*values, *self._grad_outputs(grad_output))
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
        grad=False runs the forward pass only and returns the outputs alone.
        """
        self._check_arity(inputs)
        if backend is None:
            backend = "numpy" if _numpy() is not None else "python"
        if backend not in BACKENDS:
            raise ValueError(f"{self.name}.batch: backend must be one of {BACKENDS}, got "
                             f"{backend!r}")
        if len(self._trace.roots) == 1:  # one output: its upstream is one column
            seeds = [1.0 if grad_output is None else grad_output]
        elif grad_output is None and not grad:
            seeds = [0.0] * len(self._trace.roots)  # not used: there is no backward pass
        else:
            seeds = self._grad_outputs(grad_output)
        columns = list(inputs) + seeds
        batched = tuple(_is_sequence(c) for c in columns)
        sizes = {len(c) for c, b in zip(columns, batched) if b}
        if len(sizes) > 1:
            raise ValueError(f"{self.name}.batch: the batched inputs differ in length: "
                             f"{sorted(sizes)}")
        if not sizes:
            raise ValueError(f"{self.name}.batch: no input is a sequence; call {self.name}(...) "
                             "for one sample")
        samples = sizes.pop()
        if not grad:
            return self._forward_batch(columns[:len(self.inputs)], batched[:len(self.inputs)],
                                       samples, backend)
        if backend == "python":
            return self._batch_python(columns, batched, samples)
        return self._batch_numpy(columns, batched, samples)

    def batch_source(self, backend: str = "python", batched=None) -> str:
        """The generated batch code (python: for which inputs are batched, all by default)."""
        n = len(self.inputs) + len(self._trace.roots)
        mask = tuple(batched) if batched is not None else (True,) * len(self.inputs) + \
            (False,) * len(self._trace.roots)
        if len(mask) != n:
            raise ValueError(f"batched needs {n} flags (inputs, then grad outputs)")
        if backend == "numpy":
            return _numpy_batch_source(self._trace, mask, self.name + "_batch")
        return _python_batch_source(self._trace, mask, self.name + "_batch")

    def _forward_batch(self, columns, batched, samples, backend):
        numpy = backend == "numpy"
        if numpy and _numpy() is None:
            raise ImportError(f"{self.name}.batch(backend='numpy') needs numpy")
        key = ("forward", backend, batched)
        function = self._batch_functions.get(key)
        if function is None:
            name = self.name + "_forward"
            source = _forward_batch_source(self._trace, batched, numpy, name)
            if numpy:
                from . import compile_numpy
                namespace = compile_numpy.namespace(self._trace.gates, _gate_variable)
            else:
                namespace = _python_namespace(self._trace)
            function = _define(source, name, namespace)
            self._batch_functions[key] = function
        if numpy:
            np = _numpy()
            values = [np.asarray(c, dtype=float) if b else _number(c, i, self)
                      for i, (c, b) in enumerate(zip(columns, batched))]
            with np.errstate(all="ignore"):
                outs = function(samples, *values)
            outs = [np.broadcast_to(np.asarray(o, dtype=float), (samples,)).copy() for o in outs]
        else:
            values = [[_number(x, i, self) for x in c] if b else _number(c, i, self)
                      for i, (c, b) in enumerate(zip(columns, batched))]
            outs = function(samples, *values)
        return outs[0] if self._single else tuple(outs)

    def _batch_python(self, columns, batched, samples):
        function = self._batch_functions.get(batched)
        if function is None:
            source = _python_batch_source(self._trace, batched, self.name + "_batch")
            function = _define(source, self.name + "_batch", _python_namespace(self._trace))
            self._batch_functions[batched] = function
        values = [[_number(x, i, self) for x in c] if b else _number(c, i, self)
                  for i, (c, b) in enumerate(zip(columns, batched))]
        outs, grads = function(samples, *values)
        return (outs[0] if self._single else outs), grads

    def _batch_numpy(self, columns, batched, samples):
        np = _numpy()
        if np is None:
            raise ImportError(f"{self.name}.batch(backend='numpy') needs numpy: pip install numpy"
                              ", or use backend='python'")
        function = self._batch_functions.get(("numpy", batched))
        if function is None:
            from . import compile_numpy
            source = _numpy_batch_source(self._trace, batched, self.name + "_batch")
            namespace = compile_numpy.namespace(self._trace.gates, _gate_variable)
            function = _define(source, self.name + "_batch", namespace)
            self._batch_functions[("numpy", batched)] = function
        values = []
        for i, (c, b) in enumerate(zip(columns, batched)):
            if b:
                array = np.asarray(c, dtype=float)
                if array.ndim != 1:
                    raise ValueError(f"{self.name}.batch: input {i + 1} must be a number or a "
                                     f"1-D sequence, got shape {array.shape}")
                values.append(array)
            else:
                values.append(_number(c, i, self))
        with np.errstate(all="ignore"):  # what a gate must refuse, it checks itself
            outs, grads = function(samples, *values)
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
    """grad_<output>, as JAX's grad(f): the function gives the output and its gradients."""
    base = trace.names[id(trace.roots[0])] if len(trace.roots) == 1 else "outputs"
    name, k = f"grad_{base}", 2
    while name in trace.names.values():
        name, k = f"grad_{base}_{k}", k + 1
    return name


def _number(x, i: int, fn: CompiledFunction) -> float:
    if isinstance(x, bool) or isinstance(x, Value):
        raise TypeError(f"{fn.name}: input {i + 1} must be a number, got {x!r}"
                        + (" (pass v.data)" if isinstance(x, Value) else ""))
    try:
        return float(x)
    except (TypeError, ValueError):
        raise TypeError(f"{fn.name}: input {i + 1} must be a number, got "
                        f"{type(x).__name__}: {x!r}") from None


def _is_sequence(x) -> bool:
    if isinstance(x, (str, bytes)):
        return False
    np = _numpy()
    if np is not None and isinstance(x, np.ndarray):
        return x.ndim > 0
    return hasattr(x, "__len__") and hasattr(x, "__getitem__")


def _numpy():
    try:
        import numpy
    except ImportError:  # the plain graph and the python backend need only the standard library
        return None
    return numpy
