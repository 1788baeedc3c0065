"""The case flows: customers and agents writing on a case, agents taking and solving it, and
housekeeping closing solved cases. Load → `CaseLifecycle` → one `Changeset`, like the order
flows; nothing here knows HTTP or DynamoDB.

Every change is conditioned on the case's version. Messages never get lost to a race: a customer
reply or an agent message that loses re-reads the case and applies itself again. Taking a case
and solving it do not: the agent gets a 409 and decides again on what the case is now. Every
flow recognises its own request's write when it finds it applied (a lost answer, a client's
retry), and answers what it would have answered."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from aws_lambda_powertools import Logger

from lifecycle.attachments import Attachment, OwnerKind
from lifecycle.case import (
    Author,
    Case,
    CaseMessage,
    CaseStatus,
    OpenedBy,
    RatingValue,
    SystemNote,
    apply_case_event,
)
from lifecycle.errors import EventNotAllowed
from lifecycle.follow_up import follow_up_action
from lifecycle.i18n import translate
from lifecycle.policy import CasePolicy
from orderhelp.attaching import attach, checked_attachments
from orderhelp.attempts import recognised, write_once
from orderhelp.case_numbers import CaseNumbers
from orderhelp.changes import CaseRead, Changeset, NewCase, RequestContext
from orderhelp.errors import (
    CaseAlreadyRated,
    CaseNotAssigned,
    CaseNotFound,
    CaseNotSolved,
    CaseTaken,
    ConcurrentUpdate,
    Conflict,
    OrderNotFound,
)
from orderhelp.ids import new_id
from orderhelp.models import (
    AgentCase,
    AgentCaseDetails,
    AgentCasePage,
    AgentCaseSummary,
    CaseConversation,
    CasePage,
    CaseReply,
    CaseView,
    MessageView,
)
from orderhelp.records import Actor, ActorKind, CaseActivity, CaseRecord
from orderhelp.retry import RetryPolicy
from orderhelp.store import ACTIVITY_PAGE, OrderStore

logger = Logger(child=True)

Clock = Callable[[], datetime]

HOUSEKEEPING_PAGE = 25
HOUSEKEEPING = Actor(kind=ActorKind.SYSTEM, id="housekeeping")
FOLLOW_UP = "follow_up"
"""The activity of a closed case whose customer wrote again: where the message went."""
RATE = "rate"
"""The activity of the customer's rating: `data` is `{"rating": "good"|"not_good", "comment"?}`."""


@dataclass(frozen=True)
class HousekeepingReport:
    closed: int
    skipped: int
    complete: bool
    """False when the run stopped early to stay within its time; the next run goes on."""
    failures: int = 0
    """Cases that could not be closed now (logged); they stay due for the next run."""


class CaseService:
    def __init__(
        self,
        store: OrderStore,
        clock: Clock,
        case_policy: CasePolicy,
        retry: RetryPolicy | None = None,
        *,
        display_name: Callable[[str], str | None] = lambda agent: None,
        numbers: CaseNumbers | None = None,
    ) -> None:
        self._store = store
        self._clock = clock
        self._case_policy = case_policy
        self._retry = retry or RetryPolicy()
        self._display_name = display_name
        """An agent's display name (their profile's), for the messages customers read."""
        self._numbers = numbers or CaseNumbers()

    # --- customers -------------------------------------------------------------------------------

    def customer_cases(
        self, customer_id: str, limit: int, cursor: str | None, locale: str
    ) -> CasePage:
        cases, next_cursor = self._store.list_cases_for_customer(customer_id, limit, cursor)
        return CasePage(cases=[CaseView.of(c, locale) for c in cases], next_cursor=next_cursor)

    def customer_case(
        self,
        customer_id: str,
        case_id: str,
        locale: str,
        *,
        limit: int = ACTIVITY_PAGE,
        cursor: str | None = None,
    ) -> CaseConversation:
        record = self._owned(customer_id, case_id, limit, cursor)
        case = record.case
        if cursor is None and case.unread:
            case = self._mark_read(case)
        return CaseConversation.of_conversation(case, record.messages, locale, record.older)

    def _mark_read(self, case: Case) -> Case:
        """The customer has now seen the latest messages: the case is no longer unread for them.
        Best effort: if the case changed meanwhile (a new message), it rightly stays unread; if
        the write fails, the conversation is still what they asked for, and the next opening
        marks it."""
        request = RequestContext.derived(
            Actor(kind=ActorKind.CUSTOMER, id=case.customer_id),
            "read",
            case.case_id,
            str(case.version),
            str(case.service_wrote_at),
        )
        change = Changeset(request, self._clock())
        read = change.read_case(case)
        try:
            self._store.commit(change)
        except ConcurrentUpdate:
            return case
        except Exception:
            logger.warning("a case could not be marked read", extra={"case_id": case.case_id})
            return case
        return read

    def customer_message(
        self,
        request: RequestContext,
        case_id: str,
        body: str,
        locale: str,
        attachment_ids: Sequence[str] = (),
    ) -> tuple[CaseReply, bool]:
        """Add the customer's message to the case; on a closed case, to its follow-up (opened
        for it, or the order's open case for the same action). Returns the reply and whether a
        case was opened."""
        customer_id = request.actor.id or ""

        def attempt(number: int) -> tuple[CaseReply, bool]:
            record = self._owned(customer_id, case_id)
            written = record.written_by(request.id)
            if written is not None:
                return recognised(self._message_answer(record, written, locale))
            now = self._clock()
            attachments = checked_attachments(
                self._store, OwnerKind.CUSTOMER, customer_id, attachment_ids, now
            )
            change = Changeset(request, now, attempt=number)
            if record.case.status is CaseStatus.CLOSED:
                return self._follow_up(change, record.case, body, locale, attachments)
            message = _message(now, Author.CUSTOMER, body, attachments=attachments)
            after = apply_case_event(record.case, "customer_reply", now=now)
            after = change.change_case(record.case, after, "customer_reply", message)
            attach(change, attachments, after, message)
            self._store.commit(change)
            return _reply(after, [*record.messages, message], message, locale, record.older), False

        return write_once(self._retry, attempt, lambda: self._gave_up(case_id))

    def rate(
        self,
        request: RequestContext,
        case_id: str,
        rating: RatingValue,
        comment: str | None,
        locale: str,
    ) -> CaseConversation:
        """The customer's rating of how the case was solved: a change of the case (its `rate`
        activity carries `{"rating", "comment"?}`), which the case machine allows once per solve.
        Rating a case that is not solved, or already rated since it was solved, is refused."""
        customer_id = request.actor.id or ""

        def attempt(number: int) -> CaseConversation:
            record = self._owned(customer_id, case_id)
            if record.written_by(request.id) is not None:
                return recognised(_conversation(record, locale))
            now = self._clock()
            try:
                after = apply_case_event(record.case, RATE, now=now, rating=rating, comment=comment)
            except EventNotAllowed as refused:
                if record.case.status is CaseStatus.SOLVED:
                    raise CaseAlreadyRated(case_id) from refused
                raise CaseNotSolved(case_id, str(record.case.status)) from refused
            change = Changeset(request, now, attempt=number)
            data = {"rating": str(rating)} | ({"comment": comment} if comment else {})
            change.change_case(record.case, after, RATE, data=data)
            self._store.commit(change)
            return _conversation(_after(record, change), locale)

        return write_once(self._retry, attempt, lambda: self._gave_up(case_id))

    def _follow_up(
        self,
        change: Changeset,
        closed: Case,
        body: str,
        locale: str,
        attachments: Sequence[Attachment] = (),
    ) -> tuple[CaseReply, bool]:
        """A message on a closed case goes on where the rules say: about the closed case's
        action while the order still offers it, else as a general question
        (`lifecycle.follow_up`); in a new case that continues it, or the case already open for
        the same order and action. The closed case records where it went (conditioned on its
        version, so two messages racing on one closed case cannot both open a follow-up)."""
        order = self._store.load(closed.order_id)
        if order is None:  # orders are never deleted; a case without one is a bug
            raise OrderNotFound(closed.order_id)
        action = follow_up_action(closed.action, order.order, change.now)
        already_open = order.open_case(action)
        target, message = change.write_to_customer_service(
            already_open,
            order_id=closed.order_id,
            customer_id=closed.customer_id,
            action=action,
            author=Author.CUSTOMER,
            body=body,
            opened_by=OpenedBy.CUSTOMER,
            policy=self._case_policy,
            numbers=self._numbers,
            follows=closed,
            attachments=[attachment.on_message() for attachment in attachments],
        )
        attach(change, attachments, target, message)
        followed_by = [*closed.followed_by]
        if target.case_id not in followed_by:
            followed_by.append(target.case_id)
        linked = closed.linked_numbers | {target.case_id: target.number}
        change.change_case(
            closed,
            closed.model_copy(update={"followed_by": followed_by, "linked_numbers": linked}),
            FOLLOW_UP,
            data={"case_id": target.case_id, "opened": already_open is None},
        )
        self._numbers.commit(self._store, change)
        if already_open is None:
            return _reply(target, [message], message, locale), True
        joined = self._load(target.case_id)
        return _reply(joined.case, joined.messages, message, locale, joined.older), False

    def _message_answer(
        self, record: CaseRecord, written: CaseActivity, locale: str
    ) -> tuple[CaseReply, bool]:
        """The answer the customer's message got, for the message found already written."""
        if written.event == FOLLOW_UP:
            target = self._load(written.data["case_id"])
            message = next(
                (
                    a.message
                    for a in reversed(target.activity)
                    if a.request_id == written.request_id
                ),
                None,
            )
            if message is None:
                raise self._gave_up(record.case.case_id)
            opened = bool(written.data.get("opened"))
            return _reply(target.case, target.messages, message, locale, target.older), opened
        if written.message is None:
            raise self._gave_up(record.case.case_id)
        return _reply(record.case, record.messages, written.message, locale, record.older), False

    # --- customer service ------------------------------------------------------------------------

    def queue(
        self, status: CaseStatus, limit: int, cursor: str | None, locale: str
    ) -> AgentCasePage:
        cases, next_cursor = self._store.list_queue(status, limit, cursor)
        now = self._clock()
        return AgentCasePage(
            cases=[AgentCaseSummary.of_case(c, locale, now) for c in cases], next_cursor=next_cursor
        )

    def agent_case(
        self, case_id: str, locale: str, *, limit: int = ACTIVITY_PAGE, cursor: str | None = None
    ) -> AgentCaseDetails:
        record = self._load(case_id, limit, cursor)
        order = self._store.load(record.case.order_id)
        if order is None:  # orders are never deleted; a case without one is a bug
            raise OrderNotFound(record.case.order_id)
        return AgentCaseDetails.of(self._agent_case(record, locale), order, self._clock(), locale)

    def assign(
        self, request: RequestContext, case_id: str, *, force: bool, locale: str
    ) -> AgentCase:
        """Take the case. Someone else's case only with `force`; if the case changes meanwhile
        the agent gets a 409 (`case_taken` when someone else took it), never a silent retry."""
        agent = request.actor.id or ""

        def decide(record: CaseRecord, change: Changeset) -> AgentCase | None:
            case = record.case
            if case.assignee == agent:
                return self._agent_case(record, locale)
            if case.assignee is not None and not force:
                raise CaseTaken(case_id, case.assignee)
            after = apply_case_event(
                case, "assign", now=change.now, agent=agent, agent_name=self._display_name(agent)
            )
            values = {"agent": self._name_of(agent)}
            if case.assignee is not None:
                values["previous"] = self._name_of(case.assignee)
            note = SystemNote(
                key="assigned" if case.assignee is None else "reassigned", values=values
            )
            message = _message(
                change.now,
                Author.SYSTEM,
                # The note is read in each reader's language; the body keeps it in English.
                translate("en", "case_notes", note.key, **note.values),
                author_id=agent,
                internal=True,
            ).model_copy(update={"note": note})
            change.change_case(case, after, "assign", message)
            return None

        return self._agent_change(request, case_id, locale, decide)

    def agent_message(
        self,
        request: RequestContext,
        case_id: str,
        body: str,
        *,
        internal: bool,
        locale: str,
        attachment_ids: Sequence[str] = (),
        force: bool = False,
    ) -> AgentCase:
        """Answer the customer, or note for colleagues; a message that loses a race with another
        change of the case re-reads it and applies itself again. Answering a case another agent
        has asks first (`CaseTaken` unless `force`); a note for colleagues never does."""
        agent = request.actor.id or ""
        event = "internal_note" if internal else "agent_reply"

        def attempt(number: int) -> AgentCase:
            record = self._load(case_id)
            if record.written_by(request.id) is not None:
                return recognised(self._agent_case(record, locale))
            now = self._clock()
            after = apply_case_event(record.case, event, now=now)
            if not internal:
                _check_not_taken(record.case, agent, force=force)
            attachments = checked_attachments(
                self._store, OwnerKind.AGENT, agent, attachment_ids, now
            )
            change = Changeset(request, now, attempt=number)
            message = _message(
                now,
                Author.AGENT,
                body,
                author_id=agent,
                internal=internal,
                author_name=self._display_name(agent),
                attachments=attachments,
            )
            after = change.change_case(record.case, after, event, message)
            attach(change, attachments, after, message)
            self._store.commit(change)
            return self._agent_case(_after(record, change), locale)

        return write_once(self._retry, attempt, lambda: self._gave_up(case_id))

    def solve(
        self,
        request: RequestContext,
        case_id: str,
        resolution: str,
        locale: str,
        *,
        force: bool = False,
    ) -> AgentCase:
        """Solve the case; the resolution is the agent's last message to the customer. If the
        case changed since it was read (say the customer just wrote), the agent gets a 409 and
        reads it again rather than solving what they have not seen. Solving a case another
        agent has asks first (`CaseTaken` unless `force`)."""
        agent = request.actor.id or ""

        def decide(record: CaseRecord, change: Changeset) -> AgentCase | None:
            case = record.case
            if case.assignee is None and case.status in (CaseStatus.OPEN, CaseStatus.PENDING):
                raise CaseNotAssigned(case_id)
            after = apply_case_event(case, "solve", now=change.now, resolution=resolution)
            _check_not_taken(case, agent, force=force)
            message = _message(
                change.now,
                Author.AGENT,
                resolution,
                author_id=agent,
                author_name=self._display_name(agent),
            )
            change.change_case(case, after, "solve", message)
            return None

        return self._agent_change(request, case_id, locale, decide)

    def _agent_change(
        self,
        request: RequestContext,
        case_id: str,
        locale: str,
        decide: Callable[[CaseRecord, Changeset], AgentCase | None],
    ) -> AgentCase:
        """An agent's change decided on the case as the agent saw it: if the case's version moved
        since the first read, the agent is told (409) rather than acting on what they have not
        seen; a write that met only another transaction in flight is tried again. `decide`
        returns an answer when there is nothing to write."""
        first_read: list[int] = []

        def attempt(number: int) -> AgentCase:
            record = self._load(case_id)
            if record.written_by(request.id) is not None:
                return recognised(self._agent_case(record, locale))
            if first_read and record.case.version != first_read[0]:
                current = record.case
                if current.assignee not in (None, request.actor.id):
                    raise CaseTaken(case_id, current.assignee or "")
                raise _changed(current)
            first_read.append(record.case.version)
            change = Changeset(request, self._clock(), attempt=number)
            answer = decide(record, change)
            if answer is not None:
                return answer
            self._store.commit(change)
            return self._agent_case(_after(record, change), locale)

        return write_once(self._retry, attempt, lambda: self._gave_up(case_id))

    # --- housekeeping ----------------------------------------------------------------------------

    def close_solved_cases(self, out_of_time: Callable[[], bool]) -> HousekeepingReport:
        """Close every case solved at least `close_solved_after_days` ago, found with a range
        Query on the solved queue: the cost follows the cases due, not the table. Each close is
        conditional, so a second run (or one racing a customer's reply) changes nothing twice."""
        now = self._clock()
        cutoff = now - self._case_policy.close_solved_after
        closed = skipped = failures = 0
        pages = iter(self._store.cases_solved_before(cutoff, HOUSEKEEPING_PAGE))
        while True:
            # Checked before each page and each case: reading a page takes time too.
            if out_of_time():
                return HousekeepingReport(closed, skipped, False, failures)
            page = next(pages, None)
            if page is None:
                break
            for case in page:
                if out_of_time():
                    return HousekeepingReport(closed, skipped, False, failures)
                try:
                    done = self.close_due_case(case, now)
                except Exception:
                    # This case waits for the next run; the others go on.
                    logger.exception("housekeeping: a case failed", extra={"case_id": case.case_id})
                    failures += 1
                    continue
                closed, skipped = (closed + 1, skipped) if done else (closed, skipped + 1)
        return HousekeepingReport(closed, skipped, True, failures)

    def close_due_case(self, case: Case, now: datetime | None = None) -> bool:
        """Close `case` if it is still solved and due; False if it no longer is (the index is
        eventually consistent; the customer may have written meanwhile)."""
        moment = now or self._clock()
        request = RequestContext.derived(
            HOUSEKEEPING, "close", case.case_id, str(case.solved_at), str(case.version)
        )
        read: list[Case] = [case]

        def attempt(number: int) -> bool:
            current = read[-1] if number == 0 else self._store.get_case(case.case_id)
            if current is None:
                return False
            try:
                after = apply_case_event(
                    current, "close", now=moment, close_after=self._case_policy.close_solved_after
                )
            except EventNotAllowed:
                return False
            change = Changeset(request, moment, attempt=number)
            change.change_case(current, after, "close")
            self._store.commit(change)
            return True

        return write_once(self._retry, attempt, lambda: self._gave_up(case.case_id))

    # --- helpers ---------------------------------------------------------------------------------

    def _load(
        self, case_id: str, limit: int = ACTIVITY_PAGE, cursor: str | None = None
    ) -> CaseRecord:
        record = self._store.load_case(case_id, limit, cursor)
        if record is None:
            raise CaseNotFound(case_id)
        return record

    def _owned(
        self,
        customer_id: str,
        case_id: str,
        limit: int = ACTIVITY_PAGE,
        cursor: str | None = None,
    ) -> CaseRecord:
        record = self._store.load_case(case_id, limit, cursor, owner=customer_id)
        if record is None:
            raise CaseNotFound(case_id)
        return record

    def _agent_case(self, record: CaseRecord, locale: str) -> AgentCase:
        return AgentCase.of_conversation(
            record.case, record.messages, locale, record.older, now=self._clock()
        )

    def _name_of(self, agent: str) -> str:
        """The agent as colleagues and customers read them: their profile's display name, or
        their id when they have no profile yet."""
        return self._display_name(agent) or agent

    def _gave_up(self, case_id: str) -> Conflict:
        return _changed(self._load(case_id).case)


def _after(record: CaseRecord, change: Changeset) -> CaseRecord:
    """The record as the committed change left it: the case's new version, its activity last."""
    write = change.cases[-1]
    if isinstance(write, CaseRead):
        return CaseRecord(case=write.after, activity=record.activity, older=record.older)
    case = write.case if isinstance(write, NewCase) else write.after
    return CaseRecord(case=case, activity=[*record.activity, write.activity], older=record.older)


def _check_not_taken(case: Case, agent: str, *, force: bool) -> None:
    """A colleague's case is theirs: acting on it is asked first, as taking it over is."""
    if case.assignee is not None and case.assignee != agent and not force:
        raise CaseTaken(case.case_id, case.assignee)


def _conversation(record: CaseRecord, locale: str) -> CaseConversation:
    return CaseConversation.of_conversation(record.case, record.messages, locale, record.older)


def _message(
    now: datetime,
    author: Author,
    body: str,
    *,
    author_id: str | None = None,
    internal: bool = False,
    author_name: str | None = None,
    attachments: Sequence[Attachment] = (),
) -> CaseMessage:
    return CaseMessage(
        message_id=new_id("MSG", now),
        at=now,
        author=author,
        author_id=author_id,
        author_name=author_name,
        body=body,
        internal=internal,
        attachments=[attachment.on_message() for attachment in attachments],
    )


def _reply(
    case: Case,
    messages: list[CaseMessage],
    message: CaseMessage,
    locale: str,
    older: str | None = None,
) -> CaseReply:
    """The answer to the customer's message: the case with its latest page (the page it was
    read with, the message added) and `older`, the cursor of the page before it."""
    return CaseReply(
        case=CaseConversation.of_conversation(case, messages, locale, older),
        message=MessageView(**MessageView.fields_of(message, locale)),
    )


def _changed(current: Case) -> Conflict:
    return Conflict(
        "The case changed while this request was handled; read it again and retry.",
        case_id=current.case_id,
        status=str(current.status),
        version=current.version,
    )
