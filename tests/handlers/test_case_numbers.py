"""Case numbers: short, unique under truly concurrent openings against a DynamoDB served over
HTTP, allocated without a hot key, and the way agents find a case.

The concurrent openings run against the embedded DynamoDB (moto's server, as `make run` has it):
it applies one request at a time, as a serial order of what DynamoDB does concurrently, and backs
a transaction up by the items it names rather than by copying the whole table, so that the
refused openings (the point of the test) do not cost a copy of every order each."""

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from botocore.config import Config

from lifecycle.actions import HelpAction
from lifecycle.case import OpenedBy, new_case
from lifecycle.help import CATALOGUE
from lifecycle.policy import CasePolicy, Policy
from orderhelp.case_numbers import CaseNumbers, number_range
from orderhelp.changes import CASE_NUMBER, Changeset, RequestContext
from orderhelp.errors import ClaimTaken
from orderhelp.records import Actor, ActorKind, OrderRecord
from orderhelp.services import OrderService
from orderhelp.store import DynamoOrderStore, keys
from orderhelp_dev.local.dynamodb import EmbeddedDynamoDB
from orderhelp_dev.local.template import functions, load_template, resources
from tests.builders import a_new_order
from tests.handlers.case_calls import open_case
from tests.handlers.client import CUSTOMER, Api, Identity
from tests.handlers.test_case_races import http_store

REGION = "eu-south-2"
TABLES = {logical_id: f"{logical_id}-numbers" for logical_id in resources("AWS::DynamoDB::Table")}

OPENINGS = 200
PROCESSES = 8
"""The openings are spread over this many "Lambda processes": an allocator each, shared by its
threads, as a function's execution environment shares it between its invocations."""
FIRST_DIGITS = 2
"""Far too few numbers for 200 cases (10–99): numbers are taken, and the ranges must widen."""


@pytest.fixture
def embedded_dynamodb() -> Iterator[Any]:
    """The template's tables in the embedded DynamoDB, and one client for it over HTTP (boto3's
    clients are thread-safe; one connection per opening at once)."""
    server = EmbeddedDynamoDB()
    endpoint = server.start()
    server.create_tables(load_template(), TABLES, REGION)
    try:
        yield boto3.client(
            "dynamodb",
            endpoint_url=endpoint,
            region_name=REGION,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
            config=Config(max_pool_connections=OPENINGS),
        )
    finally:
        server.stop()


class _AllAtOnce:
    """A store whose first commit waits until every opening has read its order."""

    def __init__(self, inner: DynamoOrderStore, barrier: threading.Barrier) -> None:
        self._inner = inner
        self._barrier: threading.Barrier | None = barrier

    def load(self, order_id: str) -> OrderRecord | None:
        return self._inner.load(order_id)

    def commit(self, change: Changeset) -> None:
        if self._barrier is not None:
            barrier, self._barrier = self._barrier, None
            # Long enough for 200 threads to read on a machine shared with other work.
            barrier.wait(timeout=300)
        self._inner.commit(change)


def test_two_hundred_concurrent_openings_get_two_hundred_different_numbers(
    embedded_dynamodb: Any,
) -> None:
    # Given 200 orders, and 200 help requests that each open a case, in 8 processes whose
    # allocators start with a range of 90 numbers; every request reads its order before any
    # of them commits, then they all commit at once
    environment = functions()["CustomerApiFunction"].environment
    table = TABLES["OrdersTable"]
    now = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)
    setup = http_store(embedded_dynamodb, table, environment)
    shop = RequestContext.fresh(Actor(kind=ActorKind.OPS, id="shop"))
    order_ids = [f"ORD-{n:03d}" for n in range(OPENINGS)]
    for order_id in order_ids:
        creating = Changeset(shop, now)
        creating.create_order(a_new_order(order_id, CUSTOMER))
        setup.commit(creating)
    allocators = [CaseNumbers(digits=FIRST_DIGITS) for _ in range(PROCESSES)]
    barrier = threading.Barrier(OPENINGS)
    request_model = CATALOGUE[HelpAction.PAYMENT_ISSUE].request_model

    def open_one(n: int) -> tuple[str, int]:
        service = OrderService(
            _AllAtOnce(setup, barrier),  # type: ignore[arg-type]
            lambda: now,
            Policy(),
            CasePolicy(),
            numbers=allocators[n % PROCESSES],
        )
        outcome, opened = service.use_help_action(
            RequestContext.fresh(Actor(kind=ActorKind.CUSTOMER, id=CUSTOMER)),
            order_ids[n],
            HelpAction.PAYMENT_ISSUE,
            request_model.model_validate({"message": f"Report {n}"}),
            "en",
        )
        assert opened
        return outcome.case.case_id, outcome.case.number

    # When they race (a request whose number is taken opens again with another)
    with ThreadPoolExecutor(max_workers=OPENINGS) as pool:
        opened = list(pool.map(open_one, range(OPENINGS)))

    # Then every case opened, each with a number of its own
    numbers = [number for _, number in opened]
    assert len(set(numbers)) == OPENINGS
    assert len({case_id for case_id, _ in opened}) == OPENINGS
    # the first range could not hold them: the allocators widened it, and stayed short
    assert all(allocator.digits > FIRST_DIGITS for allocator in allocators)
    assert all(len(str(number)) <= FIRST_DIGITS + 3 for number in numbers)
    # each number's claim is held by its case, and finds it
    for case_id, number in opened:
        found = setup.case_by_number(number)
        assert found is not None
        assert (found.case_id, found.number) == (case_id, number)
    # and no opening that lost left anything behind: one claim per case, one case per order
    client = embedded_dynamodb
    claims = [
        item
        for page in client.get_paginator("scan").paginate(TableName=table, ConsistentRead=True)
        for item in page["Items"]
        if item["pk"]["S"].startswith(keys.CLAIM)
    ]
    assert len(claims) == OPENINGS
    for order_id in order_ids:
        record = setup.load(order_id)
        assert record is not None
        assert len(record.cases) == 1


def test_a_number_is_drawn_from_the_range_in_use_and_the_range_widens_as_it_fills() -> None:
    numbers = CaseNumbers(digits=2, misses_to_widen=2)
    assert numbers.draw("CS-1") in number_range(2)
    # The draw follows the case and the attempt: another attempt, another number.
    assert numbers.draw("CS-1") == numbers.draw("CS-1")
    assert len({numbers.draw("CS-1", attempt) for attempt in range(20)}) > 1
    assert list(number_range(1)) == list(range(1, 10))
    assert (number_range(5).start, number_range(5).stop) == (10000, 100000)

    # A number found taken counts; one opening with its number resets the count
    opening = Changeset(RequestContext.fresh(Actor(kind=ActorKind.OPS, id="test")), NOW)
    taken = _Refusing(ClaimTaken(CASE_NUMBER, "42"))
    with pytest.raises(ClaimTaken):
        numbers.commit(taken, opening)  # type: ignore[arg-type]
    numbers.commit(_Refusing(None), _opening_case())  # type: ignore[arg-type]
    with pytest.raises(ClaimTaken):
        numbers.commit(taken, opening)  # type: ignore[arg-type]
    assert numbers.digits == 2
    # another kind of claim, or a number of a width no longer drawn, does not count
    with pytest.raises(ClaimTaken):
        numbers.commit(_Refusing(ClaimTaken("other", "43")), opening)  # type: ignore[arg-type]
    with pytest.raises(ClaimTaken):
        numbers.commit(_Refusing(ClaimTaken(CASE_NUMBER, "123")), opening)  # type: ignore[arg-type]
    assert numbers.digits == 2
    # Two numbers in a row found taken: the next draw is one digit longer
    with pytest.raises(ClaimTaken):
        numbers.commit(taken, opening)  # type: ignore[arg-type]
    assert numbers.digits == 3
    assert numbers.draw("CS-1") in number_range(3)


NOW = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)


class _Refusing:
    """A store whose commit refuses with `refusal` (or applies nothing and succeeds)."""

    def __init__(self, refusal: ClaimTaken | None) -> None:
        self._refusal = refusal

    def commit(self, change: Changeset) -> None:
        if self._refusal is not None:
            raise self._refusal


def _opening_case() -> Changeset:
    change = Changeset(RequestContext.fresh(Actor(kind=ActorKind.CUSTOMER, id=CUSTOMER)), NOW)
    change.open_case(
        new_case(
            case_id="CS-1",
            number=10,
            order_id="ORD-1",
            customer_id=CUSTOMER,
            action=HelpAction.PAYMENT_ISSUE,
            now=NOW,
            opened_by=OpenedBy.CUSTOMER,
            policy=CasePolicy(),
        ),
        None,
    )
    return change


def test_every_case_of_the_api_has_its_number_and_the_number_finds_it(api: Api) -> None:
    # Given two cases, opened through the API
    api.order_in("paid", order_id="ORD-1")
    first = open_case(api, "ORD-1")
    second = open_case(api, "ORD-1", "customs_duties")

    # Then each case object of the API carries its number: the help outcome, Order Details,
    # My cases, the conversation and the agents' queue
    details = api.details("ORD-1").body
    by_id = {case["case_id"]: case["number"] for case in details["cases"]}
    assert set(by_id) == {first, second}
    assert by_id[first] != by_id[second]
    assert all(number in number_range(5) for number in by_id.values())
    listed = api.call("GET", "/cases", identity=_customer()).body["cases"]
    assert {case["case_id"]: case["number"] for case in listed} == by_id
    conversation = api.call("GET", f"/cases/{first}", identity=_customer()).body
    assert conversation["number"] == by_id[first]
    # and the store finds each case by its number, through its claim
    for case_id, number in by_id.items():
        found = api.store.case_by_number(number)
        assert found is not None
        assert found.case_id == case_id
        claim = api.store.table.get(keys.claim_key(CASE_NUMBER, str(number)))
        assert claim is not None
        assert claim["owner"] == case_id


def _customer() -> Identity:
    return Identity.customer(CUSTOMER)
