"""What the exercise checker knows and the student's notebook does not say: the rule of each gate,
where it is checked, and the slips students really make, each with a hint that names the slip
without giving the answer away.

Each slip is a wrong `local(out, *inputs)`; the checker compares a failing answer's partials with
every slip's (engine/check/gatehints.py) and prints the hint of the one that matches.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from ..engine.check.gatehints import Slip


def _sigma(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def away_from_zero(rng):
    """A point in -4..-0.2 or 0.2..4 (1/x is not defined at 0), drawn with the checker's random."""
    return (rng.choice((-1.0, 1.0)) * rng.uniform(0.2, 4.0),)


@dataclass(frozen=True)
class Answer:
    rule: str
    domain: object = (-3.0, 3.0)
    kinks: tuple = ()
    convention: str | None = None   # a built-in gate whose choice at the kinks is the lecture's
    slips: tuple[Slip, ...] = field(default=())


INPUT_FOR_OUTPUT = ("the input where the output belongs: your partial is the rule written with x "
                    "where it has the gate's output. local is handed out = f(x) first: write the "
                    "rule with out.")
OUTPUT_FOR_INPUT = ("the output where the input belongs: your partial is the rule evaluated at "
                    "x = out. Use the input x where the rule has x.")


def _chain_g(w0, w1, x0, x1, form):
    z = w0 * x0 + w1 * x1
    s = _sigma(z)
    g = form(s, z)
    return (g * x0, g * x1, g * w0, g * w1)


ANSWERS: dict[str, Answer] = {
    "my_mul": Answer("d/da = b, d/db = a", slips=(
        Slip("own input", lambda out, a, b: (a, b),
             "each partial is its own input: a product's partial with respect to one factor is "
             "the OTHER factor (the mul gate is the lecture's gradient switcher)."),
        Slip("add for mul", lambda out, a, b: (1.0, 1.0),
             "partials of 1 are a sum's (add distributes its gradient unchanged); this gate "
             "multiplies, and a product's partial is not 1."),
    )),
    "my_recip": Answer("d/dx = -1/x^2 = -out^2", domain=away_from_zero, slips=(
        Slip("exponent kept", lambda out, x: (-1.0 / x,),
             "an exponent off by one: 1/x is x^n with n = -1, and the power rule brings n down "
             "AND lowers the exponent to n-1 = -2; yours kept the exponent n = -1."),
        Slip("output for input", lambda out, x: (-1.0 / out ** 2,), OUTPUT_FOR_INPUT),
        Slip("sign", lambda out, x: (1.0 / x ** 2,),
             "off by a sign: the power rule's factor n = -1 brings a minus sign down with it."),
    )),
    "my_exp": Answer("d/dx = exp(x) = out", domain=(-5.0, 5.0), slips=(
        Slip("input for output", lambda out, x: (x,),
             "the input where the output belongs: your partial is x. The exp gate's derivative "
             "is a function you have been handed already, as out."),
        Slip("one", lambda out, x: (1.0,),
             "off by a factor of the output: a partial of 1 is the add gate's; the slope of e^x "
             "grows with e^x."),
    )),
    "my_sigmoid": Answer("d/dx = sigma(x)(1 - sigma(x)) = out(1 - out)", domain=(-8.0, 8.0),
                         slips=(
        Slip("input for output", lambda out, x: (x * (1.0 - x),), INPUT_FOR_OUTPUT),
        Slip("output alone", lambda out, x: (out,),
             "your partial is the gate's output, the forward function's value where its "
             "derivative belongs (only for exp are they the same)."),
    )),
    "my_tanh": Answer("d/dx = 1 - tanh(x)^2 = 1 - out^2", domain=(-4.0, 4.0), slips=(
        Slip("input for output", lambda out, x: (1.0 - x * x,), INPUT_FOR_OUTPUT),
        Slip("square forgotten", lambda out, x: (1.0 - out,),
             "a forgotten square: your partial has the output to the first power where the "
             "rule squares it."),
        Slip("output alone", lambda out, x: (out,),
             "your partial is the gate's output, the forward function's value where its "
             "derivative belongs (only for exp are they the same)."),
    )),
    "my_max": Answer("1 to the larger input, 0 to the other; a tie splits 0.5/0.5",
                     kinks=((1.0, 1.0), (0.0, 0.0), (-2.5, -2.5)), convention="max"),
    "my_relu": Answer("d/dx = 1 if x > 0 else 0", kinks=(0.0,), convention="relu"),
    "my_pow": Answer("d/dx = n x^(n-1), d/dn = x^n log x = out log x",
                     domain=((0.2, 3.0), (-3.0, 3.0)), slips=(
        Slip("exponent kept", lambda out, x, n: (n * x ** n, out * math.log(x)),
             "an exponent off by one in d/dx: the power rule brings n down AND lowers the "
             "exponent to n-1; yours kept the exponent n."),
        Slip("factor n-1", lambda out, x, n: ((n - 1) * x ** (n - 1), out * math.log(x)),
             "off by one in d/dx: the factor the power rule brings down is n, not n-1 (the "
             "exponent becomes n-1, the factor stays n)."),
        Slip("power rule for n", lambda out, x, n: (n * x ** (n - 1), n * x ** (n - 1)),
             "d/dn by the power rule: the power rule is for a variable BASE. Here n is the "
             "exponent and x is fixed: x^n = e^(n log x), an exponential in n."),
    )),
    "my_log": Answer("d/dx = 1/x", domain=(0.1, 5.0), slips=(
        Slip("output for input", lambda out, x: (1.0 / out,), OUTPUT_FOR_INPUT),
        Slip("log of log", lambda out, x: (-1.0 / x ** 2,),
             "your partial is the derivative of 1/x, one step too far: differentiate log x "
             "once."),
    )),
    "my_chain": Answer("de/dw_i = -(1 - sigma(w.x)) x_i, de/dx_i = -(1 - sigma(w.x)) w_i",
                       slips=(
        Slip("sigma' dropped", lambda out, w0, w1, x0, x1: _chain_g(
                 w0, w1, x0, x1, lambda s, z: -1.0 / s),
             "a dropped chain-rule link: dh2/dh1 = sigma'(h1), the sigmoid's local gradient, "
             "is missing from your product of links."),
        Slip("-1/h dropped", lambda out, w0, w1, x0, x1: _chain_g(
                 w0, w1, x0, x1, lambda s, z: s * (1.0 - s)),
             "a dropped chain-rule link: de/dh2, the local gradient of e = -log h2 (a -1/h), is "
             "missing from your product of links."),
        Slip("sigma(-z)", lambda out, w0, w1, x0, x1: _chain_g(
                 w0, w1, x0, x1, lambda s, z: _sigma(-z) - 1.0),
             "a sign slip inside the sigmoid: your partials are the true ones with w.x replaced "
             "by -w.x inside sigma (1 - sigma(z) is sigma(-z), so sigma(z) - 1 is -sigma(-z), "
             "not sigma(-z) - 1)."),
        Slip("dh1 dropped", lambda out, w0, w1, x0, x1: (
                 _sigma(w0 * x0 + w1 * x1) - 1.0,) * 4,
             "a dropped chain-rule link: dh1/dw_i = x_i (and dh1/dx_i = w_i), the last link, is "
             "missing from your product of links."),
    )),
}
