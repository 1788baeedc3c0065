"""The help matrix of DESIGN.md §1, checked against `explain` for every state × every action, at
times before, at and after each deadline the order has."""

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest

from lifecycle.actions import HelpAction as A
from lifecycle.actions import Reason as R
from lifecycle.help import explain
from lifecycle.order import Order, OrderStatus
from lifecycle.policy import Policy
from tests.builders import order_in

Rule = Callable[[Order, datetime], bool]


def always(order: Order, now: datetime) -> bool:
    return True


def after_ship_by(order: Order, now: datetime) -> bool:
    assert order.estimated_ship_by and order.policy
    return now > order.estimated_ship_by + timedelta(hours=order.policy.delay_grace_hours)


def after_delivery_estimate(order: Order, now: datetime) -> bool:
    assert order.estimated_delivery_by and order.policy
    return now > order.estimated_delivery_by + timedelta(hours=order.policy.delay_grace_hours)


def within_return_window(order: Order, now: datetime) -> bool:
    assert order.delivered_at and order.policy
    return now <= order.delivered_at + timedelta(days=order.policy.return_window_days)


def within_claim_window(order: Order, now: datetime) -> bool:
    assert order.delivered_at and order.policy
    return now <= order.delivered_at + timedelta(days=order.policy.claim_window_days)


# DESIGN.md §1, one row per state: the actions offered and when. Anything not listed: never.
EXPECTED_OFFERS: dict[OrderStatus, dict[A, Rule]] = {
    OrderStatus.CREATED: {
        A.CHANGE_ADDRESS: always,
        A.PAYMENT_ISSUE: always,
        A.CANCEL_ORDER: always,
    },
    OrderStatus.PAID: {
        A.CHANGE_ADDRESS: always,
        A.PAYMENT_ISSUE: always,
        A.CUSTOMS_DUTIES: always,
        A.SHIPPING_DELAY: after_ship_by,
        A.CANCEL_ORDER: always,
    },
    OrderStatus.SHIPPED: {
        A.PAYMENT_ISSUE: always,
        A.RETURN_REQUEST: always,
        A.ITEM_PROBLEM: always,
        A.DELIVERY_DELAY: after_delivery_estimate,
    },
    OrderStatus.DELIVERED: {
        A.PAYMENT_ISSUE: always,
        A.RETURN_REQUEST: within_return_window,
        A.ITEM_PROBLEM: within_claim_window,
    },
    OrderStatus.CANCELLED: {
        A.PAYMENT_ISSUE: always,
    },
}

# Why an action is refused where the state never offers it.
EXPECTED_STATE_REASONS: dict[OrderStatus, dict[A, R]] = {
    OrderStatus.CREATED: {
        A.CUSTOMS_DUTIES: R.NOT_YET_PAID,
        A.RETURN_REQUEST: R.NOT_YET_SHIPPED,
        A.ITEM_PROBLEM: R.NOT_YET_SHIPPED,
        A.SHIPPING_DELAY: R.NOT_YET_PAID,
        A.DELIVERY_DELAY: R.NOT_YET_SHIPPED,
    },
    OrderStatus.PAID: {
        A.RETURN_REQUEST: R.NOT_YET_SHIPPED,
        A.ITEM_PROBLEM: R.NOT_YET_SHIPPED,
        A.DELIVERY_DELAY: R.NOT_YET_SHIPPED,
    },
    OrderStatus.SHIPPED: {
        A.CHANGE_ADDRESS: R.ALREADY_SHIPPED,
        A.CUSTOMS_DUTIES: R.ALREADY_SHIPPED,
        A.SHIPPING_DELAY: R.ALREADY_SHIPPED,
        A.CANCEL_ORDER: R.ALREADY_SHIPPED,
    },
    OrderStatus.DELIVERED: {
        A.CHANGE_ADDRESS: R.ALREADY_SHIPPED,
        A.CUSTOMS_DUTIES: R.ALREADY_SHIPPED,
        A.SHIPPING_DELAY: R.ALREADY_SHIPPED,
        A.DELIVERY_DELAY: R.ORDER_DELIVERED,
        A.CANCEL_ORDER: R.ALREADY_SHIPPED,
    },
    OrderStatus.CANCELLED: {action: R.ORDER_CANCELLED for action in A if action != A.PAYMENT_ISSUE},
}

# A policy whose windows differ, so each deadline is tested on its own.
POLICIES = [
    Policy(),
    Policy(return_window_days=30, claim_window_days=14, delay_grace_hours=6),
]
SECOND = timedelta(seconds=1)


def deadlines(order: Order) -> list[datetime]:
    """Every time at which the order's help offer can change without an event."""
    candidates = [
        order.shipping_late_after() if order.status is OrderStatus.PAID else None,
        order.delivery_late_after() if order.status is OrderStatus.SHIPPED else None,
        order.return_window_closes_at(),
        order.claim_window_closes_at(),
    ]
    return [moment for moment in candidates if moment is not None]


def moments(order: Order) -> list[datetime]:
    base = [order.entered_at(order.status) or order.placed_at]
    around = [d + offset for d in deadlines(order) for offset in (-SECOND, 0 * SECOND, SECOND)]
    return base + around


def cases() -> list[tuple[Policy, OrderStatus, datetime]]:
    rows = []
    for policy in POLICIES:
        for status in OrderStatus:
            order = order_in(status, policy=policy)
            rows += [(policy, status, now) for now in moments(order)]
    return rows


def test_every_state_has_a_row_and_every_action_a_verdict() -> None:
    for status in OrderStatus:
        assert set(EXPECTED_OFFERS[status]) | set(EXPECTED_STATE_REASONS[status]) == set(A)


@pytest.mark.parametrize(("policy", "status", "now"), cases())
def test_explain_matches_the_design_matrix(
    policy: Policy, status: OrderStatus, now: datetime
) -> None:
    # Given an order in `status` under `policy`, at a moment around one of its deadlines
    order = order_in(status, policy=policy)
    # When the catalogue explains its help actions
    explained = {entry.action: entry for entry in explain(order, now)}
    # Then each is offered exactly when the design says, and refused with the design's reason
    assert list(explained) == list(A)
    for action in A:
        rule = EXPECTED_OFFERS[status].get(action)
        entry = explained[action]
        expected_available = rule is not None and rule(order, now)
        assert entry.available is expected_available, (status, action, now)
        if entry.available:
            assert entry.reason is None and entry.message is None
        elif rule is None:
            assert entry.reason is EXPECTED_STATE_REASONS[status][action]
        elif rule in (after_ship_by, after_delivery_estimate):
            assert entry.reason is R.NOT_LATE_YET
            assert entry.available_from is not None and entry.available_from >= now
        else:
            assert entry.reason is R.WINDOW_CLOSED
            assert entry.available_until is not None and entry.available_until < now
        if not entry.available:
            assert entry.message


def test_deadlines_are_exclusive_and_windows_inclusive() -> None:
    paid = order_in(OrderStatus.PAID)
    deadline = paid.shipping_late_after()
    assert deadline is not None
    offered = {e.action: e.available for e in explain(paid, deadline)}
    assert offered[A.SHIPPING_DELAY] is False
    offered = {e.action: e.available for e in explain(paid, deadline + SECOND)}
    assert offered[A.SHIPPING_DELAY] is True

    delivered = order_in(OrderStatus.DELIVERED)
    closes = delivered.return_window_closes_at()
    assert closes is not None
    assert {e.action: e.available for e in explain(delivered, closes)}[A.RETURN_REQUEST] is True
    after = {e.action: e for e in explain(delivered, closes + SECOND)}[A.RETURN_REQUEST]
    assert after.available is False
    assert after.available_until == closes


def test_refusals_carry_the_dates_that_matter() -> None:
    paid = order_in(OrderStatus.PAID)
    not_late = {e.action: e for e in explain(paid, paid.placed_at + timedelta(hours=2))}
    assert not_late[A.SHIPPING_DELAY].available_from == paid.shipping_late_after()

    delivered = order_in(OrderStatus.DELIVERED)
    refused = {e.action: e for e in explain(delivered, delivered.delivered_at)}  # type: ignore[arg-type]
    # Changing the address stopped when the order shipped, not when it arrived.
    assert refused[A.CHANGE_ADDRESS].available_until == delivered.shipped_at
    assert refused[A.DELIVERY_DELAY].available_until == delivered.delivered_at
    assert refused[A.RETURN_REQUEST].available_until == delivered.return_window_closes_at()

    cancelled = order_in(OrderStatus.CANCELLED)
    refused = {e.action: e for e in explain(cancelled, cancelled.cancelled_at)}  # type: ignore[arg-type]
    assert refused[A.CANCEL_ORDER].available_until == cancelled.cancelled_at


def test_grace_delays_the_late_verdict() -> None:
    graceful = order_in(OrderStatus.PAID, policy=Policy(delay_grace_hours=6))
    assert graceful.estimated_ship_by is not None
    just_past_estimate = graceful.estimated_ship_by + SECOND
    offered = {e.action: e for e in explain(graceful, just_past_estimate)}
    assert offered[A.SHIPPING_DELAY].available is False
    assert offered[A.SHIPPING_DELAY].available_from == graceful.estimated_ship_by + timedelta(
        hours=6
    )
