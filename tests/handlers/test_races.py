"""Races, shown deterministically: the competing request runs through the real handlers between
the first request's read of the order and its conditional write (see `InterleavingStore`)."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import pytest

from lifecycle.order import Address
from orderhelp import wiring
from tests.handlers.client import NEW_ADDRESS, Api, Identity, Reply, iso
from tests.handlers.interference import FEW, InterleavingStore

ORDER = "ORD-1"

Move = Callable[[Api], Reply]

MOVES: dict[str, Move] = {
    "change_address": lambda api: api.help(ORDER, "change_address"),
    "cancel_order": lambda api: api.help(ORDER, "cancel_order"),
    "ship": lambda api: api.ship(ORDER),
    "cancel": lambda api: api.cancel(ORDER),
}


@dataclass(frozen=True)
class Race:
    """`first` reads the order; `second` acts before `first` writes. `second` wins."""

    first: str
    second: str
    loser_code: str
    final_status: str

    def __str__(self) -> str:
        return f"{self.first}-overtaken-by-{self.second}"


RACES = [
    # A customer's request that read the order before it shipped re-reads it and is refused.
    Race("change_address", "ship", "action_unavailable", "shipped"),
    Race("cancel_order", "ship", "action_unavailable", "shipped"),
    Race("cancel_order", "cancel_order", "action_unavailable", "cancelled"),
    Race("cancel_order", "cancel", "action_unavailable", "cancelled"),
    # The shop's event does not act on an order it no longer sees: it gets the current state.
    Race("ship", "change_address", "conflict", "paid"),
    Race("ship", "cancel_order", "conflict", "cancelled"),
    Race("cancel", "cancel_order", "conflict", "cancelled"),
    Race("ship", "ship", "conflict", "shipped"),
]


def never_shipped_to_an_address_changed_after_shipment(api: Api) -> None:
    """In the order's history no address change comes after the shipment, and the address the
    order has is the one it had when it shipped."""
    record = api.stored(ORDER)
    assert record is not None
    events = [entry.event for entry in record.history]
    if "ship" not in events:
        return
    shipped = events.index("ship")
    assert "change_address" not in events[shipped:], events
    changes = [entry for entry in record.history[:shipped] if entry.event == "change_address"]
    if changes:
        assert record.order.shipping_address == Address.model_validate(changes[-1].data["address"])


@pytest.mark.parametrize("race", RACES, ids=str)
def test_exactly_one_of_two_racing_writers_wins_and_the_loser_gets_409_with_the_state(
    api: Api, interleaving: InterleavingStore, race: Race
) -> None:
    # Given a paid order
    api.order_in("paid", order_id=ORDER)
    original = api.stored(ORDER)
    assert original is not None

    # When the second request acts between the first one's read and its write
    interleaving.before_next_commit(lambda: MOVES[race.second](api))
    first = MOVES[race.first](api)
    second = interleaving.competitor_reply

    # Then the second wins, and the first is refused with the order's current state
    assert second is not None
    assert second.status in (200, 201), second
    assert first.status == 409, first
    assert first.error["code"] == race.loser_code
    assert first.error["status"] == race.final_status

    record = api.stored(ORDER)
    assert record is not None
    assert record.order.status == race.final_status
    events = [entry.event for entry in record.history]
    assert events == ["create", "pay", race.second]
    assert [entry.version for entry in record.history] == [1, 2, 3]
    assert record.order.version == 3
    # Only the winner's request left a case.
    opened = [case.action for case in record.cases]
    assert opened == ([race.second] if race.second in ("change_address", "cancel_order") else [])
    if race.second != "change_address":
        assert record.order.shipping_address == original.order.shipping_address
    never_shipped_to_an_address_changed_after_shipment(api)


def test_the_shop_ships_to_the_new_address_after_losing_to_an_address_change(
    api: Api, interleaving: InterleavingStore
) -> None:
    # Given the warehouse read a paid order, and the customer changed the address meanwhile
    api.order_in("paid", order_id=ORDER)
    interleaving.before_next_commit(lambda: api.help(ORDER, "change_address"))
    refused = api.ship(ORDER)
    assert refused.status == 409
    assert (refused.error["status"], refused.error["version"]) == ("paid", 3)

    # When the warehouse reads the order again and ships
    current = api.call("GET", f"/ops/orders/{ORDER}", identity=Identity.shop())
    shipped = api.ship(ORDER)

    # Then it ships what it read: the new address, recorded before the shipment
    assert shipped.status == 200
    assert current.body["shipping_address"] == shipped.body["shipping_address"]
    assert {k: v for k, v in shipped.body["shipping_address"].items() if v} == NEW_ADDRESS
    never_shipped_to_an_address_changed_after_shipment(api)


def test_two_address_changes_in_a_race_both_apply_in_turn(
    api: Api, interleaving: InterleavingStore
) -> None:
    # Given a paid order, and two address changes, the second arriving between the first's
    # read and write
    api.order_in("paid", order_id=ORDER)
    other = NEW_ADDRESS | {"line1": "Paseo del Prado 8"}
    interleaving.before_next_commit(lambda: api.help(ORDER, "change_address", {"address": other}))

    first = api.help(ORDER, "change_address")
    second = interleaving.competitor_reply

    # Then neither is lost: the second opened the case, the first re-read, joined it and
    # wrote last, so its address is the one in force
    assert second is not None
    assert (second.status, first.status) == (201, 200)
    assert first.body["case"]["case_id"] == second.body["case"]["case_id"]
    record = api.stored(ORDER)
    assert record is not None
    assert [entry.event for entry in record.history][-2:] == ["change_address"] * 2
    assert record.order.shipping_address.line1 == NEW_ADDRESS["line1"]
    assert len(record.cases) == 1
    assert len(api.case_messages(record.cases[0].case_id)) == 2


def test_a_repeat_help_request_racing_the_first_ends_with_exactly_one_case(
    api: Api, interleaving: InterleavingStore
) -> None:
    # Given a paid order with no case yet, and a customer who sends the same report twice at
    # once: the second arrives between the first one's read (no open case) and its write
    api.order_in("paid", order_id=ORDER)
    interleaving.before_next_commit(
        lambda: api.help(ORDER, "payment_issue", {"message": "Pagué dos veces"})
    )

    first = api.help(ORDER, "payment_issue", {"message": "Pagué dos veces (bis)"})
    second = interleaving.competitor_reply

    # Then the one that wrote first opened the case, and the other joined it
    assert second is not None
    assert (second.status, first.status) == (201, 200)
    case_id = second.body["case"]["case_id"]
    assert first.body["case"]["case_id"] == case_id
    record = api.stored(ORDER)
    assert record is not None
    assert [case.case_id for case in record.cases] == [case_id]
    assert record.open_cases == {"payment_issue": case_id}
    # (Both were written in the same instant, so their order in the conversation is arbitrary.)
    assert sorted(api.case_messages(case_id)) == ["Pagué dos veces", "Pagué dos veces (bis)"]


def test_a_request_that_keeps_losing_gives_up_with_409_and_the_current_state(
    api: Api, interleaving: InterleavingStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given an order that the shop changes before every one of the customer's writes
    api.order_in("paid", order_id=ORDER)
    monkeypatch.setattr(wiring.order_service(), "_retry", FEW)

    def new_estimate() -> Reply:
        ship_by = api.clock.advance(minutes=1) + timedelta(days=3)
        body = {"estimated_ship_by": iso(ship_by)}
        return api.call("POST", f"/ops/orders/{ORDER}/estimate", body, identity=Identity.shop())

    interleaving.before_next_commit(new_estimate, times=FEW.attempts)

    # When the customer changes the address
    reply = api.help(ORDER, "change_address")

    # Then after its last attempt the request gives up with the order's current state, and
    # nothing of it was written
    assert len(interleaving.competitor_replies) == FEW.attempts
    assert reply.status == 409
    assert reply.error["code"] == "conflict"
    record = api.stored(ORDER)
    assert record is not None
    assert (reply.error["status"], reply.error["version"]) == ("paid", record.order.version)
    assert record.order.version == 2 + FEW.attempts
    assert "change_address" not in [entry.event for entry in record.history]
