"""`CaseLifecycle`: whose turn it is, table-driven over every state and event."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from lifecycle.actions import HelpAction
from lifecycle.attachments import AttachmentType, MessageAttachment
from lifecycle.case import (
    Author,
    Case,
    CaseLifecycle,
    CaseMessage,
    CaseStatus,
    OpenedBy,
    Rating,
    RatingValue,
    SystemNote,
    Turn,
    apply_case_event,
)
from lifecycle.errors import EventNotAllowed
from statemachine import State

T0 = datetime(2026, 6, 1, 10, 0, tzinfo=UTC)
CLOSE_AFTER = timedelta(days=4)
S = CaseStatus

# (state, event) → the state after it; a pair not listed is refused.
EXPECTED: dict[tuple[CaseStatus, str], CaseStatus] = {
    (S.OPEN, "agent_reply"): S.PENDING,
    (S.PENDING, "agent_reply"): S.PENDING,
    (S.OPEN, "customer_reply"): S.OPEN,
    (S.PENDING, "customer_reply"): S.OPEN,
    (S.SOLVED, "customer_reply"): S.OPEN,
    (S.OPEN, "solve"): S.SOLVED,
    (S.PENDING, "solve"): S.SOLVED,
    (S.SOLVED, "close"): S.CLOSED,
    (S.OPEN, "solve_by_system"): S.SOLVED,
    (S.PENDING, "solve_by_system"): S.SOLVED,
    (S.OPEN, "internal_note"): S.OPEN,
    (S.PENDING, "internal_note"): S.PENDING,
    (S.SOLVED, "internal_note"): S.SOLVED,
    (S.OPEN, "system_message"): S.OPEN,
    (S.PENDING, "system_message"): S.PENDING,
    (S.SOLVED, "system_message"): S.SOLVED,
    (S.OPEN, "assign"): S.OPEN,
    (S.PENDING, "assign"): S.PENDING,
    (S.SOLVED, "assign"): S.SOLVED,
    (S.SOLVED, "rate"): S.SOLVED,
}
EVENTS = (
    "agent_reply",
    "customer_reply",
    "solve",
    "solve_by_system",
    "close",
    "internal_note",
    "system_message",
    "assign",
    "rate",
)


def a_case(status: CaseStatus = S.OPEN, **changes: Any) -> Case:
    fields: dict[str, Any] = {
        "case_id": "CS-1",
        "number": 48213,
        "order_id": "ORD-1",
        "customer_id": "cust-lucia",
        "action": HelpAction.PAYMENT_ISSUE,
        "status": status,
        "version": 3,
        "opened_at": T0,
        "opened_by": OpenedBy.CUSTOMER,
        "assignee": "agent-marta",
        "first_response_due_at": T0 + timedelta(hours=4),
        "last_activity_at": T0,
    }
    if status in (S.SOLVED, S.CLOSED):
        fields |= {"resolution": "Refund issued", "solved_at": T0 + timedelta(hours=1)}
    if status is S.CLOSED:
        fields["closed_at"] = T0 + timedelta(days=5)
    return Case.model_validate(fields | changes)


def data_for(event: str) -> dict[str, Any]:
    return {
        "solve": {"resolution": "Refund issued"},
        "solve_by_system": {"resolution": "The order was cancelled."},
        "close": {"close_after": CLOSE_AFTER},
        "assign": {"agent": "agent-bruno"},
        "rate": {"rating": RatingValue.GOOD},
    }.get(event, {})


@pytest.mark.parametrize("status", list(CaseStatus))
@pytest.mark.parametrize("event", EVENTS)
def test_every_state_and_event(status: CaseStatus, event: str) -> None:
    case = a_case(status)
    now = T0 + timedelta(days=6)
    expected = EXPECTED.get((status, event))
    if expected is None:
        with pytest.raises(EventNotAllowed, match=f"when the case is '{status}'"):
            apply_case_event(case, event, now=now, **data_for(event))
        return
    after = apply_case_event(case, event, now=now, **data_for(event))
    assert after.status is expected
    assert after.last_activity_at == now


def test_closed_is_the_only_final_state() -> None:
    assert [state.value for state in CaseLifecycle.final_states] == [S.CLOSED]


@pytest.mark.parametrize(
    ("status", "turn"),
    [
        (S.OPEN, Turn.CUSTOMER_SERVICE),
        (S.PENDING, Turn.CUSTOMER),
        (S.SOLVED, None),
        (S.CLOSED, None),
    ],
)
def test_the_status_says_whose_turn_it_is(status: CaseStatus, turn: Turn | None) -> None:
    assert a_case(status).turn == turn


def test_solving_needs_an_assignee() -> None:
    with pytest.raises(EventNotAllowed):
        apply_case_event(a_case(assignee=None), "solve", now=T0, resolution="done")
    solved = apply_case_event(a_case(), "solve", now=T0 + timedelta(hours=2), resolution="done")
    assert (solved.resolution, solved.solved_at) == ("done", T0 + timedelta(hours=2))


def test_a_solved_case_closes_only_after_the_waiting_period() -> None:
    solved = a_case(S.SOLVED)
    assert solved.solved_at is not None
    with pytest.raises(EventNotAllowed):
        apply_case_event(
            solved,
            "close",
            now=solved.solved_at + CLOSE_AFTER - timedelta(seconds=1),
            close_after=CLOSE_AFTER,
        )
    closed = apply_case_event(
        solved, "close", now=solved.solved_at + CLOSE_AFTER, close_after=CLOSE_AFTER
    )
    assert closed.closed_at == solved.solved_at + CLOSE_AFTER


def test_a_customer_reply_reopens_a_solved_case_and_clears_its_resolution() -> None:
    reopened = apply_case_event(a_case(S.SOLVED), "customer_reply", now=T0 + timedelta(days=1))
    assert reopened.status is S.OPEN
    assert reopened.resolution is None
    assert reopened.solved_at is None


def test_the_first_agent_reply_is_the_first_response() -> None:
    answered = apply_case_event(a_case(), "agent_reply", now=T0 + timedelta(hours=1))
    later = apply_case_event(answered, "agent_reply", now=T0 + timedelta(hours=3))
    assert later.first_responded_at == T0 + timedelta(hours=1)


@pytest.mark.parametrize("status", [S.OPEN, S.PENDING, S.SOLVED])
def test_assigning_hands_the_case_over_without_changing_whose_turn_it_is(
    status: CaseStatus,
) -> None:
    case = a_case(status)
    taken = apply_case_event(case, "assign", now=T0 + timedelta(days=6), agent="agent-bruno")
    assert (taken.assignee, taken.status, taken.turn) == ("agent-bruno", status, case.turn)


def test_the_system_solves_without_an_assignee_and_says_what_was_done() -> None:
    case = a_case(assignee=None)
    solved = apply_case_event(
        case, "solve_by_system", now=T0 + timedelta(hours=1), resolution="Cancelled."
    )
    assert (solved.status, solved.assignee) == (S.SOLVED, None)
    assert (solved.resolution, solved.solved_at) == ("Cancelled.", T0 + timedelta(hours=1))


# --- the rating of a solve ------------------------------------------------------------------------


def test_a_solved_case_is_rated_once_with_an_optional_comment() -> None:
    # Given a solved case, not rated yet
    solved = a_case(S.SOLVED)
    assert solved.awaits_rating()
    rated_at = T0 + timedelta(hours=2)

    # When its customer rates it
    rated = apply_case_event(
        solved, "rate", now=rated_at, rating=RatingValue.NOT_GOOD, comment="Too slow."
    )

    # Then the rating is on the case, for this solve, and a second one is refused
    assert rated.rating == Rating(
        value=RatingValue.NOT_GOOD, comment="Too slow.", at=rated_at, solved_at=solved.solved_at
    )
    assert (rated.status, rated.turn, rated.last_activity_at) == (S.SOLVED, None, rated_at)
    assert not rated.awaits_rating()
    with pytest.raises(EventNotAllowed):
        apply_case_event(rated, "rate", now=rated_at, rating=RatingValue.GOOD)


def test_a_case_solved_again_asks_again_and_keeps_the_last_rating_meanwhile() -> None:
    rated = apply_case_event(
        a_case(S.SOLVED), "rate", now=T0 + timedelta(hours=2), rating=RatingValue.GOOD
    )
    # The customer writes again: open, the earlier rating kept for agents, none asked for now
    reopened = apply_case_event(rated, "customer_reply", now=T0 + timedelta(hours=3))
    assert reopened.rating == rated.rating
    assert not reopened.awaits_rating()
    # Solved again: a new solve, a new rating asked for
    solved_again = apply_case_event(
        reopened, "solve", now=T0 + timedelta(hours=4), resolution="Refunded again"
    )
    assert solved_again.awaits_rating()
    again = apply_case_event(
        solved_again, "rate", now=T0 + timedelta(hours=5), rating=RatingValue.NOT_GOOD
    )
    assert again.rating is not None
    assert (again.rating.value, again.rating.comment) == (RatingValue.NOT_GOOD, None)
    assert again.rating.solved_at == T0 + timedelta(hours=4)


def test_a_closed_case_is_not_rated() -> None:
    closed = a_case(S.CLOSED)
    assert not closed.awaits_rating()
    with pytest.raises(EventNotAllowed):
        apply_case_event(closed, "rate", now=T0 + timedelta(days=6), rating=RatingValue.GOOD)


# --- when customer service will answer ----------------------------------------------------------


def test_the_answer_is_expected_by_the_first_response_due_time_until_it_is_given() -> None:
    waiting = a_case(S.OPEN)
    assert waiting.answer_expected_by() == T0 + timedelta(hours=4)
    answered = apply_case_event(waiting, "agent_reply", now=T0 + timedelta(hours=1))
    assert answered.answer_expected_by() is None
    # The customer writes back: their turn again, but the first answer was given
    back = apply_case_event(answered, "customer_reply", now=T0 + timedelta(hours=2))
    assert (back.status, back.answer_expected_by()) == (S.OPEN, None)


@pytest.mark.parametrize("status", [S.PENDING, S.SOLVED, S.CLOSED])
def test_no_answer_is_expected_when_it_is_not_customer_services_turn(status: CaseStatus) -> None:
    assert a_case(status).answer_expected_by() is None


def test_a_new_case_is_customer_services_turn_with_nothing_done_yet() -> None:
    # Given a case opened with only what opening it needs
    opened = Case.model_validate(
        {
            "case_id": "CS-9",
            "number": 48213,
            "order_id": "ORD-1",
            "customer_id": "cust-lucia",
            "action": HelpAction.RETURN_REQUEST,
            "opened_at": T0,
            "opened_by": OpenedBy.SYSTEM,
            "first_response_due_at": T0 + timedelta(hours=24),
            "last_activity_at": T0,
        }
    )
    # Then it is open, customer service's turn, at version 0, and nobody has done anything yet
    assert (opened.status, opened.turn, opened.version) == (S.OPEN, Turn.CUSTOMER_SERVICE, 0)
    nothing_yet = (
        "assignee",
        "first_responded_at",
        "follows",
        "resolution",
        "solved_at",
        "closed_at",
        "service_wrote_at",
        "customer_read_at",
    )
    assert {name: getattr(opened, name) for name in nothing_yet} == dict.fromkeys(nothing_yet)
    assert (opened.followed_by, opened.details, opened.unread) == ([], {}, False)


def test_a_message_is_the_customers_to_read_unless_marked_internal() -> None:
    message = CaseMessage.model_validate(
        {"message_id": "M-1", "at": T0, "author": Author.CUSTOMER, "body": "¿Y mi pedido?"}
    )
    assert (message.internal, message.author_id) == (False, None)


def test_whose_turn_it_is_travels_with_the_case_and_is_never_trusted_back() -> None:
    dumped = a_case(S.PENDING).model_dump(mode="json")
    assert dumped["turn"] == "customer"
    assert Case.model_validate(dumped | {"turn": "customer_service"}).turn is Turn.CUSTOMER


MICROSECOND = timedelta(microseconds=1)


@pytest.mark.parametrize(
    ("service_wrote_at", "customer_read_at", "unread"),
    [
        (None, None, False),
        (None, T0, False),
        (T0, None, True),
        (T0, T0 - MICROSECOND, True),
        (T0, T0, False),
        (T0, T0 + MICROSECOND, False),
    ],
)
def test_a_case_is_unread_when_customer_service_wrote_since_the_customer_last_looked(
    service_wrote_at: datetime | None, customer_read_at: datetime | None, unread: bool
) -> None:
    case = a_case(S.PENDING, service_wrote_at=service_wrote_at, customer_read_at=customer_read_at)
    assert case.unread is unread
    # It travels with the case, and is worked out again rather than trusted back
    dumped = case.model_dump(mode="json")
    assert dumped["unread"] is unread
    assert Case.model_validate(dumped | {"unread": not unread}).unread is unread


@pytest.mark.parametrize("status", [S.SOLVED, S.CLOSED])
def test_a_refused_case_event_names_the_case_and_its_state(status: CaseStatus) -> None:
    with pytest.raises(EventNotAllowed) as refused:
        apply_case_event(a_case(status), "agent_reply", now=T0 + timedelta(days=6))
    assert (refused.value.event, refused.value.state, refused.value.subject) == (
        "agent_reply",
        status,
        "case",
    )
    assert str(refused.value) == f"event 'agent_reply' is not allowed when the case is '{status}'"


class WatchedCaseLifecycle(CaseLifecycle):
    """The machine, noting every state it leaves and enters."""

    def __init__(self, case: Case) -> None:
        self.moves: list[tuple[str, CaseStatus]] = []
        super().__init__(case)

    def on_exit_state(self, source: State) -> None:
        self.moves.append(("exit", source.value))

    def on_enter_state(self, target: State) -> None:
        self.moves.append(("enter", target.value))


@pytest.mark.parametrize(
    ("status", "event"), [pair for pair, after in EXPECTED.items() if after is pair[0]]
)
def test_an_event_that_keeps_the_case_in_its_state_never_leaves_it(
    status: CaseStatus, event: str
) -> None:
    machine = WatchedCaseLifecycle(a_case(status))
    machine.send(event, now=T0 + timedelta(days=6), **data_for(event))
    assert machine.moves == []
    assert machine.case.status is status


def test_answering_moves_the_case_to_the_customers_turn() -> None:
    machine = WatchedCaseLifecycle(a_case(S.OPEN))
    machine.send("agent_reply", now=T0 + timedelta(hours=1))
    assert machine.moves == [("exit", S.OPEN), ("enter", S.PENDING)]


# --- the answer customer service owes -------------------------------------------------------------

DUE = T0 + timedelta(hours=4)


def test_the_first_answer_is_owed_by_its_due_time_while_the_case_is_open() -> None:
    assert a_case(S.OPEN).answer_due_at() == DUE


@pytest.mark.parametrize("status", [S.PENDING, S.SOLVED, S.CLOSED])
def test_no_answer_is_owed_when_it_is_not_customer_services_turn(status: CaseStatus) -> None:
    assert a_case(status, next_response_due_at=DUE).answer_due_at() is None


def test_after_the_first_answer_the_customers_next_message_is_due_within_the_same_time() -> None:
    # Given a case answered once, the customer's turn
    answered = apply_case_event(a_case(), "agent_reply", now=T0 + timedelta(hours=1))
    assert (answered.next_response_due_at, answered.answer_due_at()) == (None, None)
    # When the customer writes back
    back = apply_case_event(answered, "customer_reply", now=T0 + timedelta(hours=10))
    # Then their message is due an answer 4 hours on, however late the first was
    assert back.next_response_due_at == T0 + timedelta(hours=14)
    assert back.answer_due_at() == T0 + timedelta(hours=14)


def test_a_second_customer_message_on_their_turn_keeps_the_due_time_of_the_first() -> None:
    answered = apply_case_event(a_case(), "agent_reply", now=T0 + timedelta(hours=1))
    back = apply_case_event(answered, "customer_reply", now=T0 + timedelta(hours=2))
    again = apply_case_event(back, "customer_reply", now=T0 + timedelta(hours=5))
    assert again.next_response_due_at == T0 + timedelta(hours=6)


def test_a_case_never_answered_and_reopened_still_owes_its_first_answer() -> None:
    # Given a case the system solved before anyone answered
    solved = apply_case_event(
        a_case(), "solve_by_system", now=T0 + timedelta(hours=1), resolution="Cancelled."
    )
    # When the customer writes again
    reopened = apply_case_event(solved, "customer_reply", now=T0 + timedelta(hours=2))
    # Then only the first answer is owed, by its own due time
    assert (reopened.next_response_due_at, reopened.answer_due_at()) == (None, DUE)


def test_answering_again_settles_the_customers_latest_message() -> None:
    answered = apply_case_event(a_case(), "agent_reply", now=T0 + timedelta(hours=1))
    back = apply_case_event(answered, "customer_reply", now=T0 + timedelta(hours=2))
    settled = apply_case_event(back, "agent_reply", now=T0 + timedelta(hours=3))
    assert (settled.first_responded_at, settled.next_response_due_at) == (
        T0 + timedelta(hours=1),
        None,
    )


@pytest.mark.parametrize(
    ("status", "first_responded_at", "now", "late"),
    [
        (S.OPEN, None, DUE - MICROSECOND, False),
        (S.OPEN, None, DUE, False),
        (S.OPEN, None, DUE + MICROSECOND, True),
        (S.OPEN, T0 + timedelta(hours=1), DUE + timedelta(days=1), False),
        (S.PENDING, None, DUE + timedelta(days=1), False),
        (S.SOLVED, None, DUE + timedelta(days=1), False),
    ],
)
def test_the_first_answer_is_late_only_when_open_unanswered_and_past_its_due_time(
    status: CaseStatus, first_responded_at: datetime | None, now: datetime, late: bool
) -> None:
    case = a_case(status, first_responded_at=first_responded_at)
    assert case.first_answer_late(now) is late


def test_taking_a_case_records_the_name_the_customer_reads() -> None:
    taken = apply_case_event(
        a_case(), "assign", now=T0 + timedelta(hours=1), agent="agent-bruno", agent_name="Bruno"
    )
    assert (taken.assignee, taken.assignee_name) == ("agent-bruno", "Bruno")


# --- the case's parts -----------------------------------------------------------------------------


def test_case_numbers_start_at_1() -> None:
    assert a_case(number=1).number == 1
    with pytest.raises(ValidationError) as invalid:
        a_case(number=0)
    [error] = invalid.value.errors()
    assert (error["type"], error["loc"], error["ctx"]) == (
        "greater_than_equal",
        ("number",),
        {"ge": 1},
    )


def test_a_system_note_is_a_key_with_no_values_unless_given_and_never_changes() -> None:
    note = SystemNote(key="case_opened")
    assert note.values == {}
    with pytest.raises(ValidationError) as frozen:
        note.key = "case_closed"  # type: ignore[misc]
    assert frozen.value.errors()[0]["type"] == "frozen_instance"
    with pytest.raises(ValidationError) as unknown:
        SystemNote.model_validate({"key": "case_opened", "body": "Opened"})
    assert unknown.value.errors()[0]["type"] == "extra_forbidden"


def test_a_message_has_no_note_unless_the_system_wrote_it_and_names_its_attachments() -> None:
    message = CaseMessage.model_validate(
        {
            "message_id": "M-1",
            "at": T0,
            "author": Author.CUSTOMER,
            "body": "Foto adjunta",
            "attachments": [{"attachment_id": "AT-1", "content_type": "image/jpeg"}],
        }
    )
    assert message.note is None
    assert message.attachments == [
        MessageAttachment(attachment_id="AT-1", content_type=AttachmentType.JPEG)
    ]
    assert message.attachment_ids == ["AT-1"]
    assert CaseMessage.model_validate(message.model_dump()) == message


def test_a_rating_needs_the_solve_it_rates_and_has_no_comment_unless_given() -> None:
    rating = Rating.model_validate(
        {"value": "good", "at": T0 + timedelta(hours=2), "solved_at": T0 + timedelta(hours=1)}
    )
    assert rating.comment is None
    assert Rating.model_validate(rating.model_dump()) == rating
    with pytest.raises(ValidationError) as invalid:
        Rating.model_validate({"value": "good", "at": T0})
    [error] = invalid.value.errors()
    assert (error["type"], error["loc"]) == ("missing", ("solved_at",))
