"""The order model: money, times and invariants, with precise messages for invalid orders."""

import json
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from pydantic import ValidationError

from lifecycle.order import Order, OrderStatus
from lifecycle.policy import Policy
from tests.builders import T0, a_new_order, order_in


def errors_of(**changes: object) -> str:
    with pytest.raises(ValidationError) as invalid:
        a_new_order(**changes)
    return str(invalid.value)


def test_totals_are_computed_from_the_lines() -> None:
    order = a_new_order()
    # 39.90 + 4 × 3.25 = 52.90; + 4.95 shipping + 10.01 tax
    assert order.subtotal == Decimal("52.90")
    assert order.total == Decimal("67.86")
    assert order.item_count == 5


def test_amounts_travel_as_decimal_strings() -> None:
    dumped = json.loads(a_new_order().model_dump_json())
    assert dumped["total"] == "67.86"
    assert dumped["items"][0]["unit_price"] == "39.90"
    assert dumped["shipping"] == "4.95"


@pytest.mark.parametrize(
    ("currency", "price", "expected"),
    [
        ("EUR", "10.005", "10.01"),
        ("JPY", "1500.5", "1501"),
        ("KWD", "2.0005", "2.001"),
        ("eur", "1", "1.00"),
    ],
)
def test_money_is_rounded_to_the_currency_minor_unit(
    currency: str, price: str, expected: str
) -> None:
    order = a_new_order(
        currency=currency,
        items=[{"sku": "X", "name": "Thing", "quantity": 1, "unit_price": price}],
        shipping="0",
        tax="0",
    )
    assert order.items[0].unit_price == Decimal(expected)
    assert str(order.total) == expected
    assert order.currency == currency.upper()


def test_floats_never_reach_the_totals() -> None:
    order = a_new_order(
        items=[{"sku": "X", "name": "Thing", "quantity": 3, "unit_price": 0.1}], tax=0
    )
    assert isinstance(order.total, Decimal)
    assert order.subtotal == Decimal("0.30")


def test_an_order_round_trips_through_json() -> None:
    order = order_in(OrderStatus.DELIVERED)
    assert Order.model_validate_json(order.model_dump_json()) == order


ERROR = "value_error"


@pytest.mark.parametrize(
    ("changes", "error", "location", "message"),
    [
        ({"currency": "EUX"}, ERROR, ("currency",), "'EUX' is not an ISO 4217 currency code"),
        (
            {"items": [{"sku": "A", "name": "A", "quantity": -1, "unit_price": "1"}]},
            "greater_than_equal",
            ("items", 0, "quantity"),
            None,
        ),
        (
            {"items": [{"sku": "A", "name": "A", "quantity": 1, "unit_price": "-1"}]},
            "greater_than_equal",
            ("items", 0, "unit_price"),
            None,
        ),
        (
            {"items": [{"sku": "A", "name": "A", "quantity": 1, "unit_price": "NaN"}]},
            "finite_number",
            ("items", 0, "unit_price"),
            None,
        ),
        ({"items": []}, "too_short", ("items",), None),
        (
            {"items": [{"sku": "A", "name": "A", "quantity": 1, "unit_price": "1"}] * 2},
            ERROR,
            (),
            "sku 'A' appears on more than one line",
        ),
        ({"order_id": "ORD/1"}, "string_pattern_mismatch", ("order_id",), None),
        ({"placed_at": datetime(2026, 1, 1)}, "timezone_aware", ("placed_at",), None),  # noqa: DTZ001
        ({"unexpected": 1}, "extra_forbidden", ("unexpected",), None),
        (
            {
                "shipping_address": {
                    "name": "A",
                    "line1": "B",
                    "city": "C",
                    "postal_code": "1",
                    "country": "XX",
                }
            },
            ERROR,
            ("shipping_address", "country"),
            "'XX' is not an ISO 3166-1 alpha-2 country code",
        ),
        ({"status": "paid"}, ERROR, (), "a paid order needs paid_at"),
        ({"status": "teleported"}, "enum", ("status",), None),
    ],
)
def test_invalid_orders_are_rejected_with_precise_errors(
    changes: dict[str, object], error: str, location: tuple[object, ...], message: str | None
) -> None:
    with pytest.raises(ValidationError) as invalid:
        a_new_order(**changes)
    [found] = invalid.value.errors()
    assert (found["type"], found["loc"]) == (error, location)
    if message is not None:
        # The rules' own messages are part of the answer the API gives, word for word.
        assert found["msg"] == f"Value error, {message}"


def test_a_sku_on_two_lines_is_refused_by_its_rule_naming_the_sku() -> None:
    line = {"sku": "LAMP-01", "name": "Lámpara", "quantity": 1, "unit_price": "1"}
    with pytest.raises(ValidationError) as invalid:
        a_new_order(items=[line, line | {"quantity": 2}])
    [error] = invalid.value.errors()
    cause = error["ctx"]["error"]
    assert (cause.key, cause.values) == ("sku_on_two_lines", {"sku": "LAMP-01"})


def test_an_unknown_currency_is_refused_by_its_rule() -> None:
    with pytest.raises(ValidationError) as invalid:
        a_new_order(currency="EUX")
    [error] = invalid.value.errors()
    cause = error["ctx"]["error"]
    assert (cause.key, cause.values) == ("unknown_currency", {})


def test_an_unknown_state_lists_the_five_states() -> None:
    assert "Input should be 'created', 'paid', 'shipped', 'delivered' or 'cancelled'" in errors_of(
        status="teleported"
    )


def test_a_missing_currency_is_named() -> None:
    fields = a_new_order().model_dump(exclude={"currency", *Order.model_computed_fields})
    with pytest.raises(ValidationError) as invalid:
        Order.model_validate(fields)
    assert [(e["type"], e["loc"]) for e in invalid.value.errors()] == [("missing", ("currency",))]


def test_times_are_kept_in_utc() -> None:
    madrid = timezone(timedelta(hours=2))
    order = a_new_order(placed_at=datetime(2026, 6, 1, 12, 0, tzinfo=madrid))
    assert order.placed_at == datetime(2026, 6, 1, 10, 0, tzinfo=UTC)
    assert json.loads(order.model_dump_json())["placed_at"] == "2026-06-01T10:00:00Z"


def test_computed_fields_in_input_are_recomputed_not_trusted() -> None:
    dumped = a_new_order().model_dump() | {"total": "0.01"}
    assert Order.model_validate(dumped).total == Decimal("67.86")


def test_a_new_order_has_only_what_was_placed() -> None:
    # Given an order placed with no tax, no state and no version
    placed = a_new_order().model_dump(exclude={"tax", "status", "version"})
    # When it is read as an order
    order = Order.model_validate(placed)
    # Then it starts created, at version 0, untaxed, owing no refund, with no milestone yet
    assert order.status is OrderStatus.CREATED
    assert (order.version, order.tax, order.refund_due, order.policy) == (
        0,
        Decimal("0.00"),
        False,
        None,
    )
    not_yet = {name: getattr(order, name) for name in NOT_YET_KNOWN_WHEN_PLACED}
    assert not_yet == dict.fromkeys(NOT_YET_KNOWN_WHEN_PLACED)


NOT_YET_KNOWN_WHEN_PLACED = (
    "paid_at",
    "payment_ref",
    "estimated_ship_by",
    "shipped_at",
    "carrier",
    "tracking_number",
    "estimated_delivery_by",
    "delivered_at",
    "cancelled_at",
    "cancel_reason",
    "shipping_delayed_since",
    "delivery_delayed_since",
)


def test_a_dump_carries_the_computed_money() -> None:
    dumped = json.loads(a_new_order().model_dump_json())
    assert (dumped["subtotal"], dumped["total"], dumped["item_count"]) == ("52.90", "67.86", 5)


# What each state has reached, by the milestones' fields (a cancelled order may keep a payment).
MILESTONE_FIELDS = {
    "payment": ("paid_at", "payment_ref", "estimated_ship_by", "policy"),
    "shipment": ("shipped_at", "carrier", "tracking_number", "estimated_delivery_by"),
    "delivery": ("delivered_at",),
    "cancellation": ("cancelled_at",),
}
REACHED = {
    OrderStatus.CREATED: set(),
    OrderStatus.PAID: {"payment"},
    OrderStatus.SHIPPED: {"payment", "shipment"},
    OrderStatus.DELIVERED: {"payment", "shipment", "delivery"},
    OrderStatus.CANCELLED: {"cancellation"},
}
MAY_KEEP = {OrderStatus.CANCELLED: {"payment"}}
A_VALUE = {
    "paid_at": T0 + timedelta(hours=1),
    "payment_ref": "PAY-9",
    "estimated_ship_by": T0 + timedelta(hours=2),
    "policy": Policy(),
    "shipped_at": T0 + timedelta(days=1),
    "carrier": "UPS",
    "tracking_number": "1Z",
    "estimated_delivery_by": T0 + timedelta(days=2),
    "delivered_at": T0 + timedelta(days=3),
    "cancelled_at": T0 + timedelta(hours=3),
}
STATES_AS_BUILT = [
    (OrderStatus.CREATED, True),
    (OrderStatus.PAID, True),
    (OrderStatus.SHIPPED, True),
    (OrderStatus.DELIVERED, True),
    (OrderStatus.CANCELLED, True),
    (OrderStatus.CANCELLED, False),
]


@pytest.mark.parametrize(("status", "after_payment"), STATES_AS_BUILT)
def test_each_state_has_exactly_the_milestones_it_reached(
    status: OrderStatus, after_payment: bool
) -> None:
    order = order_in(status, cancelled_after_payment=after_payment)
    for milestone, names in MILESTONE_FIELDS.items():
        for name in names:
            fields = order.model_dump()
            if milestone in REACHED[status]:
                fields[name] = None
                expected = f"a {status} order needs {name}"
            elif getattr(order, name) is None:
                fields[name] = A_VALUE[name]
                if milestone in MAY_KEEP.get(status, set()):
                    Order.model_validate(fields)
                    continue
                expected = f"a {status} order cannot have {name}"
            else:
                continue  # a cancelled order that was paid keeps its payment
            with pytest.raises(ValidationError) as invalid:
                Order.model_validate(fields)
            [error] = invalid.value.errors()
            assert (error["loc"], error["msg"]) == ((), f"Value error, {expected}"), name
            # and the rule it broke, which the API says in the caller's language
            rule = "milestone_missing" if milestone in REACHED[status] else "milestone_too_soon"
            cause = error["ctx"]["error"]
            assert (cause.key, cause.values) == (rule, {"field": name}), name


# (later, earlier, whether they may be equal, an order that has both)
TIMELINE = [
    ("paid_at", "placed_at", True, OrderStatus.PAID, True),
    ("estimated_ship_by", "paid_at", False, OrderStatus.PAID, True),
    ("shipped_at", "paid_at", True, OrderStatus.SHIPPED, True),
    ("estimated_delivery_by", "shipped_at", False, OrderStatus.SHIPPED, True),
    ("delivered_at", "shipped_at", True, OrderStatus.DELIVERED, True),
    ("cancelled_at", "placed_at", True, OrderStatus.CANCELLED, False),
    ("cancelled_at", "paid_at", True, OrderStatus.CANCELLED, True),
]
MICROSECOND = timedelta(microseconds=1)


@pytest.mark.parametrize(("later", "earlier", "may_equal", "status", "after_payment"), TIMELINE)
def test_the_timeline_runs_forward(
    later: str, earlier: str, may_equal: bool, status: OrderStatus, after_payment: bool
) -> None:
    fields = order_in(status, cancelled_after_payment=after_payment).model_dump()
    early: datetime = fields[earlier]

    def verdict(late: datetime) -> tuple[str, str, dict[str, object]] | None:
        try:
            Order.model_validate(fields | {later: late})
        except ValidationError as invalid:
            [error] = invalid.errors()
            cause = error["ctx"]["error"]
            return str(error["msg"]), cause.key, cause.values
        return None

    def refusal(late: datetime) -> tuple[str, str, dict[str, object]]:
        relation = "at or after" if may_equal else "after"
        said = f"Value error, {later} ({late.isoformat()}) must be {relation} {earlier} " + (
            f"({early.isoformat()})"
        )
        # and the rule it broke, which the API says in the caller's language
        rule = "not_before" if may_equal else "strictly_after"
        return said, rule, {"later": later, "earlier": earlier}

    assert verdict(early + MICROSECOND) is None
    assert verdict(early) == (None if may_equal else refusal(early))
    assert verdict(early - MICROSECOND) == refusal(early - MICROSECOND)


# --- product pictures -----------------------------------------------------------------------------


def _line(**changes: object) -> dict[str, object]:
    return {"sku": "LAMP-01", "name": "Lámpara", "quantity": 1, "unit_price": "1"} | changes


def test_a_line_may_carry_an_https_picture_of_the_product() -> None:
    url = "https://images.example.com/products/lamp-01.jpg?w=160&v=2"
    order = a_new_order(items=[_line(image_url=url)])
    assert order.items[0].image_url == url
    assert a_new_order(items=[_line()]).items[0].image_url is None


@pytest.mark.parametrize(
    ("url", "error_type"),
    [
        ("http://images.example.com/lamp.jpg", "url_scheme"),
        ("javascript:alert(1)", "url_scheme"),
        ("data:image/png;base64,iVBORw0KGgo=", "url_scheme"),
        ("//images.example.com/lamp.jpg", "url_scheme"),
        ("https://" + "a" * 2040 + ".com/x", "string_too_long"),
        ("https://user:secret@images.example.com/lamp.jpg", "url_userinfo"),
        ("https://user@images.example.com/lamp.jpg", "url_userinfo"),
        ("https://:secret@images.example.com/lamp.jpg", "url_userinfo"),
        ("https:///lamp.jpg", "url_parsing"),
        ("https://images.example.com/a lamp.jpg", "string_pattern_mismatch"),
        ('https://images.example.com/"><script>', "string_pattern_mismatch"),
        ("", "string_too_short"),
        ("h", "url_scheme"),
    ],
)
def test_a_picture_that_is_not_a_plain_https_url_is_refused(url: str, error_type: str) -> None:
    with pytest.raises(ValidationError) as invalid:
        a_new_order(items=[_line(image_url=url)])
    assert [(e["loc"], e["type"]) for e in invalid.value.errors()] == [
        (("items", 0, "image_url"), error_type)
    ]


@pytest.mark.parametrize(
    ("url", "said"),
    [
        ("http://images.example.com/lamp.jpg", "the URL must start with https://"),
        (
            "https://ana@images.example.com/lamp.jpg",
            "the URL must not carry a user name or password",
        ),
        ("https:///lamp.jpg", "the URL has no valid host"),
    ],
)
def test_a_refused_picture_says_why(url: str, said: str) -> None:
    with pytest.raises(ValidationError) as invalid:
        a_new_order(items=[_line(image_url=url)])
    assert [e["msg"] for e in invalid.value.errors()] == [said]
