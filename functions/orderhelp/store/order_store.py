"""The store: orders, their history and cases as items of one table (see `keys` for the layout).

Order details are one Query on the order's partition; a case with its latest activity is one
Query on the case's; every list is one Query per page (per shard for the case queue) on an index;
every change is one transaction, written from a `Changeset` (see `transactions`)."""

import heapq
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from lifecycle.actions import case_action
from lifecycle.attachments import Attachment
from lifecycle.case import Case, CaseStatus
from lifecycle.order import Order, OrderStatus
from orderhelp.changes import CASE_NUMBER, Changeset
from orderhelp.records import CaseRecord, OrderRecord
from orderhelp.store import codec, keys
from orderhelp.store.cursors import decode_cursor, encode_cursor
from orderhelp.store.table import Item, Query, SortRange, Table, TransactionCancelled
from orderhelp.store.transactions import refusal_of, writes_of


@dataclass(frozen=True)
class Indexes:
    """The index names the template gives the functions (None: this function has no use for
    it, and the template grants it no access)."""

    orders_by_customer: str | None = None
    cases_by_customer: str | None = None
    case_queue: str | None = None
    orders_awaiting_milestone: str | None = None
    orders_by_contact_email: str | None = None
    refund_queue: str | None = None


@dataclass(frozen=True)
class DuePage:
    orders: list[Order]
    """The orders of one page of the due index (it projects the whole order item)."""
    scanned: int


class OrderStore(Protocol):
    """What the flows need from storage."""

    def load(self, order_id: str) -> OrderRecord | None:
        """The order with its cases and history, or None."""

    def list_for_customer(
        self,
        customer_id: str,
        limit: int,
        cursor: str | None,
        status: OrderStatus | None = None,
    ) -> tuple[list[dict[str, Any]], str | None]:
        """One page of the customer's orders (those in `status` only, if given), newest first,
        and the cursor of the next page (bound to the customer and the filter)."""

    def customer_order(self, customer_id: str, order_id: str) -> dict[str, Any] | None:
        """The order item of `order_id` if it is the customer's, else None (missing or someone
        else's alike)."""

    def load_case(
        self,
        case_id: str,
        limit: int = ...,
        cursor: str | None = None,
        *,
        owner: str | None = None,
    ) -> CaseRecord | None:
        """The case with its newest activity (`limit` entries, or those before `cursor`); None
        when there is no such case, or (`owner` given) it is another customer's, before any
        cursor is looked at (a cursor never tells whether someone else's case exists)."""

    def get_case(self, case_id: str) -> Case | None:
        """The case alone, or None."""

    def load_attachment(self, attachment_id: str) -> Attachment | None:
        """The attachment's record, or None."""

    def case_by_number(self, number: int) -> Case | None:
        """The case with this number (`Case.number`), or None."""

    def list_cases_for_customer(
        self, customer_id: str, limit: int, cursor: str | None
    ) -> tuple[list[Case], str | None]:
        """One page of the customer's cases, newest activity first, and the next cursor."""

    def list_queue(
        self, status: CaseStatus, limit: int, cursor: str | None
    ) -> tuple[list[Case], str | None]:
        """One page of the cases in `status`, most urgent first, and the next cursor."""

    def cases_solved_before(self, cutoff: datetime, page_size: int) -> Iterator[list[Case]]:
        """Pages of the cases solved at or before `cutoff`, oldest first (the index is
        eventually consistent: a case may have changed since)."""

    def due_orders(self, shard: int, before: datetime, page_size: int) -> Iterator[DuePage]:
        """Pages of the orders of one shard whose delay deadline is before `before`."""

    def commit(self, change: Changeset) -> None:
        """Write `change` in one transaction or not at all: `ConcurrentUpdate` when something it
        was conditioned on changed, `OrderAlreadyExists` when creating an order whose id is
        taken."""


ACTIVITY_PAGE = 20
"""A case's activity read with it by default (its conversation's latest page)."""
FILTERED_PAGE = 100
"""Index items one Query of a status-filtered list of orders reads."""
FILTERED_READ_LIMIT = 500
"""Index items a status-filtered list reads at most per call before it answers."""

_ORDER_CURSOR = re.compile(r"^ORDER#\d{4}-\d\d-\d\dT[0-9:.]+Z#(?P<order_id>[A-Za-z0-9._:-]{1,64})$")
_CASE_CURSOR = re.compile(
    r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z#(?P<case_id>[A-Za-z0-9][A-Za-z0-9._:-]{0,63})$"
)
_ACTIVITY_CURSOR = re.compile(r"^ACTIVITY#(?P<version>\d{10})$")


class DynamoOrderStore:
    """`OrderStore` on the item layout of `keys`, over a `Table` (DynamoDB, or a test's)."""

    def __init__(
        self, table: Table, indexes: Indexes, *, due_shards: int, queue_shards: int
    ) -> None:
        self.table = table
        self._indexes = indexes
        self._due_shards = due_shards
        self._queue_shards = queue_shards

    # --- orders ----------------------------------------------------------------------------------

    def load(self, order_id: str) -> OrderRecord | None:
        items = list(self._whole_partition(keys.order_pk(order_id)))
        order_item = next((item for item in items if item["sk"] == keys.ORDER), None)
        if order_item is None:
            return None
        record = OrderRecord(order=codec.order_of(order_item))
        for item in items:
            sort_key: str = item["sk"]
            if sort_key.startswith(keys.HISTORY):
                record.history.append(codec.history_of(item))
            elif sort_key.startswith(keys.CASE_COPY):
                record.cases.append(codec.case_of(item))
            elif sort_key.startswith(keys.OPEN_CASE):
                action = case_action(sort_key.removeprefix(keys.OPEN_CASE))
                record.open_cases[action] = item["case_id"]
            else:
                codec.add_returns_item(record, sort_key, item)
        record.cases.sort(key=lambda case: case.opened_at, reverse=True)
        return record

    def list_for_customer(
        self,
        customer_id: str,
        limit: int,
        cursor: str | None,
        status: OrderStatus | None = None,
    ) -> tuple[list[dict[str, Any]], str | None]:
        """A Query on the customer's partition of OrdersByCustomer. With `status`, the pages of
        that Query are read until the page is full (the index has no status key: a customer's
        orders are few, and the items the filter skips are read in any case, as with a
        FilterExpression), at most `FILTERED_READ_LIMIT` index items per call: a page can then
        be short, with a cursor that goes on from the last item read."""
        index = _required(self._indexes.orders_by_customer, "OrdersByCustomer")
        partition = keys.customer_pk(customer_id)
        scope = customer_id if status is None else f"{customer_id}\nstatus={status}"
        start = None
        if cursor:
            after = decode_cursor(scope, cursor, _ORDER_CURSOR)
            start = {
                "customer_pk": partition,
                "customer_sk": after.string,
                **keys.order_key(after["order_id"]),
            }
        if status is None:
            page = self.table.query(
                Query(
                    ("customer_pk", partition),
                    index=index,
                    forward=False,
                    limit=limit + 1,
                    start=start,
                )
            )
            rows = [codec.plain(item) for item in page.items]
            more = len(rows) > limit or page.last_key is not None
            rows = rows[:limit]
            next_cursor = encode_cursor(scope, rows[-1]["customer_sk"]) if more and rows else None
            return rows, next_cursor
        matching: list[dict[str, Any]] = []
        last_read: dict[str, Any] | None = None
        read = 0
        while len(matching) <= limit and read < FILTERED_READ_LIMIT:
            page = self.table.query(
                Query(
                    ("customer_pk", partition),
                    index=index,
                    forward=False,
                    limit=min(FILTERED_PAGE, FILTERED_READ_LIMIT - read),
                    start=start,
                )
            )
            for item in page.items:
                read += 1
                last_read = item
                if item.get("status") == str(status):
                    matching.append(codec.plain(item))
                    if len(matching) > limit:
                        break
            if page.last_key is None:
                if len(matching) <= limit:
                    return matching, None  # the customer's every order was read
                break
            start = page.last_key
        if len(matching) > limit:
            matching = matching[:limit]
            position = matching[-1]["customer_sk"]
        else:
            # Out of reads before the page filled: go on from the last item read.
            assert last_read is not None
            position = last_read["customer_sk"]
        return matching, encode_cursor(scope, position)

    def customer_order(self, customer_id: str, order_id: str) -> dict[str, Any] | None:
        """One Query for the order item alone (`sk = ORDER`), not its history and cases."""
        page = self.table.query(
            Query(("pk", keys.order_pk(order_id)), SortRange("sk", "=", keys.ORDER), limit=1)
        )
        item = page.items[0] if page.items else None
        if item is None or item.get("customer_id") != customer_id:
            return None
        return dict(codec.plain(item))

    def due_orders(self, shard: int, before: datetime, page_size: int) -> Iterator[DuePage]:
        index = _required(self._indexes.orders_awaiting_milestone, "OrdersAwaitingMilestone")
        # Strictly before: an order exactly on its deadline is not late yet.
        query = Query(
            ("due_pk", keys.due_pk(shard)),
            SortRange("due_sk", "<", keys.sort_time(before)),
            index=index,
            limit=page_size,
        )
        while True:
            page = self.table.query(query)
            yield DuePage([codec.order_of(item) for item in page.items], page.scanned)
            if page.last_key is None:
                return
            query = _after(query, page.last_key)

    # --- cases -----------------------------------------------------------------------------------

    def load_case(
        self,
        case_id: str,
        limit: int = ACTIVITY_PAGE,
        cursor: str | None = None,
        *,
        owner: str | None = None,
    ) -> CaseRecord | None:
        partition = keys.case_pk(case_id)
        if cursor is None:
            # The case and its newest activity in one Query: `ACTIVITY#…` sorts before `CASE`.
            page = self.table.query(
                Query(
                    ("pk", partition),
                    SortRange("sk", "<=", keys.CASE),
                    forward=False,
                    limit=limit + 2,
                    consistent=True,
                )
            )
            items, truncated = page.items, page.last_key is not None
            if not items or items[0]["sk"] != keys.CASE:
                return None
            case, activity_items = codec.case_of(items[0]), items[1:]
            if owner is not None and case.customer_id != owner:
                return None
        else:
            found = self.get_case(case_id)
            if found is None or (owner is not None and found.customer_id != owner):
                return None
            version = decode_cursor(partition, cursor, _ACTIVITY_CURSOR)["version"]
            older_page = self.table.query(
                Query(
                    ("pk", partition),
                    SortRange("sk", "<", keys.activity_sk(int(version))),
                    forward=False,
                    limit=limit + 1,
                    consistent=True,
                )
            )
            activity_items, truncated = older_page.items, older_page.last_key is not None
            case = found
        # A page also ends early at DynamoDB's 1 MB per Query: there is more before it then.
        more = len(activity_items) > limit or (truncated and bool(activity_items))
        activity = [codec.activity_of(item) for item in activity_items[:limit]]
        activity.reverse()
        older = encode_cursor(partition, keys.activity_sk(activity[0].version)) if more else None
        return CaseRecord(case=case, activity=activity, older=older)

    def get_case(self, case_id: str) -> Case | None:
        item = self.table.get(keys.case_key(case_id))
        return codec.case_of(item) if item else None

    def load_attachment(self, attachment_id: str) -> Attachment | None:
        item = self.table.get(keys.attachment_key(attachment_id))
        return codec.attachment_of(item) if item else None

    def case_by_number(self, number: int) -> Case | None:
        """A GetItem on the number's claim (held by the case that opened with it), then one on
        the case."""
        claim = self.table.get(keys.claim_key(CASE_NUMBER, str(number)))
        return self.get_case(str(claim["owner"])) if claim else None

    def list_cases_for_customer(
        self, customer_id: str, limit: int, cursor: str | None
    ) -> tuple[list[Case], str | None]:
        index = _required(self._indexes.cases_by_customer, "CasesByCustomer")
        partition = keys.customer_pk(customer_id)
        scope = f"{index}\n{partition}"
        start = None
        if cursor:
            after = decode_cursor(scope, cursor, _CASE_CURSOR)
            start = {
                "case_customer_pk": partition,
                "case_customer_sk": after.string,
                **keys.case_key(after["case_id"]),
            }
        page = self.table.query(
            Query(
                ("case_customer_pk", partition),
                index=index,
                forward=False,
                limit=limit + 1,
                start=start,
            )
        )
        items = page.items[:limit]
        more = len(page.items) > limit or page.last_key is not None
        next_cursor = (
            encode_cursor(scope, items[-1]["case_customer_sk"]) if more and items else None
        )
        return [codec.case_of(item) for item in items], next_cursor

    def list_queue(
        self, status: CaseStatus, limit: int, cursor: str | None
    ) -> tuple[list[Case], str | None]:
        """The shards' pages merged: each shard is read from the same position (the last sort key
        of the previous page, compared as text), and the most urgent `limit` of all are the
        page, so the order is exact however the cases are spread."""
        index = _required(self._indexes.case_queue, "CaseQueue")
        scope = f"{index}\nQUEUE#{status}"
        after = decode_cursor(scope, cursor, _CASE_CURSOR).string if cursor else None
        sort = SortRange("queue_sk", ">", after) if after is not None else None
        pages = [
            self.table.query(
                Query(
                    ("queue_pk", keys.queue_pk(status, shard)),
                    sort,
                    index=index,
                    limit=limit + 1,
                )
            ).items
            for shard in range(self._queue_shards)
        ]
        merged = list(heapq.merge(*pages, key=lambda item: item["queue_sk"]))
        items = merged[:limit]
        more = len(merged) > limit
        next_cursor = encode_cursor(scope, items[-1]["queue_sk"]) if more else None
        return [codec.case_of(item) for item in items], next_cursor

    def cases_solved_before(self, cutoff: datetime, page_size: int) -> Iterator[list[Case]]:
        index = _required(self._indexes.case_queue, "CaseQueue")
        for shard in range(self._queue_shards):
            # `<time>#<case_id>` < `<cutoff>$` exactly when time <= cutoff ('#' sorts before '$').
            query = Query(
                ("queue_pk", keys.queue_pk(CaseStatus.SOLVED, shard)),
                SortRange("queue_sk", "<", f"{keys.sort_time(cutoff)}$"),
                index=index,
                limit=page_size,
            )
            while True:
                page = self.table.query(query)
                if page.items:
                    yield [codec.case_of(item) for item in page.items]
                if page.last_key is None:
                    break
                query = _after(query, page.last_key)

    # --- writes ----------------------------------------------------------------------------------

    def commit(self, change: Changeset) -> None:
        writes = writes_of(change, due_shards=self._due_shards, queue_shards=self._queue_shards)
        try:
            self.table.transact(writes, change.token())
        except TransactionCancelled as cancelled:
            raise refusal_of(change, cancelled) from cancelled

    # --- helpers ---------------------------------------------------------------------------------

    def _whole_partition(self, partition: str) -> Iterator[Item]:
        query = Query(("pk", partition), consistent=True)
        while True:  # one page in practice; an order's items stay far below 1 MB
            page = self.table.query(query)
            yield from page.items
            if page.last_key is None:
                return
            query = _after(query, page.last_key)


def _after(query: Query, last_key: Item) -> Query:
    return Query(
        query.partition,
        query.sort,
        index=query.index,
        forward=query.forward,
        limit=query.limit,
        start=last_key,
        consistent=query.consistent,
    )


def _required(index: str | None, name: str) -> str:
    if index is None:
        raise RuntimeError(f"this store was made without the {name} index")
    return index
