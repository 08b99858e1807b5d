"""`python -m benchmarks [--tiny] [--json PATH] [--only WORKLOAD]`: gategrad's training step
against batched PyTorch, JAX, hand-written numpy, micrograd and hand-written scalar Python.

Prints one markdown table per workload (workloads.py), every row in ms and as a ratio to batched
PyTorch, measured as timing.py describes; --json writes every number with the machine, the date
and the versions. Exits with 1 when the engines' first losses disagree.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import re
import subprocess
import sys
import time
from importlib import metadata
from pathlib import Path

from . import timing
from .workloads import workloads

NAMES = ("demo", "demo-large", "wide", "fn-batch")
COLUMNS = ("engine", "steady ms", "median", "min", "cold ms", "vs PyTorch", "note")


def _progress(message: str) -> None:
    print(f"[benchmarks] {message}", file=sys.stderr, flush=True)


def _version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def machine() -> dict:
    """Where and when: a number means little without these."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f
                       if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    try:
        commit = subprocess.run(["git", "describe", "--always", "--dirty"], capture_output=True,
                                text=True, timeout=10, cwd=Path(__file__).parent).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        commit = ""
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": cpu, "nproc": os.cpu_count(),
        "os": f"{platform.system()} {platform.release()} {platform.machine()}",
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "gategrad_commit": commit or None,
        "versions": {p: _version(p) for p in ("gategrad", "numpy", "torch", "jax", "jaxlib",
                                              "micrograd")},
        "load_average": os.getloadavg() if hasattr(os, "getloadavg") else None,
        "threads": {v: os.environ.get(v) for v in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS")}
        | {"torch": "torch.set_num_threads(1)", "jax": "XLA's defaults"},
    }


def run(tiny: bool = False, only: list[str] | None = None) -> dict:
    """Measure the selected workloads; the result is what --json writes."""
    started = time.perf_counter()
    results = {"size": "tiny" if tiny else "full", "machine": machine(),
               "method": timing.__doc__.strip(),
               "workloads": {}}
    for w in workloads(tiny):
        if not only or w.name in only:
            results["workloads"][w.name] = timing.measure(w, _progress)
    results["elapsed_s"] = time.perf_counter() - started
    results["machine"]["load_average_at_end"] = machine()["load_average"]
    return results


def _ms(x: float | None) -> str:
    if x is None:
        return "-"
    return f"{x:,.0f}" if x >= 1000 else f"{x:.3g}"


def _ratio(x: float | None) -> str:
    if x is None:
        return "-"
    return f"{x:.0f}x" if x >= 100 else f"{x:.1f}x" if x >= 10 else f"{x:.2f}x"


def table(section: dict) -> str:
    """One workload's markdown table, a row per engine: the steady step (mean, median, min), the
    cold step, the steady step over PyTorch's, and why a row has no numbers."""
    lines = [f"| {' | '.join(COLUMNS)} |", "|" + "---|" * len(COLUMNS)]
    for name, row in section["engines"].items():
        if "steady_ms" in row:
            note = "the reference" if name == "torch" else ""
            cells = [_ms(row["steady_ms"]), _ms(row["steady_median_ms"]),
                     _ms(row["steady_min_ms"]), _ms(row["cold_ms"]), _ratio(row.get("ratio")),
                     note]
        else:
            cells = ["-"] * 5 + [row.get("skipped", "")]
        lines.append(f"| {row['title']} | {' | '.join(cells)} |")
    return "\n".join(lines)


def report(results: dict) -> str:
    """Everything a person reads: where and how, then a table per workload."""
    m = results["machine"]
    versions = ", ".join(f"{p} {v}" for p, v in m["versions"].items() if v)
    out = [f"{m['date']}; {m['cpu']}, {m['nproc']} CPUs, {m['os']}; {m['python']}; {versions}",
           "", "steady ms: mean of the steps after the first, over every round (median, min "
           "beside it); cold ms: a new model's first step, median over rounds; vs PyTorch: "
           "steady ms / batched PyTorch's (below 1 is faster)."]
    for section in results["workloads"].values():
        c = section["check"]
        out += ["", f"### {section['title']}",
                f"{section['steps']} steady steps after the cold one, {section['rounds']} "
                "rounds, engines interleaved", "", table(section), ""]
        losses = c["first_losses"]
        if losses:
            agreed = "every engine agrees" if c["passed"] else "NOT every engine agrees"
            out.append(f"first-step loss {losses[c['reference']]:.12g}: {agreed} with "
                       f"{c['reference']}'s to {c['agree_to']:g} relative")
        if c.get("last_losses_spread") is not None:
            out.append(f"loss after the last step: engines within "
                       f"{c['last_losses_spread']:.1e} relative of each other")
        out.append(f"CPU time / wall time over the rounds: {section['cpu_over_wall']:.2f} "
                   "(1.00: the benchmark had a core to itself)")
        if section.get("micrograd_over_plain"):
            out.append(f"micrograd's steady step / gategrad's plain graph's: "
                       f"{section['micrograd_over_plain']:.1f}x")
    out.append(f"\ntotal {results['elapsed_s']:.0f} s")
    return "\n".join(out)


def to_json(results: dict) -> str:
    """Indented, with each list of plain numbers on one line (a re-run's diff stays short)."""
    text = json.dumps(results, indent=1)
    return re.sub(r"\[\n[^\[\]{}\"]*\]", lambda m: json.dumps(json.loads(m.group(0))), text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--tiny", action="store_true",
                        help="every workload at a tiny size, a few seconds (what the tests run)")
    parser.add_argument("--json", metavar="PATH", help="also write every number to this file")
    parser.add_argument("--only", action="append", choices=NAMES, metavar="WORKLOAD",
                        help=f"run only this workload (repeatable): {', '.join(NAMES)}")
    args = parser.parse_args(argv)
    results = run(tiny=args.tiny, only=args.only)
    print(report(results))
    if args.json:
        Path(args.json).write_text(to_json(results) + "\n")
        _progress(f"wrote {args.json}")
    return 0 if all(s["check"]["passed"] for s in results["workloads"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
