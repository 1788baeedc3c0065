"""NotifyFunction's ledger under faults: the answer to its claim lost on the way back (the SDK
sends the claim again), or to the record that the email went out; either way one email, and the
same ledger as without the fault."""

from collections.abc import Callable
from typing import Any

import boto3
import pytest

from orderhelp.config import notify_settings, store_settings
from tests.faults.conftest import World
from tests.handlers.client import CUSTOMER
from tests.handlers.outbox import Outbox
from tests.handlers.test_notify import notify

ORDER = "ORD-1"
CONTACT = {"email": "lucia@example.com", "locale": "es"}
Worlds = Callable[[], Any]


def _sent() -> list[Any]:
    from moto.ses.models import ses_backends

    return ses_backends["123456789012"]["eu-west-1"].sent_messages


def _cancelled(world: World) -> dict[str, Any]:
    _sent().clear()
    boto3.client("ses").verify_email_identity(EmailAddress=notify_settings().notification_sender)
    outbox = Outbox()
    assert world.api.create_order(CUSTOMER, ORDER, contact=CONTACT).status == 201
    assert world.api.pay(ORDER).status == 200
    assert world.api.cancel(ORDER).status == 200
    return next(e for e in outbox.publish() if e["detail-type"] == "OrderCancelled")


def _ledger(world: World) -> list[dict[str, Any]]:
    return world.api.snapshot()[store_settings().idempotency_table]


@pytest.mark.parametrize("times", [1, 2], ids=["the claim's answer", "both answers"])
def test_a_lost_answer_of_the_ledger_sends_one_email(worlds: Worlds, times: int) -> None:
    with worlds() as world:
        expected = notify(_cancelled(world))
        expected_ledger = [
            {k: v for k, v in item.items() if k not in ("expiration", "claimed_until")}
            for item in _ledger(world)
            if item["id"]["S"].startswith("notify#")
        ]

    with worlds() as world:
        cancelled = _cancelled(world)
        world.proxy.drop("PutItem", times=times)
        reply = notify(cancelled)
        world.proxy.heal()
        again = notify(cancelled, "req-2")

        assert world.proxy.faulted["PutItem"] == times
        assert (reply, again["outcome"]) == (expected, "already_sent")
        assert len(_sent()) == 1
        ledger = [
            {k: v for k, v in item.items() if k not in ("expiration", "claimed_until")}
            for item in _ledger(world)
            if item["id"]["S"].startswith("notify#")
        ]
        assert ledger == expected_ledger
