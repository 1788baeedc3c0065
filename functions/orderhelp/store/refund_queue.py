"""The payment system's work list: the refunds in one status (due, or failed), oldest first, from
the sparse, sharded RefundQueue index (see `keys`). A page merges the shards' pages, so its order
is exact however the refunds are spread."""

import heapq
import re

from lifecycle.refunds import Refund, RefundStatus
from orderhelp.store import codec, keys
from orderhelp.store.cursors import decode_cursor, encode_cursor
from orderhelp.store.table import Query, SortRange, Table

_REFUND_CURSOR = re.compile(
    r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z#(?P<refund_id>[A-Za-z0-9][A-Za-z0-9._:-]{0,79})$"
)


class RefundQueue:
    def __init__(self, table: Table, index: str | None) -> None:
        self._table = table
        self._index = index

    def page(
        self, status: RefundStatus, limit: int, cursor: str | None
    ) -> tuple[list[Refund], str | None]:
        if self._index is None:
            raise RuntimeError("this store was made without the RefundQueue index")
        scope = f"{self._index}\n{keys.REFUNDS}{status}"
        after = decode_cursor(scope, cursor, _REFUND_CURSOR).string if cursor else None
        sort = SortRange("refund_queue_sk", ">", after) if after is not None else None
        pages = [
            self._table.query(
                Query(
                    ("refund_queue_pk", keys.refund_queue_pk(status, shard)),
                    sort,
                    index=self._index,
                    limit=limit + 1,
                )
            ).items
            for shard in range(keys.REFUND_QUEUE_SHARDS)
        ]
        merged = list(heapq.merge(*pages, key=lambda item: item["refund_queue_sk"]))
        items = merged[:limit]
        more = len(merged) > limit
        next_cursor = encode_cursor(scope, items[-1]["refund_queue_sk"]) if more else None
        return [codec.model_of(Refund, item) for item in items], next_cursor
