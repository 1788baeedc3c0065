"""Per write route, the exact events that reach the bus: derived from what the transaction wrote,
none for a refusal, never an internal note, versions in order, the same ids on redelivery."""

from datetime import timedelta

import pytest

from lifecycle.policy import CasePolicy, Policy
from tests.handlers.case_calls import (
    AGENT,
    answer,
    assign,
    housekeeping,
    my_case,
    open_case,
    rate,
    solve,
    solved_case,
    write,
)
from tests.handlers.client import CUSTOMER, Api, Identity, iso
from tests.handlers.outbox import Outbox
from tests.handlers.test_delay_check import run_check

ORDER = "ORD-1"


@pytest.fixture
def outbox(api: Api) -> Outbox:
    return Outbox()


def test_the_shops_steps_each_emit_their_event_in_version_order(api: Api, outbox: Outbox) -> None:
    assert api.create_order(CUSTOMER, ORDER).status == 201
    assert outbox.types() == ["OrderCreated"]
    assert api.pay(ORDER).status == 200
    assert api.ship(ORDER).status == 200
    assert api.deliver(ORDER).status == 200
    events = outbox.publish()
    assert [e["detail-type"] for e in events] == ["OrderPaid", "OrderShipped", "OrderDelivered"]
    assert [e["detail"]["version"] for e in events] == [2, 3, 4]
    assert all(e["source"] == "order-help" for e in events)


def test_the_shop_cancelling_a_paid_order_says_who_and_the_refund_due(
    api: Api, outbox: Outbox
) -> None:
    api.order_in("paid", order_id=ORDER)
    outbox.publish()
    assert api.cancel(ORDER).status == 200
    events = outbox.publish()
    assert sorted(e["detail-type"] for e in events) == ["OrderCancelled", "RefundDue"]
    detail = next(e for e in events if e["detail-type"] == "OrderCancelled")["detail"]
    assert detail["cancelled_by"] == "ops"
    assert detail["refund_due"] == {"amount": "67.86", "currency": "EUR"}
    assert detail["reason"] == "Out of stock"


def test_a_customer_cancelling_emits_the_cancellation_the_request_and_the_case(
    api: Api, outbox: Outbox
) -> None:
    api.order_in("paid", order_id=ORDER)
    outbox.publish()
    assert api.help(ORDER, "cancel_order").status == 201
    events = outbox.publish()
    assert sorted(e["detail-type"] for e in events) == [
        "CaseOpened",
        "HelpRequested",
        "OrderCancelled",
        "RefundDue",  # the refund it made due (issue 12)
    ]
    cancelled = next(e for e in events if e["detail-type"] == "OrderCancelled")
    assert cancelled["detail"]["actor"] == {"kind": "customer", "id": CUSTOMER}
    assert cancelled["detail"]["refund_due"]["amount"] == "67.86"


def test_a_new_address_says_the_old_and_the_new(api: Api, outbox: Outbox) -> None:
    api.order_in("paid", order_id=ORDER)
    outbox.publish()
    assert api.help(ORDER, "change_address").status == 201
    events = outbox.publish()
    changed = next(e for e in events if e["detail-type"] == "ShippingAddressChanged")
    assert changed["detail"]["previous_address"]["line1"] == "Calle de Alcalá 42"
    assert changed["detail"]["address"]["line1"] == "Gran Vía 1"
    assert sorted(e["detail-type"] for e in events) == [
        "CaseOpened",
        "HelpRequested",
        "ShippingAddressChanged",
    ]


def test_a_help_request_that_joins_the_open_case_is_a_request_and_a_reply(
    api: Api, outbox: Outbox
) -> None:
    api.order_in("paid", order_id=ORDER)
    assert api.help(ORDER, "payment_issue").status == 201
    outbox.publish()
    assert api.help(ORDER, "payment_issue").status == 200
    assert sorted(outbox.types()) == ["CaseCustomerReplied", "HelpRequested"]


def test_a_case_told_from_open_to_closed(api: Api, outbox: Outbox) -> None:
    api.order_in("paid", order_id=ORDER)
    case_id = open_case(api, ORDER)
    outbox.publish()
    assert assign(api, case_id).status == 200
    assert outbox.types() == []  # who took it is an internal note
    assert answer(api, case_id, "Your payment arrived.").status == 200
    assert answer(api, case_id, "The customer was rude", internal=True).status == 200
    assert write(api, case_id, "Thanks!").status == 200
    assert solve(api, case_id).status == 200
    events = outbox.publish()
    assert [e["detail-type"] for e in events] == [
        "CaseAnswered",
        "CaseCustomerReplied",
        "CaseSolved",
    ]
    assert [e["detail"]["version"] for e in events] == [3, 5, 6]
    assert write(api, case_id, "One more thing").status == 200
    assert outbox.types() == ["CaseCustomerReplied", "CaseReopened"]
    assert solve(api, case_id).status == 200
    outbox.publish()
    api.clock.advance(days=30)
    assert housekeeping()["closed"] == 1
    assert outbox.types() == ["CaseClosed"]


def test_a_rating_is_told_once_per_solve_with_the_case_number(api: Api, outbox: Outbox) -> None:
    api.order_in("paid", order_id=ORDER)
    case_id = solved_case(api, ORDER)
    number = my_case(api, case_id).body["number"]
    outbox.publish()
    assert rate(api, case_id, {"rating": "not_good", "comment": "Too slow."}).status == 200
    (rated,) = outbox.publish()
    assert rated["detail-type"] == "CaseRated"
    detail = rated["detail"]
    assert (detail["case_id"], detail["number"], detail["customer_id"]) == (
        case_id,
        number,
        CUSTOMER,
    )
    assert (detail["rating"], detail["comment"]) == ("not_good", "Too slow.")
    assert detail["actor"] == {"kind": "customer", "id": CUSTOMER}
    # A second rating of the same solve is refused, and refused requests emit nothing
    assert rate(api, case_id, {"rating": "good"}).status == 409
    assert outbox.types() == []


def test_a_follow_up_as_a_general_question_opens_a_case_told_with_its_topic_and_number(
    api: Api, outbox: Outbox
) -> None:
    api.order_in("delivered", order_id=ORDER)
    returned = solved_case(api, ORDER, "return_request")
    api.clock.advance(days=CasePolicy().close_solved_after_days, minutes=1)
    assert housekeeping()["closed"] == 1
    api.clock.advance(days=Policy().return_window_days + 1)
    outbox.publish()
    reply = write(api, returned, "Can I still send it back?")
    assert reply.status == 201
    (opened,) = outbox.publish()  # the closed case's `follow_up` note emits nothing
    assert opened["detail-type"] == "CaseOpened"
    detail = opened["detail"]
    assert (detail["action"], detail["case_id"], detail["number"]) == (
        "general_question",
        reply.body["case"]["case_id"],
        reply.body["case"]["number"],
    )
    assert detail["message"]["body"] == "Can I still send it back?"


def test_internal_notes_appear_in_no_event(api: Api, outbox: Outbox) -> None:
    api.order_in("paid", order_id=ORDER)
    case_id = open_case(api, ORDER)
    assert assign(api, case_id).status == 200
    assert answer(api, case_id, "NOTE-7f3a the customer is rude", internal=True).status == 200
    assert answer(api, case_id, "Public answer").status == 200
    text = str(outbox.publish())
    assert "NOTE-7f3a" not in text
    assert "Assigned to" not in text


def test_the_delay_check_records_a_delay_and_opens_a_case(api: Api, outbox: Outbox) -> None:
    api.order_in("paid", order_id=ORDER)
    outbox.publish()
    api.clock.advance(days=3)
    assert run_check()["cases_opened"] == 1
    events = outbox.publish()
    assert sorted(e["detail-type"] for e in events) == ["CaseOpened", "DelayRecorded"]
    delay = next(e for e in events if e["detail-type"] == "DelayRecorded")["detail"]
    assert delay["milestone"] == "shipping"
    assert delay["actor"]["kind"] == "system"
    assert run_check()["cases_opened"] == 0
    assert outbox.types() == []


def test_a_new_estimate_is_told(api: Api, outbox: Outbox) -> None:
    api.order_in("paid", order_id=ORDER)
    outbox.publish()
    body = {"estimated_ship_by": iso(api.clock.now + timedelta(days=5))}
    reply = api.call("POST", f"/ops/orders/{ORDER}/estimate", body, identity=Identity.shop())
    assert reply.status == 200
    assert outbox.types() == ["EstimateRevised"]


def test_refused_and_invalid_requests_emit_nothing(api: Api, outbox: Outbox) -> None:
    api.order_in("shipped", order_id=ORDER)
    outbox.publish()
    assert api.help(ORDER, "cancel_order").status == 409
    assert api.help(ORDER, "change_address").status == 409
    assert api.cancel(ORDER).status == 409
    assert api.help(ORDER, "item_problem", {"problem": "damaged"}).status == 422
    assert api.create_order(CUSTOMER, ORDER).status == 409
    assert outbox.types() == []


def test_a_case_change_that_loses_a_race_emits_nothing(api: Api, outbox: Outbox) -> None:
    api.order_in("paid", order_id=ORDER)
    case_id = open_case(api, ORDER)
    assert assign(api, case_id).status == 200
    outbox.publish()
    taken = api.call(
        "POST", f"/agent/cases/{case_id}/assign", {}, identity=Identity.agent("agent-james")
    )
    assert taken.status == 409
    assert outbox.types() == []
    assert AGENT != "agent-james"


def test_a_redelivered_batch_publishes_the_same_event_ids(api: Api, outbox: Outbox) -> None:
    api.order_in("paid", order_id=ORDER)
    first = outbox.publish()
    (batch,) = outbox.delivered
    assert outbox.invoke(batch) == {"batchItemFailures": []}
    again = outbox.received()
    assert [e["detail"]["event_id"] for e in again] == [e["detail"]["event_id"] for e in first]
    assert {e["id"] for e in again}.isdisjoint({e["id"] for e in first})  # the bus's own ids
