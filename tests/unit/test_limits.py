"""Every size limit of the rules' records, just inside and just outside, and unknown fields
refused on every record: asserted by pydantic's error type and location, which is what the API
answers with, not by a message substring."""

import copy
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from lifecycle.case import Case, CaseMessage
from lifecycle.help import (
    CancelOrderRequest,
    ChangeAddressRequest,
    ItemProblemRequest,
    ItemRef,
    MessageRequest,
    ReturnRequest,
)
from lifecycle.order import (
    Address,
    CancellationDetails,
    Contact,
    DeliveryDetails,
    EstimateRevision,
    LineItem,
    Order,
    PaymentDetails,
    ShipmentDetails,
)
from lifecycle.policy import CasePolicy, Policy

AT = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
Location = tuple[str | int, ...]
"""Where a field is in a body, as pydantic names it: ('items', 0, 'name')."""

ADDRESS: dict[str, Any] = {
    "name": "Lucía Fernández",
    "line1": "Calle de Alcalá 42",
    "city": "Madrid",
    "postal_code": "28014",
    "country": "ES",
}
# A country whose postcodes have no known format (main's test_addresses pins that), so only the
# length limits apply to them; and an address in Portugal, whose postcodes are not Spain's.
IN_KENYA: dict[str, Any] = ADDRESS | {"city": "Nairobi", "postal_code": "00100", "country": "KE"}
IN_PORTUGAL: dict[str, Any] = ADDRESS | {
    "city": "Lisboa",
    "postal_code": "1100-148",
    "country": "PT",
}
LINE: dict[str, Any] = {"sku": "LAMP-01", "name": "Lámpara", "quantity": 1, "unit_price": "39.90"}
ORDER: dict[str, Any] = {
    "order_id": "ORD-1",
    "customer_id": "cust-lucia",
    "currency": "EUR",
    "items": [LINE],
    "shipping": "4.95",
    "shipping_address": ADDRESS,
    "placed_at": AT,
}
CASE: dict[str, Any] = {
    "case_id": "CS-1",
    "number": 48213,
    "order_id": "ORD-1",
    "customer_id": "cust-lucia",
    "action": "payment_issue",
    "opened_at": AT,
    "opened_by": "customer",
    "first_response_due_at": AT + timedelta(hours=4),
    "last_activity_at": AT,
}
MESSAGE: dict[str, Any] = {"message_id": "M-1", "at": AT, "author": "customer", "body": "Hola"}
ITEMS: dict[str, Any] = {"items": [{"sku": "LAMP-01", "quantity": 1}], "message": "Rota"}
PROBLEM: dict[str, Any] = {"problem": "damaged", **ITEMS}
PAYMENT: dict[str, Any] = {"payment_ref": "P-1", "estimated_ship_by": AT}
CONTACT: dict[str, Any] = {"email": "lucia@example.com", "locale": "es"}
PICTURE = "https://images.example.com/"
SHIPMENT: dict[str, Any] = {"carrier": "UPS", "tracking_number": "1Z", "estimated_delivery_by": AT}

# Every record the rules define, with a valid body: each refuses a field it does not know.
RECORDS: list[tuple[type[BaseModel], dict[str, Any]]] = [
    (Order, ORDER),
    (Address, ADDRESS),
    (LineItem, LINE),
    (Contact, CONTACT),
    (PaymentDetails, PAYMENT),
    (ShipmentDetails, SHIPMENT),
    (DeliveryDetails, {}),
    (EstimateRevision, {"estimated_ship_by": AT}),
    (CancellationDetails, {"reason": "stock"}),
    (Policy, {}),
    (CasePolicy, {}),
    (Case, CASE),
    (CaseMessage, MESSAGE),
    (ItemRef, {"sku": "LAMP-01", "quantity": 1}),
    (ChangeAddressRequest, {"address": ADDRESS}),
    (CancelOrderRequest, {}),
    (MessageRequest, {"message": "Hola"}),
    (ReturnRequest, ITEMS),
    (ItemProblemRequest, PROBLEM),
]


def errors_of(model: type[BaseModel], body: dict[str, Any]) -> list[tuple[str, Location]]:
    with pytest.raises(ValidationError) as invalid:
        model.model_validate(body)
    return [(error["type"], error["loc"]) for error in invalid.value.errors()]


def with_value(body: dict[str, Any], path: Location, value: Any) -> dict[str, Any]:
    changed = copy.deepcopy(body)
    node: Any = changed
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return changed


@pytest.mark.parametrize(("model", "body"), RECORDS, ids=lambda v: getattr(v, "__name__", ""))
def test_every_record_refuses_unknown_fields(model: type[BaseModel], body: dict[str, Any]) -> None:
    model.model_validate(body)
    assert errors_of(model, body | {"unexpected": 1}) == [("extra_forbidden", ("unexpected",))]


def lines(count: int) -> list[dict[str, Any]]:
    return [LINE | {"sku": f"SKU-{n}"} for n in range(count)]


def refs(count: int) -> list[dict[str, Any]]:
    return [{"sku": f"SKU-{n}", "quantity": 1} for n in range(count)]


# (model, valid body, field, just inside, just outside, the error just outside)
LIMITS: list[tuple[type[BaseModel], dict[str, Any], Location, Any, Any, str]] = [
    # identifiers: a letter or digit, then up to 63 of letters, digits and . _ : -
    (Order, ORDER, ("order_id",), "A" * 64, "A" * 65, "string_pattern_mismatch"),
    (Order, ORDER, ("order_id",), "A", "", "string_pattern_mismatch"),
    (Order, ORDER, ("customer_id",), "a.b_c:d-e", "-abc", "string_pattern_mismatch"),
    (LineItem, LINE, ("sku",), "S" * 64, "S" * 65, "string_pattern_mismatch"),
    # lines and amounts
    (Order, ORDER, ("items",), lines(1), [], "too_short"),
    (Order, ORDER, ("items",), lines(200), lines(201), "too_long"),
    (LineItem, LINE, ("quantity",), 1, 0, "greater_than_equal"),
    (LineItem, LINE, ("quantity",), 10_000, 10_001, "less_than_equal"),
    (LineItem, LINE, ("unit_price",), "0", "-0.01", "greater_than_equal"),
    (LineItem, LINE, ("unit_price",), "999999999999.99", "9999999999999.99", "decimal_max_digits"),
    (LineItem, LINE, ("unit_price",), "1", "Infinity", "finite_number"),
    (LineItem, LINE, ("unit_price",), "1", "NaN", "finite_number"),
    (LineItem, LINE, ("name",), "L", "", "string_too_short"),
    (LineItem, LINE, ("name",), "L" * 200, "L" * 201, "string_too_long"),
    (LineItem, LINE, ("image_url",), PICTURE + "p" * 2021, PICTURE + "p" * 2022, "string_too_long"),
    (LineItem, LINE, ("image_url",), PICTURE, "", "string_too_short"),
    (Order, ORDER, ("shipping",), "0", "-0.01", "greater_than_equal"),
    (Order, ORDER, ("tax",), "0", "-0.01", "greater_than_equal"),
    (Order, ORDER, ("version",), 0, -1, "greater_than_equal"),
    # the delivery address
    (Address, ADDRESS, ("name",), "L", "   ", "string_too_short"),
    (Address, ADDRESS, ("name",), "L" * 200, "L" * 201, "string_too_long"),
    (Address, ADDRESS, ("line1",), "L" * 200, "L" * 201, "string_too_long"),
    (Address, ADDRESS, ("line1",), "L", "", "string_too_short"),
    (Address, ADDRESS, ("line2",), "L" * 200, "L" * 201, "string_too_long"),
    (Address, ADDRESS, ("city",), "C", "", "string_too_short"),
    (Address, ADDRESS, ("city",), "C" * 100, "C" * 101, "string_too_long"),
    (Address, ADDRESS, ("region",), "R" * 100, "R" * 101, "string_too_long"),
    (Address, IN_KENYA, ("postal_code",), "1", "", "string_too_short"),
    (Address, IN_KENYA, ("postal_code",), "1" * 16, "1" * 17, "string_too_long"),
    (Address, IN_PORTUGAL, ("country",), "pt", "P", "string_too_short"),
    (Address, IN_PORTUGAL, ("country",), "pt", "PRT", "string_too_long"),
    (Address, IN_PORTUGAL, ("country",), "pt", "XX", "value_error"),
    (Address, ADDRESS, ("phone",), "6001", "600", "string_pattern_mismatch"),
    (Address, ADDRESS, ("phone",), "+6" + "0" * 24, "+6" + "0" * 25, "string_pattern_mismatch"),
    # the order's contact: the longest address SMTP carries
    (
        Contact,
        CONTACT,
        ("email",),
        "a" * 242 + "@example.com",
        "a" * 243 + "@example.com",
        "string_too_long",
    ),
    # the shop's events
    (PaymentDetails, PAYMENT, ("payment_ref",), "P", "", "string_too_short"),
    (PaymentDetails, PAYMENT, ("payment_ref",), "P" * 128, "P" * 129, "string_too_long"),
    (ShipmentDetails, SHIPMENT, ("carrier",), "U" * 200, "U" * 201, "string_too_long"),
    (ShipmentDetails, SHIPMENT, ("carrier",), "U", " ", "string_too_short"),
    (ShipmentDetails, SHIPMENT, ("tracking_number",), "1", "", "string_too_short"),
    (ShipmentDetails, SHIPMENT, ("tracking_number",), "1" * 64, "1" * 65, "string_too_long"),
    (CancellationDetails, {"reason": "s"}, ("reason",), "s", "  ", "string_too_short"),
    (CancellationDetails, {"reason": "s"}, ("reason",), "s" * 500, "s" * 501, "string_too_long"),
    # what a customer sends
    (MessageRequest, {"message": "x"}, ("message",), "x", "", "string_too_short"),
    (MessageRequest, {"message": "x"}, ("message",), "x" * 5000, "x" * 5001, "string_too_long"),
    (MessageRequest, {"message": "x"}, ("message",), " x ", " \n\t ", "string_pattern_mismatch"),
    (CancelOrderRequest, {}, ("reason",), "r", "", "string_too_short"),
    (CancelOrderRequest, {}, ("reason",), "r" * 500, "r" * 501, "string_too_long"),
    (CancelOrderRequest, {}, ("reason",), " r ", "   ", "string_pattern_mismatch"),
    (ItemRef, {"sku": "A", "quantity": 1}, ("quantity",), 1, 0, "greater_than_equal"),
    (ItemRef, {"sku": "A", "quantity": 1}, ("quantity",), 10_000, 10_001, "less_than_equal"),
    (ReturnRequest, ITEMS, ("items",), refs(1), [], "too_short"),
    (ReturnRequest, ITEMS, ("items",), refs(200), refs(201), "too_long"),
    (ItemProblemRequest, PROBLEM, ("items",), refs(1), [], "too_short"),
    (ItemProblemRequest, PROBLEM, ("items",), refs(200), refs(201), "too_long"),
    # cases
    (CaseMessage, MESSAGE, ("body",), "x", "", "string_too_short"),
    (CaseMessage, MESSAGE, ("body",), "x" * 5000, "x" * 5001, "string_too_long"),
    (CaseMessage, MESSAGE, ("body",), "\nx\n", "\n \n", "string_pattern_mismatch"),
    (Case, CASE, ("version",), 0, -1, "greater_than_equal"),
    # policy
    (Policy, {}, ("return_window_days",), 0, -1, "greater_than_equal"),
    (Policy, {}, ("return_window_days",), 365, 366, "less_than_equal"),
    (Policy, {}, ("claim_window_days",), 0, -1, "greater_than_equal"),
    (Policy, {}, ("claim_window_days",), 365, 366, "less_than_equal"),
    (Policy, {}, ("delay_grace_hours",), 0, -1, "greater_than_equal"),
    (Policy, {}, ("delay_grace_hours",), 720, 721, "less_than_equal"),
    (Policy, {}, ("return_drop_off_days",), 1, 0, "greater_than_equal"),
    (Policy, {}, ("return_drop_off_days",), 90, 91, "less_than_equal"),
    (CasePolicy, {}, ("close_solved_after_days",), 1, 0, "greater_than_equal"),
    (CasePolicy, {}, ("close_solved_after_days",), 90, 91, "less_than_equal"),
]


def limit_id(row: tuple[type[BaseModel], dict[str, Any], Location, Any, Any, str]) -> str:
    model, _, path, _, _, error = row
    return f"{model.__name__}.{'.'.join(map(str, path))}-{error}"


@pytest.mark.parametrize("row", LIMITS, ids=limit_id)
def test_every_limit_just_inside_and_just_outside(
    row: tuple[type[BaseModel], dict[str, Any], Location, Any, Any, str],
) -> None:
    model, body, path, inside, outside, error = row
    # Given a valid record with the field set just inside its limit, it is accepted
    model.model_validate(with_value(body, path, inside))
    # When the field is just outside, the record is refused for that reason at that place
    assert errors_of(model, with_value(body, path, outside)) == [(error, path)]


@pytest.mark.parametrize("count", [True, False, "1", "01"])
@pytest.mark.parametrize(
    ("model", "body"), [(LineItem, LINE), (ItemRef, {"sku": "LAMP-01", "quantity": 1})]
)
def test_a_quantity_is_a_json_number_never_a_boolean_or_a_string(
    model: type[BaseModel], body: dict[str, Any], count: object
) -> None:
    with pytest.raises(ValidationError) as invalid:
        model.model_validate(body | {"quantity": count})
    assert [(e["type"], e["loc"], e["msg"]) for e in invalid.value.errors()] == [
        ("int_type", ("quantity",), "Input should be a valid integer")
    ]


@pytest.mark.parametrize(
    ("email", "error"),
    [("ab", "string_too_short"), (" ab ", "string_too_short"), ("a@b", "email_format")],
)
def test_an_email_too_short_to_be_one_is_refused_for_its_length_first(
    email: str, error: str
) -> None:
    assert errors_of(Contact, CONTACT | {"email": email}) == [(error, ("email",))]


def test_a_line_too_long_is_located_on_its_line() -> None:
    # The location names the line, so a client can point at the field that is wrong.
    items = [LINE, LINE | {"sku": "BULB", "name": "B" * 201}]
    assert errors_of(Order, ORDER | {"items": items}) == [("string_too_long", ("items", 1, "name"))]


def test_what_people_type_is_kept_without_surrounding_blanks() -> None:
    address = Address.model_validate(ADDRESS | {"city": "  Madrid ", "region": " Madrid  "})
    assert (address.city, address.region) == ("Madrid", "Madrid")
    line = LineItem.model_validate(LINE | {"name": "  Lámpara de mesa \n"})
    assert line.name == "Lámpara de mesa"
    shipment = ShipmentDetails.model_validate(SHIPMENT | {"carrier": " UPS "})
    assert shipment.carrier == "UPS"
    # A customer's own words are kept exactly as written.
    assert MessageRequest.model_validate({"message": " Hola \n"}).message == " Hola \n"


def test_an_address_needs_no_second_line_region_or_phone() -> None:
    address = Address.model_validate(ADDRESS)
    assert (address.line2, address.region, address.phone) == (None, None, None)


@pytest.mark.parametrize(
    ("model", "body"),
    [(model, body) for model, body in RECORDS if model is not EstimateRevision],
    ids=lambda v: getattr(v, "__name__", ""),
)
def test_every_field_of_a_minimal_record_is_required(
    model: type[BaseModel], body: dict[str, Any]
) -> None:
    # The bodies above are minimal: everything they leave out has a default, and nothing in
    # them may be left out. (A revision needs one estimate or the other: see test_delay_rules.)
    for name in body:
        without = {key: value for key, value in body.items() if key != name}
        assert errors_of(model, without) == [("missing", (name,))], name
