"""Customer service's figures, kept from the domain events into per-day aggregate items.

`count(event)` takes one case event as the template's rule hands it over from the events bus
(`domain_events`: the outbox publisher's, made from the stream's log entries) and adds what it
means to the figures, in one transaction that also claims the event's `detail.event_id` — stable
on every delivery, unlike the envelope's `id`, which EventBridge gives anew to a republished or
replayed event — so that an event delivered twice (at-least-once delivery, a replay from the
archive) counts once. What an event means is read from the log entry it was made of — the
case's activity at the event's version (who moved the case from which status to which) — so
the figures have one source of truth, the outbox, whatever else the detail says and in whatever
order events arrive:

- cases opened per day by help action (the `open` activity);
- the backlog by status and action (every activity that changes the status moves one case);
- first answers per day, bucketed by how long they took, and whether they were in time (the
  case's `first_responded_at`, counted once per case whichever of its answers tells it first);
- ratings per day (`CaseRated`, issue 14's);
- refunds issued per day, by source, and what they paid back per currency (`RefundIssued`,
  issue 12's: an issued refund is final, so its detail is what its log entry says).

`stats(days)` reads a period back: one Query of the period's day items, one of the backlog's."""

from collections.abc import Callable, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from aws_lambda_powertools import Logger

from lifecycle.actions import case_action
from lifecycle.case import CaseStatus
from lifecycle.stats import (
    add_counts,
    bucket_of,
    day_of,
    percentile,
    period,
    share,
)
from orderhelp.attempts import recognised, write_once
from orderhelp.changes import Changeset, RequestContext
from orderhelp.console_models import (
    BacklogCount,
    DayFigures,
    FirstResponse,
    Stats,
)
from orderhelp.console_records import StatsBacklog, StatsDay, StatsEventDetail, StatsRefundDetail
from orderhelp.errors import Conflict
from orderhelp.models import Money
from orderhelp.records import Actor, ActorKind
from orderhelp.retry import RetryPolicy
from orderhelp.store import OrderStore, keys
from orderhelp.store.console_store import ConsoleStore

logger = Logger(child=True)

Clock = Callable[[], datetime]

STATS = Actor(kind=ActorKind.SYSTEM, id="stats")
STATS_SHARDS = 4
"""Shards of each day's figures and of the backlog: each event writes one shard (by its id), so
a burst of events spreads over four items instead of contending for one."""

CASE_EVENTS = (
    "CaseOpened",
    "CaseAnswered",
    "CaseCustomerReplied",
    "CaseSolved",
    "CaseClosed",
)
"""One per activity that can move a case: `domain_events.MAPPINGS` emits exactly one of these
for each. `CaseReopened` is left out — it is the second event of a customer's reply to a solved
case, whose `CaseCustomerReplied` counts that activity already."""
RATED = "CaseRated"
REFUND_ISSUED = "RefundIssued"
COUNTED_EVENTS = (*CASE_EVENTS, RATED, REFUND_ISSUED)
"""The detail types the template's rule sends the aggregation (issue 14 adds `CaseRated`,
issue 12 `RefundIssued`)."""


class UnknownCaseChange(Exception):
    """An event names a case change that is not stored: it is not counted, and is retried (then
    dead-lettered) rather than dropped."""


class StatsService:
    def __init__(
        self,
        orders: OrderStore,
        console: ConsoleStore,
        clock: Clock,
        *,
        retry: RetryPolicy | None = None,
        shards: int = STATS_SHARDS,
        breached: Callable[[], None] = lambda: None,
    ) -> None:
        self._orders = orders
        self._console = console
        self._clock = clock
        self._retry = retry or RetryPolicy()
        self._shards = shards
        self._breached = breached
        """Called for each first answer counted late (the first-response breach metric)."""

    # --- keeping the figures ---------------------------------------------------------------------

    def count(self, event: Mapping[str, Any]) -> bool:
        """Add `event` to the figures; False when it was counted before (or means nothing)."""
        detail_type = str(event.get("detail-type", ""))
        if detail_type not in COUNTED_EVENTS:
            return False
        raw = event.get("detail") or {}
        detail: StatsEventDetail | StatsRefundDetail = (
            StatsRefundDetail.model_validate(raw)
            if detail_type == REFUND_ISSUED
            else StatsEventDetail.model_validate(raw)
        )
        event_id = detail.event_id
        request = RequestContext.derived(STATS, "stats", event_id)
        shard = keys.shard_of(event_id, self._shards)

        def attempt(number: int) -> bool:
            if self._console.claimed(keys.STATS_EVENT_CLAIM, event_id):
                return recognised(False)
            change = Changeset(request, self._clock(), attempt=number)
            change.claim(keys.STATS_EVENT_CLAIM, event_id, STATS.id or "")
            figures = _Figures(self._console, shard)
            if isinstance(detail, StatsRefundDetail):
                _add_refund(figures.day(day_of(detail.issued_at)), detail)
            elif detail_type == RATED:
                if detail.rating:
                    _add(figures.day(day_of(detail.occurred_at)).ratings, detail.rating, 1)
            else:
                late = self._case_change(change, figures, detail, event_id)
                if late:
                    self._breached()
            figures.write(change)
            self._console.commit(change)
            return True

        return write_once(self._retry, attempt, lambda: _gave_up(event_id))

    def _case_change(
        self, change: Changeset, figures: "_Figures", detail: StatsEventDetail, event_id: str
    ) -> bool:
        """What one case change adds; True when it told a first answer that came late."""
        found = self._console.activity(detail.case_id, detail.version)
        if found is None:
            raise UnknownCaseChange(f"case {detail.case_id} has no version {detail.version}")
        activity, action = found
        before, after = activity.from_status, activity.to_status
        if before != after:
            counts = figures.backlog().counts
            if before is not None and before is not CaseStatus.CLOSED:
                _add(counts.setdefault(str(before), {}), action, -1)
            if after is not CaseStatus.CLOSED:
                _add(counts.setdefault(str(after), {}), action, 1)
        if before is None:
            _add(figures.day(day_of(activity.at)).opened, action, 1)
        if activity.event != "agent_reply":
            return False
        if self._console.claimed(keys.FIRST_ANSWER_CLAIM, detail.case_id):
            return False
        case = self._orders.get_case(detail.case_id)
        if case is None or case.first_responded_at is None:
            return False
        change.claim(keys.FIRST_ANSWER_CLAIM, detail.case_id, event_id)
        day = figures.day(day_of(case.first_responded_at))
        _add(day.first_answers, bucket_of(case.first_responded_at - case.opened_at), 1)
        if case.first_responded_at <= case.first_response_due_at:
            day.first_answers_in_time += 1
            return False
        day.first_answers_late += 1
        return True

    # --- reading them ----------------------------------------------------------------------------

    def stats(self, days: int) -> Stats:
        today = day_of(self._clock())
        dates = period(today, days)
        by_day: dict[date, list[StatsDay]] = {day: [] for day in dates}
        for item in self._console.stats_days(dates[0], dates[-1]):
            by_day.setdefault(item.day, []).append(item)
        per_day = []
        refunded: dict[str, Decimal] = {}
        refunds_by_source: dict[str, int] = {}
        histogram: dict[str, int] = {}
        in_time = 0
        for day in dates:
            shards = by_day[day]
            answers = add_counts(*(s.first_answers for s in shards))
            histogram = add_counts(histogram, answers)
            day_in_time = sum(s.first_answers_in_time for s in shards)
            in_time += day_in_time
            for item in shards:
                for currency, amount in item.refunded.items():
                    refunded[currency] = refunded.get(currency, Decimal(0)) + Decimal(amount)
            issued = add_counts(*(s.refunds_issued for s in shards))
            per_day.append(
                DayFigures(
                    day=day,
                    opened=add_counts(*(s.opened for s in shards)),
                    first_answers=sum(answers.values()),
                    first_answers_in_time=day_in_time,
                    ratings=add_counts(*(s.ratings for s in shards)),
                    refunds_issued=sum(issued.values()),
                )
            )
            refunds_by_source = add_counts(refunds_by_source, issued)
        answered = sum(histogram.values())
        backlog: dict[tuple[str, str], int] = {}
        for shard in self._console.stats_backlog():
            for status, by_action in shard.counts.items():
                for action, value in by_action.items():
                    backlog[(status, action)] = backlog.get((status, action), 0) + value
        return Stats(
            days=days,
            first_day=dates[0],
            last_day=dates[-1],
            backlog=[
                BacklogCount(status=CaseStatus(status), action=case_action(action), count=value)
                for (status, action), value in sorted(backlog.items())
                if value > 0
            ],
            first_response=FirstResponse(
                answered=answered,
                p50_minutes=percentile(histogram, 0.5),
                p90_minutes=percentile(histogram, 0.9),
                within_target=in_time,
                share_within_target=share(in_time, answered),
            ),
            opened=add_counts(*(d.opened for d in per_day)),
            ratings=add_counts(*(d.ratings for d in per_day)),
            refunds_issued=refunds_by_source,
            refunded=[Money.of(refunded[c], c) for c in sorted(refunded)],
            per_day=per_day,
        )


class _Figures:
    """The aggregate items one event changes, read once each and written back as records."""

    def __init__(self, console: ConsoleStore, shard: int) -> None:
        self._console = console
        self._shard = shard
        self._days: dict[date, tuple[StatsDay | None, StatsDay]] = {}
        self._backlog: tuple[StatsBacklog | None, StatsBacklog] | None = None

    def day(self, day: date) -> StatsDay:
        if day not in self._days:
            before = self._console.stats_day(day, self._shard)
            after = (before or StatsDay(day=day, shard=self._shard)).model_copy(deep=True)
            self._days[day] = (before, after)
        return self._days[day][1]

    def backlog(self) -> StatsBacklog:
        if self._backlog is None:
            before = self._console.stats_backlog_shard(self._shard)
            after = (before or StatsBacklog(shard=self._shard)).model_copy(deep=True)
            self._backlog = (before, after)
        return self._backlog[1]

    def write(self, change: Changeset) -> None:
        for before, after in self._days.values():
            change.put_record(after, before)
        if self._backlog is not None:
            change.put_record(self._backlog[1], self._backlog[0])


def _add(counts: dict[str, int], name: str, value: int) -> None:
    counts[name] = counts.get(name, 0) + value


def _add_refund(day: StatsDay, refund: StatsRefundDetail) -> None:
    _add(day.refunds_issued, refund.source, 1)
    currency = refund.amount.currency
    total = Decimal(day.refunded.get(currency, "0")) + Decimal(refund.amount.amount)
    day.refunded[currency] = str(total)


def _gave_up(event_id: str) -> Exception:
    return Conflict("The figures kept changing while this event was counted.", event_id=event_id)
