"""Orders in any state with one call, built by firing the real lifecycle events."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from lifecycle.order import (
    Address,
    CancellationDetails,
    DeliveryDetails,
    LineItem,
    Order,
    OrderStatus,
    PaymentDetails,
    ShipmentDetails,
)
from lifecycle.order_lifecycle import apply_event
from lifecycle.policy import Policy

T0 = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
"""When the orders of the tests are placed."""

PAID_AFTER = timedelta(hours=1)
SHIP_BY_AFTER_PAYMENT = timedelta(days=2)
SHIPPED_AFTER = timedelta(days=1)
DELIVERY_ESTIMATE_AFTER_SHIPMENT = timedelta(days=4)
DELIVERED_AFTER_SHIPMENT = timedelta(days=3)
CANCELLED_AFTER = timedelta(hours=3)


def an_address(**changes: Any) -> Address:
    fields = {
        "name": "Lucía Fernández",
        "line1": "Calle de Alcalá 42, 3º B",
        "city": "Madrid",
        "region": "Madrid",
        "postal_code": "28014",
        "country": "ES",
        "phone": "+34 600 123 456",
    }
    return Address.model_validate(fields | changes)


def a_new_order(
    order_id: str = "ORD-1001", customer_id: str = "cust-lucia", **changes: Any
) -> Order:
    fields: dict[str, Any] = {
        "order_id": order_id,
        "customer_id": customer_id,
        "currency": "EUR",
        "items": [
            LineItem(
                sku="LAMP-01", name="Lámpara de mesa", quantity=1, unit_price=Decimal("39.90")
            ),
            LineItem(
                sku="BULB-E27", name="Bombilla LED E27", quantity=4, unit_price=Decimal("3.25")
            ),
        ],
        "shipping": Decimal("4.95"),
        "tax": Decimal("10.01"),
        "shipping_address": an_address(),
        "placed_at": T0,
    }
    return Order.model_validate(fields | changes)


def order_in(
    status: OrderStatus | str,
    *,
    policy: Policy | None = None,
    cancelled_after_payment: bool = True,
    **changes: Any,
) -> Order:
    """An order that reached `status` through the machine's own events, on the tests' timeline."""
    status = OrderStatus(status)
    policy = policy or Policy()
    order = a_new_order(**changes)
    if status is OrderStatus.CREATED:
        return order
    if status is OrderStatus.CANCELLED and not cancelled_after_payment:
        return cancel(order)
    paid_at = order.placed_at + PAID_AFTER
    order = apply_event(
        order,
        "pay",
        now=paid_at,
        details=PaymentDetails(
            payment_ref="PAY-77", estimated_ship_by=paid_at + SHIP_BY_AFTER_PAYMENT
        ),
        policy=policy,
    )
    if status is OrderStatus.PAID:
        return order
    if status is OrderStatus.CANCELLED:
        return cancel(order)
    shipped_at = order.placed_at + SHIPPED_AFTER
    order = apply_event(
        order,
        "ship",
        now=shipped_at,
        details=ShipmentDetails(
            carrier="Correos Express",
            tracking_number="CX123456789ES",
            estimated_delivery_by=shipped_at + DELIVERY_ESTIMATE_AFTER_SHIPMENT,
        ),
    )
    if status is OrderStatus.SHIPPED:
        return order
    return apply_event(
        order,
        "deliver",
        now=shipped_at + DELIVERED_AFTER_SHIPMENT,
        details=DeliveryDetails(),
    )


def cancel(order: Order) -> Order:
    return apply_event(
        order,
        "cancel",
        now=order.placed_at + CANCELLED_AFTER,
        details=CancellationDetails(reason="Customer called the shop"),
    )
