"""Interleaved timing with medians, and a clock for the time Python's cycle collector takes.

Rules every measurement here follows, and why:
- Engines take turns (one repetition of A, one of B, ...), and the order rotates every round, so a
  slow phase of this shared machine hits every engine alike instead of one engine's whole batch.
- `gc.collect()` runs before every repetition and never inside a timed region, so one engine's
  garbage is never collected inside another engine's timing.
- The cycle collector stays *enabled* inside timed regions: the collections an engine's own
  allocations trigger are part of what its users pay (most of micrograd's step, per issue 6).
- Everything alive before the first measurement (the interpreter, numpy, PyTorch's thousands of
  module objects) is moved out of the collector's sight with gc.freeze(). Otherwise every full
  collection inside a timed region would also walk PyTorch's objects, and micrograd's numbers
  would depend on whether torch happens to be installed.
- The first round is a warm-up and is thrown away; we report medians, which one noisy round
  cannot move.
"""

from __future__ import annotations

import gc
import statistics
from dataclasses import dataclass, field
from time import perf_counter_ns, process_time_ns


class GcClock:
    """Total nanoseconds spent inside automatic or explicit cycle collections since install()."""

    def __init__(self):
        self.total_ns = 0
        self._started = 0

    def _callback(self, phase: str, info: dict) -> None:
        if phase == "start":
            self._started = perf_counter_ns()
        else:
            self.total_ns += perf_counter_ns() - self._started

    def install(self) -> None:
        if self._callback not in gc.callbacks:
            gc.callbacks.append(self._callback)

    def uninstall(self) -> None:
        if self._callback in gc.callbacks:
            gc.callbacks.remove(self._callback)


GC_CLOCK = GcClock()


def settle() -> None:
    """Collect, then hide every surviving object from future collections (see the module doc).
    Run again before each workload's rounds, since its set-up may import more (torch does)."""
    gc.collect()
    gc.freeze()


def start_measuring() -> None:
    """Call once, after every import and before the first measurement."""
    settle()
    GC_CLOCK.install()


def stop_measuring() -> None:
    GC_CLOCK.uninstall()
    gc.unfreeze()


@dataclass
class Samples:
    """The timed repetitions of one engine on one workload: each a dict of phase -> ns."""

    phases: list[str]
    reps: list[dict[str, int]] = field(default_factory=list)

    def median(self, phase: str) -> float:
        return statistics.median(r[phase] for r in self.reps)

    def quartiles(self, phase: str) -> tuple[float, float]:
        values = sorted(r[phase] for r in self.reps)
        if len(values) < 2:
            return float(values[0]), float(values[0])
        q = statistics.quantiles(values, n=4, method="inclusive")
        return q[0], q[2]

    def to_json(self) -> dict:
        keys = [*self.phases, "total", "gc", "cpu"]
        return {
            "reps": len(self.reps),
            "median_ns": {k: self.median(k) for k in keys},
            "quartiles_ns": {k: self.quartiles(k) for k in keys},
            "samples_ns": {k: [r[k] for r in self.reps] for k in keys},
        }


def time_phases(prepare, phases: list[str]) -> dict[str, int]:
    """Time one repetition. `prepare()` sets up untimed (fresh leaves, reset weights) and returns
    `run(mark)`, which calls `mark()` at the end of each of its phases.

    gc.collect() runs after the set-up and before the timed region; the phases of one repetition
    run back to back, as a user runs them (no collection between forward and backward)."""
    run = prepare()
    gc.collect()
    clock = GC_CLOCK
    stamps: list[tuple[int, int]] = []  # (time, gc time so far) at the end of each phase
    gc_start = clock.total_ns
    cpu_start = process_time_ns()  # read outside the wall-clock region: it costs ~2 us
    start = perf_counter_ns()
    run(lambda: stamps.append((perf_counter_ns(), clock.total_ns)))
    cpu = process_time_ns() - cpu_start
    del run  # whatever the case still holds is released here, after its timed region
    if len(stamps) != len(phases):
        raise RuntimeError(f"benchmark bug: {len(stamps)} phase marks for phases {phases}")
    result, previous = {}, start
    for name, (stamp, _) in zip(phases, stamps):
        result[name] = stamp - previous
        previous = stamp
    result["total"] = stamps[-1][0] - start
    result["gc"] = stamps[-1][1] - gc_start
    # CPU time of this process over the repetition: well below the wall time means this shared
    # machine gave the benchmark less than a core (PyTorch's threads can push it above)
    result["cpu"] = cpu
    return result


def interleave(cases: dict[str, object], phases: list[str], rounds: int,
               warmup: int = 1) -> dict[str, Samples]:
    """Run every case `warmup + rounds` times, taking turns, and keep the last `rounds` timings.

    `cases` maps an engine name to its `prepare` (see time_phases); every repetition of a case
    must do the same work, which is why `prepare` resets the case's state each time."""
    names = list(cases)
    samples = {name: Samples(phases) for name in names}
    settle()
    for r in range(warmup + rounds):
        shift = r % len(names)
        for name in names[shift:] + names[:shift]:
            timing = time_phases(cases[name], phases)
            if r >= warmup:
                samples[name].reps.append(timing)
    gc.collect()
    return samples
