"""The console's demo data: the demo agents' profiles and a useful set of saved replies in both
languages. (The dashboard's figures of the demo's cases need nothing here: the demo's case
changes reach StatsFunction as any others do, stream → publisher → the local bus's rule.)"""

from typing import Any

from orderhelp_dev.local.demo import DEMO_AGENTS, DemoLoadFailed, http_caller
from orderhelp_dev.local.identities import TokenIssuer

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
