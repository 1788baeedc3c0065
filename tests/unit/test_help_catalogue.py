"""The help catalogue: what each action takes and does, the words and dates of a refusal, and the
checks of a request against the order."""

from dataclasses import FrozenInstanceError
from datetime import datetime, timedelta
from typing import Any

import pytest

from lifecycle.actions import HelpAction as A
from lifecycle.actions import Reason as R
from lifecycle.errors import ActionUnavailable, InvalidHelpRequest
from lifecycle.help import (
    CATALOGUE,
    MOOT_WHEN_CANCELLED,
    CancelOrderRequest,
    ChangeAddressRequest,
    HelpRequest,
    ItemProblemRequest,
    MessageRequest,
    ReturnRequest,
    availability_of,
    check_against_order,
    explain,
    needs_an_answer,
    parse_help_request,
    use_help_action,
)
from lifecycle.i18n import format_date, messages
from lifecycle.order import OrderStatus
from lifecycle.order_lifecycle import GUARD_RULES
from lifecycle.policy import Policy
from lifecycle.returns import Resolution
from tests.builders import T0, an_address, order_in

# DESIGN.md §1: every help link contacts customer service; two of them also change the order.
# action: (the body it takes, changes the order, opens or joins a case)
EXPECTED_CATALOGUE: dict[A, tuple[type[HelpRequest], bool, bool]] = {
    A.CHANGE_ADDRESS: (ChangeAddressRequest, True, True),
    A.PAYMENT_ISSUE: (MessageRequest, False, True),
    A.CUSTOMS_DUTIES: (MessageRequest, False, True),
    A.RETURN_REQUEST: (ReturnRequest, False, True),
    A.ITEM_PROBLEM: (ItemProblemRequest, False, True),
    A.SHIPPING_DELAY: (MessageRequest, False, True),
    A.DELIVERY_DELAY: (MessageRequest, False, True),
    A.CANCEL_ORDER: (CancelOrderRequest, True, True),
}


def test_the_catalogue_is_the_design_table() -> None:
    found = {
        action: (spec.request_model, spec.changes_order, spec.opens_case)
        for action, spec in CATALOGUE.items()
    }
    assert found == EXPECTED_CATALOGUE
    assert [spec.action for spec in CATALOGUE.values()] == list(A)


@pytest.mark.parametrize("status", list(OrderStatus))
def test_the_page_says_what_each_action_does(status: OrderStatus) -> None:
    order = order_in(status)
    for entry in explain(order, order.placed_at + timedelta(days=3)):
        _, changes_order, opens_case = EXPECTED_CATALOGUE[entry.action]
        assert (entry.changes_order, entry.opens_case) == (changes_order, opens_case)


def test_the_rules_tables_cannot_be_changed_at_run_time() -> None:
    with pytest.raises(FrozenInstanceError):
        CATALOGUE[A.PAYMENT_ISSUE].changes_order = True  # type: ignore[misc]
    with pytest.raises(FrozenInstanceError):
        GUARD_RULES["return_window_is_open"].reason = R.NOT_LATE_YET  # type: ignore[misc]


# --- what a request is --------------------------------------------------------------------------

QUESTION = "¿Cuándo llega?"
ITEM = [{"sku": "LAMP-01", "quantity": 1}]
# One valid body per action, without a message where the action takes none.
BODIES: dict[A, dict[str, Any]] = {
    A.CHANGE_ADDRESS: {"address": an_address(line1="Calle Mayor 1")},
    A.PAYMENT_ISSUE: {"message": QUESTION},
    A.CUSTOMS_DUTIES: {"message": QUESTION},
    A.RETURN_REQUEST: {"items": ITEM, "message": QUESTION},
    A.ITEM_PROBLEM: {"problem": "damaged", "items": ITEM, "message": QUESTION},
    A.SHIPPING_DELAY: {"message": QUESTION},
    A.DELIVERY_DELAY: {"message": QUESTION},
    A.CANCEL_ORDER: {},
}


# README: self-service already done is not a question, unless the customer asks something.
@pytest.mark.parametrize(
    ("action", "body", "asks"),
    [
        (A.CHANGE_ADDRESS, BODIES[A.CHANGE_ADDRESS], False),
        (A.CHANGE_ADDRESS, BODIES[A.CHANGE_ADDRESS] | {"message": QUESTION}, True),
        (A.CANCEL_ORDER, {}, False),
        (A.CANCEL_ORDER, {"reason": "Lo pedí dos veces"}, False),
        (A.CANCEL_ORDER, {"message": QUESTION}, True),
        *[(action, body, True) for action, body in BODIES.items() if "message" in body],
    ],
)
def test_only_self_service_done_without_a_question_needs_no_answer(
    action: A, body: dict[str, Any], asks: bool
) -> None:
    assert needs_an_answer(action, parse_help_request(action, body)) is asks


def test_a_cancellation_makes_moot_only_the_address_customs_and_shipping_delay_requests() -> None:
    # README: cancelling solves the order's open address, customs and shipping-delay cases.
    assert MOOT_WHEN_CANCELLED == (A.CHANGE_ADDRESS, A.CUSTOMS_DUTIES, A.SHIPPING_DELAY)


@pytest.mark.parametrize("action", list(A))
def test_a_request_that_leaves_attachments_out_is_the_same_as_one_that_sends_none(
    action: A,
) -> None:
    # So a retry with the same Idempotency-Key is the same request whichever way it says so.
    left_out = parse_help_request(action, BODIES[action])
    sent_none = parse_help_request(action, BODIES[action] | {"attachment_ids": None})
    assert left_out == sent_none
    assert left_out.model_dump(mode="json") == sent_none.model_dump(mode="json")


@pytest.mark.parametrize("action", [A.RETURN_REQUEST, A.ITEM_PROBLEM])
def test_items_sent_back_or_reported_ask_for_the_money_back_unless_a_replacement_is_asked(
    action: A,
) -> None:
    asked = parse_help_request(action, BODIES[action])
    assert isinstance(asked, ReturnRequest | ItemProblemRequest)
    assert asked.resolution is Resolution.REFUND
    replaced = parse_help_request(action, BODIES[action] | {"resolution": "replacement"})
    assert isinstance(replaced, ReturnRequest | ItemProblemRequest)
    assert replaced.resolution is Resolution.REPLACEMENT


# Given/When/Then, one refusal per kind of reason, in both languages: the words and the date.
REFUSALS = [
    (
        OrderStatus.PAID,
        T0 + timedelta(hours=2),
        A.SHIPPING_DELAY,
        R.NOT_LATE_YET,
        "Your order is not late yet: if it has not shipped by 4 March 2026, you can tell us here.",
        "Tu pedido todavía no va con retraso: si no se ha enviado el 4 de marzo de 2026, "
        "puedes avisarnos aquí.",
    ),
    (
        OrderStatus.SHIPPED,
        T0 + timedelta(days=2),
        A.DELIVERY_DELAY,
        R.NOT_LATE_YET,
        "Your order is not late yet: if it has not arrived by 7 March 2026, you can tell us here.",
        "Tu pedido todavía no va con retraso: si no ha llegado el 7 de marzo de 2026, "
        "puedes avisarnos aquí.",
    ),
    (
        OrderStatus.DELIVERED,
        T0 + timedelta(days=60),
        A.RETURN_REQUEST,
        R.WINDOW_CLOSED,
        "The return period for this order ended on 5 April 2026.",
        "El plazo de devolución de este pedido terminó el 5 de abril de 2026.",
    ),
    (
        OrderStatus.DELIVERED,
        T0 + timedelta(days=60),
        A.ITEM_PROBLEM,
        R.WINDOW_CLOSED,
        "The period to report problems with these items ended on 20 March 2026.",
        "El plazo para informar de problemas con estos artículos terminó el 20 de marzo de 2026.",
    ),
    (
        OrderStatus.SHIPPED,
        T0 + timedelta(days=2),
        A.CANCEL_ORDER,
        R.ALREADY_SHIPPED,
        "No longer possible: your order shipped on 3 March 2026.",
        "Ya no es posible: tu pedido se envió el 3 de marzo de 2026.",
    ),
    (
        OrderStatus.DELIVERED,
        T0 + timedelta(days=5),
        A.DELIVERY_DELAY,
        R.ORDER_DELIVERED,
        "No longer possible: your order was delivered on 6 March 2026.",
        "Ya no es posible: tu pedido se entregó el 6 de marzo de 2026.",
    ),
    (
        OrderStatus.CANCELLED,
        T0 + timedelta(days=1),
        A.CHANGE_ADDRESS,
        R.ORDER_CANCELLED,
        "Not available: your order was cancelled on 2 March 2026.",
        "No disponible: tu pedido se canceló el 2 de marzo de 2026.",
    ),
    (
        OrderStatus.CREATED,
        T0,
        A.CUSTOMS_DUTIES,
        R.NOT_YET_PAID,
        "Available once your payment has been received.",
        "Disponible cuando recibamos tu pago.",
    ),
    (
        OrderStatus.PAID,
        T0 + timedelta(hours=2),
        A.RETURN_REQUEST,
        R.NOT_YET_SHIPPED,
        "Available once your order has shipped.",
        "Disponible cuando tu pedido se haya enviado.",
    ),
]
TWO_WINDOWS = Policy(return_window_days=30, claim_window_days=14)
SAID = ("en", "es")


@pytest.mark.parametrize(
    ("status", "now", "action", "reason", "said"),
    [(*row[:4], dict(zip(SAID, row[4:], strict=True))) for row in REFUSALS],
)
def test_a_refusal_says_why_and_when_in_the_customers_language(
    status: OrderStatus, now: datetime, action: A, reason: R, said: dict[str, str]
) -> None:
    # Given an order in `status` at `now`
    order = order_in(status, policy=TWO_WINDOWS)
    # When the customer asks what `action` can do, in English and in Spanish
    refusals = {locale: availability_of(order, action, now, locale) for locale in SAID}
    # Then it is refused for `reason`, said in words with the date that matters
    assert {locale: (a.available, a.reason) for locale, a in refusals.items()} == {
        "en": (False, reason),
        "es": (False, reason),
    }
    assert {locale: a.message for locale, a in refusals.items()} == said
    # …and its label is the action's own, in each language
    assert refusals["es"].label == messages("es")["actions"][action]
    assert refusals["en"].label == messages("en")["actions"][action]


@pytest.mark.parametrize("locale", ["en", "es"])
@pytest.mark.parametrize("status", list(OrderStatus))
def test_every_refusal_with_a_date_says_that_date(status: OrderStatus, locale: str) -> None:
    order = order_in(status, policy=TWO_WINDOWS)
    entered = order.entered_at(status)
    assert entered is not None
    dated = 0
    for now in (entered, entered + timedelta(days=3), entered + timedelta(days=90)):
        for entry in explain(order, now, locale):
            when = entry.available_from or entry.available_until
            if not entry.available and when is not None:
                assert entry.message is not None and format_date(when, locale) in entry.message
                dated += 1
    # Every state but `created` has a refusal that names a date.
    assert (dated > 0) is (status is not OrderStatus.CREATED)


def test_an_offered_action_says_until_when_it_is_offered() -> None:
    # Given a delivered order whose return and claim windows close on different days
    delivered = order_in(OrderStatus.DELIVERED, policy=TWO_WINDOWS)
    assert delivered.delivered_at is not None
    # When the customer opens it the day it arrived
    offered = {e.action: e for e in explain(delivered, delivered.delivered_at) if e.available}
    # Then each window's own closing is shown, and an action without a window has no end
    assert {action: e.available_until for action, e in offered.items()} == {
        A.PAYMENT_ISSUE: None,
        A.RETURN_REQUEST: delivered.return_window_closes_at(),
        A.ITEM_PROBLEM: delivered.claim_window_closes_at(),
    }
    assert all(entry.available_from is None for entry in offered.values())


def test_an_unavailable_action_is_refused_with_what_the_page_shows() -> None:
    shipped = order_in(OrderStatus.SHIPPED)
    now = T0 + timedelta(days=2)
    with pytest.raises(ActionUnavailable) as refused:
        use_help_action(shipped, A.CANCEL_ORDER, CancelOrderRequest(), now, "es")
    assert refused.value.availability == availability_of(shipped, A.CANCEL_ORDER, now, "es")
    assert (refused.value.event, refused.value.state) == (A.CANCEL_ORDER, OrderStatus.SHIPPED)


# --- a request against the order it is about ---------------------------------------------------

# The order has LAMP-01 × 1 and BULB-E27 × 4.
ITEM_CHECKS: list[tuple[list[dict[str, Any]], list[dict[str, Any]]]] = [
    ([{"sku": "BULB-E27", "quantity": 4}, {"sku": "LAMP-01", "quantity": 1}], []),
    (
        [{"sku": "BULB-E27", "quantity": 5}],
        [
            {
                "loc": ("items", 0, "quantity"),
                "msg": "only 4 of 'BULB-E27' were ordered",
                "type": "quantity_exceeds_order",
                "ctx": {"sku": "BULB-E27", "ordered": 4},
            }
        ],
    ),
    (
        [{"sku": "LAMP-01", "quantity": 1}, {"sku": "NOPE", "quantity": 1}],
        [
            {
                "loc": ("items", 1, "sku"),
                "msg": "sku 'NOPE' is not on this order",
                "type": "unknown_sku",
                "ctx": {"sku": "NOPE"},
            }
        ],
    ),
    (
        [
            {"sku": "LAMP-01", "quantity": 1},
            {"sku": "BULB-E27", "quantity": 9},
            {"sku": "LAMP-01", "quantity": 1},
        ],
        [
            {
                "loc": ("items", 1, "quantity"),
                "msg": "only 4 of 'BULB-E27' were ordered",
                "type": "quantity_exceeds_order",
                "ctx": {"sku": "BULB-E27", "ordered": 4},
            },
            {
                "loc": ("items", 2, "sku"),
                "msg": "sku 'LAMP-01' is listed twice",
                "type": "duplicate_sku",
                "ctx": {"sku": "LAMP-01"},
            },
        ],
    ),
]


@pytest.mark.parametrize(("items", "errors"), ITEM_CHECKS)
def test_items_named_must_be_on_the_order_once_and_no_more_than_ordered(
    items: list[dict[str, Any]], errors: list[dict[str, Any]]
) -> None:
    request = ReturnRequest.model_validate({"items": items, "message": "No me convence"})
    order = order_in(OrderStatus.SHIPPED)
    if not errors:
        check_against_order(request, order)
        return
    with pytest.raises(InvalidHelpRequest) as invalid:
        check_against_order(request, order)
    assert invalid.value.errors == errors
    assert str(invalid.value) == "; ".join(error["msg"] for error in errors)


def test_a_malformed_body_names_each_field_and_why() -> None:
    with pytest.raises(InvalidHelpRequest) as invalid:
        parse_help_request(
            A.ITEM_PROBLEM, {"problem": "late", "items": [], "message": "", "extra": 1}
        )
    found = [(error["loc"], error["type"], error["ctx"]) for error in invalid.value.errors]
    assert found == [
        (["problem"], "enum", {"expected": "'missing', 'incorrect', 'lost' or 'damaged'"}),
        (["items"], "too_short", {"field_type": "List", "min_length": 1, "actual_length": 0}),
        (["message"], "string_too_short", {"min_length": 1}),
        (["extra"], "extra_forbidden", {}),
    ]
    # What a text is made from, never the input it was given
    assert all(set(error) == {"loc", "msg", "type", "ctx"} for error in invalid.value.errors)
    assert str(invalid.value) == "; ".join(str(e["msg"]) for e in invalid.value.errors)
