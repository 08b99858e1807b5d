"""Interleaved timing with medians, in CPU time, and a clock for the cycle collector's share.

Rules every measurement here follows, and why:
- Times are the CPU time of this process (time.process_time_ns), with the wall-clock time kept
  beside them. On a shared, busy machine the scheduler takes the CPU away from us for whole time
  slices (several ms) in the middle of a repetition; wall time then counts the other process's
  work, in most repetitions of anything that lasts a few ms, and no median can remove that. CPU
  time does not count it. For single-threaded Python on an idle machine the two agree.
- What reading the clocks itself costs (~2 us for the CPU clock) is measured once on an empty
  phase and subtracted from every phase.
- Engines take turns (one repetition of A, one of B, ...), and the order rotates every round, so a
  slow phase of the machine hits every engine alike instead of one engine's whole batch.
- `gc.collect()` runs before every repetition and never inside a timed region, so one engine's
  garbage is never collected inside another engine's timing.
- The cycle collector stays *enabled* inside timed regions: the collections an engine's own
  allocations trigger are part of what its users pay (most of micrograd's step).
- Everything alive before the measurements (the interpreter, numpy, PyTorch's thousands of module
  objects) is moved out of the collector's sight with gc.freeze(). Otherwise every full collection
  inside a timed region would also walk PyTorch's objects, and micrograd's step would cost ~40%
  more whenever torch happens to be installed.
- The first round is a warm-up and is thrown away; we report medians.
"""

from __future__ import annotations

import gc
import statistics
from dataclasses import dataclass, field
from time import perf_counter_ns, process_time_ns


class GcClock:
    """CPU nanoseconds spent inside cycle collections (automatic or explicit) since install()."""

    def __init__(self):
        self.total_ns = 0
        self._started = 0

    def _callback(self, phase: str, info: dict) -> None:
        if phase == "start":
            self._started = process_time_ns()
        else:
            self.total_ns += process_time_ns() - self._started

    def install(self) -> None:
        if self._callback not in gc.callbacks:
            gc.callbacks.append(self._callback)

    def uninstall(self) -> None:
        if self._callback in gc.callbacks:
            gc.callbacks.remove(self._callback)


GC_CLOCK = GcClock()
CLOCK_COST = {"cpu": 0, "wall": 0}  # per phase mark, set by calibrate()


def settle() -> None:
    """Collect, then hide every surviving object from future collections (see the module doc).
    Run again before each workload's rounds, since its set-up may import more (torch does)."""
    gc.collect()
    gc.freeze()


def calibrate(samples: int = 300) -> dict[str, int]:
    """The median cost of one phase mark, read on a phase that does nothing."""
    CLOCK_COST.update(cpu=0, wall=0)
    empty = [time_phases(lambda: (lambda mark: mark()), ["empty"], collect=False)
             for _ in range(samples)]
    CLOCK_COST.update(cpu=int(statistics.median(r["empty"] for r in empty)),
                      wall=int(statistics.median(r["wall"] for r in empty)))
    return dict(CLOCK_COST)


def start_measuring() -> None:
    """Call once, after every import and before the first measurement."""
    settle()
    GC_CLOCK.install()
    calibrate()


def stop_measuring() -> None:
    GC_CLOCK.uninstall()
    gc.unfreeze()


@dataclass
class Samples:
    """The timed repetitions of one engine on one workload, each a dict of ns: one key per phase
    (CPU time), "total" (their sum), "wall" (wall-clock time of all phases), "gc" (CPU time in
    the cycle collector)."""

    phases: list[str]
    reps: list[dict[str, int]] = field(default_factory=list)

    def median(self, key: str) -> float:
        return statistics.median(r[key] for r in self.reps)

    def quartiles(self, key: str) -> tuple[float, float]:
        values = sorted(r[key] for r in self.reps)
        if len(values) < 2:
            return float(values[0]), float(values[0])
        q = statistics.quantiles(values, n=4, method="inclusive")
        return q[0], q[2]

    def to_json(self) -> dict:
        keys = [*self.phases, "total", "wall", "gc"]
        return {
            "reps": len(self.reps),
            "median_ns": {k: self.median(k) for k in keys},
            "quartiles_ns": {k: self.quartiles(k) for k in keys},
            "samples_ns": {k: [r[k] for r in self.reps] for k in keys},
            "collections_per_generation": [r["collections"] for r in self.reps],
        }


def time_phases(prepare, phases: list[str], collect: bool = True) -> dict[str, int]:
    """Time one repetition. `prepare()` sets up untimed (fresh leaves, reset weights) and returns
    `run(mark)`, which calls `mark()` at the end of each of its phases.

    gc.collect() runs after the set-up and before the timed region; the phases of one repetition
    run back to back, as a user runs them (no collection between forward and backward)."""
    run = prepare()
    if collect:
        gc.collect()
    clock = GC_CLOCK
    stamps: list[tuple[int, int, int]] = []  # (wall, cpu, gc cpu so far) at each mark

    def mark():
        stamps.append((perf_counter_ns(), process_time_ns(), clock.total_ns))

    before = [g["collections"] for g in gc.get_stats()]
    mark()
    run(mark)
    after = [g["collections"] for g in gc.get_stats()]
    del run  # whatever the case still holds is released here, after its timed region
    if len(stamps) != len(phases) + 1:
        raise RuntimeError(f"benchmark bug: {len(stamps) - 1} phase marks for phases {phases}")
    result = {name: max(0, b[1] - a[1] - CLOCK_COST["cpu"])
              for name, a, b in zip(phases, stamps, stamps[1:])}
    result["total"] = sum(result[name] for name in phases)
    result["wall"] = max(0, stamps[-1][0] - stamps[0][0] - len(phases) * CLOCK_COST["wall"])
    result["gc"] = stamps[-1][2] - stamps[0][2]
    result["collections"] = [b - a for a, b in zip(before, after)]  # per generation 0, 1, 2
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
