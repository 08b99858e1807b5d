"""gategrad.testing.check_backward on a right backward() written from the node API, and on the
broken ones students write: the wrong order, `=` where a fork needs `+=`, a recursion that
overflows, a forgotten start. Plus check_circuit (the fill-in-the-circuit exercise), and the
other checkers of Part 2 of the exercises."""

import math

import pytest

from gategrad.engine import Value
from gategrad.testing import (
    BackwardCheckError,
    CircuitCheckError,
    check_backward,
    check_circuit,
    check_grad_W,
    check_gradcheck,
    check_two_layer,
    lecture_sigmoid_circuit,
)


def order_of(root):
    """Topological order by hand: a depth-first search with a list as the stack."""
    order, seen, stack = [], set(), [(root, False)]
    while stack:
        node, done = stack.pop()
        if done:
            order.append(node)
        elif node not in seen:
            seen.add(node)
            stack.append((node, True))
            stack.extend((p, False) for p in node.parents if p not in seen)
    return order


def passes(node):
    return zip(node.parents, node.gate.local(node.data, *[p.data for p in node.parents]))


def right(root):
    root.grad = 1.0
    for node in reversed(order_of(root)):
        if node.gate is not None:
            for parent, partial in passes(node):
                parent.grad += partial * node.grad


def overwrites(root):  # `=` where a node used twice needs `+=`
    root.grad = 1.0
    for node in reversed(order_of(root)):
        if node.gate is not None:
            for parent, partial in passes(node):
                parent.grad = partial * node.grad


def breadth_first(root):  # no topological order: a node may pass its gradient back too early
    root.grad = 1.0
    queue = [root]
    while queue:
        node = queue.pop(0)
        if node.gate is not None:
            for parent, partial in passes(node):
                parent.grad += partial * node.grad
                queue.append(parent)


def recursive(root):
    order, seen = [], set()

    def visit(node):
        if node not in seen:
            seen.add(node)
            for parent in node.parents:
                visit(parent)
            order.append(node)

    visit(root)
    root.grad = 1.0
    for node in reversed(order):
        if node.gate is not None:
            for parent, partial in passes(node):
                parent.grad += partial * node.grad


def never_starts(root):  # forgets root.grad = 1
    for node in reversed(order_of(root)):
        if node.gate is not None:
            for parent, partial in passes(node):
                parent.grad += partial * node.grad


def test_a_right_backward_passes(capsys):
    check_backward(right)
    assert capsys.readouterr().out.startswith("\N{CHECK MARK} your backward() agrees with the "
                                              "engine's on 65 graphs")


@pytest.mark.parametrize("student, graph, says", [
    (overwrites, "a fork (x * x)", "Add into the gradient (+=), do not overwrite it (=)"),
    (breadth_first, "a shared node", "passed its gradient back before all of them had passed"),
    (never_starts, "one gate", "backpropagation starts with d out / d out = 1"),
])
def test_a_broken_backward_is_caught_on_the_smallest_graph_with_a_hint(student, graph, says):
    with pytest.raises(BackwardCheckError) as info:
        check_backward(student)
    message = str(info.value)
    assert message.startswith(f"your backward() is wrong on {graph}")
    assert says in message
    assert "<- first wrong" in message
    source = info.value.diagram.source  # the graph drawn, the first wrong wire called out
    assert "first wrong: yours" in source and "#cf222e" in source


def test_the_fork_message_names_the_node_and_both_gradients():
    with pytest.raises(BackwardCheckError) as info:
        check_backward(overwrites)
    # x * x at x = 1.5: d/dx = 2x = 3; one share alone is x * 1 = 1.5
    assert "is a's (d out/d a = 3, yours 1.5)" in str(info.value)


def test_a_recursion_that_overflows_is_named():
    with pytest.raises(BackwardCheckError, match=r"overflowed Python's stack \(RecursionError\) "
                                                 r"on a chain 3000 gates deep"):
        check_backward(recursive)


def test_a_stub_is_not_implemented_yet():
    def stub(root):
        raise NotImplementedError()

    with pytest.raises(NotImplementedError, match="backward: not implemented yet"):
        check_backward(stub)


def test_the_marked_diagram_renders(tmp_path):
    with pytest.raises(BackwardCheckError) as info:
        check_backward(breadth_first)
    png = info.value.diagram.save(tmp_path / "marked.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


# --- fill in the circuit -----------------------------------------------------------------------

def lecture_grads():
    """The gradient on every wire, to two decimals, computed here from the closed form."""
    s = 1 / (1 + math.exp(-1.0))
    d = s * (1 - s)                        # df/dz at z = 1
    e = math.exp(-1.0)
    return {"f": 1.0, "1+exp": -1 / (1 + e) ** 2, "exp": -1 / (1 + e) ** 2, "-z": -d, "z": d,
            "sum": d, "w2": d, "w0*x0": d, "w1*x1": d, "w0": -d, "x0": 2 * d, "w1": -2 * d,
            "x1": -3 * d}


def test_the_circuit_passes_at_the_lectures_two_decimals(capsys):
    check_circuit({k: round(v, 2) for k, v in lecture_grads().items()})
    assert "every wire's gradient is right (13 wires" in capsys.readouterr().out


@pytest.mark.parametrize("wire, value, says", [
    ("-z", math.exp(-1.0), "is the local gradient of the `exp` gate it feeds, alone"),
    ("1+exp", 1.0, "passes the gradient of 'f' through unchanged"),
    ("x1", 3 * 0.19661193, "off by a sign"),
    ("x0", -2 * 0.19661193, "off by a sign"),
    ("w0", 0.19661193, "through unchanged, as an add gate does"),
])
def test_the_first_wrong_wire_is_named_with_a_hint(wire, value, says):
    grads = {k: round(v, 2) for k, v in lecture_grads().items()}
    grads[wire] = round(value, 2)
    with pytest.raises(CircuitCheckError) as info:
        check_circuit(grads)
    message = str(info.value)
    assert f"The first, in the order backpropagation reaches them, is {wire!r}" in message
    assert says in message
    assert "#cf222e" in info.value.diagram.source


def test_an_error_downstream_is_the_one_named_first():
    grads = {k: round(v, 2) for k, v in lecture_grads().items()}
    grads["exp"] = 0.53
    grads["w0"] = 0.2
    with pytest.raises(CircuitCheckError, match="2 of 13 wires are wrong .exp, w0.. The first, "
                                                "in the order backpropagation reaches them, is "
                                                "'exp'"):
        check_circuit(grads)


def test_the_circuit_is_the_lectures():
    f = lecture_sigmoid_circuit()
    assert f.data == pytest.approx(0.73105858, abs=1e-8)
    by_label = {v.label: v for v in f.nodes() if v.label}
    for wire, grad in lecture_grads().items():
        assert by_label[wire].grad == pytest.approx(grad, rel=1e-9)


# --- gradcheck, grad_W, the two-layer network --------------------------------------------------

def central(f, xs, eps=1e-6):
    out = []
    for i in range(len(xs)):
        up, down = list(xs), list(xs)
        up[i] += eps
        down[i] -= eps
        out.append((f(up) - f(down)) / (2 * eps))
    return out


def forward_difference(f, xs, eps=1e-6):
    out = []
    for i in range(len(xs)):
        up = list(xs)
        up[i] += eps
        out.append((f(up) - f(xs)) / eps)
    return out


def no_half(f, xs, eps=1e-6):
    return [2 * g for g in central(f, xs, eps)]


def fixed_eps(f, xs, eps=1e-6):
    return central(f, xs)


def in_place(f, xs, eps=1e-6):
    out = []
    for i in range(len(xs)):
        xs[i] += eps
        up = f(xs)
        xs[i] -= 2 * eps
        out.append((up - f(xs)) / (2 * eps))  # and x is left 1e-6 too low
    return out


@pytest.mark.parametrize("student, says", [
    (forward_difference, "a one-sided difference"), (no_half, "divide by 2h"),
    (fixed_eps, "use the eps it is given"), (in_place, "it changed the list it was given"),
])
def test_gradcheck_slips(student, says):
    with pytest.raises(AssertionError, match=says):
        check_gradcheck(student)


def test_gradcheck_right(capsys):
    check_gradcheck(central)
    assert capsys.readouterr().out.startswith("\N{CHECK MARK} numerical_gradient")


def grad_W(W, x):
    q = [sum(w * v for w, v in zip(row, x)) for row in W]
    return [[2 * qi * xj for xj in x] for qi in q]


def test_grad_W_right_and_its_lecture_numbers(capsys):
    check_grad_W(grad_W)
    assert capsys.readouterr().out.startswith("\N{CHECK MARK} grad_W")
    got = grad_W([[0.1, 0.5], [-0.3, 0.8]], [0.2, 0.4])
    assert [g for row in got for g in row] == pytest.approx([0.088, 0.176, 0.104, 0.208])


@pytest.mark.parametrize("wrong, says", [
    (lambda W, x: [[g / 2 for g in row] for row in grad_W(W, x)], "half the true gradient"),
    (lambda W, x: [list(col) for col in zip(*grad_W(W, x))], "transposed"),
    (lambda W, x: [[2 * xj * qi for qi in [sum(w * v for w, v in zip(row, x)) for row in W]]
                   for xj in x] if len(W) != 2 else grad_W(W, x), "the gradient has W's shape"),
])
def test_grad_W_slips(wrong, says):
    with pytest.raises(AssertionError, match=says):
        check_grad_W(wrong)


def sigma(z):
    return 1 / (1 + math.exp(-z))


def gradients(x, y, w1, b1, w2, b2, drop=None):
    a = [sigma(x * w1[j] + b1[j]) for j in range(2)]
    yhat = [w2[0][k] * a[0] + w2[1][k] * a[1] + b2[k] for k in range(2)]
    dy = [2 * (yhat[k] - y[k]) for k in range(2)]
    paths = dy[0] * w2[0][0] + (0 if drop == "path" else dy[1] * w2[0][1])
    dz = paths * (1 if drop == "sigma'" else a[0] * (1 - a[0]))
    return {"dL/dw11[2]": dy[0] * a[0], "dL/db1[2]": dy[0], "dL/dw1[1]": dz * x,
            "dL/db1[1]": dz}


@pytest.mark.parametrize("drop, says", [("path", "a missing path"),
                                        ("sigma'", "the sigmoid's local gradient")])
def test_two_layer_slips(drop, says):
    with pytest.raises(AssertionError, match=says):
        check_two_layer(lambda *args: gradients(*args, drop=drop))


def test_two_layer_right(capsys):
    check_two_layer(gradients)
    assert capsys.readouterr().out.startswith("\N{CHECK MARK} the four partials")
    assert Value  # the engine is what the checker compares with
