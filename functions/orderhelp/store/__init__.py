"""The store, by concern: `keys` (the item layout, the only place keys are spelled), `codec`
(records as items and back), `cursors` (page cursors), `table` (items, Queries and conditional
transactions as data, and DynamoDB's implementation), `transactions` (a changeset as the table's
writes) and `order_store` (the store the flows use, behind the `OrderStore` protocol)."""

from orderhelp.store.order_store import (
    ACTIVITY_PAGE,
    DuePage,
    DynamoOrderStore,
    Indexes,
    OrderStore,
)
from orderhelp.store.table import DynamoTable, Table

__all__ = [
    "ACTIVITY_PAGE",
    "DuePage",
    "DynamoOrderStore",
    "DynamoTable",
    "Indexes",
    "OrderStore",
    "Table",
]
