"""Workloads (4) memory and (5) depth, each run in a fresh Python process.

A fresh process per measurement because: memory is measured best with nothing else alive, a deep
graph can crash an engine (a C stack overflow kills the process, it raises nothing), and micrograd
needs a raised recursion limit that must not leak into other measurements.

The parent calls `memory(...)`, `depth_ladder(...)` and `recursion_threshold()`; each starts
`python -m benchmarks.isolated MODE ENGINE N`, which prints one JSON line.
"""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

CHAIN_C, CHAIN_D = 1.0001, 0.001
PACKAGE_PARENT = Path(__file__).resolve().parent.parent


# --- in the child -------------------------------------------------------------------------------

def _engine(name: str):
    from .engines import Micrograd, by_name
    e = by_name(name)
    if isinstance(e, Micrograd):
        e.recursion_limit = None  # set by each mode
    return e


def _live(node_type) -> int:
    """How many nodes of this engine exist right now (gc.get_objects() lists them without
    collecting anything)."""
    return sum(1 for o in gc.get_objects() if isinstance(o, node_type))


def _measure_memory(name: str, gates: int) -> dict:
    """Bytes per gate of a chain, and whether dropping it frees it without the cycle collector.

    "Freed" is judged by counting the engine's live nodes, not by bytes: CPython keeps some freed
    objects on its free lists (up to 2,000 tuples of each size, for instance), which tracemalloc
    still counts as allocated until a gc.collect() empties those lists."""
    e = _engine(name)
    steps = gates // 2
    # tracemalloc walks the whole Python stack on every allocation (CPython 3.11), so a recursive
    # backward() as deep as this graph takes quadratic time under it: minutes for micrograd at
    # 100,000 gates. Such an engine is measured as built, without its backward pass.
    with_backward = not getattr(e, "recursive_backward", False)
    e.chain_backward(e.chain_forward(2, CHAIN_C, CHAIN_D))  # warm caches (constants, imports)
    node_type = type(e.chain_forward(0, CHAIN_C, CHAIN_D)[0])
    gc.collect()
    gc.disable()  # from here only reference counting frees: the question this workload asks
    nodes_before = _live(node_type)
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    graph = e.chain_forward(steps, CHAIN_C, CHAIN_D)
    after_forward = tracemalloc.get_traced_memory()[0]
    after_backward = backward_peak = None
    if with_backward:
        tracemalloc.reset_peak()
        e.chain_backward(graph)
        after_backward, backward_peak = tracemalloc.get_traced_memory()
    del graph
    after_drop = tracemalloc.get_traced_memory()[0]
    nodes_left = _live(node_type) - nodes_before
    found = gc.collect()
    after_collect = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    gc.enable()
    return {
        "gates": 2 * steps,
        "bytes_per_gate_forward": (after_forward - base) / (2 * steps),
        "bytes_per_gate_after_backward":
            None if after_backward is None else (after_backward - base) / (2 * steps),
        "backward_peak_extra_bytes_per_gate":
            None if backward_peak is None else (backward_peak - after_forward) / (2 * steps),
        "nodes_alive_after_drop": nodes_left,
        "freed_without_gc": nodes_left == 0,
        "retained_after_drop_bytes": after_drop - base,
        "gc_collect_found_objects": found,
        "retained_after_gc_collect_bytes": after_collect - base,
    }


def _peak_rss_mb() -> float | None:
    """This process's peak resident memory. /proc's VmHWM, because ru_maxrss on Linux keeps the
    peak of the parent that forked us (here, a benchmark with torch loaded) across exec."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def _measure_depth(name: str, gates: int) -> dict:
    """Forward and backward of a `gates`-deep chain at Python's default recursion limit."""
    e = _engine(name)
    steps = gates // 2
    t0 = time.perf_counter()
    graph = e.chain_forward(steps, CHAIN_C, CHAIN_D)
    t1 = time.perf_counter()
    try:
        e.chain_backward(graph)
    except RecursionError:
        return {"ok": False, "error": "RecursionError", "forward_s": t1 - t0}
    t2 = time.perf_counter()
    _, grad = e.chain_result(graph)
    del graph  # an engine that frees a deep graph recursively can crash right here
    gc.collect()
    expected = CHAIN_C ** steps
    return {"ok": abs(grad - expected) <= 1e-9 * expected, "grad": grad, "expected_grad": expected,
            "forward_s": t1 - t0, "backward_s": t2 - t1,
            "max_rss_mb": _peak_rss_mb()}


def _recursion_threshold(name: str) -> dict:
    """The shortest chain whose backward() raises RecursionError, by bisection on steps."""
    e = _engine(name)

    def fails(steps: int) -> bool:
        try:
            e.chain_backward(e.chain_forward(steps, CHAIN_C, CHAIN_D))
        except RecursionError:
            return True
        return False

    lo, hi = 1, 1
    while not fails(hi):
        lo, hi = hi, hi * 2
        if hi > 1_000_000:
            return {"fails_from_gates": None, "recursion_limit": sys.getrecursionlimit()}
    while hi - lo > 1:  # invariant: lo works, hi fails
        mid = (lo + hi) // 2
        lo, hi = (lo, mid) if fails(mid) else (mid, hi)
    return {"fails_from_gates": 2 * hi, "works_up_to_gates": 2 * lo,
            "recursion_limit": sys.getrecursionlimit()}


MODES = {"memory": _measure_memory, "depth": _measure_depth,
         "recursion": lambda name, _: _recursion_threshold(name)}


def main(argv: list[str]) -> None:
    mode, name, n = argv
    print(json.dumps(MODES[mode](name, int(n))))


# --- in the parent ------------------------------------------------------------------------------

def run_child(mode: str, name: str, n: int, timeout: float) -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PACKAGE_PARENT),
                                                      env.get("PYTHONPATH")]))
    command = [sys.executable, "-m", "benchmarks.isolated", mode, name, str(n)]
    start = time.perf_counter()
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout,
                              cwd=PACKAGE_PARENT, env=env)
    except subprocess.TimeoutExpired:
        return {"ok": False, "error": f"no result within {timeout:.0f} s"}
    wall = time.perf_counter() - start
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["?"])[-1]
        how = (f"killed by signal {-done.returncode}" if done.returncode < 0
               else f"exit code {done.returncode}")
        return {"ok": False, "error": f"crashed ({how}): {last[:200]}", "wall_s": wall}
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["wall_s"] = wall
    return result


def memory(names: list[str], gates: int) -> dict:
    return {name: run_child("memory", name, gates, timeout=300) for name in names}


def depth_ladder(names: list[str], ladder: tuple[int, ...], timeout: float = 240) -> dict:
    """Each engine climbs the ladder of chain lengths until a rung fails; higher rungs are not
    tried. micrograd also gets the exact length at which its RecursionError starts."""
    results = {}
    for name in names:
        rungs, deepest = {}, 0
        for gates in ladder:
            rung = run_child("depth", name, gates, timeout)
            rungs[str(gates)] = rung
            if not rung.get("ok"):
                break
            deepest = gates
        results[name] = {"deepest_ok_gates": deepest, "rungs": rungs}
        if name == "micrograd":
            results[name]["recursion"] = run_child("recursion", name, 0, timeout)
    return results


if __name__ == "__main__":
    main(sys.argv[1:])
