"""Saved replies: which placeholders exist, and how a reply is filled for one case."""

import pytest

from lifecycle.actions import HelpAction, Question
from lifecycle.replies import (
    MAX_ACTIONS,
    PLACEHOLDERS,
    TITLE_MAX_LENGTH,
    Filled,
    fill,
    placeholders_in,
    unknown_placeholders,
)


def test_the_placeholders_a_saved_reply_may_hold() -> None:
    assert PLACEHOLDERS == (
        "customer_name",
        "order_id",
        "case_number",
        "case_reference",
        "agent_name",
        "order_total",
        "carrier",
        "tracking_number",
        "tracking_url",
        "estimated_ship_by",
        "estimated_delivery_by",
        "drop_off_by",
    )


def test_a_reply_suits_each_case_action_at_most_once_and_has_a_short_title() -> None:
    assert MAX_ACTIONS == len(HelpAction) + len(Question) == 9
    assert TITLE_MAX_LENGTH == 120


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("", []),
        ("Hola, sin nada que rellenar.", []),
        ("Hola {customer_name}, tu pedido {order_id}.", ["customer_name", "order_id"]),
        # each once, in the order they first appear
        ("{order_id} {customer_name} {order_id}", ["order_id", "customer_name"]),
        # any name in braces is a placeholder, even one that does not exist, or an empty one
        ("{Nombre_1} {}", ["Nombre_1", ""]),
        # not a name: spaces, accents or punctuation inside the braces
        ("{customer name} {nombré} {order-id} {{", []),
    ],
)
def test_the_placeholders_of_a_text(text: str, found: list[str]) -> None:
    assert placeholders_in(text) == found


def test_only_the_names_that_exist_are_known() -> None:
    text = "Hola {customer_name}: {tracking_numbr} {drop_off_by} {Customer_Name}"
    assert unknown_placeholders(text) == ["tracking_numbr", "Customer_Name"]
    assert unknown_placeholders("{order_id} {agent_name}") == []


def test_a_reply_is_filled_with_the_values_the_case_has() -> None:
    filled = fill(
        "Hola {customer_name}, soy {agent_name}. Pedido {order_id}, {customer_name}.",
        {"customer_name": "Lucía", "agent_name": "Marta", "order_id": "ORD-1007"},
    )
    assert filled == Filled("Hola Lucía, soy Marta. Pedido ORD-1007, Lucía.", [])


def test_what_the_case_has_no_value_for_stays_as_written_and_is_named_once() -> None:
    filled = fill(
        "Tu envío {tracking_number} ({carrier}) {tracking_number}, {customer_name}",
        {"customer_name": "Lucía", "tracking_number": None, "carrier": ""},
    )
    assert filled.text == "Tu envío {tracking_number} ({carrier}) {tracking_number}, Lucía"
    assert filled.missing == ["tracking_number", "carrier"]


def test_a_name_that_is_not_a_placeholder_is_never_filled() -> None:
    filled = fill("{nope} {order_id}", {"nope": "x", "order_id": "ORD-1"})
    assert filled == Filled("{nope} ORD-1", ["nope"])
