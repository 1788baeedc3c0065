"""Customer service's figures, kept from the case events into per-day aggregate items.

The events are the outbox publisher's (`domain_events`, made from the log entries the routes
wrote), those the template's rule on the events bus matches, given to the template's
StatsFunction as that rule gives them; one test takes the whole path (stream → publisher →
bus). The figures are read back through `GET /agent/stats`."""

import json
from typing import Any

import pytest

from orderhelp import wiring
from orderhelp.store import keys
from orderhelp_dev.local.template import resources
from tests.handlers.case_calls import (
    AGENT,
    answer,
    assign,
    housekeeping,
    open_case,
    solve,
    write,
)
from tests.handlers.client import Api, Identity, iso
from tests.handlers.outbox import Outbox
from tests.handlers.returns_calls import failed, issued, refund
from tests.handlers.stats_calls import (
    case_events,
    deliver,
    published,
    refund_events,
    stats_rule,
)
from tests.support.events import bus_event


def stats(api: Api, days: int = 7) -> dict[str, Any]:
    reply = api.call("GET", f"/agent/stats?days={days}", identity=Identity.agent(AGENT))
    assert reply.status == 200, reply
    body: dict[str, Any] = reply.body
    return body


def a_day_of_cases(api: Api) -> list[dict[str, Any]]:
    """Three cases on one day: a payment question answered in 30 minutes and solved, a
    cancellation answered after 3 hours (late: due in 2), and a customs question never
    answered. Their events, in the order they happened."""
    for order_id in ("ORD-1", "ORD-2", "ORD-3"):
        api.order_in("paid", order_id=order_id)
    payment = open_case(api, "ORD-1", "payment_issue")
    cancel = open_case(api, "ORD-2", "cancel_order")
    customs = open_case(api, "ORD-3", "customs_duties")
    assert assign(api, payment).status == 200
    api.clock.advance(minutes=30)
    assert answer(api, payment, "Refunded.").status == 200
    assert answer(api, payment, "Also: here is the receipt.").status == 200
    assert answer(api, payment, "Internal: done.", internal=True).status == 200
    assert solve(api, payment).status == 200
    api.clock.advance(hours=2, minutes=30)
    assert answer(api, cancel, "Cancelled.").status == 200
    assert write(api, cancel, "Thanks!").status == 200
    return [event for case in (payment, cancel, customs) for event in case_events(api, case)]


def test_the_figures_of_a_day_read_back_for_the_week(api: Api) -> None:
    events = a_day_of_cases(api)

    assert all(deliver(event)["counted"] for event in events)

    figures = stats(api)
    assert figures["opened"] == {"payment_issue": 1, "cancel_order": 1, "customs_duties": 1}
    assert figures["first_response"] == {
        "answered": 2,
        "p50_minutes": 30,
        "p90_minutes": 240,  # the 3-hour answer, in the "at most 4 hours" bucket
        "within_target": 1,
        "share_within_target": 0.5,
    }
    backlog = {(b["status"], b["action"]): b["count"] for b in figures["backlog"]}
    assert backlog == {
        ("solved", "payment_issue"): 1,
        ("open", "cancel_order"): 1,
        ("open", "customs_duties"): 1,
    }
    today = figures["per_day"][-1]
    assert (today["day"], today["first_answers"], today["first_answers_in_time"]) == (
        api.clock.now.date().isoformat(),
        2,
        1,
    )
    assert len(figures["per_day"]) == 7 and len(stats(api, 30)["per_day"]) == 30


def test_replaying_every_event_twice_gives_the_same_figures(api: Api) -> None:
    events = a_day_of_cases(api)
    for event in events:
        deliver(event)
    once = stats(api)
    items = _stats_items(api)

    replayed = [deliver(event)["counted"] for event in events]

    assert replayed == [False] * len(events)
    assert stats(api) == once
    assert _stats_items(api) == items


def test_events_in_any_order_give_the_same_figures(api: Api) -> None:
    events = a_day_of_cases(api)
    for event in reversed(events):
        deliver(event)
    backwards = stats(api)
    assert backwards["first_response"]["answered"] == 2
    assert backwards["opened"] == {"payment_issue": 1, "cancel_order": 1, "customs_duties": 1}
    assert sum(b["count"] for b in backwards["backlog"]) == 3


def test_a_case_closed_leaves_the_backlog(api: Api) -> None:
    api.order_in("paid", order_id="ORD-1")
    case_id = open_case(api, "ORD-1")
    assign(api, case_id)
    solve(api, case_id)
    api.clock.advance(days=5)
    assert housekeeping()["closed"] == 1
    for event in case_events(api, case_id):
        deliver(event)
    assert stats(api)["backlog"] == []


def test_ratings_are_counted_once_per_event(api: Api) -> None:
    api.order_in("paid", order_id="ORD-1")
    case_id = open_case(api, "ORD-1")
    detail = {
        "event_id": "rating-1",
        "order_id": "ORD-1",
        "case_id": case_id,
        "version": 2,
        "occurred_at": iso(api.clock.now),
        "rating": "good",
    }
    # Each delivery is a new envelope (`id`); the detail's event id is the same
    assert deliver(bus_event("CaseRated", detail))["counted"] is True
    assert deliver(bus_event("CaseRated", detail))["counted"] is False
    assert stats(api)["ratings"] == {"good": 1}


def test_refunds_issued_are_counted_by_source_and_amount_once_each(api: Api) -> None:
    api.order_in("paid", order_id="ORD-1")
    assert api.cancel("ORD-1").status == 200  # the whole 67.86 EUR paid is due
    api.order_in("paid", order_id="ORD-2")
    case_id = open_case(api, "ORD-2")
    assert refund(api, case_id, "5.10").status == 200  # goodwill
    assert refund(api, case_id, "1.00").status == 200  # goodwill, never issued
    assert issued(api, "ORD-1-RF1").status == 200
    assert failed(api, "ORD-2-RF1").status == 200  # failed: not issued, not counted
    api.clock.advance(days=1)
    assert (
        api.call("POST", "/ops/refunds/ORD-2-RF1/retry", {}, identity=Identity.shop()).status == 200
    )
    assert issued(api, "ORD-2-RF1").status == 200

    events = refund_events(api, "ORD-1") + refund_events(api, "ORD-2")
    assert [e["detail-type"] for e in events] == ["RefundIssued", "RefundIssued"]
    for event in events + events:  # delivered twice: counted once
        deliver(event)

    figures = stats(api)
    assert figures["refunds_issued"] == {"cancellation": 1, "goodwill": 1}
    assert figures["refunded"] == [{"amount": "72.96", "currency": "EUR"}]
    assert [day["refunds_issued"] for day in figures["per_day"]][-2:] == [1, 1]
    api.clock.advance(days=8)
    assert stats(api)["refunds_issued"] == {}
    assert stats(api)["refunded"] == []


def test_an_event_for_a_change_not_stored_is_not_counted_and_fails(api: Api) -> None:
    api.order_in("paid", order_id="ORD-1")
    case_id = open_case(api, "ORD-1")
    [opened] = case_events(api, case_id)
    bogus = opened | {"detail": opened["detail"] | {"event_id": "bogus", "version": 99}}
    before = _stats_items(api)
    with pytest.raises(Exception, match="no version 99"):
        deliver(bogus)
    assert _stats_items(api) == before
    assert not wiring.console_store().claimed(keys.STATS_EVENT_CLAIM, "bogus")


def test_other_detail_types_are_ignored(api: Api) -> None:
    assert deliver(bus_event("OrderShipped", {}))["counted"] is False


def test_only_7_or_30_days(api: Api) -> None:
    for days in (0, 1, 31, "week"):
        reply = api.call("GET", f"/agent/stats?days={days}", identity=Identity.agent(AGENT))
        assert reply.status == 422


def test_a_month_back_the_first_days_fall_out_of_the_week(api: Api) -> None:
    events = a_day_of_cases(api)
    for event in events:
        deliver(event)
    api.clock.advance(days=10)
    assert stats(api)["opened"] == {}
    assert stats(api, 30)["opened"] == {"payment_issue": 1, "cancel_order": 1, "customs_duties": 1}


def test_the_template_sends_the_case_events_to_the_function() -> None:
    stats_function = resources("AWS::Serverless::Function")["StatsFunction"]["Properties"]
    rule = stats_function["Events"]["CaseEvents"]
    assert rule["Type"] == "EventBridgeRule"
    assert rule["Properties"]["EventBusName"] == {"Ref": "EventsBus"}  # the outbox's bus
    assert rule["Properties"]["Pattern"] == {
        "source": ["order-help"],
        "detail-type": [
            "CaseOpened",
            "CaseAnswered",
            "CaseCustomerReplied",
            "CaseSolved",
            "CaseClosed",
            "CaseRated",
            "RefundIssued",
        ],
    }
    assert "DeadLetterConfig" in rule["Properties"]
    assert stats_function["EventInvokeConfig"]["DestinationConfig"]["OnFailure"]["Type"] == "SQS"


def _stats_items(api: Api) -> str:
    items = [
        item
        for table in api.snapshot().values()
        for item in table
        if item["pk"]["S"] in (keys.STATS,) or item["pk"]["S"].startswith(keys.CLAIM)
    ]
    return json.dumps(items, sort_keys=True)


def test_a_late_first_answer_counts_as_a_breach(
    api: Api, capsys: pytest.CaptureFixture[str]
) -> None:
    api.order_in("paid", order_id="ORD-1")
    case_id = open_case(api, "ORD-1", "cancel_order")
    api.clock.advance(hours=3)
    answer(api, case_id, "Sorry for the wait.")
    capsys.readouterr()
    for event in case_events(api, case_id):
        deliver(event)
    published = capsys.readouterr().out
    # Due in 2 hours, answered after 3: one breach, published as the alarm's metric
    assert published.count('"FirstResponseBreaches"') >= 1


def test_a_reply_that_reopens_a_solved_case_moves_it_once(api: Api) -> None:
    # The publisher tells that one change twice (CaseCustomerReplied and CaseReopened); the
    # rule sends the figures the first alone
    api.order_in("paid", order_id="ORD-1")
    case_id = open_case(api, "ORD-1")
    assign(api, case_id)
    solve(api, case_id)
    assert write(api, case_id, "It came broken after all.").status == 200
    types = [event["detail-type"] for event in published(api, case_id)]
    assert types[-2:] == ["CaseCustomerReplied", "CaseReopened"]
    assert not stats_rule().matches(published(api, case_id)[-1])

    for event in case_events(api, case_id):
        deliver(event)

    backlog = {(b["status"], b["action"]): b["count"] for b in stats(api)["backlog"]}
    assert backlog == {("open", "payment_issue"): 1}


def test_a_replay_from_the_archive_counts_nothing_twice(api: Api) -> None:
    events = a_day_of_cases(api)
    for event in events:
        deliver(event)
    once = stats(api)

    # A replay (or a republished stream record) is a new envelope around the same detail
    replayed = [bus_event(e["detail-type"], e["detail"]) for e in events]
    assert {e["id"] for e in replayed}.isdisjoint(e["id"] for e in events)

    assert [deliver(event)["counted"] for event in replayed] == [False] * len(events)
    assert stats(api) == once


def test_the_events_the_outbox_puts_on_the_bus_are_counted(api: Api) -> None:
    # The whole path: the table's stream → PublisherFunction → the bus → the rule's events
    outbox = Outbox()
    api.order_in("paid", order_id="ORD-1")
    case_id = open_case(api, "ORD-1", "cancel_order")
    assign(api, case_id)
    api.clock.advance(minutes=20)
    answer(api, case_id, "Cancelled.")
    rule = stats_rule()
    on_the_bus = [event for event in outbox.publish() if rule.matches(event)]
    assert [event["detail-type"] for event in on_the_bus] == ["CaseOpened", "CaseAnswered"]

    assert [deliver(event)["counted"] for event in on_the_bus] == [True, True]

    figures = stats(api)
    assert figures["opened"] == {"cancel_order": 1}
    assert figures["first_response"]["answered"] == 1
    assert figures["first_response"]["within_target"] == 1


def test_a_request_a_cancellation_made_moot_leaves_the_open_backlog(api: Api) -> None:
    # Given a customs question open on a paid order, told to the figures through the outbox
    outbox = Outbox()
    rule = stats_rule()
    api.order_in("paid", order_id="ORD-1")
    open_case(api, "ORD-1", "customs_duties")
    for event in outbox.publish():
        if rule.matches(event):
            deliver(event)
    assert stats(api)["backlog"] == [{"status": "open", "action": "customs_duties", "count": 1}]

    # When the customer cancels the order themselves (done: no answer needed)
    assert api.help("ORD-1", "cancel_order").status == 201
    for event in outbox.publish():
        if rule.matches(event):
            deliver(event)

    # Then both cases are solved in the backlog, and none is left open
    assert stats(api)["backlog"] == [
        {"status": "solved", "action": "cancel_order", "count": 1},
        {"status": "solved", "action": "customs_duties", "count": 1},
    ]
