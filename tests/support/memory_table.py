"""A `Table` in memory that behaves as DynamoDB does for what the store asks of it: items by key,
Queries on the table and on its indexes (sparse, projected as the template says, in sort-key
order, paged by `Limit` and `ExclusiveStartKey`), and transactions that apply all their writes
or none, each write's condition evaluated on the item as stored, a repeated `ClientRequestToken`
answered without applying it again.

The indexes are the template's (`from_template`), so the services run on it exactly as on
DynamoDB; `tests/unit/test_store_contract.py` runs one suite against this and against moto."""

import copy
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from orderhelp.store.table import (
    Check,
    Delete,
    Item,
    Key,
    Page,
    Put,
    Query,
    SortRange,
    TransactionCancelled,
    Write,
)
from orderhelp.store.table import (
    _comparable as comparable,
)


@dataclass(frozen=True)
class IndexSchema:
    partition: str
    sort: str | None
    projection: str
    """`ALL`, `KEYS_ONLY` or `INCLUDE`."""
    included: tuple[str, ...] = ()


@dataclass(frozen=True)
class Injected:
    """What a fault does to the next transactions: `lose_answer` applies them and then raises as
    if the answer had been lost in the network."""

    lose_answer: int = 0


class AnswerLost(Exception):
    """The transaction was applied; its answer never arrived."""


class MemoryTable:
    def __init__(self, indexes: Mapping[str, IndexSchema]) -> None:
        self._items: dict[tuple[str, str], Item] = {}
        self._indexes = dict(indexes)
        self._tokens: dict[str, tuple[str, ...]] = {}
        self._lock = threading.Lock()
        self.transactions = 0
        self.queries = 0
        self.faults = Injected()

    @classmethod
    def from_template(cls, template: Mapping[str, Any] | None = None) -> "MemoryTable":
        from orderhelp_dev.local.template import resources

        (orders,) = (
            r
            for name, r in resources("AWS::DynamoDB::Table", template).items()
            if name == "OrdersTable"
        )
        indexes = {}
        for index in orders["Properties"].get("GlobalSecondaryIndexes", []):
            schema = {k["KeyType"]: k["AttributeName"] for k in index["KeySchema"]}
            projection = index["Projection"]
            indexes[index["IndexName"]] = IndexSchema(
                partition=schema["HASH"],
                sort=schema.get("RANGE"),
                projection=projection["ProjectionType"],
                included=tuple(projection.get("NonKeyAttributes", ())),
            )
        return cls(indexes)

    # --- Table ------------------------------------------------------------------------------------

    def get(self, key: Key, *, consistent: bool = True) -> Item | None:
        with self._lock:
            found = self._items.get((key["pk"], key["sk"]))
            return copy.deepcopy(found) if found else None

    def query(self, query: Query) -> Page:
        with self._lock:
            self.queries += 1
            rows = self._rows(query)
        if query.start is not None:
            sort_name = self._schema(query)[1]
            start = _position(sort_name, query.start)
            rows = [
                row
                for row in rows
                if (
                    _position(sort_name, row) > start
                    if query.forward
                    else _position(sort_name, row) < start
                )
            ]
        limited = rows if query.limit is None else rows[: query.limit]
        # As DynamoDB: a page that reached its Limit says where it stopped, more or not.
        reached = query.limit is not None and len(rows) >= query.limit
        last = self._last_key(query, limited[-1]) if reached and limited else None
        return Page([copy.deepcopy(r) for r in limited], last, len(limited))

    def transact(self, writes: Sequence[Write], token: str) -> None:
        fingerprint = tuple(repr(w) for w in writes)
        with self._lock:
            known = self._tokens.get(token)
            if known is not None:
                if known != fingerprint:
                    raise TransactionCancelled([], token=True)
                return
            failed = [w.label for w in writes if not w.condition.holds_for(self._stored(w))]
            if failed:
                raise TransactionCancelled(failed)
            for write in writes:
                self._apply(write)
            self._tokens[token] = fingerprint
            self.transactions += 1
            lose = self.faults.lose_answer > 0
            if lose:
                self.faults = Injected(lose_answer=self.faults.lose_answer - 1)
        if lose:
            raise AnswerLost

    # --- helpers ---------------------------------------------------------------------------------

    def items(self) -> list[Item]:
        with self._lock:
            return [copy.deepcopy(item) for _, item in sorted(self._items.items())]

    def _stored(self, write: Write) -> Item | None:
        key = write.item if isinstance(write, Put) else write.key
        return self._items.get((key["pk"], key["sk"]))

    def _apply(self, write: Write) -> None:
        if isinstance(write, Put):
            item = {k: comparable(v) for k, v in write.item.items() if v is not None}
            self._items[(item["pk"], item["sk"])] = copy.deepcopy(item)
        elif isinstance(write, Delete):
            self._items.pop((write.key["pk"], write.key["sk"]), None)
        elif not isinstance(write, Check):  # a Check writes nothing
            raise TypeError(write)

    def _schema(self, query: Query) -> tuple[str, str | None]:
        if query.index is None:
            return "pk", "sk"
        index = self._indexes[query.index]
        return index.partition, index.sort

    def _rows(self, query: Query) -> list[Item]:
        partition_name, sort_name = self._schema(query)
        if query.partition[0] != partition_name:
            raise ValueError(f"{query.index or 'the table'} is keyed by {partition_name}")
        rows = [
            item
            for item in self._items.values()
            if item.get(partition_name) == query.partition[1]
            and (sort_name is None or sort_name in item)
        ]
        if query.sort is not None:
            rows = [row for row in rows if _matches(query.sort, row)]
        rows.sort(key=lambda row: _position(sort_name, row), reverse=not query.forward)
        return [self._projected(query, row) for row in rows]

    def _projected(self, query: Query, row: Item) -> Item:
        if query.index is None:
            return row
        index = self._indexes[query.index]
        if index.projection == "ALL":
            return row
        keys = {"pk", "sk", index.partition, *([index.sort] if index.sort else [])}
        kept = keys | set(index.included if index.projection == "INCLUDE" else ())
        return {name: value for name, value in row.items() if name in kept}

    def _last_key(self, query: Query, row: Item) -> Item:
        partition_name, sort_name = self._schema(query)
        names = {"pk", "sk", partition_name, *([sort_name] if sort_name else [])}
        return {name: row[name] for name in names if name in row}


def _position(sort_name: str | None, row: Mapping[str, Any]) -> tuple[str, str, str]:
    """Sort-key order; ties (an index's equal keys) broken by the table's key."""
    value = str(row.get(sort_name, "")) if sort_name else ""
    return (value, str(row.get("pk", "")), str(row.get("sk", "")))


_OPERATORS: dict[str, Callable[[str, str, str | None], bool]] = {
    "=": lambda a, b, _: a == b,
    "<": lambda a, b, _: a < b,
    "<=": lambda a, b, _: a <= b,
    ">": lambda a, b, _: a > b,
    ">=": lambda a, b, _: a >= b,
    "begins_with": lambda a, b, _: a.startswith(b),
    "between": lambda a, b, upper: b <= a <= (upper or ""),
}


def _matches(sort: SortRange, row: Mapping[str, Any]) -> bool:
    value = row.get(sort.attribute)
    return isinstance(value, str) and _OPERATORS[sort.operator](value, sort.value, sort.upper)
