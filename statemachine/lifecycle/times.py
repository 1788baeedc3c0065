"""Times are timezone-aware and kept in UTC; JSON carries them as ISO 8601 with `Z`."""

from datetime import UTC, datetime
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime
from pydantic_core import PydanticCustomError

EARLIEST = datetime(1000, 1, 1, tzinfo=UTC)
LATEST = datetime(9998, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)
"""The times the service takes. Four-digit years keep the store's ISO sort keys in time order;
the last year of the calendar is left out so that windows and grace periods added to a time
(at most a year) stay inside it."""

OUT_OF_RANGE = "datetime_out_of_range"


def as_utc(moment: datetime) -> datetime:
    """`moment` in UTC, within `EARLIEST` and `LATEST`."""
    try:
        converted = moment.astimezone(UTC)
    except OverflowError:
        # 9999-12-31T23:00:00-05:00 is past the calendar's end once in UTC.
        converted = None
    if converted is None or not EARLIEST <= converted <= LATEST:
        raise PydanticCustomError(
            OUT_OF_RANGE,
            "Input should be a time from {earliest} to {latest}",
            {"earliest": EARLIEST.date().isoformat(), "latest": LATEST.date().isoformat()},
        )
    return converted


UtcDatetime = Annotated[AwareDatetime, AfterValidator(as_utc)]
"""An aware datetime converted to UTC, from year 1000 to 9998; naive datetimes are rejected."""
