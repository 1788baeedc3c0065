"""Customer service's figures: first-response times in buckets that add up across days, and
the percentiles read from them."""

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from lifecycle.stats import (
    OVER,
    PERIODS_DAYS,
    RESPONSE_BUCKETS_MINUTES,
    add_counts,
    bucket_names,
    bucket_of,
    day_of,
    percentile,
    period,
    share,
)


def test_the_buckets_run_from_five_minutes_to_a_week_then_over() -> None:
    assert RESPONSE_BUCKETS_MINUTES == (5, 15, 30, 60, 120, 240, 480, 720, 1440, 2880, 4320, 10080)
    assert bucket_names() == [*map(str, RESPONSE_BUCKETS_MINUTES), "over"]
    assert OVER == "over"
    assert PERIODS_DAYS == (7, 30)


@pytest.mark.parametrize(
    ("took", "bucket"),
    [
        (timedelta(0), "5"),
        (timedelta(minutes=5), "5"),  # a bound is in its own bucket
        (timedelta(minutes=5, seconds=1), "15"),
        (timedelta(minutes=59, seconds=59), "60"),
        (timedelta(hours=1), "60"),
        (timedelta(hours=1, microseconds=1), "120"),
        (timedelta(days=1), "1440"),
        (timedelta(days=7), "10080"),
        (timedelta(days=7, seconds=1), "over"),
        (timedelta(days=40), "over"),
    ],
)
def test_an_answer_counts_in_the_first_bucket_it_fits(took: timedelta, bucket: str) -> None:
    assert bucket_of(took) == bucket


def test_counts_of_several_days_add_up_bucket_by_bucket() -> None:
    assert add_counts({"5": 2, "60": 1}, {"5": 3, "over": 4}, {}) == {"5": 5, "60": 1, "over": 4}
    assert add_counts() == {}


@pytest.mark.parametrize(
    ("histogram", "share_of", "bound"),
    [
        ({}, 0.5, None),
        ({"5": 0, "60": 0}, 0.9, None),
        ({"5": 1}, 0.5, 5),
        # 4 answers: the median is the 2nd, in the first bucket; the 90th percentile the 4th
        ({"5": 2, "60": 1, "240": 1}, 0.5, 5),
        ({"5": 2, "60": 1, "240": 1}, 0.75, 60),
        ({"5": 2, "60": 1, "240": 1}, 0.9, 240),
        ({"5": 2, "60": 1, "240": 1}, 1.0, 240),
        # a rank just past a bucket's last answer is in the next bucket
        ({"5": 1, "15": 1}, 0.51, 15),
        # among the answers over a week, the last bound (the dashboard says "more than")
        ({"5": 1, "over": 3}, 0.9, 10080),
        # buckets are read in their order, whatever order the mapping has
        ({"240": 1, "5": 1}, 0.5, 5),
    ],
)
def test_a_percentile_is_the_upper_bound_of_its_bucket(
    histogram: dict[str, int], share_of: float, bound: int | None
) -> None:
    assert percentile(histogram, share_of) == bound


def test_a_histogram_with_names_that_are_not_buckets_reads_the_last_bound() -> None:
    assert percentile({"unknown": 3}, 0.5) == 10080


def test_a_figure_counts_on_its_day_in_utc() -> None:
    madrid_late = datetime(2026, 5, 14, 1, 30, tzinfo=timezone(timedelta(hours=2)))
    assert day_of(madrid_late) == date(2026, 5, 13)
    assert day_of(datetime(2026, 5, 14, 23, 59, tzinfo=UTC)) == date(2026, 5, 14)


def test_a_period_is_its_days_ending_today_oldest_first() -> None:
    today = date(2026, 3, 2)
    assert period(today, 3) == [date(2026, 2, 28), date(2026, 3, 1), date(2026, 3, 2)]
    assert period(today, 1) == [today]
    assert len(period(today, 30)) == 30


def test_a_share_of_nothing_is_none() -> None:
    assert share(0, 0) is None
    assert share(3, 0) is None
    assert share(1, 4) == 0.25
    assert share(0, 4) == 0.0
