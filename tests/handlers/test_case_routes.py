"""Cases with customer service (issue 6): the customer's routes (`/cases`), the agents' routes
(`/agent/cases`), the follow-up of a closed case, and the housekeeping job."""

from datetime import datetime, timedelta
from typing import Any

import pytest

from lifecycle.case import CaseStatus
from lifecycle.i18n import translate
from lifecycle.policy import CasePolicy, Policy
from orderhelp import aws, wiring
from orderhelp.config import store_settings
from orderhelp_dev.local.cases import stage_cases_in_every_state
from tests.handlers.case_calls import (
    AGENT,
    OTHER_AGENT,
    agent_case,
    answer,
    assign,
    housekeeping,
    my_case,
    my_cases,
    open_case,
    queue,
    solve,
    solved_case,
    write,
)
from tests.handlers.client import CUSTOMER, OTHER_CUSTOMER, Api, Identity, iso

ORDER = "ORD-1"
ME = Identity.customer(CUSTOMER)
CLOSE_AFTER = timedelta(days=CasePolicy().close_solved_after_days)

CASE_KEYS = {
    # Issue 6 §2, in its words …
    "case_id",
    "order_id",
    "action",
    "status",
    "turn",
    "opened_at",
    "opened_by",
    "assignee_name",
    "first_response_due_at",
    "follows",
    "messages",
    # … and what else a case page shows.
    "status_label",
    "followed_by",
    "resolution",
    "solved_at",
    "closed_at",
    "last_activity_at",
    "details",
    # The conversation is read a page at a time, newest last (issue 10).
    "older_messages",
    # A number to read out, when they will answer, and the rating of a solve (issue 14).
    "number",
    "linked_numbers",
    "answer_expected_by",
    "rating",
    "rating_requested",
    # Whether customer service wrote since the customer last looked (issue 11).
    "unread",
}


def _ids(reply: Any) -> list[str]:
    return [case["case_id"] for case in reply.body["cases"]]


def _bodies(case: dict[str, Any]) -> list[tuple[str, str]]:
    return [(message["author"], message["body"]) for message in case["messages"]]


# --- the customer's routes ------------------------------------------------------------------------


def test_a_case_reads_as_the_issue_lists_it_without_internal_notes(api: Api) -> None:
    # Given a case an agent took, noted on and answered
    api.order_in("paid", order_id=ORDER)
    case_id = open_case(api, ORDER, "payment_issue", {"message": "Me cobraron dos veces."})
    opened_at = api.clock.now
    assert assign(api, case_id).status == 200
    api.clock.advance(minutes=10)
    assert answer(api, case_id, "Two charges on one card: refund due.", internal=True).status == 200
    api.clock.advance(minutes=20)
    assert answer(api, case_id, "Lo sentimos: devolvemos el segundo cargo.").status == 200

    # When the customer reads it, in Spanish
    reply = my_case(api, case_id, locale="es")

    # Then it has the issue's fields, says it is the customer's turn, and hides the note
    assert reply.status == 200
    case = reply.body
    assert set(case) == CASE_KEYS
    assert case["number"] in range(10000, 100000)
    assert case | {"messages": None, "number": None} == {
        "number": None,
        "linked_numbers": {},
        "answer_expected_by": None,
        "rating": None,
        "rating_requested": False,
        "older_messages": None,
        "case_id": case_id,
        "order_id": ORDER,
        "action": "payment_issue",
        "status": "pending",
        "status_label": translate("es", "case_states", "pending"),
        "turn": "customer",
        "opened_at": iso(opened_at),
        "opened_by": "customer",
        # Customers read who has the case by name, never by id (no profile here: no name).
        "assignee_name": None,
        "first_response_due_at": iso(
            opened_at + CasePolicy().first_response_within("payment_issue")
        ),
        "follows": None,
        "followed_by": [],
        "resolution": None,
        "solved_at": None,
        "closed_at": None,
        "last_activity_at": iso(api.clock.now),
        "details": {"message": "Me cobraron dos veces."},
        "messages": None,
        "unread": False,  # opening the case is reading it
    }
    assert case["messages"] == [
        {
            "at": iso(opened_at),
            "author": "customer",
            "author_name": None,
            "body": "Me cobraron dos veces.",
            "attachment_ids": [],
        },
        {
            "at": iso(api.clock.now),
            "author": "agent",
            "author_name": None,
            "body": "Lo sentimos: devolvemos el segundo cargo.",
            "attachment_ids": [],
        },
    ]


def test_the_customer_answers_and_it_is_customer_services_turn_again(api: Api) -> None:
    api.order_in("paid", order_id=ORDER)
    case_id = open_case(api, ORDER)
    assert answer(api, case_id, "Which card did you pay with?").status == 200
    api.clock.advance(hours=1)

    reply = write(api, case_id, "The one ending in 4242.")

    assert reply.status == 200
    assert reply.body["message"] == {
        "at": iso(api.clock.now),
        "author": "customer",
        "author_name": None,
        "body": "The one ending in 4242.",
        "attachment_ids": [],
    }
    case = reply.body["case"]
    assert (case["case_id"], case["status"], case["turn"]) == (case_id, "open", "customer_service")
    assert _bodies(case)[-2:] == [
        ("agent", "Which card did you pay with?"),
        ("customer", "The one ending in 4242."),
    ]
    assert my_case(api, case_id).body == case


def test_a_reply_reopens_a_solved_case_and_clears_its_resolution(api: Api) -> None:
    api.order_in("paid", order_id=ORDER)
    case_id = solved_case(api, ORDER)
    solved = my_case(api, case_id).body
    assert (solved["status"], solved["turn"], solved["resolution"]) == (
        "solved",
        None,
        "Refund issued.",
    )
    # The resolution is the agent's last word to the customer.
    assert _bodies(solved)[-1] == ("agent", "Refund issued.")

    reply = write(api, case_id, "The refund has not arrived.")

    assert reply.status == 200
    case = reply.body["case"]
    assert (case["case_id"], case["status"], case["turn"]) == (case_id, "open", "customer_service")
    assert (case["resolution"], case["solved_at"]) == (None, None)


@pytest.mark.parametrize("body", ["", "   \n", "x" * 5001])
def test_a_message_is_1_to_5000_characters_not_only_blanks(api: Api, body: str) -> None:
    api.order_in("paid", order_id=ORDER)
    case_id = open_case(api, ORDER)
    before = api.snapshot()

    reply = write(api, case_id, body)

    assert reply.status == 422
    assert reply.error["code"] == "validation_error"
    assert api.snapshot() == before


def test_a_message_of_exactly_5000_characters_is_kept_whole(api: Api) -> None:
    api.order_in("paid", order_id=ORDER)
    case_id = open_case(api, ORDER)
    body = "ñ" * 5000
    assert write(api, case_id, body).status == 200
    assert api.case_messages(case_id)[-1] == body


def test_my_cases_come_newest_activity_first_only_mine(api: Api) -> None:
    # Given three cases of mine on two orders, and one of another customer
    api.order_in("paid", order_id=ORDER)
    api.order_in("paid", order_id="ORD-2")
    api.order_in("paid", customer=OTHER_CUSTOMER, order_id="ORD-MARTA")
    first = open_case(api, ORDER, "payment_issue")
    api.clock.advance(minutes=1)
    second = open_case(api, "ORD-2", "customs_duties")
    api.clock.advance(minutes=1)
    third = open_case(api, ORDER, "change_address")
    open_case(api, "ORD-MARTA", customer=OTHER_CUSTOMER)
    api.clock.advance(minutes=1)
    # When the oldest gets an answer
    assert answer(api, first, "We are on it.").status == 200

    reply = my_cases(api)

    # Then it comes first, and only my cases are listed, each with its status and turn
    assert reply.status == 200
    assert _ids(reply) == [first, third, second]
    assert reply.body["next_cursor"] is None
    newest = reply.body["cases"][0]
    assert (newest["status"], newest["turn"]) == ("pending", "customer")
    assert "messages" not in newest


@pytest.mark.parametrize("limit", [1, 2, 3, 4])
def test_pages_of_my_cases_walk_each_case_once(api: Api, limit: int) -> None:
    api.order_in("paid", order_id=ORDER)
    opened = []
    for action in ("payment_issue", "customs_duties", "change_address"):
        opened.append(open_case(api, ORDER, action))
        api.clock.advance(seconds=0.5)  # sub-second times must sort right too

    seen: list[str] = []
    cursor = None
    for _ in range(5):
        reply = my_cases(api, f"?limit={limit}" + (f"&cursor={cursor}" if cursor else ""))
        assert reply.status == 200
        seen += _ids(reply)
        cursor = reply.body["next_cursor"]
        if cursor is None:
            break
    assert seen == opened[::-1]


def test_a_cursor_is_only_good_for_the_list_it_came_from(api: Api) -> None:
    api.order_in("paid", order_id=ORDER)
    open_case(api, ORDER, "payment_issue")
    open_case(api, ORDER, "customs_duties")
    cursor = my_cases(api, "?limit=1").body["next_cursor"]
    assert cursor

    for reply in (
        my_cases(api, f"?limit=1&cursor={cursor}", customer=OTHER_CUSTOMER),
        queue(api, "open", f"&cursor={cursor}"),
        my_cases(api, f"?limit=1&cursor={cursor[:-2]}x"),
        api.call("GET", f"/orders?cursor={cursor}", identity=ME),
    ):
        assert reply.status == 400, reply
        assert reply.error["code"] == "invalid_cursor"


def test_order_details_show_each_case_in_the_customers_language_and_whose_turn(api: Api) -> None:
    api.order_in("paid", order_id=ORDER)
    waiting = open_case(api, ORDER, "payment_issue")
    answered = open_case(api, ORDER, "customs_duties")
    assert answer(api, answered, "No duties within the EU.").status == 200

    for locale in ("es", "en"):
        cases = {case["case_id"]: case for case in api.details(ORDER, locale=locale).body["cases"]}
        assert (cases[waiting]["status_label"], cases[waiting]["turn"]) == (
            translate(locale, "case_states", "open"),
            "customer_service",
        )
        assert (cases[answered]["status_label"], cases[answered]["turn"]) == (
            translate(locale, "case_states", "pending"),
            "customer",
        )


# --- a closed case goes on in a follow-up ---------------------------------------------------------


def _closed_case(api: Api, order_id: str = ORDER, action: str = "payment_issue") -> str:
    case_id = solved_case(api, order_id, action)
    api.clock.advance(days=CLOSE_AFTER.days, minutes=1)
    assert housekeeping()["closed"] == 1
    assert my_case(api, case_id).body["status"] == "closed"
    return case_id


def test_a_message_on_a_closed_case_opens_a_follow_up_shown_with_it(api: Api) -> None:
    # Given a closed case
    api.order_in("paid", order_id=ORDER)
    closed = _closed_case(api)

    # When the customer writes on it
    reply = api.call(
        "POST",
        f"/cases/{closed}/messages",
        {"body": "The refund never arrived."},
        identity=ME,
    )

    # Then a follow-up case got the message: same order and action, linked both ways
    assert reply.status == 201
    follow_up = reply.body["case"]
    assert follow_up["case_id"] != closed
    assert (follow_up["order_id"], follow_up["action"], follow_up["follows"]) == (
        ORDER,
        "payment_issue",
        closed,
    )
    assert (follow_up["status"], follow_up["turn"], follow_up["opened_by"]) == (
        "open",
        "customer_service",
        "customer",
    )
    assert _bodies(follow_up) == [("customer", "The refund never arrived.")]
    assert my_case(api, follow_up["case_id"]).body == follow_up
    closed_view = my_case(api, closed).body
    assert closed_view["status"] == "closed"
    assert closed_view["followed_by"] == [follow_up["case_id"]]
    # each names the other by its number too, to be shown instead of the id
    assert follow_up["linked_numbers"] == {closed: closed_view["number"]}
    assert closed_view["linked_numbers"] == {follow_up["case_id"]: follow_up["number"]}
    # The follow-up took the order's slot: a new help request joins it
    assert open_case(api, ORDER, "payment_issue") == follow_up["case_id"]
    # and the order shows both
    cases = {case["case_id"]: case for case in api.details(ORDER).body["cases"]}
    assert cases[follow_up["case_id"]]["follows"] == closed
    assert cases[closed]["status"] == "closed"
    # and customer service sees the follow-up in its queue
    assert follow_up["case_id"] in _ids(queue(api, "open"))


def test_a_second_message_on_the_closed_case_joins_its_follow_up(api: Api) -> None:
    api.order_in("paid", order_id=ORDER)
    closed = _closed_case(api)
    follow_up = write(api, closed, "Still nothing.").body["case"]["case_id"]
    api.clock.advance(minutes=5)

    again = write(api, closed, "Hello?")

    assert again.status == 200
    assert again.body["case"]["case_id"] == follow_up
    assert _bodies(again.body["case"]) == [("customer", "Still nothing."), ("customer", "Hello?")]
    assert my_case(api, closed).body["followed_by"] == [follow_up]


def test_a_message_on_a_closed_case_joins_the_case_already_open_for_that_action(
    api: Api,
) -> None:
    # Given a closed case, and a new case the customer opened since for the same action
    api.order_in("paid", order_id=ORDER)
    closed = _closed_case(api)
    newer = open_case(api, ORDER, "payment_issue")
    assert newer != closed

    # When the customer writes on the closed one
    reply = write(api, closed, "About my old refund too.")

    # Then the message joins the open case (one open case per order and action), not lost
    assert reply.status == 200
    assert reply.body["case"]["case_id"] == newer
    assert _bodies(reply.body["case"])[-1] == ("customer", "About my old refund too.")
    assert my_case(api, closed).body["followed_by"] == [newer]
    record = api.stored(ORDER)
    assert record is not None
    assert record.open_cases == {"payment_issue": newer}
    assert len(record.cases) == 2


def test_a_follow_up_whose_window_closed_is_a_general_question_not_a_new_request(
    api: Api,
) -> None:
    # Given a delivered order's return and item problem cases, both closed, and the return and
    # claim windows closed since
    api.order_in("delivered", order_id=ORDER)
    returned = _closed_case(api, ORDER, "return_request")
    claimed = _closed_case(api, ORDER, "item_problem")
    api.clock.advance(days=Policy().return_window_days + 1)
    offered = {link["action"]: link["available"] for link in api.details(ORDER).body["help"]}
    assert (offered["return_request"], offered["item_problem"]) == (False, False)

    # When the customer writes on the closed return
    reply = write(api, returned, "Can I still send it back?")

    # Then the message opens a general question to customer service, not a return the order
    # no longer takes; it continues the closed case
    assert reply.status == 201, reply
    question = reply.body["case"]
    assert (question["action"], question["follows"], question["status"]) == (
        "general_question",
        returned,
        "open",
    )
    assert question["number"] != my_case(api, returned).body["number"]
    assert my_case(api, returned).body["followed_by"] == [question["case_id"]]
    record = api.stored(ORDER)
    assert record is not None
    assert record.open_cases == {"general_question": question["case_id"]}
    # and customer service sees it in its queue, due by the general questions' time
    assert question["case_id"] in _ids(queue(api, "open"))
    assert question["first_response_due_at"] == iso(
        api.clock.now + CasePolicy().first_response_within("general_question")
    )

    # When the customer then writes on the closed item problem too
    again = write(api, claimed, "And the broken shade?")

    # Then it joins the same open question: one open case per order and topic
    assert again.status == 200
    assert again.body["case"]["case_id"] == question["case_id"]
    assert _bodies(again.body["case"])[-1] == ("customer", "And the broken shade?")


# --- the agents' routes ---------------------------------------------------------------------------


def test_the_open_queue_is_ordered_by_first_response_due_time(api: Api) -> None:
    # Given cases opened in this order, whose first answers fall due in another order
    api.order_in("paid", order_id=ORDER)
    customs = open_case(api, ORDER, "customs_duties")  # due in 48 h
    api.clock.advance(minutes=1)
    payment = open_case(api, ORDER, "payment_issue")  # due in 4 h
    api.clock.advance(minutes=1)
    # (on an order of its own: a cancellation solves the customs question it makes moot)
    api.order_in("paid", order_id="ORD-2")
    cancel = open_case(api, "ORD-2", "cancel_order")  # due in 2 h

    reply = queue(api, "open")

    assert reply.status == 200
    assert _ids(reply) == [cancel, payment, customs]
    assert [case["first_response_due_at"] for case in reply.body["cases"]] == sorted(
        case["first_response_due_at"] for case in reply.body["cases"]
    )


def test_pending_and_solved_queues_put_the_oldest_first_and_closed_cases_leave(api: Api) -> None:
    api.order_in("paid", order_id=ORDER)
    api.order_in("paid", order_id="ORD-2")
    older = open_case(api, ORDER, "payment_issue")
    newer = open_case(api, "ORD-2", "payment_issue")
    assert answer(api, newer, "First answer.").status == 200
    api.clock.advance(minutes=5)
    assert answer(api, older, "Second answer.").status == 200
    assert _ids(queue(api, "pending")) == [newer, older]
    assert _ids(queue(api, "open")) == []

    for case_id in (older, newer):
        assert assign(api, case_id).status == 200
        assert solve(api, case_id).status == 200
        api.clock.advance(minutes=1)
    assert _ids(queue(api, "solved")) == [older, newer]
    assert _ids(queue(api, "pending")) == []

    # (The older was solved two minutes ago, the newer one minute ago.)
    api.clock.advance(days=CLOSE_AFTER.days, seconds=-90)
    assert housekeeping()["closed"] == 1
    assert _ids(queue(api, "solved")) == [newer]


def test_the_queue_pages_walk_every_case_once_most_urgent_first(api: Api) -> None:
    api.order_in("paid", order_id=ORDER)
    api.order_in("paid", order_id="ORD-2")
    opened = [
        open_case(api, order_id, action)
        for order_id in (ORDER, "ORD-2")
        for action in ("payment_issue", "customs_duties", "change_address")
    ]
    expected = _ids(queue(api, "open", "&limit=100"))
    assert sorted(expected) == sorted(opened)

    seen: list[str] = []
    cursor = None
    for _ in range(10):
        reply = queue(api, "open", "&limit=4" + (f"&cursor={cursor}" if cursor else ""))
        assert reply.status == 200
        seen += _ids(reply)
        cursor = reply.body["next_cursor"]
        if cursor is None:
            break
    assert seen == expected


@pytest.mark.parametrize("status", ["closed", "everything", ""])
def test_only_the_three_queues_can_be_asked_for(api: Api, status: str) -> None:
    reply = queue(api, status)
    assert reply.status == 422
    assert reply.error["code"] == "validation_error"


@pytest.mark.parametrize("locale", ["es", "en"])
def test_an_agent_sees_the_order_exactly_as_its_customer_does(api: Api, locale: str) -> None:
    # Given a case on a shipped order, with an internal note
    api.order_in("shipped", order_id=ORDER)
    case_id = open_case(api, ORDER, "item_problem")
    assert answer(api, case_id, "Carrier confirms a damaged parcel.", internal=True).status == 200

    reply = agent_case(api, case_id, locale=locale)

    # Then the agent gets every message, notes included, and the order details page the
    # customer gets in the same language: help links, reasons and dates
    assert reply.status == 200
    case = reply.body["case"]
    assert (case["case_id"], case["customer_id"], case["status"]) == (case_id, CUSTOMER, "open")
    assert [(m["author"], m["internal"]) for m in case["messages"]] == [
        ("customer", False),
        ("agent", True),
    ]
    assert case["messages"][1]["author_id"] == AGENT
    assert reply.body["order"] == api.details(ORDER, locale=locale).body
    assert case["status_label"] == translate(locale, "case_states", "open")


def test_an_internal_note_changes_nothing_the_customer_sees(api: Api) -> None:
    api.order_in("paid", order_id=ORDER)
    case_id = open_case(api, ORDER)
    before = my_case(api, case_id).body

    noted = answer(api, case_id, "VIP customer: refund today.", internal=True)

    assert noted.status == 200
    assert (noted.body["status"], noted.body["messages"][-1]["internal"]) == ("open", True)
    after = my_case(api, case_id).body
    assert after["messages"] == before["messages"]
    assert (after["status"], after["turn"]) == ("open", "customer_service")


def test_an_agents_reply_is_the_first_response_and_hands_the_turn_to_the_customer(
    api: Api,
) -> None:
    api.order_in("paid", order_id=ORDER)
    case_id = open_case(api, ORDER)
    api.clock.advance(minutes=45)

    reply = answer(api, case_id, "Could you send the bank statement?", internal=False)

    assert reply.status == 200
    assert (reply.body["status"], reply.body["turn"]) == ("pending", "customer")
    assert reply.body["first_responded_at"] == iso(api.clock.now)


def test_taking_a_case_someone_else_has_needs_force(api: Api) -> None:
    api.order_in("paid", order_id=ORDER)
    case_id = open_case(api, ORDER)
    assert assign(api, case_id, agent=OTHER_AGENT).body["assignee"] == OTHER_AGENT

    refused = assign(api, case_id)
    assert refused.status == 409
    assert (refused.error["code"], refused.error["assignee"]) == ("case_taken", OTHER_AGENT)
    assert assign(api, case_id, force=False).status == 409

    taken = assign(api, case_id, force=True)
    assert taken.status == 200
    assert taken.body["assignee"] == AGENT
    # The handover is on record for customer service, not for the customer.
    assert taken.body["messages"][-1] | {"at": None} == {
        "at": None,
        "author": "system",
        "author_id": AGENT,
        "author_name": None,
        "body": translate("en", "case_notes", "reassigned", agent=AGENT, previous=OTHER_AGENT),
        "internal": True,
        "attachment_ids": [],
    }
    assert len(my_case(api, case_id).body["messages"]) == 1


def test_taking_my_own_case_again_changes_nothing(api: Api) -> None:
    api.order_in("paid", order_id=ORDER)
    case_id = open_case(api, ORDER)
    first = assign(api, case_id)
    before = api.snapshot()

    again = assign(api, case_id)

    assert again.status == 200
    assert again.body == first.body
    assert api.snapshot() == before


def test_solving_needs_an_assignee(api: Api) -> None:
    api.order_in("paid", order_id=ORDER)
    case_id = open_case(api, ORDER)
    before = api.snapshot()

    refused = solve(api, case_id)

    assert refused.status == 409
    assert refused.error["code"] == "case_not_assigned"
    assert api.snapshot() == before


def test_solving_says_nobody_has_a_turn_and_puts_it_in_the_solved_queue(api: Api) -> None:
    api.order_in("paid", order_id=ORDER)
    case_id = open_case(api, ORDER)
    assert assign(api, case_id).status == 200

    solved = solve(api, case_id, "Refunded the second charge.")

    assert solved.status == 200
    assert (solved.body["status"], solved.body["turn"]) == ("solved", None)
    assert (solved.body["resolution"], solved.body["solved_at"]) == (
        "Refunded the second charge.",
        iso(api.clock.now),
    )
    assert _ids(queue(api, "solved")) == [case_id]
    assert solve(api, case_id).error["code"] == "transition_not_allowed"


@pytest.mark.parametrize(
    ("call", "event"),
    [
        (lambda api, case_id: answer(api, case_id, "Hello again"), "agent_reply"),
        (lambda api, case_id: answer(api, case_id, "note", internal=True), "internal_note"),
        (lambda api, case_id: assign(api, case_id, agent=OTHER_AGENT, force=True), "assign"),
        (solve, "solve"),
    ],
    ids=["reply", "note", "assign", "solve"],
)
def test_a_closed_case_takes_nothing_from_agents(api: Api, call: Any, event: str) -> None:
    api.order_in("paid", order_id=ORDER)
    case_id = _closed_case(api)
    before = api.snapshot()

    reply = call(api, case_id)

    assert reply.status == 409
    assert (reply.error["code"], reply.error["status"], reply.error["event"]) == (
        "transition_not_allowed",
        "closed",
        event,
    )
    assert api.snapshot() == before


@pytest.mark.parametrize("case_id", ["CS-NOPE", "no spaces allowed", "x" * 80])
def test_a_missing_case_is_404_on_every_case_route(api: Api, case_id: str) -> None:
    for reply in (
        my_case(api, case_id),
        write(api, case_id, "Hello"),
        agent_case(api, case_id),
        assign(api, case_id),
        answer(api, case_id, "Hello"),
        solve(api, case_id),
    ):
        assert reply.status == 404, reply
        assert reply.error["code"] == "case_not_found"


# --- housekeeping ---------------------------------------------------------------------------------


def test_housekeeping_twice_closes_once_and_frees_the_slot_for_a_new_case(api: Api) -> None:
    # Given a case solved just over the waiting period ago, and one solved later
    api.order_in("paid", order_id=ORDER)
    api.order_in("paid", order_id="ORD-2")
    due = solved_case(api, ORDER)
    api.clock.advance(days=1)
    not_yet = solved_case(api, "ORD-2")
    api.clock.advance(days=CLOSE_AFTER.days - 1)
    closing_time = api.clock.now

    # When housekeeping runs, and runs again a moment later
    first = housekeeping()
    api.clock.advance(minutes=1)
    second = housekeeping()

    # Then the due case was closed once, when the first run ran; the other is still solved
    assert (first["closed"], second["closed"]) == (1, 0)
    assert first["complete"] and second["complete"]
    closed = my_case(api, due).body
    assert (closed["status"], closed["closed_at"], closed["turn"]) == (
        "closed",
        iso(closing_time),
        None,
    )
    assert my_case(api, not_yet).body["status"] == "solved"
    record = api.stored(ORDER)
    assert record is not None
    assert record.open_cases == {}
    # and the order's slot is free: the next help request opens a new case
    reply = api.help(ORDER, "payment_issue")
    assert reply.status == 201
    assert reply.body["case"]["case_id"] != due
    assert reply.body["case"]["follows"] is None


def test_housekeeping_leaves_a_case_the_customer_reopened(api: Api) -> None:
    api.order_in("paid", order_id=ORDER)
    case_id = solved_case(api, ORDER)
    api.clock.advance(days=CLOSE_AFTER.days - 1)
    assert write(api, case_id, "It is not fixed.").status == 200
    api.clock.advance(days=2)

    assert housekeeping()["closed"] == 0
    assert my_case(api, case_id).body["status"] == "open"


def test_housekeeping_stops_when_its_time_runs_short_and_the_next_run_goes_on(api: Api) -> None:
    api.order_in("paid", order_id=ORDER)
    case_id = solved_case(api, ORDER)
    api.clock.advance(days=CLOSE_AFTER.days + 1)

    assert housekeeping(remaining_ms=1_000) == {
        "closed": 0,
        "skipped": 0,
        "failures": 0,
        "complete": False,
    }
    assert my_case(api, case_id).body["status"] == "solved"
    assert housekeeping() == {"closed": 1, "skipped": 0, "failures": 0, "complete": True}


def test_housekeeping_reads_only_the_cases_due(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    # Given many solved cases of which one is due, and open and pending ones
    api.order_in("paid", order_id=ORDER)
    due = solved_case(api, ORDER, "payment_issue")
    api.clock.advance(days=2)
    for action in ("customs_duties", "change_address", "cancel_order"):
        solved_case(api, ORDER, action)
    api.order_in("paid", order_id="ORD-2")
    open_case(api, "ORD-2")
    api.clock.advance(days=CLOSE_AFTER.days - 1)

    # When housekeeping runs, counting what its queries return
    returned: list[int] = []
    handlers_client = aws.dynamodb()
    real_query = handlers_client.__class__.query

    def counting_query(self: Any, **kwargs: Any) -> Any:
        page = real_query(self, **kwargs)
        if kwargs.get("IndexName"):
            returned.append(len(page["Items"]))
        return page

    monkeypatch.setattr(handlers_client.__class__, "query", counting_query)
    report = housekeeping()

    # Then it read exactly the one case due, with one Query per shard of the solved queue and
    # no Scan
    assert report["closed"] == 1
    assert sum(returned) == 1
    assert len(returned) == store_settings().case_queue_shards
    assert my_case(api, due).body["status"] == "closed"


# --- retries and staged cases ---------------------------------------------------------------------


def test_a_retried_message_with_its_idempotency_key_is_written_once(api: Api) -> None:
    api.order_in("paid", order_id=ORDER)
    case_id = open_case(api, ORDER)
    key = {"Idempotency-Key": "msg-7f3a"}

    first = write(api, case_id, "Are you there?", headers=key)
    api.clock.advance(seconds=5)
    retry = write(api, case_id, "Are you there?", headers=key)
    reused = write(api, case_id, "Something else", headers=key)

    assert (first.status, retry.status) == (200, 200)
    assert retry.body == first.body
    assert api.case_messages(case_id).count("Are you there?") == 1
    assert reused.status == 422
    assert reused.error["code"] == "idempotency_key_reused"


def test_cases_can_be_staged_in_every_state_with_a_conversation(api: Api) -> None:
    # What demo data and sample events use: one case per state, through the case flows.
    orders = {status: api.order_in("paid", order_id=f"ORD-{status}") for status in CaseStatus}
    staged = stage_cases_in_every_state(wiring.store(), orders, now=api.clock.now)

    assert [case.status for case in staged] == list(CaseStatus)
    for case in staged:
        view = my_case(api, case.case_id).body
        assert (view["case_id"], view["order_id"], view["status"]) == (
            f"CS-DEMO-{case.status.upper()}",
            orders[case.status],
            case.status,
        )
        assert len(view["messages"]) >= 2, view
        assert all(_at(m["at"]) <= api.clock.now for m in view["messages"])
        with_notes = agent_case(api, case.case_id).body["case"]["messages"]
        assert any(m["internal"] for m in with_notes)
    closed = my_case(api, "CS-DEMO-CLOSED").body
    assert _at(closed["closed_at"]) <= api.clock.now
    # The closed one freed its order's slot; the others hold theirs.
    for status, order_id in orders.items():
        record = api.stored(order_id)
        assert record is not None
        assert bool(record.open_cases) == (status is not CaseStatus.CLOSED)
    # and the solved one is not yet due for closing
    assert housekeeping()["closed"] == 0


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def test_only_the_case_item_is_indexed_and_a_closed_case_leaves_the_queue(api: Api) -> None:
    api.order_in("paid", order_id=ORDER)
    case_id = solved_case(api, ORDER)
    table = store_settings().orders_table

    def item(pk: str, sk: str) -> dict[str, Any]:
        found: dict[str, Any] = api.dynamodb.get_item(
            TableName=table, Key={"pk": {"S": pk}, "sk": {"S": sk}}, ConsistentRead=True
        )["Item"]
        return found

    index_keys = {"case_customer_pk", "case_customer_sk", "queue_pk", "queue_sk"}
    assert index_keys <= set(item(f"CASE#{case_id}", "CASE"))
    assert item(f"CASE#{case_id}", "CASE")["queue_pk"]["S"].startswith("QUEUE#solved#")
    # The order's copy would list every case twice.
    assert not index_keys & set(item(f"ORDER#{ORDER}", f"CASE#{case_id}"))

    api.clock.advance(days=CLOSE_AFTER.days, minutes=1)
    assert housekeeping()["closed"] == 1

    closed = item(f"CASE#{case_id}", "CASE")
    assert not {"queue_pk", "queue_sk"} & set(closed)
    assert {"case_customer_pk", "case_customer_sk"} <= set(closed)
