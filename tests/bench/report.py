"""Printing figures next to their goals."""

import statistics
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Figure:
    subject: str
    measure: str
    value: float
    unit: str
    goal: float | None = None
    context: str = ""
    higher_is_worse: bool = True

    @property
    def verdict(self) -> str:
        if self.goal is None:
            return ""
        ok = self.value <= self.goal if self.higher_is_worse else self.value >= self.goal
        return "PASS" if ok else "MISS"


def percentile(samples: Sequence[float], fraction: float) -> float:
    """The `fraction` quantile (0.5 = median), by linear interpolation."""
    ordered = sorted(samples)
    if len(ordered) == 1:
        return ordered[0]
    return statistics.quantiles(ordered, n=1000, method="inclusive")[int(fraction * 1000) - 1]


def _number(value: float, unit: str) -> str:
    if unit == "req":
        return f"{value:g}"
    if unit == "×":
        return f"{value:.2f}×"
    return f"{value:.1f} {unit}" if value >= 10 else f"{value:.2f} {unit}"


def print_table(title: str, figures: Sequence[Figure]) -> None:
    rows = [
        (
            f.subject,
            f.measure,
            _number(f.value, f.unit),
            ""
            if f.goal is None
            else ("≤ " if f.higher_is_worse else "≥ ") + _number(f.goal, f.unit),
            f.verdict,
            f.context,
        )
        for f in figures
    ]
    header = ("subject", "figure", "value", "goal", "", "context")
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    print(f"\n{title}")
    print("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)).rstrip())
    print("  ".join("-" * w for w in widths))
    previous = None
    for row in rows:
        subject = row[0] if row[0] != previous else ""
        previous = row[0]
        cells = (subject, *row[1:])
        print("  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip())


def summary(figures: Sequence[Figure]) -> str:
    judged = [f for f in figures if f.goal is not None]
    missed = [f for f in judged if f.verdict == "MISS"]
    return f"{len(judged) - len(missed)} of {len(judged)} goals met" + (
        "; missed: " + "; ".join(f"{f.subject} {f.measure}" for f in missed) if missed else ""
    )
