"""Returns and refunds in any state, built by firing the real events."""

from datetime import timedelta
from decimal import Decimal
from typing import Any

from lifecycle.order import Order, OrderStatus
from lifecycle.policy import Policy
from lifecycle.refunds import Refund, RefundSource, RefundStatus, apply_refund_event, new_refund
from lifecycle.returns import (
    ItemCondition,
    ReceivedItem,
    Resolution,
    Return,
    ReturnItem,
    ReturnStatus,
    apply_return_event,
    new_return,
    return_id_for,
)
from tests.builders import order_in

DELIVERED = order_in(OrderStatus.DELIVERED)
assert DELIVERED.delivered_at is not None
REQUESTED_AT = DELIVERED.delivered_at + timedelta(days=2)
S = ReturnStatus


def two_bulbs() -> list[ReturnItem]:
    return [ReturnItem(sku="BULB-E27", quantity=2)]


def arrived(
    items: list[ReturnItem], condition: ItemCondition = ItemCondition.OK
) -> list[ReceivedItem]:
    return [ReceivedItem(sku=i.sku, quantity=i.quantity, condition=condition) for i in items]


def a_return(
    status: ReturnStatus = S.REQUESTED,
    *,
    order: Order = DELIVERED,
    resolution: Resolution = Resolution.REFUND,
    items: list[ReturnItem] | None = None,
    number: int = 1,
    **changes: Any,
) -> Return:
    """A return of `order` walked to `status` through `ReturnLifecycle`."""
    wanted = items or two_bulbs()
    if status is S.REPLACED:
        resolution = Resolution.REPLACEMENT
    record = new_return(
        return_id=return_id_for(order.order_id, number),
        order=order,
        returns=[],
        items=wanted,
        resolution=resolution,
        now=REQUESTED_AT,
        case_id="CS-1",
    )
    now = REQUESTED_AT + timedelta(hours=2)
    steps: dict[ReturnStatus, list[tuple[str, dict[str, Any]]]] = {
        S.REQUESTED: [],
        S.APPROVED: [("approve", {"policy": order.policy or Policy()})],
        S.REJECTED: [("reject", {"reason": "Used items cannot be returned."})],
        S.RECEIVED: [
            ("approve", {"policy": order.policy or Policy()}),
            ("receive", {"items": arrived(wanted)}),
        ],
        S.REFUNDED: [
            ("approve", {"policy": order.policy or Policy()}),
            ("receive", {"items": arrived(wanted)}),
            ("refund", {}),
        ],
        S.REPLACED: [
            ("approve", {"policy": order.policy or Policy()}),
            ("receive", {"items": arrived(wanted)}),
            ("replace", {}),
        ],
        S.EXPIRED: [("approve", {"policy": order.policy or Policy()})],
    }
    for event, data in steps[status]:
        record = apply_return_event(record, event, now=now, **data)
        now += timedelta(hours=1)
    if status is S.EXPIRED:
        assert record.drop_off_by is not None
        record = apply_return_event(record, "expire", now=record.drop_off_by + timedelta(seconds=1))
    return record.model_copy(update=changes)


def a_refund(
    status: RefundStatus = RefundStatus.DUE,
    *,
    order: Order = DELIVERED,
    amount: str = "10.00",
    number: int = 1,
) -> Refund:
    refund = new_refund(
        refund_id=f"{order.order_id}-RF{number}",
        order=order,
        refunds=[],
        source=RefundSource.GOODWILL,
        amount=Decimal(amount),
        now=REQUESTED_AT,
        reason="Sorry for the wait.",
    )
    later = REQUESTED_AT + timedelta(hours=1)
    if status is RefundStatus.ISSUED:
        return apply_refund_event(refund, "issue", now=later, method="card", reference="RE-1")
    if status is RefundStatus.FAILED:
        return apply_refund_event(refund, "fail", now=later, reason="Card expired")
    return refund
