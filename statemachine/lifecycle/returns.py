"""A return: the model and `ReturnLifecycle`, from the customer's request to the money back (or
a replacement).

A return is `requested` by the customer (through the order's `return_request` help action),
`approved` by customer service (an RMA number, a label, a drop-off deadline from the policy the
order was paid under) or `rejected` (a reason in words); the shop records it `received` (per
item: how many and in what condition), and it ends `refunded` once its refund is issued, or
`replaced` when the customer asked for a replacement. An approved return whose drop-off deadline
passes unused is `expired`.

The quantity rule is the guards': an order's item is never returned more often than it was
delivered. A return holds the items it asks for until it is rejected or expires; once received it
holds what arrived. A new return may ask only for what no other return holds.
"""

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from statemachine.exceptions import TransitionNotAllowed

from lifecycle.base import Record
from lifecycle.errors import EventNotAllowed, InvalidReturn
from lifecycle.money import round_to_minor_unit
from lifecycle.order import Identifier, Order, Quantity
from lifecycle.policy import Policy, ReturnShippingPayer
from lifecycle.text import MULTI_LINE
from lifecycle.times import UtcDatetime
from statemachine import State, StateMachine


class ReturnStatus(StrEnum):
    REQUESTED = "requested"
    APPROVED = "approved"
    REJECTED = "rejected"
    RECEIVED = "received"
    REFUNDED = "refunded"
    REPLACED = "replaced"
    EXPIRED = "expired"


RELEASED = frozenset({ReturnStatus.REJECTED, ReturnStatus.EXPIRED})
"""A return in these states holds no items: they can be asked for again."""
CAME_BACK = frozenset({ReturnStatus.RECEIVED, ReturnStatus.REFUNDED, ReturnStatus.REPLACED})
"""A return in these states holds what arrived, not what was asked for."""


class Resolution(StrEnum):
    """What the customer wants for what they send back (a replacement is the agent's to
    approve, like every return)."""

    REFUND = "refund"
    REPLACEMENT = "replacement"


class ItemCondition(StrEnum):
    OK = "ok"
    DAMAGED = "damaged"


class ReturnItem(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sku: Identifier
    quantity: Quantity


class ReceivedItem(ReturnItem):
    condition: ItemCondition


ReasonText = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500), MULTI_LINE
]
"""Why customer service refused a return, or a refund was given or failed: words a customer
reads."""

RETURN_ID_MARK = "-R"
RMA_PREFIX = "RMA-"


def return_id_for(order_id: str, number: int) -> str:
    """The `number`th return of the order: `ORD-1003-R1`. The order is in the id, so the shop's
    `received` finds the order's items with one read."""
    return f"{order_id}{RETURN_ID_MARK}{number}"


def order_of_return(return_id: str) -> str | None:
    """The order a return id belongs to, or None for an id no return has."""
    order_id, mark, number = return_id.rpartition(RETURN_ID_MARK)
    if not (mark and order_id and number.isdigit() and not number.startswith("0")):
        return None
    return order_id


class Return(Record):
    return_id: Identifier
    order_id: Identifier
    customer_id: Identifier
    case_id: Identifier | None = Field(
        default=None, description="The customer-service case the return was requested on."
    )
    status: ReturnStatus = ReturnStatus.REQUESTED
    version: int = Field(default=0, ge=0)
    resolution: Resolution = Resolution.REFUND
    items: list[ReturnItem] = Field(min_length=1, max_length=200)
    requested_at: UtcDatetime

    approved_at: UtcDatetime | None = None
    rma: str | None = Field(default=None, description="The return's RMA number, on its label.")
    drop_off_by: UtcDatetime | None = Field(
        default=None, description="Hand the parcel to the carrier by then, or the return expires."
    )
    return_shipping_paid_by: ReturnShippingPayer | None = None
    rejected_at: UtcDatetime | None = None
    reason: ReasonText | None = Field(default=None, description="Why it was rejected.")
    received_at: UtcDatetime | None = None
    received_items: list[ReceivedItem] = Field(default_factory=list)
    refund_id: str | None = Field(default=None, description="The refund the return gave.")
    refunded_at: UtcDatetime | None = None
    replaced_at: UtcDatetime | None = None
    expired_at: UtcDatetime | None = None

    def held(self) -> dict[str, int]:
        """The order's items this return stands for, by SKU."""
        if self.status in RELEASED:
            return {}
        lines = self.received_items if self.status in CAME_BACK else self.items
        return {line.sku: line.quantity for line in lines}

    # --- guards ----------------------------------------------------------------------------------

    def receipt_fits(self, items: list[ReceivedItem]) -> bool:
        """What arrived is what was asked for, or part of it: no other item, no more of one."""
        asked = {line.sku: line.quantity for line in self.items}
        skus = [line.sku for line in items]
        return (
            bool(items)
            and len(skus) == len(set(skus))
            and all(line.quantity <= asked.get(line.sku, 0) for line in items)
        )

    def drop_off_deadline_passed(self, now: datetime) -> bool:
        return self.drop_off_by is not None and now > self.drop_off_by

    def wants_refund(self) -> bool:
        return self.resolution is Resolution.REFUND

    def wants_replacement(self) -> bool:
        return self.resolution is Resolution.REPLACEMENT


class ReturnLifecycle(StateMachine):
    requested = State("Requested", initial=True, value=ReturnStatus.REQUESTED)
    approved = State("Approved", value=ReturnStatus.APPROVED)
    rejected = State("Rejected", final=True, value=ReturnStatus.REJECTED)
    received = State("Received", value=ReturnStatus.RECEIVED)
    refunded = State("Refunded", final=True, value=ReturnStatus.REFUNDED)
    replaced = State("Replaced", final=True, value=ReturnStatus.REPLACED)
    expired = State("Expired", final=True, value=ReturnStatus.EXPIRED)

    # Customer service decides on the request.
    approve = requested.to(approved)
    reject = requested.to(rejected)
    # The shop's warehouse: the parcel arrived, or never did.
    receive = approved.to(received, cond="receipt_fits")
    expire = approved.to(expired, cond="drop_off_deadline_passed")
    # How it ends: the refund issued, or the replacement sent.
    refund = received.to(refunded, cond="wants_refund")
    replace = received.to(replaced, cond="wants_replacement")

    def __init__(self, record: Return) -> None:
        super().__init__(model=record, state_field="status")

    @property
    def record(self) -> Return:
        record: Return = self.model
        return record

    def on_approve(self, now: datetime, policy: Policy) -> None:
        self.record.approved_at = now
        self.record.rma = f"{RMA_PREFIX}{self.record.return_id}"
        self.record.drop_off_by = now + policy.return_drop_off
        self.record.return_shipping_paid_by = policy.return_shipping_paid_by

    def on_reject(self, now: datetime, reason: str) -> None:
        self.record.rejected_at = now
        self.record.reason = reason

    def on_receive(
        self, now: datetime, items: list[ReceivedItem], refund_id: str | None = None
    ) -> None:
        self.record.received_at = now
        self.record.received_items = list(items)
        self.record.refund_id = refund_id

    def on_expire(self, now: datetime) -> None:
        self.record.expired_at = now

    def on_refund(self, now: datetime) -> None:
        self.record.refunded_at = now

    def on_replace(self, now: datetime) -> None:
        self.record.replaced_at = now


RETURN_EVENTS = ("approve", "reject", "receive", "expire", "refund", "replace")


def apply_return_event(record: Return, event: str, *, now: datetime, **data: Any) -> Return:
    """Fire `event` on a copy of the return; `EventNotAllowed` (subject `return`) if refused."""
    working = record.model_copy(deep=True)
    try:
        ReturnLifecycle(working).send(event, now=now, **data)
    except TransitionNotAllowed as refused:
        raise EventNotAllowed(event, record.status, subject="return") from refused
    return Return.model_validate(working.model_dump())


def enabled_return_events(record: Return, now: datetime, **data: Any) -> set[str]:
    machine = ReturnLifecycle(record.model_copy(deep=True))
    return {event.id for event in machine.enabled_events(now=now, **data)}


# --- how many of each item can still be returned -------------------------------------------------


def held_by(returns: Iterable[Return], *, besides: str | None = None) -> dict[str, int]:
    """What the returns hold together, by SKU (leaving out the return `besides`)."""
    held: dict[str, int] = {}
    for record in returns:
        if record.return_id == besides:
            continue
        for sku, quantity in record.held().items():
            held[sku] = held.get(sku, 0) + quantity
    return held


def returnable(
    order: Order, returns: Iterable[Return], *, besides: str | None = None
) -> dict[str, int]:
    """How many of each of the order's items can still be returned: delivered, less what the
    other returns hold."""
    held = held_by(returns, besides=besides)
    return {line.sku: line.quantity - held.get(line.sku, 0) for line in order.items}


def items_returnable(order: Order, returns: Iterable[Return], items: Iterable[ReturnItem]) -> bool:
    """The guard of a new return: every item is the order's, and no more than is returnable."""
    left = returnable(order, returns)
    return all(0 < line.quantity <= left.get(line.sku, 0) for line in items)


def check_returnable(
    order: Order, returns: Iterable[Return], items: list[ReturnItem], *, besides: str | None = None
) -> None:
    """`InvalidReturn` naming each item that cannot be returned (an item not on the order, one
    listed twice, more than is left to return)."""
    left = returnable(order, returns, besides=besides)
    _check_lines(
        items,
        left,
        unknown=("unknown_sku", "sku '{sku}' is not on this order"),
        too_many=("quantity_exceeds_returnable", "only {limit} of '{sku}' can still be returned"),
        limit_name="returnable",
    )


def check_receipt(record: Return, items: list[ReceivedItem]) -> None:
    """`InvalidReturn` naming each received item the return did not ask for (or more of it)."""
    _check_lines(
        items,
        {line.sku: line.quantity for line in record.items},
        unknown=("sku_not_in_return", "sku '{sku}' is not in this return"),
        too_many=("quantity_exceeds_return", "the return asked for {limit} of '{sku}'"),
        limit_name="asked",
    )


def _check_lines(
    items: Sequence[ReturnItem | ReceivedItem],
    limits: Mapping[str, int],
    *,
    unknown: tuple[str, str],
    too_many: tuple[str, str],
    limit_name: str,
) -> None:
    """`InvalidReturn` naming each line listed twice, not in `limits` (`unknown`: its code and
    message) or over its limit (`too_many`; the limit in the error's context as `limit_name`)."""
    errors: list[dict[str, Any]] = []
    seen: set[str] = set()
    for index, line in enumerate(items):
        sku = line.sku
        if sku in seen:
            errors.append(
                _item_error(index, "sku", "duplicate_sku", f"sku '{sku}' is listed twice", sku=sku)
            )
        elif sku not in limits:
            code, message = unknown
            errors.append(_item_error(index, "sku", code, message.format(sku=sku), sku=sku))
        elif line.quantity > limits[sku]:
            code, message = too_many
            limit = limits[sku]
            text = message.format(sku=sku, limit=limit)
            errors.append(
                _item_error(index, "quantity", code, text, sku=sku, **{limit_name: limit})
            )
        seen.add(sku)
    if errors:
        raise InvalidReturn(errors)


def _item_error(index: int, field: str, kind: str, message: str, **ctx: Any) -> dict[str, Any]:
    return {"loc": ("items", index, field), "msg": message, "type": kind, "ctx": ctx}


def new_return(
    *,
    return_id: str,
    order: Order,
    returns: Iterable[Return],
    items: list[ReturnItem],
    resolution: Resolution,
    now: datetime,
    case_id: str | None = None,
) -> Return:
    """A return just requested: refused (`InvalidReturn`) for items it cannot have."""
    others = list(returns)
    check_returnable(order, others, items)
    return Return(
        return_id=return_id,
        order_id=order.order_id,
        customer_id=order.customer_id,
        case_id=case_id,
        resolution=resolution,
        items=items,
        requested_at=now,
    )


# --- money ----------------------------------------------------------------------------------------


def items_amount(order: Order, items: Iterable[ReturnItem]) -> Decimal:
    prices = {line.sku: line.unit_price for line in order.items}
    return sum((prices[line.sku] * line.quantity for line in items), Decimal(0))


def everything_came_back_for_refund(order: Order, returns: Iterable[Return]) -> bool:
    """Every item of the order is in a return received for a refund."""
    back: dict[str, int] = {}
    for record in returns:
        if record.status in CAME_BACK and record.wants_refund():
            for line in record.received_items:
                back[line.sku] = back.get(line.sku, 0) + line.quantity
    return all(back.get(line.sku, 0) >= line.quantity for line in order.items)


def return_refund_amount(order: Order, received: Return, returns: Iterable[Return]) -> Decimal:
    """What a received return gives back, by the order's policy: the items' price and their share
    of the tax, and the order's shipping too when this return makes the whole order returned and
    the policy says so. (The refunds' own rule then caps it at what is left to refund.)"""
    price = items_amount(order, received.received_items)
    tax = order.tax * price / order.subtotal if order.subtotal else Decimal(0)
    amount = price + tax
    others = [r for r in returns if r.return_id != received.return_id]
    policy = order.policy or Policy()
    if policy.refund_shipping_on_full_return and everything_came_back_for_refund(
        order, [*others, received]
    ):
        amount += order.shipping
    return round_to_minor_unit(amount, order.currency)


def with_return(returns: Iterable[Return], changed: Return) -> list[Return]:
    """The order's returns with `changed` in place of its earlier version (or added)."""
    others = [r for r in returns if r.return_id != changed.return_id]
    return [*others, changed]


def by_id(returns: Iterable[Return]) -> Mapping[str, Return]:
    return {record.return_id: record for record in returns}
