"""The scheduled delay check: find late orders, record each delay once, open proactive cases.

Candidates come from the sparse index of orders awaiting a milestone (see `store.keys`): one
Query per shard and page for `due_sk < now`, oldest deadline first, so a run reads what is due and
nothing else, whatever the size of the table. The index projects the whole order, so on the common
path a late order costs one index item and one transaction:

    rules (OrderLifecycle: is `record_shipping_delay` / `record_delivery_delay` enabled now?)
    → the delay recorded on the order, a history entry (actor: system), and a proactive case
      (opened by the system) or a system message on the order's open case for that action,
    → one transaction (a `Changeset`) conditioned on the order's status and version and on the
      case slot.

Only when that transaction is refused (the index copy was stale, or a case for the action is
already open so its slot is taken) does the check read the order's partition and decide once more
from what it finds. Two runs that overlap therefore never record a delay twice nor open two cases;
a run stops taking work when its time runs short, and the next run starts from what is still due
(what a run handled has left the index). A failure on one order is logged and counted; the order
stays in the index for the next run.
"""

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from aws_lambda_powertools import Logger

from lifecycle.actions import HelpAction
from lifecycle.case import Author, OpenedBy
from lifecycle.i18n import SUPPORTED_LOCALES, format_moment, translate
from lifecycle.order import Order
from lifecycle.order_lifecycle import DELAY_EVENTS, apply_event, enabled_events
from lifecycle.policy import CasePolicy
from orderhelp.case_numbers import CaseNumbers
from orderhelp.changes import Changeset, RequestContext
from orderhelp.errors import ConcurrentUpdate
from orderhelp.records import Actor, ActorKind, OrderRecord
from orderhelp.retry import RetryPolicy
from orderhelp.store import DuePage, OrderStore
from orderhelp.store.keys import sort_time
from orderhelp.timeutil import iso

logger = Logger(child=True)

Clock = Callable[[], datetime]
RemainingMillis = Callable[[], int]

DELAY_CHECK = Actor(kind=ActorKind.SYSTEM, id="delay-check")
DEFAULT_ZONE = ZoneInfo("Europe/Madrid")
"""The shop's time zone unless its settings say otherwise (`SHOP_TIME_ZONE`)."""


@dataclass(frozen=True)
class MissedMilestone:
    """What a delay event of `OrderLifecycle` means for the check: the case it opens, the
    estimate the order missed and the field where the delay is recorded."""

    action: HelpAction
    estimate_field: str
    recorded_field: str


MISSED: dict[str, MissedMilestone] = {
    "record_shipping_delay": MissedMilestone(
        HelpAction.SHIPPING_DELAY, "estimated_ship_by", "shipping_delayed_since"
    ),
    "record_delivery_delay": MissedMilestone(
        HelpAction.DELIVERY_DELAY, "estimated_delivery_by", "delivery_delayed_since"
    ),
}
"""One entry per delay event of `OrderLifecycle` (`DELAY_EVENTS`)."""

ATTEMPTS = 2
"""The index copy, then (if its transaction is refused) the order as read from its partition."""


class Outcome(StrEnum):
    OPENED = "opened"
    """The delay was recorded and a proactive case opened."""
    JOINED = "joined"
    """The delay was recorded and a system message added to the order's open case."""
    HANDLED = "handled"
    """Nothing to do: the delay was already recorded (another run), or the order moved on."""


class KeptChanging(Exception):
    """The order changed under the check on every attempt; the next run tries again."""


class DueOrders(Protocol):
    """Orders whose delay deadline passed before a given time, a page at a time (the store)."""

    def due_orders(self, shard: int, before: datetime, page_size: int) -> Iterator[DuePage]: ...


# --- a run ------------------------------------------------------------------------------------


@dataclass
class RunReport:
    """What one run did; the handler logs it as one line and publishes it as metrics."""

    now: datetime
    late_orders_found: int = 0
    cases_opened: int = 0
    cases_joined: int = 0
    skipped_already_handled: int = 0
    failures: int = 0
    pages: int = 0
    index_items_read: int = 0
    orders_reread: int = 0
    stopped_early: bool = False
    shards_failed: list[int] = field(default_factory=list)
    duration_ms: int = 0

    @property
    def delays_recorded(self) -> int:
        return self.cases_opened + self.cases_joined

    def count(self, outcome: Outcome) -> None:
        if outcome is Outcome.OPENED:
            self.cases_opened += 1
        elif outcome is Outcome.JOINED:
            self.cases_joined += 1
        else:
            self.skipped_already_handled += 1

    def figures(self) -> dict[str, Any]:
        return {
            "now": sort_time(self.now),
            "late_orders_found": self.late_orders_found,
            "delays_recorded": self.delays_recorded,
            "cases_opened": self.cases_opened,
            "cases_joined": self.cases_joined,
            "skipped_already_handled": self.skipped_already_handled,
            "failures": self.failures,
            "pages": self.pages,
            "index_items_read": self.index_items_read,
            "orders_reread": self.orders_reread,
            "stopped_early": self.stopped_early,
            "shards_failed": list(self.shards_failed),
            "duration_ms": self.duration_ms,
        }


class DelayCheck:
    def __init__(
        self,
        store: OrderStore,
        due: DueOrders,
        *,
        clock: Clock,
        case_policy: CasePolicy,
        shards: int,
        page_size: int,
        time_margin_ms: int,
        zone: ZoneInfo = DEFAULT_ZONE,
        retry: RetryPolicy | None = None,
        numbers: CaseNumbers | None = None,
    ) -> None:
        self._zone = zone
        self._store = store
        self._due = due
        self._clock = clock
        self._case_policy = case_policy
        self._shards = shards
        self._page_size = page_size
        self._time_margin_ms = time_margin_ms
        self._retry = retry or RetryPolicy(attempts=ATTEMPTS)
        self._numbers = numbers or CaseNumbers()

    def run(self, remaining_ms: RemainingMillis) -> RunReport:
        """Handle every order that is late now, until done or until less than the margin of
        time is left (checked before each page and each order)."""
        started = time.monotonic()
        report = RunReport(now=self._clock())
        # Shards take turns page by page, oldest deadlines first within each: a backlog in one
        # shard cannot starve the others when runs keep stopping early.
        cursors: dict[int, Iterator[DuePage] | None] = dict.fromkeys(range(self._shards))
        while cursors and not report.stopped_early:
            for shard in list(cursors):
                if remaining_ms() < self._time_margin_ms:
                    report.stopped_early = True
                    break
                page = self._next_page(shard, cursors, report)
                if page is not None:
                    self._handle_page(page, remaining_ms, report)
                if report.stopped_early:
                    break
        report.duration_ms = int((time.monotonic() - started) * 1000)
        return report

    def _next_page(
        self, shard: int, cursors: dict[int, Iterator[DuePage] | None], report: RunReport
    ) -> DuePage | None:
        try:
            cursor = cursors[shard]
            if cursor is None:
                cursor = cursors[shard] = iter(
                    self._due.due_orders(shard, report.now, self._page_size)
                )
            page = next(cursor)
        except StopIteration:
            del cursors[shard]
            return None
        except Exception:
            # The orders of this shard wait for the next run; the other shards go on.
            logger.exception("delay check: reading the due orders failed", extra={"shard": shard})
            report.shards_failed.append(shard)
            del cursors[shard]
            return None
        report.pages += 1
        report.index_items_read += page.scanned
        return page

    def _handle_page(self, page: DuePage, remaining_ms: RemainingMillis, report: RunReport) -> None:
        for order in page.orders:
            if remaining_ms() < self._time_margin_ms:
                report.stopped_early = True
                return
            report.late_orders_found += 1
            try:
                report.count(self._handle(order, report))
            except Exception:
                report.failures += 1
                logger.exception("delay check: an order failed", extra={"order_id": order.order_id})

    def _handle(self, indexed: Order, report: RunReport) -> Outcome:
        record: OrderRecord | None = OrderRecord(order=indexed)  # the index copy: no cases yet
        for attempt in self._retry.tries():
            if record is None:
                return Outcome.HANDLED
            try:
                return self._record_delay(record, attempt)
            except ConcurrentUpdate:
                # The index copy was stale, another run got there first, or a case for the
                # action is open (its slot is taken): decide again from the order's partition.
                record = self._store.load(indexed.order_id)
                report.orders_reread += 1
        if record is None or self._delay_event(record.order, self._clock()) is None:
            return Outcome.HANDLED
        raise KeptChanging(f"order '{indexed.order_id}' changed on every attempt")

    def _record_delay(self, record: OrderRecord, attempt: int) -> Outcome:
        now = self._clock()
        order = record.order
        event = self._delay_event(order, now)
        if event is None:
            return Outcome.HANDLED
        missed = MISSED[event]
        changed = apply_event(order, event, now=now)
        estimate: datetime = getattr(order, missed.estimate_field)
        late_since: datetime = getattr(changed, missed.recorded_field)
        facts = {missed.estimate_field: iso(estimate), missed.recorded_field: iso(late_since)}
        # One request per order and deadline: a run that repeats it writes nothing new.
        request = RequestContext.derived(DELAY_CHECK, event, order.order_id, iso(late_since))
        change = Changeset(request, now, attempt=attempt)
        already_open = record.open_case(missed.action)
        case, _ = change.write_to_customer_service(
            already_open,
            order_id=order.order_id,
            customer_id=order.customer_id,
            action=missed.action,
            author=Author.SYSTEM,
            body=delay_message(
                missed.action,
                estimate,
                late_since,
                locale=order.contact.locale if order.contact else None,
                zone=self._zone,
            ),
            opened_by=OpenedBy.SYSTEM,
            policy=self._case_policy,
            numbers=self._numbers,
            details=facts,
        )
        change.change_order(order, changed, event, {"case_id": case.case_id, **facts})
        self._numbers.commit(self._store, change)
        return Outcome.OPENED if already_open is None else Outcome.JOINED

    @staticmethod
    def _delay_event(order: Order, now: datetime) -> str | None:
        """The delay event the order's machine accepts now, if any: the rules decide lateness."""
        due = sorted(enabled_events(order, now) & set(DELAY_EVENTS))
        return due[0] if due else None


def delay_message(
    action: HelpAction,
    estimate: datetime,
    late_since: datetime,
    *,
    locale: str | None,
    zone: ZoneInfo,
) -> str:
    """The system message of a delay, which the customer reads: what was missed and since when
    the order is late, in the order's contact language and the shop's time zone; in every
    supported language when the order has no contact (the check cannot know which one)."""
    return "\n\n".join(
        translate(
            language,
            "delay_check",
            action,
            estimate=format_moment(estimate, language, zone),
            deadline=format_moment(late_since, language, zone),
        )
        for language in ((locale,) if locale else SUPPORTED_LOCALES)
    )
