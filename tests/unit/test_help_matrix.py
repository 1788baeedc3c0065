"""The help matrix of DESIGN.md §1, checked against `explain` for every state × every action, at
times before, at and after each deadline the order has."""

from datetime import datetime, timedelta

import pytest

from lifecycle.actions import HelpAction as A
from lifecycle.actions import Reason as R
from lifecycle.help import explain
from lifecycle.order import Order, OrderStatus
from lifecycle.policy import Policy
from tests.builders import order_in
from tests.unit.design import (
    CLOSES_AT,
    ENDED_BY,
    EXPECTED_OFFERS,
    EXPECTED_STATE_REASONS,
    OPENS_AFTER,
)

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
    # Then each is offered exactly when the design says, refused with the design's reason, and
    # dated with when it opens, closes or ended
    assert list(explained) == list(A)
    for action in A:
        rule = EXPECTED_OFFERS[status].get(action)
        entry = explained[action]
        expected_available = rule is not None and rule(order, now)
        assert entry.available is expected_available, (status, action, now)
        if entry.available:
            assert entry.reason is None and entry.message is None
            closes = CLOSES_AT[rule](order) if rule in CLOSES_AT else None
            assert (entry.available_from, entry.available_until) == (None, closes)
            continue
        assert entry.message
        if rule is None:
            reason = EXPECTED_STATE_REASONS[status][action]
            ended_by = ENDED_BY[reason]
            ended = order.entered_at(ended_by) if ended_by else None
            assert (entry.reason, entry.available_from, entry.available_until) == (
                reason,
                None,
                ended,
            )
        elif rule in OPENS_AFTER:
            assert (entry.reason, entry.available_from, entry.available_until) == (
                R.NOT_LATE_YET,
                OPENS_AFTER[rule](order),
                None,
            )
        else:
            assert (entry.reason, entry.available_from, entry.available_until) == (
                R.WINDOW_CLOSED,
                None,
                CLOSES_AT[rule](order),
            )


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
