"""DESIGN.md §1 as the tests hold it: which help actions each order state offers and when, why
the others are refused, and which states take the shop's events. Written from the design, not
from the rules' code, so a test that compares them catches a rule that drifts."""

from collections.abc import Callable
from datetime import datetime, timedelta

from lifecycle.actions import HelpAction as A
from lifecycle.actions import Reason as R
from lifecycle.order import Order, OrderStatus

Rule = Callable[[Order, datetime], bool]


def always(order: Order, now: datetime) -> bool:
    return True


def ship_by_deadline(order: Order) -> datetime:
    assert order.estimated_ship_by and order.policy
    return order.estimated_ship_by + timedelta(hours=order.policy.delay_grace_hours)


def delivery_deadline(order: Order) -> datetime:
    assert order.estimated_delivery_by and order.policy
    return order.estimated_delivery_by + timedelta(hours=order.policy.delay_grace_hours)


def return_window_end(order: Order) -> datetime:
    assert order.delivered_at and order.policy
    return order.delivered_at + timedelta(days=order.policy.return_window_days)


def claim_window_end(order: Order) -> datetime:
    assert order.delivered_at and order.policy
    return order.delivered_at + timedelta(days=order.policy.claim_window_days)


def after_ship_by(order: Order, now: datetime) -> bool:
    return now > ship_by_deadline(order)


def after_delivery_estimate(order: Order, now: datetime) -> bool:
    return now > delivery_deadline(order)


def within_return_window(order: Order, now: datetime) -> bool:
    return now <= return_window_end(order)


def within_claim_window(order: Order, now: datetime) -> bool:
    return now <= claim_window_end(order)


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

# When a conditional offer starts (after a deadline) or ends (at a window's end, inclusive).
OPENS_AFTER: dict[Rule, Callable[[Order], datetime]] = {
    after_ship_by: ship_by_deadline,
    after_delivery_estimate: delivery_deadline,
}
CLOSES_AT: dict[Rule, Callable[[Order], datetime]] = {
    within_return_window: return_window_end,
    within_claim_window: claim_window_end,
}
# A refusal by state names the milestone that ended the action (nothing when not yet started).
ENDED_BY: dict[R, OrderStatus | None] = {
    R.NOT_YET_PAID: None,
    R.NOT_YET_SHIPPED: None,
    R.ALREADY_SHIPPED: OrderStatus.SHIPPED,
    R.ORDER_DELIVERED: OrderStatus.DELIVERED,
    R.ORDER_CANCELLED: OrderStatus.CANCELLED,
}


# The shop's events and the states that take them; `cancelled` and `delivered` take none.
SHOP_EVENT_SOURCES: dict[str, set[OrderStatus]] = {
    "pay": {OrderStatus.CREATED},
    "ship": {OrderStatus.PAID},
    "deliver": {OrderStatus.SHIPPED},
    "cancel": {OrderStatus.CREATED, OrderStatus.PAID},
    "revise_estimate": {OrderStatus.PAID, OrderStatus.SHIPPED},
}


def design_offers(order: Order, action: A, now: datetime) -> bool:
    rule = EXPECTED_OFFERS[order.status].get(action)
    return rule is not None and rule(order, now)


def design_refusal(order: Order, action: A, now: datetime) -> R | None:
    """Why the design refuses `action` now, or None when it offers it."""
    rule = EXPECTED_OFFERS[order.status].get(action)
    if rule is None:
        return EXPECTED_STATE_REASONS[order.status][action]
    if rule(order, now):
        return None
    return R.NOT_LATE_YET if rule in OPENS_AFTER else R.WINDOW_CLOSED


def design_accepts(order: Order, event: str, now: datetime) -> bool:
    """Whether the design lets `event` happen to `order` at `now`."""
    if event in SHOP_EVENT_SOURCES:
        return order.status in SHOP_EVENT_SOURCES[event]
    # The delay check records a missed deadline once, when the customer could report it.
    if event == "record_shipping_delay":
        return design_offers(order, A.SHIPPING_DELAY, now) and (
            order.shipping_delayed_since != ship_by_deadline(order)
        )
    if event == "record_delivery_delay":
        return design_offers(order, A.DELIVERY_DELAY, now) and (
            order.delivery_delayed_since != delivery_deadline(order)
        )
    return design_offers(order, A(event), now)
