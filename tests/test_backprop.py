"""backward() (engine/backprop.py): the order it walks the graph in, and the chain rule applied in
that order, on random graphs against central differences and against a graph whose every node is
also held elsewhere (which must change nothing)."""

import math
import random

import pytest

from gategrad.engine import Value, defgate, topological_order


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


def test_a_node_with_two_consumers_hears_from_both():
    x = Value(3.0)
    h = x * 2.0
    y = (h + 1.0) * (h + 5.0)  # dy/dh = (h + 5) + (h + 1) = 18
    y.backward()
    assert h.grad == 18.0 and x.grad == 36.0


def test_a_node_used_twice_by_one_gate_gets_both_partials():
    x = Value(3.0)
    h = x * 2.0
    z = h * h  # one gate, the same parent twice
    z.backward()
    assert h.grad == 2 * 6.0
    assert x.grad == 2 * 6.0 * 2.0


@pytest.mark.parametrize("seed", range(10))
def test_topological_order_puts_every_node_after_its_parents(seed):
    _, root = _random_graph(seed, None)
    order = topological_order(root)
    position = {id(v): i for i, v in enumerate(order)}
    assert len(position) == len(order) and order[-1] is root
    for v in order:
        for p in v.parents:
            assert position[id(p)] < position[id(v)]
    interior = topological_order(root, leaves=False)
    assert interior == [v for v in order if v.gate is not None]


def test_topological_order_reads_an_expression_left_to_right():
    a, b, c = Value(1.0, label="a"), Value(2.0, label="b"), Value(3.0, label="c")
    f = a * b + c
    assert [v.label or v.op for v in f.nodes()] == ["a", "b", "*", "c", "+"]


def test_backward_visits_nodes_in_reverse_topological_order(user_gates):
    # A gate that notes when backward asks for its local gradient: the order animate() relies on.
    visited = []
    spy = defgate("spy", forward=lambda x: x, rule="d/dx = 1", check=False,
                  local=lambda out, x: visited.append(out) or (1.0,))
    x = Value(0.5)
    a = spy(x * 2.0)
    b = spy(a + 1.0)
    c = spy(a * 3.0)       # a forks: it must wait for both b and c
    f = spy(b * c + spy(x.exp()))
    f.backward()
    expected = [v.data for v in reversed(f.nodes()) if v.gate is not None and v.op == "spy"]
    assert visited == expected and len(visited) == 5
    assert visited.index(a.data) > max(visited.index(b.data), visited.index(c.data))


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




def test_an_interior_gradient_set_to_none_is_recomputed():
    # A PyTorch habit (`t.grad = None`) on an interior node: backward() still walks through it.
    x = Value(2.0)
    h = x * 3.0
    y = h * h
    h.grad = None
    y.backward()
    assert h.grad == 2 * 6.0 and x.grad == 2 * 6.0 * 3.0


def test_a_walk_that_fails_halfway_leaves_numbers_in_every_gradient():
    # backward() marks the nodes it has reached in their grad; an error during the walk (here a
    # parent that is not a Value) must not leave a mark behind, or the next call would skip it.
    x = Value(2.0)
    h = x * 3.0
    y = h + 1.0
    z = y * h
    parents = y.parents
    y.parents = (h, "not a node")
    with pytest.raises(AttributeError):
        z.backward()
    assert all(type(v.grad) is float for v in (x, h, y, z))
    y.parents = parents
    z.backward()
    assert (z.grad, y.grad, h.grad, x.grad) == (1.0, 6.0, 6.0 + 7.0, 39.0)
