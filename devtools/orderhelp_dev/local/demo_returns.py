"""Demo returns and refunds in every state, in Spanish and English, made through the stack's API
(the customer's return request, the agents' approvals, rejections and refunds, the shop's
receipts and the payment system's news) — and one return that expired, staged in the store on a
past timeline (its drop-off deadline has to pass). Loaded after the demo's orders and cases."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from lifecycle.actions import HelpAction
from lifecycle.help import ReturnRequest
from lifecycle.order import Address
from lifecycle.policy import CasePolicy, Policy
from orderhelp.changes import RequestContext
from orderhelp.records import Actor, ActorKind
from orderhelp.returns_service import ReturnsService
from orderhelp.services import OrderService
from orderhelp.store import DynamoOrderStore
from orderhelp.store.refund_queue import RefundQueue
from orderhelp_dev.local.demo import DemoLoadFailed, _at, _item, http_caller
from orderhelp_dev.local.identities import TokenIssuer


@dataclass(frozen=True)
class DemoReturnOrder:
    order_id: str
    customer_id: str
    address: dict[str, Any]
    items: list[dict[str, Any]]
    delivered_days_ago: float
    story: str


LUCIA = {
    "name": "Lucía Fernández",
    "line1": "Calle de Alcalá 42, 3º B",
    "city": "Madrid",
    "postal_code": "28014",
    "country": "ES",
}
OLIVER = {
    "name": "Oliver Bennett",
    "line1": "221 Baker Street",
    "city": "London",
    "postal_code": "NW1 6XE",
    "country": "GB",
}
EMMA = {
    "name": "Emma O'Brien",
    "line1": "12 Grafton Street",
    "city": "Dublin",
    "postal_code": "D02 XY45",
    "country": "IE",
}
CARMEN = {
    "name": "Carmen Ruiz Ortega",
    "line1": "Avenida de la Constitución 8",
    "city": "Sevilla",
    "postal_code": "41004",
    "country": "ES",
}

RETURN_ORDERS = (
    DemoReturnOrder(
        "ORD-1007",
        "cust-lucia",
        LUCIA,
        [
            _item("LAMP-01", "Lámpara de mesa", "39.90"),
            _item("BULB-E27", "Bombilla LED", "3.25", 6),
        ],
        3,
        "returns: refunded, received (refund pending), approved (label)",
    ),
    DemoReturnOrder(
        "ORD-1008",
        "cust-lucia",
        LUCIA,
        [_item("SHOE-42", "Zapatillas de running", "59.95")],
        4,
        "a return rejected",
    ),
    DemoReturnOrder(
        "ORD-2005",
        "cust-oliver",
        OLIVER,
        [_item("KETTLE-1", "Electric kettle", "29.99"), _item("MUG-02", "Ceramic mug", "8.50", 2)],
        5,
        "returns: replaced, and one waiting for customer service",
    ),
    DemoReturnOrder(
        "ORD-3003",
        "cust-carmen",
        CARMEN,
        [_item("DRESS-M", "Vestido de lino", "45.00")],
        20,
        "a return approved and never sent: expired",
    ),
)
FAILED_REFUND_ORDER = ("ORD-4003", "cust-emma", EMMA, [_item("MUG-02", "Ceramic mug", "8.50")])


def load_demo_returns(api_url: str, tokens: TokenIssuer, now: datetime) -> None:
    """Every return and refund state but `expired` (see `stage_demo_expired_return`)."""
    call = http_caller(api_url)
    ops = tokens.ops()

    def expect(status: int | tuple[int, ...], reply: tuple[int, Any], what: str) -> Any:
        wanted = status if isinstance(status, tuple) else (status,)
        if reply[0] not in wanted:
            raise DemoLoadFailed(f"{what}: HTTP {reply[0]} {reply[1]}")
        return reply[1]

    def order(
        order_id: str,
        customer: str,
        address: dict[str, Any],
        items: list[Any],
        days: float,
        *,
        deliver: bool = True,
    ) -> None:
        body = {
            "order_id": order_id,
            "customer_id": customer,
            "currency": "EUR",
            "items": items,
            "shipping": "4.95",
            "tax": "0.00",
            "shipping_address": address,
            "placed_at": _at(now, days + 4),
        }
        expect(201, call("POST", "/ops/orders", ops, body), f"create {order_id}")
        steps: list[tuple[str, dict[str, Any]]] = [
            (
                "pay",
                {
                    "payment_ref": f"PAY-{order_id}",
                    "paid_at": _at(now, days + 3.9),
                    "estimated_ship_by": _at(now, days + 2),
                },
            ),
        ]
        if deliver:
            steps += [
                (
                    "ship",
                    {
                        "carrier": "Correos Express",
                        "tracking_number": f"CX{order_id[4:]}ES",
                        "shipped_at": _at(now, days + 3),
                        "estimated_delivery_by": _at(now, days - 1),
                    },
                ),
                ("deliver", {"delivered_at": _at(now, days)}),
            ]
        for event, details in steps:
            expect(
                200,
                call("POST", f"/ops/orders/{order_id}/{event}", ops, details),
                f"{event} {order_id}",
            )

    def ask(
        order_id: str,
        customer: str,
        items: list[tuple[str, int]],
        message: str,
        resolution: str = "refund",
    ) -> tuple[str, str]:
        body = {
            "items": [{"sku": s, "quantity": q} for s, q in items],
            "message": message,
            "resolution": resolution,
        }
        answer = expect(
            (200, 201),
            call(
                "POST", f"/orders/{order_id}/help/return_request", tokens.customer(customer), body
            ),
            f"return on {order_id}",
        )
        return answer["case"]["case_id"], answer["order"]["returns"][-1]["return_id"]

    def agent(agent_id: str, case_id: str, step: str, body: dict[str, Any]) -> Any:
        return expect(
            200,
            call("POST", f"/agent/cases/{case_id}/{step}", tokens.agent(agent_id), body),
            f"{step} on {case_id}",
        )

    def shop(path: str, body: dict[str, Any]) -> Any:
        return expect(200, call("POST", path, ops, body), path)

    for demo in RETURN_ORDERS[:3]:
        order(demo.order_id, demo.customer_id, demo.address, demo.items, demo.delivered_days_ago)

    # Lucía (es): one return refunded, one received with its refund pending, one approved.
    case, first = ask("ORD-1007", "cust-lucia", [("BULB-E27", 2)], "Dan una luz demasiado fría.")
    agent("agent-marta", case, "return/approve", {})
    arrived = shop(
        f"/ops/returns/{first}/received",
        {"items": [{"sku": "BULB-E27", "quantity": 2, "condition": "ok"}]},
    )
    shop(
        f"/ops/refunds/{arrived['refund_id']}/issued",
        {"method": "card", "reference": "RE-DEMO-1007"},
    )
    case, second = ask(
        "ORD-1007", "cust-lucia", [("LAMP-01", 1)], "La lámpara no combina con el salón."
    )
    agent("agent-marta", case, "return/approve", {})
    shop(
        f"/ops/returns/{second}/received",
        {"items": [{"sku": "LAMP-01", "quantity": 1, "condition": "ok"}]},
    )
    case, _ = ask("ORD-1007", "cust-lucia", [("BULB-E27", 2)], "Estas tampoco me sirven.")
    agent("agent-marta", case, "return/approve", {})
    # Lucía (es): a return rejected, with the reason.
    case, _ = ask("ORD-1008", "cust-lucia", [("SHOE-42", 1)], "Me quedan pequeñas.")
    agent(
        "agent-marta",
        case,
        "return/reject",
        {"reason": "Las zapatillas se han usado para correr: no se pueden devolver."},
    )
    # Oliver (en): a replacement sent, and a return waiting for customer service.
    case, mug = ask(
        "ORD-2005", "cust-oliver", [("MUG-02", 1)], "One mug arrived chipped.", "replacement"
    )
    agent("agent-james", case, "return/approve", {})
    shop(
        f"/ops/returns/{mug}/received",
        {"items": [{"sku": "MUG-02", "quantity": 1, "condition": "damaged"}]},
    )
    ask("ORD-2005", "cust-oliver", [("KETTLE-1", 1)], "The kettle is louder than I expected.")
    # Emma (en): a cancelled order's refund that failed (and waits to be retried).
    order_id, customer, address, items = FAILED_REFUND_ORDER
    order(order_id, customer, address, items, 2, deliver=False)
    cancelled = expect(
        201,
        call(
            "POST",
            f"/orders/{order_id}/help/cancel_order",
            tokens.customer(customer),
            {"reason": "Ordered twice by mistake."},
        ),
        f"cancel {order_id}",
    )
    [due] = cancelled["order"]["refunds"]
    shop(f"/ops/refunds/{due['refund_id']}/failed", {"reason": "The card has expired"})
    # Carmen's order for the expired return is made here; its return is staged in the past.
    demo = RETURN_ORDERS[3]
    order(demo.order_id, demo.customer_id, demo.address, demo.items, demo.delivered_days_ago)


class _Clock:
    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now


def stage_demo_expired_return(
    store: DynamoOrderStore,
    now: datetime,
    policy: Policy,
    case_policy: CasePolicy,
    returns_address: Address,
) -> None:
    """Carmen asked to return her dress 18 days ago; it was approved the day after and never
    sent: its drop-off deadline passed, and it expired."""
    demo = RETURN_ORDERS[3]
    clock = _Clock(now - timedelta(days=18))
    orders = OrderService(store, clock, policy, case_policy)
    returns = ReturnsService(store, RefundQueue(store.table, None), clock, returns_address)
    customer = RequestContext.fresh(Actor(kind=ActorKind.CUSTOMER, id=demo.customer_id))
    body = ReturnRequest(
        items=[{"sku": "DRESS-M", "quantity": 1}], message="La talla no es la mía."
    )
    outcome, _ = orders.use_help_action(
        customer, demo.order_id, HelpAction.RETURN_REQUEST, body, "es"
    )
    clock.now = now - timedelta(days=17)
    marta = RequestContext.fresh(Actor(kind=ActorKind.AGENT, id="agent-marta"))
    returns.approve_return(marta, outcome.case.case_id, "es")
    clock.now = now
    system = RequestContext.fresh(Actor(kind=ActorKind.SYSTEM, id="returns"))
    returns.expire_return(system, f"{demo.order_id}-R1", "es")


__all__ = ["load_demo_returns", "stage_demo_expired_return"]
