"""`Api.snapshot` reads moto's memory instead of scanning: it must give what a Scan gives."""

import json
from typing import Any

from orderhelp.config import store_settings
from orderhelp_dev.local.sample_events import seed_cases, seed_orders
from tests.handlers.client import Api
from tests.handlers.conftest import SeedCases, SeedOrders

EVERY_KIND = {
    "pk": {"S": "TEST#kinds"},
    "sk": {"S": "A"},
    "text": {"S": "añadir ✓"},
    "number": {"N": "-12.50"},
    "blob": {"B": b"\x00\xffphoto"},
    "blobs": {"BS": [b"\x01", b"\x02\x03"]},
    "texts": {"SS": ["a", "b"]},
    "numbers": {"NS": ["1", "2.5"]},
    "flag": {"BOOL": False},
    "nothing": {"NULL": True},
    "B": {"M": {"BS": {"L": [{"B": b"\x04"}, {"N": "7"}]}, "deep": {"M": {"s": {"S": "x"}}}}},
}
"""An item with every attribute type, binary nested in a list in a map, and attributes named
as types are."""


def _scanned(api: Api, table: str) -> list[dict[str, Any]]:
    pages = api.dynamodb.get_paginator("scan").paginate(
        TableName=table, ConsistentRead=True, PaginationConfig={"PageSize": 7}
    )
    items = [item for page in pages for item in page["Items"]]
    return sorted(items, key=lambda item: json.dumps(item, sort_keys=True, default=repr))


def test_a_snapshot_is_what_a_scan_of_every_page_returns(
    api: Api, seed: SeedOrders, seed_case_states: SeedCases
) -> None:
    seed(list(seed_orders()))
    seed_case_states(list(seed_cases()))
    settings = store_settings()
    api.dynamodb.put_item(TableName=settings.orders_table, Item=EVERY_KIND)

    snapshot = api.snapshot()

    assert len(_scanned(api, settings.orders_table)) > 7  # more than one page
    for table in (settings.orders_table, settings.idempotency_table):
        scanned = _scanned(api, table)
        assert sorted(
            snapshot[table], key=lambda i: json.dumps(i, sort_keys=True, default=repr)
        ) == (scanned)
    assert EVERY_KIND in snapshot[settings.orders_table]
