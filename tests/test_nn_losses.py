"""nn.losses against closed forms and HIPS autograd (values and gradients), at ordinary and at
extreme inputs (logits of +-1000), and their errors."""

import math

import autograd.numpy as anp
import pytest
from autograd import grad

from gategrad.engine import Value, gradcheck
from gategrad.nn import losses


def values(xs):
    return [Value(x) for x in xs]


def grads_of(loss_fn, xs, *args):
    leaves = values(xs)
    out = loss_fn(leaves, *args)
    out.backward()
    return out.data, [v.grad for v in leaves]


PRED, TARGET = [0.3, -1.2, 2.5], [0.0, -1.0, 3.0]


def test_squared_l2_and_mse_against_autograd():
    def squared_l2_np(p):
        return anp.sum((p - anp.array(TARGET)) ** 2)

    value, g = grads_of(losses.squared_l2, PRED, TARGET)
    assert value == pytest.approx(float(squared_l2_np(anp.array(PRED))), rel=1e-14)
    assert g == pytest.approx(list(grad(squared_l2_np)(anp.array(PRED))), rel=1e-14)
    value, g = grads_of(losses.mse, PRED, TARGET)
    assert value == pytest.approx(float(squared_l2_np(anp.array(PRED))) / 3, rel=1e-14)
    assert g == pytest.approx([2 * (p - t) / 3 for p, t in zip(PRED, TARGET, strict=True)])


def test_squared_l2_of_one_prediction_is_the_square():
    assert losses.squared_l2(Value(3.0), 1.0).data == 4.0


PROBS, LABELS = [0.9, 0.2, 0.6, 0.35], [1, 0, 0.7, 1]


def test_bce_against_the_formula_and_autograd():
    def bce_np(p):
        t = anp.array(LABELS, dtype=float)
        return -anp.mean(t * anp.log(p) + (1 - t) * anp.log(1 - p))

    value, g = grads_of(losses.bce, PROBS, LABELS)
    assert value == pytest.approx(float(bce_np(anp.array(PROBS))), rel=1e-14)
    assert g == pytest.approx(list(grad(bce_np)(anp.array(PROBS))), rel=1e-12)


def test_bce_of_a_saturated_probability_is_large_but_finite():
    assert losses.bce(Value(1.0), 0).data == pytest.approx(100.0)  # log clamped at -100
    assert losses.bce(Value(0.0), 0).data == 0.0
    assert losses.bce(Value(1.0), 1).data == 0.0


LOGITS, BINARY = [0.0, 2.0, -3.5, 0.4, 12.0], [1, 0, 0, 1, 1]


def test_bce_with_logits_against_autograd_and_equals_bce_of_sigmoid():
    def bce_logits_np(z):
        t = anp.array(BINARY, dtype=float)
        return anp.mean(anp.log(1 + anp.exp(z)) - t * z)

    value, g = grads_of(losses.bce_with_logits, LOGITS, BINARY)
    assert value == pytest.approx(float(bce_logits_np(anp.array(LOGITS))), rel=1e-13)
    assert g == pytest.approx(list(grad(bce_logits_np)(anp.array(LOGITS))), rel=1e-12)
    # the gradient is (sigmoid(z) - y) / n everywhere, z = 0 included
    n = len(LOGITS)
    expected = [(1 / (1 + math.exp(-z)) - t) / n for z, t in zip(LOGITS, BINARY, strict=True)]
    assert g == pytest.approx(expected, rel=1e-12)
    p = [1 / (1 + math.exp(-z)) for z in LOGITS]
    assert value == pytest.approx(losses.bce(values(p), BINARY).data, rel=1e-12)


@pytest.mark.parametrize("z, t, loss, slope", [
    (1000.0, 1, 0.0, 0.0), (1000.0, 0, 1000.0, 1.0),
    (-1000.0, 1, 1000.0, -1.0), (-1000.0, 0, 0.0, 0.0),
    (40.0, 0, 40.0, 1.0),
])
def test_bce_with_logits_is_exact_for_huge_logits(z, t, loss, slope):
    value, g = grads_of(losses.bce_with_logits, [z], [t])
    assert value == pytest.approx(loss, abs=1e-12)
    assert g[0] == pytest.approx(slope, abs=1e-12)


@pytest.mark.parametrize("z", [-2.0, -1e-3, 0.0, 1e-3, 3.0])
@pytest.mark.parametrize("t", [0.0, 0.3, 1.0])
def test_bce_with_logits_gradcheck(z, t):
    result = gradcheck(lambda v: losses.bce_with_logits(v, t), z)
    assert result.ok, str(result)


def softmax_by_hand(z):
    top = max(z)
    e = [math.exp(v - top) for v in z]
    return [v / sum(e) for v in e]


def test_softmax_sums_to_one_and_matches_autograd():
    z = [2.0, 1.0, 0.1, -1.5]
    probs = losses.softmax(values(z))
    assert [p.data for p in probs] == pytest.approx(softmax_by_hand(z), rel=1e-14)
    assert sum(p.data for p in probs) == pytest.approx(1.0, rel=1e-15)

    weights = [0.5, -1.0, 2.0, 0.25]

    def weighted_np(logits):
        e = anp.exp(logits - anp.max(logits))
        return anp.sum(anp.array(weights) * e / anp.sum(e))

    leaves = values(z)
    out = sum(p * w for p, w in zip(losses.softmax(leaves), weights, strict=True))
    out.backward()
    assert [v.grad for v in leaves] == pytest.approx(list(grad(weighted_np)(anp.array(z))),
                                                     rel=1e-12)


def test_softmax_of_huge_logits():
    probs = losses.softmax(values([1000.0, -1000.0, 999.0]))
    expected = [1 / (1 + math.exp(-1)), 0.0, math.exp(-1) / (1 + math.exp(-1))]
    assert [p.data for p in probs] == pytest.approx(expected, rel=1e-14)


@pytest.mark.parametrize("z, target", [
    ([2.0, 1.0, 0.1], 0), ([2.0, 1.0, 0.1], 2), ([-0.5, 3.0, 0.0, 1.2], 1),
])
def test_cross_entropy_equals_its_closed_form(z, target):
    value, g = grads_of(losses.cross_entropy, z, target)
    assert value == pytest.approx(-z[target] + math.log(sum(math.exp(v) for v in z)), rel=1e-14)
    onehot = [1.0 if k == target else 0.0 for k in range(len(z))]
    assert g == pytest.approx([p - o for p, o in zip(softmax_by_hand(z), onehot, strict=True)],
                              rel=1e-12, abs=1e-15)


@pytest.mark.parametrize("z, target, loss, gradient", [
    ([1000.0, -1000.0, 0.0], 0, 0.0, [0.0, 0.0, 0.0]),
    ([1000.0, -1000.0, 0.0], 1, 2000.0, [1.0, -1.0, 0.0]),
    ([-1000.0, -1000.0], 0, math.log(2), [-0.5, 0.5]),
    ([1000.0, 1000.0, -1000.0], 2, 2000.0 + math.log(2), [0.5, 0.5, -1.0]),
])
def test_cross_entropy_is_stable_for_logits_of_1000(z, target, loss, gradient):
    value, g = grads_of(losses.cross_entropy, z, target)
    assert value == pytest.approx(loss, rel=1e-14, abs=1e-14)
    assert g == pytest.approx(gradient, abs=1e-14)


def test_cross_entropy_over_a_batch_is_the_mean():
    batch = [values([1.0, 2.0]), values([0.5, -0.5])]
    one = [losses.cross_entropy(values([1.0, 2.0]), 1).data,
           losses.cross_entropy(values([0.5, -0.5]), 0).data]
    assert losses.cross_entropy(batch, [1, 0]).data == pytest.approx(sum(one) / 2, rel=1e-15)


def test_hinge_is_the_mean_margin_violation():
    scores, labels = [2.0, 0.3, -0.5, -3.0], [1, 1, 1, -1]
    value, g = grads_of(losses.hinge, scores, labels)
    assert value == pytest.approx((0 + 0.7 + 1.5 + 0) / 4, rel=1e-15)
    assert g == pytest.approx([0.0, -0.25, -0.25, 0.0])


def test_multiclass_hinge_against_its_closed_form():
    scores, target = [3.2, 5.1, -1.7, 2.9], 0
    value, g = grads_of(losses.multiclass_hinge, scores, target)
    terms = [max(0.0, s - scores[target] + 1.0) for k, s in enumerate(scores) if k != target]
    assert value == pytest.approx(sum(terms), rel=1e-14)
    # each violated margin sends +1 to its class and -1 to the target
    assert g == pytest.approx([-2.0, 1.0, 0.0, 1.0])


def test_l2_penalty_is_lambda_times_the_sum_of_squares():
    params = values([0.5, -2.0, 3.0])
    penalty = losses.l2_penalty(params, 0.01)
    penalty.backward()
    assert penalty.data == pytest.approx(0.01 * (0.25 + 4.0 + 9.0), rel=1e-15)
    assert [p.grad for p in params] == pytest.approx([0.01, -0.04, 0.06], rel=1e-15)


@pytest.mark.parametrize("call, message", [
    (lambda: losses.mse(values([1.0, 2.0]), [1.0]), "2 predictions but 1 targets"),
    (lambda: losses.hinge(values([1.0, 2.0]), [1, 0]), "labels must be -1 or \\+1, got 0"),
    (lambda: losses.bce(values([0.5]), [2.0]), "target must be in \\[0, 1\\], got 2.0"),
    (lambda: losses.bce(values([1.5]), [1]), "probability must be in \\[0, 1\\], got 1.5"),
    (lambda: losses.bce_with_logits(values([1.0]), [-1]), "target must be in \\[0, 1\\]"),
    (lambda: losses.cross_entropy(values([1.0, 2.0]), 2), "class index 2 is out of range"),
    (lambda: losses.cross_entropy(values([1.0, 2.0]), 1.0), "must be a class index"),
    (lambda: losses.multiclass_hinge(values([1.0, 2.0]), -1), "out of range for 2 classes"),
    (lambda: losses.softmax([]), "no logits"),
])
def test_bad_labels_and_sizes_are_clear_errors(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# PyTorch's names: torch.nn.functional's formulas with reduction='mean', written out here with
# math, and the same numbers and gradients as our names
PROBS, LABELS = [0.2, 0.9, 0.55], [0.0, 1.0, 1.0]
TORCH_LOGITS = [-1.3, 2.2, 0.0]


def torch_bce(p, y):
    terms = [-(t * math.log(q) + (1 - t) * math.log(1 - q)) for q, t in zip(p, y, strict=True)]
    return sum(terms) / len(p)


def torch_bce_with_logits(z, y):
    return sum(max(s, 0) - s * t + math.log1p(math.exp(-abs(s)))
               for s, t in zip(z, y, strict=True)) / len(z)


@pytest.mark.parametrize("torch_name, ours, inputs, targets, formula", [
    ("binary_cross_entropy", losses.bce, PROBS, LABELS, torch_bce),
    ("binary_cross_entropy_with_logits", losses.bce_with_logits, TORCH_LOGITS, LABELS,
     torch_bce_with_logits),
    ("mse_loss", losses.mse, PRED, TARGET,
     lambda p, t: sum((a - b) ** 2 for a, b in zip(p, t, strict=True)) / len(p)),
])
def test_pytorchs_loss_names_equal_ours_and_pytorchs_formula(torch_name, ours, inputs, targets,
                                                             formula):
    theirs = getattr(losses, torch_name)
    value, g = grads_of(theirs, inputs, targets)
    our_value, our_g = grads_of(ours, inputs, targets)
    assert value == our_value and g == our_g
    assert value == pytest.approx(formula(inputs, targets), rel=1e-14)
    assert gradcheck(lambda *v: theirs(list(v), targets), *inputs).ok
    assert torch_name in losses.__all__ and theirs.__doc__.startswith("PyTorch's name for")


@pytest.mark.parametrize("torch_name, ours", [("binary_cross_entropy_with_logits",
                                                "bce_with_logits"), ("mse_loss", "mse"),
                                               ("binary_cross_entropy", "bce")])
def test_pytorchs_names_work_as_loss_strings_in_fit(torch_name, ours):
    import random

    from gategrad import nn
    X, y = nn.data.and_gate()
    runs = []
    for name in (torch_name, ours):
        model = nn.MLP(2, [3, 1], rng=random.Random(0),
                       output_activation="sigmoid" if ours == "bce" else None)
        runs.append(nn.fit(model, X, y, loss=name, epochs=5, lr=0.5, progress=False))
    assert runs[0].train_loss == runs[1].train_loss and runs[0].train_acc == runs[1].train_acc
    assert nn.evaluate(model, X, y, loss=torch_name) == nn.evaluate(model, X, y, loss=ours)


def test_the_modules_list_their_public_names():
    from gategrad.nn import activations
    for module in (losses, activations):
        public = {name for name, obj in vars(module).items() if not name.startswith("_")
                  and getattr(obj, "__module__", None) == module.__name__}
        assert public <= set(module.__all__), public - set(module.__all__)
        assert all(hasattr(module, name) for name in module.__all__)
