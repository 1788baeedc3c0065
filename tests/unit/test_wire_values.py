"""The values the API sends and the tables store. Orders and cases written today are read back
for years and clients match on these words: renaming one is a migration, never a refactor."""

from enum import StrEnum

import pytest

from lifecycle.actions import HelpAction, Reason
from lifecycle.case import Author, CaseStatus, OpenedBy, Turn
from lifecycle.help import ItemProblemKind
from lifecycle.order import OrderStatus

WIRE_VALUES: list[tuple[type[StrEnum], list[str]]] = [
    (OrderStatus, ["created", "paid", "shipped", "delivered", "cancelled"]),
    (
        HelpAction,
        [
            "change_address",
            "payment_issue",
            "customs_duties",
            "return_request",
            "item_problem",
            "shipping_delay",
            "delivery_delay",
            "cancel_order",
        ],
    ),
    (
        Reason,
        [
            "not_yet_paid",
            "not_yet_shipped",
            "already_shipped",
            "order_delivered",
            "order_cancelled",
            "not_late_yet",
            "window_closed",
        ],
    ),
    (ItemProblemKind, ["missing", "incorrect", "lost", "damaged"]),
    (CaseStatus, ["open", "pending", "solved", "closed"]),
    (Turn, ["customer_service", "customer"]),
    (Author, ["customer", "agent", "system"]),
    (OpenedBy, ["customer", "system"]),
]


@pytest.mark.parametrize(("kind", "values"), WIRE_VALUES, ids=lambda v: getattr(v, "__name__", ""))
def test_the_words_on_the_wire_never_change(kind: type[StrEnum], values: list[str]) -> None:
    assert [member.value for member in kind] == values
