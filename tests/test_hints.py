"""The slips students really make in a local gradient, each driven through the checker: the hint
must name the slip (and never print the rule the exercise keeps back). The exercises' checks
(check_exercise with the answers of gategrad/exercises/answers.py) and defgate's own check of a
gate of your own (no answers known: the hints come from relations alone) are both covered."""

import math

import pytest

from gategrad.engine import GATES, GateCheckError, defgate
from gategrad.exercises.answers import ANSWERS
from gategrad.testing import check_exercise, reveal

pytestmark = pytest.mark.usefixtures("user_gates")


def sigma(z):
    return 1.0 / (1.0 + math.exp(-z))


def chain_forward(w0, w1, x0, x1):
    return math.log1p(math.exp(-(w0 * x0 + w1 * x1)))


def chain(form):
    """The four partials of exercise 10 with de/dz replaced by form(sigma(z), z)."""
    def local(out, w0, w1, x0, x1):
        z = w0 * x0 + w1 * x1
        g = form(sigma(z), z)
        return (g * x0, g * x1, g * w0, g * w1)
    return local


FORWARD = {
    "my_mul": lambda a, b: a * b, "my_recip": lambda x: 1.0 / x, "my_exp": lambda x: math.exp(x),
    "my_sigmoid": sigma, "my_tanh": lambda x: math.tanh(x), "my_pow": lambda x, n: x ** n,
    "my_log": lambda x: math.log(x), "my_chain": chain_forward,
}

# (exercise, the wrong local gradient, what the hint must say)
SLIPS = {
    "sigmoid as x(1-x)": ("my_sigmoid", lambda out, x: (x * (1 - x),),
                          "the input where the output belongs"),
    "tanh as 1-x^2": ("my_tanh", lambda out, x: (1 - x * x,),
                      "the input where the output belongs"),
    "exp as (x,)": ("my_exp", lambda out, x: (x,), "the input where the output belongs"),
    "tanh as 1-out": ("my_tanh", lambda out, x: (1 - out,), "a forgotten square"),
    "sigma' dropped": ("my_chain", chain(lambda s, z: -1 / s),
                       "a dropped chain-rule link: dh2/dh1 = sigma'(h1)"),
    "-1/h dropped": ("my_chain", chain(lambda s, z: s * (1 - s)),
                     "a dropped chain-rule link: de/dh2, the local gradient of e = -log h2 "
                     "(a -1/h)"),
    "dh1/dw dropped": ("my_chain", lambda out, w0, w1, x0, x1: (sigma(w0 * x0 + w1 * x1) - 1,) * 4,
                       "a dropped chain-rule link: dh1/dw_i = x_i"),
    "sigma(-z) inside": ("my_chain", chain(lambda s, z: sigma(-z) - 1),
                         "a sign slip inside the sigmoid"),
    "mul as (a, b)": ("my_mul", lambda out, a, b: (a, b), "the OTHER factor"),
    "mul as (1, 1)": ("my_mul", lambda out, a, b: (1.0, 1.0), "partials of 1 are a sum's"),
    "1/x as -1/x": ("my_recip", lambda out, x: (-1 / x,),
                    "an exponent off by one: 1/x is x^n with n = -1"),
    "1/x as -1/out^2": ("my_recip", lambda out, x: (-1 / out ** 2,),
                        "the output where the input belongs"),
    "pow: exponent kept": ("my_pow", lambda out, x, n: (n * x ** n, out * math.log(x)),
                           "an exponent off by one in d/dx"),
    "pow: factor n-1": ("my_pow", lambda out, x, n: ((n - 1) * x ** (n - 1), out * math.log(x)),
                        "the factor the power rule brings down is n, not n-1"),
    "pow: d/dn by the power rule": ("my_pow", lambda out, x, n: (n * x ** (n - 1),
                                                                  n * x ** (n - 1)),
                                    "d/dn by the power rule"),
    "log as 1/out": ("my_log", lambda out, x: (1 / out,), "the output where the input belongs"),
    "log as -1/x^2": ("my_log", lambda out, x: (-1 / x ** 2,), "the derivative of 1/x"),
}


@pytest.mark.parametrize("slip", SLIPS)
def test_each_slip_gets_its_hint_and_the_rule_stays_back(slip):
    name, wrong, says = SLIPS[slip]
    with pytest.raises(GateCheckError) as info:
        check_exercise(name, FORWARD[name], wrong)
    message = str(info.value)
    hints = [line for line in message.splitlines() if line.startswith("hint")]
    assert len(hints) == 1 and says in hints[0], message
    assert ANSWERS[name].rule not in message
    assert "The rule it was given" not in message
    assert name not in GATES


# A gate of your own, checked by defgate: no answers, the hints come from relations alone.
GENERIC = {
    "mul as (a, b)": (lambda a, b: a * b, lambda out, a, b: (a, b), (-3, 3),
                      "partial with respect to one factor is the other factor"),
    "mul as (1, 1)": (lambda a, b: a * b, lambda out, a, b: (1.0, 1.0), (-3, 3),
                      "is 1, as for a sum"),
    "add as (b, a)": (lambda a, b: a + b, lambda out, a, b: (b, a), (-3, 3),
                      "as for a product; this gate adds"),
    "x^2 as 2x^2": (lambda x: x * x, lambda out, x: (2 * x ** 2,), (-3, 3),
                    "an exponent off by one: this gate is x^2 (n = 2)"),
    "x^3 as 2x^2": (lambda x: x ** 3, lambda out, x: (2 * x ** 2,), (-3, 3),
                    "Yours multiplies by n-1 = 2 instead of n"),
    "1/x as -1/x": (lambda x: 1 / x, lambda out, x: (-1 / x,), (0.2, 4),
                    "lowers the exponent to n-1 = -2"),
    "x^2 as x": (lambda x: x * x, lambda out, x: (x,), (-3, 3), "2 times yours"),
}


@pytest.mark.parametrize("slip", GENERIC)
def test_a_gate_of_your_own_gets_the_same_kind_of_hint(slip):
    forward, wrong, domain, says = GENERIC[slip]
    with pytest.raises(GateCheckError) as info:
        defgate("mine", forward=forward, local=wrong, rule="r", domain=domain)
    hints = [line for line in str(info.value).splitlines() if line.startswith("hint")]
    assert hints and all(says in h for h in hints), str(info.value)


RIGHT_IN_ANOTHER_FORM = {
    "my_tanh": lambda out, x: (1 / math.cosh(x) ** 2,),
    "my_sigmoid": lambda out, x: (math.exp(-x) / (1 + math.exp(-x)) ** 2,),
    "my_recip": lambda out, x: (-(x ** -2),),
    "my_exp": lambda out, x: (math.exp(x),),
    "my_pow": lambda out, x, n: (n * out / x, math.exp(n * math.log(x)) * math.log(x)),
    "my_log": lambda out, x: (math.exp(-out),),
    "my_chain": chain(lambda s, z: -sigma(-z)),
    "my_mul": lambda out, a, b: (out / a if a else b, out / b if b else a),
}


@pytest.mark.parametrize("name", RIGHT_IN_ANOTHER_FORM)
def test_a_right_answer_in_any_equal_form_passes_and_shows_the_rule(name, capsys):
    check_exercise(name, FORWARD[name], RIGHT_IN_ANOTHER_FORM[name])
    out = capsys.readouterr().out
    assert out.startswith(f"\N{CHECK MARK} {name} gate")
    assert f"the rule: {ANSWERS[name].rule}" in out
    assert GATES[name].rule == ANSWERS[name].rule


def test_the_rule_is_revealed_on_request(capsys):
    assert reveal("my_tanh") == ANSWERS["my_tanh"].rule
    assert capsys.readouterr().out == f"my_tanh: {ANSWERS['my_tanh'].rule}\n"
    assert check_exercise.reveal is reveal
    with pytest.raises(ValueError, match="no exercise named 'nope'"):
        reveal("nope")


def test_every_exercise_with_slips_has_distinct_ones():
    """No two slips of one exercise are the same function (one would hide the other)."""
    import random
    rng = random.Random(1)
    for name, answer in ANSWERS.items():
        if not answer.slips or name not in FORWARD:
            continue
        arity = FORWARD[name].__code__.co_argcount
        points = [tuple(rng.uniform(0.3, 2.0) for _ in range(arity)) for _ in range(5)]
        seen = []
        for slip in answer.slips:
            values = [tuple(slip.local(FORWARD[name](*p), *p)) for p in points]
            assert values not in seen, (name, slip.name)
            seen.append(values)
