"""Returns and refunds through the handlers (moto): the customer's request and label, the
agents' approve / reject / refund, the shop's received / issued / failed / retry and its work
list, cancellations' refunds, refusals in words, and races decided one after the other."""

import base64
from decimal import Decimal
from typing import Any

import pytest

from lifecycle.errors import EventNotAllowed
from orderhelp import wiring
from orderhelp.changes import RequestContext
from orderhelp.records import Actor, ActorKind
from orderhelp_dev.local.lambda_runtime import LocalLambdaContext, load_handler
from tests.handlers.case_calls import OTHER_AGENT, agent_case, my_case
from tests.handlers.client import CUSTOMER, OTHER_CUSTOMER, Api, Identity, api_event
from tests.handlers.interference import InterleavingStore
from tests.handlers.returns_calls import (
    approve,
    due_refunds,
    failed,
    issued,
    label,
    received,
    refund,
    reject,
    request_return,
    retry,
    returned_order,
)

ORDER = "ORD-1"
TOTAL = Decimal("67.86")  # 39.90 + 4 × 3.25 + 4.95 shipping + 10.01 tax


def returns_of(api: Api, order_id: str = ORDER, locale: str | None = None) -> list[dict[str, Any]]:
    reply = api.details(order_id, locale=locale)
    assert reply.status == 200, reply
    returns: list[dict[str, Any]] = reply.body["returns"]
    return returns


def refunds_of(api: Api, order_id: str = ORDER, locale: str | None = None) -> list[dict[str, Any]]:
    reply = api.details(order_id, locale=locale)
    assert reply.status == 200, reply
    refunds: list[dict[str, Any]] = reply.body["refunds"]
    return refunds


@pytest.fixture
def returns_store(api: Api, monkeypatch: pytest.MonkeyPatch) -> InterleavingStore:
    service = wiring.returns_service()
    store = InterleavingStore(service._store)
    monkeypatch.setattr(service, "_store", store)
    return store


# --- the customer asks ---------------------------------------------------------------------------


def test_a_return_request_opens_its_case_and_its_return(api: Api) -> None:
    api.order_in("delivered", order_id=ORDER)

    reply = request_return(api, ORDER, resolution="replacement")

    assert reply.status == 201
    [record] = reply.body["order"]["returns"]
    assert record | {"requested_at": None} == {
        "return_id": "ORD-1-R1",
        "order_id": ORDER,
        "status": "requested",
        "status_label": "Requested: customer service will answer",
        "items": [{"sku": "BULB-E27", "quantity": 2}],
        "resolution": "replacement",
        "requested_at": None,
        "case_id": reply.body["case"]["case_id"],
        "rma": None,
        "drop_off_by": None,
        "label_url": None,
        "return_shipping_paid_by": None,
        "reason": None,
        "received_at": None,
        "received_items": [],
        "refund_id": None,
    }
    assert reply.body["case"]["details"]["resolution"] == "replacement"
    assert (
        returns_of(api, locale="es")[0]["status_label"]
        == "Solicitada: atención al cliente responderá"
    )


def test_the_resolution_is_a_refund_unless_the_customer_chooses(api: Api) -> None:
    api.order_in("delivered", order_id=ORDER)
    reply = api.help(ORDER, "return_request")
    assert reply.status == 201
    assert reply.body["order"]["returns"][0]["resolution"] == "refund"


def test_a_second_return_asks_only_for_what_the_first_does_not_hold(api: Api) -> None:
    api.order_in("delivered", order_id=ORDER)
    assert request_return(api, ORDER, items=[("BULB-E27", 3)]).status == 201

    too_many = request_return(api, ORDER, items=[("BULB-E27", 2)])

    assert too_many.status == 422
    [problem] = too_many.error["errors"]
    assert (problem["type"], problem["loc"]) == (
        "quantity_exceeds_returnable",
        ["items", 0, "quantity"],
    )
    assert problem["msg"] == "Only 1 of item BULB-E27 can still be returned."
    assert request_return(api, ORDER, items=[("BULB-E27", 1)]).status == 200  # joins the case
    assert [r["return_id"] for r in returns_of(api)] == ["ORD-1-R1", "ORD-1-R2"]


# --- customer service decides --------------------------------------------------------------------


def test_approving_gives_the_rma_label_and_deadline_and_tells_the_customer(api: Api) -> None:
    case_id, return_id = returned_order(api)

    reply = approve(api, case_id, locale="es")

    assert reply.status == 200
    [record] = reply.body["order"]["returns"]
    assert record["status"] == "approved"
    assert record["rma"] == "RMA-ORD-1-R1"
    assert record["label_url"] == f"/orders/{ORDER}/returns/{return_id}/label"
    assert record["drop_off_by"] == "2026-05-18T12:00:00Z"  # 14 days, the policy when paid
    assert record["return_shipping_paid_by"] == "shop"
    assert reply.body["case"]["status"] == "pending"  # the customer's turn: send it back
    customer_view = my_case(api, case_id).body
    assert customer_view["messages"][-1]["body"].startswith(
        "Devolución aprobada (RMA RMA-ORD-1-R1)"
    )
    assert "18 de mayo de 2026" in customer_view["messages"][-1]["body"]


def test_rejecting_says_why_and_frees_the_items(api: Api) -> None:
    case_id, _ = returned_order(api)

    reply = reject(api, case_id, "The bulbs were used.")

    assert reply.status == 200
    [record] = reply.body["order"]["returns"]
    assert (record["status"], record["reason"]) == ("rejected", "The bulbs were used.")
    assert my_case(api, case_id).body["messages"][-1]["body"] == (
        "Return not accepted: The bulbs were used."
    )
    assert request_return(api, ORDER, items=[("BULB-E27", 4)]).status == 200


@pytest.mark.parametrize("decision", ["approve", "reject"])
def test_a_case_without_a_return_waiting_is_told_so(api: Api, decision: str) -> None:
    case_id, _ = returned_order(api)
    assert approve(api, case_id).status == 200
    payment = api.help(ORDER, "payment_issue").body["case"]["case_id"]

    for case in (case_id, payment):
        reply = approve(api, case) if decision == "approve" else reject(api, case)
        assert reply.status == 409
        assert reply.error["code"] == "no_return_requested"


AGENT_STEPS = {
    "return/approve": {},
    "return/reject": {"reason": "Used."},
    "refund": {"amount": "1.00", "reason": "Sorry."},
}


@pytest.mark.parametrize("step", AGENT_STEPS)
@pytest.mark.parametrize("customer", [CUSTOMER, OTHER_CUSTOMER])
def test_only_agents_decide_returns_and_refund(api: Api, step: str, customer: str) -> None:
    case_id, _ = returned_order(api)
    before = api.snapshot()
    reply = api.call(
        "POST",
        f"/agent/cases/{case_id}/{step}",
        AGENT_STEPS[step],
        identity=Identity.customer(customer),
    )
    assert (reply.status, reply.error["code"]) == (403, "forbidden")
    assert api.snapshot() == before


@pytest.mark.parametrize("step", AGENT_STEPS)
def test_a_missing_case_is_404_for_every_agent_step(api: Api, step: str) -> None:
    api.order_in("delivered", order_id=ORDER)
    reply = api.call(
        "POST", f"/agent/cases/CS-NOPE/{step}", AGENT_STEPS[step], identity=Identity.agent("a-1")
    )
    assert (reply.status, reply.error["code"]) == (404, "case_not_found")


# --- the label -----------------------------------------------------------------------------------


def pdf_of(api: Api, path: str, customer: str = CUSTOMER) -> tuple[int, dict[str, Any], bytes]:
    spec, event = api_event("GET", path, identity=Identity.customer(customer))
    result = load_handler(spec.handler)(event, LocalLambdaContext(spec.logical_id, 10))
    body = result["body"]
    raw = base64.b64decode(body) if result.get("isBase64Encoded") else body.encode()
    return result["statusCode"], result["headers"], raw


def test_the_label_is_a_pdf_for_its_customer_once_approved(api: Api) -> None:
    case_id, return_id = returned_order(api)
    not_yet = label(api, ORDER, return_id)
    assert (not_yet.status, not_yet.error["code"]) == (409, "no_label_yet")
    approve(api, case_id)

    status, headers, pdf = pdf_of(api, f"/orders/{ORDER}/returns/{return_id}/label")

    assert status == 200
    assert headers["Content-Type"] == "application/pdf"
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    assert headers["Cache-Control"] == "no-store"


def test_another_customers_label_is_the_404_of_a_missing_order(api: Api) -> None:
    case_id, return_id = returned_order(api)
    approve(api, case_id)
    missing = label(api, "ORD-404", "ORD-404-R1", customer=OTHER_CUSTOMER)
    foreign = label(api, ORDER, return_id, customer=OTHER_CUSTOMER)
    assert (missing.status, foreign.status) == (404, 404)
    assert foreign.body == {
        "error": {"code": "order_not_found", "message": f"There is no order '{ORDER}'."}
    }
    assert missing.body["error"]["message"] == "There is no order 'ORD-404'."
    no_such = label(api, ORDER, "ORD-1-R9")
    assert (no_such.status, no_such.error["code"]) == (404, "return_not_found")


# --- the shop receives, the payment system pays --------------------------------------------------


def test_a_received_return_makes_its_refund_due_and_issuing_it_ends_the_return(api: Api) -> None:
    case_id, return_id = returned_order(api)
    approve(api, case_id)

    arrived = received(api, return_id)

    assert arrived.status == 200
    assert (arrived.body["status"], arrived.body["refund_id"]) == ("received", "ORD-1-RF1")
    [due] = due_refunds(api).body["refunds"]
    assert (due["refund_id"], due["amount"], due["source"]) == (
        "ORD-1-RF1",
        {"amount": "7.73", "currency": "EUR"},
        "return",
    )
    assert "A refund of €7.73 is on its way." in my_case(api, case_id).body["messages"][-1]["body"]

    paid = issued(api, "ORD-1-RF1", issued_at="2026-05-04T12:00:00Z")

    assert paid.status == 200
    assert (paid.body["status"], paid.body["method"]) == ("issued", "card")
    assert due_refunds(api).body["refunds"] == []
    assert returns_of(api)[0]["status"] == "refunded"
    [refund_view] = refunds_of(api, locale="es")
    assert refund_view["status_label"] == "Emitido"
    assert my_case(api, case_id).body["messages"][-1]["body"] == (
        "Refund of €7.73 issued on 4 May 2026 to your card."
    )


def test_a_return_for_a_replacement_ends_when_it_arrives_with_no_refund(api: Api) -> None:
    case_id, return_id = returned_order(api, resolution="replacement")
    approve(api, case_id)

    arrived = received(api, return_id, [("BULB-E27", 1, "damaged")])

    assert arrived.status == 200
    assert arrived.body["status"] == "replaced"
    assert arrived.body["received_items"] == [
        {"sku": "BULB-E27", "quantity": 1, "condition": "damaged"}
    ]
    assert refunds_of(api) == []


def test_a_receipt_the_return_did_not_ask_for_is_refused_at_the_item(api: Api) -> None:
    case_id, return_id = returned_order(api)
    approve(api, case_id)
    reply = received(api, return_id, [("BULB-E27", 3, "ok")])
    assert reply.status == 422
    [problem] = reply.error["errors"]
    assert (problem["type"], problem["loc"]) == (
        "quantity_exceeds_return",
        ["items", 0, "quantity"],
    )


def test_a_return_not_approved_cannot_be_received(api: Api) -> None:
    _, return_id = returned_order(api)
    reply = received(api, return_id)
    assert reply.status == 409
    assert (reply.error["code"], reply.error["status"]) == ("transition_not_allowed", "requested")
    assert (
        reply.error["message"]
        == "The return is 'Requested: customer service will answer' and cannot take 'receive'."
    )


@pytest.mark.parametrize("return_id", ["ORD-1-R9", "ORD-9-R1", "ORD-1", "ORD-1-R01", "x" * 90])
def test_a_return_that_does_not_exist_is_404(api: Api, return_id: str) -> None:
    api.order_in("delivered", order_id=ORDER)
    reply = received(api, return_id)
    assert (reply.status, reply.error["code"]) == (404, "return_not_found")


def test_a_failed_refund_waits_in_its_list_until_retried(api: Api) -> None:
    api.order_in("paid", order_id=ORDER)
    assert api.cancel(ORDER).status == 200

    failure = failed(api, "ORD-1-RF1")

    assert (failure.status, failure.body["status"], failure.body["failures"]) == (200, "failed", 1)
    assert due_refunds(api).body["refunds"] == []
    assert [r["refund_id"] for r in due_refunds(api, "?status=failed").body["refunds"]] == [
        "ORD-1-RF1"
    ]
    assert issued(api, "ORD-1-RF1").status == 409
    assert retry(api, "ORD-1-RF1").status == 200
    assert [r["refund_id"] for r in due_refunds(api).body["refunds"]] == ["ORD-1-RF1"]
    assert retry(api, "ORD-1-RF1").status == 409
    assert issued(api, "ORD-1-RF1").status == 200
    assert issued(api, "ORD-1-RF1").error["code"] == "transition_not_allowed"


@pytest.mark.parametrize(
    ("issued_at", "kind"),
    [("2026-05-01T00:00:00Z", "not_before_due"), ("2026-06-01T00:00:00Z", "future")],
)
def test_a_refund_is_issued_after_it_was_due_and_not_in_the_future(
    api: Api, issued_at: str, kind: str
) -> None:
    api.order_in("paid", order_id=ORDER)
    api.cancel(ORDER)
    reply = issued(api, "ORD-1-RF1", issued_at=issued_at)
    assert reply.status == 422
    assert [(p["type"], p["loc"]) for p in reply.error["errors"]] == [(kind, ["issued_at"])]


@pytest.mark.parametrize("refund_id", ["ORD-1-RF7", "ORD-1-R1", "NOPE"])
def test_a_refund_that_does_not_exist_is_404(api: Api, refund_id: str) -> None:
    api.order_in("paid", order_id=ORDER)
    reply = issued(api, refund_id)
    assert (reply.status, reply.error["code"]) == (404, "refund_not_found")


def test_the_work_list_is_paged_oldest_first_across_shards(api: Api) -> None:
    for number in range(5):
        order_id = f"ORD-{number}"
        api.order_in("paid", order_id=order_id)
        api.clock.advance(minutes=1)
        assert api.cancel(order_id).status == 200
    seen: list[str] = []
    cursor = ""
    while True:
        page = due_refunds(api, f"?limit=2{cursor}")
        assert page.status == 200
        seen += [r["refund_id"] for r in page.body["refunds"]]
        if page.body["next_cursor"] is None:
            break
        cursor = f"&cursor={page.body['next_cursor']}"
    assert seen == [f"ORD-{n}-RF1" for n in range(5)]
    tampered = due_refunds(api, "?cursor=abc")
    assert (tampered.status, tampered.error["code"]) == (400, "invalid_cursor")


# --- where refunds come from ----------------------------------------------------------------------


@pytest.mark.parametrize("who", ["customer", "shop"])
def test_cancelling_a_paid_order_makes_the_whole_amount_due_at_once(api: Api, who: str) -> None:
    api.order_in("paid", order_id=ORDER)

    reply = api.help(ORDER, "cancel_order") if who == "customer" else api.cancel(ORDER)

    assert reply.status in (200, 201)
    [due] = refunds_of(api, locale="es")
    assert (due["status"], due["status_label"], due["source"]) == (
        "due",
        "Pendiente",
        "cancellation",
    )
    assert due["amount"] == {"amount": str(TOTAL), "currency": "EUR"}


def test_cancelling_an_unpaid_order_owes_nothing(api: Api) -> None:
    api.order_in("created", order_id=ORDER)
    assert api.help(ORDER, "cancel_order").status == 201
    assert refunds_of(api) == []


def test_an_agent_refunds_up_to_what_is_left_and_is_told_what_is_left(api: Api) -> None:
    api.order_in("delivered", order_id=ORDER)
    body = {
        "problem": "damaged",
        "items": [{"sku": "LAMP-01", "quantity": 1}],
        "message": "Cracked shade.",
    }
    case_id = api.help(ORDER, "item_problem", body).body["case"]["case_id"]

    first = refund(api, case_id, "39.90", reason="The lamp arrived cracked.")

    assert first.status == 200
    assert first.body["refund_left"] == {"amount": "27.96", "currency": "EUR"}
    assert first.body["order"]["refunds"][0]["source"] == "item_problem"
    over = refund(api, case_id, "27.97")
    assert over.status == 409
    assert over.error["code"] == "refund_exceeds_paid"
    assert over.error["left"] == {"amount": "27.96", "currency": "EUR"}
    assert over.error["message"] == (
        "That is more than is left to refund on this order: 27.96 EUR at most."
    )
    assert refund(api, case_id, "27.96").status == 200
    assert agent_case(api, case_id).body["refund_left"] == {"amount": "0.00", "currency": "EUR"}


def test_a_refund_on_any_other_case_is_goodwill(api: Api) -> None:
    api.order_in("shipped", order_id=ORDER)
    case_id = (
        api.help(ORDER, "delivery_delay").body["case"]["case_id"]
        if False
        else (api.help(ORDER, "payment_issue").body["case"]["case_id"])
    )
    reply = refund(api, case_id, "5.00")
    assert reply.status == 200
    assert reply.body["order"]["refunds"][0]["source"] == "goodwill"
    assert reply.body["case"]["messages"][-1]["author"] == "agent"


@pytest.mark.parametrize(
    ("amount", "status", "kind"),
    [
        ("0", 422, "greater_than"),
        ("1.001", 422, "amount_minor_unit"),
        ("abc", 422, "string_pattern_mismatch"),
    ],
)
def test_an_amount_is_a_positive_decimal_in_the_minor_unit(
    api: Api, amount: str, status: int, kind: str
) -> None:
    api.order_in("paid", order_id=ORDER)
    case_id = api.help(ORDER, "payment_issue").body["case"]["case_id"]
    reply = refund(api, case_id, amount)
    assert reply.status == status
    assert [p["type"] for p in reply.error["errors"]] == [kind]


def test_an_unpaid_order_has_nothing_to_refund(api: Api) -> None:
    api.order_in("created", order_id=ORDER)
    case_id = api.help(ORDER, "payment_issue").body["case"]["case_id"]
    reply = refund(api, case_id, "1.00")
    assert (reply.status, reply.error["left"]["amount"]) == (409, "0.00")


# --- races, retries -------------------------------------------------------------------------------


def test_two_agents_refunding_at_once_one_wins_and_the_other_is_told_what_is_left(
    api: Api, returns_store: InterleavingStore
) -> None:
    api.order_in("delivered", order_id=ORDER)
    case_id = api.help(ORDER, "payment_issue").body["case"]["case_id"]
    # Given another agent's refund lands between this one's read and its write
    returns_store.before_next_commit(lambda: refund(api, case_id, "50.00", agent=OTHER_AGENT))

    second = refund(api, case_id, "50.00")

    assert returns_store.competitor_reply is not None
    assert returns_store.competitor_reply.status == 200
    assert second.status == 409
    assert second.error["left"] == {"amount": "17.86", "currency": "EUR"}
    assert [r["amount"]["amount"] for r in refunds_of(api)] == ["50.00"]


def test_two_agents_refunding_what_fits_both_get_their_refund(
    api: Api, returns_store: InterleavingStore
) -> None:
    api.order_in("delivered", order_id=ORDER)
    case_id = api.help(ORDER, "payment_issue").body["case"]["case_id"]
    returns_store.before_next_commit(lambda: refund(api, case_id, "10.00", agent=OTHER_AGENT))

    mine = refund(api, case_id, "20.00")

    assert mine.status == 200
    assert sorted(r["amount"]["amount"] for r in refunds_of(api)) == ["10.00", "20.00"]
    assert [r["refund_id"] for r in refunds_of(api)] == ["ORD-1-RF1", "ORD-1-RF2"]
    assert mine.body["refund_left"]["amount"] == "37.86"


def test_a_receipt_racing_a_second_return_is_decided_after_it(
    api: Api, returns_store: InterleavingStore
) -> None:
    case_id, return_id = returned_order(api)  # two bulbs
    approve(api, case_id)
    # Given the customer asks to return the two other bulbs while the parcel is being recorded
    returns_store.before_next_commit(lambda: request_return(api, ORDER, items=[("BULB-E27", 2)]))

    arrived = received(api, return_id)

    assert returns_store.competitor_reply is not None
    assert returns_store.competitor_reply.status == 200
    assert arrived.status == 200
    statuses = {r["return_id"]: r["status"] for r in returns_of(api)}
    assert statuses == {"ORD-1-R1": "received", "ORD-1-R2": "requested"}
    assert [r["refund_id"] for r in refunds_of(api)] == ["ORD-1-RF1"]
    assert request_return(api, ORDER, items=[("BULB-E27", 1)]).status == 422


def test_an_approval_retried_with_its_key_answers_the_same_and_writes_once(api: Api) -> None:
    case_id, _ = returned_order(api)
    key = {"Idempotency-Key": "approve-1"}
    first = approve(api, case_id, headers=key)
    again = approve(api, case_id, headers=key)
    assert (first.status, again.status) == (200, 200)
    assert first.body == again.body
    assert len(api.stored(ORDER).returns_activity) == 2  # requested, approved


def test_a_receipt_whose_answer_was_lost_is_recognised_on_retry(api: Api) -> None:
    case_id, return_id = returned_order(api)
    approve(api, case_id)
    key = {"Idempotency-Key": "parcel-7"}
    first = received(api, return_id, headers=key)
    # The idempotency record is lost too (say it expired): the retry recognises its write.
    wiring_table = api.dynamodb
    items = wiring_table.scan(TableName="IdempotencyTable")["Items"]
    for item in items:
        wiring_table.delete_item(TableName="IdempotencyTable", Key={"id": item["id"]})
    again = received(api, return_id, headers=key)
    assert (first.status, again.status) == (200, 200)
    assert again.body == first.body
    assert len(refunds_of(api)) == 1


def test_an_approved_return_expires_once_its_drop_off_deadline_passed(api: Api) -> None:
    case_id, return_id = returned_order(api)
    approve(api, case_id)
    service = wiring.returns_service()
    system = RequestContext.fresh(Actor(kind=ActorKind.SYSTEM, id="returns"))
    with pytest.raises(EventNotAllowed):
        service.expire_return(system, return_id, "en")

    api.clock.advance(days=15)
    expired = service.expire_return(system, return_id, "en")

    assert (expired.status, expired.status_label) == ("expired", "Expired: not sent in time")
    assert request_return(api, ORDER, items=[("BULB-E27", 4)]).status == 200
