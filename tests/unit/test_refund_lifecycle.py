"""`RefundLifecycle`: every state × event × guard, and the money rule."""

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError

from lifecycle.errors import EventNotAllowed, InvalidReturn, RefundExceedsPaid
from lifecycle.order import OrderStatus
from lifecycle.refunds import (
    REFUND_EVENTS,
    Refund,
    RefundLifecycle,
    RefundMethod,
    RefundSource,
    RefundStatus,
    apply_refund_event,
    check_amount,
    new_refund,
    order_of_refund,
    paid,
    refund_fits,
    refund_id_for,
    refund_left,
    refunded,
    with_refund,
)
from tests.builders import a_new_order, order_in
from tests.unit.returns_builders import DELIVERED, REQUESTED_AT, a_refund

R = RefundStatus
EXPECTED: dict[tuple[RefundStatus, str, bool], RefundStatus] = {
    (R.DUE, "issue", True): R.ISSUED,
    (R.DUE, "fail", True): R.FAILED,
    (R.FAILED, "retry", True): R.DUE,
}
GUARDED = {"issue"}
ROWS = [
    (status, event, holds)
    for status in RefundStatus
    for event in REFUND_EVENTS
    for holds in ((True, False) if event in GUARDED else (True,))
]
LATER = REQUESTED_AT + timedelta(days=1)


def data_for(event: str, guard_holds: bool) -> dict[str, Any]:
    return {
        # An issue date before the refund was owed does not hold.
        "issue": {
            "method": RefundMethod.CARD,
            "reference": "RE-9",
            "issued_at": LATER if guard_holds else REQUESTED_AT - timedelta(seconds=1),
        },
        "fail": {"reason": "Card expired"},
        "retry": {},
    }[event]


@pytest.mark.parametrize(("status", "event", "guard_holds"), ROWS)
def test_every_state_event_and_guard(status: RefundStatus, event: str, guard_holds: bool) -> None:
    refund = a_refund(status)
    expected = EXPECTED.get((status, event, guard_holds))
    if expected is None:
        with pytest.raises(EventNotAllowed) as refused:
            apply_refund_event(refund, event, now=LATER, **data_for(event, guard_holds))
        assert (refused.value.subject, refused.value.state) == ("refund", status)
        return
    after = apply_refund_event(refund, event, now=LATER, **data_for(event, guard_holds))
    assert after.status is expected


def test_issued_is_the_only_final_state() -> None:
    assert [state.value for state in RefundLifecycle.final_states] == [R.ISSUED]


@pytest.mark.parametrize(
    ("issued_at", "holds"),
    [
        (REQUESTED_AT - timedelta(microseconds=1), False),
        (REQUESTED_AT, True),
        (LATER, True),
        (LATER + timedelta(microseconds=1), False),
    ],
)
def test_money_goes_back_after_it_was_owed_and_not_in_the_future(
    issued_at: Any, holds: bool
) -> None:
    assert a_refund().issued_after_due(LATER, issued_at) is holds


def test_issuing_records_the_method_reference_and_date() -> None:
    issued = apply_refund_event(
        a_refund(), "issue", now=LATER, method=RefundMethod.PAYPAL, reference="PP-1"
    )
    assert (issued.method, issued.reference, issued.issued_at) == (
        RefundMethod.PAYPAL,
        "PP-1",
        LATER,
    )


def test_a_failure_is_counted_and_a_retry_makes_it_due_again_from_then() -> None:
    failed = apply_refund_event(a_refund(), "fail", now=LATER, reason="Card expired")
    assert (failed.failure_reason, failed.failed_at, failed.failures) == ("Card expired", LATER, 1)
    again = apply_refund_event(failed, "retry", now=LATER + timedelta(hours=1))
    assert (again.status, again.due_since) == (R.DUE, LATER + timedelta(hours=1))
    twice = apply_refund_event(again, "fail", now=LATER + timedelta(hours=2), reason="Again")
    assert twice.failures == 2


# --- the money rule ------------------------------------------------------------------------------


def test_what_was_paid_is_the_total_once_paid_and_nothing_before() -> None:
    assert paid(DELIVERED) == DELIVERED.total == Decimal("67.86")
    assert paid(a_new_order()) == Decimal(0)


def test_every_refund_counts_against_what_was_paid_whatever_its_state() -> None:
    refunds = [a_refund(R.DUE, amount="10.00"), a_refund(R.ISSUED, amount="5.00", number=2)]
    refunds.append(a_refund(R.FAILED, amount="1.00", number=3))
    assert refunded(refunds) == Decimal("16.00")
    assert refund_left(DELIVERED, refunds) == Decimal("51.86")


@pytest.mark.parametrize(
    ("amount", "fits"),
    [("0", False), ("0.01", True), ("57.86", True), ("57.87", False)],
)
def test_a_refund_fits_up_to_what_is_left(amount: str, fits: bool) -> None:
    assert refund_fits(DELIVERED, [a_refund(amount="10.00")], Decimal(amount)) is fits


def test_nothing_is_left_of_an_unpaid_order() -> None:
    assert refund_left(a_new_order(), []) == Decimal("0.00")
    assert not refund_fits(a_new_order(), [], Decimal("0.01"))


def test_an_over_refund_is_refused_naming_what_is_left() -> None:
    with pytest.raises(RefundExceedsPaid) as refused:
        new_refund(
            refund_id="ORD-1001-RF2",
            order=DELIVERED,
            refunds=[a_refund(amount="60.00")],
            source=RefundSource.GOODWILL,
            amount=Decimal("7.87"),
            now=LATER,
        )
    assert (refused.value.left, refused.value.asked, refused.value.currency) == (
        Decimal("7.86"),
        Decimal("7.87"),
        "EUR",
    )


def test_the_last_cent_can_be_refunded() -> None:
    refund = new_refund(
        refund_id="ORD-1001-RF2",
        order=DELIVERED,
        refunds=[a_refund(amount="60.00")],
        source=RefundSource.ITEM_PROBLEM,
        amount=Decimal("7.86"),
        now=LATER,
        case_id="CS-3",
        reason="The lamp arrived broken",
    )
    assert (refund.status, refund.amount, refund.currency) == (R.DUE, Decimal("7.86"), "EUR")
    assert (refund.due_since, refund.created_at, refund.case_id) == (LATER, LATER, "CS-3")
    assert (refund.customer_id, refund.source) == ("cust-lucia", RefundSource.ITEM_PROBLEM)
    assert refund_left(DELIVERED, with_refund([a_refund(amount="60.00")], refund)) == 0


@pytest.mark.parametrize(
    ("amount", "kind"),
    [("0", "greater_than"), ("-1", "greater_than"), ("1.001", "amount_minor_unit")],
)
def test_an_amount_is_positive_and_in_the_currencys_minor_unit(amount: str, kind: str) -> None:
    with pytest.raises(InvalidReturn) as invalid:
        check_amount(DELIVERED, Decimal(amount))
    [error] = invalid.value.errors
    assert (error["type"], error["loc"]) == (kind, ("amount",))


def test_yen_have_no_decimals() -> None:
    order = order_in(OrderStatus.PAID, currency="JPY", shipping=Decimal(500), tax=Decimal(0))
    check_amount(order, Decimal("100"))
    with pytest.raises(InvalidReturn):
        check_amount(order, Decimal("100.5"))


def test_with_refund_replaces_the_earlier_version() -> None:
    due = a_refund()
    issued = apply_refund_event(due, "issue", now=LATER, method="card", reference="R")
    assert with_refund([due], issued) == [issued]


@pytest.mark.parametrize(
    ("refund_id", "order_id"),
    [
        ("ORD-1003-RF1", "ORD-1003"),
        ("X-RF2-RF10", "X-RF2"),
        ("ORD-1003-RF0", None),
        ("ORD-1003-RF", None),
        ("ORD-1003-R1", None),
        ("-RF1", None),
    ],
)
def test_a_refund_id_names_its_order(refund_id: str, order_id: str | None) -> None:
    assert order_of_refund(refund_id) == order_id
    assert refund_id_for("ORD-7", 2) == "ORD-7-RF2"


# --- the refund's fields --------------------------------------------------------------------------


def test_the_refund_states_go_on_the_wire_by_these_names() -> None:
    assert [status.value for status in RefundStatus] == ["due", "issued", "failed"]
    assert a_refund(R.FAILED).model_dump(mode="json")["status"] == "failed"


def test_a_new_refund_is_at_version_0_for_no_case_and_no_return() -> None:
    refund = a_refund()
    assert (refund.version, refund.case_id, refund.return_id) == (0, None, None)


def a_refund_dump(**changes: Any) -> dict[str, Any]:
    return a_refund().model_dump() | changes


def test_a_refund_read_without_a_case_or_return_has_none_and_goes_on_working() -> None:
    fields = a_refund_dump()
    for name in ("version", "case_id", "return_id"):
        del fields[name]
    read = Refund.model_validate(fields)
    assert (read.version, read.case_id, read.return_id) == (0, None, None)
    issued = apply_refund_event(read, "issue", now=LATER, method="card", reference="RE-9")
    assert (issued.status, issued.case_id, issued.return_id) == (R.ISSUED, None, None)


@pytest.mark.parametrize("name", ["amount", "due_since"])
def test_a_refund_has_an_amount_and_a_due_date(name: str) -> None:
    fields = a_refund_dump()
    del fields[name]
    with pytest.raises(ValidationError) as invalid:
        Refund.model_validate(fields)
    [error] = invalid.value.errors()
    assert (error["type"], error["loc"]) == ("missing", (name,))


@pytest.mark.parametrize(
    ("amount", "valid"),
    [
        ("999999999999.99", True),
        ("1000000000000.01", False),
        ("99999999999999", True),
        ("100000000000000", False),
    ],
)
def test_a_refund_amount_has_at_most_14_digits(amount: str, valid: bool) -> None:
    fields = a_refund_dump(amount=Decimal(amount))
    if valid:
        assert Refund.model_validate(fields).amount == Decimal(amount)
        return
    with pytest.raises(ValidationError) as invalid:
        Refund.model_validate(fields)
    [error] = invalid.value.errors()
    assert (error["type"], error["loc"], error["ctx"]) == (
        "decimal_max_digits",
        ("amount",),
        {"max_digits": 14},
    )


def test_a_payment_reference_is_kept_without_surrounding_blanks() -> None:
    issued = apply_refund_event(
        a_refund(), "issue", now=LATER, method=RefundMethod.CARD, reference="  RE-9 \t"
    )
    assert issued.reference == "RE-9"


@pytest.mark.parametrize(("length", "valid"), [(128, True), (129, False)])
def test_a_payment_reference_has_at_most_128_characters(length: int, valid: bool) -> None:
    reference = "R" * length
    if valid:
        issued = apply_refund_event(
            a_refund(), "issue", now=LATER, method=RefundMethod.CARD, reference=reference
        )
        assert issued.reference == reference
        return
    with pytest.raises(ValidationError) as invalid:
        apply_refund_event(
            a_refund(), "issue", now=LATER, method=RefundMethod.CARD, reference=reference
        )
    [error] = invalid.value.errors()
    assert (error["type"], error["loc"], error["ctx"]) == (
        "string_too_long",
        ("reference",),
        {"max_length": 128},
    )


def test_an_amount_not_above_0_is_refused_with_its_message_and_limit() -> None:
    with pytest.raises(InvalidReturn) as invalid:
        check_amount(DELIVERED, Decimal("0"), field="refund_amount")
    assert invalid.value.errors == [
        {
            "loc": ("refund_amount",),
            "msg": "the amount must be more than 0",
            "type": "greater_than",
            "ctx": {"gt": 0},
        }
    ]
    assert str(invalid.value) == "the amount must be more than 0"


def test_an_amount_finer_than_the_minor_unit_is_refused_naming_the_currency() -> None:
    with pytest.raises(InvalidReturn) as invalid:
        check_amount(DELIVERED, Decimal("1.001"))
    assert invalid.value.errors == [
        {
            "loc": ("amount",),
            "msg": "an amount in EUR has no fractions of its minor unit",
            "type": "amount_minor_unit",
            "ctx": {"currency": "EUR"},
        }
    ]
