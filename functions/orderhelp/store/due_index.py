"""The keys of the sparse index of orders awaiting a milestone (the delay check's index).

An order item carries `due_pk` and `due_sk` while the order waits on a deadline the delay check
watches (`Order.next_delay_deadline()`: a paid order's ship-by, a shipped order's delivery
estimate, each plus the grace, until its delay is recorded). Without them the item is not in the
index, so an order leaves it when it ships, is delivered or cancelled, or once its delay is
recorded, and comes back with a revised estimate. The index (its name and key schema are in
`infra/template.yaml`) therefore holds only orders that can still become late, sorted by when.

    due_pk  DUE#<shard>                          shard = a stable hash of the order id mod N
    due_sk  <deadline, fixed-width UTC>#<order_id>

One partition would take every milestone write of the shop; N shards spread them (see the
template's `DueIndexShards` parameter). The delay check queries each shard for `due_sk < now`:
an order exactly on its deadline is not late, one microsecond after it is.
"""

import hashlib
from datetime import UTC, datetime

from lifecycle.order import Order

DUE_PREFIX = "DUE#"
_MOMENT = "%Y-%m-%dT%H:%M:%S.%fZ"


def due_moment(moment: datetime) -> str:
    """A time as the index sorts it: UTC, always with microseconds, so that text order is time
    order (`09:00:00Z` would sort after `09:00:00.500000Z`)."""
    return moment.astimezone(UTC).strftime(_MOMENT)


def shard_of(order_id: str, shards: int) -> int:
    """The order's shard: the same in every process and every run (Python's `hash` is not)."""
    digest = hashlib.sha256(order_id.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % shards


def due_pk(shard: int) -> str:
    return f"{DUE_PREFIX}{shard}"


def due_sk(deadline: datetime, order_id: str) -> str:
    return f"{due_moment(deadline)}#{order_id}"


def due_keys(order: Order, shards: int) -> dict[str, str]:
    """The index keys the order item carries; none when the order awaits no deadline."""
    deadline = order.next_delay_deadline()
    if deadline is None:
        return {}
    return {
        "due_pk": due_pk(shard_of(order.order_id, shards)),
        "due_sk": due_sk(deadline, order.order_id),
    }
