"""Properties of the rules over random histories: random sequences of lifecycle and help events
at random clocks, under random policies."""

from datetime import datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lifecycle.actions import HelpAction
from lifecycle.errors import ActionUnavailable, EventNotAllowed
from lifecycle.help import (
    CancelOrderRequest,
    ChangeAddressRequest,
    HelpRequest,
    ItemProblemRequest,
    ItemRef,
    MessageRequest,
    ReturnRequest,
    explain,
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
    apply_event,
)
from lifecycle.policy import Policy
from tests.builders import T0, a_new_order, an_address
from tests.unit.design import design_accepts, design_offers, design_refusal

TINY = timedelta(microseconds=1)

policies = st.builds(
    Policy,
    return_window_days=st.integers(0, 60),
    claim_window_days=st.integers(0, 60),
    delay_grace_hours=st.integers(0, 72),
)
# Mostly hours, sometimes weeks: an order lives through its deadlines and windows step by step.
gaps = st.one_of(
    st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=1)),
    st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=45)),
)
estimates = st.timedeltas(min_value=timedelta(seconds=1), max_value=timedelta(days=10))
steps = st.lists(
    st.tuples(gaps, st.sampled_from([*SHOP_EVENTS, *DELAY_EVENTS, *HelpAction]), estimates),
    max_size=12,
)


def lifecycle_data(
    event: str, estimate: timedelta, policy: Policy, now: datetime, order_status: OrderStatus
) -> dict[str, Any]:
    return {
        "pay": {
            "details": PaymentDetails(payment_ref="P", estimated_ship_by=now + estimate),
            "policy": policy,
        },
        "ship": {
            "details": ShipmentDetails(
                carrier="GLS", tracking_number="T", estimated_delivery_by=now + estimate
            )
        },
        "deliver": {"details": DeliveryDetails()},
        "cancel": {"details": CancellationDetails(reason="stock")},
        "revise_estimate": {
            "details": EstimateRevision(estimated_delivery_by=now + estimate)
            if order_status is OrderStatus.SHIPPED
            else EstimateRevision(estimated_ship_by=now + estimate)
        },
    }.get(event, {})


def a_request(action: HelpAction, order: Order) -> HelpRequest:
    items = [ItemRef(sku=order.items[0].sku, quantity=1)]
    return {
        HelpAction.CHANGE_ADDRESS: ChangeAddressRequest(address=an_address(line1="Nueva 3")),
        HelpAction.CANCEL_ORDER: CancelOrderRequest(reason="changed my mind"),
        HelpAction.RETURN_REQUEST: ReturnRequest(items=items, message="too small"),
        HelpAction.ITEM_PROBLEM: ItemProblemRequest(
            problem="damaged", items=items, message="broken"
        ),
    }.get(action, MessageRequest(message="hola"))


def check_invariants(order: Order, now: datetime) -> None:
    # (a) always one of the five states; terminal states take no lifecycle event
    assert order.status in set(OrderStatus)
    if order.status in TERMINAL_STATES:
        for event in LIFECYCLE_EVENTS:
            try:
                apply_event(
                    order,
                    event,
                    now=now,
                    **lifecycle_data(event, TINY, Policy(), now, order.status),
                )
            except EventNotAllowed:
                continue
            raise AssertionError(f"{order.status} accepted {event}")

    # a delay is recorded at most once per deadline, exactly when the design says it is late
    deadline = order.next_delay_deadline()
    for event in DELAY_EVENTS:
        if not design_accepts(order, event, now):
            with pytest.raises(EventNotAllowed) as refused:
                apply_event(order, event, now=now)
            assert (refused.value.event, refused.value.state) == (event, order.status)
            continue
        recorded = apply_event(order, event, now=now)
        assert deadline is not None
        assert now > deadline
        assert recorded.next_delay_deadline() is None
        with pytest.raises(EventNotAllowed):
            apply_event(recorded, event, now=now)

    for entry in explain(order, now):
        request = a_request(entry.action, order)
        # (a') every action is offered exactly when the design says, and refused for its reason
        assert (entry.available, entry.reason) == (
            design_offers(order, entry.action, now),
            design_refusal(order, entry.action, now),
        ), (order.status, entry.action, now)
        # (b) what explain offers fires; what it refuses raises
        if entry.available:
            use_help_action(order, entry.action, request, now)
        else:
            with pytest.raises(ActionUnavailable) as refused:
                use_help_action(order, entry.action, request, now)
            assert refused.value.availability.reason == entry.reason
            with pytest.raises(EventNotAllowed):
                apply_event(order, entry.action, now=now, request=request)
        # (c) a promised opening is in the future, and holds just after it if nothing else happens
        if entry.available_from is not None:
            assert entry.available_from > now
            later = {e.action: e for e in explain(order, entry.available_from + TINY)}
            assert later[entry.action].available


def fire(order: Order, event: str, estimate: timedelta, policy: Policy, now: datetime) -> Order:
    if event in (*SHOP_EVENTS, *DELAY_EVENTS):
        data = lifecycle_data(event, estimate, policy, now, order.status)
        return apply_event(order, event, now=now, **data)
    action = HelpAction(event)
    return use_help_action(order, action, a_request(action, order), now)


@given(policy=policies, history=steps)
def test_random_histories_keep_the_rules(
    policy: Policy, history: list[tuple[timedelta, str, timedelta]]
) -> None:
    order, now = a_new_order(), T0
    check_invariants(order, now)
    for gap, event, estimate in history:
        now += gap
        # The design, not the machine, says whether the event may happen now, and if not, why.
        if design_accepts(order, event, now):
            order = fire(order, event, estimate, policy, now)
        else:
            # A refused event leaves the order as it was, and is refused for the design's reason
            with pytest.raises(EventNotAllowed) as refused:
                fire(order, event, estimate, policy, now)
            assert (refused.value.event, refused.value.state) == (event, order.status)
            if event in set(HelpAction):
                assert isinstance(refused.value, ActionUnavailable)
                why = design_refusal(order, HelpAction(event), now)
                assert refused.value.availability.reason == why
        check_invariants(order, now)
