"""The rules' errors carry what the API answers with: the event and state refused, and each broken
field with its location, message and code."""

from decimal import Decimal

from lifecycle.errors import EventNotAllowed, InvalidHelpRequest, InvalidOrder, RefundExceedsPaid


def test_a_refused_event_names_the_event_the_state_and_what_it_was_about() -> None:
    refused = EventNotAllowed("ship", "created")
    assert (refused.event, refused.state, refused.subject) == ("ship", "created", "order")
    assert str(refused) == "event 'ship' is not allowed when the order is 'created'"


def test_an_invalid_order_sums_up_every_error_by_where_it_is() -> None:
    errors = [
        {"loc": ("items", 0, "quantity"), "msg": "too many", "type": "less_than_equal"},
        {"loc": (), "msg": "a paid order needs paid_at", "type": "value_error"},
    ]
    invalid = InvalidOrder(errors)
    assert invalid.errors == errors
    assert str(invalid) == "items.0.quantity: too many; order: a paid order needs paid_at"


def test_an_invalid_help_request_lists_its_messages() -> None:
    errors = [
        {"loc": ("message",), "msg": "too short", "type": "string_too_short"},
        {"loc": ("items", 1, "sku"), "msg": "not on this order", "type": "unknown_sku"},
    ]
    invalid = InvalidHelpRequest(errors)
    assert invalid.errors == errors
    assert str(invalid) == "too short; not on this order"


def test_a_refund_beyond_what_is_left_says_the_amount_its_currency_and_what_is_left() -> None:
    refused = RefundExceedsPaid(Decimal("60.00"), Decimal("42.50"), "EUR")
    assert (refused.asked, refused.left, refused.currency) == (
        Decimal("60.00"),
        Decimal("42.50"),
        "EUR",
    )
    assert str(refused) == "a refund of 60.00 EUR exceeds what is left to refund (42.50)"
