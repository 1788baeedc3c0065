"""The one way anything changes: a `Changeset` says what one request changes, the store writes it
as one conditional transaction or not at all.

A flow fires events on the machines (`OrderLifecycle`, `CaseLifecycle`) and hands the results to
a changeset; the changeset gives every change its version and its log entry (an order's history
entry, a case's activity), stamps both with the request's identity, and says what each write is
conditioned on. Flows therefore state *what* changes; versioning, logging, conditions and the
exactly-once token are written here once:

- a change of an order is conditioned on the status and version it was read at, and takes the
  next version; a request that changes nothing on the order (a message to customer service) is
  conditioned on what its guards read instead, and takes no version, so it never contends with
  the shop's own changes;
- a new case takes the order's slot for its action (at most one case per order and action is not
  closed) and claims its number (unique among all cases); a closing case gives the slot back;
  every other case change is conditioned on the case's version;
- `token()` is the transaction's `ClientRequestToken`, derived from the request and the versions
  it writes, so DynamoDB recognises the SDK's retry of a transaction it already applied.

The history entries and case activities are also the outbox: what the transaction wrote is what
the rest of the world hears about.
"""

import hashlib
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol, TypeVar

from lifecycle.actions import CaseAction
from lifecycle.attachments import MessageAttachment
from lifecycle.case import (
    OPEN_EVENT,
    Author,
    Case,
    CaseMessage,
    CaseStatus,
    OpenedBy,
    apply_case_event,
    new_case,
    open_or_join,
)
from lifecycle.order import Order
from lifecycle.policy import CasePolicy
from orderhelp.ids import new_id
from orderhelp.records import Actor, ActorKind, CaseActivity, HistoryEntry

V = TypeVar("V", bound="Versioned")

TOKEN_LENGTH = 36
"""DynamoDB's limit for a `ClientRequestToken`."""

CASE_NUMBER = "case_number"
"""The claim of a case's number: held by the case that opened with it, for good."""


@dataclass(frozen=True)
class RequestContext:
    """Who makes a request, and the identity every write of the request carries."""

    id: str
    """The same for every attempt of the same request, retries by the client with the same
    Idempotency-Key included: a retried request recognises its own applied write by it."""
    actor: Actor

    @classmethod
    def fresh(cls, actor: Actor) -> "RequestContext":
        """A request without a client-given identity (no Idempotency-Key): unique to this call."""
        return cls(id=f"r-{secrets.token_hex(12)}", actor=actor)

    @classmethod
    def derived(cls, actor: Actor, *parts: str) -> "RequestContext":
        """A request whose identity follows from what it means (the client's key and body, the
        order and deadline a delay check records): the same parts, the same identity."""
        digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()
        return cls(id=f"k-{digest[:30]}", actor=actor)


# --- what a changeset holds ----------------------------------------------------------------------


@dataclass(frozen=True)
class NewOrder:
    order: Order
    entry: HistoryEntry


@dataclass(frozen=True)
class OrderUpdate:
    """`before` becomes `after`, conditioned on the status and version `before` was read at."""

    before: Order
    after: Order
    entry: HistoryEntry


@dataclass(frozen=True)
class OrderNote:
    """A request recorded on the order without changing it, conditioned on `guarded_by` fields
    still holding the values `order` was read with."""

    order: Order
    entry: HistoryEntry
    guarded_by: tuple[str, ...]

    def expected(self) -> dict[str, Any]:
        values = self.order.model_dump(mode="json", include=set(self.guarded_by))
        return {name: values.get(name) for name in self.guarded_by}


OrderWrite = NewOrder | OrderUpdate | OrderNote


@dataclass(frozen=True)
class NewCase:
    """Open `case`; it takes the order's slot for its action."""

    case: Case
    activity: CaseActivity


@dataclass(frozen=True)
class CaseUpdate:
    """`before` becomes `after`, conditioned on `before.version`. A case that closes gives up the
    order's slot for its action."""

    before: Case
    after: Case
    activity: CaseActivity

    @property
    def closes(self) -> bool:
        return (
            self.after.status is CaseStatus.CLOSED and self.before.status is not CaseStatus.CLOSED
        )


@dataclass(frozen=True)
class CaseRead:
    """The customer opened the conversation of `before`: `after` is the same version with the
    time they read it, conditioned on the case being as read (its version and read time), so
    it never hides a message written meanwhile. No version and no activity: reading changes
    nothing anyone else sees, and never contends with customer service's changes."""

    before: Case
    after: Case


CaseWrite = NewCase | CaseUpdate | CaseRead


class CaseNumberSource(Protocol):
    """Where a new case's number comes from (`orderhelp.case_numbers.CaseNumbers`)."""

    def draw(self, case_id: str, attempt: int = 0) -> int: ...


class Versioned(Protocol):
    """A record of its own (a return, a refund, an attachment…): a pydantic model with a
    version, whose key `store.keys.record_key` knows."""

    version: int

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Any: ...


@dataclass(frozen=True)
class RecordPut:
    """`after` written as a record: new when `before` is None, else conditioned on the version
    `before` was read at."""

    after: Any
    before: Any | None


@dataclass(frozen=True)
class Claim:
    """A value only one owner may hold at a time (a case number, say): taking a value already
    held refuses the whole transaction (`ClaimTaken`); `release` gives it back."""

    kind: str
    value: str
    owner: str
    release: bool = False


@dataclass
class Changeset:
    """Everything one request changes, written in one transaction or not at all."""

    request: RequestContext
    now: datetime
    orders: list[OrderWrite] = field(default_factory=list)
    cases: list[CaseWrite] = field(default_factory=list)
    records: list[RecordPut] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)
    attempt: int = 0
    """Which attempt of the request this is: a new attempt writes anew (its token differs)."""

    # --- orders ----------------------------------------------------------------------------------

    def create_order(self, order: Order, data: Mapping[str, Any] | None = None) -> Order:
        created = order.model_copy(update={"version": 1})
        entry = self._entry(1, "create", None, created, data)
        self.orders.append(NewOrder(created, entry))
        return created

    def change_order(
        self, before: Order, after: Order, event: str, data: Mapping[str, Any] | None = None
    ) -> tuple[Order, HistoryEntry]:
        """`after` (the machine's result for `event`) as the order's next version."""
        versioned = after.model_copy(update={"version": before.version + 1})
        entry = self._entry(versioned.version, event, before, versioned, data)
        self.orders.append(OrderUpdate(before, versioned, entry))
        return versioned, entry

    def note_on_order(
        self,
        order: Order,
        event: str,
        data: Mapping[str, Any] | None,
        guarded_by: Sequence[str],
    ) -> HistoryEntry:
        """Record `event` on the order without changing it, provided the fields its guards read
        (`guarded_by`, see `lifecycle.order_lifecycle.fields_read_by`) are still as read."""
        entry = self._entry(order.version, event, order, order, data).model_copy(
            update={"changed": False}
        )
        self.orders.append(OrderNote(order, entry, tuple(guarded_by)))
        return entry

    # --- cases -----------------------------------------------------------------------------------

    def open_case(
        self,
        case: Case,
        message: CaseMessage | None,
        data: Mapping[str, Any] | None = None,
    ) -> Case:
        opened = self._written(case.model_copy(update={"version": 1}), message)
        self.cases.append(NewCase(opened, self._activity(OPEN_EVENT, None, opened, message, data)))
        # A number another case holds refuses the opening (`ClaimTaken`): draw another.
        self.claim(CASE_NUMBER, str(opened.number), opened.case_id)
        return opened

    def change_case(
        self,
        before: Case,
        after: Case,
        event: str,
        message: CaseMessage | None = None,
        data: Mapping[str, Any] | None = None,
    ) -> Case:
        """`after` (the case machine's result for `event`) as the case's next version."""
        versioned = self._written(after.model_copy(update={"version": before.version + 1}), message)
        activity = self._activity(event, before, versioned, message, data)
        self.cases.append(CaseUpdate(before, versioned, activity))
        return versioned

    def read_case(self, case: Case) -> Case:
        """The customer opened `case`'s conversation now (see `CaseRead`)."""
        read = case.model_copy(update={"customer_read_at": self.now})
        self.cases.append(CaseRead(case, read))
        return read

    def write_to_customer_service(
        self,
        already_open: Case | None,
        *,
        order_id: str,
        customer_id: str,
        action: CaseAction,
        author: Author,
        body: str,
        opened_by: OpenedBy,
        policy: CasePolicy,
        numbers: CaseNumberSource,
        details: Mapping[str, Any] | None = None,
        follows: Case | None = None,
        done: str | None = None,
        attachments: Sequence[MessageAttachment] = (),
    ) -> tuple[Case, CaseMessage]:
        """`body` by `author` to customer service about the order's `action`: on the case open
        for it, joined as the case rule says (`lifecycle.case.open_or_join`), or on a new case,
        which draws its number from `numbers` and claims it in this transaction (`open_case`).
        `follows`: the closed case a new case continues (linked by id and number).
        Returns the case as the request leaves it, and the message.

        `done`: what the customer did themselves, when it asks nothing (self-service): a case it
        opens is solved by the shop's systems at once with those words, and on an open case the
        words are added without making it customer service's turn."""
        message = CaseMessage(
            message_id=new_id("MSG", self.now),
            at=self.now,
            author=author,
            body=body,
            attachments=list(attachments),
        )

        def opening() -> Case:
            case_id = new_id("CS", self.now)
            opened = new_case(
                case_id=case_id,
                number=numbers.draw(case_id, self.attempt),
                order_id=order_id,
                customer_id=customer_id,
                action=action,
                now=self.now,
                opened_by=opened_by,
                policy=policy,
                details=details,
                follows=None if follows is None else follows.case_id,
            )
            if follows is None:
                return opened
            return opened.model_copy(update={"linked_numbers": {follows.case_id: follows.number}})

        case, event = open_or_join(
            already_open, author if done is None else Author.SYSTEM, self.now, opening
        )
        if already_open is None:
            if done is not None:
                case = apply_case_event(case, "solve_by_system", now=self.now, resolution=done)
            return self.open_case(case, message), message
        return self.change_case(already_open, case, event, message), message

    def _written(self, case: Case, message: CaseMessage | None) -> Case:
        """A message customer service (an agent, or the shop's systems) wrote to the customer
        makes the case unread for them; their own words, and agents' notes, do not. A customer
        who writes has read the conversation they answer."""
        if message is None or message.internal:
            return case
        if self.request.actor.kind is ActorKind.CUSTOMER:
            return case.model_copy(update={"customer_read_at": self.now}) if case.unread else case
        return case.model_copy(update={"service_wrote_at": self.now})

    # --- records of their own, and claims -------------------------------------------------------

    def put_record(self, after: V, before: V | None = None) -> V:
        """`after` as a new record (version 1), or as `before`'s next version. The record's
        key and item layout are `store.keys.record_key` and `store.codec.record_item`."""
        version = 1 if before is None else before.version + 1
        versioned: V = after.model_copy(update={"version": version})
        self.records.append(RecordPut(versioned, before))
        return versioned

    def claim(self, kind: str, value: str, owner: str) -> None:
        """Take `value` of `kind` for `owner`, in this transaction or not at all."""
        self.claims.append(Claim(kind, value, owner))

    def release(self, kind: str, value: str, owner: str) -> None:
        """Give `value` back, if `owner` still holds it."""
        self.claims.append(Claim(kind, value, owner, release=True))

    # --- the transaction's identity ------------------------------------------------------------

    def token(self) -> str:
        """The transaction's `ClientRequestToken`: the same for the same request, attempt and
        versions (as the SDK's own retry of this transaction sends it), different otherwise."""
        parts = [self.request.id, str(self.attempt)]
        parts += [f"order:{w.entry.version}:{_order_id(w)}:{type(w).__name__}" for w in self.orders]
        parts += [
            f"read:{w.after.version}:{w.after.case_id}:{w.after.customer_read_at}"
            if isinstance(w, CaseRead)
            else f"case:{w.activity.version}:{_case_id(w)}"
            for w in self.cases
        ]
        parts += [f"record:{w.after.version}:{w.after!r}" for w in self.records]
        parts += [f"claim:{c.kind}:{c.value}:{c.owner}:{c.release}" for c in self.claims]
        digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()
        return digest[:TOKEN_LENGTH]

    @property
    def empty(self) -> bool:
        return not (self.orders or self.cases or self.records or self.claims)

    def _entry(
        self,
        version: int,
        event: str,
        before: Order | None,
        after: Order,
        data: Mapping[str, Any] | None,
    ) -> HistoryEntry:
        return HistoryEntry(
            version=version,
            at=self.now,
            event=event,
            actor=self.request.actor,
            from_status=before.status if before else None,
            to_status=after.status,
            data=dict(data or {}),
            request_id=self.request.id,
        )

    def _activity(
        self,
        event: str,
        before: Case | None,
        after: Case,
        message: CaseMessage | None,
        data: Mapping[str, Any] | None,
    ) -> CaseActivity:
        return CaseActivity(
            version=after.version,
            at=self.now,
            event=event,
            actor=self.request.actor,
            from_status=before.status if before else None,
            to_status=after.status,
            message=message,
            data=dict(data or {}),
            request_id=self.request.id,
        )


def _order_id(write: OrderWrite) -> str:
    return write.order.order_id if isinstance(write, NewOrder | OrderNote) else write.after.order_id


def _case_id(write: CaseWrite) -> str:
    return write.case.case_id if isinstance(write, NewCase) else write.after.case_id
