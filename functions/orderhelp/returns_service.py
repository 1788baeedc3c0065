"""The return and refund flows: agents approve or reject a return and refund on a case, the shop
records a return received and a refund issued or failed, the payment system reads its work list,
and a customer prints a return's label. Load → the rules (`ReturnLifecycle`, `RefundLifecycle`,
the money and quantity guards) → one `Changeset`, committed exactly once, like every flow.

Every change of an order's returns and refunds puts its record (conditioned on the version read)
and a `ReturnsActivity` entry (the outbox); a change that the quantity or money rule decides also
puts the order's `Ledger` conditioned on its version, so two such changes of one order are
decided one after the other: two agents refunding at once, the second is decided again on what
the first left and is told what is left (409 `refund_exceeds_paid`) if it no longer fits.

`request_return` and `cancellation_refund` are the parts the order flows write in their own
transaction (a return request opens its case; cancelling a paid order makes its refund due)."""

from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from lifecycle import returns_words as words
from lifecycle.actions import HelpAction
from lifecycle.case import Author, Case, CaseMessage, CaseStatus, apply_case_event
from lifecycle.errors import InvalidReturn
from lifecycle.help import ReturnRequest
from lifecycle.i18n import SUPPORTED_LOCALES, resolve_locale
from lifecycle.order import Address, Order
from lifecycle.policy import Policy
from lifecycle.refunds import (
    Refund,
    RefundSource,
    RefundStatus,
    apply_refund_event,
    new_refund,
    order_of_refund,
    refund_id_for,
    refund_left,
)
from lifecycle.returns import (
    ReceivedItem,
    Return,
    ReturnItem,
    ReturnStatus,
    apply_return_event,
    check_receipt,
    new_return,
    order_of_return,
    return_id_for,
    return_refund_amount,
)
from orderhelp.attempts import recognised, write_once
from orderhelp.changes import CaseUpdate, Changeset, NewCase, RequestContext
from orderhelp.domain_events import Detail, ReturnApproved, ReturnRejected
from orderhelp.errors import (
    CaseNotFound,
    Conflict,
    NoLabelYet,
    NoReturnRequested,
    OrderNotFound,
    RefundNotFound,
    ReturnNotFound,
)
from orderhelp.ids import new_id
from orderhelp.models import (
    AgentCase,
    AgentCaseDetails,
    RefundPage,
    RefundWork,
    ReturnView,
)
from orderhelp.records import CaseRecord, Ledger, OrderRecord, ReturnsActivity
from orderhelp.retry import RetryPolicy
from orderhelp.store import OrderStore
from orderhelp.store.refund_queue import RefundQueue

Clock = Callable[[], datetime]

REQUESTED = "request"
"""The activity that starts a return."""
DUE = "due"
"""The activity that starts a refund."""
CLOCK_SKEW = timedelta(minutes=5)


# --- writing a return's or a refund's change --------------------------------------------------


def _log(
    change: Changeset, order: Order, subject: str, record: Return | Refund, event: str
) -> None:
    subject_id = record.return_id if isinstance(record, Return) else record.refund_id
    change.put_record(
        ReturnsActivity(
            order_id=order.order_id,
            customer_id=order.customer_id,
            subject=subject,
            subject_id=subject_id,
            subject_version=record.version,
            event=event,
            at=change.now,
            actor=change.request.actor,
            state=record.model_dump(mode="json"),
            case_id=record.case_id,
            request_id=change.request.id,
        )
    )


def put_return(
    change: Changeset, order: Order, before: Return | None, after: Return, event: str
) -> Return:
    written = change.put_record(after, before)
    _log(change, order, "return", written, event)
    return written


def put_refund(
    change: Changeset, order: Order, before: Refund | None, after: Refund, event: str
) -> Refund:
    written = change.put_record(after, before)
    _log(change, order, "refund", written, event)
    return written


def bump_ledger(
    change: Changeset, record: OrderRecord, *, returns: int = 0, refunds: int = 0
) -> Ledger:
    """Take the order's ledger's next version (counting the new returns and refunds): the change
    is decided on the sums as read, or not written."""
    current = record.ledger or Ledger(order_id=record.order.order_id)
    after = current.model_copy(
        update={"returns": current.returns + returns, "refunds": current.refunds + refunds}
    )
    return change.put_record(after, record.ledger)


def next_return_id(record: OrderRecord) -> str:
    return return_id_for(record.order.order_id, (record.ledger.returns if record.ledger else 0) + 1)


def next_refund_id(record: OrderRecord) -> str:
    return refund_id_for(record.order.order_id, (record.ledger.refunds if record.ledger else 0) + 1)


def request_return(
    change: Changeset, record: OrderRecord, case_id: str, body: ReturnRequest
) -> Return:
    """The return a `return_request` help action asks for, in the help action's transaction;
    `InvalidReturn` (422) when it asks for more than can still be returned."""
    items = [ReturnItem(sku=line.sku, quantity=line.quantity) for line in body.items]
    created = new_return(
        return_id=next_return_id(record),
        order=record.order,
        returns=record.returns,
        items=items,
        resolution=body.resolution,
        now=change.now,
        case_id=case_id,
    )
    bump_ledger(change, record, returns=1)
    return put_return(change, record.order, None, created, REQUESTED)


def cancellation_refund(
    change: Changeset, record: OrderRecord, case_id: str | None = None
) -> Refund | None:
    """Cancelling a paid order makes everything left of what was paid due at once, in the
    cancellation's transaction (nothing when nothing was paid)."""
    left = refund_left(record.order, record.refunds)
    if left <= 0:
        return None
    refund = new_refund(
        refund_id=next_refund_id(record),
        order=record.order,
        refunds=record.refunds,
        source=RefundSource.CANCELLATION,
        amount=left,
        now=change.now,
        case_id=case_id,
    )
    bump_ledger(change, record, refunds=1)
    return put_refund(change, record.order, None, refund, DUE)


def customer_locales(order: Order, fallback: str | None) -> list[str]:
    """The languages an automatic message to the customer is written in: the order's contact's;
    without a contact, `fallback` (the caller's), or every supported one when the caller is the
    shop's systems (as the delay check's)."""
    if order.contact is not None:
        return [resolve_locale(order.contact.locale)]
    return [resolve_locale(fallback)] if fallback else list(SUPPORTED_LOCALES)


def written_by(record: OrderRecord, request_id: str) -> ReturnsActivity | None:
    return next((e for e in reversed(record.returns_activity) if e.request_id == request_id), None)


def applied(record: OrderRecord, change: Changeset) -> OrderRecord:
    """The order record as the committed change left it, without reading it again."""
    returns = {r.return_id: r for r in record.returns}
    refunds = {r.refund_id: r for r in record.refunds}
    ledger = record.ledger
    for put in change.records:
        after = put.after
        if isinstance(after, Return):
            returns[after.return_id] = after
        elif isinstance(after, Refund):
            refunds[after.refund_id] = after
        elif isinstance(after, Ledger):
            ledger = after
    cases = {case.case_id: case for case in record.cases}
    for write in change.cases:
        case = write.case if isinstance(write, NewCase) else write.after
        cases[case.case_id] = case
    activity = [p.after for p in change.records if isinstance(p.after, ReturnsActivity)]
    return OrderRecord(
        order=record.order,
        cases=sorted(cases.values(), key=lambda c: c.opened_at, reverse=True),
        history=record.history,
        open_cases=record.open_cases,
        returns=list(returns.values()),
        refunds=list(refunds.values()),
        ledger=ledger,
        returns_activity=[*record.returns_activity, *activity],
    )


def tell_case(
    change: Changeset,
    case: Case | None,
    body: str,
    *,
    author: Author = Author.SYSTEM,
    author_id: str | None = None,
    told_by: type[Detail] | None = None,
) -> Case | None:
    """Add `body` to the case as a public message: an agent's answer makes it the customer's
    turn; the shop's news changes nobody's turn. A closed case takes no message. `told_by`: the
    event of the same change that tells the customer this (and emails them), so the answer's
    own event emails nothing."""
    if case is None or case.status is CaseStatus.CLOSED:
        return None
    answers = author is Author.AGENT and case.status in (CaseStatus.OPEN, CaseStatus.PENDING)
    event = "agent_reply" if answers else "system_message"
    message = CaseMessage(
        message_id=new_id("MSG", change.now),
        at=change.now,
        author=author,
        author_id=author_id,
        body=body,
    )
    after = apply_case_event(case, event, now=change.now)
    data = {"told_by": told_by.__name__} if told_by else None
    return change.change_case(case, after, event, message, data)


class ReturnsService:
    def __init__(
        self,
        store: OrderStore,
        refund_queue: RefundQueue,
        clock: Clock,
        returns_address: Address,
        retry: RetryPolicy | None = None,
    ) -> None:
        self._store = store
        self._queue = refund_queue
        self._clock = clock
        self._returns_address = returns_address
        self._retry = retry or RetryPolicy()

    # --- customer service ------------------------------------------------------------------------

    def approve_return(
        self, request: RequestContext, case_id: str, locale: str
    ) -> AgentCaseDetails:
        """Approve the case's requested returns: each gets its RMA, label and drop-off deadline
        (the policy the order was paid under), and the customer is told how to send it."""

        def decide(case: CaseRecord, record: OrderRecord, change: Changeset) -> None:
            policy = record.order.policy or Policy()
            approved: list[Return] = []
            for pending in self._requested_on(case.case, record):
                after = apply_return_event(pending, "approve", now=change.now, policy=policy)
                approved.append(put_return(change, record.order, pending, after, "approve"))

            def say(lc: str) -> str:
                return "\n".join(words.approved_message(r, lc) for r in approved)

            languages = customer_locales(record.order, locale)
            body = words.in_languages(languages, say)
            tell_case(
                change,
                case.case,
                body,
                author=Author.AGENT,
                author_id=request.actor.id,
                told_by=ReturnApproved,
            )

        return self._agent_step(request, case_id, locale, decide)

    def reject_return(
        self, request: RequestContext, case_id: str, reason: str, locale: str
    ) -> AgentCaseDetails:
        def decide(case: CaseRecord, record: OrderRecord, change: Changeset) -> None:
            rejected: list[Return] = []
            for pending in self._requested_on(case.case, record):
                after = apply_return_event(pending, "reject", now=change.now, reason=reason)
                rejected.append(put_return(change, record.order, pending, after, "reject"))
            languages = customer_locales(record.order, locale)
            body = words.in_languages(languages, lambda lc: words.rejected_message(rejected[0], lc))
            tell_case(
                change,
                case.case,
                body,
                author=Author.AGENT,
                author_id=request.actor.id,
                told_by=ReturnRejected,
            )

        return self._agent_step(request, case_id, locale, decide)

    def agent_refund(
        self, request: RequestContext, case_id: str, amount: Decimal, reason: str, locale: str
    ) -> AgentCaseDetails:
        """A refund the agent chooses (an item problem's, or goodwill), up to what is left: the
        rule is decided on the order's sums as read and committed only if they did not change;
        two agents refunding at once, the second is decided again on what the first left."""

        def decide(case: CaseRecord, record: OrderRecord, change: Changeset) -> None:
            source = (
                RefundSource.ITEM_PROBLEM
                if case.case.action is HelpAction.ITEM_PROBLEM
                else RefundSource.GOODWILL
            )
            refund = new_refund(
                refund_id=next_refund_id(record),
                order=record.order,
                refunds=record.refunds,
                source=source,
                amount=amount,
                now=change.now,
                case_id=case.case.case_id,
                reason=reason,
            )
            bump_ledger(change, record, refunds=1)
            refund = put_refund(change, record.order, None, refund, DUE)
            languages = customer_locales(record.order, locale)
            body = words.in_languages(languages, lambda lc: words.agent_refund_message(refund, lc))
            tell_case(change, case.case, body, author=Author.AGENT, author_id=request.actor.id)

        return self._agent_step(request, case_id, locale, decide)

    def _requested_on(self, case: Case, record: OrderRecord) -> list[Return]:
        pending = [
            r
            for r in record.returns
            if r.case_id == case.case_id and r.status is ReturnStatus.REQUESTED
        ]
        if case.action is not HelpAction.RETURN_REQUEST or not pending:
            raise NoReturnRequested(case.case_id)
        return sorted(pending, key=lambda r: r.requested_at)

    def _agent_step(
        self,
        request: RequestContext,
        case_id: str,
        locale: str,
        decide: Callable[[CaseRecord, OrderRecord, Changeset], None],
    ) -> AgentCaseDetails:
        def attempt(number: int) -> AgentCaseDetails:
            case = self._store.load_case(case_id)
            if case is None:
                raise CaseNotFound(case_id)
            record = self._order(case.case.order_id)
            if case.written_by(request.id) or written_by(record, request.id):
                return recognised(self._agent_answer(case, record, locale))
            change = Changeset(request, self._clock(), attempt=number)
            decide(case, record, change)
            self._store.commit(change)
            return self._agent_answer(_case_applied(case, change), applied(record, change), locale)

        return write_once(self._retry, attempt, lambda: self._case_kept_changing(case_id))

    def _agent_answer(self, case: CaseRecord, record: OrderRecord, locale: str) -> AgentCaseDetails:
        agent_case = AgentCase.of_conversation(case.case, case.messages, locale, case.older)
        return AgentCaseDetails.of(agent_case, record, self._clock(), locale)

    # --- the shop --------------------------------------------------------------------------------

    def receive_return(
        self, request: RequestContext, return_id: str, items: list[ReceivedItem], locale: str
    ) -> ReturnView:
        """The parcel arrived: what came back, in what condition. A return for a refund makes
        its refund due (its items' amount by the policy, up to what is left to refund); one for
        a replacement is done (the shop sends the replacement). Decided on the order's returns
        as read: a second return requested meanwhile is decided after it, or it after that."""
        order_id = order_of_return(return_id)
        if order_id is None:
            raise ReturnNotFound(return_id)

        def attempt(number: int) -> ReturnView:
            record = self._store.load(order_id)
            current = _return_of(record, return_id)
            assert record is not None
            if written_by(record, request.id):
                return recognised(ReturnView.of(current, locale))
            change = Changeset(request, self._clock(), attempt=number)
            check_receipt(current, items)
            arrived = apply_return_event(current, "receive", now=change.now, items=items)
            refund = None
            if arrived.wants_refund():
                amount = min(
                    return_refund_amount(record.order, arrived, record.returns),
                    refund_left(record.order, record.refunds),
                )
                if amount > 0:
                    refund = new_refund(
                        refund_id=next_refund_id(record),
                        order=record.order,
                        refunds=record.refunds,
                        source=RefundSource.RETURN,
                        amount=amount,
                        now=change.now,
                        case_id=current.case_id,
                        return_id=return_id,
                    )
                    arrived = arrived.model_copy(update={"refund_id": refund.refund_id})
            else:
                arrived = apply_return_event(arrived, "replace", now=change.now)
            bump_ledger(change, record, refunds=1 if refund else 0)
            after = put_return(change, record.order, current, arrived, "receive")
            if refund is not None:
                refund = put_refund(change, record.order, None, refund, DUE)
            languages = customer_locales(record.order, locale)
            body = words.in_languages(
                languages, lambda lc: words.received_message(after, refund, lc)
            )
            tell_case(change, record.case(current.case_id or ""), body)
            self._store.commit(change)
            return ReturnView.of(after, locale)

        return write_once(self._retry, attempt, lambda: self._order_kept_changing(order_id))

    def expire_return(self, request: RequestContext, return_id: str, locale: str) -> ReturnView:
        """An approved return whose drop-off deadline passed unused expires: its items can be
        asked for again. (What a scheduled pass over approved returns calls; refused before the
        deadline.)"""
        order_id = order_of_return(return_id)
        if order_id is None:
            raise ReturnNotFound(return_id)

        def attempt(number: int) -> ReturnView:
            record = self._store.load(order_id)
            current = _return_of(record, return_id)
            assert record is not None
            if written_by(record, request.id):
                return recognised(ReturnView.of(current, locale))
            change = Changeset(request, self._clock(), attempt=number)
            after = apply_return_event(current, "expire", now=change.now)
            after = put_return(change, record.order, current, after, "expire")
            self._store.commit(change)
            return ReturnView.of(after, locale)

        return write_once(self._retry, attempt, lambda: self._order_kept_changing(order_id))

    def issue_refund(
        self,
        request: RequestContext,
        refund_id: str,
        data: dict[str, Any],
        locale: str,
    ) -> RefundWork:
        return self._settle(request, refund_id, "issue", data, locale)

    def fail_refund(
        self, request: RequestContext, refund_id: str, reason: str, locale: str
    ) -> RefundWork:
        return self._settle(request, refund_id, "fail", {"reason": reason}, locale)

    def retry_refund(self, request: RequestContext, refund_id: str, locale: str) -> RefundWork:
        return self._settle(request, refund_id, "retry", {}, locale)

    def _settle(
        self, request: RequestContext, refund_id: str, event: str, data: dict[str, Any], locale: str
    ) -> RefundWork:
        """The payment system's news of a refund. An issued refund of a return ends the return
        (`refunded`); the customer's case is told of an issued or failed refund."""
        order_id = order_of_refund(refund_id)
        if order_id is None:
            raise RefundNotFound(refund_id)

        def attempt(number: int) -> RefundWork:
            record = self._store.load(order_id)
            current = _refund_of(record, refund_id)
            assert record is not None
            if written_by(record, request.id):
                return recognised(RefundWork.of(current, locale))
            change = Changeset(request, self._clock(), attempt=number)
            details = dict(data)
            if event == "issue":
                details["issued_at"] = _issue_time(current, details.get("issued_at"), change.now)
            after = apply_refund_event(current, event, now=change.now, **details)
            after = put_refund(change, record.order, current, after, event)
            if event == "issue" and after.return_id:
                returned = next((r for r in record.returns if r.return_id == after.return_id), None)
                if returned is not None and returned.status is ReturnStatus.RECEIVED:
                    done = apply_return_event(returned, "refund", now=change.now)
                    put_return(change, record.order, returned, done, "refund")
            say = {"issue": words.issued_message, "fail": words.failed_message}.get(event)
            if say is not None:
                languages = customer_locales(record.order, locale)
                body = words.in_languages(languages, lambda lc: say(after, lc))
                tell_case(change, record.case(after.case_id or ""), body)
            self._store.commit(change)
            return RefundWork.of(after, locale)

        return write_once(self._retry, attempt, lambda: self._order_kept_changing(order_id))

    def refunds(
        self, status: RefundStatus, limit: int, cursor: str | None, locale: str
    ) -> RefundPage:
        refunds, next_cursor = self._queue.page(status, limit, cursor)
        return RefundPage(
            refunds=[RefundWork.of(refund, locale) for refund in refunds], next_cursor=next_cursor
        )

    # --- customers -------------------------------------------------------------------------------

    def label(self, customer_id: str, order_id: str, return_id: str, locale: str) -> bytes:
        """The return's printable label: its customer's alone, once it is approved."""
        # The PDF and QR libraries load when a label is asked for, not on every cold start.
        from orderhelp.labels import return_label  # noqa: PLC0415

        record = self._store.load(order_id)
        if record is None or record.order.customer_id != customer_id:
            raise OrderNotFound(order_id)
        current = _return_of(record, return_id)
        if current.rma is None:
            raise NoLabelYet(return_id, str(current.status))
        return return_label(current, record.order, self._returns_address, locale)

    # --- helpers ---------------------------------------------------------------------------------

    def _order(self, order_id: str) -> OrderRecord:
        record = self._store.load(order_id)
        if record is None:  # orders are never deleted; a case without one is a bug
            raise OrderNotFound(order_id)
        return record

    def _order_kept_changing(self, order_id: str) -> Conflict:
        current = self._order(order_id)
        return Conflict(
            "The order's returns and refunds kept changing; please try again.",
            order_id=order_id,
            status=str(current.order.status),
            version=current.order.version,
        )

    def _case_kept_changing(self, case_id: str) -> Conflict:
        case = self._store.get_case(case_id)
        if case is None:
            raise CaseNotFound(case_id)
        return Conflict(
            "The case kept changing while this request was handled; read it again and retry.",
            case_id=case_id,
            status=str(case.status),
            version=case.version,
        )


def _return_of(record: OrderRecord | None, return_id: str) -> Return:
    found = next((r for r in record.returns if r.return_id == return_id), None) if record else None
    if found is None:
        raise ReturnNotFound(return_id)
    return found


def _refund_of(record: OrderRecord | None, refund_id: str) -> Refund:
    found = next((r for r in record.refunds if r.refund_id == refund_id), None) if record else None
    if found is None:
        raise RefundNotFound(refund_id)
    return found


def _issue_time(refund: Refund, issued_at: datetime | None, now: datetime) -> datetime:
    """When the money went back: not before it was owed, not ahead of the clock beyond the skew
    between the systems' clocks (a moment within the skew counts as now)."""
    moment = issued_at or now
    if moment > now + CLOCK_SKEW:
        problem: dict[str, Any] = {
            "loc": ("issued_at",),
            "msg": "issued_at is in the future",
            "type": "future",
        }
        raise InvalidReturn([problem])
    if moment < refund.created_at:
        problem = {
            "loc": ("issued_at",),
            "msg": "issued_at is before the refund was due",
            "type": "not_before_due",
            "ctx": {"due_since": refund.created_at.isoformat().replace("+00:00", "Z")},
        }
        raise InvalidReturn([problem])
    return min(moment, now)


def _case_applied(case: CaseRecord, change: Changeset) -> CaseRecord:
    for write in change.cases:
        if isinstance(write, CaseUpdate) and write.after.case_id == case.case.case_id:
            return CaseRecord(
                case=write.after, activity=[*case.activity, write.activity], older=case.older
            )
    return case


__all__ = [
    "ReturnsService",
    "bump_ledger",
    "cancellation_refund",
    "put_refund",
    "put_return",
    "request_return",
]
