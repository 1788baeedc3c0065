"""The customer's rating of a solved case: once per solve, only by the case's customer, kept on
the case for agents, and written as the case's `rate` activity (what the dashboard counts)."""

import json
from typing import Any

import pytest

from lifecycle.case import CaseStatus
from lifecycle.policy import CasePolicy
from tests.handlers.case_calls import (
    AGENT,
    agent_case,
    assign,
    housekeeping,
    my_case,
    open_case,
    rate,
    solve,
    solved_case,
    write,
)
from tests.handlers.client import OTHER_CUSTOMER, Api, Identity, iso

ORDER = "ORD-1"


def rate_activities(api: Api, case_id: str) -> list[tuple[str, dict[str, Any]]]:
    record = api.store.load_case(case_id, 100)
    assert record is not None
    return [(entry.actor.kind, entry.data) for entry in record.activity if entry.event == "rate"]


def test_a_solved_case_is_rated_once_per_solve_and_agents_see_the_rating(api: Api) -> None:
    # Given a solved case, which asks its customer for a rating
    api.order_in("paid", order_id=ORDER)
    case_id = solved_case(api, ORDER)
    assert my_case(api, case_id).body["rating_requested"] is True

    # When the customer rates it, with a comment
    api.clock.advance(minutes=5)
    rated = rate(api, case_id, {"rating": "good", "comment": "Rápidos y amables."})

    # Then the case keeps the rating of this solve and asks no more
    assert rated.status == 200, rated
    solved_at = rated.body["solved_at"]
    expected = {
        "value": "good",
        "comment": "Rápidos y amables.",
        "at": iso(api.clock.now),
        "solved_at": solved_at,
    }
    assert rated.body["rating"] == expected
    assert (rated.body["status"], rated.body["rating_requested"]) == ("solved", False)
    assert my_case(api, case_id).body["rating"] == expected
    # and agents see it on the case
    assert agent_case(api, case_id).body["case"]["rating"] == expected
    # The change is the case's `rate` activity, by the customer, with what the dashboard counts
    assert rate_activities(api, case_id) == [
        ("customer", {"rating": "good", "comment": "Rápidos y amables."})
    ]

    # When the customer rates the same solve again
    again = rate(api, case_id, {"rating": "not_good"})

    # Then it is refused in words, and the first rating stands
    assert again.status == 409
    assert again.error["code"] == "already_rated"
    assert my_case(api, case_id).body["rating"] == expected

    # When the customer writes again (the case opens) and it is solved once more
    api.clock.advance(hours=1)
    assert write(api, case_id, "Still not refunded.").status == 200
    reopened = my_case(api, case_id).body
    assert (reopened["status"], reopened["rating_requested"]) == ("open", False)
    assert reopened["rating"] == expected  # the last rating, kept for agents
    api.clock.advance(hours=1)
    assert solve(api, case_id, "Refunded for good.").status == 200

    # Then the new solve is rated anew, without a comment
    api.clock.advance(minutes=1)
    second = rate(api, case_id, {"rating": "not_good"})
    assert second.status == 200, second
    assert second.body["rating"]["value"] == "not_good"
    assert second.body["rating"]["comment"] is None
    assert second.body["rating"]["solved_at"] != solved_at
    assert rate_activities(api, case_id) == [
        ("customer", {"rating": "good", "comment": "Rápidos y amables."}),
        ("customer", {"rating": "not_good"}),
    ]


def test_only_the_cases_customer_rates_it_others_get_the_404_of_a_missing_case(api: Api) -> None:
    api.order_in("paid", order_id=ORDER)
    case_id = solved_case(api, ORDER)
    before = api.snapshot()
    missing = rate(
        api, "CS-MISSING", {"rating": "good"}, identity=Identity.customer(OTHER_CUSTOMER)
    )

    for caller in (Identity.customer(OTHER_CUSTOMER), Identity.agent(AGENT)):
        reply = rate(api, case_id, {"rating": "not_good"}, identity=caller)

        assert reply.status == 404
        assert reply.error["code"] == "case_not_found"
        assert json.dumps(reply.body).replace(case_id, "CS-MISSING") == json.dumps(missing.body)
    assert api.snapshot() == before


@pytest.mark.parametrize("status", [CaseStatus.OPEN, CaseStatus.PENDING, CaseStatus.CLOSED])
def test_a_case_that_is_not_solved_is_not_rated(api: Api, status: CaseStatus) -> None:
    api.order_in("paid", order_id=ORDER)
    case_id = open_case(api, ORDER)
    assert assign(api, case_id).status == 200
    if status is CaseStatus.PENDING:
        assert (
            api.call(
                "POST",
                f"/agent/cases/{case_id}/messages",
                {"body": "Which card?"},
                identity=Identity.agent(AGENT),
            ).status
            == 200
        )
    if status is CaseStatus.CLOSED:
        assert solve(api, case_id).status == 200
        api.clock.advance(days=CasePolicy().close_solved_after_days + 1)
        assert housekeeping()["closed"] == 1
    assert my_case(api, case_id).body["status"] == status
    before = api.snapshot()

    reply = rate(api, case_id, {"rating": "good"}, headers={"accept-language": "es"})

    assert reply.status == 409
    assert (reply.error["code"], reply.error["status"]) == ("case_not_solved", status)
    assert reply.error["message"] == "Este caso aún no está resuelto: no hay respuesta que valorar."
    assert api.snapshot() == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "rating"),
        ({"rating": "excellent"}, "rating"),
        ({"rating": "good", "comment": "   "}, "comment"),
        ({"rating": "good", "comment": "x" * 5001}, "comment"),
        ({"rating": "good", "stars": 5}, "stars"),
    ],
)
def test_a_rating_that_is_not_good_or_not_good_is_a_422_naming_the_field(
    api: Api, body: dict[str, Any], field: str
) -> None:
    api.order_in("paid", order_id=ORDER)
    case_id = solved_case(api, ORDER)
    before = api.snapshot()

    reply = rate(api, case_id, body)

    assert reply.status == 422
    assert reply.error["code"] == "validation_error"
    assert [problem["loc"] for problem in reply.error["errors"]] == [["body", field]]
    assert api.snapshot() == before


def test_a_retried_rating_with_its_key_gets_the_first_answer_and_writes_once(api: Api) -> None:
    api.order_in("paid", order_id=ORDER)
    case_id = solved_case(api, ORDER)
    key = {"idempotency-key": "rate-1"}

    first = rate(api, case_id, {"rating": "good"}, headers=key)
    api.clock.advance(minutes=1)
    retried = rate(api, case_id, {"rating": "good"}, headers=key)

    assert (first.status, retried.status) == (200, 200)
    assert retried.body == first.body
    assert rate_activities(api, case_id) == [("customer", {"rating": "good"})]
