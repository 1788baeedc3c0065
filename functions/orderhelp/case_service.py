"""The case flows: customers and agents writing on a case, agents taking and solving it, and
housekeeping closing solved cases. Load → `CaseLifecycle` → conditional write, like the order
flows; nothing here knows HTTP or DynamoDB.

Every change is conditioned on the case's version. Messages never get lost to a race: a customer
reply or an agent message that loses re-reads the case and applies itself again. Taking a case
and solving it do not: the agent gets a 409 and decides again on what the case is now."""

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from lifecycle.case import Author, Case, CaseMessage, CaseStatus, OpenedBy, apply_case_event
from lifecycle.errors import EventNotAllowed
from lifecycle.i18n import translate
from lifecycle.policy import CasePolicy
from orderhelp.errors import (
    CaseNotAssigned,
    CaseNotFound,
    CaseTaken,
    ConcurrentUpdate,
    Conflict,
    OrderNotFound,
)
from orderhelp.ids import new_id
from orderhelp.models import (
    AgentCase,
    AgentCaseDetails,
    CaseConversation,
    CasePage,
    CaseReply,
    CaseView,
    MessageView,
)
from orderhelp.records import CaseRecord, CaseUpdate, NewCase
from orderhelp.services import OrderService
from orderhelp.store import CaseStore

Clock = Callable[[], datetime]

MESSAGE_ATTEMPTS = 8
"""A message that loses a race re-reads the case and tries again, this many times in all."""

CLOSE_ATTEMPTS = 3
HOUSEKEEPING_PAGE = 25


@dataclass(frozen=True)
class HousekeepingReport:
    closed: int
    skipped: int
    complete: bool
    """False when the run stopped early to stay within its time; the next run goes on."""


class CaseService:
    def __init__(
        self,
        store: CaseStore,
        orders: OrderService,
        clock: Clock,
        case_policy: CasePolicy,
        backoff: Callable[[int], None] | None = None,
    ) -> None:
        self._store = store
        self._orders = orders
        self._clock = clock
        self._case_policy = case_policy
        self._backoff = backoff or _jittered_sleep

    # --- customers -------------------------------------------------------------------------------

    def customer_cases(
        self, customer_id: str, limit: int, cursor: str | None, locale: str
    ) -> CasePage:
        cases, next_cursor = self._store.list_cases_for_customer(customer_id, limit, cursor)
        return CasePage(cases=[CaseView.of(c, locale) for c in cases], next_cursor=next_cursor)

    def customer_case(self, customer_id: str, case_id: str, locale: str) -> CaseConversation:
        record = self._owned(customer_id, case_id)
        return CaseConversation.of_conversation(record.case, record.messages, locale)

    def customer_message(
        self, customer_id: str, case_id: str, body: str, locale: str
    ) -> tuple[CaseReply, bool]:
        """Add the customer's message to the case; on a closed case, to its follow-up (opened
        for it, or the order's open case for the same action). Returns the reply and whether a
        case was opened."""
        for attempt in range(MESSAGE_ATTEMPTS):
            record = self._owned(customer_id, case_id)
            now = self._clock()
            try:
                if record.case.status is CaseStatus.CLOSED:
                    return self._follow_up(record.case, body, now, locale)
                message = _message(now, Author.CUSTOMER, body)
                after = self._fire(record.case, "customer_reply", now)
                self._store.commit_cases([CaseUpdate(record.case, after, message)])
            except ConcurrentUpdate:
                self._backoff(attempt)
                continue
            return _reply(after, [*record.messages, message], message, locale), False
        raise self._gave_up(case_id)

    def _follow_up(
        self, closed: Case, body: str, now: datetime, locale: str
    ) -> tuple[CaseReply, bool]:
        """A message on a closed case goes on where the order's rule says: a new case that
        continues it, or the case already open for the same order and action."""
        order = self._store.load(closed.order_id)
        if order is None:  # orders are never deleted; a case without one is a bug
            raise OrderNotFound(closed.order_id)
        change = self._orders.open_or_join_case(
            order,
            closed.action,
            now=now,
            opened_by=OpenedBy.CUSTOMER,
            author=Author.CUSTOMER,
            body=body,
            details={},
            follows=closed.case_id,
        )
        writes: list[NewCase | CaseUpdate] = [change.change]
        if change.case_id not in closed.followed_by:
            # The closed case links to where its conversation went on; conditioned on its
            # version, so two messages racing on one closed case cannot both open a follow-up.
            linked = closed.model_copy(
                update={
                    "followed_by": [*closed.followed_by, change.case_id],
                    "version": closed.version + 1,
                }
            )
            writes.append(CaseUpdate(closed, linked, None))
        self._store.commit_cases(writes)
        message = change.change.message
        assert message is not None  # opening or joining always writes the customer's words
        if isinstance(change.change, NewCase):
            return _reply(change.case, [message], message, locale), True
        joined = self._store.load_case(change.case_id)
        messages = joined.messages if joined else [message]
        return _reply(joined.case if joined else change.case, messages, message, locale), False

    # --- customer service ------------------------------------------------------------------------

    def queue(self, status: CaseStatus, limit: int, cursor: str | None, locale: str) -> CasePage:
        cases, next_cursor = self._store.list_queue(status, limit, cursor)
        return CasePage(cases=[CaseView.of(c, locale) for c in cases], next_cursor=next_cursor)

    def agent_case(self, case_id: str, locale: str) -> AgentCaseDetails:
        record = self._load(case_id)
        return AgentCaseDetails(
            case=AgentCase.of_conversation(record.case, record.messages, locale),
            order=self._orders.order_details_for_agent(record.case.order_id, locale),
        )

    def assign(self, agent: str, case_id: str, *, force: bool, locale: str) -> AgentCase:
        """Take the case. Someone else's case only with `force`; a race with another change of
        the case is lost with a 409, never retried: the agent sees who has it now."""
        record = self._load(case_id)
        case = record.case
        if case.assignee == agent:
            return AgentCase.of_conversation(case, record.messages, locale)
        if case.assignee is not None and not force:
            raise CaseTaken(case_id, case.assignee)
        now = self._clock()
        after = self._fire(case, "assign", now, agent=agent)
        note = (
            translate(locale, "case_notes", "assigned", agent=agent)
            if case.assignee is None
            else translate(locale, "case_notes", "reassigned", agent=agent, previous=case.assignee)
        )
        message = _message(now, Author.SYSTEM, note, author_id=agent, internal=True)
        try:
            self._store.commit_cases([CaseUpdate(case, after, message)])
        except ConcurrentUpdate as lost:
            current = self._load(case_id).case
            if current.assignee not in (None, agent):
                raise CaseTaken(case_id, current.assignee) from lost
            raise _changed(current) from lost
        return AgentCase.of_conversation(after, [*record.messages, message], locale)

    def agent_message(
        self, agent: str, case_id: str, body: str, *, internal: bool, locale: str
    ) -> AgentCase:
        event = "internal_note" if internal else "agent_reply"
        for attempt in range(MESSAGE_ATTEMPTS):
            record = self._load(case_id)
            now = self._clock()
            message = _message(now, Author.AGENT, body, author_id=agent, internal=internal)
            after = self._fire(record.case, event, now)
            try:
                self._store.commit_cases([CaseUpdate(record.case, after, message)])
            except ConcurrentUpdate:
                self._backoff(attempt)
                continue
            return AgentCase.of_conversation(after, [*record.messages, message], locale)
        raise self._gave_up(case_id)

    def solve(self, agent: str, case_id: str, resolution: str, locale: str) -> AgentCase:
        """Solve the case; the resolution is the agent's last message to the customer. If the
        case changed since it was read (say the customer just wrote), the agent gets a 409 and
        reads it again rather than solving what they have not seen."""
        record = self._load(case_id)
        case = record.case
        if case.assignee is None and case.status in (CaseStatus.OPEN, CaseStatus.PENDING):
            raise CaseNotAssigned(case_id)
        now = self._clock()
        after = self._fire(case, "solve", now, resolution=resolution)
        message = _message(now, Author.AGENT, resolution, author_id=agent)
        try:
            self._store.commit_cases([CaseUpdate(case, after, message)])
        except ConcurrentUpdate as lost:
            raise _changed(self._load(case_id).case) from lost
        return AgentCase.of_conversation(after, [*record.messages, message], locale)

    # --- housekeeping ----------------------------------------------------------------------------

    def close_solved_cases(self, out_of_time: Callable[[], bool]) -> HousekeepingReport:
        """Close every case solved at least `close_solved_after_days` ago, found with a range
        Query on the solved queue: the cost follows the cases due, not the table. Each close is
        conditional, so a second run (or one racing a customer's reply) changes nothing twice."""
        now = self._clock()
        cutoff = now - self._case_policy.close_solved_after
        closed = skipped = 0
        for page in self._store.cases_solved_before(cutoff, HOUSEKEEPING_PAGE):
            for case in page:
                if out_of_time():
                    return HousekeepingReport(closed, skipped, complete=False)
                if self.close_due_case(case, now):
                    closed += 1
                else:
                    skipped += 1
        return HousekeepingReport(closed, skipped, complete=True)

    def close_due_case(self, case: Case, now: datetime | None = None) -> bool:
        """Close `case` if it is still solved and due; False if it no longer is (the index is
        eventually consistent; the customer may have written meanwhile)."""
        now = now or self._clock()
        for _ in range(CLOSE_ATTEMPTS):
            try:
                after = apply_case_event(
                    case, "close", now=now, close_after=self._case_policy.close_solved_after
                )
            except EventNotAllowed:
                return False
            after = after.model_copy(update={"version": case.version + 1})
            try:
                self._store.commit_cases([CaseUpdate(case, after, None)])
            except ConcurrentUpdate:
                current = self._store.get_case(case.case_id)
                if current is None:
                    return False
                case = current
                continue
            return True
        return False

    # --- helpers ---------------------------------------------------------------------------------

    def _load(self, case_id: str) -> CaseRecord:
        record = self._store.load_case(case_id)
        if record is None:
            raise CaseNotFound(case_id)
        return record

    def _owned(self, customer_id: str, case_id: str) -> CaseRecord:
        record = self._store.load_case(case_id)
        if record is None or record.case.customer_id != customer_id:
            raise CaseNotFound(case_id)
        return record

    @staticmethod
    def _fire(case: Case, event: str, now: datetime, **data: object) -> Case:
        after = apply_case_event(case, event, now=now, **data)
        return after.model_copy(update={"version": case.version + 1})

    def _gave_up(self, case_id: str) -> Conflict:
        return _changed(self._load(case_id).case)


def _message(
    now: datetime,
    author: Author,
    body: str,
    *,
    author_id: str | None = None,
    internal: bool = False,
) -> CaseMessage:
    return CaseMessage(
        message_id=new_id("MSG", now),
        at=now,
        author=author,
        author_id=author_id,
        body=body,
        internal=internal,
    )


def _reply(case: Case, messages: list[CaseMessage], message: CaseMessage, locale: str) -> CaseReply:
    return CaseReply(
        case=CaseConversation.of_conversation(case, messages, locale),
        message=MessageView(at=message.at, author=message.author, body=message.body),
    )


def _changed(current: Case) -> Conflict:
    return Conflict(
        "The case changed while this request was handled; read it again and retry.",
        case_id=current.case_id,
        status=str(current.status),
        version=current.version,
    )


def _jittered_sleep(attempt: int) -> None:
    # Full jitter: concurrent writers of one case spread out instead of colliding again.
    time.sleep(random.uniform(0, 0.005 * 2**attempt))  # noqa: S311 — not cryptographic
