"""Races on cases, shown deterministically (another request runs through the real handlers
between a request's read and its conditional write), and the one-open-case rule under 20 truly
concurrent transactions against a DynamoDB served over HTTP."""

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from moto.dynamodb.models import DynamoDBBackend
from moto.server import ThreadedMotoServer

from lifecycle.actions import HelpAction
from lifecycle.help import CATALOGUE
from lifecycle.policy import CasePolicy, Policy
from orderhelp import wiring
from orderhelp.changes import Changeset, RequestContext
from orderhelp.errors import Conflict
from orderhelp.models import CreateOrderRequest
from orderhelp.records import Actor, ActorKind, OrderRecord
from orderhelp.retry import NO_WAIT
from orderhelp.services import OrderService
from orderhelp.store import DynamoOrderStore, DynamoTable, Indexes
from orderhelp_dev.local.template import (
    create_table_requests,
    functions,
    parameter_defaults,
    resources,
)
from tests.handlers.case_calls import (
    AGENT,
    OTHER_AGENT,
    InterleavingCaseStore,
    agent_case,
    answer,
    assign,
    housekeeping,
    my_case,
    open_case,
    solve,
    solved_case,
    write,
)
from tests.handlers.client import CUSTOMER, Api, Reply
from tests.handlers.interference import FEW

ORDER = "ORD-1"
REQUESTS = 20


@pytest.fixture
def cases(api: Api, monkeypatch: pytest.MonkeyPatch) -> InterleavingCaseStore:
    """The running case service's store, ready to let another request in before a write."""
    service = wiring.case_service()
    monkeypatch.setattr(service, "_retry", FEW)
    store = InterleavingCaseStore(service._store)
    monkeypatch.setattr(service, "_store", store)
    return store


DUE_SHARDS = int(parameter_defaults()["DueIndexShards"])


def _bodies(api: Api, case_id: str) -> list[str]:
    return sorted(api.case_messages(case_id))


# --- two writers on one case ----------------------------------------------------------------------


def test_two_agents_answering_at_once_both_keep_their_messages(
    api: Api, cases: InterleavingCaseStore
) -> None:
    # Given an open case, and a second agent answering between the first one's read and write
    api.order_in("paid", order_id=ORDER)
    case_id = open_case(api, ORDER)
    cases.before_next_commit(
        lambda: answer(api, case_id, "Bruno: refund started.", agent=OTHER_AGENT)
    )

    first = answer(api, case_id, "Ana: we are checking.")
    second = cases.competitor_replies[0]

    # Then both answers are in the conversation, each written once; the case is pending
    assert (first.status, second.status) == (200, 200)
    assert _bodies(api, case_id) == sorted(
        [
            "I paid by card but the order still says unpaid.",
            "Bruno: refund started.",
            "Ana: we are checking.",
        ]
    )
    case = my_case(api, case_id).body
    assert (case["status"], case["turn"]) == ("pending", "customer")
    # The first re-read the case after losing, so it answered on top of the second.
    assert first.body["version"] == second.body["version"] + 1
    assert [m["body"] for m in first.body["messages"]][-2:] == [
        "Bruno: refund started.",
        "Ana: we are checking.",
    ]


def test_a_customer_and_an_agent_writing_at_once_are_both_kept(
    api: Api, cases: InterleavingCaseStore
) -> None:
    api.order_in("paid", order_id=ORDER)
    case_id = open_case(api, ORDER)
    cases.before_next_commit(lambda: answer(api, case_id, "Which card?"))

    mine = write(api, case_id, "Also, I was charged twice.")

    assert (mine.status, cases.competitor_replies[0].status) == (200, 200)
    assert "Which card?" in api.case_messages(case_id)
    assert "Also, I was charged twice." in api.case_messages(case_id)
    # The customer wrote last: it is customer service's turn.
    assert my_case(api, case_id).body["turn"] == "customer_service"


def test_a_message_that_keeps_losing_gives_up_with_409_and_the_case_as_it_is(
    api: Api, cases: InterleavingCaseStore
) -> None:
    api.order_in("paid", order_id=ORDER)
    case_id = open_case(api, ORDER)
    cases.before_next_commit(
        lambda: answer(api, case_id, "note", internal=True), times=FEW.attempts
    )

    reply = write(api, case_id, "Hello?")

    assert reply.status == 409
    assert reply.error["code"] == "conflict"
    assert (reply.error["status"], reply.error["version"]) == ("open", 1 + FEW.attempts)
    assert "Hello?" not in api.case_messages(case_id)


def test_two_agents_taking_a_case_at_once_one_wins_the_other_gets_409(
    api: Api, cases: InterleavingCaseStore
) -> None:
    # Given an unassigned case, and Bruno taking it between Ana's read and write
    api.order_in("paid", order_id=ORDER)
    case_id = open_case(api, ORDER)
    cases.before_next_commit(lambda: assign(api, case_id, OTHER_AGENT))

    ana = assign(api, case_id, AGENT)
    bruno = cases.competitor_replies[0]

    # Then Bruno has it, and Ana is told so instead of silently taking it from him
    assert bruno.status == 200
    assert ana.status == 409
    assert (ana.error["code"], ana.error["assignee"]) == ("case_taken", OTHER_AGENT)
    assert agent_case(api, case_id).body["case"]["assignee"] == OTHER_AGENT


def test_two_agents_forcing_at_once_one_wins_the_other_gets_409(
    api: Api, cases: InterleavingCaseStore
) -> None:
    api.order_in("paid", order_id=ORDER)
    case_id = open_case(api, ORDER)
    assert assign(api, case_id, "agent-carla").status == 200
    cases.before_next_commit(lambda: assign(api, case_id, OTHER_AGENT, force=True))

    ana = assign(api, case_id, AGENT, force=True)

    assert cases.competitor_replies[0].status == 200
    assert ana.status == 409
    assert (ana.error["code"], ana.error["assignee"]) == ("case_taken", OTHER_AGENT)


def test_solving_a_case_the_customer_just_wrote_on_is_409_not_a_silent_solve(
    api: Api, cases: InterleavingCaseStore
) -> None:
    api.order_in("paid", order_id=ORDER)
    case_id = open_case(api, ORDER)
    assert assign(api, case_id).status == 200
    assert answer(api, case_id, "Is it fixed now?").status == 200
    cases.before_next_commit(lambda: write(api, case_id, "No, it is not!"))

    refused = solve(api, case_id)

    assert refused.status == 409
    assert (refused.error["code"], refused.error["status"]) == ("conflict", "open")
    case = my_case(api, case_id).body
    assert (case["status"], case["messages"][-1]["body"]) == ("open", "No, it is not!")


def test_housekeeping_does_not_close_a_case_reopened_after_it_was_found(
    api: Api, cases: InterleavingCaseStore
) -> None:
    # Given a case due to close, and the customer writing right after housekeeping found it
    api.order_in("paid", order_id=ORDER)
    case_id = solved_case(api, ORDER)
    api.clock.advance(days=CasePolicy().close_solved_after_days + 1)
    cases.before_next_commit(lambda: write(api, case_id, "Wait, one more thing."))

    report = housekeeping()

    # Then the close lost to the reply, re-read the case, and left it open
    assert report == {"closed": 0, "skipped": 1, "failures": 0, "complete": True}
    assert my_case(api, case_id).body["status"] == "open"


def test_two_messages_racing_on_a_closed_case_share_one_follow_up(
    api: Api, cases: InterleavingCaseStore
) -> None:
    api.order_in("paid", order_id=ORDER)
    closed = solved_case(api, ORDER)
    api.clock.advance(days=CasePolicy().close_solved_after_days + 1)
    assert housekeeping()["closed"] == 1
    cases.before_next_commit(lambda: write(api, closed, "Second message"))

    first = write(api, closed, "First message")
    second = cases.competitor_replies[0]

    assert (second.status, first.status) == (201, 200)
    follow_up = second.body["case"]["case_id"]
    assert first.body["case"]["case_id"] == follow_up
    assert my_case(api, closed).body["followed_by"] == [follow_up]
    assert _bodies(api, follow_up) == ["First message", "Second message"]
    record = api.stored(ORDER)
    assert record is not None
    assert len(record.cases) == 2


# --- twenty help requests for one order and action ------------------------------------------------


class CascadingStore:
    """The order service's store, where every commit first lets the next waiting request run
    through the handlers: all of them have read the order (no case open yet) before any writes."""

    def __init__(self, inner: Any, waiting: list[Callable[[], Reply]]) -> None:
        self._inner = inner
        self._waiting = waiting
        self.replies: list[Reply] = []

    def load(self, order_id: str) -> OrderRecord | None:
        return self._inner.load(order_id)

    def list_for_customer(self, *args: Any) -> Any:
        return self._inner.list_for_customer(*args)

    def get_case(self, case_id: str) -> Any:
        return self._inner.get_case(case_id)

    def commit(self, change: Changeset) -> None:
        if self._waiting:
            self.replies.append(self._waiting.pop(0)())
        self._inner.commit(change)


def test_twenty_help_requests_read_before_any_writes_and_make_exactly_one_case(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a paid order with no case, and 20 reports of the same payment problem, each
    # arriving after all earlier ones read the order and before any of them wrote
    api.order_in("paid", order_id=ORDER)
    service = wiring.order_service()
    monkeypatch.setattr(service, "_retry", NO_WAIT)

    def report(n: int) -> Callable[[], Reply]:
        return lambda: api.help(ORDER, "payment_issue", {"message": f"Report {n}"})

    store = CascadingStore(service._store, [report(n) for n in range(2, REQUESTS + 1)])
    monkeypatch.setattr(service, "_store", store)

    first = api.help(ORDER, "payment_issue", {"message": "Report 1"})

    # Then exactly one opened the case and every other joined it: no report lost
    replies = [first, *store.replies]
    assert len(replies) == REQUESTS
    assert sorted(reply.status for reply in replies) == [200] * (REQUESTS - 1) + [201]
    case_ids = {reply.body["case"]["case_id"] for reply in replies}
    assert len(case_ids) == 1
    record = api.stored(ORDER)
    assert record is not None
    assert [case.case_id for case in record.cases] == list(case_ids)
    assert record.open_cases == {HelpAction.PAYMENT_ISSUE: case_ids.pop()}
    assert sorted(api.case_messages(record.cases[0].case_id)) == sorted(
        f"Report {n}" for n in range(1, REQUESTS + 1)
    )
    assert [entry.event for entry in record.history].count("payment_issue") == REQUESTS


# --- the same, as 20 concurrent transactions over HTTP --------------------------------------------


@pytest.fixture
def dynamodb_over_http(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[], Any]]:
    """The template's tables in moto's server, reached over real HTTP; a new client per call.

    DynamoDB runs each transaction in isolation (serializably); moto does not, and a failed
    transaction there restores a snapshot of the whole table, undoing what others wrote in the
    meantime. One lock around moto's table operations gives the isolation DynamoDB has, so what
    the test checks is our conditions, not moto's threading."""
    isolation = threading.RLock()
    for name in ("transact_write_items", "query", "get_item", "put_item", "create_table"):
        operation = getattr(DynamoDBBackend, name)

        def isolated(*args: Any, _operation: Any = operation, **kwargs: Any) -> Any:
            with isolation:
                return _operation(*args, **kwargs)

        monkeypatch.setattr(DynamoDBBackend, name, isolated)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()

    def client() -> Any:
        return boto3.client(
            "dynamodb",
            endpoint_url=f"http://{host}:{port}",
            region_name="eu-south-2",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )

    names = {logical_id: f"{logical_id}-http" for logical_id in resources("AWS::DynamoDB::Table")}
    setup = client()
    for request in create_table_requests(names):
        setup.create_table(**request)
    try:
        yield client
    finally:
        for name in names.values():
            setup.delete_table(TableName=name)
        server.stop()


def test_twenty_concurrent_transactions_open_exactly_one_case(
    dynamodb_over_http: Callable[[], Any],
) -> None:
    # Given a paid order, and 20 "Lambdas" (a service and an HTTP client each) that all read
    # the order before any of them commits, then commit at the same moment
    environment = functions()["CustomerApiFunction"].environment
    table = "OrdersTable-http"
    now = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)

    def service(barrier: threading.Barrier | None = None) -> OrderService:
        store = http_store(dynamodb_over_http(), table, environment)
        return OrderService(
            _BarrierStore(store, barrier) if barrier else store,  # type: ignore[arg-type]
            lambda: now,
            Policy(),
            CasePolicy(),
        )

    setup = service()
    shop = Actor(kind=ActorKind.OPS, id="shop")
    setup.create_order(
        RequestContext.fresh(shop),
        CreateOrderRequest.model_validate(
            {
                "order_id": ORDER,
                "customer_id": CUSTOMER,
                "currency": "EUR",
                "items": [{"sku": "LAMP-01", "name": "Lámpara", "quantity": 1, "unit_price": "9"}],
                "shipping": "1",
                "shipping_address": {
                    "name": "Lucía",
                    "line1": "Calle de Alcalá 42",
                    "city": "Madrid",
                    "postal_code": "28014",
                    "country": "ES",
                },
                "placed_at": "2026-05-04T08:00:00Z",
            }
        ),
    )
    barrier = threading.Barrier(REQUESTS)
    request_model = CATALOGUE[HelpAction.PAYMENT_ISSUE].request_model

    def report(n: int) -> tuple[str, bool] | None:
        try:
            outcome, opened = service(barrier).use_help_action(
                RequestContext.fresh(Actor(kind=ActorKind.CUSTOMER, id=CUSTOMER)),
                ORDER,
                HelpAction.PAYMENT_ISSUE,
                request_model.model_validate({"message": f"Report {n}"}),
                "en",
            )
        except Conflict:
            return None  # lost every attempt: told to try again (409), nothing written
        return outcome.case.case_id, opened

    # When they all race (losers re-read and retry, with jittered backoff)
    with ThreadPoolExecutor(max_workers=REQUESTS) as pool:
        results = list(pool.map(report, range(REQUESTS)))

    # Then none ran out of retries: exactly one transaction opened a case, every other joined it
    done = [result for result in results if result is not None]
    assert len(done) == REQUESTS
    assert sum(opened for _, opened in done) == 1
    assert len({case_id for case_id, _ in done}) == 1
    record = setup._store.load(ORDER)
    assert record is not None
    assert [case.case_id for case in record.cases] == [done[0][0]]
    assert record.open_cases == {HelpAction.PAYMENT_ISSUE: done[0][0]}
    # and each of them wrote its report once, while a request that gave up wrote nothing
    assert [entry.event for entry in record.history].count("payment_issue") == len(done)
    messages = http_store(dynamodb_over_http(), table, environment).load_case(done[0][0], 100)
    assert messages is not None
    assert len(messages.messages) == len(done)


class _BarrierStore:
    """A store whose first commit waits until every racer has read the order."""

    def __init__(self, inner: DynamoOrderStore, barrier: threading.Barrier) -> None:
        self._inner = inner
        self._barrier: threading.Barrier | None = barrier

    def load(self, order_id: str) -> OrderRecord | None:
        return self._inner.load(order_id)

    def commit(self, change: Changeset) -> None:
        if self._barrier is not None:
            barrier, self._barrier = self._barrier, None
            barrier.wait(timeout=30)
        self._inner.commit(change)


def http_store(client: Any, table: str, environment: dict[str, str]) -> DynamoOrderStore:
    """The store over moto's server, with the function's index names and shards."""
    return DynamoOrderStore(
        DynamoTable(client, table),
        Indexes(orders_by_customer=environment["ORDERS_BY_CUSTOMER_INDEX"]),
        due_shards=DUE_SHARDS,
        queue_shards=int(parameter_defaults()["CaseQueueShards"]),
    )
