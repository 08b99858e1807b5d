"""The check `defgate` runs: a gate's local gradient against central differences of its forward.

Where the numbers are taken (all in float64, the step h = 1e-6 scaled by max(1, |x|)):
- points drawn at random (a fixed seed: the same gate is checked at the same points every time)
  over the domain, with (f(x+h) - f(x-h)) / 2h;
- the domain's edges, with a one-sided stencil from inside, (-3f(x) + 4f(x+h) - f(x+2h)) / 2h
  (second order, like the central one), so the check never steps out of the domain;
- each declared kink: just left and just right of it, each side with a stencil on its own side,
  never across; and at the kink itself the partials must lie between the one-sided derivatives,
  along each input and along "all inputs together" (which is how a max that gives a tie's whole
  gradient to both inputs is caught: the output moves at rate 1, the partials add up to 2).

The comparison is gradcheck's (|computed - expected| <= 1e-5 + 1e-4 |expected|), plus an allowance
for rounding in f itself, which matters only where |f| is large next to its slope.
"""

from __future__ import annotations

import inspect
import math
import numbers
import random
from collections.abc import Callable
from dataclasses import dataclass

from ..gates import Gate
from .gatehints import hint_for_input, hint_for_kink, hint_for_slips

EPS = 1e-6
ATOL, RTOL = 1e-5, 1e-4
ROUNDING = 1e-13          # relative error of f allowed for, divided by the step
DEFAULT_DOMAIN = (-3.0, 3.0)
POINTS = 16               # random points per number of inputs
NARY_SIZES = 3            # an n-ary gate is checked with 1, 2 and 3 inputs (beyond any required)
KINK_OFFSET = 1e-3        # how far beside a kink its two sides are checked
ROWS_SHOWN = 8
SEED = 12                 # any fixed number: the same points on every run


class GateCheckError(AssertionError):
    """A gate's local gradient disagrees with central differences of its forward function."""


@dataclass(frozen=True)
class Probe:
    point: tuple[float, ...]
    sides: tuple[int, ...]   # per input: 0 central, +1 only to the right, -1 only to the left
    kind: str                # "point", "edge" or "beside a kink"


@dataclass(frozen=True)
class Row:
    """One partial that disagrees: what the table of a GateCheckError shows."""
    point: tuple[float, ...]
    names: tuple[str, ...]
    index: int               # which input's partial
    expected: float          # from central (or one-sided) differences
    computed: float          # from local
    out: float
    expected_all: tuple[float | None, ...]  # every input's numeric partial at this point
    kind: str


@dataclass(frozen=True)
class KinkRow:
    point: tuple[float, ...]
    names: tuple[str, ...]
    direction: tuple[float, ...]
    left: float              # the slope along `direction` coming from the left
    right: float             # and going to the right
    computed: float          # the partials . direction


@dataclass(frozen=True)
class GateCheckReport:
    """What a passed check looked at."""
    gate: str
    points: int
    edges: int
    kinks: int

    def __str__(self) -> str:
        extra = [f"{self.edges} at the domain's edges"] if self.edges else []
        extra += [f"{self.kinks} kink{'s' * (self.kinks != 1)}"] if self.kinks else []
        also = f" ({', '.join(extra)})" if extra else ""
        return (f"{self.gate} gate: the local gradient matches central differences at "
                f"{self.points} points{also}")

    __repr__ = __str__


@dataclass(frozen=True)
class GateSpec:
    """A gate and where to check it: intervals (one per input, or one for all inputs of an n-ary
    gate) or a sampler, and the declared kinks."""
    gate: Gate
    names: tuple[str, ...]                                # an n-ary gate's last name is "*xs"
    intervals: tuple[tuple[float, float], ...] | None
    sampler: Callable | None
    kinks: tuple[tuple[float, ...], ...]
    domain_given: object
    kinks_given: object

    @classmethod
    def make(cls, gate: Gate, names, domain, kinks) -> GateSpec:
        intervals, sampler = _read_domain(gate, domain)
        names = tuple(names)
        required = len(names) - (gate.arity is None)
        return cls(gate, names, intervals, sampler, _read_kinks(gate, required, kinks), domain,
                   kinks)

    @property
    def required(self) -> int:
        """How many inputs the gate needs: its arity, or an n-ary gate's fixed ones."""
        return len(self.names) - (self.gate.arity is None)

    def input_names(self, n: int) -> tuple[str, ...]:
        if self.gate.arity is not None:
            return self.names
        var = self.names[-1][1:]
        return (*self.names[:-1], *(f"{var}[{k}]" for k in range(n - self.required)))

    def probes(self, rng: random.Random) -> list[Probe]:
        if self.sampler is not None:
            return [Probe(p, (0,) * len(p), "point")
                    for p in (self.sample(rng) for _ in range(2 * POINTS))]
        sizes = ([self.gate.arity] if self.gate.arity is not None
                 else range(max(1, self.required), max(1, self.required) + NARY_SIZES))
        probes = []
        for n in sizes:
            box = self.intervals if len(self.intervals) == n else self.intervals[:1] * n
            for _ in range(POINTS):
                probes.append(Probe(tuple(rng.uniform(lo, hi) for lo, hi in box), (0,) * n,
                                    "point"))
            for j, (lo, hi) in enumerate(box):  # each input at each edge, the others inside
                for edge, side in ((lo, 1), (hi, -1)):
                    point = [rng.uniform(a, b) for a, b in box]
                    point[j] = edge
                    sides = [0] * n
                    sides[j] = side
                    probes.append(Probe(tuple(point), tuple(sides), "edge"))
        for kink in self.kinks:
            for j, x in enumerate(kink):
                for side in (-1, 1):
                    point = list(kink)
                    point[j] = x + side * KINK_OFFSET * max(1.0, abs(x))
                    sides = [0] * len(kink)
                    sides[j] = side
                    probes.append(Probe(tuple(point), tuple(sides), "beside a kink"))
        return probes

    def sample(self, rng: random.Random) -> tuple[float, ...]:
        got = self.sampler(rng)
        return _as_point(self.gate, self.required, got, f"the domain sampler returned {got!r}")


def _as_point(gate: Gate, required: int, got, what: str) -> tuple[float, ...]:
    """A point of the gate's inputs from a number (one input) or a sequence of numbers."""
    point = (got,) if isinstance(got, numbers.Real) else got
    try:
        point = tuple(point)
    except TypeError:
        raise ValueError(f"{gate.name} gate: {what}: a point is a number or a tuple of "
                         "numbers") from None
    arity = gate.arity
    if arity is not None and len(point) != arity or len(point) < max(1, required):
        need = f"{arity}" if arity is not None else f"at least {max(1, required)}"
        raise ValueError(f"{gate.name} gate: {what}: the gate takes {need} inputs")
    if not all(isinstance(x, numbers.Real) and math.isfinite(x) for x in point):
        raise ValueError(f"{gate.name} gate: {what}: every input must be a finite real number")
    return tuple(float(x) for x in point)


def _read_domain(gate: Gate, domain):
    name = gate.name
    if callable(domain):
        return None, domain
    try:
        items = None if isinstance(domain, (str, bytes)) else tuple(domain)
    except TypeError:
        items = None
    if items is not None and len(items) == 2 and all(isinstance(v, numbers.Real) for v in items):
        return (_interval(name, items),), None
    if items and all(not isinstance(v, numbers.Real) for v in items):
        if gate.arity is None:
            raise ValueError(f"{name} gate: an n-ary gate takes one (lo, hi) interval for all its "
                             f"inputs, or a sampler; got {domain!r}")
        if len(items) != gate.arity:
            raise ValueError(f"{name} gate: domain gives {len(items)} intervals for "
                             f"{gate.arity} inputs: {domain!r}")
        return tuple(_interval(name, i) for i in items), None
    raise ValueError(f"{name} gate: domain must be a (lo, hi) interval, one interval per input, "
                     f"or a function of a random.Random returning inputs; got {domain!r}")


def _interval(name: str, interval) -> tuple[float, float]:
    try:
        lo, hi = (float(v) for v in interval)
    except (TypeError, ValueError):
        raise ValueError(f"{name} gate: a domain interval is a pair (lo, hi) of numbers, got "
                         f"{interval!r}") from None
    if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
        raise ValueError(f"{name} gate: a domain interval needs finite lo < hi, got {interval!r}")
    return lo, hi


def _read_kinks(gate: Gate, required: int, kinks) -> tuple[tuple[float, ...], ...]:
    if isinstance(kinks, numbers.Real):
        kinks = (kinks,)
    return tuple(_as_point(gate, required, kink, f"the kink {kink!r}") for kink in kinks)


# --- evaluating --------------------------------------------------------------------------------

class _ForwardFailed(Exception):
    def __init__(self, point, error):
        super().__init__(point, error)
        self.point, self.error = point, error


def _forward(gate: Gate, point: tuple[float, ...]) -> float:
    try:
        y = gate.forward(*point)
    except NotImplementedError:
        raise
    except Exception as err:  # noqa: BLE001  (any failure of the user's code is reported)
        raise _ForwardFailed(point, f"{type(err).__name__}: {err}") from err
    if not isinstance(y, numbers.Real):
        raise TypeError(f"{gate.name} gate: forward must return a real number, got "
                        f"{type(y).__name__}: {y!r} at {_point_text(point)}")
    if not math.isfinite(y):
        raise _ForwardFailed(point, f"the output is {y!r}")
    return float(y)


def _local(gate: Gate, out: float, point: tuple[float, ...], names) -> tuple[float, ...]:
    got = gate.local(out, *point)  # exceptions are the caller's to report
    n = len(point)
    form = f"({', '.join(f'd/d{x}' for x in names)}{',' if n == 1 else ''})"
    if isinstance(got, numbers.Real) or not hasattr(got, "__len__"):
        raise TypeError(f"{gate.name} gate: local must return one partial per input as a tuple "
                        f"{form}, got {type(got).__name__}: {got!r}")
    if len(got) != n:
        raise TypeError(f"{gate.name} gate: local returned {len(got)} partials for {n} inputs; "
                        f"it must return {form}, in the order of the inputs")
    if not all(isinstance(d, numbers.Real) for d in got):
        raise TypeError(f"{gate.name} gate: local's partials must be real numbers, got {got!r}")
    return tuple(float(d) for d in got)


def slope(gate: Gate, point, direction, side: int, out: float, h: float) -> float:
    """The derivative of forward along `direction` at `point`: central when side is 0, else
    one-sided towards `side` (the left derivative for -1, written as a slope along +direction)."""
    def f(t):
        return _forward(gate, tuple(x + t * d for x, d in zip(point, direction)))
    if side == 0:
        return (f(h) - f(-h)) / (2 * h)
    s = side * h
    return (-3 * out + 4 * f(s) - f(2 * s)) / (2 * s)


def _step(point) -> float:
    return EPS * max(1.0, max((abs(x) for x in point), default=1.0))


def _unit(n: int, j: int) -> tuple[float, ...]:
    return tuple(1.0 if k == j else 0.0 for k in range(n))


def _tolerance(expected: float, out: float, h: float) -> float:
    return ATOL + RTOL * abs(expected) + ROUNDING * abs(out) / h


# --- the check ---------------------------------------------------------------------------------

def run_check(spec: GateSpec, slips=(), show_rule: bool = True) -> GateCheckReport:
    """Check `spec.gate` at every probe and kink; raise ValueError, TypeError or GateCheckError.

    Only the message of a GateCheckError depends on the rest: `slips` (gatehints.Slip, the known
    wrong forms of this gate, e.g. an exercise's) are matched before the general hints, and
    `show_rule=False` leaves the gate's rule out of the message (an exercise keeps it back).
    """
    gate = spec.gate
    _check_local_signature(spec)
    rng = random.Random(SEED)
    probes = spec.probes(rng)
    failed: list[_ForwardFailed] = []
    local_errors: list[tuple[tuple, Exception]] = []
    rows: list[Row] = []
    for probe in probes:
        try:
            rows += _check_probe(spec, probe, local_errors)
        except _ForwardFailed as err:
            failed.append(err)
    kink_rows: list[KinkRow] = []
    for kink in spec.kinks:
        try:
            kink_rows += _check_kink(spec, kink, local_errors)
        except _ForwardFailed as err:
            failed.append(err)
    if failed:
        raise ValueError(_forward_failures(spec, failed))
    if local_errors:
        point, err = local_errors[0]
        raise GateCheckError(f"{gate.name} gate: local raised {type(err).__name__} at "
                             f"{_point_text(point, spec.input_names(len(point)))}: {err}"
                             + (f" (and at {len(local_errors) - 1} more points)"
                                if len(local_errors) > 1 else "")) from err
    if rows or kink_rows:
        raise GateCheckError(_mismatch_message(spec, probes, rows, kink_rows, slips,
                                               show_rule))
    return GateCheckReport(gate.name, len(probes) + len(spec.kinks),
                           sum(p.kind == "edge" for p in probes), len(spec.kinks))


def _check_local_signature(spec: GateSpec) -> None:
    """local(out, *inputs): a local written without `out` is the commonest slip of all."""
    gate = spec.gate
    try:
        signature = inspect.signature(gate.local)
    except (TypeError, ValueError):
        return  # cannot be read (a builtin): the calls will tell
    n = gate.arity if gate.arity is not None else max(1, spec.required)
    try:
        signature.bind(0.0, *[0.0] * n)
    except TypeError:
        names = ", ".join(spec.input_names(n))
        raise TypeError(f"{gate.name} gate: local must take the gate's output first, then its "
                        f"inputs: local(out, {names}); yours takes {signature}") from None


def _check_probe(spec: GateSpec, probe: Probe, local_errors) -> list[Row]:
    gate, point = spec.gate, probe.point
    names = spec.input_names(len(point))
    out = _forward(gate, point)
    try:
        computed = _local(gate, out, point, names)
    except (NotImplementedError, TypeError):
        raise
    except Exception as err:  # noqa: BLE001
        local_errors.append((point, err))
        return []
    h = _step(point)
    expected = tuple(slope(gate, point, _unit(len(point), j), probe.sides[j], out, h)
                     for j in range(len(point)))
    return [Row(point, names, j, e, c, out, expected, probe.kind)
            for j, (e, c) in enumerate(zip(expected, computed))
            if not abs(c - e) <= _tolerance(e, out, h)]  # `not <=` also catches a NaN


def _check_kink(spec: GateSpec, kink, local_errors) -> list[KinkRow]:
    gate, n = spec.gate, len(kink)
    out = _forward(gate, kink)
    try:
        partials = _local(gate, out, kink, spec.input_names(n))
    except (NotImplementedError, TypeError):
        raise
    except Exception as err:  # noqa: BLE001
        local_errors.append((kink, err))
        return []
    directions = [_unit(n, j) for j in range(n)]
    if n > 1:
        directions.append((1.0,) * n)
    h = _step(kink)
    rows = []
    for d in directions:
        right = slope(gate, kink, d, 1, out, h)
        left = slope(gate, kink, d, -1, out, h)
        computed = sum(g * x for g, x in zip(partials, d))
        tol = _tolerance(max(abs(left), abs(right)), out, h)
        if not min(left, right) - tol <= computed <= max(left, right) + tol:
            rows.append(KinkRow(kink, spec.input_names(n), d, left, right, computed))
    return rows


# --- messages ----------------------------------------------------------------------------------

def _point_text(point, names=None) -> str:
    if names is None:
        names = [f"x{k}" for k in range(len(point))]
    return ", ".join(f"{x}={v:.6g}" for x, v in zip(names, point))


def _forward_failures(spec: GateSpec, failed: list[_ForwardFailed]) -> str:
    where = ("points the domain sampler gave" if spec.sampler is not None
             else f"the domain {spec.domain_given!r}"
             + (" (the default: pass domain=...)" if spec.domain_given is DEFAULT_DOMAIN else ""))
    lines = [f"{spec.gate.name} gate: forward fails at {len(failed)} point"
             f"{'s' * (len(failed) != 1)} of {where} (or a step of 1e-6 beside them):"]
    for err in failed[:ROWS_SHOWN]:
        lines.append(f"  {_point_text(err.point, spec.input_names(len(err.point)))}: {err.error}")
    if len(failed) > ROWS_SHOWN:
        lines.append(f"  ... and {len(failed) - ROWS_SHOWN} more")
    lines.append("Give a domain= where the gate is defined (intervals are closed: their edges are "
                 "checked too), or a sampler that avoids these points.")
    return "\n".join(lines)


def _number(x: float) -> str:
    return f"{x + 0.0:.6g}"  # + 0.0 turns -0.0 into 0.0


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    def line(r):
        return "  " + "  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip()
    return [line(header), line(["-" * w for w in widths]), *map(line, rows)]


def _mismatch_message(spec: GateSpec, probes, rows: list[Row], kink_rows: list[KinkRow],
                      slips=(), show_rule: bool = True) -> str:
    gate = spec.gate
    bad_points = len({r.point for r in rows})
    lines = [f"{gate.name} gate: local disagrees with central differences of forward"
             + (f" at {bad_points} of {len(probes)} points" if rows else "")
             + (f"{' and' if rows else ''} at {len({k.point for k in kink_rows})} kink(s)"
                if kink_rows else "") + ".",
             *([f"The rule it was given: {gate.rule}"] if show_rule else []), ""]
    if rows:
        shown = _spread(rows)
        table = [[_point_text(r.point, r.names) + ("" if r.kind == "point" else f" ({r.kind})"),
                  f"d/d{r.names[r.index]}", _number(r.expected), _number(r.computed),
                  _number(r.expected / r.computed) if r.computed else "-"] for r in shown]
        lines += _table(["point", "partial", "expected (numeric)", "computed (local)",
                         "expected/computed"], table)
        if len(rows) > len(shown):
            lines.append(f"  ... and {len(rows) - len(shown)} more rows like these")
    if kink_rows:
        if rows:
            lines.append("")
        lines.append("At the kinks, checked one-sidedly (never across the kink):")
        table = [[_point_text(k.point, k.names), _direction_text(k.direction, k.names),
                  _number(k.left), _number(k.right), _number(k.computed)] for k in kink_rows]
        lines += _table(["kink", "moving", "slope from the left", "slope to the right",
                         "your partials give"], table)
    def numeric(point, j):  # the true partial anywhere forward is defined, for the hints
        try:
            return slope(gate, point, _unit(len(point), j), 0, _forward(gate, point), _step(point))
        except (_ForwardFailed, TypeError):
            return None

    def forward(*point):
        return _forward(gate, point)

    slip = hint_for_slips(rows, slips) if slips else None
    by_hint: dict[str, list[str]] = {}  # one line for the inputs that share a hint (n-ary gates)
    for j in sorted({r.index for r in rows}) if slip is None else ():
        mine = [r for r in rows if r.index == j]
        hint = hint_for_input(mine, numeric, forward)
        if hint:
            by_hint.setdefault(hint, []).append(f"d/d{mine[0].names[j]}")
    hints = [f"hint ({', '.join(partials)}): {hint}" for hint, partials in by_hint.items()]
    if slip is not None:
        hints = [f"hint: {slip}"]
    for k in kink_rows:
        hint = hint_for_kink(k)
        if hint and f"hint (kink): {hint}" not in hints:
            hints.append(f"hint (kink): {hint}")
    if hints:
        lines += ["", *hints]
    return "\n".join(lines)


def _spread(rows: list[Row]) -> list[Row]:
    """At most ROWS_SHOWN rows, every input's partial among them."""
    by_input: dict[int, list[Row]] = {}
    for r in rows:
        by_input.setdefault(r.index, []).append(r)
    per = max(1, ROWS_SHOWN // len(by_input))
    return [r for group in by_input.values() for r in group[:per]]


def _direction_text(direction, names) -> str:
    if all(d == 1.0 for d in direction) and len(direction) > 1:
        return "all inputs together"
    (j,) = [k for k, d in enumerate(direction) if d]
    return names[j]
