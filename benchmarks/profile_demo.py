"""Where an engine's demo step spends its time: `python -m benchmarks.profile_demo`.

    python -m benchmarks.profile_demo                      # gategrad, cProfile, 10 steps
    python -m benchmarks.profile_demo --engine micrograd
    python -m benchmarks.profile_demo --pyinstrument       # needs `pip install pyinstrument`

Profiles the same step the benchmark times (benchmarks/nn_demo.py for gategrad), from the same
weights, reset before every step. cProfile adds a cost to every Python call, so its percentages
overweight small functions; pyinstrument samples instead, and its tree shows callers. Neither
number is a timing: take those from `python -m benchmarks`.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import pstats
import sys

from .demo_spec import learning_rate, make_spec
from .engines import all_engines


def _steps(model, steps: int) -> None:
    for _ in range(steps):
        model.reset()
        loss = model.forward()
        model.backward(loss)
        model.update(learning_rate(0))
        del loss


def cprofile_table(model, steps: int, top: int) -> str:
    _steps(model, 1)  # warm-up, unprofiled
    gc.collect()
    profiler = cProfile.Profile()
    profiler.enable()
    _steps(model, steps)
    profiler.disable()
    stats = pstats.Stats(profiler)
    total = stats.total_tt
    rows = sorted(stats.stats.items(), key=lambda kv: kv[1][2], reverse=True)[:top]
    lines = [f"cProfile, {steps} steps, {1000 * total / steps:.1f} ms per step under the profiler",
             f"{'own %':>6} {'own ms/step':>11} {'cum %':>6} {'calls/step':>11}  function"]
    for (filename, line, name), (_, calls, own, cum, _) in rows:
        where = f"{filename.rsplit('/', 1)[-1]}:{line}({name})" if line else name
        lines.append(f"{100 * own / total:6.1f} {1000 * own / steps:11.2f} {100 * cum / total:6.1f}"
                     f" {calls / steps:11.0f}  {where}")
    return "\n".join(lines)


def pyinstrument_tree(model, steps: int) -> str:
    from pyinstrument import Profiler
    _steps(model, 1)
    gc.collect()
    profiler = Profiler(interval=0.0005)
    profiler.start()
    _steps(model, steps)
    profiler.stop()
    return profiler.output_text(unicode=False, color=False)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.profile_demo",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--engine", default="gategrad", help="an engine name (default gategrad)")
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--top", type=int, default=25, help="functions to list (cProfile)")
    parser.add_argument("--pyinstrument", action="store_true", help="sample with pyinstrument")
    args = parser.parse_args(argv)
    engines = {e.name: e for e in all_engines(with_torch=args.engine.startswith("torch"))
               if "demo" in e.workloads}
    if args.engine not in engines:
        parser.error(f"no demo for engine {args.engine!r}; choose from {', '.join(engines)}")
    model = engines[args.engine].demo(make_spec(100))
    out = io.StringIO()
    if args.pyinstrument:
        print(pyinstrument_tree(model, args.steps), file=out)
    else:
        print(cprofile_table(model, args.steps, args.top), file=out)
    sys.stdout.write(out.getvalue())
    return 0


if __name__ == "__main__":
    sys.exit(main())
