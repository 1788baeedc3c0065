"""A changeset gives each change its version and log entry, and its transaction a token that the
SDK's retry repeats and a new attempt does not."""

from datetime import timedelta

from lifecycle.actions import HelpAction, Question
from lifecycle.case import Author, CaseStatus, OpenedBy, apply_case_event, new_case
from lifecycle.order import OrderStatus
from lifecycle.policy import CasePolicy
from orderhelp.changes import CASE_NUMBER, TOKEN_LENGTH, Changeset, RequestContext
from orderhelp.records import Actor, ActorKind
from tests.builders import T0, order_in

SHOP = Actor(kind=ActorKind.OPS, id="shop")


def test_an_order_change_takes_the_next_version_and_a_history_entry() -> None:
    order = order_in(OrderStatus.PAID).model_copy(update={"version": 4})
    request = RequestContext.fresh(SHOP)
    change = Changeset(request, T0)
    after, entry = change.change_order(order, order, "revise_estimate", {"why": "late"})
    assert after.version == entry.version == 5
    assert (entry.event, entry.actor, entry.request_id, entry.changed) == (
        "revise_estimate",
        SHOP,
        request.id,
        True,
    )
    assert (entry.from_status, entry.to_status, entry.data) == ("paid", "paid", {"why": "late"})


def test_a_note_takes_no_version_and_is_conditioned_on_what_was_read() -> None:
    order = order_in(OrderStatus.PAID).model_copy(update={"version": 4})
    change = Changeset(RequestContext.fresh(SHOP), T0)
    entry = change.note_on_order(order, "shipping_delay", {}, ("status", "estimated_ship_by"))
    assert (entry.version, entry.changed) == (4, False)
    (note,) = change.orders
    assert note.expected() == {  # type: ignore[union-attr]
        "status": "paid",
        "estimated_ship_by": order.model_dump(mode="json")["estimated_ship_by"],
    }


def test_a_case_opens_at_version_one_and_changes_a_version_at_a_time() -> None:
    case = new_case(
        case_id="CS-1",
        number=48213,
        order_id="ORD-1",
        customer_id="c",
        action=HelpAction.PAYMENT_ISSUE,
        now=T0,
        opened_by=OpenedBy.CUSTOMER,
        policy=CasePolicy(),
    )
    change = Changeset(RequestContext.fresh(SHOP), T0)
    opened = change.open_case(case, None)
    assigned = change.change_case(
        opened, apply_case_event(opened, "assign", now=T0, agent="a"), "assign"
    )
    assert (opened.version, assigned.version) == (1, 2)
    assert [w.activity.version for w in change.cases] == [1, 2]
    assert [w.activity.event for w in change.cases] == ["open", "assign"]
    solved = apply_case_event(assigned, "solve", now=T0, resolution="r")
    closing = Changeset(RequestContext.fresh(SHOP), T0).change_case(
        solved,
        apply_case_event(
            solved, "close", now=T0 + timedelta(days=9), close_after=timedelta(days=4)
        ),
        "close",
    )
    assert closing.status is CaseStatus.CLOSED


def test_the_token_repeats_for_the_same_attempt_only() -> None:
    order = order_in(OrderStatus.PAID)
    request = RequestContext.derived(SHOP, "caller", "POST /ops/orders/ORD-1/pay", "key-1", "{}")

    def token(attempt: int = 0, req: RequestContext = request, version: int = 2) -> str:
        change = Changeset(req, T0, attempt=attempt)
        change.change_order(order.model_copy(update={"version": version}), order, "pay")
        return change.token()

    assert token() == token()
    assert len(token()) <= TOKEN_LENGTH
    assert token(attempt=1) != token()
    assert token(version=3) != token()
    assert token(req=RequestContext.fresh(SHOP)) != token()
    # The same client key and body, the same request: its retry after a 503 is recognised.
    again = RequestContext.derived(SHOP, "caller", "POST /ops/orders/ORD-1/pay", "key-1", "{}")
    assert again.id == request.id
    assert (
        RequestContext.derived(SHOP, "caller", "POST /ops/orders/ORD-1/pay", "key-1", '{"x":1}').id
        != request.id
    )


class RecordedDraws:
    """A number source that says what it was asked for."""

    def __init__(self, number: int) -> None:
        self.number = number
        self.asked: list[tuple[str, int]] = []

    def draw(self, case_id: str, attempt: int = 0) -> int:
        self.asked.append((case_id, attempt))
        return self.number


def test_writing_to_customer_service_opens_a_case_with_its_number_claimed_in_the_same_change() -> (
    None
):
    numbers = RecordedDraws(48213)
    customer = Actor(kind=ActorKind.CUSTOMER, id="c")
    closed = new_case(
        case_id="CS-0",
        number=10007,
        order_id="ORD-1",
        customer_id="c",
        action=HelpAction.RETURN_REQUEST,
        now=T0,
        opened_by=OpenedBy.CUSTOMER,
        policy=CasePolicy(),
    )
    change = Changeset(RequestContext.fresh(customer), T0, attempt=2)
    case, message = change.write_to_customer_service(
        None,
        order_id="ORD-1",
        customer_id="c",
        action=Question.GENERAL,
        author=Author.CUSTOMER,
        body="Can I still send it back?",
        opened_by=OpenedBy.CUSTOMER,
        policy=CasePolicy(),
        numbers=numbers,
        follows=closed,
    )
    assert numbers.asked == [(case.case_id, 2)]  # a new attempt draws anew
    assert (case.number, case.action, case.follows) == (48213, Question.GENERAL, "CS-0")
    assert case.linked_numbers == {"CS-0": 10007}
    assert [(c.kind, c.value, c.owner) for c in change.claims] == [
        (CASE_NUMBER, "48213", case.case_id)
    ]
    (opened,) = change.cases
    assert opened.activity.message == message  # type: ignore[union-attr]

    # Joining the case already open draws and claims nothing
    joining = Changeset(RequestContext.fresh(customer), T0)
    joined, _ = joining.write_to_customer_service(
        case,
        order_id="ORD-1",
        customer_id="c",
        action=Question.GENERAL,
        author=Author.CUSTOMER,
        body="Hello?",
        opened_by=OpenedBy.CUSTOMER,
        policy=CasePolicy(),
        numbers=numbers,
    )
    assert (joined.case_id, joined.number, joined.version) == (case.case_id, 48213, 2)
    assert len(numbers.asked) == 1
    assert joining.claims == []
