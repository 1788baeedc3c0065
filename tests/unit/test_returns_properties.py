"""Properties of returns and refunds over random sequences: whatever customers, agents and the
shop do, in whatever order, the refunds of an order never exceed what was paid and no item is
returned more often than it was delivered; and every refusal says why, truthfully."""

from datetime import timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lifecycle.errors import EventNotAllowed, InvalidReturn, RefundExceedsPaid
from lifecycle.order import Order, OrderStatus
from lifecycle.policy import Policy
from lifecycle.refunds import (
    Refund,
    RefundSource,
    apply_refund_event,
    new_refund,
    paid,
    refund_id_for,
    refund_left,
    refunded,
    with_refund,
)
from lifecycle.returns import (
    ItemCondition,
    ReceivedItem,
    Resolution,
    Return,
    ReturnItem,
    apply_return_event,
    held_by,
    new_return,
    return_id_for,
    return_refund_amount,
    returnable,
    with_return,
)
from tests.builders import order_in

SKUS = ("LAMP-01", "BULB-E27", "SOFA-9")
ORDER = order_in(OrderStatus.DELIVERED)
assert ORDER.delivered_at is not None

operations = st.one_of(
    st.tuples(
        st.just("request"),
        st.lists(st.tuples(st.sampled_from(SKUS), st.integers(1, 5)), min_size=1, max_size=3),
        st.sampled_from(list(Resolution)),
    ),
    st.tuples(st.just("approve"), st.integers(0, 5), st.none()),
    st.tuples(st.just("reject"), st.integers(0, 5), st.none()),
    st.tuples(st.just("receive"), st.integers(0, 5), st.integers(0, 4)),
    st.tuples(st.just("expire"), st.integers(0, 5), st.none()),
    st.tuples(st.just("refund"), st.integers(0, 7000), st.sampled_from(list(RefundSource))),
    st.tuples(st.just("issue"), st.integers(0, 5), st.none()),
    st.tuples(st.just("fail"), st.integers(0, 5), st.none()),
    st.tuples(st.just("retry"), st.integers(0, 5), st.none()),
)


class Account:
    """An order's returns and refunds, changed only through the rules."""

    def __init__(self, order: Order) -> None:
        self.order = order
        self.returns: list[Return] = []
        self.refunds: list[Refund] = []
        self.now = (order.delivered_at or order.placed_at) + timedelta(hours=1)

    def pick_return(self, index: int) -> Return | None:
        return self.returns[index % len(self.returns)] if self.returns else None

    def pick_refund(self, index: int) -> Refund | None:
        return self.refunds[index % len(self.refunds)] if self.refunds else None

    def add_refund(self, amount: Decimal, source: RefundSource, **links: str) -> None:
        refund = new_refund(
            refund_id=refund_id_for(self.order.order_id, len(self.refunds) + 1),
            order=self.order,
            refunds=self.refunds,
            source=source,
            amount=amount,
            now=self.now,
            **links,
        )
        self.refunds.append(refund)

    def apply(self, operation: tuple[str, object, object]) -> None:
        name, first, second = operation
        self.now += timedelta(days=3)
        if name == "request":
            assert isinstance(first, list) and isinstance(second, Resolution)
            items = [ReturnItem(sku=sku, quantity=quantity) for sku, quantity in first]
            record = new_return(
                return_id=return_id_for(self.order.order_id, len(self.returns) + 1),
                order=self.order,
                returns=self.returns,
                items=items,
                resolution=second,
                now=self.now,
            )
            self.returns.append(record)
        elif name == "refund":
            assert isinstance(first, int) and isinstance(second, RefundSource)
            self.add_refund(Decimal(first) / 100, second)
        elif name in ("issue", "fail", "retry"):
            assert isinstance(first, int)
            refund = self.pick_refund(first)
            if refund is None:
                return
            data = {"issue": {"method": "card", "reference": "R"}, "fail": {"reason": "no"}}
            changed = apply_refund_event(refund, name, now=self.now, **data.get(name, {}))
            self.refunds = with_refund(self.refunds, changed)
        else:
            assert isinstance(first, int)
            record = self.pick_return(first)
            if record is None:
                return
            self.change_return(record, name, second)

    def change_return(self, record: Return, name: str, received: object) -> None:
        if name == "approve":
            after = apply_return_event(record, "approve", now=self.now, policy=Policy())
        elif name == "reject":
            after = apply_return_event(record, "reject", now=self.now, reason="no")
        elif name == "expire":
            after = apply_return_event(record, "expire", now=self.now + timedelta(days=30))
        else:
            assert isinstance(received, int)
            items = [
                ReceivedItem(
                    sku=line.sku,
                    quantity=max(1, line.quantity - received),
                    condition=ItemCondition.OK,
                )
                for line in record.items
            ]
            after = apply_return_event(record, "receive", now=self.now, items=items)
            if after.wants_refund():
                amount = min(
                    return_refund_amount(self.order, after, self.returns),
                    refund_left(self.order, self.refunds),
                )
                if amount > 0:
                    self.add_refund(amount, RefundSource.RETURN, return_id=after.return_id)
            else:
                after = apply_return_event(after, "replace", now=self.now)
        self.returns = with_return(self.returns, after)


def check_invariants(account: Account) -> None:
    assert refunded(account.refunds) <= paid(account.order)
    assert refund_left(account.order, account.refunds) == paid(account.order) - refunded(
        account.refunds
    )
    held = held_by(account.returns)
    for line in account.order.items:
        assert held.get(line.sku, 0) <= line.quantity
    assert set(held) <= {line.sku for line in account.order.items}
    assert all(value >= 0 for value in returnable(account.order, account.returns).values())


def check_refusal(
    account: Account, operation: tuple[str, object, object], error: Exception
) -> None:
    """A refusal is the rule's, never a rule that refuses too much."""
    name, first, _ = operation
    if isinstance(error, RefundExceedsPaid):
        assert name == "refund"
        assert error.left == refund_left(account.order, account.refunds)
        assert error.asked > error.left
    elif isinstance(error, InvalidReturn):
        assert name in ("request", "refund")
        left = returnable(account.order, account.returns)
        if name == "request":
            assert isinstance(first, list)
            skus = [sku for sku, _ in first]
            assert (
                len(skus) != len(set(skus))
                or any(sku not in left for sku in skus)
                or any(quantity > left.get(sku, 0) for sku, quantity in first)
            )
        else:
            assert first == 0
    else:
        assert isinstance(error, EventNotAllowed)
        assert name not in ("request", "refund")


@settings(max_examples=300, deadline=None)
@given(st.lists(operations, max_size=25))
def test_refunds_never_exceed_paid_and_returns_never_exceed_delivered(
    sequence: list[tuple[str, object, object]],
) -> None:
    account = Account(ORDER)
    for operation in sequence:
        try:
            account.apply(operation)
        except (RefundExceedsPaid, InvalidReturn, EventNotAllowed) as refused:
            check_refusal(account, operation, refused)
        check_invariants(account)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(1, 9000), min_size=1, max_size=15))
def test_refunds_up_to_what_is_left_all_fit_and_one_cent_more_never_does(
    cents: list[int],
) -> None:
    account = Account(ORDER)
    for amount in cents:
        left = refund_left(ORDER, account.refunds)
        asked = min(Decimal(amount) / 100, left)
        if asked == 0:
            break
        account.add_refund(asked, RefundSource.GOODWILL)
    left = refund_left(ORDER, account.refunds)
    with pytest.raises(RefundExceedsPaid) as refused:
        account.add_refund(left + Decimal("0.01"), RefundSource.GOODWILL)
    assert refused.value.left == left
