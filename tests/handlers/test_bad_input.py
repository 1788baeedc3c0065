"""Bad input of every kind gets a 4xx with the error envelope, never a 500, and changes nothing.

Every test here leaves the data as it found it (the matrix asserts so), so the module shares one
world with one paid order instead of building it for each of its many rows."""

from dataclasses import dataclass, field
from typing import Any

import pytest

from lifecycle.i18n import translate
from lifecycle.text import MESSAGE_MAX_LENGTH
from orderhelp_dev.local.template import http_routes
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
AGENT = Identity.agent("agent-marta")
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


def _nested(depth: int) -> bytes:
    """A payment_issue body whose message is `depth` arrays deep."""
    return b'{"message": ' + b"[" * depth + b"]" * depth + b"}"


def _body_routes() -> list[tuple[str, Identity]]:
    """Every route that takes a body, with a caller allowed on it and ids that need not exist:
    a body is checked before anything is looked up."""
    routes = []
    for route in http_routes():
        if route.method != "POST":
            continue
        path = route.path.format(
            order_id=ORDER,
            case_id="CASE-1",
            action="payment_issue",
            return_id=f"{ORDER}-R1",
            refund_id=f"{ORDER}-RF1",
        )
        identity = SHOP if route.scopes else AGENT if path.startswith("/agent") else ME
        routes.append((path, identity))
    return routes


DEEP_JSON = [
    Bad(
        f"{path} nested {depth} deep",
        "POST",
        path,
        400,
        "invalid_json",
        raw=_nested(depth),
        headers={"content-type": "application/json"},
        identity=identity,
    )
    for path, identity in _body_routes()
    for depth in (100, 1000, 30_000)  # 30,000 deep still fits the 64 KiB limit
]

_TOO_EARLY = "0999-06-01T00:00:00Z"
_TOO_LATE = "9999-12-31T23:00:00-05:00"  # past the calendar's end once in UTC
_FUTURE = "2026-06-01T00:00:00Z"

OUT_OF_CALENDAR = [
    _ops(f"{field} {label}", path, body | {field: moment})
    for label, moment in (("before year 1000", _TOO_EARLY), ("after year 9999", _TOO_LATE))
    for path, body, field in (
        (
            f"/ops/orders/{ORDER}/pay",
            {"payment_ref": "P", "estimated_ship_by": _FUTURE},
            "paid_at",
        ),
        (f"/ops/orders/{ORDER}/pay", {"payment_ref": "P"}, "estimated_ship_by"),
        (
            f"/ops/orders/{ORDER}/ship",
            {"carrier": "SEUR", "tracking_number": "T", "estimated_delivery_by": _FUTURE},
            "shipped_at",
        ),
        (
            f"/ops/orders/{ORDER}/ship",
            {"carrier": "SEUR", "tracking_number": "T"},
            "estimated_delivery_by",
        ),
        (f"/ops/orders/{ORDER}/deliver", {}, "delivered_at"),
        (f"/ops/orders/{ORDER}/estimate", {}, "estimated_ship_by"),
        (f"/ops/orders/{ORDER}/estimate", {}, "estimated_delivery_by"),
        ("/ops/orders", _create(), "placed_at"),
    )
]

UNPRINTABLE = {
    "a NUL": "\x00",
    "NULs and controls": "\x00\x01\x07\x7f",
    "a zero-width space": "\u200b",
    "zero-width joiners and marks": "\u200d\u200c\u2060\ufeff",
    "a right-to-left override": "\u202e",
    "an ANSI colour": "\x1b[31m",
    "an ANSI clear-screen around text": "\x1b[2J\x1b[Hhello",
}
"""Texts that show nothing, or drive a terminal."""

_ITEM = _create()["items"][0]
_FREE_TEXT_FIELDS: list[tuple[str, str, Identity, Any]] = [
    # (which text, the route, who may call it, the body around a text)
    ("help message", f"{HELP}/payment_issue", ME, lambda t: {"message": t}),
    ("cancel reason", f"{HELP}/cancel_order", ME, lambda t: {"reason": t}),
    ("address name", f"{HELP}/change_address", ME, lambda t: _address(name=t)),
    ("address line1", f"{HELP}/change_address", ME, lambda t: _address(line1=t)),
    ("address line2", f"{HELP}/change_address", ME, lambda t: _address(line2=t)),
    ("address city", f"{HELP}/change_address", ME, lambda t: _address(city=t)),
    ("address region", f"{HELP}/change_address", ME, lambda t: _address(region=t)),
    ("case message", "/cases/CASE-1/messages", ME, lambda t: {"body": t}),
    ("agent message", "/agent/cases/CASE-1/messages", AGENT, lambda t: {"body": t}),
    ("resolution", "/agent/cases/CASE-1/solve", AGENT, lambda t: {"resolution": t}),
    (
        "shop's cancel reason",
        f"/ops/orders/{ORDER}/cancel",
        SHOP,
        lambda t: {"reason": t},
    ),
    (
        "payment_ref",
        f"/ops/orders/{ORDER}/pay",
        SHOP,
        lambda t: {"payment_ref": t, "estimated_ship_by": _FUTURE},
    ),
    (
        "carrier",
        f"/ops/orders/{ORDER}/ship",
        SHOP,
        lambda t: {"carrier": t, "tracking_number": "T", "estimated_delivery_by": _FUTURE},
    ),
    (
        "tracking_number",
        f"/ops/orders/{ORDER}/ship",
        SHOP,
        lambda t: {"carrier": "SEUR", "tracking_number": t, "estimated_delivery_by": _FUTURE},
    ),
    ("item name", "/ops/orders", SHOP, lambda t: _create(items=[_ITEM | {"name": t}])),
]

UNPRINTABLE_TEXT = [
    Bad(
        f"{field} is {kind}",
        "POST",
        path,
        422,
        "validation_error",
        body=make_body(text),
        identity=identity,
    )
    for field, path, identity, make_body in _FREE_TEXT_FIELDS
    for kind, text in UNPRINTABLE.items()
]

_LAX_NUMBERS = {"true": True, "false": False, '"01"': "01", '"1"': "1"}

LAX_NUMBERS = (
    [
        _help(
            f"a returned quantity of {label}",
            "return_request",
            HELP_BODIES["return_request"] | {"items": [{"sku": "BULB-E27", "quantity": value}]},
        )
        for label, value in _LAX_NUMBERS.items()
    ]
    + [
        _ops(
            f"an ordered quantity of {label}",
            "/ops/orders",
            _create(items=[_ITEM | {"quantity": value}]),
        )
        for label, value in _LAX_NUMBERS.items()
    ]
    + [
        Bad(
            f"force is {label}",
            "POST",
            "/agent/cases/CASE-1/assign",
            422,
            "validation_error",
            body={"force": value},
            identity=AGENT,
        )
        for label, value in {'"true"': "true", "1": 1, '"yes"': "yes"}.items()
    ]
    + [
        Bad(
            f"internal is {label}",
            "POST",
            "/agent/cases/CASE-1/messages",
            422,
            "validation_error",
            body={"body": "hi", "internal": value},
            identity=AGENT,
        )
        for label, value in {'"false"': "false", "0": 0}.items()
    ]
)

BAD_REQUESTS = (
    MALFORMED
    + WRONG_TYPES
    + MISSING_FIELDS
    + EXTRA_FIELDS
    + OUT_OF_RANGE
    + ODD_ID_REQUESTS
    + BAD_LIMITS
    + DEEP_JSON
    + OUT_OF_CALENDAR
    + UNPRINTABLE_TEXT
    + LAX_NUMBERS
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


@pytest.mark.parametrize("bad", BAD_REQUESTS, ids=str)
def test_a_refusal_is_said_in_the_callers_language_with_the_same_codes(
    api: Api, paid_order: str, bad: Bad
) -> None:
    replies = {
        locale: api.call(
            bad.method,
            bad.path,
            bad.body,
            identity=bad.identity,
            raw=bad.raw,
            headers=bad.headers | {"accept-language": accept},
        )
        for locale, accept in (("en", "en-GB,en;q=0.9"), ("es", "es-ES,es;q=0.9,en;q=0.5"))
    }
    english, spanish = replies["en"].error, replies["es"].error

    # What machines read stays the same; what people read is in their language.
    assert english["code"] == spanish["code"] == bad.code
    assert english["message"] != spanish["message"]
    machine = [(e["loc"], e["type"]) for e in english.get("errors", [])]
    assert machine == [(e["loc"], e["type"]) for e in spanish.get("errors", [])]
    for locale, error in (("en", english), ("es", spanish)):
        fallback = translate(locale, "validation", "default")
        for entry in error.get("errors", []):
            assert entry["msg"] != fallback, f"no {locale} text for {entry['type']}"
    for said_in_english, said_in_spanish in zip(
        english.get("errors", []), spanish.get("errors", []), strict=True
    ):
        assert said_in_english["msg"] != said_in_spanish["msg"]


def test_an_item_problem_is_told_to_a_spanish_customer_in_spanish(api: Api) -> None:
    order = api.order_in("delivered", order_id="ORD-ES")
    body = HELP_BODIES["return_request"] | {
        "items": [{"sku": "BULB-E27", "quantity": 99}, {"sku": "NOPE-1", "quantity": 1}]
    }

    reply = api.help(order, "return_request", body, headers={"accept-language": "es"})

    assert reply.status == 422
    assert [(e["loc"], e["type"], e["msg"]) for e in reply.error["errors"]] == [
        (
            ["items", 0, "quantity"],
            "quantity_exceeds_order",
            "Solo se pidieron 4 del artículo BULB-E27.",
        ),
        (["items", 1, "sku"], "unknown_sku", "El artículo NOPE-1 no está en este pedido."),
    ]
    assert reply.error["message"] == (
        "Algunos datos no son válidos: items.0.quantity: Solo se pidieron 4 del artículo "
        "BULB-E27. items.1.sku: El artículo NOPE-1 no está en este pedido."
    )


def test_a_blank_message_asks_for_a_message_and_an_invisible_one_says_why(api: Api) -> None:
    spanish = {"accept-language": "es"}
    blank = api.help(ORDER, "payment_issue", {"message": "   "}, headers=spanish)
    invisible = api.help(ORDER, "payment_issue", {"message": "\u200b"}, headers=spanish)

    assert [e["msg"] for e in blank.error["errors"]] == ["Escribe un mensaje."]
    assert [e["type"] for e in invisible.error["errors"]] == ["text_not_visible"]
    assert "no muestra nada" in invisible.error["errors"][0]["msg"]


@pytest.mark.parametrize(
    ("order_id", "moment"),
    [("ORD-Y1K-UTC", "1000-01-01T00:00:00Z"), ("ORD-Y1K-CET", "1000-01-01T01:00:00+01:00")],
)
def test_the_first_time_of_year_1000_is_taken(api: Api, order_id: str, moment: str) -> None:
    reply = api.call(
        "POST", "/ops/orders", _create(order_id=order_id, placed_at=moment), identity=SHOP
    )

    assert reply.status == 201, reply.body
    assert reply.body["placed_at"] == "1000-01-01T00:00:00Z"


def test_an_estimate_on_the_last_day_taken_is_accepted(api: Api) -> None:
    order = api.order_in("paid", order_id="ORD-LATE")
    reply = api.call(
        "POST",
        f"/ops/orders/{order}/estimate",
        {"estimated_ship_by": "9998-12-31T23:59:59Z"},
        identity=SHOP,
    )
    assert reply.status == 200, reply.body
    assert api.details(order).status == 200


def test_a_message_with_lines_tabs_and_emoji_is_taken(api: Api) -> None:
    order = api.order_in("paid", order_id="ORD-TEXT")
    text = "Hola 👋\n\tla lámpara 💡 llegó rota\r\n— gracias"
    reply = api.help(order, "payment_issue", {"message": text})
    assert reply.status == 201
    assert reply.body["case"]["details"]["message"] == text


def test_every_answer_is_kept_by_no_cache_and_never_sniffed(api: Api, paid_order: str) -> None:
    answers = [
        api.details(paid_order),
        api.call("GET", "/orders/NOPE", identity=ME),
        api.call("GET", "/ops/orders/NOPE", identity=ME),
        api.call("POST", f"{HELP}/payment_issue", raw=b"{", identity=ME),
        api.call("GET", "/agent/cases", identity=AGENT),
    ]
    assert [a.status for a in answers] == [200, 404, 403, 400, 200]
    for answer in answers:
        assert answer.headers["cache-control"] == "no-store"
        assert answer.headers["x-content-type-options"] == "nosniff"
