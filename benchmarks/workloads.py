"""The timed workloads: (1) chain, (2) dot product, (3) the demo step.

Each first runs every engine once untimed and checks its answer against the floor's (a benchmark
of wrong answers measures nothing), then times all engines interleaved (see timing.py).
Memory (4) and depth (5) run in fresh processes: see isolated.py.
"""

from __future__ import annotations

import math
import random
import sys
from dataclasses import dataclass

from .demo_spec import DemoSpec, learning_rate
from .engines import Engine, Micrograd
from .timing import interleave

CHAIN_C, CHAIN_D = 1.0001, 0.001  # y = y * 1.0001 + 0.001
AGREE = 1e-9                      # relative agreement required between engines


@dataclass(frozen=True)
class Sizes:
    chain_steps: tuple[int, ...] = (400, 10_000)  # 800 gates: micrograd's default limit copes
    chain_rounds: tuple[int, ...] = (31, 15)
    dot_pairs: int = 400
    dot_rounds: int = 31
    demo_points: int = 100
    demo_rounds: int = 15  # identical steps vary by +-25% in CPU time on this shared machine
    loop_steps: int = 3        # consecutive demo steps with no gc.collect() between them
    loop_rounds: int = 3
    memory_gates: int = 100_000
    depth_ladder: tuple[int, ...] = (1_000, 10_000, 100_000, 1_000_000)
    depth_torch: bool = True   # each rung imports torch afresh (seconds): not in quick mode
    warmup: int = 1


FULL = Sizes()
QUICK = Sizes(chain_steps=(50, 600), chain_rounds=(3, 3), dot_pairs=50, dot_rounds=3,
              demo_points=8, demo_rounds=2, loop_steps=2, loop_rounds=1, memory_gates=2_000,
              depth_ladder=(1_000, 4_000), depth_torch=False, warmup=1)


def close(a: float, b: float, tol: float = AGREE) -> bool:
    return math.isclose(a, b, rel_tol=tol, abs_tol=tol)


def supporting(engines: list[Engine], workload: str) -> list[Engine]:
    return [e for e in engines if workload in e.workloads]


def _micrograd_limit(engines: list[Engine], depth: int) -> int | None:
    """Raise micrograd's recursion limit only when this graph is too deep for Python's default
    (its recursive sort needs one frame per gate of depth, plus the frames already in use)."""
    needed = depth + 200
    limit = needed if needed > sys.getrecursionlimit() else None
    for e in engines:
        if isinstance(e, Micrograd):
            e.recursion_limit = limit
    return limit


# --- (1) chain ----------------------------------------------------------------------------------

def chain(engines: list[Engine], steps: int, rounds: int, warmup: int) -> dict:
    engines = supporting(engines, "chain")
    limit = _micrograd_limit(engines, 2 * steps)
    expected_grad = CHAIN_C ** steps
    checks = {}
    for e in engines:
        graph = e.chain_forward(steps, CHAIN_C, CHAIN_D)
        e.chain_backward(graph)
        value, grad = e.chain_result(graph)
        checks[e.name] = {"value": value, "grad": grad, "grad_ok": close(grad, expected_grad)}
        del graph

    def case(e):
        def prepare():
            def run(mark):
                graph = e.chain_forward(steps, CHAIN_C, CHAIN_D)
                mark()
                e.chain_backward(graph)
                mark()
            return run
        return prepare

    samples = interleave({e.name: case(e) for e in engines}, ["forward", "backward"], rounds,
                         warmup)
    _micrograd_limit(engines, 0)
    return {"steps": steps, "gates": 2 * steps, "micrograd_recursion_limit": limit,
            "expected_grad": expected_grad, "checks": checks,
            "engines": {name: s.to_json() for name, s in samples.items()}}


# --- (2) dot product ----------------------------------------------------------------------------

def dot(engines: list[Engine], pairs: int, rounds: int, warmup: int) -> dict:
    engines = supporting(engines, "dot")
    rng = random.Random(1)
    ws = [rng.uniform(-1.0, 1.0) for _ in range(pairs)]
    xs = [rng.uniform(-1.0, 1.0) for _ in range(pairs)]
    expected = (math.fsum(w * x for w, x in zip(ws, xs)), xs + ws)
    checks = {}
    for e in engines:
        graph = e.dot_forward(e.dot_leaves(ws, xs))
        e.dot_backward(graph)
        value, grads = e.dot_result(graph)
        checks[e.name] = {"value": value, "value_ok": close(value, expected[0]),
                          "grads_ok": all(map(close, grads, expected[1]))}
        del graph

    def case(e):
        def prepare():
            leaves = e.dot_leaves(ws, xs)  # fresh leaves each time: their gradients start at 0

            def run(mark):
                graph = e.dot_forward(leaves)
                mark()
                e.dot_backward(graph)
                mark()
            return run
        return prepare

    samples = interleave({e.name: case(e) for e in engines}, ["forward", "backward"], rounds,
                         warmup)
    return {"pairs": pairs, "gates": 2 * pairs - 1, "checks": checks,
            "engines": {name: s.to_json() for name, s in samples.items()}}


# --- (3) the demo step --------------------------------------------------------------------------

def demo(engines: list[Engine], spec: DemoSpec, rounds: int, warmup: int, loop_steps: int,
         loop_rounds: int) -> dict:
    """One full step (forward, loss, zero_grad, backward, SGD update), always from the same initial
    weights: each repetition resets them untimed, so every repetition does identical work (gategrad
    skips zero gradients, so a step's cost depends on the weights). Then `loop_steps` consecutive
    steps with no gc.collect() between them: a training loop's steady state, where one step's
    cyclic garbage is collected during the next."""
    engines = supporting(engines, "demo")
    models = {e.name: e.demo(spec) for e in engines}
    lr = learning_rate(0)
    first = {}
    for name, model in models.items():
        model.reset()
        loss = model.forward()
        model.backward(loss)
        model.update(lr)
        first[name] = {"loss": model.loss_value(loss), "params_after": model.parameters()}
        del loss
    reference = first.get("floor") or next(iter(first.values()))
    checks = {name: {"first_loss": r["loss"],
                     "loss_ok": close(r["loss"], reference["loss"]),
                     "max_param_diff_after_step": max(
                         abs(a - b) for a, b in zip(r["params_after"], reference["params_after"]))}
              for name, r in first.items()}
    losses_seen = {name: set() for name in models}

    def step_case(name):
        model = models[name]

        def prepare():
            model.reset()

            def run(mark):
                loss = model.forward()
                mark()
                model.backward(loss)
                mark()
                model.update(lr)
                losses_seen[name].add(model.loss_value(loss))
                del loss  # dropping the graph is part of the step: refcounting frees it here
                mark()
            return run
        return prepare

    def loop_case(name):
        model = models[name]

        def prepare():
            model.reset()

            def run(mark):
                for k in range(loop_steps):
                    loss = model.forward()
                    model.backward(loss)
                    model.update(learning_rate(k))
                    del loss
                    mark()
            return run
        return prepare

    steps = interleave({n: step_case(n) for n in models}, ["forward", "backward", "update"],
                       rounds, warmup)
    loop_phases = [f"step{k + 1}" for k in range(loop_steps)]
    loops = interleave({n: loop_case(n) for n in models}, loop_phases, loop_rounds, warmup=0)
    for name, seen in losses_seen.items():
        checks[name]["same_loss_every_rep"] = seen == {first[name]["loss"]}
    return {"points": len(spec.X), "parameters": len(spec.init), "lr": lr, "checks": checks,
            "engines": {name: s.to_json() for name, s in steps.items()},
            "loop_steps": loop_steps,
            "loop": {name: s.to_json() for name, s in loops.items()}}

