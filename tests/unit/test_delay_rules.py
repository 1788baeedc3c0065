"""When an order counts as late for the scheduled delay check: the same guards as the
`shipping_delay` and `delivery_delay` help actions, recorded once per deadline."""

from datetime import timedelta

import pytest

from lifecycle.errors import EventNotAllowed, InvalidOrder
from lifecycle.order import EstimateRevision, Order, OrderStatus
from lifecycle.order_lifecycle import apply_event
from lifecycle.policy import Policy
from tests.builders import order_in

SECOND = timedelta(seconds=1)

DEADLINES = {
    "record_shipping_delay": (
        OrderStatus.PAID,
        Order.shipping_late_after,
        "shipping_delayed_since",
    ),
    "record_delivery_delay": (
        OrderStatus.SHIPPED,
        Order.delivery_late_after,
        "delivery_delayed_since",
    ),
}


@pytest.mark.parametrize("event", DEADLINES)
def test_exactly_on_the_deadline_is_not_late_one_second_after_is(event: str) -> None:
    status, deadline_of, _ = DEADLINES[event]
    order = order_in(status)
    deadline = deadline_of(order)
    assert deadline is not None
    assert order.next_delay_deadline() == deadline
    with pytest.raises(EventNotAllowed):
        apply_event(order, event, now=deadline)
    late = apply_event(order, event, now=deadline + SECOND)
    assert late.status is status


@pytest.mark.parametrize("event", DEADLINES)
def test_a_delay_is_recorded_once_per_deadline(event: str) -> None:
    status, deadline_of, field = DEADLINES[event]
    order = order_in(status)
    deadline = deadline_of(order)
    assert deadline is not None
    late = apply_event(order, event, now=deadline + timedelta(days=3))
    # Recorded as the moment the order became late, whenever the check noticed it.
    assert getattr(late, field) == deadline
    assert late.next_delay_deadline() is None
    with pytest.raises(EventNotAllowed):
        apply_event(late, event, now=deadline + timedelta(days=4))


@pytest.mark.parametrize(
    "status", [OrderStatus.CREATED, OrderStatus.DELIVERED, OrderStatus.CANCELLED]
)
@pytest.mark.parametrize("event", DEADLINES)
def test_orders_not_awaiting_a_milestone_are_never_late(status: OrderStatus, event: str) -> None:
    order = order_in(status)
    assert order.next_delay_deadline() is None
    with pytest.raises(EventNotAllowed):
        apply_event(order, event, now=order.placed_at + timedelta(days=365))


def test_a_shipped_order_is_no_longer_late_to_ship() -> None:
    shipped = order_in(OrderStatus.SHIPPED)
    with pytest.raises(EventNotAllowed):
        apply_event(shipped, "record_shipping_delay", now=shipped.placed_at + timedelta(days=365))


def test_grace_is_respected() -> None:
    order = order_in(OrderStatus.PAID, policy=Policy(delay_grace_hours=12))
    assert order.estimated_ship_by is not None
    inside_grace = order.estimated_ship_by + timedelta(hours=12)
    with pytest.raises(EventNotAllowed):
        apply_event(order, "record_shipping_delay", now=inside_grace)
    assert order.next_delay_deadline() == inside_grace
    apply_event(order, "record_shipping_delay", now=inside_grace + SECOND)


def test_a_new_estimate_is_a_new_deadline() -> None:
    paid = order_in(OrderStatus.PAID)
    assert paid.estimated_ship_by is not None
    first_miss = paid.estimated_ship_by + SECOND
    late = apply_event(paid, "record_shipping_delay", now=first_miss)
    # Given the shop promises a new date
    new_date = first_miss + timedelta(days=2)
    revised = apply_event(
        late,
        "revise_estimate",
        now=first_miss + timedelta(hours=1),
        details=EstimateRevision(estimated_ship_by=new_date),
    )
    # Then the order is not late until the new date passes, and a miss then is a new delay
    assert revised.shipping_delayed_since is None
    assert revised.next_delay_deadline() == new_date
    with pytest.raises(EventNotAllowed):
        apply_event(revised, "record_shipping_delay", now=new_date)
    again = apply_event(revised, "record_shipping_delay", now=new_date + SECOND)
    assert again.shipping_delayed_since == new_date


def test_estimates_are_revised_only_where_they_apply() -> None:
    shipped = order_in(OrderStatus.SHIPPED)
    with pytest.raises(InvalidOrder, match="a shipped order can only revise estimated_delivery_by"):
        apply_event(
            shipped,
            "revise_estimate",
            now=shipped.placed_at + timedelta(days=2),
            details=EstimateRevision(estimated_ship_by=shipped.placed_at + timedelta(days=9)),
        )
    with pytest.raises(EventNotAllowed):
        apply_event(
            order_in(OrderStatus.DELIVERED),
            "revise_estimate",
            now=shipped.placed_at + timedelta(days=9),
            details=EstimateRevision(estimated_delivery_by=shipped.placed_at + timedelta(days=19)),
        )
    with pytest.raises(ValueError, match="exactly one"):
        EstimateRevision()
