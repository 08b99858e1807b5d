"""Value semantics: construction, operators as compositions of gates, graph semantics, no_grad."""

import gc
import math
from fractions import Fraction

import numpy as np
import pytest

from gategrad.engine import Constant, Value, linear, no_grad, sum_of

# --- construction -----------------------------------------------------------------------------


@pytest.mark.parametrize("data", [3, 2.5, True, np.float32(1.5), np.int64(7), np.float64(-2.0),
                                  Fraction(1, 4)])
def test_value_accepts_real_numbers_and_stores_a_float(data):
    v = Value(data)
    assert type(v.data) is float and v.data == float(data)
    assert (v.grad, v.label, v.op, v.parents) == (0.0, "", "", ())


@pytest.mark.parametrize("data, type_name", [("1.0", "str"), (None, "NoneType"), ([1.0], "list"),
                                             (1 + 2j, "complex"), (Value(1.0), "Value")])
def test_value_rejects_other_types_naming_them(data, type_name):
    with pytest.raises(TypeError, match=type_name):
        Value(data)


def test_repr_shows_four_significant_digits():
    f = 1 / (1 + Value(-1.0).exp())
    f.backward()
    assert repr(f) == "Value(data=0.7311, grad=1, op='1/x')"
    assert repr(Value(2.0, label="w0")) == "Value(data=2, grad=0, label='w0')"
    x = Value(10.0)
    y = x.sigmoid()
    y.backward()
    assert repr(x) == "Value(data=10, grad=4.54e-05)"  # a vanishing gradient is not 0.0000


def test_format_spec_formats_the_number():
    v = Value(0.731058, label="f")
    assert f"{v:.2f}" == "0.73" and f"{v:8.3f}" == "   0.731" and f"{v}" == repr(v)


@pytest.mark.parametrize("convert", [float, int, round, lambda v: round(v, 2), math.exp,
                                     math.floor, math.trunc, complex, lambda v: [1, 2][v]])
def test_converting_a_value_to_a_number_says_to_use_data_or_a_gate(convert):
    with pytest.raises(TypeError, match=r"use v\.data for its number.*v\.exp\(\)"):
        convert(Value(1.5))


# --- operators are compositions of the lecture's gates ----------------------------------------

def test_negation_is_the_times_minus_one_gate():
    x = Value(2.0)
    y = -x
    assert y.op == "*" and y.parents[0] is x
    assert y.parents[1].is_constant and y.parents[1].data == -1.0


def test_division_is_multiplication_by_the_reciprocal():
    a, b = Value(3.0), Value(4.0)
    q = a / b
    assert q.op == "*" and q.parents[0] is a and q.parents[1].op == "1/x"
    q.backward()
    assert (q.data, a.grad, b.grad) == (0.75, 0.25, pytest.approx(-3.0 / 16))


def test_one_over_b_is_just_the_reciprocal_gate():
    b = Value(4.0)
    r = 1 / b
    assert r.op == "1/x" and r.parents == (b,)


def test_constant_operand_on_either_side_becomes_a_constant_leaf():
    x = Value(2.0)
    for y in (x + 1, 1 + x, x * 3, 3 * x, x - 1, 5 - x, x / 2, 6 / x, x ** 2, 2 ** x):
        consts = [p for p in y.nodes() if p.is_constant]
        assert consts, y
        y.backward()
        assert all(c.grad == 0.0 and isinstance(c, Constant) for c in consts)


@pytest.mark.parametrize("expr, expected, grad", [
    (lambda x: x + 1, 3.5, 1.0), (lambda x: 1 + x, 3.5, 1.0), (lambda x: x - 1, 1.5, 1.0),
    (lambda x: 1 - x, -1.5, -1.0), (lambda x: x * 3, 7.5, 3.0), (lambda x: 3 * x, 7.5, 3.0),
    (lambda x: x / 2, 1.25, 0.5), (lambda x: 5 / x, 2.0, -5 / 6.25), (lambda x: -x, -2.5, -1.0),
    (lambda x: x ** 2, 6.25, 5.0), (lambda x: 2 ** x, 2 ** 2.5, 2 ** 2.5 * math.log(2)),
    (lambda x: x.exp(), math.exp(2.5), math.exp(2.5)), (lambda x: x.log(), math.log(2.5), 0.4),
])
def test_operators_compute_value_and_gradient(expr, expected, grad):
    x = Value(2.5)
    y = expr(x)
    y.backward()
    assert y.data == pytest.approx(expected, rel=1e-15)
    assert x.grad == pytest.approx(grad, rel=1e-15)


def test_value_minus_value_and_value_over_value():
    a, b = Value(5.0), Value(2.0)
    (a - b).backward()
    assert (a.grad, b.grad) == (1.0, -1.0)


# --- graph semantics ---------------------------------------------------------------------------

def test_a_plus_a_has_two_parents_and_gradient_two():
    a = Value(3.0)
    b = a + a
    assert b.parents == (a, a)
    b.backward()
    assert a.grad == 2.0


def test_a_times_a():
    a = Value(3.0)
    (a * a).backward()
    assert a.grad == 6.0


def test_node_reused_by_two_consumers_sums_both_paths():
    x = Value(2.0)
    h = x * 3            # used twice below
    y = h * h + h.exp()  # dy/dh = 2h + e^h, dh/dx = 3
    y.backward()
    assert h.grad == pytest.approx(2 * 6 + math.exp(6))
    assert x.grad == pytest.approx(3 * (2 * 6 + math.exp(6)))


def test_backward_twice_adds_the_same_again_to_leaves_but_not_interior_nodes():
    x, w = Value(2.0), Value(-1.5)
    h = (x * w).tanh()
    y = h * h
    y.backward()
    first = (x.grad, w.grad, h.grad)
    y.backward()
    assert (x.grad, w.grad) == (2 * first[0], 2 * first[1])
    assert h.grad == first[2]       # interior: recomputed, not accumulated
    y.zero_grad()
    assert (x.grad, w.grad, h.grad, y.grad) == (0.0, 0.0, 0.0, 0.0)
    y.backward()
    assert (x.grad, w.grad) == first[:2]


def test_backward_of_a_leaf_accumulates_one():
    x = Value(2.0)
    x.backward()
    x.backward()
    assert x.grad == 2.0


def test_zero_upstream_gradient_contributes_nothing():
    x = Value(-2.0)
    y = (x * 3).relu() * 5    # relu is off: nothing reaches x
    y.backward()
    assert x.grad == 0.0


def test_deep_chain_without_recursion_error():
    x = Value(1.0)
    y = x
    for _ in range(100_000):
        y = y * 1.0 + 0.0
    y.backward()
    assert x.grad == 1.0


def test_diamond_graph_in_order():
    # two paths of different lengths reach x: the topological order must wait for both
    x = Value(0.5)
    long = x
    for _ in range(5):
        long = long.tanh()
    y = long * x
    y.backward()
    t = [0.5]
    for _ in range(5):
        t.append(math.tanh(t[-1]))
    dlong = math.prod(1 - v * v for v in t[1:])
    assert x.grad == pytest.approx(t[-1] + 0.5 * dlong, rel=1e-14)


def _live_values():
    return sum(1 for o in gc.get_objects() if type(o) is Value)  # cached constants aside


def test_dropped_graph_is_freed_by_reference_counting_alone():
    gc.collect()
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        before = _live_values()
        x = Value(1.0)
        y = x
        for _ in range(1000):
            y = (y * 1.0001 + 0.001).tanh()
        y.backward()
        assert _live_values() >= before + 3000
        del y
        assert _live_values() == before + 1      # only x is left: freed at once, no collector
        gc.set_debug(gc.DEBUG_SAVEALL)
        gc.collect()
        assert not [o for o in gc.garbage if isinstance(o, Value)]  # no cycles to collect
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        if was_enabled:
            gc.enable()


# --- no_grad and fused gates -------------------------------------------------------------------

def test_no_grad_records_no_graph():
    x = Value(2.0)
    with no_grad():
        y = (x * x).exp() + 1
    assert y.parents == () and y.op == ""
    assert y.data == pytest.approx(math.exp(4) + 1)
    z = x * x                         # recording resumes after the block
    assert z.parents == (x, x)


def test_no_grad_restores_state_after_an_error():
    with pytest.raises(ValueError), no_grad():
        Value(-1.0).log()
    assert (Value(2.0) * 2).parents


def test_linear_gate_equals_mul_and_add_gates():
    w = [Value(0.5), Value(-1.25), Value(2.0)]
    x = [1.5, Value(-0.5), 0.25]
    b = Value(0.1)
    fused = linear(w, x, b)
    fused.backward()
    fused_grads = [v.grad for v in (*w, x[1], b)]
    for v in (*w, x[1], b):
        v.grad = 0.0
    built = sum((wi * xi for wi, xi in zip(w, x)), b)
    built.backward()
    assert fused.data == built.data
    assert fused_grads == [v.grad for v in (*w, x[1], b)]


def test_sum_of():
    xs = [Value(float(i)) for i in range(5)]
    s = sum_of(xs + [2.5])
    s.backward()
    assert s.data == 12.5 and [x.grad for x in xs] == [1.0] * 5


def test_linear_rejects_mismatched_lengths():
    with pytest.raises(ValueError, match="2 weights but 3 inputs"):
        linear([Value(1.0), Value(2.0)], [1.0, 2.0, 3.0])


def test_linear_accepts_numpy_scalars_which_have_a_data_attribute():
    w = [Value(0.5), Value(-1.0)]
    out = linear(w, [np.float64(2.0), np.float32(3.0)], Value(0.25))
    out.backward()
    assert out.data == 0.5 * 2.0 - 3.0 + 0.25
    assert [v.grad for v in w] == [2.0, 3.0]


def test_a_subclass_of_value_receives_gradients():
    class Named(Value):
        __slots__ = ()

    a, b = Named(2.0), Named(-3.0)
    (a * b + a).backward()
    assert (a.grad, b.grad) == (-2.0, 2.0)
