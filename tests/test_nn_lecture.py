"""The lecture's network examples (a network is a function, the two-layer network with a squared
L2 loss, linear separability), built with nn. Every expected number is computed here by hand in
plain floats (math.exp and the lecture's closed forms), never taken from the engine."""

import math
import random

import pytest

from gategrad import nn


def sigma(z):
    return 1.0 / (1.0 + math.exp(-z))


# --- a network is a function (the lecture's feed-forward example) -----------------------------

W = [[[1, -2], [-1, 1]], [[2, -1], [-2, -1]], [[3, -1], [-1, 4]]]
B = [[1, 0], [0, 0], [-2, 2]]


def lecture_network():
    model = nn.MLP(2, [2, 2, 2], activation="sigmoid", output_activation="sigmoid",
                   rng=random.Random(0))
    state = {}
    for k in range(3):
        for j in range(2):
            state[f"L{k + 1}.N{j + 1}.w0"] = W[k][j][0]
            state[f"L{k + 1}.N{j + 1}.w1"] = W[k][j][1]
            state[f"L{k + 1}.N{j + 1}.b"] = B[k][j]
    model.load_state_dict(state)
    return model


def by_hand(x):
    """sigma(W_k h + b_k) for k = 1, 2, 3, in plain floats; returns every layer's output."""
    layers, h = [], x
    for k in range(3):
        h = [sigma(sum(W[k][j][i] * h[i] for i in range(2)) + B[k][j]) for j in range(2)]
        layers.append(h)
    return layers


@pytest.mark.parametrize("x, lecture", [
    ([1.0, -1.0], [[0.98, 0.12], [0.86, 0.11], [0.62, 0.83]]),
    ([0.0, 0.0], [[0.73, 0.5], [0.72, 0.12], [0.51, 0.85]]),
])
def test_section_5_three_sigmoid_layers(x, lecture):
    model = lecture_network()
    hand = by_hand(x)
    h = x
    for layer, expected_hand, expected_lecture in zip(model.layers, hand, lecture, strict=True):
        h = layer(h)
        assert [v.data for v in h] == pytest.approx(expected_hand, rel=1e-14)
        assert [round(v.data, 2) for v in h] == expected_lecture
    assert [round(v.data, 2) for v in model(x)] == lecture[-1]


def test_section_5_first_layer_pre_activation_is_4_and_minus_2():
    model = lecture_network()
    z = [n.pre_activation([1.0, -1.0]).data for n in model.layers[0].neurons]
    assert z == [4.0, -2.0]


# --- the two-layer network with a squared L2 loss (the lecture's worked example) -------------

X_IN = 0.7
W1, B1 = [0.4, -0.9], [0.1, 0.3]                 # w_j^[1], b_j^[1]
W2 = [[0.5, -1.2], [0.8, 0.6]]                  # W2[j][k] = w_jk^[2], hidden j -> output k
B2 = [-0.2, 0.05]                               # b_k^[2]
Y = [1.0, -0.5]


def seed_002_network(fused=True):
    model = nn.MLP(1, [2, 2], activation="sigmoid", rng=random.Random(0), fused=fused)
    state = {}
    for j in range(2):
        state[f"L1.N{j + 1}.w0"] = W1[j]
        state[f"L1.N{j + 1}.b"] = B1[j]
    for k in range(2):
        for j in range(2):
            state[f"L2.N{k + 1}.w{j}"] = W2[j][k]
        state[f"L2.N{k + 1}.b"] = B2[k]
    model.load_state_dict(state)
    return model


def closed_forms():
    z = [X_IN * W1[j] + B1[j] for j in range(2)]
    a = [sigma(zj) for zj in z]
    y_hat = [W2[0][k] * a[0] + W2[1][k] * a[1] + B2[k] for k in range(2)]
    err = [2 * (y_hat[k] - Y[k]) for k in range(2)]           # dL/dy_hat_k
    grads = {}
    for k in range(2):
        for j in range(2):
            grads[f"L2.N{k + 1}.w{j}"] = err[k] * a[j]       # dL/dw_jk^[2] = 2(y_hat_k - y_k) a_j
        grads[f"L2.N{k + 1}.b"] = err[k]                     # dL/db_k^[2] = 2(y_hat_k - y_k)
    for j in range(2):
        upstream = (err[0] * W2[j][0] + err[1] * W2[j][1]) * sigma(z[j]) * (1 - sigma(z[j]))
        grads[f"L1.N{j + 1}.w0"] = upstream * X_IN           # ... sigma(z)(1 - sigma(z)) x
        grads[f"L1.N{j + 1}.b"] = upstream                   # the same without the x
    loss = (y_hat[0] - Y[0]) ** 2 + (y_hat[1] - Y[1]) ** 2
    return loss, grads


@pytest.mark.parametrize("fused", [True, False])
def test_section_6_gradients_equal_the_seeds_closed_forms(fused):
    model = seed_002_network(fused)
    loss = nn.losses.squared_l2(model([X_IN]), Y)
    loss.backward()
    expected_loss, expected = closed_forms()
    assert loss.data == pytest.approx(expected_loss, rel=1e-14)
    got = {name: p.grad for name, p in model.named_parameters()}
    assert got.keys() == expected.keys()
    for name, value in expected.items():
        assert got[name] == pytest.approx(value, rel=1e-12, abs=1e-15), name


def test_section_6_one_gradient_step_moves_w_as_written():
    eta = 0.5
    model = seed_002_network()
    nn.losses.squared_l2(model([X_IN]), Y).backward()
    nn.SGD(model.parameters(), lr=eta).step()
    _, grads = closed_forms()
    # w_11^[2] <- w_11^[2] - eta dL/dw_11^[2], and the same for b_1^[2], w_1^[1], b_1^[1].
    state = model.state_dict()
    assert state["L2.N1.w0"] == pytest.approx(W2[0][0] - eta * grads["L2.N1.w0"], rel=1e-14)
    assert state["L2.N1.b"] == pytest.approx(B2[0] - eta * grads["L2.N1.b"], rel=1e-14)
    assert state["L1.N1.w0"] == pytest.approx(W1[0] - eta * grads["L1.N1.w0"], rel=1e-14)
    assert state["L1.N1.b"] == pytest.approx(B1[0] - eta * grads["L1.N1.b"], rel=1e-14)
    loss_before, _ = closed_forms()
    assert nn.losses.squared_l2(model([X_IN]), Y).data < loss_before  # the step went downhill


# --- linear separability (the lecture's perceptron) -------------------------------------------

def train_single_neuron(data, seed):
    X, y = data
    neuron = nn.Neuron(2, activation="sigmoid", rng=random.Random(seed))
    nn.fit(neuron, X, y, loss="bce", epochs=300, lr=2.0, progress=False)
    return nn.evaluate(neuron, X, y, loss="bce")[1]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_section_7_one_neuron_learns_and_and_or(seed):
    assert train_single_neuron(nn.data.and_gate(), seed) == 1.0
    assert train_single_neuron(nn.data.or_gate(), seed) == 1.0


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_section_7_one_neuron_cannot_learn_xor(seed):
    assert train_single_neuron(nn.data.xor(), seed) <= 0.75


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_section_7_one_hidden_layer_learns_xor(seed):
    X, y = nn.data.xor()
    model = nn.MLP(2, [4, 1], activation="tanh", rng=random.Random(seed))
    history = nn.fit(model, X, y, loss="bce_with_logits", epochs=300, lr=1.0, progress=False)
    assert nn.evaluate(model, X, y, loss="bce_with_logits")[1] == 1.0
    assert history.train_loss[-1] < history.train_loss[0]


def test_section_7_an_mlp_learns_3_bit_parity():
    X, y = nn.data.parity(3)
    model = nn.MLP(3, [8, 1], activation="tanh", rng=random.Random(0))
    nn.fit(model, X, y, loss="bce_with_logits", epochs=300, lr=1.0, progress=False)
    assert nn.evaluate(model, X, y, loss="bce_with_logits")[1] == 1.0
