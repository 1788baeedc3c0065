"""One suite, two tables: the store on the in-memory table answers and refuses exactly as on
DynamoDB (moto, with the template's tables), so service tests on the memory table mean what they
would mean on DynamoDB."""

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import boto3
import pytest
from moto import mock_aws
from pydantic import BaseModel

from lifecycle.actions import HelpAction
from lifecycle.case import (
    Author,
    Case,
    CaseMessage,
    CaseStatus,
    OpenedBy,
    apply_case_event,
    new_case,
)
from lifecycle.order import OrderStatus
from lifecycle.policy import CasePolicy
from orderhelp.changes import CASE_NUMBER, Changeset, RequestContext
from orderhelp.errors import ClaimTaken, ConcurrentUpdate, InvalidCursor, OrderAlreadyExists
from orderhelp.records import Actor, ActorKind
from orderhelp.store import DynamoOrderStore, DynamoTable, Indexes, order_store
from orderhelp.store import keys as store_keys
from orderhelp_dev.local import dynamodb_transactions
from orderhelp_dev.local.template import create_table_requests, resources
from tests.builders import T0, a_new_order, order_in
from tests.support.memory_table import MemoryTable

SHOP = Actor(kind=ActorKind.OPS, id="shop")
CUSTOMER = Actor(kind=ActorKind.CUSTOMER, id="cust-lucia")
INDEXES = Indexes(
    orders_by_customer="OrdersByCustomer",
    cases_by_customer="CasesByCustomer",
    case_queue="CaseQueue",
    orders_awaiting_milestone="OrdersAwaitingMilestone",
)
SHARDS = 4


@pytest.fixture(params=["memory", "moto"])
def store(request: pytest.FixtureRequest) -> Iterator[DynamoOrderStore]:
    if request.param == "memory":
        yield DynamoOrderStore(
            MemoryTable.from_template(), INDEXES, due_shards=SHARDS, queue_shards=SHARDS
        )
        return
    dynamodb_transactions.install()
    with mock_aws():
        client = boto3.client("dynamodb", region_name="eu-west-1")
        names = {name: name for name in resources("AWS::DynamoDB::Table")}
        for create in create_table_requests(names):
            client.create_table(**create)
        yield DynamoOrderStore(
            DynamoTable(client, "OrdersTable"), INDEXES, due_shards=SHARDS, queue_shards=SHARDS
        )


def change(actor: Actor = SHOP, at: Any = T0) -> Changeset:
    return Changeset(RequestContext.fresh(actor), at)


def created(store: DynamoOrderStore, status: OrderStatus = OrderStatus.PAID, **fields: Any) -> Any:
    write = change()
    order = write.create_order(order_in(status, **fields))
    store.commit(write)
    return order


def a_case(
    order: Any, action: HelpAction = HelpAction.PAYMENT_ISSUE, case_id: str = "CS-1"
) -> Case:
    return new_case(
        case_id=case_id,
        number=10000 + int(case_id.removeprefix("CS-")),
        order_id=order.order_id,
        customer_id=order.customer_id,
        action=action,
        now=T0,
        opened_by=OpenedBy.CUSTOMER,
        policy=CasePolicy(),
    )


def message(body: str = "Hola") -> CaseMessage:
    return CaseMessage(
        message_id=f"MSG-{abs(hash(body))}", at=T0, author=Author.CUSTOMER, body=body
    )


# --- orders ---------------------------------------------------------------------------------------


def test_an_order_is_created_once(store: DynamoOrderStore) -> None:
    order = created(store)
    record = store.load(order.order_id)
    assert record is not None
    assert record.order == order
    assert [entry.event for entry in record.history] == ["create"]

    with pytest.raises(OrderAlreadyExists):
        created(store)


def test_a_change_on_a_stale_version_is_refused_and_writes_nothing(store: DynamoOrderStore) -> None:
    order = created(store, OrderStatus.PAID)
    first = change()
    first.change_order(order, order.model_copy(update={"tax": order.tax}), "revise_estimate")
    store.commit(first)

    stale = change()
    stale.change_order(order, order, "revise_estimate")
    with pytest.raises(ConcurrentUpdate):
        store.commit(stale)
    record = store.load(order.order_id)
    assert record is not None
    assert record.order.version == order.version + 1
    assert len(record.history) == 2


def test_a_note_holds_only_while_what_its_guard_read_is_unchanged(store: DynamoOrderStore) -> None:
    order = created(store, OrderStatus.PAID)
    note = change(CUSTOMER)
    note.note_on_order(order, "customs_duties", {}, ("status", "estimated_ship_by"))
    store.commit(note)

    moved = change()
    revised = order.model_copy(
        update={"estimated_ship_by": order.estimated_ship_by + timedelta(days=1)}
    )
    moved.change_order(order, revised, "revise_estimate")
    store.commit(moved)

    late = change(CUSTOMER)
    late.note_on_order(order, "shipping_delay", {}, ("status", "estimated_ship_by"))
    with pytest.raises(ConcurrentUpdate):
        store.commit(late)
    # A note that read only the status still holds: the status did not change.
    still = change(CUSTOMER)
    still.note_on_order(order, "customs_duties", {}, ("status",))
    store.commit(still)
    record = store.load(order.order_id)
    assert record is not None
    assert [(e.event, e.changed, e.version) for e in record.history] == [
        ("create", True, 1),
        ("customs_duties", False, 1),
        ("customs_duties", False, 1),
        ("revise_estimate", True, 2),
    ]


def test_the_same_token_twice_applies_once(store: DynamoOrderStore) -> None:
    order = created(store, OrderStatus.PAID)
    write = change(CUSTOMER)
    write.note_on_order(order, "customs_duties", {}, ("status",))
    store.commit(write)
    store.commit(write)  # the SDK's retry of a transaction already applied

    record = store.load(order.order_id)
    assert record is not None
    assert [entry.event for entry in record.history] == ["create", "customs_duties"]


def test_a_failed_condition_anywhere_writes_nothing_at_all(store: DynamoOrderStore) -> None:
    order = created(store, OrderStatus.PAID)
    first = change(CUSTOMER)
    first.open_case(a_case(order), message())
    store.commit(first)
    before = store.load(order.order_id)

    both = change(CUSTOMER)
    both.change_order(order, order.model_copy(update={"cancel_reason": None}), "revise_estimate")
    both.open_case(a_case(order, case_id="CS-2"), message("again"))  # the slot is taken
    with pytest.raises(ConcurrentUpdate):
        store.commit(both)
    assert store.load(order.order_id) == before
    assert store.get_case("CS-2") is None


# --- cases ----------------------------------------------------------------------------------------


def test_a_case_takes_the_slot_until_it_closes(store: DynamoOrderStore) -> None:
    order = created(store, OrderStatus.PAID)
    opening = change(CUSTOMER)
    case = opening.open_case(a_case(order), message())
    store.commit(opening)
    record = store.load(order.order_id)
    assert record is not None
    assert record.open_cases == {HelpAction.PAYMENT_ISSUE: case.case_id}

    taken = change(CUSTOMER)
    taken.open_case(a_case(order, case_id="CS-2"), message("two"))
    with pytest.raises(ConcurrentUpdate):
        store.commit(taken)

    steps = [("assign", {"agent": "agent-ana"}), ("solve", {"resolution": "ok"})]
    for event, data in steps:
        step = change()
        after = apply_case_event(case, event, now=T0, **data)
        case = step.change_case(case, after, event)
        store.commit(step)
    closing = change()
    later = T0 + timedelta(days=30)
    closed = apply_case_event(case, "close", now=later, close_after=timedelta(days=4))
    closing.change_case(case, closed, "close")
    store.commit(closing)
    record = store.load(order.order_id)
    assert record is not None
    assert record.open_cases == {}


def test_a_case_is_found_by_its_number_which_no_other_case_can_take(
    store: DynamoOrderStore,
) -> None:
    # Given a case opened with its number
    order = created(store, OrderStatus.PAID)
    opening = change(CUSTOMER)
    case = opening.open_case(a_case(order), message())
    store.commit(opening)
    assert store.case_by_number(case.number) == case
    assert store.case_by_number(case.number + 1) is None

    # When another case opens with the same number
    clash = change(CUSTOMER)
    same_number = a_case(order, HelpAction.CUSTOMS_DUTIES, case_id="CS-2").model_copy(
        update={"number": case.number}
    )
    clash.open_case(same_number, message("x"))

    # Then the opening is refused as a whole, and the number still finds the first case
    with pytest.raises(ClaimTaken) as taken:
        store.commit(clash)
    assert (taken.value.kind, taken.value.value) == (CASE_NUMBER, str(case.number))
    assert store.get_case("CS-2") is None
    record = store.load(order.order_id)
    assert record is not None
    assert [c.case_id for c in record.cases] == [case.case_id]
    assert store.case_by_number(case.number) == case


def test_a_case_change_on_a_stale_version_is_refused(store: DynamoOrderStore) -> None:
    order = created(store, OrderStatus.PAID)
    opening = change(CUSTOMER)
    case = opening.open_case(a_case(order), message())
    store.commit(opening)
    first = change()
    first.change_case(case, apply_case_event(case, "internal_note", now=T0), "internal_note")
    store.commit(first)

    stale = change()
    stale.change_case(case, apply_case_event(case, "internal_note", now=T0), "internal_note")
    with pytest.raises(ConcurrentUpdate):
        store.commit(stale)


def test_a_conversation_is_read_newest_page_first_then_older_pages(store: DynamoOrderStore) -> None:
    order = created(store, OrderStatus.PAID)
    opening = change(CUSTOMER)
    case = opening.open_case(a_case(order), message("0"))
    store.commit(opening)
    for n in range(1, 25):
        step = change(CUSTOMER)
        after = apply_case_event(case, "customer_reply", now=T0)
        case = step.change_case(case, after, "customer_reply", message(str(n)))
        store.commit(step)

    page = store.load_case(case.case_id, 10)
    assert page is not None
    assert page.case == case
    assert [m.body for m in page.messages] == [str(n) for n in range(15, 25)]
    bodies = [m.body for m in page.messages]
    while page.older is not None:
        page = store.load_case(case.case_id, 10, page.older)
        assert page is not None
        bodies[:0] = [m.body for m in page.messages]
    assert bodies == [str(n) for n in range(25)]
    newest = store.load_case(case.case_id, 10)
    assert newest is not None
    assert newest.older is not None
    # A cursor is for its own case; for another customer's case, the case is simply not found.
    other = change(CUSTOMER)
    other.open_case(a_case(order, HelpAction.CUSTOMS_DUTIES, case_id="CS-2"), message("x"))
    store.commit(other)
    with pytest.raises(InvalidCursor):
        store.load_case("CS-2", 10, newest.older)
    assert store.load_case("CS-2", 10, newest.older, owner="cust-marta") is None


def test_the_queue_merges_its_shards_in_exact_order(store: DynamoOrderStore) -> None:
    order = created(store, OrderStatus.PAID)
    expected = []
    for n, action in enumerate(HelpAction):
        opening = change(CUSTOMER, T0 + timedelta(minutes=n))
        case = a_case(order, action, case_id=f"CS-{n:02d}").model_copy(
            update={"first_response_due_at": T0 + timedelta(hours=100 - n)}
        )
        expected.append(opening.open_case(case, message(str(n))))
        store.commit(opening)
    expected.sort(key=lambda case: case.first_response_due_at)

    listed: list[Case] = []
    cursor = None
    while True:
        page, cursor = store.list_queue(CaseStatus.OPEN, 3, cursor)
        listed += page
        if cursor is None:
            break
    assert [c.case_id for c in listed] == [c.case_id for c in expected]
    mine, _ = store.list_cases_for_customer("cust-lucia", 100, None)
    assert {c.case_id for c in mine} == {c.case_id for c in expected}


def test_a_customers_orders_come_newest_first_a_page_at_a_time(store: DynamoOrderStore) -> None:
    for n in range(5):
        write = change()
        write.create_order(a_new_order(f"ORD-{n}", placed_at=T0 + timedelta(hours=n)))
        store.commit(write)
    rows, cursor = store.list_for_customer("cust-lucia", 2, None)
    seen = [row["order_id"] for row in rows]
    while cursor:
        rows, cursor = store.list_for_customer("cust-lucia", 2, cursor)
        seen += [row["order_id"] for row in rows]
    assert seen == ["ORD-4", "ORD-3", "ORD-2", "ORD-1", "ORD-0"]
    # The list shows what the index projects: the template's projection, nothing more.
    first, _ = store.list_for_customer("cust-lucia", 1, None)
    assert "shipping_address" not in first[0]


def test_a_status_filtered_list_reads_a_bounded_number_of_items_per_page(
    store: DynamoOrderStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given 9 orders, newest first: every third one is paid
    monkeypatch.setattr(order_store, "FILTERED_PAGE", 2)
    monkeypatch.setattr(order_store, "FILTERED_READ_LIMIT", 4)
    for n in range(9):
        status = OrderStatus.PAID if n % 3 == 0 else OrderStatus.CREATED
        write = change()
        order = order_in(status, order_id=f"ORD-{n}", placed_at=T0 + timedelta(hours=n))
        write.create_order(order)
        store.commit(write)

    # When the paid ones are listed two at a time, reading at most 4 index items per page
    pages = []
    cursor = None
    while True:
        rows, cursor = store.list_for_customer("cust-lucia", 2, cursor, OrderStatus.PAID)
        pages.append([row["order_id"] for row in rows])
        if cursor is None:
            break

    # Then a page ends where its reads did, and the next goes on from there: none is missed
    assert pages == [["ORD-6"], ["ORD-3"], ["ORD-0"]]
    # and without a filter the same cursor means nothing (it is bound to its filter)
    _, paid_cursor = store.list_for_customer("cust-lucia", 1, None, OrderStatus.PAID)
    assert paid_cursor is not None
    with pytest.raises(InvalidCursor):
        store.list_for_customer("cust-lucia", 1, paid_cursor)


def test_due_orders_are_the_paid_and_shipped_orders_past_their_deadline(
    store: DynamoOrderStore,
) -> None:
    paid = created(store, OrderStatus.PAID, order_id="ORD-P")
    created(store, OrderStatus.DELIVERED, order_id="ORD-D")
    deadline = paid.next_delay_deadline()
    found = {
        order.order_id
        for shard in range(SHARDS)
        for page in store.due_orders(shard, deadline + timedelta(seconds=1), 10)
        for order in page.orders
    }
    assert found == {"ORD-P"}
    on_time = {
        order.order_id
        for shard in range(SHARDS)
        for page in store.due_orders(shard, deadline, 10)
        for order in page.orders
    }
    assert on_time == set()


# --- records of their own, and claims -------------------------------------------------------------


class Note(BaseModel):
    """A record kind of the test's own, laid out in the order's partition."""

    order_id: str
    note_id: str
    text: str
    version: int = 0


@pytest.fixture
def notes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(
        store_keys.RECORD_KEYS,
        Note,
        lambda note: {"pk": store_keys.order_pk(note.order_id), "sk": f"NOTE#{note.note_id}"},
    )


@pytest.mark.usefixtures("notes")
def test_a_record_is_new_once_then_changes_a_version_at_a_time(store: DynamoOrderStore) -> None:
    first = change()
    note = first.put_record(Note(order_id="ORD-1", note_id="N1", text="a"))
    store.commit(first)
    assert note.version == 1

    again = change()
    again.put_record(Note(order_id="ORD-1", note_id="N1", text="b"))
    with pytest.raises(ConcurrentUpdate):
        store.commit(again)

    second = change()
    changed = second.put_record(note.model_copy(update={"text": "b"}), before=note)
    store.commit(second)
    stale = change()
    stale.put_record(note.model_copy(update={"text": "c"}), before=note)
    with pytest.raises(ConcurrentUpdate):
        store.commit(stale)
    assert changed.version == 2


def test_a_claimed_value_has_one_owner_until_released(store: DynamoOrderStore) -> None:
    mine = change()
    mine.claim("case-number", "48213", "CS-1")
    store.commit(mine)

    theirs = change()
    theirs.claim("case-number", "48213", "CS-2")
    with pytest.raises(ClaimTaken) as taken:
        store.commit(theirs)
    assert (taken.value.kind, taken.value.value) == ("case-number", "48213")

    not_theirs = change()
    not_theirs.release("case-number", "48213", "CS-2")
    with pytest.raises(ConcurrentUpdate):
        store.commit(not_theirs)
    released = change()
    released.release("case-number", "48213", "CS-1")
    store.commit(released)
    store.commit(theirs.__class__(RequestContext.fresh(SHOP), T0, claims=theirs.claims))
