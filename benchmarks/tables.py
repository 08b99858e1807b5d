"""Plain-text tables and the number formats the report uses."""

from __future__ import annotations


def num(x: float | None, digits: int = 0) -> str:
    if x is None:
        return "-"
    if digits == 0 and abs(x) >= 10:
        return f"{x:,.0f}"
    return f"{x:,.{max(digits, 2 if abs(x) < 10 else 1)}f}"


def ratio(x: float | None) -> str:
    if x is None:
        return "-"
    return f"{x:.1f}x" if x >= 10 else f"{x:.2f}x"


def table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(h.ljust(w) if i == 0 else h.rjust(w)
                       for i, (h, w) in enumerate(zip(header, widths))),
             "  ".join("-" * w for w in widths)]
    for r in rows:
        lines.append("  ".join(c.ljust(w) if i == 0 else c.rjust(w)
                               for i, (c, w) in enumerate(zip(r, widths))))
    return "\n".join(lines)


def titles(results: dict) -> dict[str, str]:
    return results.get("engine_titles", {})


def div(a, b):
    return a / b if a is not None and b else None
