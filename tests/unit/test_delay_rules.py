"""When an order counts as late for the scheduled delay check: the same guards as the
`shipping_delay` and `delivery_delay` help actions, recorded once per deadline."""

from datetime import timedelta

import pytest
from pydantic import ValidationError

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


def test_a_shipped_order_gets_a_new_delivery_date() -> None:
    # Given a shipped order whose delivery delay was recorded
    shipped = order_in(OrderStatus.SHIPPED)
    first_deadline = shipped.delivery_late_after()
    assert first_deadline is not None
    late = apply_event(shipped, "record_delivery_delay", now=first_deadline + SECOND)
    assert late.delivery_delayed_since == first_deadline
    # When the carrier promises a new date
    new_date = first_deadline + timedelta(days=3)
    revised = apply_event(
        late,
        "revise_estimate",
        now=first_deadline + timedelta(hours=1),
        details=EstimateRevision(estimated_delivery_by=new_date),
    )
    # Then the order waits on the new date: not late until it passes, and a new delay after
    assert (revised.status, revised.estimated_delivery_by) == (OrderStatus.SHIPPED, new_date)
    assert revised.delivery_delayed_since is None
    assert revised.estimated_ship_by == shipped.estimated_ship_by
    assert revised.next_delay_deadline() == new_date
    again = apply_event(revised, "record_delivery_delay", now=new_date + SECOND)
    assert again.delivery_delayed_since == new_date


# A paid order revises its ship-by date, a shipped one its delivery date: never the other one.
NOT_REVISABLE = [
    (OrderStatus.PAID, "estimated_delivery_by", "estimated_ship_by"),
    (OrderStatus.SHIPPED, "estimated_ship_by", "estimated_delivery_by"),
]


@pytest.mark.parametrize(("status", "given", "revisable"), NOT_REVISABLE)
def test_an_estimate_the_state_does_not_wait_on_is_refused(
    status: OrderStatus, given: str, revisable: str
) -> None:
    order = order_in(status)
    new_date = order.placed_at + timedelta(days=12)
    with pytest.raises(InvalidOrder) as refused:
        apply_event(
            order,
            "revise_estimate",
            now=order.placed_at + timedelta(days=2),
            details=EstimateRevision.model_validate({given: new_date}),
        )
    message = f"a {status} order can only revise {revisable}"
    assert refused.value.errors == [
        {
            "loc": (revisable,),
            "msg": message,
            "type": "estimate_not_revisable",
            "ctx": {"field": revisable},
        }
    ]
    assert str(refused.value) == f"{revisable}: {message}"


@pytest.mark.parametrize(
    "status", [OrderStatus.CREATED, OrderStatus.DELIVERED, OrderStatus.CANCELLED]
)
def test_only_an_order_waiting_on_an_estimate_takes_a_new_one(status: OrderStatus) -> None:
    order = order_in(status)
    with pytest.raises(EventNotAllowed) as refused:
        apply_event(
            order,
            "revise_estimate",
            now=order.placed_at + timedelta(days=9),
            details=EstimateRevision(estimated_delivery_by=order.placed_at + timedelta(days=19)),
        )
    assert (refused.value.event, refused.value.state) == ("revise_estimate", status)


@pytest.mark.parametrize(
    "given",
    [{}, {"estimated_ship_by": SECOND, "estimated_delivery_by": SECOND}],
    ids=["neither", "both"],
)
def test_a_revision_gives_exactly_one_estimate(given: dict[str, timedelta]) -> None:
    at = order_in(OrderStatus.PAID).placed_at
    with pytest.raises(ValidationError) as invalid:
        EstimateRevision.model_validate({name: at + gap for name, gap in given.items()})
    [error] = invalid.value.errors()
    assert (error["type"], error["loc"], error["msg"]) == (
        "value_error",
        (),
        "Value error, give exactly one of estimated_ship_by and estimated_delivery_by",
    )
