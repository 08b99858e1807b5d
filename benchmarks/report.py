"""The results as a plain-text table (what a person reads) and JSON (everything, for tools).

Ratios: "x faster than micrograd" is micrograd's median time / the engine's; "x floor" is the
engine's median time / the floor's (1.0 would be as fast as hand-written float code).
"""

from __future__ import annotations

import statistics
import sys

from .tables import div, num, ratio, table, titles
from .targets import targets_section

METHOD = ("All engines run in one process on the same work, interleaved: one repetition of each "
          "in turn, the order rotated every round; the first round is a warm-up and is dropped; "
          "the tables give medians of the process's CPU time (wall time beside it: on this "
          "shared machine the scheduler steals whole time slices, which wall time counts and CPU "
          "time does not), less the measured cost of reading the clocks. gc.collect() runs "
          "before every timed region and never inside one, so no engine's garbage is collected "
          "in another's timing; the cycle collector stays enabled while timing, so the "
          "collections an engine's own allocations trigger count as its time ('in gc'). Objects "
          "alive before the measurements (the interpreter's, PyTorch's) are hidden from the "
          "collector with gc.freeze(), so an engine's collections walk the benchmark's objects "
          "only, not those of every library loaded. Memory and depth run in fresh processes.")


# --- one section per workload ------------------------------------------------------------------

def _timed_rows(results: dict, section: dict, per: float, phases: list[str],
                unit_scale: float, ratio_phases: list[str]) -> list[list[str]]:
    """Rows of medians per `per` (gates, pairs, 1 step), in units of `unit_scale` ns, with the
    speed-up over micrograd for each of `ratio_phases` and the total's multiple of the floor."""
    engines = section["engines"]
    med = {n: s["median_ns"] for n, s in engines.items()}
    mg, fl = med.get("micrograd"), med.get("floor")
    rows = []
    for name, m in med.items():
        cells = [titles(results).get(name, name)]
        cells += [num(m[p] / per / unit_scale, 2 if unit_scale > 1 else 0)
                  for p in [*phases, "wall"]]
        cells.append(f"{100 * m['gc'] / m['total']:.0f}%" if m["total"] else "-")
        q1, q3 = engines[name]["quartiles_ns"]["total"]
        cells.append(f"{100 * (q3 - q1) / m['total']:.0f}%" if m["total"] else "-")
        cells += [ratio(div(mg[p], m[p]) if mg else None) for p in ratio_phases]
        cells.append(ratio(div(m["total"], fl["total"]) if fl else None))
        rows.append(cells)
    return rows


def _per_unit_table(results: dict, section: dict, head: str, units: int, check: str) -> str:
    """The chain and dot tables: forward, backward and total per gate (or pair), with ratios."""
    header = ["engine", "forward", "backward", "total", "(wall)", "in gc", "spread",
              "fwd vs micrograd", "bwd vs micrograd", "total vs micrograd", "x floor"]
    phases = ["forward", "backward", "total"]
    rows = _timed_rows(results, section, units, phases, 1, phases)
    return head + "\n" + table(header, rows) + _check_note(section, check) + _cpu_note(section)


def chain_section(results: dict, section: dict) -> str:
    limit = section["micrograd_recursion_limit"]
    note = (f"; micrograd's recursion limit raised to {limit:,} for its backward()" if limit
            else "; Python's default recursion limit for every engine")
    head = (f"(1) chain y = y * 1.0001 + 0.001: {section['steps']:,} steps = "
            f"{section['gates']:,} gates{note}. CPU ns per gate, median of "
            f"{_reps(section)}")
    return _per_unit_table(results, section, head, section["gates"], "grad_ok")


def dot_section(results: dict, section: dict) -> str:
    head = (f"(2) dot product of {section['pairs']:,} pairs, built with one * and one + per pair "
            f"({section['gates']:,} gates; 'gategrad linear()' is one fused node). "
            f"CPU ns per pair, median of {_reps(section)}")
    return _per_unit_table(results, section, head, section["pairs"], "grads_ok")


def demo_section(results: dict, section: dict) -> str:
    head = (f"(3) demo step: MLP(2, [16, 16, 1]) ({section['parameters']} parameters), "
            f"{section['points']} points of two moons, hinge + 1e-4 * sum p^2, zero_grad, "
            f"backward, SGD (lr {section['lr']}); every engine from the same weights and data. "
            f"CPU ms per step, median of {_reps(section)}")
    header = ["engine", "forward", "backward", "update", "step", "(wall)", "in gc", "spread",
              "vs micrograd",
              "x floor", f"loop of {section['loop_steps']}", "loop in gc", "loop vs micrograd"]
    rows = _timed_rows(results, section, 1, ["forward", "backward", "update", "total"], 1e6,
                       ["total"])
    loop = {n: s["median_ns"] for n, s in section["loop"].items()}
    per_step = {n: m["total"] / section["loop_steps"] for n, m in loop.items()}
    for row, name in zip(rows, section["engines"]):
        m = loop[name]
        row += [num(per_step[name] / 1e6, 2),
                f"{100 * m['gc'] / m['total']:.0f}%" if m["total"] else "-",
                ratio(div(per_step.get("micrograd"), per_step[name]))]
    losses = ["first-step loss (same weights, same data; it must agree across engines):"]
    width = max(len(titles(results).get(n, n)) for n in section["checks"])
    for name, c in section["checks"].items():
        flag = "" if c["loss_ok"] and c["same_loss_every_rep"] else "   <-- DISAGREES"
        losses.append(f"  {titles(results).get(name, name):{width}}  {c['first_loss']:.10f}   "
                      f"parameters after the step differ from the floor's by at most "
                      f"{c['max_param_diff_after_step']:.1e}{flag}")
    notes = (f"'step' = forward (loss included) + backward (zero_grad included) + update (graph "
             f"release included). 'loop of {section['loop_steps']}': ms per step over "
             f"{section['loop_steps']} consecutive steps with no gc.collect() between them (a "
             "training loop's steady state, where each step also collects the last one's cyclic "
             "garbage).")
    return (head + "\n" + table(header, rows) + _cpu_note(section) + "\n" + notes + "\n"
            + "\n".join(losses))


def memory_section(results: dict, section: dict) -> str:
    gates = next(iter(section.values())).get("gates", 0)
    head = (f"(4) memory of a {gates:,}-gate chain (tracemalloc; gc disabled while measuring so "
            "that only reference counting frees; PyTorch's C++ memory is invisible to "
            "tracemalloc and is not measured)")
    header = ["engine", "bytes/gate", "after backward", "backward peak extra",
              "freed when dropped", "nodes left", "bytes left", "gc.collect() then finds"]
    rows = []
    for name, m in section.items():
        if "error" in m:
            rows.append([titles(results).get(name, name), m["error"], *[""] * 6])
            continue
        rows.append([titles(results).get(name, name), num(m["bytes_per_gate_forward"]),
                     num(m["bytes_per_gate_after_backward"]),
                     num(m["backward_peak_extra_bytes_per_gate"]),
                     "yes" if m["freed_without_gc"] else "NO",
                     f"{m['nodes_alive_after_drop']:,}",
                     f"{m['retained_after_drop_bytes']:,} B",
                     f"{m['gc_collect_found_objects']:,} objects"])
    note = ("'after backward' is not measured for an engine whose backward() recurses as deep as "
            "the graph: tracemalloc walks the whole stack on every allocation, which makes that "
            "take minutes. "
            "'freed when dropped': no node of the graph is alive after `del` (counted with "
            "gc.get_objects()); 'bytes left' includes objects CPython keeps on its free lists, "
            "which a gc.collect() empties.")
    return head + "\n" + table(header, rows) + "\n" + note


def depth_section(results: dict, section: dict) -> str:
    head = ("(5) deepest chain that works (forward + backward + correct gradient + freeing), "
            "each length in a fresh process, Python's default recursion limit")
    header = ["engine", "deepest ok", "first failure", "fwd s", "bwd s", "max RSS MB"]
    rows = []
    for name, d in section.items():
        rungs = d["rungs"]
        failed = [(g, r) for g, r in rungs.items() if not r.get("ok")]
        failure = f"{int(failed[0][0]):,} gates: {failed[0][1].get('error', 'wrong gradient')}" \
            if failed else "none"
        if "recursion" in d and d["recursion"].get("fails_from_gates"):
            rec = d["recursion"]
            failure = (f"RecursionError from {rec['fails_from_gates']:,} gates "
                       f"(limit {rec['recursion_limit']:,})")
        best = rungs.get(str(d["deepest_ok_gates"]), {})
        rows.append([titles(results).get(name, name),
                     f"{d['deepest_ok_gates']:,}" if d["deepest_ok_gates"] else "-", failure,
                     num(best.get("forward_s"), 2), num(best.get("backward_s"), 2),
                     num(best.get("max_rss_mb"))])
    skipped = "" if results["sizes"]["depth_torch"] else \
        "\nPyTorch is left out of this workload in quick mode (each length imports it afresh)."
    return head + "\n" + table(header, rows) + skipped


def _reps(section: dict) -> int:
    return next(iter(section["engines"].values()))["reps"]


def _cpu_note(section: dict) -> str:
    """How much of a core the benchmark had: median over engines of CPU time / wall time."""
    shares = [s["median_ns"]["total"] / s["median_ns"]["wall"]
              for s in section["engines"].values() if s["median_ns"]["wall"]]
    return (f"\n  CPU time / wall time, median over engines: {statistics.median(shares):.2f} "
            "(1.00: the benchmark had a core to itself; lower: this shared machine was busy)")


def _check_note(section: dict, key: str) -> str:
    bad = [n for n, c in section["checks"].items() if not c[key]]
    return ("\n  every engine's result agrees with the floor's" if not bad
            else f"\n  WRONG RESULT from: {', '.join(bad)}")


SECTIONS = {"chain": chain_section, "dot": dot_section, "demo": demo_section,
            "memory": memory_section, "depth": depth_section}


def text_report(results: dict) -> str:
    m = results["machine"]
    engines = ", ".join(f"{t}" for t in results["engine_titles"].values())
    lines = [
        "gategrad benchmarks" + (" -- QUICK MODE, tiny sizes" if results["quick"]
                                            else ""),
        f"date      {m['date_utc']}",
        f"machine   {m['cpu']}, {m['logical_cpus']} logical CPUs, {m['os']}"
        + (f", load average at start {m['load_average_at_start'][0]:.2f}"
           if "load_average_at_start" in m else ""),
        f"python    {m['python']}; gategrad {m['versions']['gategrad']} "
        f"({m['gategrad_commit'] or 'no git'}), micrograd {m['versions']['micrograd']}, "
        + (f"torch {results['engine_versions']['torch-scalar']} (float64)"
           if "torch-scalar" in results["engine_versions"]
           else "torch does not import here (or --no-torch): the PyTorch rows are skipped"),
        f"engines   {engines}",
        f"method    {METHOD}",
        "ratios    'vs micrograd' = micrograd's median time / this engine's (higher is faster); "
        "'x floor' = this engine's median time / the floor's (1.00x is hand-written float code); "
        "'spread' = interquartile range of the total over its median",
    ]
    for workload, entries in results["workloads"].items():
        for section in entries if isinstance(entries, list) else [entries]:
            lines += ["", SECTIONS[workload](results, section)]
    targets = "" if results["quick"] else targets_section(results)
    if targets:
        lines += ["", targets]
    lines += ["", f"total benchmark time {results['elapsed_s']:.0f} s"]
    return "\n".join(lines)


def print_report(results: dict, file=None) -> None:
    print(text_report(results), file=file or sys.stdout)
