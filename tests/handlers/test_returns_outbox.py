"""Returns and refunds on the bus and in the mail, as one system with the orders' and cases'
events: per route, the exact events its transaction emits (none for a refusal), and
NotifyFunction, subscribed by the template's rule, emailing an approved or rejected return and an
issued refund once each, in the contact's language, however often the event is delivered."""

from typing import Any

import boto3
import pytest

from orderhelp.config import notify_settings
from orderhelp.emails import COMPOSERS
from orderhelp_dev.local.bus import BusRule
from orderhelp_dev.local.template import functions
from tests.handlers.client import CUSTOMER, Api
from tests.handlers.outbox import Outbox
from tests.handlers.returns_calls import (
    approve,
    failed,
    issued,
    received,
    refund,
    reject,
    request_return,
    retry,
)
from tests.handlers.test_notify import notify, sent, text_of

ORDER = "ORD-1"
LUCIA = {"email": "lucia@example.com", "locale": "es"}
OLIVER = {"email": "oliver@example.com", "locale": "en"}
RETURNED = "7.73"
"""Two bulbs of 3.25 and their share of the tax: the refund of the default return."""


@pytest.fixture
def outbox(api: Api) -> Outbox:
    boto3.client("ses", region_name="eu-west-1").verify_email_identity(
        EmailAddress=notify_settings().notification_sender
    )
    return Outbox()


def customer_emails_rule() -> BusRule:
    """NotifyFunction's subscription, as the template writes it."""
    event = functions()["NotifyFunction"].events["CustomerEmails"]
    return BusRule("NotifyFunction", "bus", event["Properties"]["Pattern"])


def emailed(outbox: Outbox) -> list[dict[str, Any]]:
    """The events that reached the bus, each handed to NotifyFunction when its rule matches
    (as EventBridge does): the outcomes, by detail type."""
    rule = customer_emails_rule()
    return [
        {"detail-type": event["detail-type"]} | notify(event)
        for event in outbox.publish()
        if rule.matches(event)
    ]


def order_with(
    api: Api, status: str, contact: dict[str, str] | None, order_id: str = ORDER
) -> None:
    extra = {} if contact is None else {"contact": contact}
    assert api.create_order(CUSTOMER, order_id, **extra).status == 201
    steps = {"paid": [api.pay], "delivered": [api.pay, api.ship, api.deliver]}[status]
    for step in steps:
        api.clock.advance(hours=1)
        assert step(order_id).status == 200


def a_return(api: Api, order_id: str = ORDER) -> tuple[str, str]:
    reply = request_return(api, order_id)
    assert reply.status == 201, reply
    return reply.body["case"]["case_id"], reply.body["order"]["returns"][0]["return_id"]


def refund_id_of(api: Api, order_id: str = ORDER) -> str:
    refund_id: str = api.details(order_id).body["refunds"][-1]["refund_id"]
    return refund_id


def types(events: list[dict[str, Any]]) -> list[str]:
    return sorted(event["detail-type"] for event in events)


# --- the events of each route ---------------------------------------------------------------------


def test_a_return_from_request_to_refund_emits_each_steps_events(api: Api, outbox: Outbox) -> None:
    order_with(api, "delivered", LUCIA)
    outbox.publish()

    case_id, return_id = a_return(api)
    assert types(outbox.publish()) == ["CaseOpened", "HelpRequested"]  # the return: its case's

    assert approve(api, case_id).status == 200
    approval = outbox.publish()
    assert types(approval) == ["CaseAnswered", "ReturnApproved"]
    approved = next(e for e in approval if e["detail-type"] == "ReturnApproved")["detail"]
    assert (approved["return_id"], approved["case_id"], approved["version"]) == (
        return_id,
        case_id,
        2,
    )
    assert approved["label_url"] == f"/orders/{ORDER}/returns/{return_id}/label"
    answer = next(e for e in approval if e["detail-type"] == "CaseAnswered")["detail"]
    assert answer["told_by"] == "ReturnApproved"

    # The shop's steps tell the case in a system message, which emits nothing of its own
    assert received(api, return_id).status == 200
    receipt = outbox.publish()
    assert types(receipt) == ["RefundDue", "ReturnReceived"]
    due = next(e for e in receipt if e["detail-type"] == "RefundDue")["detail"]
    refund_id = refund_id_of(api)
    assert (due["refund_id"], due["source"], due["return_id"]) == (refund_id, "return", return_id)
    assert due["amount"] == {"amount": RETURNED, "currency": "EUR"}
    arrived = next(e for e in receipt if e["detail-type"] == "ReturnReceived")["detail"]
    assert (arrived["refund_id"], arrived["version"]) == (refund_id, 3)

    assert failed(api, refund_id).status == 200
    assert types(outbox.publish()) == ["RefundFailed"]
    assert retry(api, refund_id).status == 200
    assert outbox.publish() == []  # the payment system retried it itself
    assert issued(api, refund_id).status == 200
    (paid_back,) = outbox.publish()  # the return's own `refunded` is told by RefundIssued
    assert paid_back["detail-type"] == "RefundIssued"
    assert (paid_back["detail"]["method"], paid_back["detail"]["version"]) == ("card", 4)
    assert all(e["source"] == "order-help" for e in approval + receipt + [paid_back])


def test_a_rejected_return_and_an_agents_refund_emit_their_events(api: Api, outbox: Outbox) -> None:
    order_with(api, "delivered", LUCIA)
    case_id, _ = a_return(api)
    outbox.publish()

    assert reject(api, case_id, "Opened and used.").status == 200
    rejection = outbox.publish()
    assert types(rejection) == ["CaseAnswered", "ReturnRejected"]
    rejected = next(e for e in rejection if e["detail-type"] == "ReturnRejected")["detail"]
    assert (rejected["reason"], rejected["case_id"]) == ("Opened and used.", case_id)

    assert refund(api, case_id, "5.00").status == 200
    goodwill = outbox.publish()
    assert types(goodwill) == ["CaseAnswered", "RefundDue"]
    due = next(e for e in goodwill if e["detail-type"] == "RefundDue")["detail"]
    assert (due["source"], due["amount"], due["case_id"]) == (
        "goodwill",
        {"amount": "5.00", "currency": "EUR"},
        case_id,
    )
    answer = next(e for e in goodwill if e["detail-type"] == "CaseAnswered")["detail"]
    assert answer["told_by"] is None  # the agent's message is the customer's news of it


@pytest.mark.parametrize("who", ["customer", "shop"])
def test_a_cancellations_refund_due_is_its_refund_records(
    api: Api, outbox: Outbox, who: str
) -> None:
    order_with(api, "paid", LUCIA)
    outbox.publish()

    reply = api.help(ORDER, "cancel_order") if who == "customer" else api.cancel(ORDER)

    assert reply.status in (200, 201)
    events = outbox.publish()
    order_events = ["OrderCancelled", "RefundDue"]
    assert types(events) == sorted(
        order_events + (["CaseOpened", "HelpRequested"] if who == "customer" else [])
    )
    cancelled = next(e for e in events if e["detail-type"] == "OrderCancelled")["detail"]
    due = next(e for e in events if e["detail-type"] == "RefundDue")["detail"]
    (record,) = api.details(ORDER).body["refunds"]
    assert cancelled["refund_due"] == due["amount"] == record["amount"]
    assert cancelled["refund_id"] == due["refund_id"] == record["refund_id"]
    assert due["source"] == "cancellation"


def test_an_unpaid_cancellation_owes_nothing_and_says_so(api: Api, outbox: Outbox) -> None:
    assert api.create_order(CUSTOMER, ORDER, contact=LUCIA).status == 201
    outbox.publish()
    assert api.help(ORDER, "cancel_order").status == 201
    events = outbox.publish()
    assert "RefundDue" not in types(events)
    cancelled = next(e for e in events if e["detail-type"] == "OrderCancelled")["detail"]
    assert (cancelled["refund_due"], cancelled["refund_id"]) == (None, None)


def test_refused_returns_and_refunds_emit_nothing(api: Api, outbox: Outbox) -> None:
    order_with(api, "delivered", LUCIA)
    case_id, return_id = a_return(api)
    outbox.publish()

    assert received(api, return_id).status == 409  # not approved yet
    assert refund(api, case_id, "1000.00").status == 409  # more than was paid
    assert approve(api, case_id).status == 200
    outbox.publish()
    assert approve(api, case_id).status == 409  # nothing left to approve
    assert request_return(api, ORDER, items=[("BULB-E27", 3)]).status in (409, 422)

    assert outbox.publish() == []


# --- the emails -----------------------------------------------------------------------------------


def test_the_rule_lets_through_exactly_the_events_that_email() -> None:
    pattern = customer_emails_rule().pattern
    assert pattern["source"] == ["order-help"]
    assert set(pattern["detail-type"]) == set(COMPOSERS)


def test_an_approval_and_its_refund_email_a_spanish_customer_once_each(
    api: Api, outbox: Outbox
) -> None:
    order_with(api, "delivered", LUCIA)
    case_id, return_id = a_return(api)
    emailed(outbox)  # the request is the customer's own: no email
    assert sent() == []

    assert approve(api, case_id).status == 200
    outcomes = emailed(outbox)

    # The agent's answer on the case is the same news: the approval's email says it, once
    assert {o["detail-type"]: o["outcome"] for o in outcomes} == {
        "ReturnApproved": "sent",
        "CaseAnswered": "not_emailed",
    }
    (approval,) = sent()
    assert approval["To"] == "lucia@example.com"
    assert approval["Subject"].startswith("Tu devolución RMA-")
    text = text_of(approval)
    assert "entrega el paquete al transportista antes del" in text
    assert "2 × BULB-E27" in text
    assert f"#/orders/{ORDER}" in text  # where the label is downloaded

    assert received(api, return_id).status == 200
    assert emailed(outbox) == []  # neither a receipt nor a refund due emails
    refund_id = refund_id_of(api)
    assert issued(api, refund_id).status == 200
    assert [o["outcome"] for o in emailed(outbox)] == ["sent"]
    paid_back = sent()[-1]
    assert paid_back["Subject"] == f"Reembolso de 7,73 € emitido del pedido {ORDER}"
    assert "a tu tarjeta" in text_of(paid_back)
    assert len(sent()) == 2


def test_a_rejection_emails_an_english_customer_the_reason(api: Api, outbox: Outbox) -> None:
    order_with(api, "delivered", OLIVER)
    case_id, _ = a_return(api)
    emailed(outbox)

    assert reject(api, case_id, "The seal is broken.").status == 200
    emailed(outbox)

    (rejection,) = sent()
    assert rejection["Subject"] == f"Your return for order {ORDER} was not accepted"
    assert "> The seal is broken." in text_of(rejection)


def test_a_redelivered_return_event_sends_no_second_email(api: Api, outbox: Outbox) -> None:
    order_with(api, "delivered", LUCIA)
    case_id, _ = a_return(api)
    outbox.publish()
    assert approve(api, case_id).status == 200
    approval = next(e for e in outbox.publish() if e["detail-type"] == "ReturnApproved")

    first = notify(approval, "req-1")
    again = notify(approval, "req-2")  # EventBridge delivered it again
    retried = notify(approval, "req-1")  # Lambda retried the first invocation

    assert (first["outcome"], again["outcome"], retried["outcome"]) == (
        "sent",
        "already_sent",
        "already_sent",
    )
    assert first["event_id"] == approval["detail"]["event_id"]
    assert len(sent()) == 1


def test_an_order_without_a_contact_sends_no_return_email(api: Api, outbox: Outbox) -> None:
    order_with(api, "delivered", None)
    case_id, _ = a_return(api)
    outbox.publish()
    assert approve(api, case_id).status == 200
    outcomes = emailed(outbox)
    assert {o["detail-type"]: o["outcome"] for o in outcomes}["ReturnApproved"] == "no_contact"
    assert sent() == []


def test_cancelling_solves_the_moot_question_on_the_bus_and_emails_only_the_cancellation(
    api: Api, outbox: Outbox
) -> None:
    # Given a paid order with a customs question still open
    order_with(api, "paid", LUCIA)
    asked = api.help(ORDER, "customs_duties", {"message": "¿Pagaré aduanas?"})
    assert asked.status == 201, asked
    question = asked.body["case"]["case_id"]
    emailed(outbox)

    # When the customer cancels the order
    assert api.help(ORDER, "cancel_order").status == 201
    events = outbox.publish()

    # Then the question is told solved, by the customer's cancellation that made it moot …
    solved = [e["detail"] for e in events if e["detail-type"] == "CaseSolved"]
    assert [(d["case_id"], d["actor"], d["told_by"]) for d in solved] == [
        (question, {"kind": "customer", "id": CUSTOMER}, "OrderCancelled")
    ]
    assert "cancel" in solved[0]["resolution"].lower()
    # … and the customer gets one email, the cancellation's, which says it
    rule = customer_emails_rule()
    outcomes = {e["detail-type"]: notify(e)["outcome"] for e in events if rule.matches(e)}
    assert outcomes["OrderCancelled"] == "sent"
    assert outcomes["CaseSolved"] == "not_emailed"
    assert [mail["Subject"] for mail in sent()] == [f"Tu pedido {ORDER} está cancelado"]
