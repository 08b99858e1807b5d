"""fit(compile=True) trains to the same numbers as the plain graph, for every kind of step, loss
and layer; a model whose graph depends on the numbers is not compiled."""

import random

import pytest

from gategrad import nn
from gategrad.engine import Value
from gategrad.engine.codegen.tracing import DataDependentError
from gategrad.nn.training.compiled import compile_training


def _train(model_maker, X, y, compile, **options):
    model = model_maker()
    history = nn.fit(model, X, y, progress=False, compile=compile, rng=random.Random(3),
                     **options)
    return [p.data for p in model.parameters()], history


def _same_training(model_maker, X, y, **options):
    plain, h_plain = _train(model_maker, X, y, False, **options)
    compiled, h_compiled = _train(model_maker, X, y, True, **options)
    assert compiled == pytest.approx(plain, rel=1e-9, abs=1e-12)
    assert h_compiled.train_loss == pytest.approx(h_plain.train_loss, rel=1e-9, abs=1e-12)
    assert h_compiled.train_acc == h_plain.train_acc


def test_micrograd_demo_trains_to_the_same_numbers_with_and_without_compile():
    X, y = nn.data.moons(100, noise=0.1)
    _same_training(lambda: nn.MLP(2, [16, 16, 1], rng=random.Random(0)), X, y, loss="hinge",
                   l2=1e-4, epochs=100, lr=1.0, lr_schedule=nn.LinearDecay(1.0, 0.1, 100))


@pytest.mark.parametrize("batch_size", [1, 7, None])
@pytest.mark.parametrize("loss", ["hinge", "bce_with_logits", "mse"])
def test_every_kind_of_step_and_loss(batch_size, loss):
    X, y = nn.data.moons(40, noise=0.2, seed=2)
    _same_training(lambda: nn.MLP(2, [6, 1], activation="tanh", rng=random.Random(1)), X, y,
                   loss=loss, epochs=5, lr=0.3, batch_size=batch_size, momentum=0.5, l2=1e-3)


def test_several_outputs_with_softmax_cross_entropy():
    X, y = nn.data.spirals(30, classes=3, seed=0)
    _same_training(lambda: nn.MLP(2, [8, 3], rng=random.Random(2)), X, y,
                   loss="cross_entropy", epochs=4, lr=0.5, batch_size=10)


@pytest.mark.parametrize("activation", ["sigmoid", "leaky_relu", "prelu", "elu", "maxout"])
def test_other_units(activation):
    X, y = nn.data.xor()
    _same_training(lambda: nn.MLP(2, [4, 1], activation=activation, rng=random.Random(4)), X, y,
                   loss="bce_with_logits", epochs=10, lr=0.5)


def test_a_model_whose_graph_depends_on_the_numbers_is_not_compiled(capsys):
    def sign_dependent(z: Value) -> Value:
        return z * 2.0 if z.data > 0 else z * 0.5  # a Python `if` on the number

    model = nn.MLP(2, [3, 1], activation=sign_dependent, rng=random.Random(0))
    X, y = [[1.0, 2.0], [-3.0, -1.0]], [1.0, 0.0]
    objective = nn.objectives.get("mse")
    with pytest.raises(DataDependentError, match="test_nn_compiled.py"):
        compile_training(model, objective, 0.0, X, y, nn.SGD(model.parameters()))
    with pytest.raises(ValueError, match="cannot be traced once"):
        nn.fit(model, X, y, compile=True, epochs=1, progress=False)
    nn.fit(model, X, y, epochs=1, progress=False)  # the default falls back to the plain graph
    notice = capsys.readouterr().err.strip().splitlines()
    assert len(notice) == 1 and notice[0].startswith("fit: training on the plain graph")


def test_compile_must_be_a_bool_or_none():
    with pytest.raises(ValueError, match="compile must be"):
        nn.fit(nn.Neuron(1), [[1.0]], [1.0], compile="yes", progress=False)


def test_the_compiled_step_is_the_default_for_nn_models():
    X, y = nn.data.and_gate()
    model = nn.Neuron(2, activation="linear", rng=random.Random(0))
    step = compile_training(model, nn.objectives.get("mse"), 0.0, X, y,
                            nn.SGD(model.parameters()))
    assert step is not None
    assert step.fn.source.startswith("def grad_out(w0, w1, b, x0, x1, d_out=1.0):")


def test_the_demo_run_in_mini_batches_with_momentum_l2_and_a_schedule():
    X, y = nn.data.moons(100, noise=0.1)
    _same_training(lambda: nn.MLP(2, [16, 16, 1], rng=random.Random(0)), X, y, loss="hinge",
                   l2=1e-4, epochs=30, lr=0.5, batch_size=16, momentum=0.9,
                   lr_schedule=nn.LinearDecay(0.5, 0.05, 150))


def test_a_loss_of_your_own_and_an_optimizer_of_your_own_train_alike():
    class HalvedSGD(nn.SGD):  # not nn.SGD itself: compiled training lets it step the Values
        def step(self):
            super().step()
            for p in self.params:
                p.data *= 0.999

    def cube_loss(outputs, targets):  # no numpy code for this one: its plain graph runs
        return sum(((o - t) * (o - t) * (o - t)).relu() for o, t in zip(outputs, targets))

    X, y = nn.data.moons(30, noise=0.2, seed=5)
    for options in ({"loss": cube_loss}, {"loss": "mse"}):
        runs = []
        for compiled in (True, False):
            model = nn.MLP(2, [5, 1], activation="tanh", rng=random.Random(6))
            opt = HalvedSGD(model.parameters(), lr=0.05)
            nn.fit(model, X, y, epochs=8, optimizer=opt, batch_size=10, rng=random.Random(1),
                   progress=False, compile=compiled, **options)
            runs.append([p.data for p in model.parameters()])
        assert runs[0] == pytest.approx(runs[1], rel=1e-9, abs=1e-12)


def test_training_interrupted_mid_epoch_leaves_the_weights_of_the_last_finished_step():
    X, y = nn.data.moons(40, noise=0.1, seed=3)
    runs = []
    for compiled in (True, False):
        calls = []

        def correct(out, t, calls=calls):  # called for each sample after its batch's update
            calls.append(1)
            if len(calls) == 3 * 8 + 1:  # in the 4th batch: 4 steps are finished
                raise KeyboardInterrupt
            return (out > 0.0) == (t == 1)

        model = nn.MLP(2, [6, 1], rng=random.Random(2))
        history = nn.fit(model, X, y, loss="hinge", epochs=5, lr=0.3, batch_size=8,
                         accuracy=correct, rng=random.Random(4), progress=False,
                         compile=compiled)
        assert history.stop_reason.startswith("interrupted")
        runs.append(([p.data for p in model.parameters()], [p.grad for p in model.parameters()]))
    (weights, grads), (plain_weights, plain_grads) = runs
    assert weights == pytest.approx(plain_weights, rel=1e-12, abs=1e-15)
    assert grads == pytest.approx(plain_grads, rel=1e-12, abs=1e-15)
    fresh = nn.MLP(2, [6, 1], rng=random.Random(2))
    assert weights != [p.data for p in fresh.parameters()]  # it did train


def test_the_step_is_matrix_code_with_one_product_per_layer():
    X, y = nn.data.moons(20, noise=0.1)
    model = nn.MLP(2, [16, 16, 1], rng=random.Random(0))
    training = compile_training(model, nn.objectives.get("hinge"), 1e-4, X, y,
                                nn.SGD(model.parameters()))
    source = training.run.source
    assert source.count(" @ W") == 3 + 2  # a product per layer forward; 2 back to the inputs
    assert "X2 = A1" in source and "OUT = Z3" in source
    assert "columns(" not in source  # no per-unit column is unstacked or stacked again


def test_a_loss_without_numpy_code_on_a_multiclass_model_is_compiled(capsys):
    X, y = nn.data.spirals(15, classes=3, seed=2)
    # (the spirals start at the origin, where every relu sits at its kink: an exact tie that
    # rounding may break either way; the points there are left out)
    X, y = zip(*[(x, t) for x, t in zip(X, y) if abs(x[0]) + abs(x[1]) > 1e-6])
    _same_training(lambda: nn.MLP(2, [6, 3], rng=random.Random(5)), X, y,
                   loss="multiclass_hinge", epochs=4, lr=0.2, batch_size=9)
    assert "not compiled" not in capsys.readouterr().err
