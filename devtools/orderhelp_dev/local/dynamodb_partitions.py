"""Moto's `Query` on a table's own key, reading the queried partition alone.

Moto finds a partition's items by sorting every item of the table and keeping those with the
partition's key: each query costs as much as the whole table (30 ms at 5,000 items, and a local
stack that runs a test session holds thousands). DynamoDB reads the partition; so does this. The
items are the same ones (moto keeps a table's items by partition key already), and moto's own
query then sorts, pages, filters and projects them as before. Index queries are left as moto
makes them.

`tests/handlers/test_dynamodb_partitions.py` holds it to moto's own query. `install()` patches
moto in this process: the embedded server's and in-process `mock_aws`."""

from typing import Any

from moto.dynamodb.models.dynamo_type import DynamoType, Item
from moto.dynamodb.models.table import Table

moto_query = Table.query
"""Moto's own."""


class _OnePartition:
    """The table as its query sees it: the items of one partition, everything else the table's."""

    def __init__(self, table: Table, hash_key: DynamoType) -> None:
        self._table = table
        self._hash_key = hash_key

    def __getattr__(self, name: str) -> Any:
        return getattr(self._table, name)

    def all_items(self) -> list[Item]:
        # `get`: the table's items are a defaultdict, and a query must not add a partition.
        partition = self._table.items.get(self._hash_key)
        if partition is None:
            return []
        if self._table.range_key_attr:
            return list(partition.values())
        return [partition]  # type: ignore[list-item]  # (a table without a sort key)


def query(table: Table, hash_key: DynamoType | None, *args: Any, **kwargs: Any) -> Any:
    index_name = kwargs.get("index_name") or (args[6] if len(args) > 6 else None)
    if index_name or hash_key is None:
        return moto_query(table, hash_key, *args, **kwargs)
    return moto_query(_OnePartition(table, hash_key), hash_key, *args, **kwargs)  # type: ignore[arg-type]


def install() -> None:
    """Once per process, before moto takes requests (idempotent)."""
    Table.query = query  # type: ignore[method-assign,assignment]
