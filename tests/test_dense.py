"""dense() layers: the same numbers and gradients as the graph built neuron by neuron.

backward() runs a dense() layer as one block (its record), nn.MLP chains layer records without
making hidden nodes, and nn.Layer reuses the weights' numbers until a Parameter is written. Each
test compares against a graph of `linear()` nodes and single gates, which backward() runs node by
node, or against closed forms.
"""

from __future__ import annotations

import gc
import math
import random

import pytest

from gategrad import nn
from gategrad.engine import GATES, Parameter, Value, dense, explain, linear, parameter_version

ACTIVATIONS = [None, GATES["relu"], GATES["tanh"], GATES["sigmoid"]]


def _leaves(seed: int, nin: int = 4, nout: int = 5):
    rng = random.Random(seed)
    weights = [[Parameter(rng.uniform(-1, 1)) for _ in range(nin)] for _ in range(nout)]
    biases = [Parameter(rng.uniform(-0.5, 0.5)) for _ in range(nout)]
    a = [Value(rng.uniform(-1, 1)) for _ in range(nin)]
    return weights, biases, a


def _loss(outputs, coefficients):
    total = outputs[0] * coefficients[0]
    for out, c in zip(outputs[1:], coefficients[1:]):
        total = total + out * c
    return total


@pytest.mark.parametrize("activation", ACTIVATIONS, ids=lambda g: g.name if g else "linear")
def test_a_dense_layer_matches_linear_nodes_and_single_gates(activation):
    weights, biases, a = _leaves(1)
    coefficients = [0.7, -1.3, 2.1, 0.4, -0.9]

    def run(build):
        for p in [*sum(weights, []), *biases, *a]:
            p.grad = 0.0
        x = [ai * ai + ai for ai in a]  # interior inputs: their gradients must flow on to `a`
        out = build(x)
        loss = _loss(out, coefficients)
        loss.backward()
        return [o.data for o in out], loss.data, [p.grad for p in [*sum(weights, []), *biases, *a]]

    def by_hand(x):
        out = [linear(w, x, b) for w, b in zip(weights, biases)]
        return out if activation is None else [GATES[activation.name] and _gate(z) for z in out]

    def _gate(z):
        return getattr(z, activation.name)()

    expected = run(by_hand)
    got = run(lambda x: dense(weights, x, biases, activation=activation))
    assert got[0] == pytest.approx(expected[0], abs=1e-15)
    assert got[1] == pytest.approx(expected[1], abs=1e-14)
    assert got[2] == pytest.approx(expected[2], abs=1e-14)
    assert any(g != 0.0 for g in got[2])


def test_a_unit_used_by_two_consumers_receives_both_gradients():
    weights, biases, a = _leaves(2, nin=3, nout=2)
    h = dense(weights, a, biases, activation=GATES["relu"])
    unit = h[0].parents[0]  # the w·x+b node under the relu
    assert unit.op == "w·x+b" and unit.data == pytest.approx(
        sum(w.data * x.data for w, x in zip(weights[0], a)) + biases[0].data)
    loss = h[0] * 3.0 + unit * 2.0 + h[1]
    loss.backward()
    active = 1.0 if unit.data > 0 else 0.0
    assert unit.grad == pytest.approx(2.0 + 3.0 * active)
    assert h[0].grad == 3.0
    assert weights[0][1].grad == pytest.approx((2.0 + 3.0 * active) * a[1].data)


def test_interior_weights_and_biases_pass_their_gradients_on():
    k = Value(0.5)
    weights = [[k * 2.0, Value(-0.25)], [Value(0.75), k * -1.0]]
    biases = [k + 1.0, Value(0.1)]
    x = [Value(1.5), Value(-2.0)]
    out = dense(weights, x, biases)
    (out[0] + out[1] * 2.0).backward()
    # d/dk of (2k x0 - 0.25 x1 + k + 1) + 2 (0.75 x0 - k x1 + 0.1) = 2 x0 + 1 - 2 x1
    assert k.grad == pytest.approx(2 * 1.5 + 1 - 2 * -2.0)
    assert x[0].grad == pytest.approx(2 * 0.5 + 2 * 0.75)


def test_records_chained_without_nodes_give_the_same_gradients_as_node_lists():
    def run(nodes: bool):
        weights1, biases1, a = _leaves(3, nin=3, nout=4)
        weights2, biases2, _ = _leaves(4, nin=4, nout=2)
        h = dense(weights1, a, biases1, activation=GATES["tanh"], nodes=nodes)
        out = dense(weights2, h, biases2)
        loss = out[0] * out[1] + out[0]
        loss.backward()
        return loss.data, [p.grad for p in [*sum(weights1, []), *biases1, *a, *sum(weights2, [])]]

    with_nodes, without = run(True), run(False)
    assert without[0] == with_nodes[0]
    assert without[1] == pytest.approx(with_nodes[1], abs=1e-15)


def test_hidden_nodes_of_an_mlp_are_made_on_demand_in_topological_order():
    model = nn.MLP(2, [3, 3, 1], rng=random.Random(5))
    out = model([0.5, -1.5])
    out.backward()
    nodes = out.nodes()
    position = {id(v): k for k, v in enumerate(nodes)}
    for v in nodes:
        assert all(position[id(p)] < position[id(v)] for p in v.parents)
    # 2 inputs, 25 parameters, 3 + 3 + 1 units, 3 + 3 relus
    assert len(nodes) == 2 + 25 + 7 + 6
    # d out / d h_j for the last hidden layer's relu nodes is the output weight w_j (closed form)
    output_unit = out
    hidden = output_unit.parents[3:6]
    assert [h.op for h in hidden] == ["relu"] * 3
    assert [h.grad for h in hidden] == [w.data for w in model.layers[-1].neurons[0].w]
    for h in hidden:  # and through the relu: the unit's gradient is w_j where the unit is > 0
        unit = h.parents[0]
        assert unit.grad == (h.grad if unit.data > 0 else 0.0)
    table = str(explain(out))
    assert "w·x+b" in table and "relu" in table


def test_the_layer_rereads_weights_when_a_parameter_or_a_row_changes():
    model = nn.MLP(3, [4, 2], rng=random.Random(6))
    reference = nn.MLP(3, [4, 2], rng=random.Random(6), fused=False)

    def agree():
        x = [0.3, -0.7, 1.1]
        assert [v.data for v in model(x)] == pytest.approx([v.data for v in reference(x)],
                                                           abs=1e-14)

    agree()
    version = parameter_version()
    for p, q in zip(model.parameters(), reference.parameters()):
        p.data = q.data = p.data * 0.5 + 0.1
    assert parameter_version() != version
    agree()
    neuron, twin = model.layers[0].neurons[1], reference.layers[0].neurons[1]
    neuron.w[2] = Parameter(3.0)
    twin.w[2] = Value(3.0)
    agree()
    neuron.w[0] = Value(-2.0)  # a plain Value: not counted, so never kept
    twin.w[0] = Value(-2.0)
    agree()
    neuron.w[0].data = twin.w[0].data = 4.0
    agree()


def test_an_mlp_graph_is_freed_by_reference_counting():
    model = nn.MLP(2, [8, 8, 1], rng=random.Random(7))
    X, y = nn.data.moons(n=20, noise=0.1, seed=0)
    gc.collect()
    gc.disable()
    try:
        loss = nn.losses.hinge([model(x) for x in X], nn.data.pm1(y))
        loss.backward()
        loss.nodes()  # makes the hidden nodes too
        del loss
        assert gc.collect() == 0
    finally:
        gc.enable()


def test_an_mlp_trains_to_the_same_weights_as_the_unfused_one():
    fused = nn.MLP(2, [6, 6, 1], rng=random.Random(8))
    unfused = nn.MLP(2, [6, 6, 1], rng=random.Random(8), fused=False)
    X, y = nn.data.moons(n=30, noise=0.1, seed=1)
    labels = nn.data.pm1(y)
    for model in (fused, unfused):
        opt = nn.optim.SGD(model.parameters(), lr=0.5)
        for _ in range(5):
            loss = nn.losses.hinge([model(x) for x in X], labels)
            loss = loss + nn.losses.l2_penalty(model.parameters(), 1e-4)
            opt.zero_grad()
            loss.backward()
            opt.step()
    assert [p.data for p in fused.parameters()] == pytest.approx(
        [p.data for p in unfused.parameters()], abs=1e-12)


def test_bad_layers_are_refused_with_the_gate_and_the_sizes():
    weights, biases, a = _leaves(9, nin=2, nout=2)
    with pytest.raises(ValueError, match="2 weight rows but 1 biases"):
        dense(weights, a, biases[:1])
    with pytest.raises(ValueError, match="3 weights but 2 inputs"):
        dense([weights[0] + [Value(1.0)], weights[1]], a, biases)
    with pytest.raises(ValueError, match="one-input gate"):
        dense(weights, a, biases, activation=GATES["mul"])


def test_no_grad_gives_plain_leaves_with_the_same_numbers():
    from gategrad.engine import no_grad
    weights, biases, a = _leaves(10)
    with no_grad():
        plain = dense(weights, a, biases, activation=GATES["sigmoid"], nodes=False)
    recorded = dense(weights, a, biases, activation=GATES["sigmoid"])
    assert [v.data for v in plain] == [v.data for v in recorded]
    assert all(v.parents == () for v in plain)
    assert all(0.0 < v.data < 1.0 and not math.isnan(v.data) for v in plain)


def test_layer_nodes_read_zero_before_backward_and_take_writes():
    w = [[Value(0.5), Value(-0.25)], [Value(1.0), Value(2.0)]]
    out = dense(w, [Value(1.0), Value(2.0)], [Value(0.1), Value(0.2)], activation=GATES["relu"])
    unit = out[1].parents[0]
    assert [v.grad for v in out] == [0.0, 0.0] and unit.grad == 0.0
    out[1].grad = 2.0
    unit.grad = 3.0
    assert (out[0].grad, out[1].grad, unit.grad) == (0.0, 2.0, 3.0)
    (out[1] * 4.0).backward()  # interior gradients are recomputed, not added to the writes
    assert (out[1].grad, unit.grad) == (4.0, 4.0)
    out[1].zero_grad()
    assert (out[1].grad, unit.grad, w[1][0].grad) == (0.0, 0.0, 0.0)
