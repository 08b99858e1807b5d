"""backward()'s walk (engine/backprop.py): nodes with one consumer go on at once, every other
node waits for all its consumers. Both ways must give the same gradients, whoever holds what."""

import math
import random

import pytest

import gategrad.engine.backprop as backprop
from gategrad.engine import GATES, Value, dense


def _random_graph(seed: int, keep: list | None):
    """A random expression over a few leaves, with some nodes used twice. When `keep` is a list,
    every node is appended to it, so no node has its consumer as its only reference."""
    rng = random.Random(seed)
    leaves = [Value(rng.uniform(0.5, 1.5)) for _ in range(4)]
    pool = list(leaves)
    for _ in range(40):
        a, b = rng.choice(pool), rng.choice(pool)
        op = rng.randrange(5)
        if op == 0:
            v = a + b
        elif op == 1:
            v = a * b
        elif op == 2:
            v = (a * 0.3).tanh()
        elif op == 3:
            v = (a - 1.0).relu() + b * 0.5
        else:
            v = a * 1.0001 + 0.001
        if keep is not None:
            keep.append(v)
        pool.append(v)
        if len(pool) > 6:  # drop old nodes, so most nodes end up with a single consumer
            pool.pop(rng.randrange(4, len(pool) - 1))
    root = pool[-1] * pool[-2]
    return leaves, root


@pytest.mark.parametrize("seed", range(20))
def test_held_and_unheld_graphs_give_the_same_gradients(seed):
    kept = []
    leaves_held, root_held = _random_graph(seed, kept)
    root_held.backward()
    leaves, root = _random_graph(seed, None)
    root.backward()
    assert root.data == root_held.data
    nodes, nodes_held = root.nodes(), root_held.nodes()  # in creation order, after backward
    assert len(nodes) == len(nodes_held)
    for a, b in zip(nodes, nodes_held):
        assert a.grad == pytest.approx(b.grad, rel=1e-12, abs=1e-15)


@pytest.mark.parametrize("seed", range(5))
def test_gradients_match_central_differences(seed):
    leaves, root = _random_graph(seed, None)
    root.backward()

    base = [v.data for v in leaves]
    for i, v in enumerate(leaves):
        h = 1e-6
        up, down = list(base), list(base)
        up[i] += h
        down[i] -= h
        numeric = (_evaluate(seed, up) - _evaluate(seed, down)) / (2 * h)
        assert v.grad == pytest.approx(numeric, rel=1e-5, abs=1e-7)


def _evaluate(seed: int, leaf_values: list[float]) -> float:
    """The same random expression on plain floats, for central differences."""
    rng = random.Random(seed)
    for _ in range(4):
        rng.uniform(0.5, 1.5)  # consume the same random numbers as _random_graph
    pool = list(leaf_values)
    for _ in range(40):
        a, b = rng.choice(pool), rng.choice(pool)
        op = rng.randrange(5)
        if op == 0:
            v = a + b
        elif op == 1:
            v = a * b
        elif op == 2:
            v = math.tanh(a * 0.3)
        elif op == 3:
            v = max(a - 1.0, 0.0) + b * 0.5
        else:
            v = a * 1.0001 + 0.001
        pool.append(v)
        if len(pool) > 6:
            pool.pop(rng.randrange(4, len(pool) - 1))
    return pool[-1] * pool[-2]


def test_a_node_whose_only_references_are_two_consumers_hears_from_both():
    x = Value(3.0)
    h = x * 2.0
    y = (h + 1.0) * (h + 5.0)  # dy/dh = (h + 5) + (h + 1) = 18
    del h                      # now only the two `+` nodes refer to it
    y.backward()
    assert y.parents[0].parents[0].grad == 18.0
    assert x.grad == 36.0


def test_a_node_used_twice_by_one_gate_gets_both_partials():
    x = Value(3.0)
    y = (x * 2.0) * (x * 2.0)
    h = x * 2.0
    z = h * h  # one gate, the same parent twice
    del h
    z.backward()
    assert z.parents[0].grad == 2 * 6.0
    assert x.grad == 2 * 6.0 * 2.0
    y.backward()  # two different nodes: each has one consumer
    assert x.grad == 2 * (2 * 6.0 * 2.0)


def test_interior_gradient_is_reset_when_a_later_backward_sends_it_zero():
    x = Value(2.0)
    h = x * 3.0
    (h * 2.0).backward()
    assert h.grad == 2.0
    (h - 100.0).relu().backward()  # the relu is off: h must read 0 now, not the last call's 2
    assert h.grad == 0.0
    assert x.grad == 6.0           # leaves accumulate: 6 from the first call, 0 from this one


def test_a_zero_product_is_plus_zero_not_minus_zero():
    x = Value(2.0)
    m = (x * 3.0) * 0.0
    y = m * -1.0
    y.backward()
    h = m.parents[0]
    assert h.grad == 0.0 and math.copysign(1.0, h.grad) == 1.0


def test_layer_with_an_interior_bias_is_reset_by_a_zero_call():
    w = [[Value(0.5), Value(-0.25)]]
    bias = Value(2.0) * 1.0
    (out,) = dense(w, [Value(1.0), Value(2.0)], [bias], activation=GATES["relu"])
    (out * 2.0).backward()
    assert bias.grad == 2.0
    (out * 0.0).backward()
    assert bias.grad == 0.0


def test_with_the_test_switched_off_every_node_waits_and_gradients_agree(monkeypatch):
    leaves, root = _random_graph(3, None)
    root.backward()
    expected = [v.grad for v in leaves]
    monkeypatch.setattr(backprop, "_SOLE", None)  # as outside CPython
    leaves, root = _random_graph(3, None)
    root.backward()
    assert [v.grad for v in leaves] == pytest.approx(expected, rel=1e-12)


def test_the_probe_matches_what_backward_trusts():
    assert backprop._SOLE == backprop._refcount_of_a_sole_input()
    assert backprop._SOLE is not None  # CPython: the self-check at import passed


def test_layers_sharing_weight_numbers_but_not_weights_get_their_own_gradients():
    numbers = [[0.5, -0.25]]  # one weight_data list passed for two different weight rows
    w1, w2 = [[Value(0.5), Value(-0.25)]], [[Value(0.5), Value(-0.25)]]
    b1, b2 = [Value(0.0)], [Value(0.0)]
    x = [Value(1.0), Value(2.0)]
    (y1,) = dense(w1, x, b1, weight_data=numbers)
    (y2,) = dense(w2, x, b2, weight_data=numbers)
    (y1 * 3.0 + y2 * 5.0).backward()
    assert [w.grad for w in w1[0]] == [3.0, 6.0]
    assert [w.grad for w in w2[0]] == [5.0, 10.0]
    assert (b1[0].grad, b2[0].grad) == (3.0, 5.0)
    assert [v.grad for v in x] == [0.5 * 8.0, -0.25 * 8.0]


def test_one_layer_over_many_samples_sums_weight_gradients_over_them():
    w, b = [[Value(0.5), Value(-0.25)], [Value(1.5), Value(0.75)]], [Value(0.1), Value(-0.2)]
    numbers = [[v.data for v in row] for row in w]
    samples = [[1.0, 2.0], [-1.0, 0.5], [3.0, -2.0]]
    total = None
    for xs in samples:
        y = sum(dense(w, xs, b, activation=GATES["relu"], weight_data=numbers), Value(0.0))
        total = y if total is None else total + y
    total.backward()
    for j, row in enumerate(w):
        active = [xs for xs in samples
                  if sum(r * x for r, x in zip(numbers[j], xs)) + b[j].data > 0.0]
        assert b[j].grad == float(len(active))
        for i, weight in enumerate(row):
            assert weight.grad == pytest.approx(sum(xs[i] for xs in active), rel=1e-15)
