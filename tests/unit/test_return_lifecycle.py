"""`ReturnLifecycle`: every state × event × guard, and what each step records."""

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError

from lifecycle.errors import EventNotAllowed, InvalidReturn
from lifecycle.order import OrderStatus
from lifecycle.policy import Policy, ReturnShippingPayer
from lifecycle.returns import (
    RETURN_EVENTS,
    ItemCondition,
    ReceivedItem,
    Resolution,
    Return,
    ReturnItem,
    ReturnLifecycle,
    ReturnStatus,
    apply_return_event,
    check_receipt,
    check_returnable,
    enabled_return_events,
    everything_came_back_for_refund,
    held_by,
    items_returnable,
    new_return,
    order_of_return,
    return_id_for,
    return_refund_amount,
    returnable,
)
from tests.builders import order_in
from tests.unit.returns_builders import DELIVERED, REQUESTED_AT, S, a_return, arrived, two_bulbs

# (state, event, the guard holds) → the state after it; a row not listed is refused.
EXPECTED: dict[tuple[ReturnStatus, str, bool], ReturnStatus] = {
    (S.REQUESTED, "approve", True): S.APPROVED,
    (S.REQUESTED, "reject", True): S.REJECTED,
    (S.APPROVED, "receive", True): S.RECEIVED,
    (S.APPROVED, "expire", True): S.EXPIRED,
    (S.RECEIVED, "refund", True): S.REFUNDED,
    (S.RECEIVED, "replace", True): S.REPLACED,
}
GUARDED = {"receive", "expire", "refund", "replace"}


def fired(record: Return, event: str, guard_holds: bool) -> Return:
    """Fire `event` with data that makes its guard hold, or fail."""
    later = (record.drop_off_by or REQUESTED_AT) + timedelta(days=1)
    data: dict[str, Any] = {
        "approve": {"policy": Policy()},
        "reject": {"reason": "Worn"},
        "receive": {
            "items": arrived(record.items)
            if guard_holds
            else [ReceivedItem(sku="LAMP-01", quantity=1, condition=ItemCondition.OK)]
        },
        "expire": {},
        "refund": {},
        "replace": {},
    }[event]
    now = later if (event != "expire" or guard_holds) else REQUESTED_AT
    if event in ("refund", "replace") and not guard_holds:
        other = Resolution.REPLACEMENT if event == "refund" else Resolution.REFUND
        record = record.model_copy(update={"resolution": other})
    elif event in ("refund", "replace"):
        wanted = Resolution.REFUND if event == "refund" else Resolution.REPLACEMENT
        record = record.model_copy(update={"resolution": wanted})
    return apply_return_event(record, event, now=now, **data)


ROWS = [
    (status, event, holds)
    for status in ReturnStatus
    for event in RETURN_EVENTS
    for holds in ((True, False) if event in GUARDED else (True,))
]


@pytest.mark.parametrize(("status", "event", "guard_holds"), ROWS)
def test_every_state_event_and_guard(status: ReturnStatus, event: str, guard_holds: bool) -> None:
    record = a_return(status)
    expected = EXPECTED.get((status, event, guard_holds))
    if expected is None:
        with pytest.raises(EventNotAllowed) as refused:
            fired(record, event, guard_holds)
        assert (refused.value.subject, refused.value.state, refused.value.event) == (
            "return",
            status,
            event,
        )
        return
    assert fired(record, event, guard_holds).status is expected


def test_the_final_states_are_the_ends() -> None:
    assert {state.value for state in ReturnLifecycle.final_states} == {
        S.REJECTED,
        S.REFUNDED,
        S.REPLACED,
        S.EXPIRED,
    }


def test_a_returns_status_resolution_and_condition_go_on_the_wire_as_lowercase_words() -> None:
    assert [status.value for status in ReturnStatus] == [
        "requested",
        "approved",
        "rejected",
        "received",
        "refunded",
        "replaced",
        "expired",
    ]
    assert [resolution.value for resolution in Resolution] == ["refund", "replacement"]
    assert [condition.value for condition in ItemCondition] == ["ok", "damaged"]


@pytest.mark.parametrize("status", list(ReturnStatus))
def test_a_returns_status_is_dumped_and_read_back_as_its_wire_value(status: ReturnStatus) -> None:
    dumped = a_return(status).model_dump(mode="json")
    assert dumped["status"] == str(status.value)
    assert Return.model_validate(dumped).status is status


@pytest.mark.parametrize("status", list(ReturnStatus))
def test_what_is_possible_is_what_the_machine_enables(status: ReturnStatus) -> None:
    record = a_return(status)
    now = (record.drop_off_by or REQUESTED_AT) + timedelta(days=1)
    enabled = enabled_return_events(
        record, now, policy=Policy(), reason="x", items=arrived(record.items)
    )
    ends = {Resolution.REFUND: "refund", Resolution.REPLACEMENT: "replace"}
    other_end = {"refund", "replace"} - {ends[record.resolution]}
    assert enabled == {e for (s, e, holds) in EXPECTED if s is status and holds} - other_end


def test_approving_gives_an_rma_and_a_drop_off_deadline_from_the_orders_policy() -> None:
    policy = Policy(return_drop_off_days=10, return_shipping_paid_by=ReturnShippingPayer.CUSTOMER)
    approved = apply_return_event(a_return(), "approve", now=REQUESTED_AT, policy=policy)
    assert approved.rma == "RMA-ORD-1001-R1"
    assert approved.approved_at == REQUESTED_AT
    assert approved.drop_off_by == REQUESTED_AT + timedelta(days=10)
    assert approved.return_shipping_paid_by is ReturnShippingPayer.CUSTOMER


def test_rejecting_keeps_the_reason() -> None:
    rejected = apply_return_event(a_return(), "reject", now=REQUESTED_AT, reason="Worn shoes")
    assert (rejected.reason, rejected.rejected_at) == ("Worn shoes", REQUESTED_AT)


def test_receiving_records_what_arrived_and_in_what_condition() -> None:
    approved = a_return(S.APPROVED)
    items = [ReceivedItem(sku="BULB-E27", quantity=1, condition=ItemCondition.DAMAGED)]
    received = apply_return_event(
        approved, "receive", now=REQUESTED_AT, items=items, refund_id="RF"
    )
    assert received.received_items == items
    assert (received.received_at, received.refund_id) == (REQUESTED_AT, "RF")
    assert received.held() == {"BULB-E27": 1}


def test_an_approved_return_expires_only_after_its_drop_off_deadline() -> None:
    approved = a_return(S.APPROVED)
    assert approved.drop_off_by is not None
    with pytest.raises(EventNotAllowed):
        apply_return_event(approved, "expire", now=approved.drop_off_by)
    expired = apply_return_event(
        approved, "expire", now=approved.drop_off_by + timedelta(microseconds=1)
    )
    assert expired.expired_at == approved.drop_off_by + timedelta(microseconds=1)


def test_refunding_records_when_the_refund_was_issued() -> None:
    at = REQUESTED_AT + timedelta(days=5)
    refunded = apply_return_event(a_return(S.RECEIVED), "refund", now=at)
    assert (refunded.status, refunded.refunded_at, refunded.replaced_at) == (S.REFUNDED, at, None)


def test_replacing_records_when_the_replacement_was_sent() -> None:
    received = a_return(S.RECEIVED, resolution=Resolution.REPLACEMENT)
    at = REQUESTED_AT + timedelta(days=5)
    replaced = apply_return_event(received, "replace", now=at)
    assert (replaced.status, replaced.replaced_at, replaced.refunded_at) == (S.REPLACED, at, None)


def test_a_refused_event_names_the_returns_state_by_its_wire_value() -> None:
    with pytest.raises(EventNotAllowed) as refused:
        apply_return_event(a_return(S.REFUNDED), "approve", now=REQUESTED_AT, policy=Policy())
    assert str(refused.value) == "event 'approve' is not allowed when the return is 'refunded'"


@pytest.mark.parametrize(
    ("items", "fits"),
    [
        ([], False),
        ([("BULB-E27", 2)], True),
        ([("BULB-E27", 1)], True),
        ([("BULB-E27", 3)], False),
        ([("LAMP-01", 1)], False),
        ([("BULB-E27", 1), ("BULB-E27", 1)], False),
    ],
)
def test_a_receipt_fits_when_it_is_the_request_or_part_of_it(
    items: list[tuple[str, int]], fits: bool
) -> None:
    received = [ReceivedItem(sku=s, quantity=q, condition=ItemCondition.OK) for s, q in items]
    assert a_return(S.APPROVED).receipt_fits(received) is fits


@pytest.mark.parametrize(
    ("items", "kind", "loc", "msg", "ctx"),
    [
        (
            [("BULB-E27", 3)],
            "quantity_exceeds_return",
            ("items", 0, "quantity"),
            "the return asked for 2 of 'BULB-E27'",
            {"sku": "BULB-E27", "asked": 2},
        ),
        (
            [("LAMP-01", 1)],
            "sku_not_in_return",
            ("items", 0, "sku"),
            "sku 'LAMP-01' is not in this return",
            {"sku": "LAMP-01"},
        ),
        (
            [("BULB-E27", 1), ("BULB-E27", 1)],
            "duplicate_sku",
            ("items", 1, "sku"),
            "sku 'BULB-E27' is listed twice",
            {"sku": "BULB-E27"},
        ),
    ],
)
def test_a_receipt_that_does_not_fit_says_which_item(
    items: list[tuple[str, int]],
    kind: str,
    loc: tuple[Any, ...],
    msg: str,
    ctx: dict[str, Any],
) -> None:
    received = [ReceivedItem(sku=s, quantity=q, condition=ItemCondition.OK) for s, q in items]
    with pytest.raises(InvalidReturn) as invalid:
        check_receipt(a_return(S.APPROVED), received)
    [error] = invalid.value.errors
    assert (error["type"], error["loc"], error["msg"], error["ctx"]) == (kind, loc, msg, ctx)
    assert str(invalid.value) == msg


def test_a_fitting_receipt_passes_the_check() -> None:
    check_receipt(a_return(S.APPROVED), arrived(two_bulbs()))


# --- the quantity rule ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "held"),
    [
        (S.REQUESTED, {"BULB-E27": 2}),
        (S.APPROVED, {"BULB-E27": 2}),
        (S.REJECTED, {}),
        (S.EXPIRED, {}),
        (S.RECEIVED, {"BULB-E27": 2}),
        (S.REFUNDED, {"BULB-E27": 2}),
        (S.REPLACED, {"BULB-E27": 2}),
    ],
)
def test_a_return_holds_its_items_until_rejected_or_expired(
    status: ReturnStatus, held: dict[str, int]
) -> None:
    assert a_return(status).held() == held


def test_a_received_return_holds_what_arrived_not_what_was_asked() -> None:
    approved = a_return(S.APPROVED)
    one = [ReceivedItem(sku="BULB-E27", quantity=1, condition=ItemCondition.OK)]
    received = apply_return_event(approved, "receive", now=REQUESTED_AT, items=one)
    assert returnable(DELIVERED, [received]) == {"LAMP-01": 1, "BULB-E27": 3}


def test_what_is_returnable_is_delivered_less_what_other_returns_hold() -> None:
    first = a_return(S.APPROVED)
    second = a_return(S.REQUESTED, number=2, items=[ReturnItem(sku="BULB-E27", quantity=1)])
    rejected = a_return(S.REJECTED, number=3, items=[ReturnItem(sku="LAMP-01", quantity=1)])
    returns = [first, second, rejected]
    assert held_by(returns) == {"BULB-E27": 3}
    assert returnable(DELIVERED, returns) == {"LAMP-01": 1, "BULB-E27": 1}
    assert returnable(DELIVERED, returns, besides=first.return_id) == {"LAMP-01": 1, "BULB-E27": 3}


@pytest.mark.parametrize(("quantity", "allowed"), [(0, False), (1, True), (2, True), (3, False)])
def test_a_new_return_asks_only_for_what_is_left(quantity: int, allowed: bool) -> None:
    held = [a_return(S.APPROVED)]  # two of the four bulbs
    items = [ReturnItem.model_construct(sku="BULB-E27", quantity=quantity)]
    assert items_returnable(DELIVERED, held, items) is allowed


def test_a_new_return_for_an_item_not_on_the_order_is_not_returnable() -> None:
    items = [ReturnItem(sku="SOFA-9", quantity=1)]
    assert items_returnable(DELIVERED, [], items) is False


@pytest.mark.parametrize(
    ("items", "kind", "loc", "msg", "ctx"),
    [
        (
            [("BULB-E27", 3)],
            "quantity_exceeds_returnable",
            ("items", 0, "quantity"),
            "only 2 of 'BULB-E27' can still be returned",
            {"sku": "BULB-E27", "returnable": 2},
        ),
        (
            [("SOFA-9", 1)],
            "unknown_sku",
            ("items", 0, "sku"),
            "sku 'SOFA-9' is not on this order",
            {"sku": "SOFA-9"},
        ),
        (
            [("LAMP-01", 1), ("LAMP-01", 1)],
            "duplicate_sku",
            ("items", 1, "sku"),
            "sku 'LAMP-01' is listed twice",
            {"sku": "LAMP-01"},
        ),
    ],
)
def test_a_return_that_asks_too_much_is_refused_naming_the_item(
    items: list[tuple[str, int]],
    kind: str,
    loc: tuple[Any, ...],
    msg: str,
    ctx: dict[str, Any],
) -> None:
    wanted = [ReturnItem(sku=s, quantity=q) for s, q in items]
    with pytest.raises(InvalidReturn) as invalid:
        new_return(
            return_id="ORD-1001-R2",
            order=DELIVERED,
            returns=[a_return(S.APPROVED)],
            items=wanted,
            resolution=Resolution.REFUND,
            now=REQUESTED_AT,
        )
    [error] = invalid.value.errors
    assert (error["type"], error["loc"], error["msg"], error["ctx"]) == (kind, loc, msg, ctx)
    assert str(invalid.value) == msg


def test_check_returnable_passes_for_what_is_left() -> None:
    check_returnable(DELIVERED, [a_return(S.APPROVED)], two_bulbs())


def test_a_new_return_is_requested_with_the_customers_choice() -> None:
    record = new_return(
        return_id="ORD-1001-R1",
        order=DELIVERED,
        returns=[],
        items=two_bulbs(),
        resolution=Resolution.REPLACEMENT,
        now=REQUESTED_AT,
        case_id="CS-9",
    )
    assert (record.status, record.resolution, record.case_id) == (
        S.REQUESTED,
        Resolution.REPLACEMENT,
        "CS-9",
    )
    assert (record.customer_id, record.requested_at, record.version) == (
        "cust-lucia",
        REQUESTED_AT,
        0,
    )


# --- the record ---------------------------------------------------------------------------------


def refused(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The errors of reading `data` as a return: type, loc, msg and ctx (when there is one)."""
    with pytest.raises(ValidationError) as invalid:
        Return.model_validate(data)
    keys = ("type", "loc", "msg", "ctx")
    return [{key: e[key] for key in keys if key in e} for e in invalid.value.errors()]


def with_reason(reason: str) -> dict[str, Any]:
    return {**a_return(S.REJECTED).model_dump(), "reason": reason}


def with_items(count: int) -> dict[str, Any]:
    items = [{"sku": f"SKU-{n}", "quantity": 1} for n in range(count)]
    return {**a_return().model_dump(), "items": items}


def test_a_rejection_reason_is_kept_without_its_surrounding_blanks() -> None:
    rejected = apply_return_event(a_return(), "reject", now=REQUESTED_AT, reason=" Worn shoes\n")
    assert rejected.reason == "Worn shoes"


@pytest.mark.parametrize(
    ("reason", "kept"),
    [
        ("x", "x"),
        ("x" * 500, "x" * 500),
        (" " + "x" * 500 + "\t", "x" * 500),
    ],
)
def test_a_rejection_reason_of_1_to_500_characters_is_accepted(reason: str, kept: str) -> None:
    assert Return.model_validate(with_reason(reason)).reason == kept


@pytest.mark.parametrize(
    ("reason", "error"),
    [
        (
            "",
            {
                "type": "string_too_short",
                "loc": ("reason",),
                "msg": "String should have at least 1 character",
                "ctx": {"min_length": 1},
            },
        ),
        (
            " \n ",
            {
                "type": "string_too_short",
                "loc": ("reason",),
                "msg": "String should have at least 1 character",
                "ctx": {"min_length": 1},
            },
        ),
        (
            "x" * 501,
            {
                "type": "string_too_long",
                "loc": ("reason",),
                "msg": "String should have at most 500 characters",
                "ctx": {"max_length": 500},
            },
        ),
    ],
)
def test_a_rejection_reason_empty_blank_or_over_500_characters_is_refused(
    reason: str, error: dict[str, Any]
) -> None:
    assert refused(with_reason(reason)) == [error]


@pytest.mark.parametrize("count", [1, 200])
def test_a_return_asks_for_1_to_200_items(count: int) -> None:
    assert len(Return.model_validate(with_items(count)).items) == count


@pytest.mark.parametrize(
    ("count", "error"),
    [
        (
            0,
            {
                "type": "too_short",
                "loc": ("items",),
                "msg": "List should have at least 1 item after validation, not 0",
                "ctx": {"field_type": "List", "min_length": 1, "actual_length": 0},
            },
        ),
        (
            201,
            {
                "type": "too_long",
                "loc": ("items",),
                "msg": "List should have at most 200 items after validation, not 201",
                "ctx": {"field_type": "List", "max_length": 200, "actual_length": 201},
            },
        ),
    ],
)
def test_a_return_of_no_items_or_more_than_200_is_refused(
    count: int, error: dict[str, Any]
) -> None:
    assert refused(with_items(count)) == [error]


def test_a_return_without_items_is_refused() -> None:
    data = a_return().model_dump()
    del data["items"]
    assert refused(data) == [{"type": "missing", "loc": ("items",), "msg": "Field required"}]


def test_a_return_that_names_no_resolution_wants_a_refund() -> None:
    data = a_return(resolution=Resolution.REPLACEMENT).model_dump()
    del data["resolution"]
    record = Return.model_validate(data)
    assert record.resolution is Resolution.REFUND
    assert record.wants_refund()


# --- ids ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("return_id", "order_id"),
    [
        ("ORD-1003-R1", "ORD-1003"),
        ("A-R5-R12", "A-R5"),
        ("ORD-1003-R01", None),
        ("ORD-1003-R", None),
        ("-R1", None),
        ("ORD-1003-RF1", None),
        ("ORD-1003", None),
    ],
)
def test_a_return_id_names_its_order(return_id: str, order_id: str | None) -> None:
    assert order_of_return(return_id) == order_id


def test_return_ids_count_the_orders_returns() -> None:
    assert return_id_for("ORD-7", 3) == "ORD-7-R3"
    assert order_of_return(return_id_for("ORD-7", 3)) == "ORD-7"


# --- money ----------------------------------------------------------------------------------------


def received_return(items: list[tuple[str, int]], number: int = 1, **kwargs: Any) -> Return:
    wanted = [ReturnItem(sku=s, quantity=q) for s, q in items]
    return a_return(S.RECEIVED, items=wanted, number=number, **kwargs)


def test_a_partial_return_gives_back_the_items_and_their_share_of_the_tax() -> None:
    # Items 52.90 (39.90 + 4 × 3.25), tax 10.01: two bulbs are 6.50, their tax 6.50/52.90 × 10.01
    record = received_return([("BULB-E27", 2)])
    assert return_refund_amount(DELIVERED, record, [record]) == Decimal("7.73")


def test_the_whole_order_back_gives_the_shipping_too_by_default() -> None:
    record = received_return([("BULB-E27", 4), ("LAMP-01", 1)])
    assert return_refund_amount(DELIVERED, record, [record]) == DELIVERED.total


def test_the_last_return_of_the_order_gives_the_shipping() -> None:
    first = received_return([("BULB-E27", 4)])
    last = received_return([("LAMP-01", 1)], number=2)
    assert everything_came_back_for_refund(DELIVERED, [first, last])
    assert not everything_came_back_for_refund(DELIVERED, [first])
    amount = return_refund_amount(DELIVERED, last, [first, last])
    assert amount == Decimal("39.90") + Decimal("7.55") + DELIVERED.shipping


def test_a_policy_that_keeps_the_shipping_keeps_it_on_a_full_return() -> None:
    order = order_in(OrderStatus.DELIVERED, policy=Policy(refund_shipping_on_full_return=False))
    record = received_return([("BULB-E27", 4), ("LAMP-01", 1)], order=order)
    assert return_refund_amount(order, record, [record]) == order.total - order.shipping


def test_items_replaced_do_not_count_as_back_for_a_refund() -> None:
    replaced = a_return(
        S.REPLACED,
        resolution=Resolution.REPLACEMENT,
        items=[ReturnItem(sku="BULB-E27", quantity=4), ReturnItem(sku="LAMP-01", quantity=1)],
    )
    assert not everything_came_back_for_refund(DELIVERED, [replaced])


def test_an_order_without_tax_gives_back_the_items_alone() -> None:
    order = order_in(OrderStatus.DELIVERED, tax=Decimal(0))
    record = received_return([("BULB-E27", 2)], order=order)
    assert return_refund_amount(order, record, [record]) == Decimal("6.50")
