"""The targets for gategrad (issue 15: the readable core and compile), each checked against one
run's numbers (never in a test: timings on a shared machine are evidence for a person, not a
pass/fail gate)."""

from __future__ import annotations

from .tables import div, ratio, table


def targets_section(results: dict) -> str:
    """The targets for gategrad, each checked against this run's numbers."""
    w, checks = results["workloads"], []

    def check(text: str, value, ok) -> None:
        mark = "-" if ok is None else ("met" if ok else "NOT met")
        checks.append([text, value, mark])

    if "demo" in w:
        med = {n: s["median_ns"]["total"] for n, s in w["demo"]["engines"].items()}
        g = med.get("gategrad")
        speedup, floor = div(med.get("micrograd"), g), div(g, med.get("floor"))
        check("demo step (plain graph) >= 20x faster than micrograd", ratio(speedup),
              None if speedup is None else speedup >= 20)
        check("demo step (plain graph) within 5x of the floor", ratio(floor),
              None if floor is None else floor <= 5)
        python = div(med.get("gategrad-compiled"), med.get("floor"))
        check("demo step, compile python backend, within 1.0x of the floor", ratio(python),
              None if python is None else python <= 1.0)
        numpy = div(med.get("gategrad-compiled-numpy"), med.get("torch-batched"))
        check("demo step, compile numpy backend, within 1.0x of batched PyTorch", ratio(numpy),
              None if numpy is None else numpy <= 1.0)
    for section in w.get("chain", []):
        med = {n: s["median_ns"] for n, s in section["engines"].items()}
        if "micrograd" in med and "gategrad" in med:
            for phase, need in (("forward", 3), ("backward", 4)):
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
    return ("the targets for gategrad, in this run\n"
            + table(["target", "this run", "status"], checks))
