"""`defgate`: a gate of your own, a row of the gate table like the built-in ones, checked the
moment it is defined.

    >>> import math
    >>> from gategrad.engine import Value
    >>> softplus = defgate("softplus", forward=lambda x: math.log1p(math.exp(x)),
    ...                    local=lambda out, x: (1 / (1 + math.exp(-x)),),
    ...                    rule="d/dx = sigmoid(x)", domain=(-20, 20))
    >>> x = Value(0.0, label="x"); y = softplus(x); y.backward()
    >>> round(y.data, 6), x.grad
    (0.693147, 0.5)
    >>> remove_gate("softplus")

The new row is drawn with its symbol, run by backward() (which takes the partials from `local`),
gradcheck, explain and the rest, like any row of GATES. Defining it first compares `local` with
central differences of `forward` (engine/check/gatecheck.py); a wrong partial raises
GateCheckError with a table and, for the usual slips, a hint. `check=False` skips that;
`check_gate` runs it again.

Names. A built-in gate's name is refused. A gate of your own may be defined again under its name
(a notebook cell run a second time): the new row replaces the old one in GATES, and nodes made
earlier keep the row they were made with. A definition whose check fails changes nothing.
"""

from __future__ import annotations

import inspect
import keyword

from ..gates import GATES, Gate
from ..value import apply
from .gatecheck import DEFAULT_DOMAIN, GateCheckError, GateCheckReport, GateSpec, run_check

__all__ = ["GateCheckError", "GateFunction", "check_gate", "defgate", "remove_gate"]

# The rows defgate made, by name, and what their checks were told. A name in GATES whose row is
# not the one here is a built-in (or was put there by other code): defgate leaves it alone.
_USER_GATES: dict[str, Gate] = {}
_SPECS: dict[str, GateSpec] = {}


class GateFunction:
    """What `defgate` returns: calling it runs the gate on Values (and plain numbers, which become
    constants) and returns the new node, a Value. `.gate` is its row of GATES, `.report` what
    its check looked at."""

    def __init__(self, gate: Gate, report: GateCheckReport | None = None):
        self.gate = gate
        self.report = report  # what the check looked at; None when defined with check=False
        self.__name__ = gate.name  # nn.activations names a custom activation by its __name__
        self.__doc__ = f"The user-defined {gate.name!r} gate ({gate.symbol}): {gate.rule}."

    def __call__(self, *inputs):
        return apply(self.gate, *inputs)

    def __repr__(self) -> str:
        arity = {None: "n-ary", 1: "1 input"}.get(self.gate.arity, f"{self.gate.arity} inputs")
        return f"<gate {self.gate.name!r} ({arity}): {self.gate.rule}>"


def defgate(name: str, forward, local, rule: str, domain=DEFAULT_DOMAIN, symbol: str | None = None,
            kinks=(), check: bool = True) -> GateFunction:
    """Define a gate, check its local gradient, add it to GATES, and return a function applying it.

    name: a Python identifier, not the name of a built-in gate. forward(*inputs) -> float on plain
    floats; how many inputs it takes comes from its signature (`*xs` makes an n-ary gate).
    local(out, *inputs) -> one partial d out / d input per input, as a tuple, as in the gate
    table. rule: the local gradient in words, shown with the gate. symbol: what diagrams print
    (the name by default).

    domain: where the check samples points: one (lo, hi) interval for every input, one interval
    per input, or a sampler `domain(rng) -> inputs` given a random.Random. Intervals are closed:
    their edges are checked too, one-sidedly from inside. kinks: points where the gate has a kink
    (a number for a one-input gate, a tuple of inputs otherwise); they are checked one-sidedly on
    each side, and the partials at the kink must lie between the one-sided derivatives.

    Raises GateCheckError (an AssertionError) when a partial is wrong, ValueError when forward
    fails inside the domain or the arguments are invalid, TypeError when forward or local return
    the wrong kind of thing. NotImplementedError from a stub passes through unchanged.
    """
    _check_name(name)
    for what, f in (("forward", forward), ("local", local)):
        if not callable(f):
            raise TypeError(f"{name} gate: {what} must be a function, got "
                            f"{type(f).__name__}: {f!r}")
    if not isinstance(rule, str) or not rule.strip():
        raise ValueError(f"{name} gate: rule must say what the local gradient is, e.g. "
                         f"'d/dx = 1 - out^2'; got {rule!r}")
    symbol = name if symbol is None else symbol
    if not isinstance(symbol, str) or not symbol.strip():
        raise ValueError(f"{name} gate: symbol must be a non-empty string, got {symbol!r}")
    arity, names = _read_arity(name, forward)
    gate = Gate(name=name, symbol=symbol, arity=arity, forward=forward, local=local, rule=rule)
    spec = GateSpec.make(gate, names, domain, kinks)
    report = run_check(spec) if check else None
    GATES[name] = _USER_GATES[name] = gate
    _SPECS[name] = spec
    return GateFunction(gate, report)


def check_gate(gate, domain=None, kinks=None) -> GateCheckReport:
    """Check a gate's local gradient against central differences, as defgate does.

    `gate` is a row of GATES, its name, or what defgate returned. A gate made by defgate is
    checked with its own domain and kinks unless others are given; a built-in one on `domain`
    (default (-3, 3)). Returns a report (printable) or raises GateCheckError.
    """
    if isinstance(gate, GateFunction):
        gate = gate.gate
    if isinstance(gate, str):
        if gate not in GATES:
            raise ValueError(f"check_gate: no gate named {gate!r}; the gates are: "
                             f"{', '.join(GATES)}")
        gate = GATES[gate]
    if not isinstance(gate, Gate):
        raise TypeError(f"check_gate: expected a Gate, a gate's name or a defgate function, got "
                        f"{type(gate).__name__}: {gate!r}")
    spec = _SPECS.get(gate.name)
    if spec is None or spec.gate is not gate:
        _, names = _read_arity(gate.name, gate.forward)
        spec = GateSpec.make(gate, names, DEFAULT_DOMAIN if domain is None else domain,
                             () if kinks is None else kinks)
    elif domain is not None or kinks is not None:
        spec = GateSpec.make(gate, spec.names, spec.domain_given if domain is None else domain,
                             spec.kinks_given if kinks is None else kinks)
    return run_check(spec)


def remove_gate(name: str) -> None:
    """Take a gate made by defgate out of GATES (built-in gates cannot be removed)."""
    if name in GATES and GATES[name] is not _USER_GATES.get(name):
        raise ValueError(f"remove_gate: {name!r} is a built-in gate and cannot be removed")
    if name not in GATES:
        raise ValueError(f"remove_gate: no gate named {name!r}")
    del GATES[name]
    _USER_GATES.pop(name, None)
    _SPECS.pop(name, None)


def _check_name(name) -> None:
    if not isinstance(name, str) or not name.isidentifier() or keyword.iskeyword(name):
        raise ValueError(f"defgate: a gate's name must be a Python identifier such as 'softplus', "
                         f"got {name!r}")
    if name in GATES and GATES[name] is not _USER_GATES.get(name):
        raise ValueError(f"defgate: {name!r} is a built-in gate; give yours another name, e.g. "
                         f"'my_{name}'")


def _read_arity(name: str, forward) -> tuple[int | None, tuple[str, ...]]:
    """(number of inputs or None for n-ary, the inputs' names) from forward's signature."""
    try:
        params = inspect.signature(forward).parameters.values()
    except (TypeError, ValueError):
        raise ValueError(f"{name} gate: cannot read how many inputs forward takes from "
                         f"{forward!r}; wrap it in a function, e.g. lambda x: ...") from None
    positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
                  and p.default is p.empty]
    rest = [p for p in params if p.kind is p.VAR_POSITIONAL]
    required_keywords = [p.name for p in params if p.kind is p.KEYWORD_ONLY
                         and p.default is p.empty]
    if required_keywords:
        raise ValueError(f"{name} gate: forward may not require keyword arguments "
                         f"({', '.join(required_keywords)}); a gate's inputs are positional")
    names = tuple(p.name for p in positional)
    if rest:
        return None, (*names, f"*{rest[0].name}")
    if not names:
        raise ValueError(f"{name} gate: forward takes no inputs; a gate needs at least one")
    return len(names), names
