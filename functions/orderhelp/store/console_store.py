"""What the agents' console reads besides orders and cases: its search lookups, the active cases
its views are made of, saved replies, agents' profiles and the daily figures. Every read is a
GetItem or a Query on designed keys or an index (see `keys`); writes go through the order store's
one commit path (`Changeset.put_record`, `Changeset.claim`)."""

from collections.abc import Iterator
from datetime import date
from typing import Any, Protocol

from lifecycle.case import Case, CaseStatus
from orderhelp.changes import Changeset
from orderhelp.console_records import (
    AgentProfile,
    SavedReply,
    StatsBacklog,
    StatsDay,
)
from orderhelp.records import CaseActivity
from orderhelp.store import codec, keys
from orderhelp.store.order_store import DynamoOrderStore, Indexes
from orderhelp.store.table import Item, Query, SortRange, Table

ACTIVE_STATUSES = (CaseStatus.OPEN, CaseStatus.PENDING)


class ConsoleStore(Protocol):
    def orders_by_contact_email(self, email: str, limit: int) -> list[dict[str, Any]]:
        """The newest orders whose contact email is `email`, exactly (normalised as an order's
        contact is): one Query."""

    def active_cases(self) -> list[Case]:
        """Every case that is customer service's or the customer's turn (open or pending), read
        from the case queue (a Query per status and shard)."""

    def saved_replies(self) -> list[SavedReply]:
        """Every saved reply, deleted ones included (one Query)."""

    def saved_reply(self, reply_id: str) -> SavedReply | None: ...

    def profiles(self) -> list[AgentProfile]:
        """Every agent's profile (one Query)."""

    def profile(self, agent_id: str) -> AgentProfile | None: ...

    def stats_days(self, first: date, last: date) -> list[StatsDay]:
        """Every shard of every day from `first` to `last` (one Query)."""

    def stats_day(self, day: date, shard: int) -> StatsDay | None: ...

    def stats_backlog(self) -> list[StatsBacklog]:
        """Every shard of the backlog's counts (one Query)."""

    def stats_backlog_shard(self, shard: int) -> StatsBacklog | None: ...

    def activity(self, case_id: str, version: int) -> tuple[CaseActivity, str] | None:
        """The case's activity at `version` and the case's help action, or None."""

    def claimed(self, kind: str, value: str) -> bool: ...

    def commit(self, change: Changeset) -> None: ...


class DynamoConsoleStore:
    """`ConsoleStore` on the table the order store writes to."""

    def __init__(self, orders: DynamoOrderStore, indexes: Indexes, *, queue_shards: int) -> None:
        self._orders = orders
        self.table: Table = orders.table
        self._indexes = indexes
        self._queue_shards = queue_shards

    # --- search ----------------------------------------------------------------------------------

    def orders_by_contact_email(self, email: str, limit: int) -> list[dict[str, Any]]:
        index = _required(self._indexes.orders_by_contact_email, "OrdersByContactEmail")
        page = self.table.query(
            Query(
                (keys.CONTACT_EMAIL_KEYS[0], keys.contact_email_pk(email)),
                index=index,
                forward=False,
                limit=limit,
            )
        )
        return [codec.plain(item) for item in page.items]

    # --- views -----------------------------------------------------------------------------------

    def active_cases(self) -> list[Case]:
        index = _required(self._indexes.case_queue, "CaseQueue")
        cases = []
        for status in ACTIVE_STATUSES:
            for shard in range(self._queue_shards):
                query = Query(("queue_pk", keys.queue_pk(status, shard)), index=index)
                cases += [codec.case_of(item) for item in self._all(query)]
        return cases

    # --- records ---------------------------------------------------------------------------------

    def saved_replies(self) -> list[SavedReply]:
        query = Query(("pk", keys.REPLIES), consistent=True)
        return [codec.model_of(SavedReply, item) for item in self._all(query)]

    def saved_reply(self, reply_id: str) -> SavedReply | None:
        item = self.table.get(keys.reply_key(reply_id))
        return codec.model_of(SavedReply, item) if item else None

    def profiles(self) -> list[AgentProfile]:
        query = Query(("pk", keys.AGENTS), consistent=True)
        return [codec.model_of(AgentProfile, item) for item in self._all(query)]

    def profile(self, agent_id: str) -> AgentProfile | None:
        item = self.table.get(keys.profile_key(agent_id))
        return codec.model_of(AgentProfile, item) if item else None

    def stats_days(self, first: date, last: date) -> list[StatsDay]:
        # `DAY#<last>#~` is past every shard of the last day ('~' sorts after the digits).
        query = Query(
            ("pk", keys.STATS),
            SortRange("sk", "between", keys.stats_day_sk(first), f"{keys.stats_day_sk(last)}~"),
        )
        return [codec.model_of(StatsDay, item) for item in self._all(query)]

    def stats_day(self, day: date, shard: int) -> StatsDay | None:
        item = self.table.get(keys.stats_day_key(day, shard))
        return codec.model_of(StatsDay, item) if item else None

    def stats_backlog(self) -> list[StatsBacklog]:
        query = Query(("pk", keys.STATS), SortRange("sk", "begins_with", keys.STATS_BACKLOG))
        return [codec.model_of(StatsBacklog, item) for item in self._all(query)]

    def stats_backlog_shard(self, shard: int) -> StatsBacklog | None:
        item = self.table.get(keys.stats_backlog_key(shard))
        return codec.model_of(StatsBacklog, item) if item else None

    def activity(self, case_id: str, version: int) -> tuple[CaseActivity, str] | None:
        item = self.table.get(keys.activity_key(case_id, version))
        if item is None:
            return None
        return codec.activity_of(item), str(item.get("action", ""))

    def claimed(self, kind: str, value: str) -> bool:
        return self.table.get(keys.claim_key(kind, value)) is not None

    def commit(self, change: Changeset) -> None:
        self._orders.commit(change)

    def _all(self, query: Query) -> Iterator[Item]:
        while True:
            page = self.table.query(query)
            yield from page.items
            if page.last_key is None:
                return
            query = Query(
                query.partition,
                query.sort,
                index=query.index,
                forward=query.forward,
                limit=query.limit,
                start=page.last_key,
                consistent=query.consistent,
            )


def _required(index: str | None, name: str) -> str:
    if index is None:
        raise RuntimeError(f"this store was made without the {name} index")
    return index
