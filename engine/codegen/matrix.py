"""compile's matrix form: a model's graph as numpy code over a whole batch, for training.

`fn.batch(...)` takes every input as its own argument, so a model with 337 weights costs 337
arguments checked, packed and unpacked on every call. Training needs less: the parameters are
one vector `theta` (in the order of compile's `wrt`), the samples the rows of one matrix `X`
(the other inputs, in order). The generated function then runs a layer of neurons as one
matrix product that reads its weights from `theta` by one index array, feeds a layer's output
matrix straight to the next layer, calls `loss_grad(OUT)` between the forward and the backward
pass (the loss's gradient with respect to the model's outputs, one row per sample), and writes
every parameter's gradient, summed over the batch, into one vector:

    OUT, grad = fn.matrix()(theta, X, loss_grad)

Like the numpy backend, it multiplies local and upstream gradients as they come; a gradient
that comes out inf or nan is for the caller to compute again with fn.batch, whose exact code
follows the plain graph's zero rules (nn/training/compiled.py does).
"""

from __future__ import annotations

import numpy as np

from ..gates import GATES
from .compiler import (
    _define,
    _forward_code,
    _header,
    _Layer,
    _layers,
    _numpy_namespace,
    _sends,
    _Trace,
)

__all__ = ["MatrixFunction"]


class MatrixFunction:
    """`run(theta, X, loss_grad) -> (OUT, grad)`; `.source` is the generated code."""

    def __init__(self, trace: _Trace):
        wrt = {id(x) for x in trace.wrt}
        self.data_inputs = [x for x in trace.inputs if id(x) not in wrt]
        plan = _Plan(trace, self.data_inputs)
        self.source = plan.source()
        self._run = _define(self.source, "step", {**_numpy_namespace(trace), **plan.indices})
        self.outputs = len(trace.roots)

    def __call__(self, theta, X, loss_grad):
        with np.errstate(all="ignore"):  # what a gate must refuse, it checks itself
            return self._run(theta, X, loss_grad)


class _Plan:
    """Which matrix each layer reads and writes, and which values need names of their own."""

    def __init__(self, trace: _Trace, data_inputs: list):
        self.trace = trace
        position = {id(p): i for i, p in enumerate(trace.wrt)}
        self.param_at = position
        self.column_of = {id(x): i for i, x in enumerate(data_inputs)}
        batched = tuple(id(x) in self.column_of for x in trace.inputs)
        by_node = _layers(trace, batched, smallest=1)
        self.layer_of = by_node
        self.layers: list[_Layer] = sorted(set(by_node.values()), key=lambda layer: layer.number)
        # each layer's output matrix (A: after its activation, Z: without one) and its columns
        self.matrix_of: dict[int, tuple[str, int]] = {}
        for layer in self.layers:
            outs = layer.activations or layer.nodes
            name = f"{'A' if layer.activations else 'Z'}{layer.number}"
            self.matrix_of.update((id(v), (name, j)) for j, v in enumerate(outs))
        self.indices: dict[str, np.ndarray] = {}
        self.reads: dict[int, str] = {}  # layer number -> the matrix expression it reads
        self.reader_of: dict[str, int] = {}  # output matrix -> the layer reading it whole
        needs_name = set()
        for layer in self.layers:
            source = self._whole(layer.inputs)
            if source is None:
                needs_name.update(id(x) for x in layer.inputs)
                source = f"columns(samples, {', '.join(map(trace.name, layer.inputs))})"
            elif not source.startswith("X"):
                if source in self.reader_of:  # read whole by two layers: name its columns
                    needs_name.update(id(x) for x in layer.inputs)
                    source = f"columns(samples, {', '.join(map(trace.name, layer.inputs))})"
                else:
                    self.reader_of[source] = layer.number
            self.reads[layer.number] = source
        for v in trace.gates:  # values a gate outside the layers reads need names
            if id(v) not in by_node:
                needs_name.update(id(p) for p in v.parents)
        self.out_matrix = self._whole(trace.roots)
        if self.out_matrix is None or self.out_matrix.startswith("X") or \
                self.out_matrix in self.reader_of:
            self.out_matrix = None
            needs_name.update(id(r) for r in trace.roots)
        self.needs_name = needs_name

    def _whole(self, values) -> str | None:
        """The one matrix whose columns are exactly `values`, in order: X (or a slice of it) or a
        layer's output matrix; None when there is none."""
        if all(id(v) in self.column_of for v in values):
            cols = [self.column_of[id(v)] for v in values]
            if cols == list(range(cols[0], cols[0] + len(cols))):
                whole = len(cols) == len(self.column_of)
                return "X" if whole else f"X[:, {cols[0]}:{cols[-1] + 1}]"
            return None
        found = {self.matrix_of.get(id(v), (None, None))[0] for v in values}
        if len(found) != 1 or None in found:
            return None
        name = found.pop()
        if [self.matrix_of[id(v)][1] for v in values] != list(range(len(values))):
            return None
        width = sum(1 for m, _ in self.matrix_of.values() if m == name)
        return name if width == len(values) else None

    # --- the code --------------------------------------------------------------------------

    def source(self) -> str:
        forward, backward = self._forward(), self._backward()
        lines = ["def step(theta, X, loss_grad):", "    samples = X.shape[0]"]
        lines += ["    " + line for line in _header(self.trace) + forward + backward]
        lines.append("    return OUT, grad")
        return "\n".join(lines) + "\n"

    def _forward(self) -> list[str]:
        trace, name = self.trace, self.trace.name
        lines = []
        for x in trace.inputs:  # the inputs a gate outside the layers reads, by name
            if id(x) in self.needs_name:
                if id(x) in self.column_of:
                    lines.append(f"{name(x)} = X[:, {self.column_of[id(x)]}]")
                else:
                    lines.append(f"{name(x)} = float(theta[{self.param_at[id(x)]}])")
        for v in trace.gates:
            layer = self.layer_of.get(id(v))
            if layer is None:
                lines.append(f"{name(v)} = {_forward_code(v, trace, True)}  # {trace.caption(v)}")
            elif v is layer.nodes[0]:
                lines += self._layer_forward(layer)
        if self.out_matrix is not None:
            lines.append(f"OUT = {self.out_matrix}")
        else:
            lines.append(f"OUT = columns(samples, {', '.join(map(name, trace.roots))})")
        return lines

    def _layer_forward(self, layer: _Layer) -> list[str]:
        k, name = layer.number, self.trace.name
        weights = np.array([[self.param_at[id(w)] for w in row] for row in layer.weights])
        self.indices[f"W{k}_at"] = weights
        constant = all(b.is_constant for b in layer.biases)  # a vector's W·x: no bias to learn
        if not constant:
            self.indices[f"b{k}_at"] = np.array([self.param_at[id(b)] for b in layer.biases])
        plural = "s" * (len(layer.nodes) > 1)
        lines = [f"# layer {k}: {len(layer.nodes)} w·x+b gate{plural} reading the same "
                 f"{len(layer.inputs)} inputs, as one matrix product",
                 f"W{k} = theta[W{k}_at]",
                 f"X{k} = {self.reads[k]}",
                 f"Z{k} = X{k} @ W{k}.T",
                 f"Z{k} += " + (f"np.array([{', '.join(map(name, layer.biases))}])" if constant
                                else f"theta[b{k}_at]") + "  # (in place: Z is new)"]
        outs = layer.nodes
        if layer.activations is not None:
            relu = layer.activations[0].gate is GATES["relu"]
            # relu as one np.maximum: the row's 0 if z <= 0 else z (nan stays nan), in one pass
            lines.append(f"A{k} = np.maximum(Z{k}, 0.0)  # relu of every unit" if relu
                         else layer.activation_forward())
            outs = layer.activations
        named = [v for v in outs if id(v) in self.needs_name]
        matrix = f"{'A' if layer.activations else 'Z'}{k}"
        lines += [f"{name(v)} = {matrix}[:, {self.matrix_of[id(v)][1]}]" for v in named]
        return lines

    def _backward(self) -> list[str]:
        trace, name = self.trace, self.trace.name
        lines = ["D_OUT = loss_grad(OUT)  # d loss / d output, one row per sample",
                 "grad = np.zeros_like(theta)"]
        assigned = set()
        incoming: dict[str, list[str]] = {}  # output matrix -> matrix gradients sent to it
        if self.out_matrix is not None:
            incoming[self.out_matrix] = ["D_OUT"]
        else:
            for j, r in enumerate(trace.roots):
                lines.append(f"d_{name(r)} = D_OUT[:, {j}]")
                assigned.add(id(r))
        for v in reversed(trace.gates):
            layer = self.layer_of.get(id(v))
            if layer is not None:
                if v is layer.nodes[0]:
                    lines += self._layer_backward(layer, assigned, incoming)
                continue
            if id(v) not in trace.needs_grad or id(v) not in assigned:
                continue
            sends, pre = _sends(v, trace, True, False)
            targets = [(p, s) for p, s in zip(v.parents, sends) if id(p) in trace.needs_grad]
            if pre and targets:
                lines.append(f"{pre}  # {v.gate.name}: {v.gate.rule}")
            for p, s in targets:
                d = f"d_{name(p)}"
                lines.append(f"{d} = {d} + {s}" if id(p) in assigned else f"{d} = {s}")
                assigned.add(id(p))
        for p in trace.wrt:  # a parameter read by a gate outside the layers
            if id(p) in assigned and not any(id(p) in map(id, layer.parameters)
                                             for layer in self.layers):
                lines.append(f"grad[{self.param_at[id(p)]}] = total(samples, d_{name(p)})")
        return lines

    def _layer_backward(self, layer: _Layer, assigned: set, incoming: dict) -> list[str]:
        k, name = layer.number, self.trace.name
        outs = layer.activations or layer.nodes
        matrix = f"{'A' if layer.activations else 'Z'}{k}"
        parts = list(incoming.get(matrix, []))
        named = [v for v in outs if id(v) in assigned]
        if named:
            parts.append("columns(samples, " + ", ".join(
                f"d_{name(v)}" if id(v) in assigned else "0.0" for v in outs) + ")")
        if not parts:
            return []  # nothing flows back through this layer
        lines = [f"# layer {k}: d/dx = W^T d, d/dW = d x^T summed over the batch, d/db = d",
                 f"D{k} = {' + '.join(parts)}"]
        if layer.activations is not None and layer.activations[0].gate is GATES["relu"]:
            # relu's local gradient 0 where z <= 0, 1 elsewhere (nan included): a mask, applied
            # in place where D is this code's own array (the loss's D_OUT is left as it was)
            mask = f"~(Z{k} <= 0.0)"
            lines.append(f"D{k} = D{k} * {mask}  # relu: {GATES['relu'].rule}" if parts == ["D_OUT"]
                         else f"D{k} *= {mask}  # relu: {GATES['relu'].rule}")
        elif layer.activations is not None:
            lines.append(layer.activation_backward())
        lines.append(f"grad[W{k}_at] = D{k}.T @ X{k}")
        if not all(b.is_constant for b in layer.biases):
            lines.append(f"grad[b{k}_at] = D{k}.sum(axis=0)")
        source = self.reads[k]
        needed = [(i, x) for i, x in enumerate(layer.inputs) if id(x) in self.trace.needs_grad]
        if needed:
            lines.append(f"dX{k} = D{k} @ W{k}")
            if source in self.reader_of and self.reader_of[source] == k:
                incoming.setdefault(source, []).append(f"dX{k}")
            else:
                for i, x in needed:
                    d = f"d_{name(x)}"
                    lines.append(f"{d} = {d} + dX{k}[:, {i}]" if id(x) in assigned
                                 else f"{d} = dX{k}[:, {i}]")
                    assigned.add(id(x))
        return lines
