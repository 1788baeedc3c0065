"""What the store keeps besides orders and cases: who did what (history), and the changes the
services hand to the store to write in one transaction."""

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from lifecycle.actions import HelpAction
from lifecycle.case import Case, CaseMessage
from lifecycle.order import Order, OrderStatus
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
    """One state change of an order: the order's version after it, and who made it."""

    model_config = ConfigDict(extra="forbid")

    version: int = Field(ge=1)
    at: UtcDatetime
    event: str
    actor: Actor
    from_status: OrderStatus | None = None
    to_status: OrderStatus
    data: dict[str, Any] = Field(default_factory=dict)


@dataclass
class OrderRecord:
    """An order with its cases and history, as one Query reads them."""

    order: Order
    cases: list[Case] = field(default_factory=list)
    history: list[HistoryEntry] = field(default_factory=list)
    open_cases: dict[HelpAction, str] = field(default_factory=dict)
    """The one non-closed case per help action, by action (see `store.OPEN_CASE`)."""

    def open_case(self, action: HelpAction) -> Case | None:
        case_id = self.open_cases.get(action)
        return next((case for case in self.cases if case.case_id == case_id), None)


@dataclass(frozen=True)
class NewCase:
    """Open `case` with its first message; it takes the order's slot for its action."""

    case: Case
    message: CaseMessage


@dataclass(frozen=True)
class CaseUpdate:
    """`before` becomes `after` (conditioned on `before.version`), with a new message if any.
    A case that closes gives up the order's slot for its action."""

    before: Case
    after: Case
    message: CaseMessage | None


@dataclass
class CaseRecord:
    """A case with its conversation (oldest first), as one Query reads them."""

    case: Case
    messages: list[CaseMessage] = field(default_factory=list)


@dataclass(frozen=True)
class OrderChange:
    """One state change of an order, written in one transaction or not at all."""

    before: Order | None
    """The order as read (its status and version condition the write); None when creating."""
    after: Order
    entry: HistoryEntry
    case: NewCase | CaseUpdate | None = None


@dataclass(frozen=True)
class CaseChange:
    """A case as a change leaves it, and how the store writes it."""

    case: Case
    change: NewCase | CaseUpdate

    @property
    def case_id(self) -> str:
        return self.case.case_id
