"""Bad input of every kind gets a 4xx with the error envelope, never a 500, and changes nothing.

Every test here leaves the data as it found it (the matrix asserts so), so the module shares one
world with one paid order instead of building it for each of its many rows."""

from dataclasses import dataclass, field
from typing import Any

import pytest

from lifecycle.text import MESSAGE_MAX_LENGTH
from tests.handlers.client import (
    CUSTOMER,
    HELP_BODIES,
    NEW_ADDRESS,
    Api,
    Identity,
    Reply,
    path_segment,
)

ME = Identity.customer(CUSTOMER)
SHOP = Identity.shop()
ORDER = "ORD-1"
HELP = f"/orders/{ORDER}/help"
MAX_BODY = 64 * 1024


@dataclass(frozen=True)
class Bad:
    """One bad request and the 4xx it must get."""

    name: str
    method: str
    path: str
    status: int
    code: str
    body: Any = None
    raw: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    identity: Identity = ME

    def __str__(self) -> str:
        return self.name


def _help(name: str, action: str, body: Any) -> Bad:
    return Bad(name, "POST", f"{HELP}/{action}", 422, "validation_error", body=body)


def _raw(
    name: str, raw: bytes, status: int, code: str, content_type: str = "application/json"
) -> Bad:
    return Bad(
        name,
        "POST",
        f"{HELP}/payment_issue",
        status,
        code,
        raw=raw,
        headers={"content-type": content_type},
    )


def _ops(name: str, path: str, body: Any) -> Bad:
    return Bad(name, "POST", path, 422, "validation_error", body=body, identity=SHOP)


def _address(**changes: Any) -> dict[str, Any]:
    return {"address": {**NEW_ADDRESS, **changes}}


def _with_length(total: int) -> bytes:
    """A payment_issue body of exactly `total` bytes."""
    skeleton = b'{"message": ""}'
    return b'{"message": "' + b"x" * (total - len(skeleton)) + b'"}'


def _create(**changes: Any) -> dict[str, Any]:
    return {
        "order_id": "ORD-NEW",
        "customer_id": CUSTOMER,
        "currency": "EUR",
        "items": [{"sku": "MUG-01", "name": "Taza", "quantity": 1, "unit_price": "7.50"}],
        "shipping": "3.90",
        "shipping_address": NEW_ADDRESS,
    } | changes


MALFORMED = [
    _raw("malformed JSON", b'{"message": ', 400, "invalid_json"),
    _raw("not JSON at all", b"hello", 400, "invalid_json"),
    _raw("JSON followed by more", b'{"message": "hi"} {}', 400, "invalid_json"),
    _raw("single quotes", b"{'message': 'hi'}", 400, "invalid_json"),
    _raw("not UTF-8", '{"message": "café"}'.encode("latin-1"), 400, "invalid_json"),
    _raw("a lone surrogate", b'{"message": "\\ud83d"}', 422, "validation_error"),
    _raw("empty body", b"", 422, "validation_error"),
    _raw("JSON null", b"null", 422, "validation_error"),
    _raw("a JSON array", b'[{"message": "hi"}]', 422, "validation_error"),
    _raw("a JSON string", b'"hi"', 422, "validation_error"),
    _raw("a JSON number", b"42", 422, "validation_error"),
    _raw("sent as text", b'{"message": "hi"}', 415, "unsupported_media_type", "text/plain"),
    _raw(
        "sent as a form",
        b"message=hi",
        415,
        "unsupported_media_type",
        "application/x-www-form-urlencoded",
    ),
    _raw(
        "sent as multipart",
        b'--b\r\nContent-Disposition: form-data; name="message"\r\n\r\nhi\r\n--b--\r\n',
        415,
        "unsupported_media_type",
        "multipart/form-data; boundary=b",
    ),
    _raw(
        "sent as bytes", b"\x00\x01\x02", 415, "unsupported_media_type", "application/octet-stream"
    ),
    _raw("a body over 64 KiB", _with_length(MAX_BODY + 1), 413, "payload_too_large"),
    _raw("a 64 KiB body, its message too long", _with_length(MAX_BODY), 422, "validation_error"),
]

WRONG_TYPES = [
    _help("message is a number", "payment_issue", {"message": 5}),
    _help("message is a list", "payment_issue", {"message": ["hi"]}),
    _help("message is an object", "payment_issue", {"message": {"text": "hi"}}),
    _help("message is null", "payment_issue", {"message": None}),
    _help(
        "items is a string", "return_request", HELP_BODIES["return_request"] | {"items": "LAMP-01"}
    ),
    _help(
        "quantity is a word",
        "return_request",
        HELP_BODIES["return_request"] | {"items": [{"sku": "BULB-E27", "quantity": "two"}]},
    ),
    _help(
        "quantity is a fraction",
        "return_request",
        HELP_BODIES["return_request"] | {"items": [{"sku": "BULB-E27", "quantity": 1.5}]},
    ),
    _help("problem is a number", "item_problem", HELP_BODIES["item_problem"] | {"problem": 3}),
    _help("address is a string", "change_address", {"address": "Gran Vía 1, Madrid"}),
    _help("reason is a number", "cancel_order", {"reason": 42}),
    _ops(
        "payment_ref is a number",
        f"/ops/orders/{ORDER}/pay",
        {"payment_ref": 1, "estimated_ship_by": "2026-06-01T00:00:00Z"},
    ),
    _ops(
        "a time that is not a time",
        f"/ops/orders/{ORDER}/pay",
        {"payment_ref": "P", "estimated_ship_by": "next Tuesday"},
    ),
    _ops(
        "a time without a zone",
        f"/ops/orders/{ORDER}/pay",
        {"payment_ref": "P", "estimated_ship_by": "2026-06-01T00:00:00"},
    ),
    _ops("an amount that is not a number", "/ops/orders", _create(shipping="cheap")),
    _ops("an amount that is not finite", "/ops/orders", _create(shipping="NaN")),
]

MISSING_FIELDS = [
    _help("payment_issue without message", "payment_issue", {}),
    _help("return_request without items", "return_request", {"message": "hi"}),
    _help(
        "item_problem without problem",
        "item_problem",
        {**HELP_BODIES["item_problem"], "problem": None},
    ),
    _help("change_address without address", "change_address", {}),
    _help(
        "an address without country",
        "change_address",
        {"address": {k: v for k, v in NEW_ADDRESS.items() if k != "country"}},
    ),
    _ops(
        "pay without payment_ref",
        f"/ops/orders/{ORDER}/pay",
        {"estimated_ship_by": "2026-06-01T00:00:00Z"},
    ),
    _ops(
        "ship without carrier",
        f"/ops/orders/{ORDER}/ship",
        {"tracking_number": "T", "estimated_delivery_by": "2026-06-01T00:00:00Z"},
    ),
    _ops("cancel without reason", f"/ops/orders/{ORDER}/cancel", {}),
    _ops(
        "create without items", "/ops/orders", {k: v for k, v in _create().items() if k != "items"}
    ),
]

EXTRA_FIELDS = [
    _help("an extra field", "payment_issue", {"message": "hi", "priority": "urgent"}),
    _help("an extra address field", "change_address", _address(floor="3")),
    _help(
        "an extra item field",
        "return_request",
        HELP_BODIES["return_request"]
        | {"items": [{"sku": "BULB-E27", "quantity": 1, "price": "0"}]},
    ),
    _help("cancel with a refund amount", "cancel_order", {"reason": "x", "refund": "67.86"}),
    _ops("create with a total of its own", "/ops/orders", _create(total="0.01")),
    _ops("deliver with a signature", f"/ops/orders/{ORDER}/deliver", {"signed_by": "Lucía"}),
]

OUT_OF_RANGE = [
    _help("an empty message", "payment_issue", {"message": ""}),
    _help("a blank message", "payment_issue", {"message": " \n\t "}),
    _help(
        "a message over the limit",
        "payment_issue",
        {"message": "x" * (MESSAGE_MAX_LENGTH + 1)},
    ),
    _help("no items", "return_request", HELP_BODIES["return_request"] | {"items": []}),
    _help(
        "quantity zero",
        "return_request",
        HELP_BODIES["return_request"] | {"items": [{"sku": "BULB-E27", "quantity": 0}]},
    ),
    _help(
        "quantity negative",
        "return_request",
        HELP_BODIES["return_request"] | {"items": [{"sku": "BULB-E27", "quantity": -1}]},
    ),
    _help(
        "a sku with a slash",
        "item_problem",
        HELP_BODIES["item_problem"] | {"items": [{"sku": "LAMP/01", "quantity": 1}]},
    ),
    _help(
        "an unknown problem kind",
        "item_problem",
        HELP_BODIES["item_problem"] | {"problem": "stolen"},
    ),
    _help("an unknown country", "change_address", _address(country="XX")),
    _help("a three-letter country", "change_address", _address(country="ESP")),
    _help("an empty postal code", "change_address", _address(postal_code="")),
    _help("a phone that is not one", "change_address", _address(phone="call me maybe")),
    _help("a blank cancel reason", "cancel_order", {"reason": "   "}),
    _ops("a currency code too long", "/ops/orders", _create(currency="EURO")),
    _ops("a currency that does not exist", "/ops/orders", _create(currency="XXY")),
    _ops("a negative amount", "/ops/orders", _create(shipping="-1.00")),
    _ops("the same sku on two lines", "/ops/orders", _create(items=[_create()["items"][0]] * 2)),
    _ops("a blank cancel reason", f"/ops/orders/{ORDER}/cancel", {"reason": " "}),
]

ODD_IDS = {
    "an encoded slash": "ORD/1",
    "a space": "ORD 1",
    "a trailing space": "ORD-1 ",
    "an emoji": "ORD-📦",
    "a look-alike hyphen": "ORD‐1",
    "another case": "ord-1",
    "dot-dot": "..",
    "a NUL": "ORD-1\x00",
    "a quote": "ORD-1'; DROP TABLE orders;--",
    "very long": "ORD-" + "1" * 400,
}

ODD_ID_ROUTES = {
    "details": ("GET", "/orders/{}", None, ME),
    "help": ("POST", "/orders/{}/help/payment_issue", {"message": "hi"}, ME),
    "ops read": ("GET", "/ops/orders/{}", None, SHOP),
    "ops cancel": ("POST", "/ops/orders/{}/cancel", {"reason": "x"}, SHOP),
}

ODD_ID_REQUESTS = [
    Bad(
        f"{route} with {kind}",
        method,
        template.format(path_segment(raw_id)),
        404,
        "order_not_found",
        body=body,
        identity=identity,
    )
    for kind, raw_id in ODD_IDS.items()
    for route, (method, template, body, identity) in ODD_ID_ROUTES.items()
]

BAD_LIMITS = [
    Bad(f"limit={value}", "GET", f"/orders?limit={value}", 422, "validation_error")
    for value in ("0", "101", "-1", "1000000000000", "abc", "", "1.5", "1e2", "1&limit=2")
] + [
    Bad(
        "a cursor over 512 characters",
        "GET",
        "/orders?cursor=" + "A" * 513,
        422,
        "validation_error",
    ),
    Bad("a cursor that is not one", "GET", "/orders?cursor=%F0%9F%93%A6", 400, "invalid_cursor"),
]

BAD_REQUESTS = (
    MALFORMED
    + WRONG_TYPES
    + MISSING_FIELDS
    + EXTRA_FIELDS
    + OUT_OF_RANGE
    + ODD_ID_REQUESTS
    + BAD_LIMITS
)


def assert_error_envelope(reply: Reply) -> None:
    """A 4xx whose body is exactly {"error": {"code", "message", ...details}}."""
    assert 400 <= reply.status < 500, reply
    assert set(reply.body) == {"error"}
    assert isinstance(reply.error["code"], str) and reply.error["code"]
    assert isinstance(reply.error["message"], str) and reply.error["message"]
    assert reply.headers["content-type"] == "application/json"


@pytest.fixture(scope="module")
def api(shared_api: Api) -> Api:
    shared_api.order_in("paid", order_id=ORDER)
    return shared_api


@pytest.fixture
def paid_order() -> str:
    return ORDER


@pytest.mark.parametrize("bad", BAD_REQUESTS, ids=str)
def test_bad_input_is_a_4xx_with_the_error_envelope_and_changes_nothing(
    api: Api, paid_order: str, bad: Bad
) -> None:
    before = api.snapshot()

    reply = api.call(
        bad.method, bad.path, bad.body, identity=bad.identity, raw=bad.raw, headers=bad.headers
    )

    assert_error_envelope(reply)
    assert (reply.status, reply.error["code"]) == (bad.status, bad.code), reply.error
    if bad.status == 422 and bad.code == "validation_error":
        assert reply.error["errors"], "a validation error says which fields"
    assert api.snapshot() == before


def test_validation_errors_name_the_field_without_echoing_the_input(
    api: Api, paid_order: str
) -> None:
    secret = "my password is hunter2"
    reply = api.help(paid_order, "change_address", _address(phone=secret))

    assert reply.status == 422
    assert [error["loc"] for error in reply.error["errors"]] == [["body", "address", "phone"]]
    assert secret not in str(reply.body)


@pytest.mark.parametrize("limit", [1, 100])
def test_the_limits_at_the_edges_are_accepted(api: Api, paid_order: str, limit: int) -> None:
    reply = api.call("GET", f"/orders?limit={limit}", identity=ME)
    assert reply.status == 200
    assert [order["order_id"] for order in reply.body["orders"]] == [paid_order]


def test_a_body_of_exactly_64_kib_is_not_too_large(api: Api, paid_order: str) -> None:
    # The message is far too long for a help request, but the size limit is not what says so.
    reply = api.call("POST", f"{HELP}/payment_issue", raw=_with_length(MAX_BODY), identity=ME)
    assert reply.status == 422
