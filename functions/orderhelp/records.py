"""What the store keeps besides orders and cases: who did what (an order's history, a case's
activity), and the records the store reads back."""

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from lifecycle.actions import CaseAction
from lifecycle.case import Case, CaseMessage, CaseStatus
from lifecycle.order import Order, OrderStatus
from lifecycle.refunds import Refund
from lifecycle.returns import Return
from lifecycle.times import UtcDatetime


class ActorKind(StrEnum):
    CUSTOMER = "customer"
    OPS = "ops"
    AGENT = "agent"
    SYSTEM = "system"


class Actor(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: ActorKind
    id: str | None = None


class HistoryEntry(BaseModel):
    """One thing that happened to an order: a change (the order's version after it) or a request
    noted on the order without changing it (the version it saw, `changed` false)."""

    model_config = ConfigDict(extra="forbid")

    version: int = Field(ge=1)
    at: UtcDatetime
    event: str
    actor: Actor
    from_status: OrderStatus | None = None
    to_status: OrderStatus
    data: dict[str, Any] = Field(default_factory=dict)
    changed: bool = True
    """False for a help request that changed nothing on the order (a message to customer
    service): it did not take a version of the order."""
    request_id: str | None = None
    """The request that wrote it: how a retried request recognises its own applied write."""

    def position(self) -> tuple[int, bool, datetime, str]:
        """Where the entry stands in the order's history, as the store sorts it: by version,
        a change before the requests noted on it, then by time."""
        return (self.version, not self.changed, self.at, self.request_id or "")


class CaseActivity(BaseModel):
    """One change of a case (the case's version after it), with the message it added if any:
    the case's conversation is the messages of its activity."""

    model_config = ConfigDict(extra="forbid")

    version: int = Field(ge=1)
    at: UtcDatetime
    event: str
    """The case machine's event (`open` for the first one)."""
    actor: Actor
    from_status: CaseStatus | None = None
    to_status: CaseStatus
    message: CaseMessage | None = None
    data: dict[str, Any] = Field(default_factory=dict)
    request_id: str | None = None


class Ledger(BaseModel):
    """What every change of an order's returns and refunds is conditioned on (its version): so
    that two agents refunding at once, or a return received while another is requested, are
    decided one after the other on what the other left, never both on the same sums. Its counts
    number the order's returns and refunds."""

    model_config = ConfigDict(extra="forbid")

    order_id: str
    version: int = Field(default=0, ge=0)
    returns: int = Field(default=0, ge=0)
    refunds: int = Field(default=0, ge=0)


class ReturnsActivity(BaseModel):
    """One change of a return or a refund (its version after it), written in the same
    transaction as the change: who did it, when, and the return or refund as it left it, with
    its order's customer. It is the returns' and refunds' outbox, as history entries are the
    orders'."""

    model_config = ConfigDict(extra="forbid")

    order_id: str
    customer_id: str
    subject: str
    """`return` or `refund`."""
    subject_id: str
    subject_version: int = Field(ge=1)
    event: str
    """The machine's event (`request` or `due` for the first one)."""
    at: UtcDatetime
    actor: Actor
    state: dict[str, Any]
    """The return or refund as the change left it (its JSON)."""
    case_id: str | None = None
    request_id: str | None = None
    version: int = Field(default=0, ge=0)
    """The entry's own version as a record: 1, written once."""


@dataclass
class OrderRecord:
    """An order with its cases and history, as one Query reads them."""

    order: Order
    cases: list[Case] = field(default_factory=list)
    history: list[HistoryEntry] = field(default_factory=list)
    open_cases: dict[CaseAction, str] = field(default_factory=dict)
    """The one non-closed case per action, by action (the order's case slots)."""
    returns: list[Return] = field(default_factory=list)
    refunds: list[Refund] = field(default_factory=list)
    ledger: Ledger | None = None
    returns_activity: list[ReturnsActivity] = field(default_factory=list)

    def open_case(self, action: CaseAction) -> Case | None:
        case_id = self.open_cases.get(action)
        return next((case for case in self.cases if case.case_id == case_id), None)

    def case(self, case_id: str) -> Case | None:
        return next((case for case in self.cases if case.case_id == case_id), None)

    def written_by(self, request_id: str) -> HistoryEntry | None:
        """The history entry `request_id` wrote, if its write was applied."""
        return next((e for e in reversed(self.history) if e.request_id == request_id), None)

    def with_change(self, order: Order, entry: HistoryEntry, case: Case) -> "OrderRecord":
        """The record as a committed change left it, without reading it again."""
        others = [c for c in self.cases if c.case_id != case.case_id]
        open_cases = {a: c for a, c in self.open_cases.items() if c != case.case_id}
        if case.status is not CaseStatus.CLOSED:
            open_cases[case.action] = case.case_id
        return OrderRecord(
            order=order,
            cases=sorted([case, *others], key=lambda c: c.opened_at, reverse=True),
            history=sorted([*self.history, entry], key=HistoryEntry.position),
            open_cases=open_cases,
            returns=self.returns,
            refunds=self.refunds,
            ledger=self.ledger,
            returns_activity=self.returns_activity,
        )


@dataclass
class CaseRecord:
    """A case with its latest activity (newest last), as one Query reads them; older activity
    is read a page at a time from `older`."""

    case: Case
    activity: list[CaseActivity] = field(default_factory=list)
    older: str | None = None
    """The cursor of the page before this one; None when this page reaches the case's start."""

    @property
    def messages(self) -> list[CaseMessage]:
        return [entry.message for entry in self.activity if entry.message is not None]

    def written_by(self, request_id: str) -> CaseActivity | None:
        """The activity `request_id` wrote, if it is among the latest (a request retried soon
        after it was applied finds it there)."""
        return next((a for a in reversed(self.activity) if a.request_id == request_id), None)
