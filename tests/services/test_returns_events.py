"""The returns' and refunds' events and emails, from the activity entries their changes write
(the outbox, read by `domain_events.events_of` as every log entry is): the exact events of each
change, stable ids, and the emails in the customer's language."""

from datetime import timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from lifecycle.order import OrderStatus
from lifecycle.policy import Policy
from lifecycle.refunds import RefundMethod, RefundSource, apply_refund_event, new_refund
from lifecycle.returns import (
    ItemCondition,
    ReceivedItem,
    Resolution,
    ReturnItem,
    apply_return_event,
    new_return,
)
from orderhelp.changes import Changeset, RequestContext
from orderhelp.domain_events import (
    EVENT_SOURCE,
    DomainEvent,
    EventActor,
    RefundDue,
    RefundFailed,
    RefundIssued,
    ReturnApproved,
    ReturnReceived,
    ReturnRejected,
    event_id,
    events_of,
)
from orderhelp.emails import Email, compose
from orderhelp.publisher import bus_entries
from orderhelp.records import Actor, ActorKind
from orderhelp.returns_service import put_refund, put_return
from orderhelp.store import codec
from tests.builders import order_in

ORDER = order_in(OrderStatus.DELIVERED)
assert ORDER.delivered_at is not None
NOW = ORDER.delivered_at + timedelta(days=1)
AGENT = Actor(kind=ActorKind.AGENT, id="agent-marta")
SHOP = Actor(kind=ActorKind.OPS, id="shop")
PAGE = "https://shop.example.com/"
MADRID = ZoneInfo("Europe/Madrid")


def written(change: Changeset) -> list[dict[str, Any]]:
    """The items the change's records are, as the table's stream gives them (plain values)."""
    return [codec.plain(codec.record_item(put.after)) for put in change.records]


def events(change: Changeset) -> list[DomainEvent]:
    """What the change's items emit; every item a return's or refund's change writes is read
    (the activity entries are the outbox, the rest emits nothing)."""
    return [event for item in written(change) if "outbox" in item for event in events_of(item)]


def email(event: DomainEvent, locale: str) -> Email | None:
    return compose(event.detail, locale=locale, zone=MADRID, web_url=PAGE)


def a_return_change(event: str, actor: Actor = AGENT) -> tuple[Changeset, Any]:
    record = new_return(
        return_id="ORD-1001-R1",
        order=ORDER,
        returns=[],
        items=[ReturnItem(sku="BULB-E27", quantity=2)],
        resolution=Resolution.REFUND,
        now=NOW,
        case_id="CS-1",
    ).model_copy(update={"version": 1})
    change = Changeset(RequestContext.fresh(actor), NOW)
    if event == "request":
        put_return(change, ORDER, None, record.model_copy(update={"version": 0}), "request")
        return change, None
    approved = apply_return_event(record, "approve", now=NOW, policy=Policy())
    if event == "approve":
        return change, put_return(change, ORDER, record, approved, "approve")
    if event == "reject":
        rejected = apply_return_event(record, "reject", now=NOW, reason="Worn <b>and</b> used")
        return change, put_return(change, ORDER, record, rejected, "reject")
    items = [ReceivedItem(sku="BULB-E27", quantity=2, condition=ItemCondition.DAMAGED)]
    received = apply_return_event(approved, "receive", now=NOW, items=items, refund_id="R1")
    return change, put_return(change, ORDER, approved, received, "receive")


def a_refund_change(event: str, amount: Decimal = Decimal("21.95")) -> tuple[Changeset, Any]:
    due = new_refund(
        refund_id="ORD-1001-RF1",
        order=ORDER,
        refunds=[],
        source=RefundSource.CANCELLATION,
        amount=amount,
        now=NOW,
        case_id="CS-2",
    )
    change = Changeset(RequestContext.fresh(SHOP), NOW)
    if event == "due":
        return change, put_refund(change, ORDER, None, due, "due")
    due = due.model_copy(update={"version": 1})
    later = NOW + timedelta(days=2)
    if event == "issue":
        issued = apply_refund_event(
            due, "issue", now=later, method=RefundMethod.CARD, reference="RE-9"
        )
        return change, put_refund(change, ORDER, due, issued, "issue")
    if event == "fail":
        failed = apply_refund_event(due, "fail", now=later, reason="Card expired")
        return change, put_refund(change, ORDER, due, failed, "fail")
    failed = apply_refund_event(due, "fail", now=later, reason="Card expired")
    retried = apply_refund_event(failed.model_copy(update={"version": 2}), "retry", now=later)
    return change, put_refund(change, ORDER, failed, retried, "retry")


@pytest.mark.parametrize(
    ("event", "detail_type"),
    [
        ("request", None),
        ("approve", ReturnApproved),
        ("reject", ReturnRejected),
        ("receive", ReturnReceived),
    ],
)
def test_each_return_change_is_exactly_its_event(event: str, detail_type: Any) -> None:
    change, _ = a_return_change(event)
    found = events(change)
    assert [type(e.detail) for e in found] == ([detail_type] if detail_type else [])
    assert [e.detail_type for e in found] == ([detail_type.__name__] if detail_type else [])


@pytest.mark.parametrize(
    ("event", "detail_type"),
    [("due", RefundDue), ("issue", RefundIssued), ("fail", RefundFailed), ("retry", None)],
)
def test_each_refund_change_is_exactly_its_event(event: str, detail_type: Any) -> None:
    change, _ = a_refund_change(event)
    assert [type(e.detail) for e in events(change)] == ([detail_type] if detail_type else [])


def test_only_the_activity_entries_are_in_the_outbox() -> None:
    change, _ = a_return_change("approve")
    kinds = {item["sk"].partition("#")[0]: item.get("outbox") for item in written(change)}
    assert kinds == {"RETURN": None, "RETURNLOG": "return"}
    refund, _ = a_refund_change("issue")
    kinds = {item["sk"].partition("#")[0]: item.get("outbox") for item in written(refund)}
    assert kinds == {"REFUND": None, "REFUNDLOG": "refund"}


def test_the_approval_carries_the_rma_the_deadline_and_the_label_link() -> None:
    change, approved = a_return_change("approve")
    [event] = events(change)
    detail = event.detail
    assert isinstance(detail, ReturnApproved)
    assert (detail.rma, detail.drop_off_by) == ("RMA-ORD-1001-R1", approved.drop_off_by)
    assert detail.label_url == "/orders/ORD-1001/returns/ORD-1001-R1/label"
    assert (detail.order_id, detail.customer_id, detail.case_id) == (
        "ORD-1001",
        "cust-lucia",
        "CS-1",
    )
    # `version` orders one return's events: the return's version, not the entry's
    assert (detail.version, detail.occurred_at) == (2, NOW)
    assert detail.actor == EventActor(kind=ActorKind.AGENT, id="agent-marta")


def test_the_receipt_says_what_arrived_and_the_refund_it_made_due() -> None:
    change, _ = a_return_change("receive", SHOP)
    [event] = events(change)
    assert isinstance(event.detail, ReturnReceived)
    assert event.detail.refund_id == "R1"
    assert event.detail.received_items[0].condition is ItemCondition.DAMAGED


def test_refund_events_carry_the_money_as_a_decimal_string_and_the_source() -> None:
    change, _ = a_refund_change("issue")
    [event] = events(change)
    detail = event.detail
    assert isinstance(detail, RefundIssued)
    assert detail.amount.model_dump() == {"amount": "21.95", "currency": "EUR"}
    assert (detail.source, detail.method, detail.reference) == (
        RefundSource.CANCELLATION,
        RefundMethod.CARD,
        "RE-9",
    )
    failed, _ = a_refund_change("fail")
    [failure] = events(failed)
    assert isinstance(failure.detail, RefundFailed)
    assert (failure.detail.reason, failure.detail.failures) == ("Card expired", 1)


def test_an_amount_is_written_in_its_currencys_minor_unit() -> None:
    change, _ = a_refund_change("due", amount=Decimal("5"))
    [event] = events(change)
    assert isinstance(event.detail, RefundDue)
    assert event.detail.amount.amount == "5.00"


def test_an_event_id_is_the_same_on_redelivery_and_differs_between_changes() -> None:
    change, _ = a_return_change("approve")
    [item] = [i for i in written(change) if i["sk"].startswith("RETURNLOG#")]
    first, again = events_of(dict(item)), events_of(dict(item))
    assert first[0].event_id == again[0].event_id
    assert first[0].event_id == event_id(f"{item['pk']}|{item['sk']}", "ReturnApproved")
    other, _ = a_return_change("reject")
    assert events(other)[0].event_id != first[0].event_id


def test_every_event_goes_to_the_bus_from_the_one_source_as_json() -> None:
    change, _ = a_refund_change("due")
    [entry] = bus_entries(events(change), "order-help-events")
    assert (entry["Source"], entry["DetailType"], entry["EventBusName"]) == (
        EVENT_SOURCE,
        "RefundDue",
        "order-help-events",
    )
    assert '"amount":{"amount":"21.95","currency":"EUR"}' in entry["Detail"]
    assert entry["Time"] == NOW


# --- emails ---------------------------------------------------------------------------------------


def test_an_approved_return_emails_the_customer_in_spanish() -> None:
    change, _ = a_return_change("approve")
    sent = email(events(change)[0], "es")
    assert sent is not None
    assert sent.subject == "Tu devolución RMA-ORD-1001-R1 del pedido ORD-1001 está aprobada"
    assert "antes del 21 de marzo de 2026" in sent.text
    assert "2 × BULB-E27" in sent.text
    assert "https://shop.example.com/#/orders/ORD-1001" in sent.text
    assert "Descarga la etiqueta" in sent.html
    assert '<html lang="es">' in sent.html


def test_an_approved_return_emails_the_customer_in_english() -> None:
    change, _ = a_return_change("approve")
    sent = email(events(change)[0], "en")
    assert sent is not None
    assert sent.subject == "Your return RMA-ORD-1001-R1 for order ORD-1001 is approved"
    assert "by 21 March 2026" in sent.text
    assert "Postage paid by the shop" in sent.text


def test_the_drop_off_day_is_the_shops_day() -> None:
    # A deadline at 23:30 UTC is the next day in Madrid
    change, approved = a_return_change("approve")
    [event] = events(change)
    assert isinstance(event.detail, ReturnApproved)
    late = approved.drop_off_by.replace(hour=23, minute=30)
    detail = event.detail.model_copy(update={"drop_off_by": late})
    sent = compose(detail, locale="en", zone=MADRID, web_url=PAGE)
    assert sent is not None and "by 22 March 2026" in sent.text


def test_a_rejection_says_why_and_the_html_escapes_it() -> None:
    change, _ = a_return_change("reject")
    sent = email(events(change)[0], "en")
    assert sent is not None
    assert "Worn <b>and</b> used" in sent.text
    assert "Worn &lt;b&gt;and&lt;/b&gt; used" in sent.html
    assert "<b>" not in sent.html


def test_an_issued_refund_says_how_much_when_and_how() -> None:
    change, _ = a_refund_change("issue")
    sent = email(events(change)[0], "es")
    assert sent is not None
    assert sent.subject == "Reembolso de 21,95 € emitido del pedido ORD-1001"
    assert "el 9 de marzo de 2026 a tu tarjeta" in sent.text
    english = email(events(change)[0], "en")
    assert english is not None
    assert "€21.95" in english.subject and "to your card" in english.text


@pytest.mark.parametrize("event", ["due", "fail"])
def test_refunds_due_or_failed_send_no_email(event: str) -> None:
    change, _ = a_refund_change(event)
    assert email(events(change)[0], "es") is None


def test_a_received_return_sends_no_email() -> None:
    change, _ = a_return_change("receive", SHOP)
    assert email(events(change)[0], "en") is None
