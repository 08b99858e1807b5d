"""Hints for a wrong local gradient: the usual slips, each recognised by a relation that holds at
every point where a partial disagrees (one point alone proves little, so each relation must hold
at all of them).

`numeric(point, j)` is the true partial d out / d input j at any point (a central difference), or
None where forward is not defined; `rows` are the disagreeing partials of one input.

Two kinds of hint:
- `Slip`s: known wrong forms of one gate's local gradient (an exercise's checker holds them: the
  sigmoid written with x where out belongs, tanh with its square forgotten, ...). A student's
  partials that equal a slip's at every disagreeing point get that slip's hint, which can name
  what the exercise is about (a dropped chain-rule link, sigma' or -1/h).
- relations that hold for any gate (a sign, a factor, the mul switch, add taken for mul, an
  exponent off by one in a power law, ...), tried when no slip fits or none is given.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from itertools import combinations

MAX_INPUTS_NEGATED = 4  # sign slips inside are looked for among all subsets of up to 4 inputs


def _close(a, b) -> bool:
    return a is not None and b is not None and abs(a - b) <= 1e-6 + 1e-4 * max(abs(a), abs(b))


def _holds(rows, mine, truth) -> bool:
    """mine(row) == truth(row) at every row, and not only as 0 == 0 (which says nothing)."""
    pairs = [(mine(r), truth(r)) for r in rows]
    return (all(_close(a, b) for a, b in pairs)
            and any(max(abs(a), abs(b)) > 1e-6 for a, b in pairs))


def _replace(point, changes: dict[int, float]) -> tuple[float, ...]:
    return tuple(changes.get(k, x) for k, x in enumerate(point))


@dataclass(frozen=True)
class Slip:
    """A known wrong form of a gate's local gradient: `local(out, *inputs)` gives the wrong
    partials, and `hint` says what went wrong (without giving the answer away)."""
    name: str
    local: Callable[..., tuple[float, ...]]
    hint: str


def hint_for_slips(rows, slips) -> str | None:
    """The first slip whose partials equal the student's at every disagreeing point (all inputs).

    A slip that gives the right partial for some input is still recognised: only the partials
    that disagree are compared, and they must all be the slip's.
    """
    if len(rows) < 2:
        return None
    for slip in slips:
        def wrong(r, slip=slip):
            try:
                partials = tuple(slip.local(r.out, *r.point))
                return float(partials[r.index])
            except (ArithmeticError, ValueError, IndexError, TypeError):
                return None
        if _holds(rows, lambda r: r.computed, wrong):
            return slip.hint
    return None


def hint_for_input(rows, numeric, forward=None) -> str | None:
    """A hint for the disagreeing partials `rows` of one input, or None when no pattern fits.

    `forward(*inputs)`, when given, lets a one-input power law (x^2, x^3, 1/x) be recognised.
    """
    j, names = rows[0].index, rows[0].names
    n, x = len(names), names[j]
    if len(rows) < 2:  # one point proves no pattern
        return None
    if _holds(rows, lambda r: r.computed, lambda r: -r.expected):
        return ("off by a sign: at every point above your partial is minus the true one. Check "
                "the sign of each term and of each chain-rule factor.")
    for k in range(n):  # before the order check: (a, b) for a product is no swap of partials
        if k != j and _holds(rows, lambda r: r.computed, lambda r: r.point[j]) and _holds(
                rows, lambda r: r.expected, lambda r, k=k: r.point[k]):
            return (f"your partial for {x} is the true partial for {names[k]}: it is {x} "
                    f"itself, where the true one is the other input, {names[k]}. A product's "
                    "partial with respect to one factor is the other factor, not the factor "
                    "itself (the mul gate is the lecture's gradient switcher).")
    mixed = _add_and_mul(rows, j, names)
    if mixed:
        return mixed
    power = _power_slip(rows, forward)
    if power:
        return power
    for k in range(n):
        if k != j and _holds(rows, lambda r: r.computed, lambda r, k=k: r.expected_all[k]):
            order = ", ".join(f"d/d{name}" for name in names)
            return (f"your partial for {x} is the true partial for {names[k]}: local must return "
                    f"the partials in the order of the inputs, ({order}).")
    if _holds(rows, lambda r: r.computed, lambda r: r.out):
        factor = _constant_ratio(rows)
        return ("your partial is the gate's output: the forward function's value where its "
                "derivative belongs. local is handed out = f(...) to save work, but the partial "
                "is the derivative, a different function (only for exp are they the same)"
                + (f"; here the derivative is {factor:.6g} times the output (a constant "
                   "chain-rule factor)." if factor is not None else "."))
    if _holds(rows, lambda r: r.computed * r.out, lambda r: r.expected):
        return ("off by a factor of the output: the true partial is yours times out. A factor "
                "that the rule writes with the output is missing (as exp's d/dx = out).")
    if _holds(rows, lambda r: r.computed, lambda r: r.expected * r.out):
        return ("off by a factor of the output: the true partial is yours divided by out; "
                "there is one factor of out too many.")
    for k in range(n):
        if _holds(rows, lambda r: r.computed,
                  lambda r, k=k: numeric(_replace(r.point, {k: r.out}), j)):
            return (f"the output in place of the input: your partial is the true one evaluated "
                    f"at {names[k]} = out. Where the rule has {names[k]}, use {names[k]} (for "
                    "the 1/x gate, -1/x^2 is -out^2, not -1/out^2).")
    slip = _sign_slip_inside(rows, numeric)
    if slip:
        return (f"a sign slip inside the formula: your partial is the true one with the sign of "
                f"{slip} flipped (as sigma(-z) written where sigma(z) belongs).")
    for k in range(n):
        if _holds(rows, lambda r, k=k: r.computed * r.point[k], lambda r: r.expected):
            return (f"a missing chain-rule factor: the true partial is yours times {names[k]}. "
                    f"Multiply by the derivative of the inside with respect to {x} as well.")
        if _holds(rows, lambda r: r.computed, lambda r, k=k: r.expected * r.point[k]):
            return f"an extra factor {names[k]}: the true partial is yours divided by {names[k]}."
    if all(r.computed == 0.0 for r in rows):
        return (f"your partial is 0 where the output does change with {x}: a term or a whole "
                "partial is missing.")
    factor = _constant_ratio(rows)
    if factor is not None:
        return (f"off by a constant factor: the true partial is {factor:.6g} times yours at "
                "every point. A constant chain-rule factor is missing (the 2 of exp(2x)) or a "
                "constant of the rule is wrong.")
    return None


def _add_and_mul(rows, j, names) -> str | None:
    """A product differentiated as a sum (partials 1) or a sum as a product (the other input)."""
    x = names[j]
    for k in range(len(names)):
        if k == j:
            continue
        if _holds(rows, lambda r: r.computed, lambda r: 1.0) and _holds(
                rows, lambda r: r.expected, lambda r, k=k: r.point[k]):
            return (f"your partial for {x} is 1, as for a sum; this gate multiplies, and a "
                    f"product's partial for {x} is the other factor, {names[k]} (add is the "
                    "gradient distributor, mul the switcher).")
        if _holds(rows, lambda r: r.expected, lambda r: 1.0) and _holds(
                rows, lambda r: r.computed, lambda r, k=k: r.point[k]):
            return (f"your partial for {x} is {names[k]}, as for a product; this gate adds, and "
                    "a sum passes its gradient on unchanged: each partial of a sum is 1.")
    return None


def _power_law(rows, forward) -> tuple[float, float] | None:
    """(c, n) when the one-input gate is c x^n at every row's point (x^2, x^3, 1/x = x^-1)."""
    if forward is None or len(rows[0].point) != 1:
        return None
    points = [(r.point[0], r.out) for r in rows if r.point[0] and r.out]
    pair = [(x, y) for x, y in points if abs(abs(x) - abs(points[0][0])) > 1e-3 * abs(x)]
    if len(points) < 3 or not pair:
        return None
    (x1, y1), (x2, y2) = points[0], pair[0]
    try:
        n = math.log(abs(y1 / y2)) / math.log(abs(x1 / x2))
        if abs(n - round(n)) < 1e-6:
            n = float(round(n))
        elif any(x < 0 for x, _ in points):
            return None
        c = y1 / x1 ** n
        if n in (0.0, 1.0) or not all(_close(c * x ** n, y) for x, y in points):
            return None
    except (ArithmeticError, ValueError):
        return None
    return c, n


def _power_slip(rows, forward) -> str | None:
    """An exponent off by one in the power rule: n x^n (n not lowered) or (n-1) x^(n-1)."""
    law = _power_law(rows, forward)
    if law is None:
        return None
    c, n = law
    f, m = _term(c, n), _term(c * n, n - 1)
    if _holds(rows, lambda r: r.computed, lambda r: c * n * r.point[0] ** n):
        return (f"an exponent off by one: this gate is {f} (n = {n:g}), and the power rule "
                f"brings n down and lowers the exponent to n-1 = {n - 1:g}, giving {m}; yours "
                f"kept the exponent n = {n:g}.")
    if n != 2 and _holds(rows, lambda r: r.computed,  # (for x^2 that is "the 2 is missing")
                         lambda r: c * (n - 1) * r.point[0] ** (n - 1)):
        return (f"off by one in the power rule's factor: this gate is {f} (n = {n:g}); the "
                f"factor brought down is n = {n:g}, and the exponent becomes n-1 = {n - 1:g}. "
                f"Yours multiplies by n-1 = {n - 1:g} instead of n.")
    return None


def _term(c: float, n: float) -> str:
    power = "" if n == 0 else "x" if n == 1 else f"x^{n:g}"
    if c == 1 and power:
        return power
    if c == -1 and power:
        return "-" + power
    return f"{c:g}{power}" if power else f"{c:g}"


def _constant_ratio(rows) -> float | None:
    """expected / computed when it is the same number at every row (two rows at least)."""
    ratios = [r.expected / r.computed for r in rows if r.computed]
    if len(rows) >= 2 and len(ratios) == len(rows) and all(_close(q, ratios[0]) for q in ratios):
        return ratios[0]
    return None


def _sign_slip_inside(rows, numeric) -> str | None:
    """The smallest set of inputs whose signs, flipped, turn the true partial into the computed
    one: a sign dropped or added inside the formula rather than in front of it."""
    j, names = rows[0].index, rows[0].names
    n = len(names)
    sizes = range(1, n + 1) if n <= MAX_INPUTS_NEGATED else (1, n)
    for size in sizes:
        for subset in combinations(range(n), size):
            if _holds(rows, lambda r: r.computed, lambda r, s=subset: numeric(
                    _replace(r.point, {k: -r.point[k] for k in s}), j)):
                return ", ".join(names[k] for k in subset)
    return None


def hint_for_kink(row) -> str:
    """A hint for partials that fall outside the one-sided slopes at a kink."""
    if len(row.direction) > 1 and all(d == 1.0 for d in row.direction):
        return (f"moving every input together by t moves the output by {row.right:.6g} t, so at "
                f"the kink the partials must add up to {row.right:.6g}; yours add up to "
                f"{row.computed:.6g}. At a tie the gradient is shared between the inputs (e.g. "
                "0.5/0.5), neither lost nor given in full to each.")
    low, high = sorted((row.left + 0.0, row.right + 0.0))  # + 0.0: no "-0"
    return (f"at a kink any value between the one-sided slopes {low:.6g} and {high:.6g} is a "
            f"valid choice (relu takes 0 at 0); yours, {row.computed:.6g}, is outside them.")
