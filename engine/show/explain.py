"""`explain(root)`: the backward pass written out step by step, as the lecture does it by hand.

For every gate, in the order `backward()` visits it: the gate, its inputs' values, its output, the
local gradient of each input (from the gate table), the upstream gradient arriving at the gate, and
what it sends to each input (local x upstream). It reads the gradients the last `root.backward()`
left; it computes no gradient of its own beyond that one product per input, which it shows.

The same steps as code: `compile(root, inputs).source` writes the backward pass as Python, one line
per input of each gate (engine/codegen/compiler.py, docs/compile.md).
"""

from __future__ import annotations

import html
from collections import Counter
from dataclasses import dataclass

from ..value import Value
from .animate import _expressions, _formula
from .captions import caption, folded_constant, number, visit_order

MAX_INPUTS_SHOWN = 6  # a fused gate with many inputs is shown by its first few


@dataclass(frozen=True)
class Step:
    step: int
    gate: str                            # caption: `*`, `+1`, `1/x`, ...
    node: str                            # the output's name
    inputs: tuple[tuple[str, float], ...]
    output: float
    local: tuple[float | None, ...]      # d output / d input; None for a constant, which has no
                                         # gradient (the -1 of `*-1`)
    upstream: float                      # d root / d output
    sends: tuple[float | None, ...]      # local x upstream, added to each input's gradient;
                                         # None for a constant, which receives nothing
    folded: int | None = None            # the constant input the gate's caption shows (`*-1`)


class Explanation:
    """A list of `Step`s; prints as an aligned table and shows as an HTML table in Jupyter."""

    def __init__(self, root_name: str, steps: list[Step], digits: int):
        self.root_name, self.steps, self.digits = root_name, steps, digits

    def __iter__(self):
        return iter(self.steps)

    def __len__(self) -> int:
        return len(self.steps)

    def _cells(self) -> list[list[str]]:
        def listed(texts):
            shown = ", ".join(texts[:MAX_INPUTS_SHOWN])
            return shown + (f", ... ({len(texts)} in all)" if len(texts) > MAX_INPUTS_SHOWN
                            else "")

        def num(x):
            return "-" if x is None else number(x, self.digits)

        rows = []
        for s in self.steps:
            # a constant folded into the gate's caption (`*-1`, `+1`) is not listed again, and a
            # constant has no local gradient: its columns say `-` (an unfolded constant) or
            # nothing (a folded one)
            keep = [k for k in range(len(s.inputs)) if k != s.folded]
            inputs = [s.inputs[k] for k in keep]
            shown = listed([n if n == number(x) else f"{n} = {number(x, self.digits)}"
                            for n, x in inputs])
            rows.append([str(s.step), s.gate, shown,
                         f"{s.node} = {number(s.output, self.digits)}",
                         listed([num(s.local[k]) for k in keep]), number(s.upstream, self.digits),
                         listed([num(s.sends[k]) for k in keep])])
        return rows

    HEADER = ["step", "gate", "inputs", "output", "local grad", "upstream", "sends"]

    def __str__(self) -> str:
        rows = [self.HEADER, *self._cells()]
        widths = [max(len(r[i]) for r in rows) for i in range(len(self.HEADER))]
        lines = [f"backward pass from {self.root_name} (upstream = d {self.root_name} / d output; "
                 "sends = local grad x upstream)"]
        for k, r in enumerate(rows):
            lines.append("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip())
            if k == 0:
                lines.append("  ".join("-" * w for w in widths))
        return "\n".join(lines)

    __repr__ = __str__

    def _repr_html_(self) -> str:
        head = "".join(f"<th>{html.escape(h)}</th>" for h in self.HEADER)
        body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in r) + "</tr>"
                       for r in self._cells())
        return (f"<p>Backward pass from <b>{html.escape(self.root_name)}</b>: sends = local grad "
                f"&times; upstream</p><table><thead><tr>{head}</tr></thead>"
                f"<tbody>{body}</tbody></table>")


def wire_names(nodes: list[Value], names: dict[Value, str] | None = None) -> list[str]:
    """A name for each node's output wire, in the order of `nodes`: the name given in `names`
    (the command line passes the names its forward line prints); else its label; else the
    expression that computes it in those names when it is short (`w0*x0`, `-dot`, `exp(-dot)`);
    else its gate applied to `…` (`exp(…)`, `… + 1`), numbered when several read alike; a
    constant's value."""
    expressions = _expressions(nodes, names)
    fallback = [None if text is not None else
                _formula(v, [number(p.data) if p.is_constant else "…" for p in v.parents])
                for v, text in zip(nodes, expressions)]
    uses = Counter(f for f in fallback if f is not None)
    seen: Counter = Counter()
    result = []
    for text, other in zip(expressions, fallback):
        if text is not None:
            result.append(text)
        elif uses[other] == 1:
            result.append(other)
        else:
            seen[other] += 1
            result.append(f"{other} #{seen[other]}")
    return result


def explain(root: Value, digits: int = 4, names: dict[Value, str] | None = None) -> Explanation:
    """Explain the last `root.backward()` gate by gate.

    names: a name for some of the graph's Values (`{dot: "dot"}`), used instead of their labels
    and in the names of the wires computed from them.

    >>> from gategrad.engine import Value
    >>> x, y = Value(3.0, label="x"), Value(-4.0, label="y")
    >>> f = x * y; f.label = "f"; f.backward()
    >>> print(explain(f, digits=1))  # doctest: +NORMALIZE_WHITESPACE
    backward pass from f (upstream = d f / d output; sends = local grad x upstream)
    step  gate  inputs             output     local grad  upstream  sends
    ----  ----  -----------------  ---------  ----------  --------  ---------
    1     *     x = 3.0, y = -4.0  f = -12.0  -4.0, 3.0   1.0       -4.0, 3.0
    """
    if not isinstance(root, Value):
        raise TypeError(f"explain: expected a Value, got {type(root).__name__}")
    if root.gate is not None and root.grad != 1.0:
        raise ValueError(f"explain: {root!r} has gradient {root.grad!r}, not 1: call backward() on "
                         "it first (explain shows the last backward pass from this node)")
    nodes = visit_order(root)
    named = dict(names or {})
    if root not in named and not root.label and root.gate is not None:
        named[root] = "out"  # "d out / d output" reads better than "d 1/x / d output"
    index = {v: i for i, v in enumerate(nodes)}
    text = wire_names(nodes, named)
    steps = []
    for v in reversed(nodes):  # the order backward() visits the gates
        if v.gate is None:
            continue
        local = v.gate.local(v.data, *[p.data for p in v.parents])
        steps.append(Step(len(steps) + 1, caption(v), text[index[v]],
                          tuple((text[index[p]], p.data) for p in v.parents), v.data,
                          tuple(None if p.is_constant else d for p, d in zip(v.parents, local)),
                          v.grad,
                          tuple(None if p.is_constant else d * v.grad
                                for p, d in zip(v.parents, local)),
                          folded_constant(v)))
    return Explanation(text[index[root]], steps, digits)
