"""`OrderLifecycle`: what each event records, what it refuses, and the help actions that change
the order."""

from datetime import datetime, timedelta
from typing import Any

import pytest

from lifecycle.actions import HelpAction, Reason
from lifecycle.errors import ActionUnavailable, EventNotAllowed, InvalidHelpRequest, InvalidOrder
from lifecycle.help import (
    CATALOGUE,
    CancelOrderRequest,
    ChangeAddressRequest,
    ItemProblemRequest,
    ItemRef,
    MessageRequest,
    ReturnRequest,
    parse_help_request,
    use_help_action,
)
from lifecycle.order import (
    CancellationDetails,
    DeliveryDetails,
    EstimateRevision,
    Order,
    OrderStatus,
    PaymentDetails,
    ShipmentDetails,
)
from lifecycle.order_lifecycle import (
    DELAY_EVENTS,
    LIFECYCLE_EVENTS,
    SHOP_EVENTS,
    TERMINAL_STATES,
    OrderLifecycle,
    apply_event,
    fields_read_by,
    source_states,
    transitions_of,
)
from lifecycle.policy import Policy
from lifecycle.text import MESSAGE_MAX_LENGTH
from statemachine import State
from tests.builders import T0, a_new_order, an_address, order_in

DETAILS = {
    "pay": {
        "details": PaymentDetails(payment_ref="P", estimated_ship_by=T0 + timedelta(days=9)),
        "policy": Policy(),
    },
    "ship": {
        "details": ShipmentDetails(
            carrier="UPS", tracking_number="1Z", estimated_delivery_by=T0 + timedelta(days=9)
        )
    },
    "deliver": {"details": DeliveryDetails()},
    "cancel": {"details": CancellationDetails(reason="fraud check failed")},
}


def test_the_machine_has_the_five_states_and_every_help_action_as_an_event() -> None:
    assert {state.value for state in OrderLifecycle.states} == set(OrderStatus)
    events = {event.id for event in OrderLifecycle.events}
    assert events == set(SHOP_EVENTS) | set(DELAY_EVENTS) | set(HelpAction)
    assert set(CATALOGUE) == set(HelpAction)


def test_a_new_machine_starts_created() -> None:
    machine = OrderLifecycle(a_new_order())
    assert machine.order.status is OrderStatus.CREATED


def test_pay_records_the_payment_and_snapshots_the_policy() -> None:
    policy = Policy(return_window_days=60, claim_window_days=10, delay_grace_hours=12)
    paid_at = T0 + timedelta(hours=2)
    order = apply_event(
        a_new_order(),
        "pay",
        now=paid_at,
        details=PaymentDetails(payment_ref="PAY-1", estimated_ship_by=T0 + timedelta(days=3)),
        policy=policy,
    )
    assert order.status is OrderStatus.PAID
    assert (order.paid_at, order.payment_ref, order.policy) == (paid_at, "PAY-1", policy)


def test_later_policy_changes_do_not_reach_orders_already_paid() -> None:
    generous = Policy(return_window_days=60)
    delivered = order_in(OrderStatus.DELIVERED, policy=generous)
    assert delivered.delivered_at is not None
    day_45 = delivered.delivered_at + timedelta(days=45)
    # The shop now runs a 30-day policy; this order keeps the 60 days it was sold with.
    assert delivered.return_window_is_open(day_45)
    assert delivered.policy == generous


def test_backfilled_times_are_kept_and_checked() -> None:
    paid = order_in(OrderStatus.PAID)
    late_report = T0 + timedelta(days=30)
    shipped_at = T0 + timedelta(days=1)
    shipped = apply_event(
        paid,
        "ship",
        now=late_report,
        details=ShipmentDetails(
            carrier="DHL",
            tracking_number="JD1",
            shipped_at=shipped_at,
            estimated_delivery_by=T0 + timedelta(days=5),
        ),
    )
    assert shipped.shipped_at == shipped_at
    with pytest.raises(InvalidOrder) as invalid:
        apply_event(
            paid,
            "ship",
            now=late_report,
            details=ShipmentDetails(
                carrier="DHL",
                tracking_number="JD1",
                shipped_at=T0,
                estimated_delivery_by=T0 + timedelta(days=5),
            ),
        )
    paid_at = paid.paid_at
    assert paid_at is not None
    message = f"shipped_at ({T0.isoformat()}) must be at or after paid_at ({paid_at.isoformat()})"
    assert invalid.value.errors == [
        {
            "loc": [],
            "msg": f"Value error, {message}",
            "type": "value_error",
            "ctx": {"rule": "not_before", "later": "shipped_at", "earlier": "paid_at"},
        }
    ]
    assert str(invalid.value) == f"order: Value error, {message}"


@pytest.mark.parametrize("status", sorted(TERMINAL_STATES))
@pytest.mark.parametrize("event", LIFECYCLE_EVENTS)
def test_terminal_states_accept_no_lifecycle_event(status: OrderStatus, event: str) -> None:
    order = order_in(status)
    with pytest.raises(EventNotAllowed) as refused:
        apply_event(order, event, now=T0 + timedelta(days=20), **DETAILS[event])
    assert (refused.value.event, refused.value.state) == (event, status)
    assert f"event '{event}' is not allowed when the order is '{status}'" in str(refused.value)


def test_events_out_of_order_name_the_event_and_the_state() -> None:
    with pytest.raises(
        EventNotAllowed, match="event 'ship' is not allowed when the order is 'created'"
    ):
        apply_event(a_new_order(), "ship", now=T0, **DETAILS["ship"])


def test_apply_event_never_changes_the_order_it_is_given() -> None:
    order = a_new_order()
    before = order.model_dump()
    apply_event(order, "cancel", now=T0, **DETAILS["cancel"])
    assert order.model_dump() == before


def test_help_actions_keep_the_state_unless_they_cancel() -> None:
    for action in HelpAction:
        targets = {
            t.target.value
            for status in source_states(action)
            for t in OrderLifecycle.states_map[status].transitions
            if t.match(action)
        }
        expected = (
            {OrderStatus.CANCELLED}
            if action is HelpAction.CANCEL_ORDER
            else set(source_states(action))
        )
        assert targets == expected, action


def test_cancel_order_cancels_and_marks_the_refund_due_when_paid() -> None:
    now = T0 + timedelta(hours=5)
    paid = use_help_action(
        order_in(OrderStatus.PAID),
        HelpAction.CANCEL_ORDER,
        CancelOrderRequest(reason="duplicate"),
        now,
    )
    assert (paid.status, paid.cancelled_at, paid.cancel_reason, paid.refund_due) == (
        OrderStatus.CANCELLED,
        now,
        "duplicate",
        True,
    )
    unpaid = use_help_action(a_new_order(), HelpAction.CANCEL_ORDER, CancelOrderRequest(), now)
    assert unpaid.status is OrderStatus.CANCELLED
    assert unpaid.refund_due is False
    # A customer need not say why: no reason is recorded, not an empty one.
    assert unpaid.cancel_reason is None


def test_change_address_replaces_the_shipping_address() -> None:
    new_address = an_address(name="Lucía F.", line1="Gran Vía 1", postal_code="28013")
    order = use_help_action(
        order_in(OrderStatus.PAID),
        HelpAction.CHANGE_ADDRESS,
        ChangeAddressRequest(address=new_address),
        T0 + timedelta(hours=2),
    )
    assert order.shipping_address == new_address
    assert order.status is OrderStatus.PAID


def test_an_unavailable_action_is_refused_with_the_catalogue_reason() -> None:
    shipped = order_in(OrderStatus.SHIPPED)
    with pytest.raises(ActionUnavailable) as refused:
        use_help_action(
            shipped,
            HelpAction.CHANGE_ADDRESS,
            ChangeAddressRequest(address=an_address()),
            T0 + timedelta(days=2),
            "es",
        )
    assert refused.value.availability.reason is Reason.ALREADY_SHIPPED
    assert refused.value.availability.available_until == shipped.shipped_at
    assert "se envió el 3 de marzo de 2026" in refused.value.availability.message


@pytest.mark.parametrize(
    ("items", "message"),
    [
        ([{"sku": "NOPE", "quantity": 1}], "sku 'NOPE' is not on this order"),
        ([{"sku": "BULB-E27", "quantity": 5}], "only 4 of 'BULB-E27' were ordered"),
        (
            [{"sku": "LAMP-01", "quantity": 1}, {"sku": "LAMP-01", "quantity": 1}],
            "sku 'LAMP-01' is listed twice",
        ),
    ],
)
def test_items_must_be_on_the_order(items: list[dict[str, object]], message: str) -> None:
    shipped = order_in(OrderStatus.SHIPPED)
    request = ReturnRequest.model_validate({"items": items, "message": "No me convence"})
    with pytest.raises(InvalidHelpRequest, match=message):
        use_help_action(shipped, HelpAction.RETURN_REQUEST, request, T0 + timedelta(days=2))


def test_each_action_validates_its_own_body() -> None:
    problem = parse_help_request(
        HelpAction.ITEM_PROBLEM,
        {
            "problem": "damaged",
            "items": [{"sku": "LAMP-01", "quantity": 1}],
            "message": "Llegó rota 💔",
        },
    )
    assert isinstance(problem, ItemProblemRequest)
    assert problem.message == "Llegó rota 💔"
    assert isinstance(
        parse_help_request(HelpAction.PAYMENT_ISSUE, {"message": "¿Y el recibo?"}), MessageRequest
    )
    for body in (
        {},
        {"message": ""},
        {"message": "   "},
        {"message": "x" * (MESSAGE_MAX_LENGTH + 1)},
        {"message": "hi", "extra": 1},
    ):
        with pytest.raises(InvalidHelpRequest):
            parse_help_request(HelpAction.PAYMENT_ISSUE, body)
    with pytest.raises(
        InvalidHelpRequest, match="Input should be 'missing', 'incorrect', 'lost' or 'damaged'"
    ):
        parse_help_request(
            HelpAction.ITEM_PROBLEM,
            {"problem": "late", "items": [{"sku": "A", "quantity": 1}], "message": "x"},
        )


class WatchedOrderLifecycle(OrderLifecycle):
    """The machine, noting every state it leaves and enters."""

    def __init__(self, order: Order) -> None:
        self.moves: list[tuple[str, OrderStatus]] = []
        super().__init__(order)

    def on_exit_state(self, source: State) -> None:
        self.moves.append(("exit", source.value))

    def on_enter_state(self, target: State) -> None:
        self.moves.append(("enter", target.value))


def a_moment_every_guard_of(order: Order) -> datetime:
    """A time at which every guard of the order's state holds (late, and inside its windows)."""
    deadline = {
        OrderStatus.PAID: order.shipping_late_after(),
        OrderStatus.SHIPPED: order.delivery_late_after(),
    }.get(order.status)
    entered = order.entered_at(order.status)
    assert entered is not None
    return deadline + timedelta(seconds=1) if deadline else entered


def event_data(event: str, order: Order) -> dict[str, Any]:
    item = [ItemRef(sku="LAMP-01", quantity=1)]
    revision = (
        EstimateRevision(estimated_ship_by=T0 + timedelta(days=20))
        if order.status is OrderStatus.PAID
        else EstimateRevision(estimated_delivery_by=T0 + timedelta(days=20))
    )
    return {
        HelpAction.CHANGE_ADDRESS: {"request": ChangeAddressRequest(address=an_address())},
        HelpAction.RETURN_REQUEST: {"request": ReturnRequest(items=item, message="grande")},
        HelpAction.ITEM_PROBLEM: {
            "request": ItemProblemRequest(problem="lost", items=item, message="no llegó")
        },
        HelpAction.CANCEL_ORDER: {"request": CancelOrderRequest()},
        "revise_estimate": {"details": revision},
        "record_shipping_delay": {},
        "record_delivery_delay": {},
    }.get(event, {"request": MessageRequest(message="hola")})


SELF_TRANSITIONS = [
    (event.id, status)
    for event in OrderLifecycle.events
    for status in OrderStatus
    for transition in transitions_of(event.id, status)
    if transition.target is transition.source
]


@pytest.mark.parametrize(("event", "status"), SELF_TRANSITIONS)
def test_an_event_that_keeps_the_state_never_leaves_it(event: str, status: OrderStatus) -> None:
    # Given an order in `status` at a moment its guards hold
    order = order_in(status)
    machine = WatchedOrderLifecycle(order.model_copy(deep=True))
    # When the event fires
    machine.send(event, now=a_moment_every_guard_of(order), **event_data(event, order))
    # Then the order neither left nor re-entered its state (no state entry or exit action runs)
    assert machine.moves == []
    assert machine.order.status is status


def test_cancelling_leaves_the_state_for_cancelled() -> None:
    order = order_in(OrderStatus.PAID)
    machine = WatchedOrderLifecycle(order.model_copy(deep=True))
    machine.send("cancel_order", now=T0 + timedelta(hours=2), request=CancelOrderRequest())
    assert machine.moves == [("exit", OrderStatus.PAID), ("enter", OrderStatus.CANCELLED)]


LATER = T0 + timedelta(days=20)
# (event, from state, its data, what the order records; None stands for `now`)
RECORDED: list[tuple[str, OrderStatus, dict[str, Any], dict[str, Any]]] = [
    (
        "pay",
        OrderStatus.CREATED,
        {"details": PaymentDetails(payment_ref="PAY-2", estimated_ship_by=LATER)},
        {"paid_at": None, "payment_ref": "PAY-2", "estimated_ship_by": LATER},
    ),
    (
        "pay",
        OrderStatus.CREATED,
        {
            "details": PaymentDetails(
                payment_ref="PAY-3", paid_at=T0 + timedelta(minutes=5), estimated_ship_by=LATER
            )
        },
        {"paid_at": T0 + timedelta(minutes=5), "payment_ref": "PAY-3"},
    ),
    (
        "ship",
        OrderStatus.PAID,
        {
            "details": ShipmentDetails(
                carrier="GLS", tracking_number="G1", estimated_delivery_by=LATER
            )
        },
        {
            "shipped_at": None,
            "carrier": "GLS",
            "tracking_number": "G1",
            "estimated_delivery_by": LATER,
        },
    ),
    (
        "deliver",
        OrderStatus.SHIPPED,
        {"details": DeliveryDetails()},
        {"delivered_at": None},
    ),
    (
        "deliver",
        OrderStatus.SHIPPED,
        {"details": DeliveryDetails(delivered_at=T0 + timedelta(days=2))},
        {"delivered_at": T0 + timedelta(days=2)},
    ),
    (
        "cancel",
        OrderStatus.PAID,
        {"details": CancellationDetails(reason="  sin stock ")},
        {"cancelled_at": None, "cancel_reason": "sin stock", "refund_due": True},
    ),
    (
        "cancel",
        OrderStatus.CREATED,
        {"details": CancellationDetails(reason="fraude")},
        {"cancelled_at": None, "cancel_reason": "fraude", "refund_due": False},
    ),
]


@pytest.mark.parametrize(("event", "status", "data", "recorded"), RECORDED)
def test_each_shop_event_records_what_it_says(
    event: str, status: OrderStatus, data: dict[str, Any], recorded: dict[str, Any]
) -> None:
    now = T0 + timedelta(days=10)
    order = apply_event(order_in(status), event, now=now, policy=Policy(), **data)
    expected = {name: now if value is None else value for name, value in recorded.items()}
    assert {name: getattr(order, name) for name in recorded} == expected


# --- what deciding a help action reads of the order -----------------------------------------------


@pytest.mark.parametrize(
    ("event", "status", "reads"),
    [
        ("payment_issue", OrderStatus.CREATED, ("status",)),
        ("payment_issue", OrderStatus.CANCELLED, ("status",)),
        ("customs_duties", OrderStatus.PAID, ("status",)),
        ("shipping_delay", OrderStatus.PAID, ("status", "estimated_ship_by")),
        ("delivery_delay", OrderStatus.SHIPPED, ("status", "estimated_delivery_by")),
        ("return_request", OrderStatus.SHIPPED, ("status",)),
        ("return_request", OrderStatus.DELIVERED, ("status", "delivered_at")),
        ("item_problem", OrderStatus.DELIVERED, ("status", "delivered_at")),
    ],
)
def test_a_help_action_is_conditioned_on_the_fields_its_guards_read(
    event: str, status: OrderStatus, reads: tuple[str, ...]
) -> None:
    assert fields_read_by(event, status) == reads


@pytest.mark.parametrize("action", [a for a, spec in CATALOGUE.items() if not spec.changes_order])
def test_a_help_action_that_changes_nothing_has_no_effect_to_fire(action: HelpAction) -> None:
    # A help request that changes nothing is decided on the machine without firing it (and
    # without copying the order): that holds only while the action has no effect of its own.
    hooks = [f"{when}_{action}" for when in ("on", "before", "after", "enter", "exit")]
    assert not [hook for hook in hooks if hasattr(OrderLifecycle, hook)]
    assert all(t.internal for status in OrderStatus for t in transitions_of(action, status)), (
        "it leaves the order in its state"
    )
