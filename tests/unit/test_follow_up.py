"""What a message on a closed case becomes: the closed case's action while the order's machine
still offers it, a general question to customer service once it does not."""

from datetime import datetime, timedelta

import pytest

from lifecycle.actions import CaseAction, HelpAction, Question
from lifecycle.follow_up import follow_up_action
from lifecycle.order import Order, OrderStatus
from lifecycle.policy import Policy
from tests.builders import order_in

A = HelpAction
GENERAL = Question.GENERAL
POLICY = Policy()


def delivered() -> Order:
    return order_in(OrderStatus.DELIVERED, policy=POLICY)


def delivered_at(order: Order) -> datetime:
    assert order.delivered_at is not None
    return order.delivered_at


# (the order, when, the closed case's action) → what the follow-up is about
ROWS: list[tuple[str, Order, timedelta, CaseAction, CaseAction]] = [
    (
        "a return inside the return window goes on as a return",
        delivered(),
        POLICY.return_window - timedelta(days=1),
        A.RETURN_REQUEST,
        A.RETURN_REQUEST,
    ),
    (
        "a return after the window closed is a question",
        delivered(),
        POLICY.return_window + timedelta(days=1),
        A.RETURN_REQUEST,
        GENERAL,
    ),
    (
        "an item problem after the claim window closed is a question",
        delivered(),
        POLICY.claim_window + timedelta(days=1),
        A.ITEM_PROBLEM,
        GENERAL,
    ),
    (
        "a payment problem is offered in every state: it goes on",
        delivered(),
        timedelta(days=90),
        A.PAYMENT_ISSUE,
        A.PAYMENT_ISSUE,
    ),
    (
        "a cancellation once the order was delivered is a question",
        delivered(),
        timedelta(days=1),
        A.CANCEL_ORDER,
        GENERAL,
    ),
    (
        "an address change once the order was delivered is a question",
        delivered(),
        timedelta(days=1),
        A.CHANGE_ADDRESS,
        GENERAL,
    ),
    (
        "a general question stays one",
        delivered(),
        timedelta(days=1),
        GENERAL,
        GENERAL,
    ),
]


@pytest.mark.parametrize(
    ("order", "after_delivery", "closed_action", "expected"),
    [row[1:] for row in ROWS],
    ids=[row[0] for row in ROWS],
)
def test_a_follow_up_goes_on_with_the_action_only_while_the_order_offers_it(
    order: Order, after_delivery: timedelta, closed_action: CaseAction, expected: CaseAction
) -> None:
    now = delivered_at(order) + after_delivery
    assert follow_up_action(closed_action, order, now) == expected


def test_a_cancellation_goes_on_while_the_order_can_still_be_cancelled() -> None:
    paid = order_in(OrderStatus.PAID, policy=POLICY)
    now = paid.placed_at + timedelta(hours=2)
    assert follow_up_action(A.CANCEL_ORDER, paid, now) is A.CANCEL_ORDER
    shipped = order_in(OrderStatus.SHIPPED, policy=POLICY)
    assert follow_up_action(A.CANCEL_ORDER, shipped, now + timedelta(days=1)) is GENERAL
