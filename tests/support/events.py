"""Events as AWS delivers them to the functions: a stream batch as Lambda's DynamoDB event
source mapping gives it (the shape of /work/shared/aws-sample-events/dynamodb-stream-update.json)
and an event as an EventBridge rule gives it to its target."""

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from boto3.dynamodb.types import TypeSerializer

from orderhelp.domain_events import EVENT_SOURCE

STREAM_ARN = (
    "arn:aws:dynamodb:eu-west-1:123456789012:table/OrdersTable/stream/2026-05-04T09:00:00.000"
)
_serializer = TypeSerializer()


def stream_record(item: Mapping[str, Any], sequence: int) -> dict[str, Any]:
    """An INSERT of `item` (plain values), as Lambda hands it to the function."""
    image = {
        name: _serializer.serialize(value) for name, value in item.items() if value is not None
    }
    return {
        "eventID": uuid.uuid5(uuid.NAMESPACE_URL, f"{item.get('pk')}|{item.get('sk')}").hex,
        "eventName": "INSERT",
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": "eu-west-1",
        "dynamodb": {
            "ApproximateCreationDateTime": 1777885200,
            "Keys": {"pk": image["pk"], "sk": image["sk"]},
            "NewImage": image,
            "SequenceNumber": f"{sequence:021d}",
            "SizeBytes": 100,
            "StreamViewType": "NEW_IMAGE",
        },
        "eventSourceARN": STREAM_ARN,
    }


def stream_batch(items: Sequence[Mapping[str, Any]], first_sequence: int = 1) -> dict[str, Any]:
    return {"Records": [stream_record(item, first_sequence + i) for i, item in enumerate(items)]}


def history_item(
    order_id: str, version: int = 1, event: str = "create", **data: Any
) -> dict[str, Any]:
    """A history entry as the store writes it."""
    return {
        "pk": f"ORDER#{order_id}",
        "sk": f"HISTORY#{version:010d}",
        "outbox": "order",
        "order_id": order_id,
        "version": version,
        "at": "2026-05-04T09:00:00Z",
        "event": event,
        "actor": {"kind": "ops", "id": "shop"},
        "to_status": "created",
        "changed": True,
        "data": data,
        "request_id": f"r-{order_id}-{version}",
    }


def outbox_batch(order_id: str) -> dict[str, Any]:
    """One order created, as the publisher gets it."""
    created = {
        "customer_id": "cust-lucia",
        "placed_at": "2026-05-04T09:00:00Z",
        "total": {"amount": "44.85", "currency": "EUR"},
        "item_count": 1,
    }
    return stream_batch([history_item(order_id, **created)])


def bus_event(detail_type: str, detail: Mapping[str, Any]) -> dict[str, Any]:
    """An event as an EventBridge rule hands it to a Lambda target."""
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": detail_type,
        "source": EVENT_SOURCE,
        "account": "123456789012",
        "time": "2026-05-04T09:00:00Z",
        "region": "eu-west-1",
        "resources": [],
        "detail": dict(detail),
    }


def bus_events_of(item: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The events a log entry puts on the bus, as a rule hands each to its target."""
    from orderhelp.domain_events import events_of

    return [
        bus_event(event.detail_type, event.detail.model_dump(mode="json"))
        for event in events_of(item)
    ]


def paid_event(order_id: str) -> dict[str, Any]:
    """`OrderPaid`, which emails nobody, as NotifyFunction's rule would never send it."""
    paid = history_item(
        order_id,
        2,
        "pay",
        payment_ref="PAY-1",
        paid_at="2026-05-04T09:00:00Z",
        estimated_ship_by="2026-05-06T09:00:00Z",
    )
    return bus_events_of(paid)[0]
