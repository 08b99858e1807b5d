"""`python -m benchmarks.compile_cost [--tiny]`: what `compile` itself costs, in time and memory,
on the two graphs that show whether it is linear: a model with many inputs (MLP(10, [128, 128,
10]), 19,210 parameters) and a long chain (100,000 gates). Time is one compile's wall time, the
median of three; memory is the peak that tracemalloc sees while compiling (a separate run: tracing
allocations slows Python down several times), per gate of the graph.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
import tracemalloc


def wide_model(size: int):
    from gategrad import nn
    from gategrad.engine import Value
    hidden = 128 if size > 1 else 4
    model = nn.MLP(10, [hidden, hidden, 10], rng=random.Random(0))
    x = [Value(0.1 * i, label=f"x{i}") for i in range(10)]
    params = model.parameters()
    return model(x), [*params, *x], params


def chain(size: int):
    from gategrad.engine import Value
    x = Value(0.5, label="x")
    v = x
    for _ in range(50_000 if size > 1 else 500):  # two gates a link: + then tanh
        v = (v + 0.001).tanh()
    return v, [x], [x]


def measure(make, size: int) -> dict:
    from gategrad.engine import compile
    out, inputs, wrt = make(size)
    roots = out if isinstance(out, list) else [out]
    gates = len({id(v) for r in roots for v in r.nodes() if v.gate is not None})
    seconds = []
    for _ in range(3):
        began = time.perf_counter()
        compile(out, inputs, wrt=wrt)
        seconds.append(time.perf_counter() - began)
    tracemalloc.start()
    compile(out, inputs, wrt=wrt)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return {"gates": gates, "inputs": len(inputs), "seconds": statistics.median(seconds),
            "peak_mb": peak / 1e6, "peak_bytes_per_gate": peak / gates}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.compile_cost",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--tiny", action="store_true", help="small graphs, for the tests")
    size = 0 if parser.parse_args(argv).tiny else 2
    print("| graph | gates | inputs | compile s (median of 3) | peak MB | peak bytes per gate |")
    print("|---|---|---|---|---|---|")
    for name, make in (("MLP(10, [128, 128, 10])", wide_model), ("chain of + and tanh", chain)):
        r = measure(make, size)
        print(f"| {name} | {r['gates']:,} | {r['inputs']:,} | {r['seconds']:.2f} | "
              f"{r['peak_mb']:.1f} | {r['peak_bytes_per_gate']:,.0f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
