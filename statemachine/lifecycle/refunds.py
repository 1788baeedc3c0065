"""A refund: the model, `RefundLifecycle`, and the money rule.

A refund is `due` as soon as it is decided — a paid order cancelled (the whole amount paid), a
return received (its items' amount, by the policy), an item problem an agent resolved with a
refund, a goodwill refund — and the shop's payment system works the due ones: `issued` (by what
method, with what reference, when) or `failed` (why), and a failed one is put back `due` to try
again.

The money rule: everything refunded on an order, due, issued or failed (a failed refund is still
owed), never exceeds what the customer paid for it — the items, the shipping and the tax. The
store enforces it in the same conditional transaction as the refund (see the returns service).
"""

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any

from pydantic import Field, StringConstraints
from statemachine.exceptions import TransitionNotAllowed

from lifecycle.base import Record
from lifecycle.errors import EventNotAllowed, InvalidReturn, RefundExceedsPaid
from lifecycle.money import round_to_minor_unit
from lifecycle.order import Identifier, Order
from lifecycle.returns import ReasonText
from lifecycle.text import SINGLE_LINE
from lifecycle.times import UtcDatetime
from statemachine import State, StateMachine


class RefundStatus(StrEnum):
    DUE = "due"
    ISSUED = "issued"
    FAILED = "failed"


class RefundSource(StrEnum):
    CANCELLATION = "cancellation"
    RETURN = "return"
    ITEM_PROBLEM = "item_problem"
    GOODWILL = "goodwill"


class RefundMethod(StrEnum):
    """How the money went back: the customer reads it ("to your card")."""

    CARD = "card"
    PAYPAL = "paypal"
    BANK_TRANSFER = "bank_transfer"
    STORE_CREDIT = "store_credit"


PaymentReference = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=128), SINGLE_LINE
]

REFUND_ID_MARK = "-RF"


def refund_id_for(order_id: str, number: int) -> str:
    """The `number`th refund of the order: `ORD-1003-RF1`."""
    return f"{order_id}{REFUND_ID_MARK}{number}"


def order_of_refund(refund_id: str) -> str | None:
    """The order a refund id belongs to, or None for an id no refund has."""
    order_id, mark, number = refund_id.rpartition(REFUND_ID_MARK)
    if not (mark and order_id and number.isdigit() and not number.startswith("0")):
        return None
    return order_id


class Refund(Record):
    refund_id: Identifier
    order_id: Identifier
    customer_id: Identifier
    source: RefundSource
    amount: Decimal = Field(gt=0, max_digits=14, allow_inf_nan=False)
    currency: str
    status: RefundStatus = RefundStatus.DUE
    version: int = Field(default=0, ge=0)
    due_since: UtcDatetime = Field(description="When it became due (again, after a failure).")
    created_at: UtcDatetime
    case_id: Identifier | None = None
    return_id: Identifier | None = None
    reason: ReasonText | None = Field(default=None, description="Why an agent gave it.")
    method: RefundMethod | None = None
    reference: PaymentReference | None = None
    issued_at: UtcDatetime | None = None
    failed_at: UtcDatetime | None = None
    failure_reason: ReasonText | None = None
    failures: int = Field(default=0, ge=0)

    # --- guards ----------------------------------------------------------------------------------

    def issued_after_due(self, now: datetime, issued_at: datetime | None = None) -> bool:
        """Money cannot go back before it was owed, nor later than now."""
        moment = issued_at or now
        return self.created_at <= moment <= now


class RefundLifecycle(StateMachine):
    due = State("Due", initial=True, value=RefundStatus.DUE)
    issued = State("Issued", final=True, value=RefundStatus.ISSUED)
    failed = State("Failed", value=RefundStatus.FAILED)

    issue = due.to(issued, cond="issued_after_due")
    fail = due.to(failed)
    retry = failed.to(due)

    def __init__(self, refund: Refund) -> None:
        super().__init__(model=refund, state_field="status")

    @property
    def refund(self) -> Refund:
        refund: Refund = self.model
        return refund

    def on_issue(
        self,
        now: datetime,
        method: RefundMethod,
        reference: str,
        issued_at: datetime | None = None,
    ) -> None:
        self.refund.method = RefundMethod(method)
        self.refund.reference = reference
        self.refund.issued_at = issued_at or now

    def on_fail(self, now: datetime, reason: str) -> None:
        self.refund.failed_at = now
        self.refund.failure_reason = reason
        self.refund.failures += 1

    def on_retry(self, now: datetime) -> None:
        self.refund.due_since = now


REFUND_EVENTS = ("issue", "fail", "retry")


def apply_refund_event(refund: Refund, event: str, *, now: datetime, **data: Any) -> Refund:
    """Fire `event` on a copy of the refund; `EventNotAllowed` (subject `refund`) if refused."""
    working = refund.model_copy(deep=True)
    try:
        RefundLifecycle(working).send(event, now=now, **data)
    except TransitionNotAllowed as refused:
        raise EventNotAllowed(event, refund.status, subject="refund") from refused
    return Refund.model_validate(working.model_dump())


# --- the money rule -------------------------------------------------------------------------------


def paid(order: Order) -> Decimal:
    """What the customer paid: the cart total once the order was paid, else nothing."""
    return order.total if order.paid_at is not None else Decimal(0)


def refunded(refunds: Iterable[Refund]) -> Decimal:
    """Everything refunded or owed: due, issued and failed refunds (a failed one is retried)."""
    return sum((refund.amount for refund in refunds), Decimal(0))


def refund_left(order: Order, refunds: Iterable[Refund]) -> Decimal:
    """What can still be refunded on the order."""
    left = paid(order) - refunded(refunds)
    return round_to_minor_unit(max(left, Decimal(0)), order.currency)


def refund_fits(order: Order, refunds: Iterable[Refund], amount: Decimal) -> bool:
    """The guard of a new refund: it does not take the refunds past what was paid."""
    return Decimal(0) < amount <= refund_left(order, refunds)


def check_amount(order: Order, amount: Decimal, field: str = "amount") -> None:
    """An amount is positive and in the order currency's minor unit (no fractions of a cent)."""
    if amount <= 0:
        raise InvalidReturn(
            [
                {
                    "loc": (field,),
                    "msg": "the amount must be more than 0",
                    "type": "greater_than",
                    "ctx": {"gt": 0},
                }
            ]
        )
    if round_to_minor_unit(amount, order.currency) != amount:
        raise InvalidReturn(
            [
                {
                    "loc": (field,),
                    "msg": f"an amount in {order.currency} has no fractions of its minor unit",
                    "type": "amount_minor_unit",
                    "ctx": {"currency": order.currency},
                }
            ]
        )


def new_refund(
    *,
    refund_id: str,
    order: Order,
    refunds: Iterable[Refund],
    source: RefundSource,
    amount: Decimal,
    now: datetime,
    case_id: str | None = None,
    return_id: str | None = None,
    reason: str | None = None,
) -> Refund:
    """A refund just decided, due at once. `RefundExceedsPaid` (naming what is left) when it
    would take the order's refunds past what was paid."""
    check_amount(order, amount)
    existing = list(refunds)
    if not refund_fits(order, existing, amount):
        raise RefundExceedsPaid(amount, refund_left(order, existing), order.currency)
    return Refund(
        refund_id=refund_id,
        order_id=order.order_id,
        customer_id=order.customer_id,
        source=source,
        amount=amount,
        currency=order.currency,
        due_since=now,
        created_at=now,
        case_id=case_id,
        return_id=return_id,
        reason=reason,
    )


def with_refund(refunds: Iterable[Refund], changed: Refund) -> list[Refund]:
    """The order's refunds with `changed` in place of its earlier version (or added)."""
    return [*(r for r in refunds if r.refund_id != changed.refund_id), changed]
