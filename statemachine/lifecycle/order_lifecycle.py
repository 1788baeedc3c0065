"""`OrderLifecycle`: the order's states, lifecycle events, and help actions as guarded events.

Help actions are transitions of the machine, so "what is offered now" is the machine's enabled
events; there is no second table. Guards are the order's named predicates (see `order.py`), given
`now` by whoever asks.

`delivered` and `cancelled` are terminal: no lifecycle event leaves them. python-statemachine
forbids every transition out of a state declared `final`, even a help action's self-transition
(a delivered order still takes returns), so they are not declared `final` and `TERMINAL_STATES`
says it instead; the tests hold the machine to it.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from pydantic import ValidationError
from statemachine.exceptions import TransitionNotAllowed

from lifecycle.actions import Reason
from lifecycle.errors import EventNotAllowed, InvalidOrder
from lifecycle.field_errors import field_errors
from lifecycle.order import (
    CancellationDetails,
    DeliveryDetails,
    EstimateRevision,
    Order,
    OrderStatus,
    PaymentDetails,
    ShipmentDetails,
)
from lifecycle.policy import Policy
from statemachine import State, StateMachine

LIFECYCLE_EVENTS = ("pay", "ship", "deliver", "cancel")
SHOP_EVENTS = (*LIFECYCLE_EVENTS, "revise_estimate")
"""What the shop's systems send: the lifecycle, and new estimates."""
DELAY_EVENTS = ("record_shipping_delay", "record_delivery_delay")
"""What the scheduled delay check sends when an order missed a deadline."""
TERMINAL_STATES = frozenset({OrderStatus.DELIVERED, OrderStatus.CANCELLED})
PROGRESSION = (OrderStatus.CREATED, OrderStatus.PAID, OrderStatus.SHIPPED, OrderStatus.DELIVERED)
"""The order in which a healthy order moves; `cancelled` stands beside it."""


class OrderLifecycle(StateMachine):
    created = State("Created", initial=True, value=OrderStatus.CREATED)
    paid = State("Paid", value=OrderStatus.PAID)
    shipped = State("Shipped", value=OrderStatus.SHIPPED)
    delivered = State("Delivered", value=OrderStatus.DELIVERED)
    cancelled = State("Cancelled", value=OrderStatus.CANCELLED)

    # Lifecycle events, sent by the shop's payment and warehouse systems.
    pay = created.to(paid)
    ship = paid.to(shipped)
    deliver = shipped.to(delivered)
    cancel = created.to(cancelled) | paid.to(cancelled)
    revise_estimate = paid.to.itself(internal=True) | shipped.to.itself(internal=True)

    # The delay check records a missed deadline once; the guards are the help actions' own.
    record_shipping_delay = paid.to.itself(
        internal=True, cond=["ship_by_has_passed", "shipping_delay_unrecorded"]
    )
    record_delivery_delay = shipped.to.itself(
        internal=True, cond=["delivery_estimate_has_passed", "delivery_delay_unrecorded"]
    )

    # Help actions, used by the customer. Self-transitions are internal: the state does not change.
    change_address = created.to.itself(internal=True) | paid.to.itself(internal=True)
    payment_issue = (
        created.to.itself(internal=True)
        | paid.to.itself(internal=True)
        | shipped.to.itself(internal=True)
        | delivered.to.itself(internal=True)
        | cancelled.to.itself(internal=True)
    )
    customs_duties = paid.to.itself(internal=True)
    return_request = shipped.to.itself(internal=True) | delivered.to.itself(
        internal=True, cond="return_window_is_open"
    )
    item_problem = shipped.to.itself(internal=True) | delivered.to.itself(
        internal=True, cond="claim_window_is_open"
    )
    shipping_delay = paid.to.itself(internal=True, cond="ship_by_has_passed")
    delivery_delay = shipped.to.itself(internal=True, cond="delivery_estimate_has_passed")
    cancel_order = created.to(cancelled) | paid.to(cancelled)

    def __init__(self, order: Order) -> None:
        super().__init__(model=order, state_field="status")

    @property
    def order(self) -> Order:
        order: Order = self.model
        return order

    # --- what each event records on the order ---------------------------------------------------

    def on_pay(self, now: datetime, details: PaymentDetails, policy: Policy) -> None:
        self.order.paid_at = details.paid_at or now
        self.order.payment_ref = details.payment_ref
        self.order.estimated_ship_by = details.estimated_ship_by
        self.order.policy = policy

    def on_ship(self, now: datetime, details: ShipmentDetails) -> None:
        self.order.shipped_at = details.shipped_at or now
        self.order.carrier = details.carrier
        self.order.tracking_number = details.tracking_number
        self.order.estimated_delivery_by = details.estimated_delivery_by

    def on_deliver(self, now: datetime, details: DeliveryDetails) -> None:
        self.order.delivered_at = details.delivered_at or now

    def on_cancel(self, now: datetime, details: CancellationDetails) -> None:
        self._record_cancellation(now, details.reason)

    def on_revise_estimate(self, details: EstimateRevision) -> None:
        if self.order.status is OrderStatus.PAID and details.estimated_ship_by:
            self.order.estimated_ship_by = details.estimated_ship_by
            self.order.shipping_delayed_since = None
        elif self.order.status is OrderStatus.SHIPPED and details.estimated_delivery_by:
            self.order.estimated_delivery_by = details.estimated_delivery_by
            self.order.delivery_delayed_since = None
        else:
            field = (
                "estimated_ship_by"
                if self.order.status is OrderStatus.PAID
                else "estimated_delivery_by"
            )
            raise InvalidOrder(
                [
                    {
                        "loc": (field,),
                        "msg": f"a {self.order.status} order can only revise {field}",
                        "type": "estimate_not_revisable",
                        "ctx": {"field": field},
                    }
                ]
            )

    def on_record_shipping_delay(self) -> None:
        self.order.shipping_delayed_since = self.order.shipping_late_after()

    def on_record_delivery_delay(self) -> None:
        self.order.delivery_delayed_since = self.order.delivery_late_after()

    def on_cancel_order(self, now: datetime, request: Any) -> None:
        self._record_cancellation(now, request.reason)

    def on_change_address(self, request: Any) -> None:
        self.order.shipping_address = request.address

    def _record_cancellation(self, now: datetime, reason: str | None) -> None:
        self.order.cancelled_at = now
        self.order.cancel_reason = reason
        self.order.refund_due = self.order.paid_at is not None


@dataclass(frozen=True)
class GuardRule:
    """What a guard of `OrderLifecycle` means to a customer when it does not hold."""

    reason: Reason
    reads: tuple[str, ...]
    """The order's fields the guard compares `now` with (besides the status, which fixes the
    policy snapshot: it is taken when the order is paid and never changes afterwards)."""
    opens_at: Callable[[Order], datetime | None] | None = None
    """The guard holds once `now` is past this time (a deadline)."""
    closes_at: Callable[[Order], datetime | None] | None = None
    """The guard holds until this time, inclusive (a window)."""


GUARD_RULES: dict[str, GuardRule] = {
    "ship_by_has_passed": GuardRule(
        Reason.NOT_LATE_YET, ("estimated_ship_by",), opens_at=Order.shipping_late_after
    ),
    "delivery_estimate_has_passed": GuardRule(
        Reason.NOT_LATE_YET, ("estimated_delivery_by",), opens_at=Order.delivery_late_after
    ),
    "return_window_is_open": GuardRule(
        Reason.WINDOW_CLOSED, ("delivered_at",), closes_at=Order.return_window_closes_at
    ),
    "claim_window_is_open": GuardRule(
        Reason.WINDOW_CLOSED, ("delivered_at",), closes_at=Order.claim_window_closes_at
    ),
}


# What the machine declares is fixed for the class: read once, not on every request.


@cache
def transitions_of(event: str, status: OrderStatus) -> tuple[Any, ...]:
    """The transitions `event` declares from `status` (empty when the state does not take it)."""
    state = OrderLifecycle.states_map[status]
    return tuple(t for t in state.transitions if t.match(event))


@cache
def source_states(event: str) -> tuple[OrderStatus, ...]:
    """Every state `event` has a transition from, in the order of `OrderStatus`."""
    return tuple(status for status in OrderStatus if transitions_of(event, status))


@cache
def guards_of(event: str, status: OrderStatus) -> tuple[str, ...]:
    """The names of the guards on `event`'s transition from `status`."""
    return tuple(spec.func for t in transitions_of(event, status) for spec in t.cond)


def fields_read_by(event: str, status: OrderStatus) -> tuple[str, ...]:
    """What deciding `event` in `status` read of the order: the status and the fields its guards
    compare. An event that changes nothing on the order is recorded only if these are still as
    read, so it never needs the order's version (and never contends with the shop's changes)."""
    fields = ["status"]
    for guard in guards_of(event, status):
        fields += [name for name in GUARD_RULES[guard].reads if name not in fields]
    return tuple(fields)


def enabled_events(order: Order, now: datetime) -> set[str]:
    """The events the machine would accept for this order at `now`, guards evaluated (the
    machine only reads the order: nothing is fired)."""
    return _enabled(OrderLifecycle(order), now)


def _enabled(machine: OrderLifecycle, now: datetime) -> set[str]:
    return {event.id for event in machine.enabled_events(now=now)}


@dataclass(frozen=True)
class Fired:
    """An event fired for a request: the order it left, and what the machine enables after it
    (what the order's page offers next), from the one machine the request built."""

    order: Order
    enabled: set[str]


def fire_if_enabled(
    order: Order,
    event: str,
    *,
    now: datetime,
    changes: bool,
    check: Callable[[set[str]], None],
    **data: Any,
) -> Fired:
    """One machine for a request: `check(enabled)` decides on what the machine enables now
    (raising to refuse); then the event is fired on a copy — unless it `changes` nothing on the
    order (an internal self-transition without effects), when the order and what it enables are
    as they were, and nothing is copied or validated again."""
    working = order.model_copy(deep=True) if changes else order
    machine = OrderLifecycle(working)
    enabled = _enabled(machine, now)
    check(enabled)
    if not changes:
        return Fired(order, enabled)
    try:
        machine.send(event, now=now, **data)
    except TransitionNotAllowed as refused:
        raise EventNotAllowed(event, order.status) from refused
    return Fired(revalidate(working), _enabled(machine, now))


def apply_event(order: Order, event: str, *, now: datetime, **data: Any) -> Order:
    """Fire `event` on a copy of `order` and return the new order, validated as a whole.

    Raises `EventNotAllowed` when the state (or a guard at `now`) refuses the event, and
    `InvalidOrder` when the event's data would break an invariant (e.g. shipped before paid).
    """
    working = order.model_copy(deep=True)
    machine = OrderLifecycle(working)
    try:
        machine.send(event, now=now, **data)
    except TransitionNotAllowed as refused:
        raise EventNotAllowed(event, order.status) from refused
    return revalidate(working)


def revalidate(order: Order) -> Order:
    """Validate an order that was changed field by field, as a whole."""
    return validate_order(order.model_dump())


def validate_order(values: Mapping[str, Any]) -> Order:
    """An order from its fields; `InvalidOrder` naming every field or invariant it breaks."""
    try:
        return Order.model_validate(values)
    except ValidationError as invalid:
        raise InvalidOrder(field_errors(invalid.errors())) from invalid
