"""The clock. Services take it as a parameter so tests can move time."""

from datetime import UTC, datetime


def utc_now() -> datetime:
    return datetime.now(UTC)
