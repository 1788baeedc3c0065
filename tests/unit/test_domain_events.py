"""The outbox's mapping: which events each log entry emits, and what they say."""

import pytest

from orderhelp.domain_events import (
    DETAIL_TYPES,
    MAPPINGS,
    MalformedEntry,
    events_of,
)
from tests.support.events import history_item

ORDER = "ORD-1"


def activity_item(
    event: str, version: int, *, message: dict | None = None, **extra: object
) -> dict:
    item = {
        "pk": "CASE#CS-1",
        "sk": f"ACTIVITY#{version:010d}",
        "outbox": "case",
        "case_id": "CS-1",
        "number": 48213,
        "order_id": ORDER,
        "customer_id": "cust-lucia",
        "action": "payment_issue",
        "version": version,
        "at": "2026-05-04T10:00:00Z",
        "event": event,
        "actor": {"kind": "agent", "id": "agent-marta"},
        "to_status": "pending",
        "data": {},
        "request_id": f"r-{version}",
    }
    if message is not None:
        item["message"] = message
    return item | extra


def message(body: str, *, internal: bool = False, author: str = "agent") -> dict:
    return {
        "message_id": "MSG-1",
        "at": "2026-05-04T10:00:00Z",
        "author": author,
        "author_id": "agent-marta",
        "body": body,
        "internal": internal,
    }


def types_of(item: dict) -> list[str]:
    return [event.detail_type for event in events_of(item)]


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        (
            history_item(
                ORDER,
                1,
                "create",
                customer_id="c",
                placed_at="2026-05-04T09:00:00Z",
                total={"amount": "1.00", "currency": "EUR"},
                item_count=1,
            ),
            ["OrderCreated"],
        ),
        (
            history_item(
                ORDER, 2, "pay", payment_ref="P", estimated_ship_by="2026-05-05T09:00:00Z"
            ),
            ["OrderPaid"],
        ),
        (
            history_item(
                ORDER,
                3,
                "ship",
                carrier="C",
                tracking_number="T",
                estimated_delivery_by="2026-05-08T09:00:00Z",
            ),
            ["OrderShipped"],
        ),
        (history_item(ORDER, 4, "deliver"), ["OrderDelivered"]),
        (
            history_item(ORDER, 3, "cancel", reason="Out of stock", refund_due=None),
            ["OrderCancelled"],
        ),
        (
            history_item(ORDER, 3, "revise_estimate", estimated_ship_by="2026-05-09T09:00:00Z"),
            ["EstimateRevised"],
        ),
        (
            history_item(
                ORDER,
                3,
                "record_shipping_delay",
                case_id="CS-1",
                estimated_ship_by="2026-05-05T09:00:00Z",
                shipping_delayed_since="2026-05-05T09:00:00Z",
            ),
            ["DelayRecorded"],
        ),
        (
            history_item(ORDER, 2, "payment_issue", case_id="CS-1", case_opened=True),
            ["HelpRequested"],
        ),
        (
            history_item(
                ORDER,
                3,
                "cancel_order",
                case_id="CS-1",
                case_opened=True,
                refund_due={"amount": "44.85", "currency": "EUR"},
            ),
            ["OrderCancelled", "HelpRequested"],
        ),
        (activity_item("open", 1, message=message("Help", author="customer")), ["CaseOpened"]),
        (activity_item("agent_reply", 2, message=message("Here you are")), ["CaseAnswered"]),
        (
            activity_item(
                "customer_reply",
                3,
                message=message("Thanks", author="customer"),
                from_status="pending",
            ),
            ["CaseCustomerReplied"],
        ),
        (
            activity_item(
                "customer_reply",
                5,
                message=message("Again", author="customer"),
                from_status="solved",
            ),
            ["CaseCustomerReplied", "CaseReopened"],
        ),
        (activity_item("solve", 4, message=message("Refunded")), ["CaseSolved"]),
        (activity_item("close", 6), ["CaseClosed"]),
        (activity_item("rate", 5, data={"rating": "good"}), ["CaseRated"]),
        (
            activity_item(
                "internal_note", 3, message=message("The customer is rude", internal=True)
            ),
            [],
        ),
        (activity_item("assign", 2, message=message("Assigned to agent-marta", internal=True)), []),
    ],
    ids=lambda value: value["event"] if isinstance(value, dict) else "",
)
def test_each_log_entry_emits_exactly_its_detail_types(entry: dict, expected: list[str]) -> None:
    assert types_of(entry) == expected


def test_an_event_id_is_the_same_on_every_delivery_and_differs_per_detail_type() -> None:
    entry = history_item(
        ORDER, 3, "cancel_order", case_id="CS-1", case_opened=True, refund_due=None
    )
    first, again = events_of(entry), events_of(dict(entry))
    assert [e.event_id for e in first] == [e.event_id for e in again]
    assert len({e.event_id for e in first}) == 2


def test_every_detail_carries_the_order_its_version_the_time_and_the_actor() -> None:
    (answered,) = events_of(activity_item("agent_reply", 7, message=message("Hello")))
    detail = answered.detail.model_dump(mode="json")
    assert detail["order_id"] == ORDER
    assert detail["version"] == 7  # the case's version, for a case event
    assert detail["occurred_at"] == "2026-05-04T10:00:00Z"
    assert detail["actor"] == {"kind": "agent", "id": "agent-marta"}
    assert detail["message"]["body"] == "Hello"


def test_a_case_event_says_the_number_people_read_out_and_a_general_question_is_a_case() -> None:
    entry = activity_item("close", 6, action="general_question")
    (closed,) = events_of(entry)
    detail = closed.detail.model_dump(mode="json")
    assert (detail["case_id"], detail["number"]) == ("CS-1", 48213)
    assert detail["action"] == "general_question"


def test_a_rating_says_the_rating_and_the_comment_and_nothing_internal() -> None:
    rated = activity_item(
        "rate",
        5,
        actor={"kind": "customer", "id": "cust-lucia"},
        to_status="solved",
        from_status="solved",
        data={"rating": "not_good", "comment": "It took a week."},
    )
    (event,) = events_of(rated)
    assert event.detail_type == "CaseRated"
    detail = event.detail.model_dump(mode="json")
    assert (detail["rating"], detail["comment"], detail["number"]) == (
        "not_good",
        "It took a week.",
        48213,
    )
    assert detail["actor"] == {"kind": "customer", "id": "cust-lucia"}
    assert set(detail) == {
        "event_id",
        "order_id",
        "version",
        "occurred_at",
        "actor",
        "case_id",
        "number",
        "customer_id",
        "action",
        "rating",
        "comment",
    }
    without = rated | {"data": {"rating": "good"}}
    assert events_of(without)[0].detail.model_dump()["comment"] is None


def test_a_message_marked_internal_never_leaves_even_on_an_event_that_would_carry_one() -> None:
    entry = activity_item("agent_reply", 2, message=message("secret note", internal=True))
    with pytest.raises(MalformedEntry):
        events_of(entry)  # an answer without a public message is no answer: dead-lettered


def test_a_poison_record_is_refused_in_words() -> None:
    broken = history_item(ORDER, 2, "pay")  # no payment_ref, no estimate
    with pytest.raises(MalformedEntry, match="OrderPaid"):
        events_of(broken)
    with pytest.raises(MalformedEntry):
        events_of({"pk": "ORDER#X", "sk": "HISTORY#1", "outbox": "order"})


def test_a_returns_entry_without_its_state_is_a_poison_record() -> None:
    entry = {
        "pk": f"ORDER#{ORDER}",
        "sk": "RETURNLOG#ORD-1-R1#0000000002",
        "outbox": "return",
        "order_id": ORDER,
        "customer_id": "cust-lucia",
        "subject": "return",
        "subject_id": "ORD-1-R1",
        "subject_version": 2,
        "version": 1,
        "at": "2026-05-04T10:00:00Z",
        "event": "approve",
        "actor": {"kind": "agent", "id": "agent-marta"},
    }
    with pytest.raises(MalformedEntry, match="ReturnApproved"):
        events_of(entry)
    assert events_of(entry | {"event": "expire"}) == []  # expiring tells nobody


def test_an_entry_no_mapping_names_emits_nothing() -> None:
    assert events_of(history_item(ORDER, 2, "some_future_event")) == []
    assert events_of(history_item(ORDER, 2, "pay") | {"outbox": "return"}) == []


def test_the_table_names_every_detail_type_the_issue_asks_for() -> None:
    assert set(DETAIL_TYPES) == {
        "OrderCreated",
        "OrderPaid",
        "OrderShipped",
        "OrderDelivered",
        "OrderCancelled",
        "ShippingAddressChanged",
        "EstimateRevised",
        "DelayRecorded",
        "HelpRequested",
        "CaseOpened",
        "CaseAnswered",
        "CaseCustomerReplied",
        "CaseSolved",
        "CaseClosed",
        "CaseReopened",
        "CaseRated",
        # issue 12's
        "ReturnApproved",
        "ReturnRejected",
        "ReturnReceived",
        "RefundDue",
        "RefundIssued",
        "RefundFailed",
    }
    assert all(isinstance(kind, str) and isinstance(event, str) for kind, event in MAPPINGS)
