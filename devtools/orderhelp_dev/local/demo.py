"""Demo data, loaded through the running stack's own ops and customer APIs (so it passes the same
authorizer, handlers and rules as anything else): customers in Spanish and English with orders in
every state, including a paid order past its ship-by date, a shipped order past its delivery
estimate, and delivered orders inside and outside the return window.

Then cases with customer service in every state (open, pending, solved, closed), in both
languages, worked by the demo agents: `stage_demo_cases` walks each through the real case flows
(`orderhelp_dev.local.cases.stage_case`) against the stack's store, on a timeline that ends
before now, since a closed case is one housekeeping closed days after it was solved."""

import json
import urllib.error
import urllib.request
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from lifecycle.policy import CasePolicy
from orderhelp.store import DynamoOrderStore
from orderhelp_dev.local.cases import Conversation, stage_case
from orderhelp_dev.local.identities import TokenIssuer

Step = tuple[str, dict[str, Any]]
"""An ops event (`pay`, `ship`, `deliver`, `cancel`) and its body."""


@dataclass(frozen=True)
class DemoOrder:
    order_id: str
    story: str
    """What the order shows, in a few words, for the startup banner."""
    items: list[dict[str, Any]]
    placed_days_ago: float
    steps: list[Step] = field(default_factory=list)


@dataclass(frozen=True)
class DemoCase:
    """A case of one of the customer's orders, walked to `status` by `agent`."""

    case_id: str
    order_id: str
    action: str
    status: str
    agent: str
    conversation: Conversation
    details: dict[str, Any] | None = None
    """The help request's fields beyond the message (a return's items, say)."""
    ended_days_ago: float = 0
    """How long ago the case's story ended (it must start after the order's own)."""
    rating: str | None = None
    """The customer's rating of a solved or closed case (`good`, `not_good`), with its comment."""
    rating_comment: str | None = None


@dataclass(frozen=True)
class DemoCustomer:
    customer_id: str
    name: str
    locale: str
    currency: str
    address: dict[str, Any]
    orders: list[DemoOrder]
    case: tuple[str, str, str] | None = None
    """A help action the customer has just used, nobody has answered yet: (order id, action,
    message)."""
    cases: tuple[DemoCase, ...] = ()
    """Cases further along, worked by the demo agents."""

    @property
    def email(self) -> str:
        """Where the customer's orders' emails go (a reserved domain, RFC 2606): the mailbox
        page shows them."""
        return f"{self.customer_id.removeprefix('cust-')}@example.com"


@dataclass(frozen=True)
class DemoAgent:
    """A customer service agent: their token carries the agents' group."""

    agent_id: str
    name: str
    locale: str


DEMO_AGENTS = (
    DemoAgent("agent-marta", "Marta Gil", "es"),
    DemoAgent("agent-james", "James Whitfield", "en"),
)
"""Agents need no data of their own: the local sign-in lists them and mints their tokens."""


class DemoLoadFailed(Exception):
    pass


def _at(now: datetime, days_ago: float) -> str:
    moment = now - timedelta(days=days_ago)
    return moment.replace(microsecond=0).isoformat().replace("+00:00", "Z")


DEMO_PICTURES_URL = "https://images.example.com/demo/"
"""Where the demo's product pictures would be: a reserved domain (RFC 2606), so nothing is ever
fetched from the internet. The browser tests and `make screenshots` answer these URLs with the
drawings in `demo_pictures/`; in `make run` the page shows its neutral placeholder instead."""

DEMO_PICTURES = Path(__file__).with_name("demo_pictures")


def _item(sku: str, name: str, price: str, quantity: int = 1) -> dict[str, Any]:
    """A line; with the shop's picture of the product when the demo has one."""
    item = {"sku": sku, "name": name, "quantity": quantity, "unit_price": price}
    if (DEMO_PICTURES / f"{sku.lower()}.svg").is_file():
        item["image_url"] = f"{DEMO_PICTURES_URL}{sku.lower()}.svg"
    return item


def demo_customers(now: datetime) -> list[DemoCustomer]:
    """The demo, placed on the timeline around `now`."""

    def paid(days_ago: float, ship_within_days: float) -> Step:
        return "pay", {
            "payment_ref": "PAY-DEMO",
            "paid_at": _at(now, days_ago),
            "estimated_ship_by": _at(now, days_ago - ship_within_days),
        }

    def shipped(days_ago: float, deliver_within_days: float, tracking: str) -> Step:
        return "ship", {
            "carrier": "Correos Express",
            "tracking_number": tracking,
            "shipped_at": _at(now, days_ago),
            "estimated_delivery_by": _at(now, days_ago - deliver_within_days),
        }

    def delivered(days_ago: float) -> Step:
        return "deliver", {"delivered_at": _at(now, days_ago)}

    def cancelled(reason: str) -> Step:
        return "cancel", {"reason": reason}

    lamp = [
        _item("LAMP-01", "Lámpara de mesa", "39.90"),
        _item("BULB-E27", "Bombilla LED", "3.25", 4),
    ]
    shoes = [_item("SHOE-42", "Zapatillas de running", "59.95")]
    dress = [_item("DRESS-M", "Vestido de lino", "45.00"), _item("BELT-01", "Cinturón", "12.50")]
    phone_case = [_item("CASE-P9", "Funda de móvil", "9.99", 2)]
    kettle = [_item("KETTLE-1", "Electric kettle", "29.99")]
    jacket = [_item("JACKET-L", "Rain jacket", "79.00")]
    mug = [_item("MUG-02", "Ceramic mug", "8.50", 2)]
    books = [_item("BOOK-ES", "Cien años de soledad", "18.90")]
    return [
        DemoCustomer(
            "cust-lucia",
            "Lucía Fernández",
            "es",
            "EUR",
            {
                "name": "Lucía Fernández",
                "line1": "Calle de Alcalá 42, 3º B",
                "city": "Madrid",
                "postal_code": "28014",
                "country": "ES",
                "phone": "+34 600 123 456",
            },
            [
                DemoOrder("ORD-1001", "created, waiting for payment", lamp, 0.1),
                DemoOrder("ORD-1002", "paid, ships within 2 days", shoes, 0.5, [paid(0.4, 2)]),
                DemoOrder(
                    "ORD-1003",
                    "paid, past its ship-by date",
                    dress,
                    7,
                    [paid(7, 3)],
                ),
                DemoOrder(
                    "ORD-1004",
                    "shipped, arrives in 3 days",
                    phone_case,
                    3,
                    [paid(3, 2), shipped(1, 4, "CX100400001ES")],
                ),
                DemoOrder(
                    "ORD-1005",
                    "delivered 6 days ago (inside the return window)",
                    books,
                    12,
                    [paid(12, 2), shipped(10, 5, "CX100500001ES"), delivered(6)],
                ),
                DemoOrder(
                    "ORD-1006",
                    "cancelled before payment",
                    lamp,
                    2,
                    [cancelled("La clienta cambió de opinión")],
                ),
            ],
            case=(
                "ORD-1002",
                "payment_issue",
                "He pagado con tarjeta pero no he recibido la confirmación.",
            ),
            cases=(
                DemoCase(
                    "CS-DEMO-1004",
                    "ORD-1004",
                    "payment_issue",
                    "open",
                    "agent-marta",
                    Conversation(
                        customer="Me habéis cobrado el pedido dos veces en la tarjeta.",
                        agent="Lo sentimos, Lucía. Suele ser un cargo retenido que el banco "
                        "libera en unos días. ¿Aparecen los dos como cobrados?",
                        customer_again="Sí, los dos aparecen como cobrados, no como retenidos.",
                    ),
                ),
                DemoCase(
                    "CS-DEMO-1005",
                    "ORD-1005",
                    "return_request",
                    "pending",
                    "agent-marta",
                    Conversation(
                        customer="El libro llegó con la cubierta doblada. Quiero devolverlo.",
                        note="Entregado hace 6 días: dentro del plazo de devolución. Quedan "
                        "ejemplares en el almacén.",
                        agent="Lo sentimos. ¿Prefiere que le enviemos otro ejemplar o el "
                        "reembolso? En los dos casos le mandamos la etiqueta de devolución.",
                    ),
                    details={"items": [{"sku": "BOOK-ES", "quantity": 1}]},
                ),
                DemoCase(
                    "CS-DEMO-1003",
                    "ORD-1003",
                    "payment_issue",
                    "closed",
                    "agent-marta",
                    Conversation(
                        customer="Me ha llegado un correo de pago pendiente, pero ya pagué con "
                        "tarjeta.",
                        note="El pago consta desde el primer día: el correo salió por error.",
                        agent="Disculpe la confusión: su pago consta y ese correo se envió por "
                        "error.",
                        resolution="Pago confirmado; el aviso fue un error de nuestro sistema "
                        "de correo.",
                    ),
                    rating="good",
                    rating_comment="Rápidos y muy amables, gracias.",
                ),
            ),
        ),
        DemoCustomer(
            "cust-oliver",
            "Oliver Bennett",
            "en",
            "GBP",
            {
                "name": "Oliver Bennett",
                "line1": "221 Baker Street",
                "city": "London",
                "postal_code": "NW1 6XE",
                "country": "GB",
            },
            [
                DemoOrder(
                    "ORD-2001",
                    "shipped, past its delivery estimate",
                    kettle,
                    11,
                    [paid(11, 2), shipped(9, 7, "CX200100001GB")],
                ),
                DemoOrder(
                    "ORD-2002",
                    "delivered 45 days ago (outside the return window)",
                    jacket,
                    52,
                    [paid(52, 2), shipped(50, 5, "CX200200001GB"), delivered(45)],
                ),
                DemoOrder(
                    "ORD-2003",
                    "cancelled after payment (refund due)",
                    mug,
                    4,
                    [paid(4, 3), cancelled("Out of stock at the warehouse")],
                ),
                DemoOrder("ORD-2004", "paid, ships within 3 days", mug, 1, [paid(1, 4)]),
            ],
            cases=(
                DemoCase(
                    "CS-DEMO-2004",
                    "ORD-2004",
                    "customs_duties",
                    "open",
                    "agent-james",
                    Conversation(
                        customer="Will I have to pay import duties when the mugs arrive in London?",
                        agent="Orders to the UK ship with duties paid: there is nothing more to "
                        "pay on delivery.",
                        customer_again="Great, thanks. Is VAT included as well?",
                    ),
                ),
                DemoCase(
                    "CS-DEMO-2002",
                    "ORD-2002",
                    "item_problem",
                    "closed",
                    "agent-james",
                    Conversation(
                        customer="The zip of the rain jacket broke the first time I wore it.",
                        note="Known fault in this batch of zips: replacement approved.",
                        agent="Sorry about that! We are sending you a new jacket; no need to "
                        "return the old one.",
                        resolution="The new jacket was delivered to your address.",
                    ),
                    details={"problem": "damaged", "items": [{"sku": "JACKET-L", "quantity": 1}]},
                    ended_days_ago=35,
                    rating="good",
                ),
            ),
        ),
        DemoCustomer(
            "cust-carmen",
            "Carmen Ruiz Ortega",
            "es",
            "EUR",
            {
                "name": "Carmen Ruiz Ortega",
                "line1": "Avenida de la Constitución 8",
                "city": "Sevilla",
                "postal_code": "41004",
                "country": "ES",
            },
            [
                DemoOrder(
                    "ORD-3001",
                    "delivered 2 days ago",
                    shoes,
                    6,
                    [paid(6, 2), shipped(4, 3, "CX300100001ES"), delivered(2)],
                ),
                DemoOrder("ORD-3002", "created, waiting for payment", dress, 0.05),
            ],
            cases=(
                DemoCase(
                    "CS-DEMO-3001",
                    "ORD-3001",
                    "item_problem",
                    "solved",
                    "agent-marta",
                    Conversation(
                        customer="Una de las zapatillas llegó con la suela despegada.",
                        note="Fotos recibidas por correo: defecto de fábrica.",
                        agent="Lo sentimos mucho. Le enviamos un par nuevo y recogemos el dañado.",
                        resolution="Par nuevo enviado con Correos Express; la recogida del "
                        "dañado es mañana.",
                    ),
                    details={"problem": "damaged", "items": [{"sku": "SHOE-42", "quantity": 1}]},
                ),
            ),
        ),
        DemoCustomer(
            "cust-emma",
            "Emma O'Brien",
            "en",
            "EUR",
            {
                "name": "Emma O'Brien",
                "line1": "12 Grafton Street",
                "city": "Dublin",
                "postal_code": "D02 XY45",
                "country": "IE",
            },
            [
                DemoOrder("ORD-4001", "paid, past its ship-by date", kettle, 5, [paid(5, 2)]),
                DemoOrder(
                    "ORD-4002",
                    "shipped, arrives in 2 days",
                    jacket,
                    3,
                    [paid(3, 1), shipped(1, 3, "CX400200001IE")],
                ),
            ],
            cases=(
                DemoCase(
                    "CS-DEMO-4001",
                    "ORD-4001",
                    "payment_issue",
                    "pending",
                    "agent-james",
                    Conversation(
                        customer="I paid with PayPal, but your email still says the payment "
                        "is pending.",
                        note="PayPal capture confirmed on the day of the order.",
                        agent="Your payment is confirmed. Could you forward us that email so "
                        "we can find out why it was sent?",
                    ),
                    ended_days_ago=2,
                ),
                DemoCase(
                    "CS-DEMO-4002",
                    "ORD-4002",
                    "customs_duties",
                    "solved",
                    "agent-james",
                    Conversation(
                        customer="Will I pay customs when the jacket arrives in Dublin?",
                        note="Ships from the Madrid warehouse: EU to EU.",
                        agent="No: it ships from Spain, within the EU, so there are no customs "
                        "duties.",
                        resolution="Shipped within the EU: no customs duties or import VAT to pay.",
                    ),
                    ended_days_ago=1.2,
                    rating="not_good",
                    rating_comment="The answer was right, but it took two days to get it.",
                ),
            ),
        ),
    ]


Call = Callable[[str, str, str, dict[str, Any] | None], tuple[int, Any]]


def http_caller(api_url: str) -> Call:
    def call(method: str, path: str, token: str, body: dict[str, Any] | None) -> tuple[int, Any]:
        data = None if body is None else json.dumps(body).encode("utf-8")
        request = urllib.request.Request(  # noqa: S310 — our own loopback URL
            api_url + path,
            data=data,
            method=method,
            headers={"authorization": f"Bearer {token}", "content-type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as refused:
            return refused.code, json.loads(refused.read() or b"null")

    return call


def load_demo(api_url: str, tokens: TokenIssuer, now: datetime | None = None) -> list[DemoCustomer]:
    """Create the demo through the stack's API; raises `DemoLoadFailed` on any refusal."""
    now = now or datetime.now(UTC)
    customers = demo_customers(now)
    call = http_caller(api_url)
    ops_token = tokens.ops()

    def expect(status: int, reply: tuple[int, Any], what: str) -> None:
        if reply[0] != status:
            raise DemoLoadFailed(f"{what}: HTTP {reply[0]} {reply[1]}")

    def create(customer: DemoCustomer, order: DemoOrder) -> None:
        body = {
            "order_id": order.order_id,
            "customer_id": customer.customer_id,
            "currency": customer.currency,
            "items": order.items,
            "shipping": "4.95",
            "tax": "0.00",
            "shipping_address": customer.address,
            "contact": {"email": customer.email, "locale": customer.locale},
            "placed_at": _at(now, order.placed_days_ago),
        }
        expect(201, call("POST", "/ops/orders", ops_token, body), f"create {order.order_id}")
        for event, details in order.steps:
            path = f"/ops/orders/{order.order_id}/{event}"
            expect(200, call("POST", path, ops_token, details), f"{event} {order.order_id}")

    with ThreadPoolExecutor(max_workers=4) as pool:
        jobs = [pool.submit(create, c, o) for c in customers for o in c.orders]
        for job in jobs:
            job.result()
    for customer in customers:
        if customer.case is not None:
            order_id, action, message = customer.case
            reply = call(
                "POST",
                f"/orders/{order_id}/help/{action}",
                tokens.customer(customer.customer_id),
                {"message": message},
            )
            expect(201, reply, f"{action} on {order_id}")
    return customers


def stage_demo_cases(
    store: DynamoOrderStore,
    customers: list[DemoCustomer],
    now: datetime,
    case_policy: CasePolicy | None = None,
    display_name: Callable[[str], str | None] = lambda agent: None,
) -> None:
    """Walk every demo case to its state through the real case flows; the orders must be in the
    store already (`load_demo`). Each case is one order's, so they go in parallel.
    `display_name`: the demo agents' names, as their profiles say them."""

    def stage(customer: DemoCustomer, case: DemoCase) -> None:
        stage_case(
            store,
            case_id=case.case_id,
            order_id=case.order_id,
            action=case.action,
            status=case.status,
            now=now,
            case_policy=case_policy,
            agent=case.agent,
            conversation=case.conversation,
            details=case.details,
            ago=timedelta(days=case.ended_days_ago),
            locale=customer.locale,
            display_name=display_name,
            rating=case.rating,
            rating_comment=case.rating_comment,
        )

    with ThreadPoolExecutor(max_workers=4) as pool:
        jobs = [pool.submit(stage, c, case) for c in customers for case in c.cases]
        for job in jobs:
            job.result()
