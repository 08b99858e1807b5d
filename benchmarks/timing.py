"""The method: one process, engines interleaved, equal first losses checked before any timing.

For one workload:
1. The check. Every engine runs one step from the workload's weights; the first-step losses must
   agree to 1e-9 relative (a benchmark of different answers measures nothing). An engine that
   disagrees, fails or is not installed gets no timing: its row prints "-" with the reason. This
   pass also does every engine's one-time work in the process (imports, library start-up).
2. The rounds. Round after round, every engine in turn (the order rotated each round, so a slow
   spell of this shared machine hits all engines alike) builds a new runner from the same weights
   and runs `steps + 1` consecutive steps. Step 0 is the cold step: a new model's first step,
   tracing and compiling included where the engine does that (nn.fit, jax.jit, fn.batch). It is
   also the warm-up; the steps after it are the steady state, what a training loop pays per step.
3. The numbers: the steady step is the mean of every steady step of every round (median and
   minimum beside it); the cold step is the median over rounds. Wall-clock time (perf_counter),
   the clock nn.fit's callback reads; the process's CPU time over the rounds is kept beside it
   (CPU / wall below 1: another process had our core for part of the time).

gc.collect() runs before each run, so no engine pays for collecting another's garbage; the cycle
collector stays on inside a run, since the collections an engine's allocations cause are its
users' cost too (nn.fit turns it off itself). Objects alive before the rounds (the data,
PyTorch's and JAX's modules) are frozen out of the collector's sight (gc.freeze()), so that a
collection in micrograd's step does not also walk the other libraries, as it would not in a
user's script.
"""

from __future__ import annotations

import gc
import math
import statistics
import time
from collections.abc import Callable

from .engines import ENGINES, Unavailable
from .workloads import Workload

AGREE = 1e-9  # relative agreement required between the engines' first-step losses


def close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=AGREE, abs_tol=1e-12)


def _why(error: Exception) -> str:
    if isinstance(error, Unavailable):
        return str(error)
    return f"failed: {type(error).__name__}: {str(error)[:200]}"


def check(w: Workload, rows: dict) -> dict:
    """Step 1: one step per engine, the first losses compared with the reference's (numpy's, the
    plainest code, when it is there). Fills each row's first_loss or its reason."""
    first = {}
    for name in rows:
        if "skipped" in rows[name]:
            continue
        try:
            first[name] = ENGINES[name][1](w).run(0)[1][0]
        except Exception as error:  # noqa: BLE001  (the row says what happened)
            rows[name]["skipped"] = _why(error)
    reference = "numpy" if "numpy" in first else next(iter(first), None)
    passed = True
    for name, loss in first.items():
        rows[name]["first_loss"] = loss
        if not close(loss, first[reference]):
            passed = False
            rows[name]["skipped"] = (f"first loss {loss!r} differs from {reference}'s "
                                     f"{first[reference]!r}: not timed")
    return {"reference": reference, "agree_to": AGREE, "passed": passed,
            "first_losses": first}


def measure(w: Workload, progress: Callable[[str], None] = lambda _: None) -> dict:
    """Steps 1-3 for one workload: its check and every engine's row."""
    rows = {name: {"title": ENGINES[name][0]} for name in w.engines}
    for name, why in w.skipped.items():
        rows[name]["skipped"] = why
    progress(f"{w.name}: checking first losses")
    checked = check(w, rows)
    timed = [name for name in rows if "skipped" not in rows[name]]
    runs = {name: [] for name in timed}  # per round: (seconds of each step, losses)
    gc.collect()
    gc.freeze()
    wall, cpu = time.perf_counter(), time.process_time()
    try:
        for r in range(w.rounds):
            progress(f"{w.name}: round {r + 1} of {w.rounds}")
            shift = r % max(len(timed), 1)
            for name in timed[shift:] + timed[:shift]:
                if "skipped" in rows[name]:
                    continue
                try:
                    runner = ENGINES[name][1](w)
                    gc.collect()
                    runs[name].append(runner.run(w.steps))
                    del runner
                except Exception as error:  # noqa: BLE001
                    rows[name]["skipped"] = _why(error)
    finally:
        gc.unfreeze()
    cpu_over_wall = (time.process_time() - cpu) / (time.perf_counter() - wall)
    for name in timed:
        if "skipped" not in rows[name]:
            rows[name].update(summary(runs[name]))
    reference = rows.get("torch", {}).get("steady_ms")
    for row in rows.values():
        if reference and "steady_ms" in row:
            row["ratio"] = row["steady_ms"] / reference
    lasts = [row["last_loss"] for row in rows.values() if "last_loss" in row]
    checked["last_losses_spread"] = ((max(lasts) - min(lasts)) / (abs(max(lasts)) or 1.0)
                                     if lasts else None)
    plain, micrograd = (rows.get(n, {}).get("steady_ms") for n in ("fit-plain", "micrograd"))
    return {"title": w.title, "points": w.points, "steps": w.steps, "rounds": w.rounds,
            "check": checked, "engines": rows, "cpu_over_wall": cpu_over_wall,
            "micrograd_over_plain": micrograd / plain if plain and micrograd else None}


def summary(runs: list[tuple[list[float], list[float]]]) -> dict:
    """One engine's numbers in ms, from its rounds' step times."""
    steady = [t * 1e3 for durations, _ in runs for t in durations[1:]]
    cold = [durations[0] * 1e3 for durations, _ in runs]
    return {"steady_ms": statistics.fmean(steady), "steady_median_ms": statistics.median(steady),
            "steady_min_ms": min(steady), "cold_ms": statistics.median(cold),
            "steady_ms_per_round": [statistics.fmean(d[1:]) * 1e3 for d, _ in runs],
            "cold_ms_per_round": cold, "last_loss": runs[-1][1][-1]}
