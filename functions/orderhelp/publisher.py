"""The outbox publisher: a stream record's log entry becomes its events on the bus.

PublisherFunction is triggered by DynamoDB Streams on the orders table (NEW_IMAGE, INSERTs of
log entries only: the event source mapping filters on the `outbox` attribute). Each record's
events go to the bus in one PutEvents call; a record whose events could not all be published
fails alone (Powertools' batch processing reports it, and Lambda retries from it), so nothing
is lost and nothing before it is sent again. A record after a failed one of the same order
fails too, so one order's events reach the bus in version order. Delivery is at least once:
the events of a redelivered record carry the same `event_id`, and consumers dedupe on it."""

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol

from orderhelp.domain_events import EVENT_SOURCE, DomainEvent

if TYPE_CHECKING:
    from mypy_boto3_events.type_defs import PutEventsRequestEntryTypeDef

PUT_EVENTS_LIMIT = 10
"""Entries per PutEvents call."""


class PublishFailed(RuntimeError):
    """The bus refused some of a record's events; the record is retried."""


class Bus(Protocol):
    def put_events(self, *, Entries: Sequence["PutEventsRequestEntryTypeDef"]) -> Any: ...


def bus_entries(
    events: Sequence[DomainEvent], bus_name: str
) -> list["PutEventsRequestEntryTypeDef"]:
    """PutEvents entries: `time` is when the change was committed, not when it was published."""
    return [
        {
            "Source": EVENT_SOURCE,
            "DetailType": event.detail_type,
            "Detail": event.detail_json(),
            "EventBusName": bus_name,
            "Time": event.detail.occurred_at,
        }
        for event in events
    ]


class Publisher:
    def __init__(self, bus: Bus, bus_name: str) -> None:
        self._bus = bus
        self._bus_name = bus_name

    def publish(self, events: Sequence[DomainEvent]) -> None:
        entries = bus_entries(events, self._bus_name)
        for start in range(0, len(entries), PUT_EVENTS_LIMIT):
            answer = self._bus.put_events(Entries=entries[start : start + PUT_EVENTS_LIMIT])
            if answer.get("FailedEntryCount", 0):
                failures = [e for e in answer.get("Entries", []) if e.get("ErrorCode")]
                codes = sorted({str(e.get("ErrorCode")) for e in failures})
                raise PublishFailed(f"the bus refused {len(failures)} event(s): {', '.join(codes)}")
