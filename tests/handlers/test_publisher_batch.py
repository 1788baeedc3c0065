"""The publisher's batch: a poison record fails alone (the others are published, its order's
later records wait behind it), and what Lambda retries is named by sequence number."""

from typing import Any

from tests.handlers.client import CUSTOMER, Api
from tests.handlers.outbox import Outbox
from tests.support.events import history_item, stream_record


def poison(order_id: str) -> dict[str, Any]:
    return history_item(order_id, 2, "pay")  # a payment entry without its payment


def test_a_poison_record_fails_alone_and_the_others_are_published(api: Api) -> None:
    outbox = Outbox()
    assert api.create_order(CUSTOMER, "ORD-1").status == 201
    assert api.create_order(CUSTOMER, "ORD-2").status == 201
    good = outbox.records()
    assert len(good) == 2
    batch = {
        "Records": [
            good[0],
            stream_record(poison("ORD-9"), 900),
            stream_record(history_item("ORD-9", 3, "deliver"), 901),
            good[1],
        ]
    }

    answer = outbox.invoke(batch)

    # Then the poison record and its order's later one are retried; the others reached the bus
    failed = [f["itemIdentifier"] for f in answer["batchItemFailures"]]
    assert failed == [f"{900:021d}", f"{901:021d}"]
    published = outbox.received()
    assert [(e["detail-type"], e["detail"]["order_id"]) for e in published] == [
        ("OrderCreated", "ORD-1"),
        ("OrderCreated", "ORD-2"),
    ]
