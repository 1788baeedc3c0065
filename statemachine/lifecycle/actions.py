"""The help actions of the seed's "Order Details" page and the reasons one can be unavailable."""

from enum import StrEnum


class HelpAction(StrEnum):
    """One per help link, in the order the page shows them. Each is an event of `OrderLifecycle`."""

    CHANGE_ADDRESS = "change_address"
    PAYMENT_ISSUE = "payment_issue"
    CUSTOMS_DUTIES = "customs_duties"
    RETURN_REQUEST = "return_request"
    ITEM_PROBLEM = "item_problem"
    SHIPPING_DELAY = "shipping_delay"
    DELIVERY_DELAY = "delivery_delay"
    CANCEL_ORDER = "cancel_order"


class Question(StrEnum):
    """What a case can be about besides a help action."""

    GENERAL = "general_question"
    """A question to customer service about the order: what a message on a closed case becomes
    when the order no longer offers the closed case's action (`lifecycle.follow_up`)."""


CaseAction = HelpAction | Question
"""What a case is about: the help action that opened it, or a general question."""


def case_action(value: str) -> CaseAction:
    """The case action a stored value names (`ValueError` if none)."""
    try:
        return HelpAction(value)
    except ValueError:
        return Question(value)


class Reason(StrEnum):
    """Why a help action is not offered right now."""

    NOT_YET_PAID = "not_yet_paid"
    NOT_YET_SHIPPED = "not_yet_shipped"
    ALREADY_SHIPPED = "already_shipped"
    ORDER_DELIVERED = "order_delivered"
    ORDER_CANCELLED = "order_cancelled"
    NOT_LATE_YET = "not_late_yet"
    WINDOW_CLOSED = "window_closed"
