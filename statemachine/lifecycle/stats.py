"""Customer service's figures: first-response times kept as histograms, so that days add up.

A day's first answers are counted in buckets of how long they took (at most 5 minutes, at most
15, …, more than a week); the dashboard adds the days of a period together and reads the median
and the 90th percentile from the sum. A percentile is said as its bucket's upper bound ("at most
2 hours"): exact to the bucket, and the same however the days were added."""

from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta

RESPONSE_BUCKETS_MINUTES: tuple[int, ...] = (
    5,
    15,
    30,
    60,
    120,
    240,
    480,
    720,
    1440,
    2880,
    4320,
    10080,
)
OVER = "over"
"""The bucket of answers that took longer than the last bound."""

PERIODS_DAYS: tuple[int, ...] = (7, 30)


def bucket_of(took: timedelta) -> str:
    minutes = took.total_seconds() / 60
    for bound in RESPONSE_BUCKETS_MINUTES:
        if minutes <= bound:
            return str(bound)
    return OVER


def bucket_names() -> list[str]:
    return [*map(str, RESPONSE_BUCKETS_MINUTES), OVER]


def add_counts(*counts: Mapping[str, int]) -> dict[str, int]:
    total: dict[str, int] = {}
    for count in counts:
        for name, value in count.items():
            total[name] = total.get(name, 0) + value
    return total


def percentile(histogram: Mapping[str, int], share: float) -> int | None:
    """The upper bound, in minutes, of the bucket holding the `share` (0 < share ≤ 1) answer;
    None without answers, and the last bound for a percentile among the answers over it (the
    dashboard says "more than" then)."""
    total = sum(histogram.values())
    if total == 0:
        return None
    rank = share * total
    seen = 0
    for name in bucket_names():
        seen += histogram.get(name, 0)
        if seen >= rank:
            return RESPONSE_BUCKETS_MINUTES[-1] if name == OVER else int(name)
    return RESPONSE_BUCKETS_MINUTES[-1]


def day_of(moment: datetime) -> date:
    """The (UTC) day a figure counts on."""
    return moment.astimezone(UTC).date()


def period(today: date, days: int) -> list[date]:
    """The `days` days ending today, oldest first."""
    return [today - timedelta(days=offset) for offset in range(days - 1, -1, -1)]


def share(part: int, whole: int) -> float | None:
    return None if whole == 0 else part / whole
