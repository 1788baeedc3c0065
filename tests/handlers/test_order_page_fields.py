"""What the customer's page shows of an order besides its help (issue 14): the carrier's tracking
link, the products' pictures in Order Details and in My Orders (read from the OrdersByCustomer
index, so only what the template projects), and addresses checked the way their country writes
them."""

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from lifecycle.order import IMAGE_URL_MAX_LENGTH
from orderhelp.models import FIRST_ITEMS_LISTED
from tests.handlers.client import CUSTOMER, NEW_ADDRESS, Api, Identity

ME = Identity.customer(CUSTOMER)
SHOP = Identity.shop()


def _ship(api: Api, order_id: str, carrier: str, tracking_number: str) -> None:
    assert api.pay(order_id).status == 200
    body = {
        "carrier": carrier,
        "tracking_number": tracking_number,
        "estimated_delivery_by": "2026-05-20T18:00:00Z",
    }
    reply = api.call("POST", f"/ops/orders/{order_id}/ship", body, identity=SHOP)
    assert reply.status == 200, reply.body


def _line(sku: str, **changes: Any) -> dict[str, Any]:
    return {"sku": sku, "name": f"Producto {sku}", "quantity": 1, "unit_price": "5.00"} | changes


# --- tracking -------------------------------------------------------------------------------------


def test_a_shipped_order_links_to_the_carriers_tracking_page(api: Api) -> None:
    assert api.create_order(CUSTOMER, "ORD-1").status == 201
    _ship(api, "ORD-1", "Correos Express", "CX 12/34")

    order = api.details("ORD-1").body

    assert order["tracking_number"] == "CX 12/34"
    link = urlsplit(order["tracking_url"])
    assert (link.scheme, link.netloc, link.path) == (
        "https",
        "s.correosexpress.com",
        "/SeguimientoSinCP/search",
    )
    assert parse_qs(link.query) == {"n": ["CX 12/34"]}
    # The shop's systems see the same order with the same link
    ops = api.call("GET", "/ops/orders/ORD-1", identity=SHOP).body
    assert ops["tracking_url"] == order["tracking_url"]


def test_an_unknown_carrier_has_no_link_and_the_number_alone(api: Api) -> None:
    assert api.create_order(CUSTOMER, "ORD-1").status == 201
    _ship(api, "ORD-1", "Mensajería del Barrio", "MB-778")

    order = api.details("ORD-1").body

    assert (order["carrier"], order["tracking_number"], order["tracking_url"]) == (
        "Mensajería del Barrio",
        "MB-778",
        None,
    )


def test_an_order_not_shipped_has_no_tracking_link(api: Api) -> None:
    order_id = api.order_in("paid")
    assert api.details(order_id).body["tracking_url"] is None


# --- pictures -------------------------------------------------------------------------------------


def test_order_details_give_each_line_its_picture_or_none(api: Api) -> None:
    picture = "https://images.example.com/p/lamp-01.jpg?w=160"
    items = [_line("LAMP-01", image_url=picture), _line("BULB-E27")]
    assert api.create_order(CUSTOMER, "ORD-1", items=items).status == 201

    lines = api.details("ORD-1").body["items"]

    assert [(line["sku"], line["image_url"]) for line in lines] == [
        ("LAMP-01", picture),
        ("BULB-E27", None),
    ]


@pytest.mark.parametrize(
    ("image_url", "error_type"),
    [
        ("http://images.example.com/lamp.jpg", "url_scheme"),
        ("javascript:alert(document.cookie)", "url_scheme"),
        ("data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=", "url_scheme"),
        ("https://images.example.com/" + "a" * IMAGE_URL_MAX_LENGTH, "string_too_long"),
        ("https://images.example.com/<script>", "string_pattern_mismatch"),
    ],
)
def test_a_picture_that_is_not_an_https_url_is_422_at_the_line(
    api: Api, image_url: str, error_type: str
) -> None:
    items = [_line("LAMP-01"), _line("BULB-E27", image_url=image_url)]

    reply = api.create_order(CUSTOMER, "ORD-1", items=items)

    assert reply.status == 422, reply.body
    assert reply.error["code"] == "validation_error"
    assert [(error["loc"], error["type"]) for error in reply.error["errors"]] == [
        (["body", "items", 1, "image_url"], error_type)
    ]
    # Nothing was written
    assert api.stored("ORD-1") is None


def test_my_orders_shows_the_first_lines_with_their_pictures(api: Api) -> None:
    many = [
        _line(f"SKU-{n}", image_url=f"https://images.example.com/{n}.png")
        for n in range(FIRST_ITEMS_LISTED + 2)
    ]
    assert api.create_order(CUSTOMER, "ORD-MANY", items=many).status == 201
    assert api.create_order(CUSTOMER, "ORD-PLAIN", placed_at="2026-01-01T00:00:00Z").status == 201

    listed = api.call("GET", "/orders", identity=ME).body["orders"]

    by_id = {order["order_id"]: order for order in listed}
    assert by_id["ORD-MANY"]["first_items"] == [
        {
            "sku": f"SKU-{n}",
            "name": f"Producto SKU-{n}",
            "quantity": 1,
            "image_url": f"https://images.example.com/{n}.png",
        }
        for n in range(FIRST_ITEMS_LISTED)
    ]
    assert by_id["ORD-MANY"]["item_count"] == FIRST_ITEMS_LISTED + 2
    assert [line["image_url"] for line in by_id["ORD-PLAIN"]["first_items"]] == [None, None]
    assert [line["name"] for line in by_id["ORD-PLAIN"]["first_items"]] == [
        "Lámpara de mesa",
        "Bombilla LED",
    ]


# --- addresses ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "loc", "error_type"),
    [
        ({"postal_code": "99999"}, "postal_code", "postal_code_format"),
        ({"country": "GB", "postal_code": "28013"}, "postal_code", "postal_code_format"),
        ({"country": "US", "postal_code": "94105"}, "region", "region_required"),
        ({"country": "US", "postal_code": "94105", "region": "XX"}, "region", "region_code"),
    ],
)
def test_an_address_not_written_as_its_country_writes_it_is_422_at_the_field(
    api: Api, address: dict[str, str], loc: str, error_type: str
) -> None:
    order_id = api.order_in("paid")

    reply = api.help(order_id, "change_address", {"address": NEW_ADDRESS | address})

    assert reply.status == 422, reply.body
    assert [(error["loc"], error["type"]) for error in reply.error["errors"]] == [
        (["body", "address", loc], error_type)
    ]
    stored = api.stored(order_id)
    assert stored is not None
    assert stored.order.shipping_address.postal_code == "28014"


def test_a_postcode_is_kept_the_way_its_country_writes_it(api: Api) -> None:
    order_id = api.order_in("paid")
    london = NEW_ADDRESS | {"city": "London", "postal_code": "nw16xe", "country": "GB"}

    reply = api.help(order_id, "change_address", {"address": london})

    assert reply.status == 201, reply.body
    assert reply.body["order"]["shipping_address"]["postal_code"] == "NW1 6XE"
