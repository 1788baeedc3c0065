"""The agents' console as a help desk (issue 15): search, views and their counts, saved replies,
profiles and people's names, a customer's panel, and asking before acting on a colleague's case."""

from datetime import timedelta
from typing import Any

import pytest

from lifecycle.i18n import format_date, translate
from lifecycle.policy import CasePolicy, Policy
from orderhelp import wiring
from orderhelp.console_service import kinds_of
from orderhelp.store import codec, keys
from orderhelp.store.console_store import DynamoConsoleStore
from tests.handlers.case_calls import (
    AGENT,
    OTHER_AGENT,
    answer,
    assign,
    housekeeping,
    my_case,
    open_case,
    solve,
    solved_case,
    write,
)
from tests.handlers.client import CUSTOMER, OTHER_CUSTOMER, Api, Identity, Reply, iso
from tests.handlers.returns_calls import approve, request_return

ANA = Identity.agent(AGENT)


def get(api: Api, path: str, agent: str = AGENT, locale: str | None = None) -> Reply:
    headers = {"accept-language": locale} if locale else None
    return api.call("GET", path, identity=Identity.agent(agent), headers=headers)


def save_reply(api: Api, body: dict[str, Any], agent: str = AGENT, **options: Any) -> Reply:
    return api.call("POST", "/agent/replies", body, identity=Identity.agent(agent), **options)


def set_profile(api: Api, agent: str, name: str, languages: list[str] | None = None) -> Reply:
    body = {"display_name": name, "languages": languages or ["es"]}
    return api.call("PUT", "/agent/profile", body, identity=Identity.agent(agent))


def counts(api: Api, agent: str = AGENT) -> dict[str, int]:
    reply = get(api, "/agent/views", agent)
    assert reply.status == 200, reply
    return {
        (f"action:{view['action']}" if view["view"] == "action" else view["view"]): view["count"]
        for view in reply.body["views"]
    }


def view_ids(api: Api, view: str, query: str = "", agent: str = AGENT) -> list[str]:
    reply = get(api, f"/agent/views/{view}?limit=100{query}", agent)
    assert reply.status == 200, reply
    return [case["case_id"] for case in reply.body["cases"]]


# --- search ---------------------------------------------------------------------------------------


def test_an_order_id_finds_the_order_with_its_cases(api: Api) -> None:
    api.order_in("paid", order_id="ORD-7")
    case_id = open_case(api, "ORD-7")

    reply = get(api, "/agent/search?q=ORD-7")

    assert reply.status == 200
    assert reply.body["searched"] == ["order_id", "case_reference"]
    [hit] = reply.body["hits"]
    assert hit["matched"] == "order_id"
    assert hit["order"]["customer_id"] == CUSTOMER
    assert hit["order"]["customer_name"] == "Lucía Fernández"
    assert [case["case_id"] for case in hit["order"]["cases"]] == [case_id]


def test_a_case_reference_finds_the_case(api: Api) -> None:
    api.order_in("paid", order_id="ORD-7")
    case_id = open_case(api, "ORD-7")

    reply = get(api, f"/agent/search?q=%20{case_id}%20")

    [hit] = reply.body["hits"]
    assert (hit["matched"], hit["case_id"], hit["case"]["order_id"]) == (
        "case_reference",
        case_id,
        "ORD-7",
    )


def test_search_is_exact_and_finds_nothing_for_a_near_miss(api: Api) -> None:
    api.order_in("paid", order_id="ORD-7")

    for query in ("ORD-", "ord-7", "ORD-77", "ORD 7"):
        reply = get(api, f"/agent/search?q={query}")
        assert reply.status == 200
        assert reply.body["hits"] == [], query


def test_search_is_for_agents_only(api: Api) -> None:
    api.order_in("paid", order_id="ORD-7")
    reply = api.call("GET", "/agent/search?q=ORD-7", identity=Identity.customer(CUSTOMER))
    assert (reply.status, reply.error["code"]) == (403, "forbidden")


def test_an_empty_or_overlong_query_is_refused_in_words(api: Api) -> None:
    for query in ("", "x" * 255):
        reply = get(api, f"/agent/search?q={query}")
        assert reply.status == 422
        assert reply.error["code"] == "validation_error"


def with_contact(api: Api, order_id: str, email: str, customer: str = CUSTOMER, **kw: Any) -> None:
    contact = {"email": email, "locale": kw.pop("locale", "es")}
    assert api.create_order(customer, order_id, contact=contact, **kw).status == 201


def test_a_contact_email_finds_the_customers_orders_newest_first(api: Api) -> None:
    with_contact(api, "ORD-7", "Lucia@EXAMPLE.com", placed_at=iso(api.clock.now))
    api.clock.advance(days=1)
    with_contact(api, "ORD-8", "Lucia@example.com", placed_at=iso(api.clock.now))
    with_contact(api, "ORD-9", "oliver@example.com", OTHER_CUSTOMER)
    api.create_order(CUSTOMER, "ORD-10")  # no contact: not in the index

    # The domain is normalised as the order's contact is; the query too, spaces and all
    reply = get(api, "/agent/search?q=%20Lucia@Example.COM%20")

    assert reply.status == 200
    assert reply.body["searched"] == ["customer_email"]
    hits = reply.body["hits"]
    assert [(hit["matched"], hit["order"]["order_id"]) for hit in hits] == [
        ("customer_email", "ORD-8"),
        ("customer_email", "ORD-7"),
    ]
    assert hits[0]["order"]["contact"] == {"email": "Lucia@example.com", "locale": "es"}
    assert hits[0]["order"]["customer_name"] == "Lucía Fernández"


def test_an_email_search_is_exact(api: Api) -> None:
    with_contact(api, "ORD-7", "Lucia@example.com")
    # The mailbox is the recipient's own, as main keeps it: another case of letters, a near
    # miss or an address a contact cannot hold finds nothing
    for query in ("lucia@example.com", "Luci@example.com", "Lucia@example.co", "Lucia@localhost"):
        reply = get(api, f"/agent/search?q={query}")
        assert reply.status == 200
        assert reply.body["hits"] == [], query


def test_an_email_search_is_one_query_of_its_index(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    with_contact(api, "ORD-7", "lucia@example.com")
    table = wiring.console_store().table
    queries: list[Any] = []
    query = table.query
    monkeypatch.setattr(table, "query", lambda q: queries.append(q) or query(q))

    hits = wiring.console_service().search("lucia@example.com", "es").hits

    assert [hit.order and hit.order.order_id for hit in hits] == ["ORD-7"]
    assert [(q.index, q.partition) for q in queries] == [
        ("OrdersByContactEmail", ("contact_email_pk", "EMAIL#lucia@example.com"))
    ]


def test_a_case_is_found_by_its_number(api: Api) -> None:
    api.order_in("paid", order_id="ORD-7")
    case = wiring.store().get_case(open_case(api, "ORD-7"))
    assert case is not None

    reply = get(api, f"/agent/search?q={case.number}")

    assert reply.status == 200
    assert reply.body["searched"] == ["case_number", "order_id", "case_reference"]
    hits = reply.body["hits"]
    assert [(hit["matched"], hit["case_id"]) for hit in hits] == [("case_number", case.case_id)]
    assert hits[0]["case"]["order_id"] == "ORD-7"
    assert hits[0]["case"]["number"] == case.number


def returned(api: Api, order_id: str, approved: bool = True) -> str:
    """A delivered order with a return requested (and approved): the return's case."""
    api.order_in("delivered", order_id=order_id)
    reply = request_return(api, order_id)
    assert reply.status == 201, reply
    case_id: str = reply.body["case"]["case_id"]
    if approved:
        assert approve(api, case_id).status == 200
    return case_id


@pytest.mark.parametrize("query", ["ORD-7-R1", "RMA-ORD-7-R1"])
def test_a_return_id_or_its_rma_number_finds_its_case(api: Api, query: str) -> None:
    case_id = returned(api, "ORD-7")

    reply = get(api, f"/agent/search?q={query}")

    assert reply.status == 200
    assert reply.body["searched"] == ["order_id", "case_reference", "return"]
    [hit] = reply.body["hits"]
    assert (hit["matched"], hit["case_id"], hit["case"]["order_id"]) == ("return", case_id, "ORD-7")
    assert hit["case"]["action"] == "return_request"


def test_a_return_the_order_does_not_have_finds_nothing(api: Api) -> None:
    returned(api, "ORD-7", approved=False)
    for query in ("ORD-7-R2", "RMA-ORD-7-R2", "ORD-8-R1", "RMA-ORD-7-R01"):
        reply = get(api, f"/agent/search?q={query}")
        assert reply.status == 200
        assert reply.body["hits"] == [], query


def test_an_unknown_case_number_finds_nothing(api: Api) -> None:
    api.order_in("paid", order_id="ORD-7")
    case = wiring.store().get_case(open_case(api, "ORD-7"))
    assert case is not None
    unknown = case.number + 1 if case.number < 99999 else case.number - 1

    reply = get(api, f"/agent/search?q={unknown}")

    assert reply.status == 200
    assert reply.body["searched"] == ["case_number", "order_id", "case_reference"]
    assert reply.body["hits"] == []
    # A leading zero is not how a number is read out: not looked up as one
    assert get(api, f"/agent/search?q=0{case.number}").body["searched"] == [
        "order_id",
        "case_reference",
    ]


def test_a_query_is_looked_up_as_each_kind_of_key_its_shape_allows() -> None:
    assert kinds_of("lucia@example.com") == ["customer_email"]
    assert kinds_of("48213") == ["case_number", "order_id", "case_reference"]
    assert kinds_of("CS-01") == ["order_id", "case_reference"]
    assert kinds_of("two words") == []


# --- views and counts -----------------------------------------------------------------------------


def test_views_count_mine_unassigned_overdue_and_each_action(api: Api) -> None:
    # Given Ana's case, Bruno's, one nobody has and an overdue one nobody has answered
    for order_id in ("ORD-1", "ORD-2", "ORD-3"):
        api.order_in("paid", order_id=order_id)
    mine = open_case(api, "ORD-1", "payment_issue")
    theirs = open_case(api, "ORD-2", "customs_duties")
    nobodys = open_case(api, "ORD-3", "cancel_order")
    assert assign(api, mine).status == 200
    assert assign(api, theirs, agent=OTHER_AGENT).status == 200
    # The cancellation is due in 2 hours, the payment in 4, customs in 48
    api.clock.advance(hours=3)

    seen = counts(api)
    assert (seen["mine"], seen["unassigned"], seen["overdue"]) == (1, 1, 1)
    assert seen["action:payment_issue"] == seen["action:customs_duties"] == 1
    assert seen["action:return_request"] == 0
    assert counts(api, OTHER_AGENT)["mine"] == 1
    assert view_ids(api, "mine") == [mine]
    assert view_ids(api, "unassigned") == [nobodys]
    assert view_ids(api, "overdue") == [nobodys]
    assert view_ids(api, "action", "&action=customs_duties") == [theirs]


def test_a_case_answered_once_is_not_overdue_and_shows_its_next_due_time(api: Api) -> None:
    api.order_in("paid", order_id="ORD-1")
    case_id = open_case(api, "ORD-1", "cancel_order")
    assert answer(api, case_id, "We are cancelling it.").status == 200
    api.clock.advance(minutes=30)
    assert write(api, case_id, "Is it cancelled yet?").status == 200
    replied_at = api.clock.now

    # The first answer was in time; the customer's new message is due like the first one was
    api.clock.advance(hours=5)
    assert counts(api)["overdue"] == 0
    [entry] = get(api, "/agent/views/unassigned").body["cases"]
    assert entry["overdue"] is False
    assert entry["answer_due_at"] == _iso(replied_at + timedelta(hours=2))
    assert entry["first_responded_at"] is not None


def test_an_unanswered_case_past_its_due_time_is_overdue_and_then_not_once_answered(
    api: Api,
) -> None:
    api.order_in("paid", order_id="ORD-1")
    case_id = open_case(api, "ORD-1", "cancel_order")
    api.clock.advance(hours=2, seconds=1)
    [entry] = get(api, "/agent/views/overdue").body["cases"]
    assert (entry["case_id"], entry["overdue"]) == (case_id, True)

    assert answer(api, case_id, "Sorry for the wait.").status == 200
    assert view_ids(api, "overdue") == []
    assert get(api, "/agent/views/unassigned").body["cases"][0]["answer_due_at"] is None


def test_a_view_pages_with_a_cursor_and_refuses_one_of_another_view(api: Api) -> None:
    cases = []
    for number in range(5):
        api.order_in("paid", order_id=f"ORD-{number}")
        cases.append(open_case(api, f"ORD-{number}"))
        api.clock.advance(minutes=1)
    first = get(api, "/agent/views/unassigned?limit=2").body
    second = get(api, f"/agent/views/unassigned?limit=2&cursor={first['next_cursor']}").body
    third = get(api, f"/agent/views/unassigned?limit=2&cursor={second['next_cursor']}").body
    pages = [first, second, third]
    assert [c["case_id"] for page in pages for c in page["cases"]] == cases
    assert third["next_cursor"] is None
    wrong = get(api, f"/agent/views/overdue?cursor={first['next_cursor']}")
    assert (wrong.status, wrong.error["code"]) == (400, "invalid_cursor")


def test_an_unknown_view_or_action_is_refused(api: Api) -> None:
    assert get(api, "/agent/views/everything").status == 422
    assert get(api, "/agent/views/action?action=refund_everything").status == 422


def test_general_questions_have_their_view_and_saved_replies(api: Api) -> None:
    # Given a closed return whose window closed since: the customer's message on it opens a
    # general question (issue 14's follow-up), not another return
    api.order_in("delivered", order_id="ORD-1")
    returned = solved_case(api, "ORD-1", "return_request")
    api.clock.advance(days=CasePolicy().close_solved_after_days, minutes=1)
    assert housekeeping()["closed"] == 1
    api.clock.advance(days=Policy().return_window_days + 1)
    question = write(api, returned, "Can I still send it back?").body["case"]
    assert question["action"] == "general_question"

    # It has a view of its own, counted as the help actions are
    assert counts(api)["action:general_question"] == 1
    assert view_ids(api, "action", "&action=general_question") == [question["case_id"]]
    assert view_ids(api, "action", "&action=return_request") == []

    # and a saved reply may suit it, suggested on it
    saved = save_reply(api, REPLY | {"actions": ["general_question"]})
    assert (saved.status, saved.body["actions"]) == (201, ["general_question"])
    every = [*REPLY["actions"], "general_question", "return_request"]
    assert save_reply(api, REPLY | {"title": "Every", "actions": every}).status == 201
    replies = get(api, f"/agent/cases/{question['case_id']}/replies", locale="es")
    suggested = replies.body["replies"]
    assert [r["suggested"] for r in suggested] == [True, True]


# --- asking before acting on a colleague's case ---------------------------------------------------


@pytest.mark.parametrize("step", ["answer", "solve"])
def test_answering_or_solving_a_colleagues_case_asks_first(api: Api, step: str) -> None:
    api.order_in("paid", order_id="ORD-1")
    case_id = open_case(api, "ORD-1")
    assert assign(api, case_id, agent=OTHER_AGENT).status == 200
    path = f"/agent/cases/{case_id}/{'messages' if step == 'answer' else 'solve'}"
    body = {"body": "Done."} if step == "answer" else {"resolution": "Done."}
    before = api.snapshot()

    refused = api.call("POST", path, body, identity=ANA)

    assert (refused.status, refused.error["code"]) == (409, "case_taken")
    assert refused.error["assignee"] == OTHER_AGENT
    assert api.snapshot() == before
    forced = api.call("POST", path, body | {"force": True}, identity=ANA)
    assert forced.status == 200
    assert forced.body["assignee"] == OTHER_AGENT  # acting on it does not take it


def test_a_note_on_a_colleagues_case_needs_no_confirmation(api: Api) -> None:
    api.order_in("paid", order_id="ORD-1")
    case_id = open_case(api, "ORD-1")
    assert assign(api, case_id, agent=OTHER_AGENT).status == 200
    assert answer(api, case_id, "FYI: card ends 4242.", internal=True).status == 200
    assert answer(api, case_id, "Hello!").status == 409


# --- people, not ids ------------------------------------------------------------------------------


def test_customers_read_the_agents_display_name_and_never_their_id(api: Api) -> None:
    assert set_profile(api, AGENT, "Ana").status == 200
    api.order_in("paid", order_id="ORD-1")
    case_id = open_case(api, "ORD-1")
    assert assign(api, case_id).status == 200
    assert answer(api, case_id, "Lo miramos.").status == 200
    assert solve(api, case_id, "Devuelto.").status == 200

    case = my_case(api, case_id, locale="es").body

    assert AGENT not in repr(case)
    assert case["assignee_name"] == "Ana"
    agents = [m for m in case["messages"] if m["author"] == "agent"]
    assert [m["author_name"] for m in agents] == ["Ana", "Ana"]


def test_system_notes_read_in_the_readers_language_with_names(api: Api) -> None:
    set_profile(api, AGENT, "Ana")
    set_profile(api, OTHER_AGENT, "Bruno")
    api.order_in("paid", order_id="ORD-1")
    case_id = open_case(api, "ORD-1")
    assert assign(api, case_id, agent=OTHER_AGENT).status == 200
    assert assign(api, case_id, force=True).status == 200

    for locale in ("es", "en"):
        messages = get(api, f"/agent/cases/{case_id}", locale=locale).body["case"]["messages"]
        notes = [m["body"] for m in messages if m["author"] == "system"]
        assert notes == [
            translate(locale, "case_notes", "assigned", agent="Bruno"),
            translate(locale, "case_notes", "reassigned", agent="Ana", previous="Bruno"),
        ]


def test_profiles_list_every_agent_and_refuse_bad_ones(api: Api) -> None:
    assert set_profile(api, AGENT, "Ana", ["es", "en"]).status == 200
    assert set_profile(api, OTHER_AGENT, "Bruno", ["en"]).status == 200
    assert set_profile(api, AGENT, "Ana María", ["es"]).body["version"] == 2

    profiles = get(api, "/agent/profiles").body["profiles"]

    assert [(p["agent_id"], p["display_name"], p["languages"]) for p in profiles] == [
        (AGENT, "Ana María", ["es"]),
        (OTHER_AGENT, "Bruno", ["en"]),
    ]
    for bad in ({"display_name": "", "languages": ["es"]}, {"display_name": "A", "languages": []}):
        reply = api.call("PUT", "/agent/profile", bad, identity=ANA)
        assert reply.status == 422
    wrong = {"display_name": "A", "languages": ["fr"]}
    assert api.call("PUT", "/agent/profile", wrong, identity=ANA).status == 422


def test_a_customers_panel_lists_their_orders_and_cases_only(api: Api) -> None:
    api.order_in("paid", order_id="ORD-1")
    api.order_in("shipped", order_id="ORD-2")
    api.order_in("paid", order_id="ORD-9", customer=OTHER_CUSTOMER)
    case_id = open_case(api, "ORD-2", "payment_issue")
    other = open_case(api, "ORD-9", customer=OTHER_CUSTOMER)

    panel = get(api, f"/agent/customers/{CUSTOMER}").body

    assert [order["order_id"] for order in panel["orders"]] == ["ORD-2", "ORD-1"]
    assert [case["case_id"] for case in panel["cases"]] == [case_id]
    assert other not in repr(panel)


# --- saved replies --------------------------------------------------------------------------------

REPLY = {
    "title": "Refund on its way",
    "locale": "es",
    "body": "Hola {customer_name}: hemos devuelto el cargo del pedido {order_id}. {agent_name}",
    "actions": ["payment_issue"],
}


def test_saved_replies_are_created_listed_changed_and_deleted(api: Api) -> None:
    created = save_reply(api, REPLY)
    assert created.status == 201, created
    reply_id = created.body["reply_id"]
    assert created.body | {"reply_id": None, "created_at": None, "updated_at": None} == REPLY | {
        "reply_id": None,
        "created_at": None,
        "updated_at": None,
        "created_by": AGENT,
        "updated_by": AGENT,
        "version": 1,
    }
    listed = get(api, "/agent/replies", OTHER_AGENT).body["replies"]  # shared by all agents
    assert [r["reply_id"] for r in listed] == [reply_id]

    changed = REPLY | {"title": "Refund sent", "actions": []}
    put = api.call(
        "PUT", f"/agent/replies/{reply_id}?version=1", changed, identity=Identity.agent(OTHER_AGENT)
    )
    assert (put.status, put.body["title"], put.body["updated_by"]) == (
        200,
        "Refund sent",
        OTHER_AGENT,
    )
    stale = api.call("PUT", f"/agent/replies/{reply_id}?version=1", REPLY, identity=ANA)
    assert (stale.status, stale.error["code"]) == (409, "saved_reply_changed")

    deleted = api.call("DELETE", f"/agent/replies/{reply_id}", identity=ANA)
    assert deleted.status == 200
    assert get(api, "/agent/replies").body["replies"] == []
    again = api.call("DELETE", f"/agent/replies/{reply_id}", identity=ANA)
    assert (again.status, again.error["code"]) == (404, "saved_reply_not_found")
    edit = api.call("PUT", f"/agent/replies/{reply_id}", REPLY, identity=ANA)
    assert edit.status == 404


def test_a_saved_reply_with_an_unknown_placeholder_is_refused_in_words(api: Api) -> None:
    reply = save_reply(
        api,
        REPLY | {"body": "Hola {nombre}, su pedido {order_id}."},
        headers={"accept-language": "es"},
    )
    assert reply.status == 422
    [problem] = reply.error["errors"]
    assert problem["loc"] == ["body", "body"]
    assert "{nombre}" in problem["msg"] and "marcador" in problem["msg"]


@pytest.mark.parametrize(
    "change",
    [
        {"title": ""},
        {"title": "x" * 121},
        {"title": "two\nlines"},
        {"body": ""},
        {"body": "x" * 5001},
        {"locale": "fr"},
        {"actions": ["payment_issue", "payment_issue"]},
        {"actions": ["refund_everything"]},
        {"surprise": True},
    ],
)
def test_saved_reply_lengths_and_fields_are_checked(api: Api, change: dict[str, Any]) -> None:
    reply = save_reply(api, REPLY | change)
    assert reply.status == 422, reply
    assert reply.error["code"] == "validation_error"
    assert get(api, "/agent/replies").body["replies"] == []


def test_a_retried_save_with_the_same_key_saves_once(api: Api) -> None:
    key = {"Idempotency-Key": "reply-1"}
    first = save_reply(api, REPLY, headers=key)
    second = save_reply(api, REPLY, headers=key)
    assert (first.status, second.status) == (201, 201)
    assert first.body == second.body
    assert len(get(api, "/agent/replies").body["replies"]) == 1


def test_replies_are_filled_for_the_case_and_suggested_by_action_and_language(api: Api) -> None:
    set_profile(api, AGENT, "Ana")
    fits = save_reply(api, REPLY).body["reply_id"]
    english = save_reply(api, REPLY | {"locale": "en", "title": "Refund (en)"}).body["reply_id"]
    other_topic = save_reply(
        api,
        REPLY | {"title": "Return label", "actions": ["return_request"], "body": "{drop_off_by}"},
    ).body["reply_id"]
    api.order_in("paid", order_id="ORD-1")
    case_id = open_case(api, "ORD-1", "payment_issue")

    answer_ = get(api, f"/agent/cases/{case_id}/replies", locale="es").body

    assert answer_["locale"] == "es"  # no contact language yet: the agent's
    assert [r["reply_id"] for r in answer_["replies"]] == [fits, other_topic, english]
    first = answer_["replies"][0]
    assert first["suggested"] is True
    assert first["filled"] == (
        "Hola Lucía Fernández: hemos devuelto el cargo del pedido ORD-1. Ana"
    )
    assert first["missing"] == []
    label = answer_["replies"][1]
    assert (label["suggested"], label["filled"], label["missing"]) == (
        False,
        "{drop_off_by}",
        ["drop_off_by"],
    )


def test_drop_off_by_is_filled_from_the_cases_approved_return(api: Api) -> None:
    label = save_reply(
        api,
        REPLY | {"title": "Return label", "actions": ["return_request"], "body": "{drop_off_by}"},
    ).body["reply_id"]
    case_id = returned(api, "ORD-7", approved=False)

    def filled() -> tuple[bool, str, list[str]]:
        [reply] = get(api, f"/agent/cases/{case_id}/replies", locale="es").body["replies"]
        assert reply["reply_id"] == label
        return reply["suggested"], reply["filled"], reply["missing"]

    # Requested, not approved yet: no deadline, the agent fills it in
    assert filled() == (True, "{drop_off_by}", ["drop_off_by"])
    assert approve(api, case_id).status == 200
    # The policy's 14 days from the approval, as the customer reads a date
    assert filled() == (True, format_date(api.clock.now + timedelta(days=14), "es"), [])


def test_replies_are_suggested_in_the_language_of_the_orders_contact(api: Api) -> None:
    spanish = save_reply(api, REPLY).body["reply_id"]
    english = save_reply(api, REPLY | {"locale": "en", "title": "Refund (en)"}).body["reply_id"]
    with_contact(api, "ORD-1", "oliver@example.com", locale="en")
    api.pay("ORD-1")
    case_id = open_case(api, "ORD-1", "payment_issue")

    # An agent reading Spanish answers an English-speaking customer in English
    answer_ = get(api, f"/agent/cases/{case_id}/replies", locale="es").body

    assert answer_["locale"] == "en"
    assert [(r["reply_id"], r["suggested"]) for r in answer_["replies"]] == [
        (english, True),
        (spanish, False),
    ]


def test_replies_for_a_missing_case_are_a_404(api: Api) -> None:
    reply = get(api, "/agent/cases/CS-NOPE/replies")
    assert (reply.status, reply.error["code"]) == (404, "case_not_found")


def _iso(moment: Any) -> str:
    return str(moment.isoformat().replace("+00:00", "Z"))


def test_store_reads_saved_replies_from_one_partition(api: Api) -> None:
    save_reply(api, REPLY)
    console: DynamoConsoleStore = wiring.console_store()
    [reply] = console.saved_replies()
    item = console.table.get(keys.reply_key(reply.reply_id))
    assert item is not None and item["pk"] == keys.REPLIES
    assert codec.model_of(type(reply), item) == reply
