"""Issue 6's targets for gategrad, each checked against one run's numbers (never in a test:
timings on a shared machine are evidence for a person, not a pass/fail gate)."""

from __future__ import annotations

from .tables import div, ratio, table


def targets_section(results: dict) -> str:
    """Issue 6's targets for gategrad, each checked against this run's numbers."""
    w, checks = results["workloads"], []

    def check(text: str, value, ok) -> None:
        mark = "-" if ok is None else ("met" if ok else "NOT met")
        checks.append([text, value, mark])

    if "demo" in w:
        med = {n: s["median_ns"]["total"] for n, s in w["demo"]["engines"].items()}
        g = med.get("gategrad")
        speedup, floor = div(med.get("micrograd"), g), div(g, med.get("floor"))
        check("demo step >= 30x faster than micrograd", ratio(speedup),
              None if speedup is None else speedup >= 30)
        check("demo step within 2.5x of the floor", ratio(floor),
              None if floor is None else floor <= 2.5)
    for section in w.get("chain", []):
        med = {n: s["median_ns"] for n, s in section["engines"].items()}
        if "micrograd" in med and "gategrad" in med:
            for phase, need in (("forward", 3), ("backward", 5)):
                r = med["micrograd"][phase] / med["gategrad"][phase]
                check(f"chain of {section['gates']:,} gates: {phase} >= {need}x faster than "
                      "micrograd", ratio(r), r >= need)
    if "depth" in w and "gategrad" in w["depth"]:
        deepest = w["depth"]["gategrad"]["deepest_ok_gates"]
        check("1,000,000-gate chain forward and backward", f"{deepest:,} gates",
              deepest >= 1_000_000)
    if "memory" in w and "bytes_per_gate_forward" in w["memory"].get("gategrad", {}):
        m = w["memory"]["gategrad"]
        check("at most 250 bytes per node (graph as built)",
              f"{m['bytes_per_gate_forward']:.0f} B", m["bytes_per_gate_forward"] <= 250)
        check("at most 250 bytes per node (after backward, gradients held)",
              f"{m['bytes_per_gate_after_backward']:.0f} B",
              m["bytes_per_gate_after_backward"] <= 250)
        check("dropped graph freed by reference counting; gc.collect() finds nothing",
              f"{m['gc_collect_found_objects']} objects",
              m["freed_without_gc"] and m["gc_collect_found_objects"] == 0)
    if not checks:
        return ""
    return ("issue 6's targets for gategrad, in this run\n"
            + table(["target", "this run", "status"], checks))
