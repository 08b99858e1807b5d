"""What the core promises beyond the arithmetic: grad mode per thread, read-only constants, NaN that
stays NaN, and graphs and models that copy and pickle, in this process and a fresh one."""

import copy
import math
import pickle
import random
import subprocess
import sys
import threading

import pytest

from gategrad import nn
from gategrad.engine import (
    GATES,
    Constant,
    Value,
    defgate,
    enable_grad,
    is_grad_enabled,
    no_grad,
    remove_gate,
)

# --- grad mode -------------------------------------------------------------------------------


def test_no_grad_in_one_thread_leaves_another_thread_recording():
    inside, release = threading.Event(), threading.Event()

    def inference():
        with no_grad():
            inside.set()
            release.wait(5)

    worker = threading.Thread(target=inference)
    worker.start()
    assert inside.wait(5)
    try:
        x = Value(3.0)
        y = x * x  # this thread records although the other is inside no_grad()
        y.backward()
        assert is_grad_enabled() and y.parents == (x, x) and x.grad == 6.0
    finally:
        release.set()
        worker.join()


def test_threads_entering_and_leaving_no_grad_leave_recording_on():
    barrier = threading.Barrier(8)

    def churn():
        barrier.wait()
        for _ in range(2000):
            with no_grad():
                assert (Value(1.0) * 2.0).parents == ()

    threads = [threading.Thread(target=churn) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert is_grad_enabled()
    assert len((Value(1.0) * 2.0).parents) == 2


def test_no_grad_as_a_decorator_and_enable_grad_inside_it():
    @no_grad()
    def predict(x):
        inner = None
        with enable_grad():
            inner = x * 2.0
        return x * 3.0, inner, is_grad_enabled()

    x = Value(1.0)
    out, inner, mode = predict(x)
    assert out.parents == () and out.gate is None and not mode
    assert inner.parents[0] is x and is_grad_enabled()
    assert predict.__name__ == "predict"


def test_no_grad_restores_the_mode_after_an_error():
    with pytest.raises(ZeroDivisionError), no_grad():
        Value(0.0).reciprocal()
    assert is_grad_enabled()


# --- constants ---------------------------------------------------------------------------------

def test_a_constant_cannot_be_changed_and_later_constants_are_unaffected():
    y = Value(2.0) * 3.0
    with pytest.raises(AttributeError, match=r"Constant\(3\.0\) is read-only"):
        y.parents[1].data = 5.0
    assert (Value(1.0) * 3.0).data == 3.0
    c = y.parents[1]
    c.grad = 7.0  # what backward sends a constant is dropped
    assert c.grad == 0.0


def test_each_constant_operand_is_its_own_node():
    a, b = Value(1.0) * 3.0, Value(2.0) * 3.0
    assert a.parents[1] is not b.parents[1]


# --- NaN ---------------------------------------------------------------------------------------

NAN = math.nan


@pytest.mark.parametrize("build", [
    lambda x: x.relu(), lambda x: x.max(1.0), lambda x: Value(1.0).max(x), lambda x: x.exp(),
    lambda x: x.tanh(), lambda x: x.sigmoid(), lambda x: x.log(), lambda x: 1 / x,
    lambda x: x ** 2, lambda x: x * 0.0, lambda x: x + 1.0,
])
def test_nan_goes_through_every_gate_as_nan(build):
    assert math.isnan(build(Value(NAN)).data)


def test_max_with_a_nan_sends_the_gradient_to_both_inputs_as_pytorch_does():
    a, b = Value(NAN), Value(1.0)
    a.max(b).backward()
    assert (a.grad, b.grad) == (1.0, 1.0)


def test_relu_of_nan_passes_its_gradient_on_as_pytorch_does():
    x = Value(NAN)
    x.relu().backward()
    assert x.grad == 1.0


def test_max_loser_gets_zero_not_nan_under_an_infinite_upstream_gradient():
    a, b = Value(2.0), Value(1.0)
    m = a.max(b)
    (m * math.inf).backward()
    assert a.grad == math.inf and b.grad == 0.0


# --- copy and pickle ---------------------------------------------------------------------------

def test_backward_through_a_copy_of_an_interior_node_beside_the_original():
    for clone in (copy.copy, copy.deepcopy):
        x = Value(2.0)
        h = x * 3.0
        h2 = clone(h)
        f = h * h2
        f.backward()
        expected = 2 * 6.0 * 3.0 if clone is copy.copy else 6.0 * 3.0  # deepcopy copies x too
        assert x.grad == expected
        assert h.grad == 6.0 and h2.grad == 6.0


def test_a_pickled_graph_keeps_values_gradients_labels_and_gates():
    x = Value(0.5, label="x")
    f = (x * -2.0).exp().tanh()
    f.backward()
    g = pickle.loads(pickle.dumps(f))
    assert [(v.data, v.grad, v.label, v.op) for v in g.nodes()] == \
        [(v.data, v.grad, v.label, v.op) for v in f.nodes()]
    g.backward()  # the copy is a working graph of its own
    leaf = g.nodes()[0]
    assert leaf.label == "x" and leaf.grad == pytest.approx(2 * x.grad)


def test_a_constant_pickles_and_stays_read_only():
    c = pickle.loads(pickle.dumps(Constant(3.0)))
    assert (c.data, c.label, c.is_constant) == (3.0, "", True)
    with pytest.raises(AttributeError):
        c.data = 1.0


def _softplus(scale: float):
    """A user gate named 'softplus', scale * log(1 + e^x): defining it again replaces the row."""
    return defgate("softplus", forward=lambda x: scale * math.log1p(math.exp(x)),
                   local=lambda out, x: (scale / (1.0 + math.exp(-x)),),
                   rule=f"d/dx = {scale} sigmoid(x)")


def test_a_copy_keeps_the_gate_a_node_was_made_with_after_the_gate_is_redefined(user_gates):
    old = _softplus(1.0)
    x = Value(0.0)
    y = old(x)
    new = _softplus(3.0)
    assert GATES["softplus"] is new.gate
    for clone in (copy.copy, copy.deepcopy):
        x.grad = 0.0  # (copy.copy shares x; deepcopy copies it, grad and all)
        y2 = clone(y)
        assert y2.gate is old.gate  # the row itself, not the table's row of that name
        y2.backward()
        assert y2.parents[0].grad == 0.5  # the old local gradient, sigmoid(0); the new one is 1.5
    assert copy.deepcopy(old.gate) is old.gate and copy.copy(new.gate) is new.gate


def test_pickle_refuses_a_node_whose_gate_was_redefined_or_removed(user_gates):
    old = _softplus(1.0)
    y = old(Value(0.0))
    new = _softplus(3.0)
    with pytest.raises(pickle.PicklingError, match=r"the 'softplus' gate of this node was "
                       r"redefined \(or removed\) after the node was made"):
        pickle.dumps(y)
    z = new(Value(0.0))  # a node of the current row round-trips
    z2 = pickle.loads(pickle.dumps(z))
    assert z2.gate is new.gate and z2.data == z.data
    z2.backward()
    assert z2.parents[0].grad == 1.5
    remove_gate("softplus")
    with pytest.raises(pickle.PicklingError, match="'softplus' gate .* redefined"):
        pickle.dumps(z)


def _trained_model():
    rng = random.Random(0)
    model = nn.MLP(2, [8, 1], rng=rng)
    X, y = nn.data.moons(30, noise=0.1, seed=1)
    nn.fit(model, X, y, loss="hinge", epochs=1, lr=0.5, progress=False)
    return model, X


def test_a_copied_or_pickled_model_predicts_what_the_original_predicts():
    model, X = _trained_model()
    expected = [model(x).data for x in X]
    for clone in (copy.deepcopy, lambda m: pickle.loads(pickle.dumps(m))):
        other = clone(model)
        assert [other(x).data for x in X] == expected
        assert all(p is not q for p, q in zip(model.parameters(), other.parameters()))


def test_a_model_pickled_after_a_training_step_predicts_the_same_in_a_fresh_process(tmp_path):
    model, X = _trained_model()
    path = tmp_path / "model.pickle"
    path.write_bytes(pickle.dumps(model))
    code = ("import pickle, sys; model = pickle.loads(open(sys.argv[1], 'rb').read()); "
            "print(repr(model([0.25, -0.5]).data))")
    out = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True,
                         check=True)
    assert float(out.stdout) == model([0.25, -0.5]).data


def test_a_number_too_large_for_a_float_is_a_clear_overflow_error():
    with pytest.raises(OverflowError, match=r"Value: 10000.* is too large for a float"):
        Value(10**400)
    with pytest.raises(OverflowError, match=r"\* gate: .* too large for a float"):
        Value(1.0) * 10**400


def test_help_on_a_gate_method_says_what_it_computes_and_its_local_gradient():
    assert "1 - tanh(x)^2" in Value.tanh.__doc__ and "out * (1 - out)" in Value.sigmoid.__doc__
    assert "d/da = b" in Value.__mul__.__doc__
