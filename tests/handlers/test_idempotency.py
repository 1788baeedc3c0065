"""Idempotency-Key on every POST: a retry with the same key and body gets the first answer and
changes nothing; the same key with another body is refused; a key that is not one is 400."""

import pytest

from tests.handlers.client import CUSTOMER, OTHER_CUSTOMER, Api, Identity, Reply
from tests.handlers.interference import InterleavingStore

ORDER = "ORD-1"
SHOP = Identity.shop()


def _key(value: str) -> dict[str, str]:
    return {"Idempotency-Key": value}


def test_a_retried_help_request_gets_the_first_answer_and_changes_nothing(api: Api) -> None:
    # Given a customer's report that was answered, but the answer was lost on the way back
    api.order_in("paid", order_id=ORDER)
    first = api.help(ORDER, "payment_issue", headers=_key("report-7f3a"))
    assert first.status == 201
    after_first = api.snapshot()

    # When the app retries it with the same key and body, a minute later
    api.clock.advance(minutes=1)
    retry = api.help(ORDER, "payment_issue", headers=_key("report-7f3a"))

    # Then it gets the first answer again (201, the same case), and nothing was added: no
    # second message on the case, no second history entry
    assert (retry.status, retry.body) == (first.status, first.body)
    assert api.snapshot() == after_first
    record = api.stored(ORDER)
    assert record is not None
    assert len(record.cases) == 1
    assert [entry.event for entry in record.history].count("payment_issue") == 1
    assert len(api.case_messages(first.body["case"]["case_id"])) == 1


def test_without_a_key_a_repeat_is_a_new_request(api: Api) -> None:
    # The contrast: the same body sent twice without a key joins the open case (200).
    api.order_in("paid", order_id=ORDER)
    assert api.help(ORDER, "payment_issue").status == 201

    again = api.help(ORDER, "payment_issue")

    assert again.status == 200
    assert len(api.case_messages(again.body["case"]["case_id"])) == 2


def test_a_retried_cancellation_is_not_refused_as_already_cancelled(api: Api) -> None:
    api.order_in("paid", order_id=ORDER)
    first = api.help(ORDER, "cancel_order", headers=_key("cancel-1"))

    retry = api.help(ORDER, "cancel_order", headers=_key("cancel-1"))

    assert (first.status, retry.status) == (201, 201)
    assert retry.body == first.body


def test_the_same_key_with_another_body_is_422_idempotency_key_reused(api: Api) -> None:
    api.order_in("paid", order_id=ORDER)
    assert api.help(ORDER, "payment_issue", headers=_key("k-1")).status == 201
    after_first = api.snapshot()

    reply = api.help(ORDER, "payment_issue", {"message": "Something else"}, headers=_key("k-1"))

    assert reply.status == 422
    assert reply.error["code"] == "idempotency_key_reused"
    assert api.snapshot() == after_first


@pytest.mark.parametrize(
    "event", ["pay", "cancel"], ids=["pay (created → paid)", "cancel (created → cancelled)"]
)
def test_a_retried_ops_event_gets_the_first_answer(api: Api, event: str) -> None:
    api.order_in("created", order_id=ORDER)
    body = (
        {"payment_ref": "P", "estimated_ship_by": "2026-05-06T09:00:00Z"}
        if event == "pay"
        else {"reason": "Out of stock"}
    )

    def send() -> Reply:
        return api.call(
            "POST", f"/ops/orders/{ORDER}/{event}", body, identity=SHOP, headers=_key("ev-1")
        )

    first, retry = send(), send()

    assert (first.status, retry.status) == (200, 200)
    assert retry.body == first.body
    record = api.stored(ORDER)
    assert record is not None
    assert [entry.event for entry in record.history] == ["create", event]


def test_a_retried_order_creation_is_not_refused_as_existing(api: Api) -> None:
    first = api.create_order(CUSTOMER, ORDER, headers=_key("create-1"))
    retry = api.create_order(CUSTOMER, ORDER, headers=_key("create-1"))

    assert (first.status, retry.status) == (201, 201)
    assert retry.body == first.body


def test_a_key_belongs_to_its_caller_and_request(api: Api) -> None:
    # Given Lucía used a key on her order
    api.order_in("paid", customer=CUSTOMER, order_id="ORD-1")
    api.order_in("paid", customer=OTHER_CUSTOMER, order_id="ORD-2")
    assert api.help("ORD-1", "payment_issue", headers=_key("shared")).status == 201

    # When Marta, and Lucía on another action, happen to use the same key
    martas = api.help("ORD-2", "payment_issue", customer=OTHER_CUSTOMER, headers=_key("shared"))
    other_action = api.help("ORD-1", "customs_duties", headers=_key("shared"))

    # Then each is a request of its own
    assert (martas.status, other_action.status) == (201, 201)
    assert martas.body["case"]["order_id"] == "ORD-2"
    assert other_action.body["case"]["action"] == "customs_duties"


@pytest.mark.parametrize(
    "key",
    ["", " ", "has space", "x" * 256, "clé", "tab\tinside", "emoji-🔑"],
    ids=["empty", "blank", "a space", "256 characters", "not ASCII", "a tab", "an emoji"],
)
def test_a_malformed_key_is_400(api: Api, key: str) -> None:
    api.order_in("paid", order_id=ORDER)
    before = api.snapshot()

    reply = api.help(ORDER, "payment_issue", headers=_key(key))

    assert reply.status == 400
    assert reply.error["code"] == "invalid_idempotency_key"
    assert api.snapshot() == before


def test_a_key_of_255_printable_characters_is_fine(api: Api) -> None:
    api.order_in("paid", order_id=ORDER)
    key = ("AZaz09-_.:~!" * 22)[:255]

    reply = api.help(ORDER, "payment_issue", headers=_key(key))

    assert reply.status == 201


def test_a_retry_that_arrives_while_the_first_is_still_running_is_told_to_wait(
    api: Api, interleaving: InterleavingStore
) -> None:
    # Given a help request still being handled (it has read the order, not yet written)
    api.order_in("paid", order_id=ORDER)
    interleaving.before_next_commit(
        lambda: api.help(ORDER, "payment_issue", headers=_key("slow-1"))
    )

    # When the app's retry with the same key arrives in that moment
    first = api.help(ORDER, "payment_issue", headers=_key("slow-1"))
    retry = interleaving.competitor_reply

    # Then the retry is told to come back instead of doing the work a second time
    assert retry is not None
    assert retry.status == 409
    assert retry.error["code"] == "request_in_progress"
    assert int(retry.headers["retry-after"]) > 0
    assert first.status == 201
    # ...and coming back, it gets the first answer
    assert api.help(ORDER, "payment_issue", headers=_key("slow-1")).body == first.body
    record = api.stored(ORDER)
    assert record is not None
    assert len(record.cases) == 1
