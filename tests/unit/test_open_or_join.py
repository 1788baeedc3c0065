"""The case rule that keeps at most one case per order and action open: a request joins the
open case (as the customer's reply, or a system message that changes nobody's turn), or opens a
new one, due by the policy's first-response time for its action."""

from datetime import timedelta

import pytest

from lifecycle.actions import HelpAction
from lifecycle.case import (
    OPEN_EVENT,
    Author,
    Case,
    CaseStatus,
    OpenedBy,
    Turn,
    apply_case_event,
    join_event,
    new_case,
    open_or_join,
)
from lifecycle.errors import EventNotAllowed
from lifecycle.policy import CasePolicy
from tests.builders import T0

LATER = T0 + timedelta(hours=3)


def opened(action: HelpAction = HelpAction.PAYMENT_ISSUE) -> Case:
    return new_case(
        case_id="CS-1",
        number=48213,
        order_id="ORD-1",
        customer_id="cust-lucia",
        action=action,
        now=T0,
        opened_by=OpenedBy.CUSTOMER,
        policy=CasePolicy(),
        details={"message": "Paid twice"},
    )


def in_status(status: CaseStatus) -> Case:
    case = opened()
    case = apply_case_event(case, "assign", now=T0, agent="agent-ana")
    if status in (CaseStatus.PENDING, CaseStatus.SOLVED):
        case = apply_case_event(case, "agent_reply", now=T0)
    if status is CaseStatus.SOLVED:
        case = apply_case_event(case, "solve", now=T0, resolution="Refunded")
    return case


@pytest.mark.parametrize("action", list(HelpAction))
def test_without_an_open_case_a_new_one_opens_due_by_the_policy(action: HelpAction) -> None:
    case, event = open_or_join(None, Author.CUSTOMER, T0, lambda: opened(action))
    # "open" is the activity the case's history records: a stored value
    assert event == OPEN_EVENT == "open"
    assert (case.status, case.turn, case.opened_at) == (CaseStatus.OPEN, Turn.CUSTOMER_SERVICE, T0)
    assert case.first_response_due_at == T0 + CasePolicy().first_response_within(action)
    assert case.details == {"message": "Paid twice"}


@pytest.mark.parametrize(
    ("status", "after"),
    [
        (CaseStatus.OPEN, CaseStatus.OPEN),
        (CaseStatus.PENDING, CaseStatus.OPEN),
        (CaseStatus.SOLVED, CaseStatus.OPEN),
    ],
)
def test_the_customers_repeat_joins_the_open_case_as_their_reply(
    status: CaseStatus, after: CaseStatus
) -> None:
    existing = in_status(status)

    def must_not_open() -> Case:
        raise AssertionError("a case is open: it must be joined")

    case, event = open_or_join(existing, Author.CUSTOMER, LATER, must_not_open)

    assert event == join_event(Author.CUSTOMER) == "customer_reply"
    assert (case.case_id, case.status) == (existing.case_id, after)
    assert (case.resolution, case.solved_at) == (None, None)
    assert case.last_activity_at == LATER


@pytest.mark.parametrize("status", [CaseStatus.OPEN, CaseStatus.PENDING, CaseStatus.SOLVED])
def test_a_system_message_joins_without_changing_whose_turn_it_is(status: CaseStatus) -> None:
    existing = in_status(status)
    case, event = open_or_join(existing, Author.SYSTEM, LATER, opened)
    assert event == "system_message"
    assert (case.status, case.turn) == (existing.status, existing.turn)


def test_a_closed_case_is_never_joined() -> None:
    solved = in_status(CaseStatus.SOLVED)
    closed = apply_case_event(
        solved, "close", now=T0 + timedelta(days=5), close_after=timedelta(days=4)
    )
    with pytest.raises(EventNotAllowed):
        open_or_join(closed, Author.CUSTOMER, LATER, opened)
