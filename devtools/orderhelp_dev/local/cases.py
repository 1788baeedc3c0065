"""Cases in any state, with a conversation, for demo data and sample events.

`stage_case` walks a case through the real flows (`CaseService`: assign, answer, solve, the
housekeeping close) on a timeline that ends before `now`, so every time in it is in the past and
a closed case was closed when housekeeping would have closed it. Only the opening is direct: the
case gets the id it is given (sample events name it), opened by the customer's first message, as
a help action would open it but without changing the order."""

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from lifecycle.actions import HelpAction
from lifecycle.case import Author, CaseMessage, CaseStatus, OpenedBy, RatingValue, new_case
from lifecycle.policy import CasePolicy
from orderhelp.case_numbers import CaseNumbers
from orderhelp.case_service import CaseService
from orderhelp.changes import Changeset, RequestContext
from orderhelp.errors import ClaimTaken, OrderNotFound
from orderhelp.ids import new_id
from orderhelp.records import Actor, ActorKind
from orderhelp.retry import RetryPolicy
from orderhelp.store import DynamoOrderStore


@dataclass(frozen=True)
class Conversation:
    """What is said on a staged case; every state uses the parts it reaches."""

    customer: str = "I paid for this order twice. Could you refund one of the payments?"
    note: str = "Checked with payments: two charges on the same card."
    agent: str = "Sorry about that. We have started the refund of the second charge."
    customer_again: str = "Thank you. How long will it take?"
    resolution: str = "The refund was issued; it shows on your card within 5 working days."


@dataclass(frozen=True)
class StagedCase:
    case_id: str
    order_id: str
    action: HelpAction
    status: CaseStatus


class _StepClock:
    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now


# Where each step falls after the case was opened.
_ASSIGNED = timedelta(minutes=20)
_NOTED = timedelta(minutes=30)
_ANSWERED = timedelta(hours=1)
_ANSWERED_AGAIN = timedelta(hours=3)
_SOLVED = timedelta(hours=5)
_RATED = _SOLVED + timedelta(minutes=30)


def stage_case(
    store: DynamoOrderStore,
    *,
    case_id: str,
    order_id: str,
    action: HelpAction | str,
    status: CaseStatus | str,
    now: datetime,
    case_policy: CasePolicy | None = None,
    agent: str = "agent-ana",
    conversation: Conversation | None = None,
    retry: RetryPolicy | None = None,
    ago: timedelta = timedelta(0),
    details: dict[str, Any] | None = None,
    locale: str = "en",
    display_name: Callable[[str], str | None] = lambda agent: None,
    rating: RatingValue | str | None = None,
    rating_comment: str | None = None,
) -> StagedCase:
    """Put a case of `order_id` for `action` in `status`, its story ending before `now`:

    - `open`: the customer wrote, an agent took it and answered, the customer wrote back;
    - `pending`: the customer wrote, an agent took it, noted something internal and answered;
    - `solved`: as pending, then solved with a resolution (an hour ago);
    - `closed`: as solved, then closed by housekeeping when it was due.

    The order must exist and have no case open for `action` (the one-open-case rule holds). With
    `ago`, the whole story happened that much earlier (a case solved days ago is due to close).
    `details` are the help request's fields beyond the message (a return's items, say);
    `locale` is the language of the notes the flows write themselves ("Assigned to …");
    `display_name`, the name customers read for the agent (their profile's); `rating` (with its
    `rating_comment`), the customer's rating, half an hour after the case was solved (the case
    flows refuse it for a case that is not solved or closed)."""
    action, status = HelpAction(action), CaseStatus(status)
    case_policy = case_policy or CasePolicy()
    said = conversation or Conversation()
    span = _SOLVED + timedelta(hours=1)
    if status is CaseStatus.CLOSED:
        span += case_policy.close_solved_after
    clock = _StepClock(now - ago - span)
    cases = CaseService(store, clock, case_policy, retry=retry, display_name=display_name)
    opened_at = clock.now

    record = store.load(order_id)
    if record is None:
        raise OrderNotFound(order_id)
    if record.open_case(action) is not None:
        raise ValueError(f"order {order_id} already has a case open for {action}")
    customer = Actor(kind=ActorKind.CUSTOMER, id=record.order.customer_id)
    staff = Actor(kind=ActorKind.AGENT, id=agent)
    opening_request = RequestContext.fresh(customer)
    numbers = CaseNumbers()
    for attempt in itertools.count():
        # A number another case holds: the same case, another number.
        opening = Changeset(opening_request, opened_at, attempt=attempt)
        opening.open_case(
            new_case(
                case_id=case_id,
                number=numbers.draw(case_id, attempt),
                order_id=order_id,
                customer_id=record.order.customer_id,
                action=action,
                now=opened_at,
                opened_by=OpenedBy.CUSTOMER,
                policy=case_policy,
                details={"message": said.customer, **(details or {})},
            ),
            CaseMessage(
                message_id=new_id("MSG", opened_at),
                at=opened_at,
                author=Author.CUSTOMER,
                body=said.customer,
            ),
        )
        try:
            numbers.commit(store, opening)
            break
        except ClaimTaken:
            continue

    def by(actor: Actor) -> RequestContext:
        return RequestContext.fresh(actor)

    clock.now = opened_at + _ASSIGNED
    cases.assign(by(staff), case_id, force=False, locale=locale)
    clock.now = opened_at + _NOTED
    if status is not CaseStatus.OPEN:
        cases.agent_message(by(staff), case_id, said.note, internal=True, locale=locale)
    clock.now = opened_at + _ANSWERED
    cases.agent_message(by(staff), case_id, said.agent, internal=False, locale=locale)
    if status is CaseStatus.OPEN:
        clock.now = opened_at + _ANSWERED_AGAIN
        cases.customer_message(by(customer), case_id, said.customer_again, locale)
    if status in (CaseStatus.SOLVED, CaseStatus.CLOSED):
        clock.now = opened_at + _SOLVED
        cases.solve(by(staff), case_id, said.resolution, locale)
    if rating is not None:
        clock.now = opened_at + _RATED
        cases.rate(by(customer), case_id, RatingValue(rating), rating_comment, locale)
    if status is CaseStatus.CLOSED:
        clock.now = opened_at + _SOLVED + case_policy.close_solved_after
        staged = store.load_case(case_id)
        assert staged is not None
        if not cases.close_due_case(staged.case):
            raise RuntimeError(f"case {case_id} could not be closed")
    return StagedCase(case_id=case_id, order_id=order_id, action=action, status=status)


def stage_cases_in_every_state(
    store: DynamoOrderStore,
    order_ids: dict[CaseStatus, str],
    *,
    now: datetime,
    action: HelpAction | str = HelpAction.PAYMENT_ISSUE,
    case_policy: CasePolicy | None = None,
) -> list[StagedCase]:
    """One case per state, each on its own order (`order_ids[status]`), ids `CS-DEMO-<STATE>`."""
    return [
        stage_case(
            store,
            case_id=f"CS-DEMO-{status.value.upper()}",
            order_id=order_ids[status],
            action=action,
            status=status,
            now=now,
            case_policy=case_policy,
        )
        for status in CaseStatus
    ]
