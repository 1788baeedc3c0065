"""The keys of the index of orders awaiting a milestone: which orders carry them, how they sort,
and how the shards share the orders."""

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from lifecycle.i18n import SUPPORTED_LOCALES, messages
from lifecycle.order import Order, OrderStatus
from lifecycle.order_lifecycle import DELAY_EVENTS, apply_event
from orderhelp.delay_check import MISSED
from orderhelp.store.keys import due_sk, order_index_keys, shard_of
from orderhelp.store.keys import sort_time as due_moment
from tests.builders import order_in

SHARDS = 8


def due_keys(order: Order, shards: int) -> dict[str, str]:
    """The keys of the due index an order item carries."""
    return {k: v for k, v in order_index_keys(order, shards).items() if k.startswith("due_")}


@pytest.mark.parametrize("status", list(OrderStatus))
def test_an_order_carries_keys_exactly_while_it_awaits_a_deadline(status: OrderStatus) -> None:
    order = order_in(status)
    deadline = order.next_delay_deadline()
    keys = due_keys(order, SHARDS)
    if status in (OrderStatus.PAID, OrderStatus.SHIPPED):
        assert deadline is not None
        assert keys == {
            "due_pk": f"DUE#{shard_of(order.order_id, SHARDS)}",
            "due_sk": f"{due_moment(deadline)}#{order.order_id}",
        }
    else:
        assert keys == {}


def test_an_order_whose_delay_is_recorded_leaves_the_index() -> None:
    order = order_in(OrderStatus.PAID)
    deadline = order.next_delay_deadline()
    assert deadline is not None
    late = apply_event(order, "record_shipping_delay", now=deadline + timedelta(seconds=1))
    assert due_keys(late, SHARDS) == {}


def test_sort_keys_sort_as_their_times_and_exactly_on_a_deadline_is_not_before_it() -> None:
    on_the_second = datetime(2026, 5, 4, 9, 0, 0, tzinfo=UTC)
    half_a_second_later = on_the_second + timedelta(microseconds=500_000)
    assert due_sk(on_the_second, "ORD-Z") < due_sk(half_a_second_later, "ORD-A")
    # The check asks for due_sk < now: an order due exactly now is not returned.
    assert not due_sk(on_the_second, "ORD-A") < due_moment(on_the_second)
    assert due_sk(on_the_second, "ORD-A") < due_moment(on_the_second + timedelta(microseconds=1))


def test_shards_are_stable_and_share_the_orders_evenly() -> None:
    ids = [f"ORD-{n:06d}" for n in range(8000)]
    shards = Counter(shard_of(order_id, SHARDS) for order_id in ids)
    assert set(shards) == set(range(SHARDS))
    assert max(shards.values()) < 1.1 * len(ids) / SHARDS
    # The same id, the same shard, in every process (sha256, not Python's salted hash).
    assert shard_of("ORD-000001", SHARDS) == 6


def test_every_delay_event_has_its_case_and_texts() -> None:
    assert set(MISSED) == set(DELAY_EVENTS)
    for missed in MISSED.values():
        for locale in SUPPORTED_LOCALES:
            assert messages(locale)["delay_check"][missed.action]
