"""Times are timezone-aware and kept in UTC; JSON carries them as ISO 8601 with `Z`."""

from datetime import UTC, datetime
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime


def as_utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


UtcDatetime = Annotated[AwareDatetime, AfterValidator(as_utc)]
"""An aware datetime converted to UTC; naive datetimes are rejected."""
