"""nn.activations: values against the lecture's formulas, derivatives against central
differences (engine.gradcheck) at, around and away from the kink at 0, and the name registry."""

import math
import random

import pytest

from gategrad import nn
from gategrad.engine import Value, gradcheck
from gategrad.nn import activations as A

POINTS = [-3.0, -0.7, -1e-3, 0.0, 1e-3, 0.4, 2.5]


def by_formula(name, z, slope=0.01, alpha=1.0):
    return {
        "relu": max(0.0, z),
        "sigmoid": 1.0 / (1.0 + math.exp(-z)),
        "tanh": math.tanh(z),
        "linear": z,
        "leaky_relu": max(slope * z, z),
        "elu": z if z > 0 else alpha * (math.exp(z) - 1.0),
    }[name]


@pytest.mark.parametrize("name", ["relu", "sigmoid", "tanh", "linear", "leaky_relu", "elu"])
@pytest.mark.parametrize("z", POINTS)
def test_values_follow_the_formulas(name, z):
    assert A.get(name)(Value(z)).data == pytest.approx(by_formula(name, z), rel=1e-15, abs=1e-300)


@pytest.mark.parametrize("z", [-2.0, -0.3, 0.5, 1.7])
def test_tanh_is_2_sigma_2z_minus_1(z):
    assert A.tanh(Value(z)).data == pytest.approx(2 * A.sigmoid(Value(2 * z)).data - 1, abs=1e-15)


@pytest.mark.parametrize("function", [
    A.sigmoid, A.tanh, A.linear,
    lambda z: A.leaky_relu(z, 0.01), lambda z: A.leaky_relu(z, 0.2),
    lambda z: A.elu(z, 1.0), lambda z: A.elu(z, 0.5), lambda z: A.elu(z, 2.0),
], ids=["sigmoid", "tanh", "linear", "leaky0.01", "leaky0.2", "elu1", "elu0.5", "elu2"])
@pytest.mark.parametrize("z", POINTS)
def test_derivatives_match_central_differences_at_and_around_zero(function, z):
    # Around 0 the step 1e-6 straddles nothing at +-1e-3; at exactly 0 the max gate's tie rule
    # gives the mean of the one-sided slopes, which is what a central difference measures.
    result = gradcheck(function, z)
    assert result.ok, str(result)


@pytest.mark.parametrize("z", [-3.0, -0.7, -1e-3, 1e-3, 0.4, 2.5])
def test_relu_derivative_matches_central_differences_away_from_zero(z):
    result = gradcheck(A.relu, z)
    assert result.ok, str(result)


def test_relu_derivative_at_zero_is_zero_by_the_documented_rule():
    z = Value(0.0)
    A.relu(z).backward()
    assert z.grad == 0.0


@pytest.mark.parametrize("z", [-2.0, -0.5, 0.0, 0.5, 2.0])
@pytest.mark.parametrize("slope", [0.05, 0.25, 0.9])
def test_prelu_derivatives_in_input_and_slope(z, slope):
    result = gradcheck(A.prelu, z, slope)
    assert result.ok, str(result)
    x, a = Value(z), Value(slope)
    A.prelu(x, a).backward()
    if z < 0:  # max(a z, z) = a z: d/da = z, d/dz = a
        assert (a.grad, x.grad) == (pytest.approx(z), pytest.approx(slope))
    if z > 0:
        assert (a.grad, x.grad) == (0.0, 1.0)


def test_elu_never_overflows_for_large_inputs():
    assert A.elu(Value(1000.0)).data == 1000.0
    assert A.elu(Value(-1000.0)).data == -1.0


def test_prelu_neurons_each_own_a_learnable_slope():
    layer = nn.Layer(2, 3, activation="prelu", rng=random.Random(0), name="L1")
    slopes = [n.activation.slope for n in layer.neurons]
    assert len({id(s) for s in slopes}) == 3
    names = [name for name, _ in layer.named_parameters()]
    assert names[:4] == ["L1.N1.w0", "L1.N1.w1", "L1.N1.b", "L1.N1.slope"]
    assert all(s.data == 0.25 for s in slopes)
    # a negative pre-activation sends its gradient to the slope
    neuron = layer.neurons[0]
    neuron.load_state_dict({"L1.N1.w0": 1.0, "L1.N1.w1": 1.0, "L1.N1.b": 0.0,
                            "L1.N1.slope": 0.25})
    neuron([-1.0, -2.0]).backward()
    assert neuron.activation.slope.grad == -3.0


def test_leaky_relu_options_and_configs():
    act = A.get("leaky_relu", slope=0.1)
    assert act(Value(-2.0)).data == pytest.approx(-0.2)
    assert act.config() == {"name": "leaky_relu", "slope": 0.1}
    assert A.get(act.config()) == act
    assert A.get("relu").config() == "relu"
    assert A.get({"name": "elu", "alpha": 0.5})(Value(-1.0)).data == pytest.approx(
        0.5 * (math.exp(-1.0) - 1.0))


def test_a_callable_is_an_activation():
    def square(z):
        return z * z

    neuron = nn.Neuron(1, activation=square, rng=random.Random(0))
    neuron.load_state_dict({"w0": 2.0, "b": 1.0})
    assert neuron([3.0]).data == 49.0


def test_maxout_is_the_max_over_its_linear_pieces_and_routes_the_gradient():
    unit = nn.Maxout(2, pieces=3, rng=random.Random(0))
    unit.load_state_dict({"p1.w0": 1.0, "p1.w1": 0.0, "p1.b": 0.0,
                          "p2.w0": 0.0, "p2.w1": 1.0, "p2.b": 0.0,
                          "p3.w0": -1.0, "p3.w1": -1.0, "p3.b": 0.5})
    out = unit([2.0, 3.0])
    assert out.data == 3.0  # max(2, 3, -4.5)
    out.backward()
    grads = {name: p.grad for name, p in unit.named_parameters()}
    assert grads["p2.w0"] == 2.0 and grads["p2.w1"] == 3.0 and grads["p2.b"] == 1.0
    assert grads["p1.w0"] == grads["p3.w0"] == 0.0


def test_maxout_in_an_mlp_trains_and_counts_its_parameters():
    model = nn.MLP(2, [3, 1], activation="maxout", pieces=2, rng=random.Random(0))
    assert model.num_parameters() == 3 * 2 * 3 + 4
    assert "maxout of 2" in repr(model)
    X, y = nn.data.xor()
    nn.fit(model, X, y, loss="bce_with_logits", epochs=200, lr=0.5, progress=False)
    assert nn.evaluate(model, X, y, loss="bce_with_logits")[1] == 1.0


def test_a_wrong_name_lists_the_valid_ones():
    with pytest.raises(ValueError, match="unknown activation 'swish'.*relu, sigmoid, tanh"):
        nn.MLP(2, [3, 1], activation="swish")
    with pytest.raises(ValueError, match="takes the options"):
        A.get("relu", slope=0.1)
    with pytest.raises(ValueError, match="slope must be in"):
        A.get("leaky_relu", slope=2.0)
