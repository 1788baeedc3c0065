"""My Orders filtered by status and searched by order number: answered from the customer's
OrdersByCustomer index or by the order's key (never a Scan); cursors keep to their filter; a
search for another customer's order finds nothing, exactly as a search for a missing one."""

import json
from typing import Any

import pytest

from orderhelp import aws
from tests.handlers.client import CUSTOMER, OTHER_CUSTOMER, Api, Identity, Reply

LUCIA = Identity.customer(CUSTOMER)

# Lucía's orders, oldest first, and the status each is brought to.
ORDERS = [
    ("ORD-A", "paid"),
    ("ORD-B", "delivered"),
    ("ORD-C", "paid"),
    ("ORD-D", "cancelled"),
    ("ORD-E", "shipped"),
    ("ORD-F", "paid"),
    ("ORD-G", "created"),
]


def my_orders(api: Api, query: str, identity: Identity = LUCIA, locale: str = "en") -> Reply:
    return api.call(
        "GET", f"/orders?{query}", identity=identity, headers={"accept-language": locale}
    )


def ids(reply: Reply) -> list[str]:
    assert reply.status == 200, reply
    return [order["order_id"] for order in reply.body["orders"]]


def every_page(api: Api, query: str) -> list[list[str]]:
    pages = []
    cursor = None
    while True:
        reply = my_orders(api, query + (f"&cursor={cursor}" if cursor else ""))
        pages.append(ids(reply))
        cursor = reply.body["next_cursor"]
        if cursor is None:
            return pages


@pytest.fixture(scope="module")
def api(shared_api: Api) -> Api:
    for order_id, status in ORDERS:
        shared_api.order_in(status, order_id=order_id)
    shared_api.order_in("paid", customer=OTHER_CUSTOMER, order_id="ORD-MARTA")
    return shared_api


class DynamoCalls:
    """The DynamoDB operations the handlers' client made."""

    def __init__(self) -> None:
        self.operations: list[str] = []

    def __call__(self, model: Any, **_: Any) -> None:
        self.operations.append(model.name)


@pytest.fixture
def dynamo_calls(api: Api) -> Any:
    recorder = DynamoCalls()
    events = aws.dynamodb().meta.events
    events.register("before-parameter-build.dynamodb.*", recorder, unique_id="order-search")
    yield recorder
    events.unregister("before-parameter-build.dynamodb.*", unique_id="order-search")


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("paid", ["ORD-F", "ORD-C", "ORD-A"]),
        ("delivered", ["ORD-B"]),
        ("cancelled", ["ORD-D"]),
        ("shipped", ["ORD-E"]),
        ("created", ["ORD-G"]),
    ],
)
def test_a_status_shows_only_the_orders_in_it_newest_first(
    api: Api, dynamo_calls: DynamoCalls, status: str, expected: list[str]
) -> None:
    assert ids(my_orders(api, f"status={status}")) == expected
    assert set(dynamo_calls.operations) == {"Query"}


def test_a_filtered_list_goes_page_by_page_and_its_cursor_keeps_to_the_filter(api: Api) -> None:
    # Given the paid orders a page of one at a time
    assert every_page(api, "status=paid&limit=1") == [["ORD-F"], ["ORD-C"], ["ORD-A"]]
    assert every_page(api, "status=paid&limit=2") == [["ORD-F", "ORD-C"], ["ORD-A"]]
    assert every_page(api, "limit=3") == [
        ["ORD-G", "ORD-F", "ORD-E"],
        ["ORD-D", "ORD-C", "ORD-B"],
        ["ORD-A"],
    ]
    paid_cursor = my_orders(api, "status=paid&limit=1").body["next_cursor"]
    plain_cursor = my_orders(api, "limit=1").body["next_cursor"]

    # When a cursor is used with another filter than its own
    for query in (
        f"status=shipped&cursor={paid_cursor}",
        f"cursor={paid_cursor}",
        f"status=paid&cursor={plain_cursor}",
    ):
        reply = my_orders(api, query)

        # Then it is refused as a cursor this list never gave out
        assert reply.status == 400, query
        assert reply.error["code"] == "invalid_cursor"


def test_a_search_by_order_number_finds_that_order_as_typed_or_in_small_letters(
    api: Api, dynamo_calls: DynamoCalls
) -> None:
    found = my_orders(api, "order_id=ORD-C")
    assert ids(found) == ["ORD-C"]
    assert found.body["next_cursor"] is None
    assert found.body["orders"][0] == my_orders(api, "status=paid&limit=3").body["orders"][1]
    assert ids(my_orders(api, "order_id=%20ord-c%20")) == ["ORD-C"]
    assert ids(my_orders(api, "order_id=ORD-C&status=paid")) == ["ORD-C"]
    assert ids(my_orders(api, "order_id=ORD-C&status=shipped")) == []
    # by the order's key: a Query of its item, no list read, never a Scan
    assert set(dynamo_calls.operations) == {"Query"}


@pytest.mark.parametrize("searched", ["ORD-MARTA", "ord-marta"])
def test_a_search_for_another_customers_order_finds_nothing_as_for_a_missing_one(
    api: Api, searched: str
) -> None:
    missing = my_orders(api, "order_id=ORD-NOBODY")
    foreign = my_orders(api, f"order_id={searched}")

    assert (missing.status, foreign.status) == (200, 200)
    assert foreign.body == missing.body == {"orders": [], "next_cursor": None}
    # and Marta finds her own
    assert ids(my_orders(api, f"order_id={searched}", Identity.customer(OTHER_CUSTOMER))) == [
        "ORD-MARTA"
    ]


@pytest.mark.parametrize("searched", ["no such thing!", "ORD/1", "Ω"])
def test_text_no_order_number_can_be_finds_nothing(api: Api, searched: str) -> None:
    reply = my_orders(api, "order_id=" + json.dumps(searched)[1:-1].replace(" ", "%20"))
    assert (reply.status, reply.body) == (200, {"orders": [], "next_cursor": None})


def test_a_search_is_one_page_it_takes_no_cursor(api: Api) -> None:
    cursor = my_orders(api, "limit=1").body["next_cursor"]
    reply = my_orders(api, f"order_id=ORD-C&cursor={cursor}")
    assert reply.status == 400
    assert reply.error["code"] == "invalid_cursor"


@pytest.mark.parametrize(
    ("query", "field"),
    [("status=lost", "status"), ("status=", "status"), ("order_id=" + "X" * 65, "order_id")],
)
def test_a_status_that_is_none_or_a_search_too_long_is_a_422_naming_it(
    api: Api, query: str, field: str
) -> None:
    reply = my_orders(api, query, locale="es")
    assert reply.status == 422
    assert reply.error["code"] == "validation_error"
    assert [problem["loc"] for problem in reply.error["errors"]] == [["query", field]]
