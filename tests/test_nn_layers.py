"""nn.layers and nn.module: construction, labels and names, fused vs gate-by-gate neurons, input
checks, state dicts that never half-load, and readable reprs."""

import math
import random

import pytest

from gategrad import nn
from gategrad.engine import Value


def test_weights_are_uniform_in_minus_1_1_from_the_global_random_and_bias_is_0():
    random.seed(11)
    expected = [random.uniform(-1, 1) for _ in range(3)]
    random.seed(11)
    neuron = nn.Neuron(3)
    assert [w.data for w in neuron.w] == expected
    assert neuron.b.data == 0.0


def test_an_rng_makes_initialisation_independent_of_the_global_generator():
    random.seed(5)
    state = random.getstate()
    a = nn.MLP(2, [3, 1], rng=random.Random(42))
    assert random.getstate() == state  # the global generator was not touched
    b = nn.MLP(2, [3, 1], rng=random.Random(42))
    assert a.state_dict() == b.state_dict()


def test_labels_and_names_follow_layers_and_neurons():
    model = nn.MLP(2, [3, 1], rng=random.Random(0))
    names = [name for name, _ in model.named_parameters()]
    assert names[:4] == ["L1.N1.w0", "L1.N1.w1", "L1.N1.b", "L1.N2.w0"]
    assert names[-3:] == ["L2.N1.w1", "L2.N1.w2", "L2.N1.b"]
    assert [p.label for p in model.parameters()] == names
    # L1.N3.w0 is model.layers[0].neurons[2].w[0]
    assert model.layers[0].neurons[2].w[0].label == "L1.N3.w0"
    assert list(model.state_dict()) == names


def test_parameters_are_in_micrograds_order():
    model = nn.MLP(2, [2, 1], rng=random.Random(0))
    expected = []
    for layer in model.layers:
        for neuron in layer.neurons:
            expected += neuron.w + [neuron.b]
    assert model.parameters() == expected
    assert model.num_parameters() == 2 * 3 + 3


def fused_and_unfused(nin, nouts, **kwargs):
    a = nn.MLP(nin, nouts, rng=random.Random(3), fused=True, **kwargs)
    b = nn.MLP(nin, nouts, rng=random.Random(3), fused=False, **kwargs)
    return a, b


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid", "leaky_relu"])
def test_fused_and_gate_by_gate_neurons_give_the_same_outputs_and_gradients(activation):
    fused, unfused = fused_and_unfused(3, [4, 4, 2], activation=activation)
    x = [0.5, -1.5, 2.0]
    out_f, out_u = fused(x), unfused(x)
    # The same sum in the same order (b + w0 x0 + w1 x1 + ...): equal floats. A tolerance of
    # 1e-12 only leaves room for Python 3.12's compensated float sum inside the fused gate.
    for a, b in zip(out_f, out_u, strict=True):
        assert a.data == pytest.approx(b.data, rel=1e-12, abs=1e-15)
    (out_f[0] * out_f[1]).backward()
    (out_u[0] * out_u[1]).backward()
    for (name, p), (_, q) in zip(fused.named_parameters(), unfused.named_parameters(),
                                 strict=True):
        assert p.grad == pytest.approx(q.grad, rel=1e-12, abs=1e-15), name


def test_an_unfused_neuron_is_built_from_mul_and_add_gates_as_micrograd():
    neuron = nn.Neuron(3, rng=random.Random(0), fused=False)
    out = neuron([1.0, 2.0, 3.0])
    ops = sorted(v.op for v in out.nodes() if v.op)
    assert ops == ["*", "*", "*", "+", "+", "+", "relu"]
    fused = nn.Neuron(3, rng=random.Random(0))
    assert sorted(v.op for v in fused([1.0, 2.0, 3.0]).nodes() if v.op) == ["relu", "w·x+b"]


def test_a_neuron_is_activation_of_w_dot_x_plus_b():
    neuron = nn.Neuron(2, activation="sigmoid", rng=random.Random(0))
    neuron.load_state_dict({"w0": 2.0, "w1": -3.0, "b": -3.0})
    # the lecture's sigmoid gate: w = (2, -3, -3), x = (-1, -2) gives sigma(1)
    out = neuron([-1.0, -2.0])
    assert out.data == pytest.approx(1 / (1 + math.exp(-1.0)), rel=1e-15)
    out.backward()
    s = out.data
    assert [w.grad for w in neuron.w] == pytest.approx([-1.0 * s * (1 - s), -2.0 * s * (1 - s)])


def test_inputs_may_be_values_and_receive_gradients():
    neuron = nn.Neuron(2, activation="linear", rng=random.Random(0))
    neuron.load_state_dict({"w0": 0.5, "w1": -2.0, "b": 1.0})
    x = [Value(1.0), Value(3.0)]
    neuron(x).backward()
    assert [v.grad for v in x] == [0.5, -2.0]


def test_a_bare_number_is_accepted_for_one_input():
    model = nn.MLP(1, [2, 1], rng=random.Random(0))
    assert model(0.5).data == model([0.5]).data


@pytest.mark.parametrize("build, x, message", [
    (lambda: nn.MLP(2, [3, 1]), [1.0, 2.0, 3.0], r"MLP\(2 -> 3 -> 1\) expects 2 inputs, got 3"),
    (lambda: nn.Layer(3, 2, name="L1"), [1.0], "layer L1 expects 3 inputs, got 1"),
    (lambda: nn.Neuron(2), [1.0], "neuron expects 2 inputs, got 1"),
    (lambda: nn.Maxout(2), [1.0, 2.0, 3.0], "maxout unit expects 2 inputs, got 3"),
])
def test_an_input_of_the_wrong_length_names_both_sizes(build, x, message):
    with pytest.raises(ValueError, match=message):
        build()(x)


@pytest.mark.parametrize("build, error, message", [
    (lambda: nn.MLP(0, [2]), ValueError, "MLP: nin must be >= 1, got 0"),
    (lambda: nn.MLP(2, []), ValueError, r"MLP: nouts must list at least one layer, got \[\]"),
    (lambda: nn.MLP(True, [1]), TypeError, "MLP: nin must be an int, got bool True"),
    (lambda: nn.MLP(2.5, [1]), TypeError, "MLP: nin must be an int, got float 2.5"),
    (lambda: nn.MLP("2", [1]), TypeError, "MLP: nin must be an int, got str '2'"),
    (lambda: nn.MLP(2, 3), TypeError, "MLP: nouts must be a list of layer sizes"),
    (lambda: nn.MLP(2, "16,1"), TypeError, "MLP: nouts must be a list of layer sizes"),
    (lambda: nn.MLP(2, [4, 0]), ValueError, r"MLP: nouts\[1\] must be >= 1, got 0"),
    (lambda: nn.MLP(2, [4, 1.0]), TypeError, r"MLP: nouts\[1\] must be an int, got float 1.0"),
    (lambda: nn.MLP(2, [4, True]), TypeError, r"MLP: nouts\[1\] must be an int, got bool"),
    (lambda: nn.MLP(2, [1], pieces=0), ValueError, "MLP: pieces must be >= 1, got 0"),
    (lambda: nn.Neuron(-1), ValueError, "Neuron: nin must be >= 1, got -1"),
    (lambda: nn.Neuron(True), TypeError, "Neuron: nin must be an int, got bool True"),
    (lambda: nn.Neuron(2, fused="yes"), TypeError, "Neuron: fused must be True or False"),
    (lambda: nn.Neuron(2, name=3), TypeError, "Neuron: name must be a str, got int 3"),
    (lambda: nn.Layer(2, 0), ValueError, "Layer: nout must be >= 1, got 0"),
    (lambda: nn.Layer(2.0, 1), TypeError, "Layer: nin must be an int, got float 2.0"),
    (lambda: nn.Layer("3", 1), TypeError, "Layer: nin must be an int, got str '3'"),
    (lambda: nn.Maxout(2, pieces=0), ValueError, "Maxout: pieces must be >= 1, got 0"),
    (lambda: nn.Maxout(2, pieces=2.0), TypeError, "Maxout: pieces must be an int, got float"),
])
def test_bad_architectures_are_clear_errors_of_the_natural_type(build, error, message):
    with pytest.raises(error, match=message):
        build()


def test_sizes_may_be_any_ints_and_are_kept_as_plain_ints():
    import numpy as np
    model = nn.MLP(np.int64(2), np.array([3, 1]), rng=random.Random(0))
    assert model.nin == 2 and model.nouts == [3, 1]
    assert all(type(n) is int for n in [model.nin, *model.nouts])
    assert nn.MLP(2, (4, 1)).num_parameters() == 4 * 3 + 5


def test_zero_grad_clears_every_parameter():
    model = nn.MLP(2, [3, 1], rng=random.Random(0))
    model([1.0, -1.0]).backward()
    assert any(p.grad != 0.0 for p in model.parameters())
    model.zero_grad()
    assert all(p.grad == 0.0 for p in model.parameters())


def test_state_dict_round_trip():
    a = nn.MLP(2, [3, 2], rng=random.Random(1))
    b = nn.MLP(2, [3, 2], rng=random.Random(2))
    b.load_state_dict(a.state_dict())
    assert [v.data for v in b([0.3, 0.7])] == [v.data for v in a([0.3, 0.7])]


@pytest.mark.parametrize("change, message", [
    (lambda s: s.pop("L2.N1.b"), "missing L2.N1.b"),
    (lambda s: s.update({"L9.N1.w0": 1.0}), "unexpected L9.N1.w0"),
    (lambda s: s.update({"L1.N1.w0": "0.5"}), "L1.N1.w0 must be a number, got str"),
    (lambda s: s.update({"L1.N2.b": None}), "L1.N2.b must be a number"),
    (lambda s: s.update({"L1.N2.b": True}), "L1.N2.b must be a number, got bool"),
    (lambda s: s.update({"L1.N2.b": math.nan}), "L1.N2.b must be a finite number"),
])
def test_a_bad_state_dict_changes_nothing(change, message):
    model = nn.MLP(2, [3, 1], rng=random.Random(0))
    before = model.state_dict()
    state = {name: value + 1.0 for name, value in before.items()}  # every value would change
    change(state)
    with pytest.raises(ValueError, match=message):
        model.load_state_dict(state)
    assert model.state_dict() == before


def test_a_custom_module_lists_its_parameters():
    class Pair(nn.Module):
        def __init__(self):
            self.a, self.b = nn.Neuron(2, name="a"), nn.Neuron(1, name="b")

        def named_parameters(self):
            return self.a.named_parameters() + self.b.named_parameters()

    pair = Pair()
    assert repr(pair) == "Pair(5 parameters)"
    assert list(pair.state_dict()) == ["a.w0", "a.w1", "a.b", "b.w0", "b.b"]


def test_reprs_read_well():
    model = nn.MLP(2, [16, 16, 1], rng=random.Random(0))
    assert repr(model).splitlines() == [
        "MLP(2 -> 16 -> 16 -> 1, 337 parameters)",
        "  L1: Layer(2 -> 16, relu)",
        "  L2: Layer(16 -> 16, relu)",
        "  L3: Layer(16 -> 1, linear)",
    ]
    assert repr(nn.Neuron(3, nonlin=False)) == "Neuron(3, linear)"
    assert repr(nn.Layer(2, 2, activation=nn.activations.LeakyReLU(0.1), fused=False)) == \
        "Layer(2 -> 2, LeakyReLU(slope=0.1), unfused)"
