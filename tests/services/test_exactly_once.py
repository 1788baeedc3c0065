"""The flows on the in-memory table (in milliseconds, no moto): they recognise their own applied
writes, join instead of duplicating, retry only what a race made stale, and a customer's message
never makes the shop's own change fail or retry."""

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest

from lifecycle.actions import HelpAction
from lifecycle.case import CaseStatus
from lifecycle.help import CATALOGUE
from lifecycle.order import PaymentDetails, ShipmentDetails
from lifecycle.policy import CasePolicy, Policy
from orderhelp.case_service import CaseService
from orderhelp.changes import Changeset, RequestContext
from orderhelp.errors import Conflict
from orderhelp.models import CreateOrderRequest
from orderhelp.records import Actor, ActorKind
from orderhelp.retry import NO_WAIT, RetryPolicy
from orderhelp.services import OrderService
from orderhelp.store import DynamoOrderStore, Indexes
from tests.builders import T0
from tests.support.memory_table import AnswerLost, Injected, MemoryTable

CUSTOMER = Actor(kind=ActorKind.CUSTOMER, id="cust-lucia")
AGENT = Actor(kind=ActorKind.AGENT, id="agent-ana")
SHOP = Actor(kind=ActorKind.OPS, id="shop")
ORDER = "ORD-1"


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


@dataclass
class World:
    table: MemoryTable
    store: DynamoOrderStore
    orders: OrderService
    cases: CaseService
    clock: Clock

    def request(self, actor: Actor = CUSTOMER) -> RequestContext:
        return RequestContext.fresh(actor)

    def paid_order(self) -> None:
        self.orders.create_order(self.request(SHOP), CreateOrderRequest.model_validate(NEW))
        self.clock.now += timedelta(hours=1)
        self.orders.apply_lifecycle_event(
            self.request(SHOP),
            ORDER,
            "pay",
            PaymentDetails(payment_ref="P", estimated_ship_by=self.clock.now + timedelta(days=2)),
        )

    def help(
        self, action: HelpAction, body: dict[str, Any], request: RequestContext | None = None
    ) -> Any:
        model = CATALOGUE[action].request_model.model_validate(body)
        return self.orders.use_help_action(request or self.request(), ORDER, action, model, "en")


NEW = {
    "order_id": ORDER,
    "customer_id": "cust-lucia",
    "currency": "EUR",
    "items": [{"sku": "LAMP-01", "name": "Lámpara", "quantity": 2, "unit_price": "39.90"}],
    "shipping": "4.95",
    "shipping_address": {
        "name": "Lucía",
        "line1": "Calle de Alcalá 42",
        "city": "Madrid",
        "postal_code": "28014",
        "country": "ES",
    },
    "placed_at": "2026-03-02T09:30:00Z",
}


def world(retry: RetryPolicy = NO_WAIT) -> World:
    table = MemoryTable.from_template()
    store = DynamoOrderStore(
        table,
        Indexes(orders_by_customer="OrdersByCustomer", case_queue="CaseQueue"),
        due_shards=4,
        queue_shards=4,
    )
    clock = Clock()
    orders = OrderService(store, clock, Policy(), CasePolicy(), retry=retry)
    return World(table, store, orders, CaseService(store, clock, CasePolicy(), retry), clock)


@pytest.fixture
def w() -> World:
    made = world()
    made.paid_order()
    return made


# --- a lost answer, then the client's retry of the same request --------------------------------


def test_a_help_request_whose_answer_was_lost_is_answered_once_on_retry(w: World) -> None:
    request = w.request()
    w.table.faults = Injected(lose_answer=1)
    with pytest.raises(AnswerLost):
        w.help(HelpAction.PAYMENT_ISSUE, {"message": "Paid twice"}, request)

    outcome, opened = w.help(HelpAction.PAYMENT_ISSUE, {"message": "Paid twice"}, request)

    assert opened is True
    record = w.store.load(ORDER)
    assert record is not None
    assert [e.event for e in record.history].count("payment_issue") == 1
    case = w.store.load_case(outcome.case.case_id)
    assert case is not None
    assert [m.body for m in case.messages] == ["Paid twice"]


def test_a_new_order_whose_answer_was_lost_is_the_same_order_on_retry() -> None:
    made = world()
    request = made.request(SHOP)
    body = CreateOrderRequest.model_validate({k: v for k, v in NEW.items() if k != "order_id"})
    made.table.faults = Injected(lose_answer=1)
    with pytest.raises(AnswerLost):
        made.orders.create_order(request, body)

    order = made.orders.create_order(request, body)

    record = made.store.load(order.order_id)
    assert record is not None
    assert [e.event for e in record.history] == ["create"]
    assert made.table.transactions == 1


@pytest.mark.parametrize("step", ["customer", "agent", "assign", "solve"])
def test_a_case_change_whose_answer_was_lost_is_written_once(w: World, step: str) -> None:
    outcome, _ = w.help(HelpAction.PAYMENT_ISSUE, {"message": "Paid twice"})
    case_id = outcome.case.case_id
    if step == "solve":
        w.cases.assign(w.request(AGENT), case_id, force=False, locale="en")
    request = w.request(CUSTOMER if step == "customer" else AGENT)
    calls: dict[str, Callable[[], Any]] = {
        "customer": lambda: w.cases.customer_message(request, case_id, "Any news?", "en"),
        "agent": lambda: w.cases.agent_message(
            request, case_id, "Done", internal=False, locale="en"
        ),
        "assign": lambda: w.cases.assign(request, case_id, force=False, locale="en"),
        "solve": lambda: w.cases.solve(request, case_id, "Refunded", "en"),
    }
    versions = w.table.transactions
    w.table.faults = Injected(lose_answer=1)
    with pytest.raises(AnswerLost):
        calls[step]()

    answer = calls[step]()

    assert answer is not None
    assert w.table.transactions == versions + 1
    record = w.store.load_case(case_id)
    assert record is not None
    assert [a.request_id for a in record.activity].count(request.id) == 1


# --- races ----------------------------------------------------------------------------------------


class Interleaved:
    """The store, running `meanwhile` once right before the next commit."""

    def __init__(self, inner: DynamoOrderStore, meanwhile: Callable[[], Any]) -> None:
        self._inner = inner
        self._meanwhile: Callable[[], Any] | None = meanwhile
        self.commits = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def commit(self, change: Changeset) -> None:
        self.commits += 1
        if self._meanwhile is not None:
            meanwhile, self._meanwhile = self._meanwhile, None
            meanwhile()
        self._inner.commit(change)


def test_a_customers_message_never_makes_the_shop_retry_its_shipment(w: World) -> None:
    # Given the warehouse has read the order, and a customer writes before it commits
    shop_store = Interleaved(w.store, lambda: w.help(HelpAction.CUSTOMS_DUTIES, {"message": "?"}))
    shop = OrderService(shop_store, w.clock, Policy(), CasePolicy(), retry=NO_WAIT)  # type: ignore[arg-type]

    shipped = shop.apply_lifecycle_event(
        w.request(SHOP),
        ORDER,
        "ship",
        ShipmentDetails(
            carrier="C", tracking_number="T", estimated_delivery_by=w.clock.now + timedelta(days=3)
        ),
    )

    # Then the shipment went through at its first attempt; the message took no version
    assert shop_store.commits == 1
    assert shipped.version == 3
    record = w.store.load(ORDER)
    assert record is not None
    assert [(e.event, e.changed) for e in record.history][-2:] == [
        ("customs_duties", False),
        ("ship", True),
    ]


def test_a_message_racing_a_shipment_is_decided_again_on_the_shipped_order(w: World) -> None:
    def ship() -> None:
        w.orders.apply_lifecycle_event(
            w.request(SHOP),
            ORDER,
            "ship",
            ShipmentDetails(
                carrier="C", tracking_number="T", estimated_delivery_by=w.clock.now + timedelta(3)
            ),
        )

    w.orders._store = Interleaved(w.store, ship)  # type: ignore[assignment]

    # A customs question read a paid order; the order shipped before it committed: the guard's
    # status no longer holds, so the rules decide again — customs questions end with shipment.
    with pytest.raises(Exception, match="customs_duties"):
        w.help(HelpAction.CUSTOMS_DUTIES, {"message": "Duties?"})
    record = w.store.load(ORDER)
    assert record is not None
    assert "customs_duties" not in [e.event for e in record.history]


def test_twenty_identical_requests_at_once_all_succeed_on_one_case() -> None:
    made = world(RetryPolicy(base_delay=0.001))
    made.paid_order()
    start = threading.Barrier(20)

    def report(n: int) -> tuple[str, bool]:
        start.wait()
        outcome, opened = made.help(HelpAction.PAYMENT_ISSUE, {"message": "Paid twice"})
        return outcome.case.case_id, opened

    with ThreadPoolExecutor(20) as pool:
        results = list(pool.map(report, range(20)))

    assert len({case_id for case_id, _ in results}) == 1
    assert sum(opened for _, opened in results) == 1
    record = made.store.load(ORDER)
    assert record is not None
    assert [e.event for e in record.history].count("payment_issue") == 20
    assert record.order.version == 2  # no message took a version of the order


def test_an_agent_never_solves_what_changed_since_they_read_it(w: World) -> None:
    outcome, _ = w.help(HelpAction.PAYMENT_ISSUE, {"message": "Paid twice"})
    case_id = outcome.case.case_id
    w.cases.assign(w.request(AGENT), case_id, force=False, locale="en")
    w.cases._store = Interleaved(  # type: ignore[assignment]
        w.store, lambda: w.cases.customer_message(w.request(), case_id, "One more thing", "en")
    )

    with pytest.raises(Conflict):
        w.cases.solve(w.request(AGENT), case_id, "Refunded", "en")
    case = w.store.get_case(case_id)
    assert case is not None
    assert case.status is CaseStatus.OPEN
