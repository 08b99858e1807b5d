"""backward() (engine/backprop.py): the order it walks the graph in, and the chain rule applied in
that order, on random graphs against central differences and against a graph whose every node is
also held elsewhere (which must change nothing)."""

import math
import random
import sys
import threading

import pytest

from gategrad.engine import GATES, Value, apply, defgate, topological_order


def _random_graph(seed: int, keep: list | None):
    """A random expression over a few leaves, with some nodes used twice. When `keep` is a list,
    every node is appended to it, so no node has its consumer as its only reference."""
    rng = random.Random(seed)
    leaves = [Value(rng.uniform(0.5, 1.5)) for _ in range(4)]
    return leaves, _expression(seed, leaves, keep)


def _evaluate(seed: int, leaf_values: list[float]) -> float:
    """The same random expression on plain floats, for central differences."""
    return _expression(seed, leaf_values, None)


def _expression(seed: int, leaves: list, keep: list | None):
    """The expression of `seed` over four leaves: Values (a graph) or floats (a number)."""
    rng = random.Random(seed)
    for _ in range(4):
        rng.uniform(0.5, 1.5)  # consume the leaves' random numbers, as _random_graph did
    pool = list(leaves)
    for _ in range(40):
        a, b = rng.choice(pool), rng.choice(pool)
        op = rng.randrange(5)
        if op == 0:
            v = a + b
        elif op == 1:
            v = a * b
        elif op == 2:
            v = (a * 0.3).tanh() if isinstance(a, Value) else math.tanh(a * 0.3)
        elif op == 3:
            v = ((a - 1.0).relu() if isinstance(a, Value) else max(a - 1.0, 0.0)) + b * 0.5
        else:
            v = a * 1.0001 + 0.001
        if keep is not None:
            keep.append(v)
        pool.append(v)
        if len(pool) > 6:  # drop old nodes, so most nodes end up with a single consumer
            pool.pop(rng.randrange(4, len(pool) - 1))
    return pool[-1] * pool[-2]


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
    # An error while backward() finds its order (here a parent that is not a Value) must leave
    # every grad a number, and must not spoil the next call.
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


def test_a_local_gradient_that_fails_halfway_leaves_numbers_and_the_next_call_is_right(user_gates):
    failing = [True]

    def local(out, x):
        if failing[0]:
            raise RuntimeError("fails once")
        return (2.0,)

    double = defgate("double", forward=lambda x: 2.0 * x, local=local, rule="d/dx = 2",
                     check=False)
    x = Value(3.0)
    h = x * x
    f = double(h) * h  # h hears from the `*` before the failing gate, then from the gate
    with pytest.raises(RuntimeError, match="fails once"):
        f.backward()
    assert all(type(v.grad) is float for v in f.nodes())
    assert x.grad == 0.0  # the walk stopped before it reached x
    failing[0] = False
    f.backward()
    assert (f.grad, h.grad, x.grad) == (1.0, 2 * 9.0 + 18.0, (2 * 9.0 + 18.0) * 6.0)


# --- the zero rules ----------------------------------------------------------------------------
# A node whose gradient is exactly 0 passes nothing back, and a zero local partial adds nothing:
# under an infinite upstream gradient the input behind a zero partial gets 0, never 0 * inf = nan.

# gate -> points (inputs, indices of the inputs whose local partial is exactly 0 there); an empty
# list says the gate has no such point. Every row of GATES needs an entry.
ZERO_PARTIALS = {
    "add": [],                                    # d/da = d/db = 1
    "mul": [((3.0, 0.0), (0,)), ((0.0, -2.0), (1,))],
    "pow": [((2.0, 0.0), (0,)), ((0.5, 0.0), (0,))],    # n = 0: x^0 = 1 is flat in x
    "exp": [],                                    # e^x > 0
    "log": [],                                    # 1/x
    "max": [((2.0, 1.0), (1,)), ((-1.0, 0.5), (0,))],    # the losing input
    "recip": [],                                  # -1/x^2
    "relu": [((-0.7,), (0,)), ((0.0,), (0,))],    # off, and the kink
    "tanh": [((30.0,), (0,)), ((-30.0,), (0,))],  # saturated: tanh is exactly +-1
    "sigmoid": [((40.0,), (0,)), ((-800.0,), (0,))],  # saturated: sigma is exactly 1, 0
    # w_1, w_2, x_1, x_2, b: a zero weight gives its input nothing, a zero input its weight nothing
    "linear": [((0.0, 2.0, 3.0, 0.0, 1.0), (2, 1)), ((0.0, 0.0, 0.0, 0.0, 0.5), (0, 1, 2, 3))],
    "sum": [],                                    # 1 each
    "softmax_ce": [((0.0, 0.0, 1.0), (2,))],      # the target class is a label: 0
}


@pytest.mark.parametrize("name", list(GATES))
def test_a_zero_local_partial_adds_nothing_under_an_infinite_upstream_gradient(name):
    assert name in ZERO_PARTIALS, f"ZERO_PARTIALS has no entry for the {name!r} gate"
    gate = GATES[name]
    for inputs, zero in ZERO_PARTIALS[name]:
        partials = gate.local(gate.forward(*inputs), *inputs)
        assert [i for i, p in enumerate(partials) if p == 0.0] == sorted(zero), (name, inputs)
        for sign in (1.0, -1.0):
            leaves = [Value(x) for x in inputs]
            out = apply(gate, *leaves)
            (out * (sign * math.inf)).backward()  # d(root)/d(out) = +-inf
            assert out.grad == sign * math.inf
            for i, (leaf, partial) in enumerate(zip(leaves, partials)):
                expected = 0.0 if i in zero else partial * sign * math.inf
                assert leaf.grad == expected, (name, inputs, i, leaf.grad)


def test_relu_off_stops_an_infinite_local_gradient_behind_it():
    # d/dx sqrt(x) is +inf at 0; the relu is at its kink (relu'(0) = 0), so that path sends 0 and
    # the sqrt node passes nothing on. Only the `+ x` path reaches x.
    x = Value(0.0)
    f = (x ** 0.5).relu() + x
    f.backward()
    assert x.grad == 1.0


# --- grad holds numbers only -------------------------------------------------------------------

def test_every_grad_is_a_float_while_local_gradients_are_asked_for(user_gates):
    nodes, found = [], set()

    def local(out, x):
        found.update(type(v.grad) for v in nodes)
        return (1.0,)

    look = defgate("look", forward=lambda x: x, local=local, rule="d/dx = 1", check=False)
    x, w = Value(0.5), Value(-2.0)
    h = look(x * w)
    f = look(look(h + 1.0) * look(h.tanh()) + w)
    nodes.extend(f.nodes())
    for _ in range(2):
        f.backward()
        assert found == {float}
        assert all(type(v.grad) is float for v in nodes)


def test_another_thread_reading_gradients_during_backward_sees_only_numbers():
    # A progress display, a logger: another thread may read grads while backward() runs.
    x = Value(0.3)
    v = x
    for i in range(2000):
        v = (v * 0.999 + x).tanh() if i % 2 else v + x * 0.5
    nodes = v.nodes()
    done, found = threading.Event(), set()

    def read():
        while not done.is_set():
            found.update(type(n.grad) for n in nodes)

    reader = threading.Thread(target=read)
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible: read in mid-walk
    try:
        reader.start()
        for _ in range(50):
            v.backward()
    finally:
        done.set()
        reader.join()
        sys.setswitchinterval(interval)
    assert found == {float}


# --- threads -----------------------------------------------------------------------------------

def _shared_graph():
    """Leaves and interior nodes shared by 8 roots. Every number is a small dyadic fraction and
    every gate exact (+, *, relu, linear, square), so each gradient is exact and a sum of them
    does not depend on the order of its terms."""
    w = [Value(0.25 * (i + 1)) for i in range(4)]
    x = Value(-1.5)
    hidden = apply(GATES["linear"], w[0], w[1], x, w[2], w[3]).relu()  # w0 x + w1 w2 + w3 = 1
    shared = hidden * w[2] + (x * w[3]) ** 2
    for _ in range(20):  # a longer walk through shared nodes: more chances to interleave
        shared = (shared + hidden * 0.5).relu()
    roots = []
    for k in range(8):
        r = shared * (k + 1) + hidden * w[k % 4]
        roots.append((r * shared + x).relu() + w[(k + 1) % 4] * (k - 3.5))
    return [*w, x], roots


def test_backward_from_8_threads_on_shared_nodes_adds_what_the_same_calls_add_in_turn():
    leaves, roots = _shared_graph()
    calls = 200
    for root in roots:
        for _ in range(calls):
            root.backward()
    expected = [v.grad for v in leaves]

    leaves, roots = _shared_graph()
    barrier, errors = threading.Barrier(len(roots)), []

    def run(root):
        try:
            barrier.wait()
            for _ in range(calls):
                root.backward()
        except BaseException as e:  # any error at all, reported by the main thread below
            errors.append(e)

    threads = [threading.Thread(target=run, args=(root,)) for root in roots]
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible: interleave the walks
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        sys.setswitchinterval(interval)
    assert errors == []
    assert [v.grad for v in leaves] == expected


def test_a_local_gradient_may_call_backward_itself(user_gates):
    # backward() holds its lock while it runs; a gate's local that calls backward() (on a graph
    # of its own) in the same thread must not wait for itself.
    def local(out, x):
        inner = Value(x)
        (inner * inner).backward()
        return (inner.grad,)  # d/dx x^2 = 2x, by a backward of its own

    square = defgate("square", forward=lambda x: x * x, local=local, rule="d/dx = 2x",
                     check=False)
    x = Value(3.0)
    result = []
    worker = threading.Thread(target=lambda: result.append(square(x).backward()), daemon=True)
    worker.start()
    worker.join(10)
    assert not worker.is_alive(), "backward() inside a local gradient waits for itself"
    assert result == [None] and x.grad == 6.0
