"""`python -m benchmarks [--quick] [--json PATH] [--only WORKLOAD ...]`: gategrad against others.

Runs gategrad, micrograd 0.1.0, the hand-written floor and (when torch imports) PyTorch on the same
work in one process, prints a table, and writes every number to JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from dataclasses import asdict

from . import isolated, machine, report, workloads
from .demo_spec import make_spec
from .engines import all_engines
from .timing import CLOCK_COST, start_measuring, stop_measuring

WORKLOADS = ("chain", "dot", "demo", "memory", "depth")


def _progress(message: str) -> None:
    print(f"[benchmarks] {message}", file=sys.stderr, flush=True)


def run(quick: bool = False, only: list[str] | None = None, with_torch: bool = True) -> dict:
    """Run the selected workloads and return the results (what --json writes)."""
    sizes = workloads.QUICK if quick else workloads.FULL
    selected = [w for w in WORKLOADS if not only or w in only]
    started = time.perf_counter()
    engines = all_engines(with_torch=with_torch)  # imports every engine before start_measuring()
    results = {
        "quick": quick,
        "machine": machine.machine_info(),
        "method": report.METHOD,
        "sizes": asdict(sizes),
        "engine_titles": {e.name: e.title for e in engines},
        "engine_versions": {e.name: e.version() for e in engines},
        "torch": "installed" if any(e.name.startswith("torch") for e in engines)
                 else "skipped (not installed or --no-torch)",
        "workloads": {},
    }
    out = results["workloads"]
    start_measuring()
    results["clock_cost_ns"] = dict(CLOCK_COST)  # subtracted from every timed phase
    try:
        if "chain" in selected:
            out["chain"] = []
            for steps, rounds in zip(sizes.chain_steps, sizes.chain_rounds):
                _progress(f"chain of {2 * steps:,} gates")
                out["chain"].append(workloads.chain(engines, steps, rounds, sizes.warmup))
        if "dot" in selected:
            _progress(f"dot product of {sizes.dot_pairs:,} pairs")
            out["dot"] = workloads.dot(engines, sizes.dot_pairs, sizes.dot_rounds, sizes.warmup)
        if "demo" in selected:
            _progress(f"demo step, {sizes.demo_points} points")
            out["demo"] = workloads.demo(engines, make_spec(sizes.demo_points), sizes.demo_rounds,
                                         sizes.warmup, sizes.loop_steps, sizes.loop_rounds)
        if "memory" in selected:
            _progress(f"memory of a {sizes.memory_gates:,}-gate chain (subprocesses)")
            names = [e.name for e in workloads.supporting(engines, "memory")]
            out["memory"] = isolated.memory(names, sizes.memory_gates)
        if "depth" in selected:
            _progress(f"deepest chain, up to {sizes.depth_ladder[-1]:,} gates (subprocesses)")
            names = [e.name for e in workloads.supporting(engines, "depth")
                     if sizes.depth_torch or not e.name.startswith("torch")]
            out["depth"] = isolated.depth_ladder(names, sizes.depth_ladder)
    finally:
        stop_measuring()
    if hasattr(os, "getloadavg"):
        results["machine"]["load_average_at_end"] = os.getloadavg()
    results["elapsed_s"] = time.perf_counter() - started
    return results


def to_json(results: dict) -> str:
    """Indented JSON with every list of plain numbers on one line: readable, and a re-run's diff
    shows one changed line per measurement instead of one per sample."""
    text = json.dumps(results, indent=1)
    return re.sub(r"\[\n[^\[\]{}\"]*\]", lambda m: json.dumps(json.loads(m.group(0))), text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="tiny sizes, a few seconds (what the test suite runs)")
    parser.add_argument("--json", metavar="PATH", help="also write every number to this file")
    parser.add_argument("--only", action="append", choices=WORKLOADS, metavar="WORKLOAD",
                        help=f"run only this workload (repeatable): {', '.join(WORKLOADS)}")
    parser.add_argument("--no-torch", action="store_true",
                        help="leave PyTorch out even when it is installed")
    args = parser.parse_args(argv)
    results = run(quick=args.quick, only=args.only, with_torch=not args.no_torch)
    report.print_report(results)
    if args.json:
        with open(args.json, "w") as f:
            f.write(to_json(results) + "\n")
        _progress(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
