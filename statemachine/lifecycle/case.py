"""A customer-service case: the model and `CaseLifecycle`, the machine of whose turn it is.

A case belongs to one order and one help action. It is `open` while it is customer service's
turn, `pending` while it is the customer's, `solved` once an agent resolved it (a customer reply
reopens it), and `closed` when housekeeping closes a solved case after some days; a customer who
writes on a closed case gets a follow-up case that links back to it (`lifecycle.follow_up` says
what it is about). Once solved, the case asks its customer for a rating of the answer, once per
solve.
"""

from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, computed_field
from statemachine.exceptions import TransitionNotAllowed

from lifecycle.actions import CaseAction
from lifecycle.attachments import MessageAttachment
from lifecycle.base import Record
from lifecycle.errors import EventNotAllowed
from lifecycle.order import Identifier
from lifecycle.policy import CasePolicy
from lifecycle.text import MessageText
from lifecycle.times import UtcDatetime
from statemachine import State, StateMachine


class CaseStatus(StrEnum):
    OPEN = "open"
    PENDING = "pending"
    SOLVED = "solved"
    CLOSED = "closed"


class Turn(StrEnum):
    CUSTOMER_SERVICE = "customer_service"
    CUSTOMER = "customer"


class Author(StrEnum):
    CUSTOMER = "customer"
    AGENT = "agent"
    SYSTEM = "system"


class OpenedBy(StrEnum):
    CUSTOMER = "customer"
    SYSTEM = "system"


MessageBody = MessageText


class SystemNote(BaseModel):
    """What a system message says, kept as the locales' `case_notes` key and its values so that
    each reader reads it in their own language (its `body` is the English text, for logs)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    key: str
    values: dict[str, str] = Field(default_factory=dict)


class CaseMessage(BaseModel):
    model_config = ConfigDict(extra="forbid")

    message_id: Identifier
    at: UtcDatetime
    author: Author
    author_id: str | None = None
    author_name: str | None = Field(
        default=None,
        description="The agent's display name when they wrote it: what a customer reads instead "
        "of the agent's id.",
    )
    body: MessageBody
    internal: bool = Field(default=False, description="An agents' note the customer never sees.")
    note: SystemNote | None = None
    attachments: list[MessageAttachment] = Field(
        default_factory=list,
        description="Photos and files put on the message: their ids and types, never links.",
    )

    @property
    def attachment_ids(self) -> list[str]:
        return [attachment.attachment_id for attachment in self.attachments]


class RatingValue(StrEnum):
    GOOD = "good"
    NOT_GOOD = "not_good"


class Rating(BaseModel):
    """The customer's rating of how a case was solved."""

    model_config = ConfigDict(extra="forbid")

    value: RatingValue
    comment: MessageText | None = None
    at: UtcDatetime
    solved_at: UtcDatetime = Field(
        description="The solve it rates (a case solved again asks again)."
    )


class Case(Record):
    case_id: Identifier
    number: int = Field(
        ge=1, description="The case's short number, unique among cases: what people read out."
    )
    order_id: Identifier
    customer_id: Identifier
    action: CaseAction
    status: CaseStatus = CaseStatus.OPEN
    version: int = Field(default=0, ge=0)
    opened_at: UtcDatetime
    opened_by: OpenedBy
    assignee: str | None = None
    assignee_name: str | None = Field(
        default=None,
        description="The assignee's display name when they took the case: what the customer "
        "reads (never the agent's id).",
    )
    first_response_due_at: UtcDatetime
    first_responded_at: UtcDatetime | None = None
    next_response_due_at: UtcDatetime | None = Field(
        default=None,
        description="After the first answer: when the customer's latest message is due an answer "
        "(it is customer service's turn again), within the same time as the first answer.",
    )
    follows: Identifier | None = Field(
        default=None, description="The closed case this one continues."
    )
    followed_by: list[Identifier] = Field(
        default_factory=list,
        description="Where the customer went on after this case closed: its follow-up cases.",
    )
    linked_numbers: dict[Identifier, int] = Field(
        default_factory=dict,
        description="The numbers of the cases `follows` and `followed_by` name, by case id.",
    )
    details: dict[str, Any] = Field(
        default_factory=dict, description="What the customer asked for, as the action's body."
    )
    resolution: str | None = None
    solved_at: UtcDatetime | None = None
    closed_at: UtcDatetime | None = None
    last_activity_at: UtcDatetime
    rating: Rating | None = Field(
        default=None, description="The customer's latest rating of how the case was solved."
    )
    service_wrote_at: UtcDatetime | None = Field(
        default=None,
        description="When customer service (an agent, or the shop's systems) last wrote to the "
        "customer on this case; internal notes do not count.",
    )
    customer_read_at: UtcDatetime | None = Field(
        default=None, description="When the customer last opened the conversation."
    )

    @computed_field  # type: ignore[prop-decorator]
    @property
    def unread(self) -> bool:
        """Customer service wrote since the customer last opened the conversation."""
        return self.service_wrote_at is not None and (
            self.customer_read_at is None or self.customer_read_at < self.service_wrote_at
        )

    @computed_field  # type: ignore[prop-decorator]
    @property
    def turn(self) -> Turn | None:
        """Whose move it is; nobody's once the case is solved or closed."""
        return {CaseStatus.OPEN: Turn.CUSTOMER_SERVICE, CaseStatus.PENDING: Turn.CUSTOMER}.get(
            self.status
        )

    # --- guards ----------------------------------------------------------------------------------

    def has_assignee(self) -> bool:
        return self.assignee is not None

    def solved_for(self, now: datetime, close_after: timedelta) -> bool:
        return self.solved_at is not None and now >= self.solved_at + close_after

    # --- answer times ----------------------------------------------------------------------------

    @property
    def response_time(self) -> timedelta:
        """How long customer service has to answer this case, as its policy said when it opened."""
        return self.first_response_due_at - self.opened_at

    def answer_due_at(self) -> datetime | None:
        """When customer service owes the next answer: the first answer's due time until it is
        given, then the due time of the customer's latest message; None when it is not customer
        service's turn."""
        if self.status is not CaseStatus.OPEN:
            return None
        if self.first_responded_at is None:
            return self.first_response_due_at
        return self.next_response_due_at

    def first_answer_late(self, now: datetime) -> bool:
        """Overdue: open, never answered, and past its first-response time. A case answered once
        is never overdue on this clock, however long the customer's next message waits."""
        return (
            self.status is CaseStatus.OPEN
            and self.first_responded_at is None
            and now > self.first_response_due_at
        )

    def awaits_rating(self) -> bool:
        """Solved, and not rated since it was solved: the customer rates each solve once."""
        return self.status is CaseStatus.SOLVED and (
            self.rating is None or self.rating.solved_at != self.solved_at
        )

    # --- what the customer is told ---------------------------------------------------------------

    def answer_expected_by(self) -> datetime | None:
        """When customer service will answer: the first answer's due time while it is awaited
        (open, nobody answered yet); None once answered, or when it is not their turn."""
        if self.status is CaseStatus.OPEN and self.first_responded_at is None:
            return self.first_response_due_at
        return None


class CaseLifecycle(StateMachine):
    open = State("Open", initial=True, value=CaseStatus.OPEN)
    pending = State("Pending", value=CaseStatus.PENDING)
    solved = State("Solved", value=CaseStatus.SOLVED)
    closed = State("Closed", final=True, value=CaseStatus.CLOSED)

    agent_reply = open.to(pending) | pending.to.itself(internal=True)
    customer_reply = open.to.itself(internal=True) | pending.to(open) | solved.to(open)
    solve = open.to(solved, cond="has_assignee") | pending.to(solved, cond="has_assignee")
    # What the customer did themselves (a cancellation, a new address) needs no answer, and
    # what a cancellation made moot is done with: the system solves them, nobody is assigned.
    solve_by_system = open.to(solved) | pending.to(solved)
    close = solved.to(closed, cond="solved_for")
    # The customer's rating of the answer; the turn stays nobody's.
    rate = solved.to.itself(internal=True, cond="awaits_rating")
    internal_note = (
        open.to.itself(internal=True)
        | pending.to.itself(internal=True)
        | solved.to.itself(internal=True)
    )
    # Taking a case (or handing it over) does not change whose turn it is; a closed case is done.
    assign = (
        open.to.itself(internal=True)
        | pending.to.itself(internal=True)
        | solved.to.itself(internal=True)
    )
    # A message from the shop's systems (e.g. the delay check) does not change whose turn it is.
    system_message = (
        open.to.itself(internal=True)
        | pending.to.itself(internal=True)
        | solved.to.itself(internal=True)
    )

    def __init__(self, case: Case) -> None:
        super().__init__(model=case, state_field="status")

    @property
    def case(self) -> Case:
        case: Case = self.model
        return case

    def after_transition(self, now: datetime) -> None:
        self.case.last_activity_at = max(self.case.last_activity_at, now)

    def on_agent_reply(self, now: datetime) -> None:
        if self.case.first_responded_at is None:
            self.case.first_responded_at = now
        self.case.next_response_due_at = None

    def on_customer_reply(self, now: datetime, source: State) -> None:
        self.case.resolution = None
        self.case.solved_at = None
        answered = self.case.first_responded_at is not None
        if answered and source.value != CaseStatus.OPEN:
            # Customer service's turn again: the new message is due an answer like the first.
            self.case.next_response_due_at = now + self.case.response_time

    def on_solve(self, now: datetime, resolution: str) -> None:
        self.case.resolution = resolution
        self.case.solved_at = now
        self.case.next_response_due_at = None

    def on_solve_by_system(self, now: datetime, resolution: str) -> None:
        self.case.resolution = resolution
        self.case.solved_at = now

    def on_assign(self, agent: str, agent_name: str | None = None) -> None:
        self.case.assignee = agent
        self.case.assignee_name = agent_name

    def on_close(self, now: datetime) -> None:
        self.case.closed_at = now

    def on_rate(self, now: datetime, rating: RatingValue, comment: str | None = None) -> None:
        solved_at = self.case.solved_at
        assert solved_at is not None  # the guard: only a solved case is rated
        self.case.rating = Rating(value=rating, comment=comment, at=now, solved_at=solved_at)


def apply_case_event(case: Case, event: str, *, now: datetime, **data: Any) -> Case:
    """Fire `event` on a copy of `case` and return the new case; `EventNotAllowed` if refused."""
    working = case.model_copy(deep=True)
    machine = CaseLifecycle(working)
    try:
        machine.send(event, now=now, **data)
    except TransitionNotAllowed as refused:
        raise EventNotAllowed(event, case.status, subject="case") from refused
    return Case.model_validate(working.model_dump())


# --- at most one open case per order and action -------------------------------------------------


def join_event(author: Author) -> str:
    """The event that adds `author`'s message to an open case: a customer's repeat is a customer
    reply (it reopens a solved case); a message from the shop's systems changes nobody's turn."""
    return "customer_reply" if author is Author.CUSTOMER else "system_message"


def new_case(
    *,
    case_id: str,
    number: int,
    order_id: str,
    customer_id: str,
    action: CaseAction,
    now: datetime,
    opened_by: OpenedBy,
    policy: CasePolicy,
    details: Mapping[str, Any] | None = None,
    follows: str | None = None,
) -> Case:
    """A case just opened: customer service's turn, its first answer due by the policy."""
    return Case(
        case_id=case_id,
        number=number,
        order_id=order_id,
        customer_id=customer_id,
        action=action,
        opened_at=now,
        opened_by=opened_by,
        first_response_due_at=now + policy.first_response_within(action),
        follows=follows,
        details=dict(details or {}),
        last_activity_at=now,
    )


def open_or_join(
    already_open: Case | None, author: Author, now: datetime, opening: Callable[[], Case]
) -> tuple[Case, str]:
    """The rule that keeps at most one case per order and action not closed: a request for an
    action whose case is open joins that case (with `join_event(author)`); otherwise `opening()`
    opens a new one. Returns the case as the request leaves it and the event that did it
    (`open` for a new case)."""
    if already_open is None:
        return opening(), OPEN_EVENT
    event = join_event(author)
    return apply_case_event(already_open, event, now=now), event


OPEN_EVENT = "open"
"""The activity that starts a case (the case machine's initial state needs no transition)."""
