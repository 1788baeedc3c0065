"""The help catalogue: for an order at a moment, which help actions are offered, and why not the
others, with the dates that matter. Availability is read from `OrderLifecycle`'s enabled events;
this module only explains what the machine decided."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from lifecycle.actions import HelpAction, Reason
from lifecycle.attachments import AttachmentIds
from lifecycle.errors import ActionUnavailable, InvalidHelpRequest
from lifecycle.field_errors import field_errors
from lifecycle.i18n import format_date, messages, resolve_locale, translate
from lifecycle.order import Address, Identifier, Order, OrderStatus, Quantity
from lifecycle.order_lifecycle import (
    GUARD_RULES,
    PROGRESSION,
    Fired,
    enabled_events,
    fire_if_enabled,
    guards_of,
    source_states,
)
from lifecycle.returns import Resolution
from lifecycle.text import MULTI_LINE, MessageText

# --- what each action needs from the customer -----------------------------------------------------

CustomerMessage = MessageText
"""Free text from the customer, with the same limit as a reply on a case."""


class ItemProblemKind(StrEnum):
    MISSING = "missing"
    INCORRECT = "incorrect"
    LOST = "lost"
    DAMAGED = "damaged"


class ItemRef(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sku: Identifier
    quantity: Quantity


class HelpRequest(BaseModel):
    """Base of the bodies of the help actions."""

    model_config = ConfigDict(extra="forbid")

    attachment_ids: AttachmentIds | None = None
    """Photos or files for customer service: they go on the case's message, not in the case's
    details nor the order's history."""

    def item_refs(self) -> list[ItemRef]:
        return []


class ChangeAddressRequest(HelpRequest):
    address: Address
    message: CustomerMessage | None = Field(
        default=None,
        description="A question for customer service. Without one, the change is done and its "
        "case is recorded as solved by the system: nobody has to answer it.",
    )


class CancelOrderRequest(HelpRequest):
    reason: (
        Annotated[str, StringConstraints(min_length=1, max_length=500, pattern=r"\S"), MULTI_LINE]
        | None
    ) = None
    message: CustomerMessage | None = Field(
        default=None,
        description="A question for customer service. Without one, the cancellation is done "
        "and its case is recorded as solved by the system: nobody has to answer it.",
    )


class MessageRequest(HelpRequest):
    message: CustomerMessage


class ReturnRequest(HelpRequest):
    items: list[ItemRef] = Field(min_length=1, max_length=200)
    message: CustomerMessage
    resolution: Resolution = Field(
        default=Resolution.REFUND,
        description="The money back, or a replacement (which customer service approves).",
    )

    def item_refs(self) -> list[ItemRef]:
        return self.items


class ItemProblemRequest(HelpRequest):
    problem: ItemProblemKind
    items: list[ItemRef] = Field(min_length=1, max_length=200)
    message: CustomerMessage
    resolution: Resolution = Field(
        default=Resolution.REFUND,
        description="The money back, or a replacement (which customer service approves).",
    )

    def item_refs(self) -> list[ItemRef]:
        return self.items


SELF_SERVICE = frozenset({HelpAction.CHANGE_ADDRESS, HelpAction.CANCEL_ORDER})
"""Actions the customer does themselves: done at once, they need no answer unless the customer
asks something (`message`)."""
MOOT_WHEN_CANCELLED = (
    HelpAction.CHANGE_ADDRESS,
    HelpAction.CUSTOMS_DUTIES,
    HelpAction.SHIPPING_DELAY,
)
"""The requests a cancellation makes moot: an address, duties or a shipment that will not be."""


def needs_an_answer(action: HelpAction, request: "HelpRequest") -> bool:
    """Whether a help request is a question for customer service: every request is, except what
    the customer did themselves without asking anything."""
    return action not in SELF_SERVICE or getattr(request, "message", None) is not None


@dataclass(frozen=True)
class HelpActionSpec:
    action: HelpAction
    request_model: type[HelpRequest]
    changes_order: bool
    opens_case: bool = True
    """Every help link contacts customer service: each use opens (or joins) a case."""


CATALOGUE: Mapping[HelpAction, HelpActionSpec] = {
    spec.action: spec
    for spec in (
        HelpActionSpec(HelpAction.CHANGE_ADDRESS, ChangeAddressRequest, changes_order=True),
        HelpActionSpec(HelpAction.PAYMENT_ISSUE, MessageRequest, changes_order=False),
        HelpActionSpec(HelpAction.CUSTOMS_DUTIES, MessageRequest, changes_order=False),
        HelpActionSpec(HelpAction.RETURN_REQUEST, ReturnRequest, changes_order=False),
        HelpActionSpec(HelpAction.ITEM_PROBLEM, ItemProblemRequest, changes_order=False),
        HelpActionSpec(HelpAction.SHIPPING_DELAY, MessageRequest, changes_order=False),
        HelpActionSpec(HelpAction.DELIVERY_DELAY, MessageRequest, changes_order=False),
        HelpActionSpec(HelpAction.CANCEL_ORDER, CancelOrderRequest, changes_order=True),
    )
}


# --- availability -------------------------------------------------------------------------------


class Availability(BaseModel):
    """One help action as the Order Details page shows it."""

    action: HelpAction
    label: str
    available: bool
    reason: Reason | None = None
    message: str | None = None
    # Derived from the order's times (a window or grace added), so not bounded as inputs are.
    available_from: AwareDatetime | None = Field(
        default=None, description="A known future time when the action will be offered."
    )
    available_until: AwareDatetime | None = Field(
        default=None,
        description="When an offered action's window closes, or when it stopped being offered.",
    )
    changes_order: bool
    opens_case: bool


def explain(
    order: Order, now: datetime, locale: str = "en", enabled: set[str] | None = None
) -> list[Availability]:
    """All eight help actions for `order` at `now`, in the catalogue's order. `enabled`: what
    the order's machine enables at `now`, when the caller's machine already said so."""
    if enabled is None:
        enabled = enabled_events(order, now)
    return [_availability(order, action, now, locale, enabled) for action in HelpAction]


def availability_of(
    order: Order, action: HelpAction, now: datetime, locale: str = "en"
) -> Availability:
    return _availability(order, action, now, locale, enabled_events(order, now))


def _availability(
    order: Order, action: HelpAction, now: datetime, locale: str, enabled: set[str]
) -> Availability:
    spec = CATALOGUE[action]
    common: dict[str, Any] = {
        "action": action,
        "label": translate(locale, "actions", action),
        "changes_order": spec.changes_order,
        "opens_case": spec.opens_case,
    }
    guard_names = guards_of(action, order.status)
    if action in enabled:
        rules = [GUARD_RULES[name] for name in guard_names]
        closing = [rule.closes_at(order) for rule in rules if rule.closes_at]
        until = min((moment for moment in closing if moment is not None), default=None)
        return Availability(available=True, available_until=until, **common)
    failing = [name for name in guard_names if not getattr(order, name)(now)]
    if failing:
        # The state takes the action but a guard refuses it: the first failing one says why.
        rule = GUARD_RULES[failing[0]]
        opens = rule.opens_at(order) if rule.opens_at else None
        closed = rule.closes_at(order) if rule.closes_at else None
        return Availability(
            available=False,
            reason=rule.reason,
            message=_reason_message(locale, rule.reason, action, opens or closed),
            available_from=opens,
            available_until=closed,
            **common,
        )
    reason, ended_by = state_reason(action, order.status)
    ended_at = order.entered_at(ended_by) if ended_by else None
    return Availability(
        available=False,
        reason=reason,
        message=_reason_message(locale, reason, action, ended_at),
        available_until=ended_at,
        **common,
    )


_ENDED_BY = {
    OrderStatus.SHIPPED: Reason.ALREADY_SHIPPED,
    OrderStatus.DELIVERED: Reason.ORDER_DELIVERED,
}
"""The reason an action stopped, by the milestone that ended the states taking it."""


def state_reason(action: HelpAction, status: OrderStatus) -> tuple[Reason, OrderStatus | None]:
    """Why `status` does not take `action`, read off the machine's transitions, and the state whose
    entry ended the action (None when the action has not started yet).

    Only meaningful for a state with no transition for `action`."""
    if status is OrderStatus.CANCELLED:
        return Reason.ORDER_CANCELLED, OrderStatus.CANCELLED
    sources = [state for state in source_states(action) if state in PROGRESSION]
    first, last = PROGRESSION.index(sources[0]), PROGRESSION.index(sources[-1])
    if PROGRESSION.index(status) < first:
        return Reason(f"not_yet_{PROGRESSION[first]}"), None
    ended_by = PROGRESSION[last + 1]
    return _ENDED_BY[ended_by], ended_by


def _reason_message(locale: str, reason: Reason, action: HelpAction, when: datetime | None) -> str:
    texts: dict[str, str] = messages(resolve_locale(locale))["reasons"][reason]
    key = action if action in texts else "default"
    date = format_date(when, locale) if when else ""
    return translate(locale, "reasons", reason, key, date=date)


# --- using an action ----------------------------------------------------------------------------


def parse_help_request(action: HelpAction, body: Any) -> HelpRequest:
    """Validate a help action's body against the model the catalogue declares for it."""
    try:
        return CATALOGUE[action].request_model.model_validate(body)
    except ValidationError as invalid:
        raise InvalidHelpRequest(field_errors(invalid.errors())) from invalid


def check_against_order(request: HelpRequest, order: Order) -> None:
    """Items named in a request must be on the order, in no more than the quantity ordered."""
    errors: list[dict[str, Any]] = []
    seen: set[str] = set()
    for index, ref in enumerate(request.item_refs()):
        line = order.line(ref.sku)
        if ref.sku in seen:
            errors.append(
                {
                    "loc": ("items", index, "sku"),
                    "msg": f"sku '{ref.sku}' is listed twice",
                    "type": "duplicate_sku",
                    "ctx": {"sku": ref.sku},
                }
            )
        elif line is None:
            errors.append(
                {
                    "loc": ("items", index, "sku"),
                    "msg": f"sku '{ref.sku}' is not on this order",
                    "type": "unknown_sku",
                    "ctx": {"sku": ref.sku},
                }
            )
        elif ref.quantity > line.quantity:
            errors.append(
                {
                    "loc": ("items", index, "quantity"),
                    "msg": f"only {line.quantity} of '{ref.sku}' were ordered",
                    "type": "quantity_exceeds_order",
                    "ctx": {"sku": ref.sku, "ordered": line.quantity},
                }
            )
        seen.add(ref.sku)
    if errors:
        raise InvalidHelpRequest(errors)


def decide_help_action(
    order: Order, action: HelpAction, request: HelpRequest, now: datetime, locale: str = "en"
) -> Fired:
    """Fire `action` for the customer: refused with the catalogue's reason when not offered.
    Returns the order it leaves and what its machine enables then (one machine per request)."""

    def offered(enabled: set[str]) -> None:
        current = _availability(order, action, now, locale, enabled)
        if not current.available:
            raise ActionUnavailable(action, order.status, current)
        check_against_order(request, order)

    changes = CATALOGUE[action].changes_order
    return fire_if_enabled(order, action, now=now, changes=changes, check=offered, request=request)


def use_help_action(
    order: Order, action: HelpAction, request: HelpRequest, now: datetime, locale: str = "en"
) -> Order:
    """The order `action` leaves (see `decide_help_action`)."""
    return decide_help_action(order, action, request, now, locale).order
