"""The scheduled delay check (issue 5), run through DelayCheckFunction's handler against moto: it
finds late orders through the due index, records each delay once, opens one proactive case per
order (or joins the customer's), and is safe to repeat, to overlap and to interrupt."""

import copy
import io
import json
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError

from orderhelp import aws, wiring
from orderhelp.changes import Changeset, OrderUpdate
from orderhelp.config import store_settings
from orderhelp.delay_check import DEFAULT_ZONE, DelayCheck, DueOrders, DuePage
from orderhelp.handlers import delay_check as delay_check_handler
from orderhelp.handlers.delay_check import DelayCheckIncomplete, NotAScheduledEvent
from orderhelp.records import OrderRecord
from orderhelp.store import OrderStore
from orderhelp.store.keys import due_pk, shard_of
from orderhelp_dev.local.lambda_runtime import LocalLambdaContext, load_handler
from orderhelp_dev.local.sample_events import EVENTS_DIR
from orderhelp_dev.local.scheduler import template_schedules
from orderhelp_dev.local.template import (
    LOCAL_ACCOUNT_ID,
    LOCAL_REGION,
    functions,
    load_template,
    local_references,
    resolve,
    resources,
)
from tests.handlers.client import CUSTOMER, Api, Identity, iso
from tests.handlers.interference import InterleavingStore

FUNCTION = "DelayCheckFunction"
SCHEDULER_EVENT = json.loads((EVENTS_DIR / "schedule" / "delay-check.json").read_text())
HOUR = timedelta(hours=1)
FIGURES = ("late_orders_found", "cases_opened", "cases_joined", "skipped_already_handled")


def run_check(context: Any = None, event: Any = None) -> dict[str, Any]:
    """Invoke DelayCheckFunction as its schedule does."""
    spec = functions()[FUNCTION]
    result: dict[str, Any] = load_handler(spec.handler)(
        copy.deepcopy(SCHEDULER_EVENT if event is None else event),
        context or LocalLambdaContext(spec.logical_id, spec.timeout),
    )
    return result


def figures(result: dict[str, Any]) -> tuple[int, ...]:
    return tuple(result[name] for name in FIGURES)


class TimeRunningOut(LocalLambdaContext):
    """A Lambda context with plenty of time until `spent()` says otherwise, then almost none."""

    def __init__(self, spent: Callable[[], bool]) -> None:
        super().__init__(FUNCTION, 300)
        self._spent = spent

    def get_remaining_time_in_millis(self) -> int:
        return 1_000 if self._spent() else 250_000


class CountingCommits:
    """The check's store, counting the changes it wrote."""

    def __init__(self, inner: OrderStore) -> None:
        self.inner = inner
        self.commits = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def commit(self, change: Changeset) -> None:
        self.inner.commit(change)
        self.commits += 1


# --- orders in every situation ---------------------------------------------------------------


def late_to_ship(api: Api, order_id: str, customer: str = CUSTOMER) -> str:
    """Paid now, due to ship within the hour (late once the test moves the clock past it)."""
    assert api.create_order(customer, order_id).status == 201
    assert api.pay(order_id, ship_within=HOUR).status == 200
    return order_id


def late_to_arrive(api: Api, order_id: str) -> str:
    assert api.create_order(CUSTOMER, order_id).status == 201
    assert api.pay(order_id, ship_within=HOUR / 2).status == 200
    assert api.ship(order_id, deliver_within=HOUR).status == 200
    return order_id


def on_time(api: Api, order_id: str, status: str) -> str:
    assert api.create_order(CUSTOMER, order_id).status == 201
    if status in ("paid", "shipped"):
        assert api.pay(order_id, ship_within=timedelta(days=5)).status == 200
    if status == "shipped":
        assert api.ship(order_id, deliver_within=timedelta(days=5)).status == 200
    return order_id


def past_their_deadlines(api: Api, order_id: str, status: str) -> str:
    """An order whose estimates passed long ago but that is not awaiting them any more."""
    assert api.create_order(CUSTOMER, order_id).status == 201
    if status == "created":
        return order_id
    assert api.pay(order_id, ship_within=HOUR / 2).status == 200
    if status == "cancelled":
        assert api.cancel(order_id).status == 200
        return order_id
    assert api.ship(order_id, deliver_within=HOUR / 2).status == 200
    assert api.deliver(order_id).status == 200
    return order_id


def stored(api: Api, order_id: str) -> OrderRecord:
    record = api.stored(order_id)
    assert record is not None
    return record


def delay_entries(record: OrderRecord) -> list[Any]:
    return [entry for entry in record.history if entry.event.startswith("record_")]


def due_index(api: Api) -> dict[str, str]:
    """The due index as it is: order id → due_sk, read shard by shard."""
    entries: dict[str, str] = {}
    for shard in range(store_settings().due_index_shards):
        page = api.dynamodb.query(
            TableName=store_settings().orders_table,
            IndexName=store_settings().orders_awaiting_milestone_index or "",
            KeyConditionExpression="due_pk = :shard",
            ExpressionAttributeValues={":shard": {"S": due_pk(shard)}},
        )
        entries |= {item["order_id"]["S"]: item["due_sk"]["S"] for item in page["Items"]}
    return entries


@pytest.fixture
def run_log() -> Iterator[io.StringIO]:
    """What the handler's logger writes."""
    stream = io.StringIO()
    handler = delay_check_handler.logger.registered_handler
    previous = handler.setStream(stream)
    yield stream
    handler.setStream(previous)


def published_metrics(out: str) -> dict[str, float]:
    """The metrics of the EMF blobs Powertools printed."""
    values: dict[str, float] = {}
    for line in out.splitlines():
        if not line.startswith("{") or '"_aws"' not in line:
            continue
        blob = json.loads(line)
        for directive in blob["_aws"]["CloudWatchMetrics"]:
            for metric in directive["Metrics"]:
                value = blob[metric["Name"]]
                values[metric["Name"]] = sum(value) if isinstance(value, list) else value
    return values


# --- a run -----------------------------------------------------------------------------------


def test_a_run_records_each_delay_once_and_opens_one_proactive_case_per_late_order(
    api: Api, capsys: pytest.CaptureFixture[str], run_log: io.StringIO
) -> None:
    # Given orders late to ship and to arrive, orders on time, and orders whose estimates passed
    # but that no longer wait on them (never paid, delivered, cancelled)
    ship_late = late_to_ship(api, "ORD-SHIP-LATE")
    arrive_late = late_to_arrive(api, "ORD-ARRIVE-LATE")
    untouched = [
        on_time(api, "ORD-PAID-ON-TIME", "paid"),
        on_time(api, "ORD-SHIPPED-ON-TIME", "shipped"),
        *(past_their_deadlines(api, f"ORD-{s.upper()}", s) for s in ("created", "delivered")),
        past_their_deadlines(api, "ORD-CANCELLED", "cancelled"),
    ]
    before = {order_id: stored(api, order_id) for order_id in untouched}
    ship_by = stored(api, ship_late).order.estimated_ship_by
    deliver_by = stored(api, arrive_late).order.estimated_delivery_by
    assert ship_by is not None and deliver_by is not None
    capsys.readouterr()

    # When the check runs two hours later
    now = api.clock.advance(hours=2)
    result = run_check()

    # Then each late order has its delay recorded once and one proactive case
    assert figures(result) == (2, 2, 0, 0)
    assert (result["failures"], result["stopped_early"]) == (0, False)
    # …having read one index item per late order, and nothing else
    assert (result["index_items_read"], result["orders_reread"]) == (2, 0)
    for order_id, action, field, deadline in (
        (ship_late, "shipping_delay", "shipping_delayed_since", ship_by),
        (arrive_late, "delivery_delay", "delivery_delayed_since", deliver_by),
    ):
        record = stored(api, order_id)
        assert getattr(record.order, field) == deadline
        (entry,) = delay_entries(record)
        assert entry.event == f"record_{action}"
        assert (entry.actor.kind, entry.actor.id) == ("system", "delay-check")
        assert entry.at == now
        (case,) = record.cases
        assert (case.action, case.opened_by, case.status) == (action, "system", "open")
        assert case.turn == "customer_service"
        assert entry.data["case_id"] == case.case_id
        assert entry.data[field] == iso(deadline)
        assert record.open_cases == {action: case.case_id}
        # A system message says what was missed and since when, in English and in Spanish.
        (message,) = api.case_messages(case.case_id)
        english, spanish = message.split("\n\n")
        assert "4 May 2026" in english and "Delay check" in english
        assert "4 de mayo de 2026" in spanish and "Control de retrasos" in spanish
        # …at the time the shop keeps (issue 11), not in UTC
        shop_time = f"{deadline.astimezone(DEFAULT_ZONE):%H:%M %Z}"
        assert shop_time in english and shop_time in spanish
        assert "UTC" not in message
    # And the orders that were not late are exactly as they were
    for order_id in untouched:
        assert stored(api, order_id) == before[order_id]

    # The run published its figures as metrics and logged them as one line
    published = published_metrics(capsys.readouterr().out)
    assert {
        name: published[name]
        for name in (
            "LateOrdersFound",
            "ProactiveCasesOpened",
            "OpenCasesJoined",
            "LateOrdersSkippedAsHandled",
            "LateOrderFailures",
        )
    } == {
        "LateOrdersFound": 2,
        "ProactiveCasesOpened": 2,
        "OpenCasesJoined": 0,
        "LateOrdersSkippedAsHandled": 0,
        "LateOrderFailures": 0,
    }
    (line,) = [json.loads(text) for text in run_log.getvalue().splitlines()]
    assert line["message"] == "delay check run"
    assert line["run"] == result
    assert line["correlation_id"] == SCHEDULER_EVENT["id"]


def test_exactly_on_the_deadline_an_order_is_not_late_one_microsecond_after_it_is(
    api: Api,
) -> None:
    order_id = late_to_ship(api, "ORD-1")
    deadline = stored(api, order_id).order.estimated_ship_by
    assert deadline is not None

    api.clock.now = deadline
    assert figures(run_check()) == (0, 0, 0, 0)
    assert stored(api, order_id).order.shipping_delayed_since is None

    api.clock.now = deadline + timedelta(microseconds=1)
    assert figures(run_check()) == (1, 1, 0, 0)


def test_a_second_run_finds_nothing_and_changes_nothing(api: Api) -> None:
    late_to_ship(api, "ORD-1")
    late_to_arrive(api, "ORD-2")
    api.clock.advance(hours=2)
    assert figures(run_check()) == (2, 2, 0, 0)
    after_first = api.snapshot()

    api.clock.advance(minutes=15)
    second = run_check()

    # Handled orders left the index: the second run reads nothing and writes nothing.
    assert figures(second) == (0, 0, 0, 0)
    assert second["index_items_read"] == 0
    assert api.snapshot() == after_first


class ReplayedIndex:
    """A due index that answers what it answered once: copies the index no longer holds, as
    an index read before another run's writes reached it (GSIs are eventually consistent)."""

    def __init__(self, inner: DueOrders) -> None:
        self._inner = inner
        self.pages_seen: dict[int, list[DuePage]] = {}
        self.replaying = False

    def due_orders(self, shard: int, before: datetime, page_size: int) -> Iterator[DuePage]:
        if self.replaying:
            yield from self.pages_seen.get(shard, [])
            return
        for page in self._inner.due_orders(shard, before, page_size):
            self.pages_seen.setdefault(shard, []).append(page)
            yield page


def test_stale_index_copies_are_skipped_as_handled_without_writing(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    late_to_ship(api, "ORD-1")
    late_to_arrive(api, "ORD-2")
    api.clock.advance(hours=2)
    check = wiring.delay_check()
    index = ReplayedIndex(check._due)
    monkeypatch.setattr(check, "_due", index)
    assert figures(run_check()) == (2, 2, 0, 0)
    after_first = api.snapshot()

    # When a second run still sees the handled orders in the index
    index.replaying = True
    second = run_check()

    # Then its transactions are refused, it reads each order, and the rules say it is done
    assert figures(second) == (2, 0, 0, 2)
    assert second["orders_reread"] == 2
    assert api.snapshot() == after_first


def test_a_run_overlapping_another_never_doubles_a_delay_or_a_case(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    orders = [late_to_ship(api, "ORD-1"), late_to_arrive(api, "ORD-2")]
    api.clock.advance(hours=2)
    check = wiring.delay_check()
    store = InterleavingStore(check._store)
    monkeypatch.setattr(check, "_store", store)
    # Given a run that read late orders, and another run that does all the work meanwhile
    other_runs: list[dict[str, Any]] = []
    store.before_next_commit(lambda: other_runs.append(run_check()))

    first = run_check()

    (other,) = other_runs
    assert figures(other) == (2, 2, 0, 0)
    # The first run lost every race: it opened nothing and recorded nothing.
    assert first["cases_opened"] == first["cases_joined"] == first["failures"] == 0
    assert first["skipped_already_handled"] == first["late_orders_found"] >= 1
    for order_id in orders:
        record = stored(api, order_id)
        assert len(record.cases) == 1
        assert len(delay_entries(record)) == 1


def test_a_run_short_of_time_stops_early_and_the_next_run_finishes_the_rest(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    orders = [late_to_ship(api, f"ORD-{n}") for n in range(6)]
    api.clock.advance(hours=2)
    check = wiring.delay_check()
    store = CountingCommits(check._store)
    monkeypatch.setattr(check, "_store", store)

    # When a run's time runs short once it has handled two orders
    first = run_check(TimeRunningOut(spent=lambda: store.commits >= 2))

    # Then it takes no further page or order
    assert first["stopped_early"] is True
    assert first["late_orders_found"] == first["cases_opened"] == 2

    # Then the next run handles the rest: nothing lost, nothing doubled
    api.clock.advance(minutes=15)
    second = run_check()
    assert second["stopped_early"] is False
    assert second["cases_opened"] == len(orders) - first["cases_opened"]
    for order_id in orders:
        record = stored(api, order_id)
        assert len(record.cases) == 1
        assert len(delay_entries(record)) == 1


def test_a_run_with_no_time_left_takes_no_work(api: Api) -> None:
    late_to_ship(api, "ORD-1")
    api.clock.advance(hours=2)
    before = api.snapshot()

    result = run_check(TimeRunningOut(spent=lambda: True))

    assert result["stopped_early"] is True
    assert (result["pages"], result["late_orders_found"]) == (0, 0)
    assert api.snapshot() == before


class FailingCommitFor:
    """The check's store, failing every write of one order (say, an item grown too large)."""

    def __init__(self, inner: OrderStore, order_id: str) -> None:
        self._inner = inner
        self.order_id = order_id

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def commit(self, change: Changeset) -> None:
        changed = [w.after.order_id for w in change.orders if isinstance(w, OrderUpdate)]
        if self.order_id in changed:
            raise ClientError(
                {"Error": {"Code": "ValidationException", "Message": "Item size too large"}},
                "TransactWriteItems",
            )
        self._inner.commit(change)


def test_a_failure_on_one_order_is_counted_and_does_not_stop_the_others(
    api: Api, monkeypatch: pytest.MonkeyPatch, run_log: io.StringIO
) -> None:
    orders = [late_to_ship(api, f"ORD-{n}") for n in range(4)]
    api.clock.advance(hours=2)
    check = wiring.delay_check()
    failing = FailingCommitFor(check._store, "ORD-2")
    monkeypatch.setattr(check, "_store", failing)

    result = run_check()

    assert (result["late_orders_found"], result["cases_opened"], result["failures"]) == (4, 3, 1)
    assert "ORD-2" in due_index(api), "the failed order waits in the index for the next run"
    assert not stored(api, "ORD-2").cases
    logged = [json.loads(line) for line in run_log.getvalue().splitlines()]
    (failure,) = [line for line in logged if line["level"] == "ERROR"]
    assert failure["order_id"] == "ORD-2"
    assert "Item size too large" in failure["exception"]

    # The next run, the fault gone, handles it.
    monkeypatch.setattr(check, "_store", failing._inner)
    assert figures(run_check()) == (1, 1, 0, 0)
    assert all(len(stored(api, order_id).cases) == 1 for order_id in orders)


class UnreadableShard:
    def __init__(self, inner: DueOrders, shard: int) -> None:
        self._inner = inner
        self.shard = shard

    def due_orders(self, shard: int, before: datetime, page_size: int) -> Iterator[DuePage]:
        if shard == self.shard:
            raise ClientError(
                {"Error": {"Code": "ProvisionedThroughputExceededException", "Message": "slow"}},
                "Query",
            )
        yield from self._inner.due_orders(shard, before, page_size)


def test_a_shard_that_cannot_be_read_fails_the_invocation_after_the_other_shards(
    api: Api, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    shards = store_settings().due_index_shards
    ids = [f"ORD-{n}" for n in range(40)]
    first = ids[0]
    other = next(i for i in ids if shard_of(i, shards) != shard_of(first, shards))
    late_to_ship(api, first)
    late_to_ship(api, other)
    api.clock.advance(hours=2)
    check = wiring.delay_check()
    monkeypatch.setattr(check, "_due", UnreadableShard(check._due, shard_of(first, shards)))
    capsys.readouterr()

    # The invocation fails, so that Lambda retries it (then the dead-letter queue keeps it)…
    with pytest.raises(DelayCheckIncomplete, match=r"could not be read"):
        run_check()

    # …after handling what the other shards hold, and publishing the run's figures.
    assert len(stored(api, other).cases) == 1
    assert not stored(api, first).cases
    assert published_metrics(capsys.readouterr().out)["ProactiveCasesOpened"] == 1


# --- what the customer sees ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make_late", "action", "field"),
    [
        (late_to_ship, "shipping_delay", "shipping_delayed_since"),
        (late_to_arrive, "delivery_delay", "delivery_delayed_since"),
    ],
)
def test_order_details_show_the_delay_and_the_customer_joins_the_proactive_case(
    api: Api, make_late: Any, action: str, field: str
) -> None:
    order_id = make_late(api, "ORD-1")
    api.clock.advance(hours=2)
    run_check()

    # The order details page shows the delay, the proactive case and the history entry
    details = api.details(order_id).body
    assert details[field] is not None
    (case,) = details["cases"]
    assert (case["action"], case["opened_by"], case["status"]) == (action, "system", "open")
    assert details["history"][-1]["event"] == f"record_{action}"
    assert details["history"][-1]["actor"] == "system"
    offered = {link["action"]: link["available"] for link in details["help"]}
    assert offered[action] is True

    # When the customer uses the delay's help link
    api.clock.advance(minutes=5)
    reply = api.help(order_id, action)

    # Then the request joins the proactive case (200, the same case) instead of opening another
    assert reply.status == 200, reply.body
    assert reply.body["case"]["case_id"] == case["case_id"]
    record = stored(api, order_id)
    assert len(record.cases) == 1
    assert len(api.case_messages(case["case_id"])) == 2


def test_a_case_the_customer_opened_first_gets_a_system_message(api: Api) -> None:
    order_id = late_to_ship(api, "ORD-1")
    api.clock.advance(hours=2)
    opened = api.help(order_id, "shipping_delay")
    assert opened.status == 201
    case_id = opened.body["case"]["case_id"]
    api.clock.advance(minutes=10)

    result = run_check()

    assert figures(result) == (1, 0, 1, 0)
    record = stored(api, order_id)
    (case,) = record.cases
    assert (case.case_id, case.opened_by, case.status) == (case_id, "customer", "open")
    assert case.turn == "customer_service", "a system message does not change whose turn it is"
    assert record.order.shipping_delayed_since is not None
    (entry,) = delay_entries(record)
    assert entry.data["case_id"] == case_id
    customer_words, system_message = api.case_messages(case_id)
    assert customer_words == "It should have shipped by now."
    assert system_message.startswith("Delay check:")


# --- a new estimate --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make_late", "estimate", "field"),
    [
        (late_to_ship, "estimated_ship_by", "shipping_delayed_since"),
        (late_to_arrive, "estimated_delivery_by", "delivery_delayed_since"),
    ],
)
def test_a_new_estimate_is_a_new_deadline(
    api: Api, make_late: Any, estimate: str, field: str
) -> None:
    order_id = make_late(api, "ORD-1")
    api.clock.advance(hours=2)
    assert figures(run_check()) == (1, 1, 0, 0)
    first_delay = getattr(stored(api, order_id).order, field)

    # When the shop promises a new date a day from now
    new_date = api.clock.now + timedelta(days=1)
    reply = api.call(
        "POST",
        f"/ops/orders/{order_id}/estimate",
        {estimate: iso(new_date)},
        identity=Identity.shop(),
    )

    # Then the order takes it (200 with the order), the old delay is cleared…
    assert reply.status == 200, reply.body
    assert reply.body[estimate] == iso(new_date)
    assert reply.body[field] is None
    assert order_id in due_index(api)
    # …the order is not late before the new date…
    api.clock.advance(hours=23)
    assert figures(run_check()) == (0, 0, 0, 0)
    # …and missing it is a new delay, told on the case still open
    api.clock.advance(hours=2)
    assert figures(run_check()) == (1, 0, 1, 0)
    record = stored(api, order_id)
    assert getattr(record.order, field) == new_date
    assert [entry.data[field] for entry in delay_entries(record)] == [
        iso(first_delay),
        iso(new_date),
    ]
    (case,) = record.cases
    assert len(api.case_messages(case.case_id)) == 2


@pytest.mark.parametrize(
    ("status", "body", "code", "http_status"),
    [
        ("shipped", {"estimated_ship_by": "2026-05-20T09:00:00Z"}, "validation_error", 422),
        ("paid", {"estimated_delivery_by": "2026-05-20T09:00:00Z"}, "validation_error", 422),
        ("paid", {}, "validation_error", 422),
        ("paid", {"estimated_ship_by": "2026-05-04T08:00:00Z"}, "validation_error", 422),
        ("created", {"estimated_ship_by": "2026-05-20T09:00:00Z"}, "transition_not_allowed", 409),
        (
            "delivered",
            {"estimated_delivery_by": "2026-05-20T09:00:00Z"},
            "transition_not_allowed",
            409,
        ),
    ],
)
def test_an_estimate_that_does_not_fit_the_order_is_refused_and_changes_nothing(
    api: Api, status: str, body: dict[str, str], code: str, http_status: int
) -> None:
    order_id = api.order_in(status)
    before = api.snapshot()

    reply = api.call("POST", f"/ops/orders/{order_id}/estimate", body, identity=Identity.shop())

    assert (reply.status, reply.error["code"]) == (http_status, code)
    assert api.snapshot() == before


# --- the index -------------------------------------------------------------------------------


def test_the_index_holds_exactly_the_orders_awaiting_a_deadline(api: Api) -> None:
    order_id = "ORD-1"
    assert api.create_order(CUSTOMER, order_id).status == 201
    assert order_id not in due_index(api), "a created order awaits no deadline"

    assert api.pay(order_id, ship_within=HOUR).status == 200
    ship_by = stored(api, order_id).order.estimated_ship_by
    assert due_index(api)[order_id] == f"{ship_by:%Y-%m-%dT%H:%M:%S.%fZ}#{order_id}"

    # Any write of the order keeps its keys, whichever function makes it
    assert api.help(order_id, "customs_duties").status == 201
    assert order_id in due_index(api)

    api.clock.advance(hours=2)
    run_check()
    assert order_id not in due_index(api), "its delay is recorded"

    assert api.ship(order_id, deliver_within=HOUR).status == 200
    deliver_by = stored(api, order_id).order.estimated_delivery_by
    assert due_index(api)[order_id].startswith(f"{deliver_by:%Y-%m-%dT%H:%M:%S.%fZ}#")

    assert api.deliver(order_id).status == 200
    assert order_id not in due_index(api)

    cancelled = api.order_in("cancelled", order_id="ORD-2")
    assert cancelled not in due_index(api)


# --- least privilege, no Scan ----------------------------------------------------------------

IAM_ACTION = {
    "Put": "dynamodb:PutItem",
    "Update": "dynamodb:UpdateItem",
    "Delete": "dynamodb:DeleteItem",
    "ConditionCheck": "dynamodb:ConditionCheckItem",
}


def _allowed(function: str) -> set[tuple[str, str]]:
    """(action, resource ARN) pairs the template's policy grants `function`."""
    table = store_settings().orders_table
    refs = {"OrdersTable.Arn": f"arn:aws:dynamodb:eu-west-1:123456789012:table/{table}"}
    allowed = set()
    for policy in resources("AWS::Serverless::Function")[function]["Properties"]["Policies"]:
        for statement in policy["Statement"]:
            assert statement["Effect"] == "Allow"
            targets = resolve(statement["Resource"], refs)
            for resource in targets if isinstance(targets, list) else [targets]:
                allowed |= {(action, resource) for action in statement["Action"]}
    return allowed


def test_the_check_never_scans_and_its_policy_allows_what_it_does(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    late_to_ship(api, "ORD-1")
    late_to_ship(api, "ORD-2")
    api.clock.advance(hours=2)
    assert api.help("ORD-2", "shipping_delay").status == 201  # the slow path: a case is open
    used: set[tuple[str, str]] = set()
    operations: list[str] = []

    def record(params: dict[str, Any], model: Any, **_: Any) -> None:
        operations.append(model.name)
        arn = "arn:aws:dynamodb:eu-west-1:123456789012:table/"
        if model.name == "TransactWriteItems":
            for item in params["TransactItems"]:
                ((kind, operation),) = item.items()
                used.add((IAM_ACTION[kind], arn + operation["TableName"]))
        else:
            resource = arn + params["TableName"]
            if "IndexName" in params:
                resource += "/index/" + params["IndexName"]
            used.add((f"dynamodb:{model.name}", resource))

    events = aws.dynamodb().meta.events
    events.register("provide-client-params.dynamodb", record)
    try:
        assert figures(run_check()) == (2, 1, 1, 0)
    finally:
        events.unregister("provide-client-params.dynamodb", record)

    assert "Scan" not in operations
    assert {"Query", "TransactWriteItems"} == set(operations)
    assert used <= _allowed(FUNCTION)


# --- the event -------------------------------------------------------------------------------


def test_an_event_that_is_not_a_schedules_is_refused(api: Api) -> None:
    api_event = json.loads((EVENTS_DIR / "ops" / "get-order.json").read_text())
    with pytest.raises(NotAScheduledEvent):
        run_check(event=api_event)
    with pytest.raises(NotAScheduledEvent):
        run_check(event={"detail-type": "Object Created", "source": "aws.s3"})
    with pytest.raises(NotAScheduledEvent):
        run_check(event=["Scheduled Event"])
    # A manual invocation with an empty object runs the check; so does the template's Input as
    # Scheduler fills it in (with the account and region the template gives it).
    assert figures(run_check(event={})) == (0, 0, 0, 0)
    refs = local_references(load_template(), LOCAL_REGION)
    (schedule,) = template_schedules({FUNCTION: functions()[FUNCTION]}, refs)
    event = schedule.event(LOCAL_REGION)
    assert (event["account"], event["region"]) == (LOCAL_ACCOUNT_ID, LOCAL_REGION)
    assert figures(run_check(event=event)) == (0, 0, 0, 0)
    with pytest.raises(NotAScheduledEvent):  # Scheduler's attributes left unfilled
        run_check(event=json.loads(schedule.input))


def test_the_check_is_built_from_the_templates_settings(api: Api) -> None:
    check = wiring.delay_check()
    environment = functions()[FUNCTION].environment
    assert isinstance(check, DelayCheck)
    assert check._page_size == int(environment["DELAY_CHECK_PAGE_SIZE"])
    assert check._time_margin_ms == 1000 * int(environment["DELAY_CHECK_TIME_MARGIN_SECONDS"])
    assert (
        store_settings().orders_awaiting_milestone_index
        == (environment["ORDERS_AWAITING_MILESTONE_INDEX"])
    )
