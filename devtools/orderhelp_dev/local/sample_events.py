"""The sample events in `events/`: what each is for, and the orders they need in the store.

Every event file is a pure AWS event, usable as it is with `sam local invoke FUNCTION -e FILE`: an
API Gateway HTTP API (payload 2.0) event for the API functions, a scheduled event for the delay
check. What is *about* an event lives beside it, in `events/manifest.json`: the template function
it is for, what it must get (an API event: the status, and the error code of a refusal; a
scheduled event: figures of the run's result), and the orders of `events/seed.json` it needs. The
seed describes those orders as calls to the ops API (and, for an already open case, the customer
API), with every time given in hours from the moment of seeding, so the events keep their meaning
whatever day they are replayed. The seed's cases (fixed ids, so events can name them) are put in
their state after their orders, by `orderhelp_dev.local.cases.stage_case`."""

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from lifecycle.policy import CasePolicy
    from orderhelp.store import DynamoOrderStore

EVENTS_DIR = Path(__file__).resolve().parents[3] / "events"
MANIFEST = EVENTS_DIR / "manifest.json"
SEED = EVENTS_DIR / "seed.json"

TIME_FIELDS = frozenset(
    {
        "placed_at",
        "paid_at",
        "estimated_ship_by",
        "shipped_at",
        "estimated_delivery_by",
        "delivered_at",
    }
)
"""Fields the seed gives in hours from now (a number) rather than as a timestamp."""

LIFECYCLE_EVENTS = ("pay", "ship", "deliver", "cancel")


@dataclass(frozen=True)
class SampleEvent:
    file: str
    function: str
    about: str
    status: int | None = None
    """The HTTP status an API event gets."""
    error: str | None = None
    orders: tuple[str, ...] = ()
    cases: tuple[str, ...] = ()
    result: dict[str, Any] | None = None
    """Figures a scheduled run must return (those named; the others may be anything)."""

    @property
    def path(self) -> Path:
        return EVENTS_DIR / self.file

    def load(self) -> dict[str, Any]:
        event: dict[str, Any] = json.loads(self.path.read_text("utf-8"))
        return event


@dataclass(frozen=True)
class SeedCall:
    """One request that seeding makes, as the shop's systems or as the customer `as_customer`."""

    method: str
    path: str
    body: dict[str, Any]
    as_customer: str | None = None


@dataclass(frozen=True)
class SeedOrder:
    order_id: str
    customer_id: str
    about: str
    create: dict[str, Any]
    steps: tuple[tuple[str, dict[str, Any]], ...] = ()
    help: tuple[tuple[str, dict[str, Any]], ...] = ()

    def calls(self, now: datetime) -> list[SeedCall]:
        """The requests that bring this order to its described state, `now` being the moment
        its relative times count from."""
        create = {"order_id": self.order_id, "customer_id": self.customer_id} | self.create
        calls = [SeedCall("POST", "/ops/orders", _timed(create, now))]
        calls += [
            SeedCall("POST", f"/ops/orders/{self.order_id}/{event}", _timed(body, now))
            for event, body in self.steps
        ]
        calls += [
            SeedCall("POST", f"/orders/{self.order_id}/help/{action}", body, self.customer_id)
            for action, body in self.help
        ]
        return calls


def _timed(body: dict[str, Any], now: datetime) -> dict[str, Any]:
    return {
        name: _iso(now + timedelta(hours=value))
        if name in TIME_FIELDS and isinstance(value, int | float)
        else value
        for name, value in body.items()
    }


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


@cache
def sample_events() -> tuple[SampleEvent, ...]:
    """The manifest's events, in its order."""
    manifest = json.loads(MANIFEST.read_text("utf-8"))
    return tuple(
        SampleEvent(
            file=entry["file"],
            function=entry["function"],
            about=entry["about"],
            status=int(entry["status"]) if "status" in entry else None,
            error=entry.get("error"),
            orders=tuple(entry.get("orders", ())),
            cases=tuple(entry.get("cases", ())),
            result=entry.get("result"),
        )
        for entry in manifest["events"]
    )


@cache
def seed_orders() -> dict[str, SeedOrder]:
    """The seed's orders by id; every order shares the seed's cart unless it says otherwise."""
    seed = json.loads(SEED.read_text("utf-8"))
    cart: dict[str, Any] = seed["cart"]
    orders = {}
    for order_id, spec in seed["orders"].items():
        unknown = set(spec) - {"customer_id", "about", "placed_at", "help", *LIFECYCLE_EVENTS}
        if unknown:
            raise ValueError(f"seed order {order_id}: unknown keys {sorted(unknown)}")
        create = cart | ({"placed_at": spec["placed_at"]} if "placed_at" in spec else {})
        orders[order_id] = SeedOrder(
            order_id=order_id,
            customer_id=spec["customer_id"],
            about=spec["about"],
            create=create,
            steps=tuple((event, spec[event]) for event in LIFECYCLE_EVENTS if event in spec),
            help=tuple((h["action"], h["body"]) for h in spec.get("help", ())),
        )
    return orders


@dataclass(frozen=True)
class SeedCase:
    case_id: str
    order_id: str
    action: str
    status: str
    about: str
    ended_hours_ago: float = 0
    """How long before the seeding the case's story ended (a case solved days ago is due)."""


@cache
def seed_cases() -> dict[str, SeedCase]:
    """The seed's cases by id."""
    seed = json.loads(SEED.read_text("utf-8"))
    return {
        case_id: SeedCase(
            case_id=case_id,
            order_id=spec["order"],
            action=spec["action"],
            status=spec["status"],
            about=spec["about"],
            ended_hours_ago=spec.get("ended_hours_ago", 0),
        )
        for case_id, spec in seed.get("cases", {}).items()
    }


def stage_seed_cases(
    store: "DynamoOrderStore",
    case_ids: Sequence[str],
    now: datetime,
    case_policy: "CasePolicy | None" = None,
) -> None:
    """Put `case_ids` of the seed in their state; their orders must be in the store already."""
    from orderhelp_dev.local.cases import stage_case  # noqa: PLC0415 — the Lambda code, on demand

    cases = seed_cases()
    for case_id in case_ids:
        spec = cases[case_id]
        stage_case(
            store,
            case_id=case_id,
            order_id=spec.order_id,
            action=spec.action,
            status=spec.status,
            now=now,
            case_policy=case_policy,
            ago=timedelta(hours=spec.ended_hours_ago),
        )


def seed_calls(order_ids: Sequence[str], now: datetime) -> list[SeedCall]:
    """The requests that put `order_ids` of the seed in the store, in order."""
    orders = seed_orders()
    missing = [order_id for order_id in order_ids if order_id not in orders]
    if missing:
        raise KeyError(f"not in {SEED.name}: {missing}")
    return [call for order_id in order_ids for call in orders[order_id].calls(now)]
