"""The outbox path over the local stack: a change → the stream → the publisher → the local bus
(`/__local/events`) → NotifyFunction → SES (`/__local/mail`), within seconds."""

import time
import uuid
from typing import Any

from orderhelp_dev.local.identities import TokenIssuer
from tests.e2e.shop import Shop
from tests.e2e.stack import Http

WITHIN_SECONDS = 20.0
"""A bound on waiting (the stack polls its stream a few times a second), not a timing."""


def eventually(read: Any, done: Any) -> Any:
    deadline = time.monotonic() + WITHIN_SECONDS
    while True:
        value = read()
        if done(value) or time.monotonic() > deadline:
            return value
        time.sleep(0.1)  # polling, not timing: the deadline bounds it


def events_of(http: Http, order_id: str) -> list[dict[str, Any]]:
    reply = http.call("GET", f"/__local/events?order_id={order_id}")
    assert reply.status == 200
    events: list[dict[str, Any]] = reply.body["events"]
    return events


def mail_to(http: Http, address: str) -> list[dict[str, Any]]:
    reply = http.call("GET", f"/__local/mail?to={address}")
    assert reply.status == 200
    messages: list[dict[str, Any]] = reply.body["messages"]
    return messages


def test_a_customer_cancelling_reaches_the_bus_and_emails_them_once(
    http: Http, tokens: TokenIssuer, customer_id: str
) -> None:
    address = f"{uuid.uuid4().hex[:10]}@example.com"
    shop = Shop(http, tokens.ops())
    created = shop.create_order(customer_id, contact={"email": address, "locale": "en"})
    assert created.status == 201
    order_id = created.body["order_id"]
    assert shop.pay(order_id).status == 200

    cancelled = http.call(
        "POST",
        f"/orders/{order_id}/help/cancel_order",
        {"reason": "Ordered twice"},
        token=tokens.customer(customer_id),
    )
    assert cancelled.status == 201

    events = eventually(
        lambda: events_of(http, order_id),
        lambda found: any(e["detail-type"] == "OrderCancelled" for e in found),
    )
    types = [e["detail-type"] for e in events]
    assert types.count("OrderCancelled") == 1
    assert types[:2] == ["OrderCreated", "OrderPaid"]
    assert {e["source"] for e in events} == {"order-help"}
    mail = eventually(lambda: mail_to(http, address), bool)
    assert [m["subject"] for m in mail] == [f"Your order {order_id} is cancelled"]
    assert "We will refund you" in mail[0]["text"]
    assert mail[0]["to"] == [address]


def test_an_agents_answer_emails_a_spanish_customer_and_a_note_emits_nothing(
    http: Http, tokens: TokenIssuer, customer_id: str
) -> None:
    address = f"{uuid.uuid4().hex[:10]}@example.com"
    shop = Shop(http, tokens.ops())
    created = shop.create_order(customer_id, contact={"email": address, "locale": "es"})
    order_id = created.body["order_id"]
    assert shop.pay(order_id).status == 200
    opened = http.call(
        "POST",
        f"/orders/{order_id}/help/payment_issue",
        {"message": "No me llega la confirmación."},
        token=tokens.customer(customer_id),
    )
    assert opened.status == 201
    case_id = opened.body["case"]["case_id"]
    agent = tokens.agent("agent-e2e")
    assert http.call("POST", f"/agent/cases/{case_id}/assign", {}, token=agent).status == 200
    note = {"body": "NOTE-e2e el banco tarda", "internal": True}
    assert http.call("POST", f"/agent/cases/{case_id}/messages", note, token=agent).status == 200
    reply = {"body": "Su pago ha llegado."}
    assert http.call("POST", f"/agent/cases/{case_id}/messages", reply, token=agent).status == 200

    events = eventually(
        lambda: events_of(http, order_id),
        lambda found: any(e["detail-type"] == "CaseAnswered" for e in found),
    )
    assert [e["detail-type"] for e in events].count("CaseAnswered") == 1
    assert "NOTE-e2e" not in str(events)
    mail = eventually(lambda: mail_to(http, address), bool)
    assert [m["subject"] for m in mail] == [f"Te hemos respondido sobre el pedido {order_id}"]
    assert "Su pago ha llegado." in mail[0]["text"]
    assert "NOTE-e2e" not in str(mail)


def test_the_mailbox_page_shows_the_emails(http: Http) -> None:
    page = http.call("GET", "/__local/mailbox")
    assert page.status == 200
    assert page.headers["content-type"].startswith("text/html")
    assert b"Mailbox" in page.raw


def test_the_dashboards_figures_follow_the_bus(
    http: Http, tokens: TokenIssuer, customer_id: str
) -> None:
    # StatsFunction is one more target of the bus: a case opened and answered here reaches
    # the figures through the stream, the publisher and the rule alone
    agent = tokens.agent("agent-e2e")

    def figures() -> dict[str, Any]:
        reply = http.call("GET", "/agent/stats?days=7", token=agent)
        assert reply.status == 200
        body: dict[str, Any] = reply.body
        return body

    before = figures()
    shop = Shop(http, tokens.ops())
    order_id = shop.paid_order(customer_id)
    opened = http.call(
        "POST",
        f"/orders/{order_id}/help/customs_duties",
        {"message": "¿Pago aduanas?"},
        token=tokens.customer(customer_id),
    )
    assert opened.status == 201, opened.body
    case_id = opened.body["case"]["case_id"]
    assert http.call("POST", f"/agent/cases/{case_id}/assign", {}, token=agent).status == 200
    reply = {"body": "No: van incluidas."}
    assert http.call("POST", f"/agent/cases/{case_id}/messages", reply, token=agent).status == 200

    def counted(now: dict[str, Any]) -> bool:
        return (
            now["opened"].get("customs_duties", 0) > before["opened"].get("customs_duties", 0)
            and now["first_response"]["answered"] > before["first_response"]["answered"]
        )

    assert counted(eventually(figures, counted))
