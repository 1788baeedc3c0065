"""The console's demo data: the demo agents' profiles, a useful set of saved replies in both
languages, and the dashboard's figures for the demo's cases.

Until the bus of issue 11 runs locally, the figures are counted here from the case events its
publisher will make (one per case change, as `case_events` makes them), through the very
aggregation StatsFunction runs; once the local bus delivers them, this bridge goes."""

from collections.abc import Callable
from datetime import datetime
from typing import Any

from orderhelp.config import StoreSettings
from orderhelp.records import CaseActivity
from orderhelp.stats_service import StatsService
from orderhelp.store import DynamoOrderStore
from orderhelp.store.console_store import DynamoConsoleStore
from orderhelp_dev.local.demo import DEMO_AGENTS, DemoCustomer, DemoLoadFailed, http_caller
from orderhelp_dev.local.identities import TokenIssuer

DETAIL_TYPES = {
    "open": "CaseOpened",
    "agent_reply": "CaseAnswered",
    "customer_reply": "CaseCustomerReplied",
    "solve": "CaseSolved",
    "close": "CaseClosed",
}

DISPLAY_NAMES = {"agent-marta": "Marta", "agent-james": "James"}

SAVED_REPLIES: list[dict[str, Any]] = [
    {
        "title": "Reembolso en camino",
        "locale": "es",
        "actions": ["payment_issue", "cancel_order"],
        "body": "Hola {customer_name}:\n\nHemos devuelto el importe del pedido {order_id} "
        "({order_total}). Lo verás en tu cuenta en 3 a 5 días hábiles.\n\nUn saludo,\n{agent_name}",
    },
    {
        "title": "Refund on its way",
        "locale": "en",
        "actions": ["payment_issue", "cancel_order"],
        "body": "Hello {customer_name},\n\nWe have refunded order {order_id} ({order_total}). "
        "It will show in your account within 3 to 5 working days.\n\nBest regards,\n{agent_name}",
    },
    {
        "title": "Seguimiento del envío",
        "locale": "es",
        "actions": ["delivery_delay", "item_problem"],
        "body": "Hola {customer_name}:\n\nTu pedido {order_id} va con {carrier} "
        "(seguimiento {tracking_number}: {tracking_url}). Lo esperamos para el "
        "{estimated_delivery_by}. Si no llega, escríbenos aquí mismo.\n\n{agent_name}",
    },
    {
        "title": "Where your parcel is",
        "locale": "en",
        "actions": ["delivery_delay", "item_problem"],
        "body": "Hello {customer_name},\n\nYour order {order_id} is with {carrier} (tracking "
        "{tracking_number}: {tracking_url}). It should arrive by {estimated_delivery_by}. If it "
        "does not, just reply here.\n\n{agent_name}",
    },
    {
        "title": "Retraso en la salida",
        "locale": "es",
        "actions": ["shipping_delay"],
        "body": "Hola {customer_name}:\n\nSentimos el retraso del pedido {order_id}: debía salir "
        "el {estimated_ship_by}. Lo estamos revisando con el almacén y te avisamos en cuanto "
        "salga.\n\n{agent_name}",
    },
    {
        "title": "Devolución: etiqueta",
        "locale": "es",
        "actions": ["return_request"],
        "body": "Hola {customer_name}:\n\nHemos aceptado la devolución del pedido {order_id}. "
        "Entrega el paquete con la etiqueta antes del {drop_off_by}.\n\n{agent_name}",
    },
    {
        "title": "Return: your label",
        "locale": "en",
        "actions": ["return_request"],
        "body": "Hello {customer_name},\n\nWe have accepted the return of order {order_id}. "
        "Hand the parcel in with the label by {drop_off_by}.\n\n{agent_name}",
    },
    {
        "title": "Aranceles de aduana",
        "locale": "es",
        "actions": ["customs_duties"],
        "body": "Hola {customer_name}:\n\nLos aranceles de aduana del pedido {order_id} los "
        "cobra el transportista al entregarlo, según las normas de tu país.\n\n{agent_name}",
    },
    {
        "title": "Need more details",
        "locale": "en",
        "actions": [],
        "body": "Hello {customer_name},\n\nThank you for writing about order {order_id}. Could "
        "you tell us a little more, with a photo if something is damaged?\n\n{agent_name}",
    },
]


def load_console_demo(api_url: str, tokens: TokenIssuer) -> None:
    """The agents' profiles and the saved replies, through the stack's API."""
    call = http_caller(api_url)
    for agent in DEMO_AGENTS:
        body = {
            "display_name": DISPLAY_NAMES.get(agent.agent_id, agent.name),
            "languages": [agent.locale],
        }
        status, answer = call("PUT", "/agent/profile", tokens.agent(agent.agent_id), body)
        if status != 200:
            raise DemoLoadFailed(f"profile of {agent.agent_id}: HTTP {status} {answer}")
    for reply in SAVED_REPLIES:
        author = "agent-marta" if reply["locale"] == "es" else "agent-james"
        status, answer = call("POST", "/agent/replies", tokens.agent(author), reply)
        if status != 201:
            raise DemoLoadFailed(f"saved reply {reply['title']}: HTTP {status} {answer}")


def case_events(
    case_id: str, order_id: str, activities: list[CaseActivity]
) -> list[dict[str, Any]]:
    """The events issue 11's publisher makes of a case's changes, as EventBridge delivers them
    (internal notes and assignments are not published)."""
    events = []
    for activity in activities:
        detail_type = DETAIL_TYPES.get(activity.event)
        if detail_type == "CaseCustomerReplied" and activity.from_status == "solved":
            detail_type = "CaseReopened"
        if detail_type is None:
            continue
        at = activity.at.isoformat().replace("+00:00", "Z")
        events.append(
            {
                "version": "0",
                "id": f"{case_id}:{activity.version}",
                "detail-type": detail_type,
                "source": "order-help",
                "time": at,
                "detail": {
                    "order_id": order_id,
                    "case_id": case_id,
                    "version": activity.version,
                    "occurred_at": at,
                    "actor": activity.actor.model_dump(mode="json"),
                },
            }
        )
    return events


def whole_activity(store: DynamoOrderStore, case_id: str) -> list[CaseActivity]:
    activities: list[CaseActivity] = []
    cursor = None
    while True:
        record = store.load_case(case_id, 100, cursor)
        if record is None:
            return activities
        activities[:0] = record.activity
        if record.older is None:
            return activities
        cursor = record.older


def count_demo_figures(
    store: DynamoOrderStore,
    settings: StoreSettings,
    customers: list[DemoCustomer],
    clock: Callable[[], datetime],
) -> int:
    """Count every demo case's events into the dashboard's figures; how many were counted."""
    console = DynamoConsoleStore(store, settings.indexes(), queue_shards=settings.case_queue_shards)
    stats = StatsService(store, console, clock)
    counted = 0
    for customer in customers:
        cases, _ = store.list_cases_for_customer(customer.customer_id, 100, None)
        for case in cases:
            for event in case_events(
                case.case_id, case.order_id, whole_activity(store, case.case_id)
            ):
                counted += stats.count(event)
    return counted
