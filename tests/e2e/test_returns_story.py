"""A return from the request to the money back, over real HTTP against the local stack: the
customer asks, an agent approves, the label is a PDF, the warehouse records the parcel, the
payment system pays, and the customer reads it all on the order and in two emails, in Spanish;
each step's event reaches the bus."""

import uuid

from orderhelp_dev.local.identities import TokenIssuer
from tests.e2e.shop import Shop
from tests.e2e.stack import Http
from tests.e2e.test_events_and_mail import events_of, eventually, mail_to


def test_a_return_from_the_request_to_the_money_back(
    http: Http, tokens: TokenIssuer, customer_id: str
) -> None:
    shop = Shop(http, tokens.ops())
    customer = tokens.customer(customer_id)
    agent = tokens.agent("agent-e2e-returns")
    ops = tokens.ops()
    spanish = {"accept-language": "es"}

    # Given a delivered order of a Spanish customer
    address = f"{uuid.uuid4().hex[:10]}@example.com"
    created = shop.create_order(customer_id, contact={"email": address, "locale": "es"})
    assert created.status == 201, created.body
    order_id = created.body["order_id"]
    assert shop.pay(order_id).status == 200
    assert shop.ship(order_id).status == 200
    assert shop.deliver(order_id).status == 200

    # When the customer asks to return two bulbs for their money back
    body = {
        "items": [{"sku": "BULB-E27", "quantity": 2}],
        "message": "Dan una luz demasiado fría.",
        "resolution": "refund",
    }
    asked = http.call("POST", f"/orders/{order_id}/help/return_request", body, token=customer)
    assert asked.status == 201, asked.body
    case_id = asked.body["case"]["case_id"]
    return_id = asked.body["order"]["returns"][0]["return_id"]

    # And an agent approves it on the case
    approved = http.call("POST", f"/agent/cases/{case_id}/return/approve", {}, token=agent)
    assert approved.status == 200, approved.body
    assert approved.body["order"]["returns"][0]["status"] == "approved"

    # Then the customer's label is a PDF, and nobody else's
    label_path = approved.body["order"]["returns"][0]["label_url"]
    label = http.call("GET", label_path, token=customer, headers=spanish)
    assert label.status == 200
    assert label.headers["content-type"] == "application/pdf"
    assert label.raw.startswith(b"%PDF-")
    stranger = tokens.customer(customer_id + "-other")
    assert http.call("GET", label_path, token=stranger).status == 404

    # When the parcel arrives and the payment system pays the refund it made due
    arrived = http.call(
        "POST",
        f"/ops/returns/{return_id}/received",
        {"items": [{"sku": "BULB-E27", "quantity": 2, "condition": "ok"}]},
        token=ops,
    )
    assert arrived.status == 200, arrived.body
    refund_id = arrived.body["refund_id"]
    due = http.call("GET", "/ops/refunds?status=due&limit=100", token=ops)
    assert refund_id in [r["refund_id"] for r in due.body["refunds"]]
    paid = http.call(
        "POST",
        f"/ops/refunds/{refund_id}/issued",
        {"method": "card", "reference": "RE-E2E-1"},
        token=ops,
    )
    assert paid.status == 200, paid.body

    # Then the order says so, in words
    details = http.call("GET", f"/orders/{order_id}", token=customer, headers=spanish)
    assert details.body["returns"][0]["status_label"] == "Reembolsada"
    [refund] = details.body["refunds"]
    assert (refund["status"], refund["status_label"]) == ("issued", "Emitido")
    assert refund["amount"]["amount"] == "7.73"

    # And the bus heard each step, and the customer got two emails: the approval, the refund
    expected = ["ReturnApproved", "ReturnReceived", "RefundDue", "RefundIssued"]
    events = eventually(
        lambda: events_of(http, order_id),
        lambda found: all(t in [e["detail-type"] for e in found] for t in expected),
    )
    types = [e["detail-type"] for e in events]
    assert sorted(t for t in types if t in expected) == sorted(expected)  # once each
    # in the order they happened (a receipt and its refund due are one transaction)
    assert types.index("ReturnApproved") < types.index("ReturnReceived")
    assert max(types.index("ReturnReceived"), types.index("RefundDue")) < types.index(
        "RefundIssued"
    )
    messages = eventually(lambda: mail_to(http, address), lambda found: len(found) >= 2)
    subjects = sorted(m["subject"] for m in messages)
    assert subjects == [
        f"Reembolso de 7,73 € emitido del pedido {order_id}",
        f"Tu devolución RMA-{return_id} del pedido {order_id} está aprobada",
    ]
