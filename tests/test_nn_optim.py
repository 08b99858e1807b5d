"""nn.optim: SGD's update rule, momentum and weight decay against their recurrences written out
by hand, and the learning-rate schedule."""

import pytest

from gategrad import nn
from gategrad.engine import Value
from gategrad.nn.training.optim import SGD, LinearDecay


def quadratic_steps(optimizer_for, steps, start=3.0):
    """Minimise f(w) = w^2 (gradient 2w) and return the trajectory of w."""
    w = Value(start)
    opt = optimizer_for([w])
    path = []
    for _ in range(steps):
        opt.zero_grad()
        (w * w).backward()
        opt.step()
        path.append(w.data)
    return path


def test_plain_sgd_is_w_minus_lr_grad():
    path = quadratic_steps(lambda p: SGD(p, lr=0.1), 3)
    w, expected = 3.0, []
    for _ in range(3):
        w = w - 0.1 * 2 * w
        expected.append(w)
    assert path == pytest.approx(expected, rel=1e-15)


def test_momentum_follows_pytorchs_recurrence():
    path = quadratic_steps(lambda p: SGD(p, lr=0.1, momentum=0.9), 4)
    w, velocity, expected = 3.0, 0.0, []
    for _ in range(4):
        velocity = 0.9 * velocity + 2 * w
        w = w - 0.1 * velocity
        expected.append(w)
    assert path == pytest.approx(expected, rel=1e-15)


def test_weight_decay_equals_an_l2_penalty_of_half_its_size():
    decayed = Value(2.0)
    opt = SGD([decayed], lr=0.1, weight_decay=0.2)
    penalised = Value(2.0)
    opt2 = SGD([penalised], lr=0.1)
    for _ in range(3):
        opt.zero_grad()
        (decayed * 3.0).backward()
        opt.step()
        opt2.zero_grad()
        (penalised * 3.0 + nn.losses.l2_penalty([penalised], 0.1)).backward()
        opt2.step()
    assert decayed.data == pytest.approx(penalised.data, rel=1e-14)


def test_linear_decay_is_micrograds_schedule():
    schedule = LinearDecay(1.0, 0.1, 100)
    for k in range(100):
        assert schedule(k) == pytest.approx(1.0 - 0.9 * k / 100, rel=1e-15)
    assert schedule(100) == pytest.approx(0.1) and schedule(1000) == pytest.approx(0.1)


def test_the_schedule_sets_the_rate_of_each_step():
    w = Value(1.0)
    opt = SGD([w], lr=123.0, lr_schedule=lambda step: 0.5 / (step + 1))
    rates = []
    for _ in range(3):
        opt.zero_grad()
        (w * 1.0).backward()  # gradient 1: each step moves w by exactly its rate
        before = w.data
        opt.step()
        rates.append(before - w.data)
    assert rates == pytest.approx([0.5, 0.25, 0.5 / 3], rel=1e-14)
    assert opt.steps == 3 and opt.lr == pytest.approx(0.5 / 3)


def test_zero_grad_clears_the_parameters():
    w = Value(1.0)
    opt = SGD([w], lr=0.1)
    (w * 5.0).backward()
    opt.zero_grad()
    assert w.grad == 0.0


@pytest.mark.parametrize("kwargs, message", [
    ({"lr": -0.1}, "lr must be a finite number >= 0"),
    ({"lr": 0.1, "momentum": float("nan")}, "momentum must be"),
])
def test_bad_settings_are_clear_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        SGD([Value(1.0)], **kwargs)
    with pytest.raises(ValueError, match="no parameters"):
        SGD([], lr=0.1)


@pytest.mark.parametrize("build, error, message", [
    (lambda: SGD([Value(1.0)], lr=0.1, momentum=1.0), ValueError,
     r"SGD: momentum must be in \[0, 1\), got 1.0"),
    (lambda: SGD([Value(1.0)], lr=0.1, momentum=2), ValueError, r"momentum must be in \[0, 1\)"),
    (lambda: SGD([Value(1.0)], lr="0.1"), TypeError, "SGD: lr must be a number, got str"),
    (lambda: SGD([Value(1.0)], lr=0.1, weight_decay=-1), ValueError, "weight_decay must be"),
    (lambda: SGD([1.0], lr=0.1), TypeError, "SGD: parameter 0 must be a Value, got float"),
    (lambda: SGD([Value(1.0)], lr_schedule=0.1), TypeError, "lr_schedule must be a function"),
    (lambda: LinearDecay(1.0, 0.1, 0), ValueError, "LinearDecay: steps must be >= 1, got 0"),
    (lambda: LinearDecay(1.0, 0.1, 10.0), TypeError, "LinearDecay: steps must be an int"),
    (lambda: LinearDecay(1.0, -0.1, 10), ValueError, "LinearDecay: end must be a finite number"),
    (lambda: LinearDecay(float("inf"), 0.1, 10), ValueError, "LinearDecay: start must be"),
])
def test_settings_of_the_wrong_kind_or_range_are_named(build, error, message):
    with pytest.raises(error, match=message):
        build()
