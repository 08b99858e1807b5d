"""nn.data: the generators are deterministic, have the documented shapes and labels and geometry;
splits partition the data; batches cover every point once per epoch."""

import math
import random

import pytest

from gategrad.nn import data


def test_logic_gates_are_their_truth_tables():
    for generate, rule in ((data.and_gate, lambda a, b: a and b), (data.or_gate,
                           lambda a, b: a or b), (data.xor, lambda a, b: a != b)):
        X, y = generate()
        assert X == [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]
        assert y == [int(rule(bool(a), bool(b))) for a, b in X]


@pytest.mark.parametrize("d", [1, 2, 5])
def test_parity_lists_every_bit_vector_once(d):
    X, y = data.parity(d)
    assert len(X) == 2 ** d == len({tuple(x) for x in X})
    assert y == [sum(x) % 2 for x in X]


@pytest.mark.parametrize("generate", [
    lambda seed: data.moons(60, noise=0.1, seed=seed),
    lambda seed: data.circles(60, noise=0.05, seed=seed),
    lambda seed: data.spirals(60, classes=3, seed=seed),
    lambda seed: data.regression_1d(30, seed=seed),
])
def test_generators_are_deterministic_and_seeded(generate):
    assert generate(3) == generate(3)
    assert generate(3) != generate(4)


def test_generators_do_not_touch_the_global_random():
    random.seed(0)
    state = random.getstate()
    data.moons(50)
    data.spirals(30)
    assert random.getstate() == state


def test_moons_without_noise_lie_on_the_two_half_circles():
    X, y = data.moons(40, noise=0.0)
    assert y.count(0) == y.count(1) == 20
    for (a, b), label in zip(X, y, strict=True):
        if label == 0:  # upper moon: unit circle around (0, 0), b >= 0
            assert math.hypot(a, b) == pytest.approx(1.0) and b >= -1e-12
        else:           # lower moon: unit circle around (1, 0.5), b <= 0.5
            assert math.hypot(a - 1.0, b - 0.5) == pytest.approx(1.0) and b <= 0.5 + 1e-12


def test_circles_without_noise_have_radius_1_and_factor():
    X, y = data.circles(30, noise=0.0, factor=0.3)
    for (a, b), label in zip(X, y, strict=True):
        assert math.hypot(a, b) == pytest.approx(1.0 if label == 0 else 0.3)


def test_spirals_have_balanced_integer_classes_inside_the_unit_disc():
    X, y = data.spirals(100, classes=4)
    assert sorted(set(y)) == [0, 1, 2, 3]
    assert sorted(y.count(k) for k in range(4)) == [25, 25, 25, 25]
    assert all(math.hypot(a, b) <= 1.0 + 1e-12 for a, b in X)


def test_regression_1d_is_sin_pi_x_plus_noise():
    X, y = data.regression_1d(11, noise=0.0)
    assert [x[0] for x in X] == pytest.approx([-1 + 0.2 * i for i in range(11)])
    assert y == pytest.approx([math.sin(math.pi * x[0]) for x in X], abs=1e-15)


def test_pm1_maps_0_1_to_minus_1_plus_1():
    assert data.pm1([0, 1, 1, 0]) == [-1, 1, 1, -1]
    assert data.pm1([-1, 1]) == [-1, 1]
    with pytest.raises(ValueError, match="got 2"):
        data.pm1([0, 2])


def test_split_partitions_the_data_deterministically():
    X = [[float(i)] for i in range(50)]
    y = list(range(50))
    train, val, test = data.split(X, y, val=0.2, test=0.1, seed=3)
    assert (len(train[1]), len(val[1]), len(test[1])) == (35, 10, 5)
    assert sorted(train[1] + val[1] + test[1]) == y
    for Xs, ys in (train, val, test):
        assert all(x == [float(t)] for x, t in zip(Xs, ys, strict=True))
    assert data.split(X, y, val=0.2, test=0.1, seed=3) == (train, val, test)
    assert data.split(X, y, val=0.2, test=0.1, seed=4) != (train, val, test)


@pytest.mark.parametrize("kwargs", [{"val": 0.6, "test": 0.4}, {"val": -0.1}])
def test_split_rejects_bad_fractions(kwargs):
    with pytest.raises(ValueError, match="split"):
        data.split([[0.0]] * 10, [0] * 10, **kwargs)


@pytest.mark.parametrize("batch_size, sizes", [(None, [10]), (0, [10]), (4, [4, 4, 2]),
                                               (1, [1] * 10), (10, [10]), (25, [10])])
def test_batches_cover_every_point_once(batch_size, sizes):
    X = [[float(i)] for i in range(10)]
    y = list(range(10))
    got = list(data.batches(X, y, batch_size, rng=1))
    assert [len(yb) for _, yb in got] == sizes
    assert sorted(t for _, yb in got for t in yb) == y
    for Xb, yb in got:
        assert Xb == [[float(t)] for t in yb]


def test_mini_batches_are_shuffled_by_the_rng_and_full_batches_kept_in_order():
    X, y = [[float(i)] for i in range(20)], list(range(20))
    first = [yb for _, yb in data.batches(X, y, 5, rng=random.Random(0))]
    again = [yb for _, yb in data.batches(X, y, 5, rng=random.Random(0))]
    assert first == again and sum(first, []) != y
    assert [yb for _, yb in data.batches(X, y, 5, shuffle=False)] == [y[i:i + 5]
                                                                       for i in range(0, 20, 5)]
    assert next(data.batches(X, y, None))[1] == y


def test_batches_reject_a_bad_batch_size():
    with pytest.raises(ValueError, match="batch_size"):
        list(data.batches([[0.0]], [0], -1))
