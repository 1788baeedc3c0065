"""The return and refund routes in one line each, for the handler tests."""

from typing import Any

from tests.handlers.case_calls import AGENT
from tests.handlers.client import CUSTOMER, Api, Identity, Reply

Headers = dict[str, str] | None


def request_return(
    api: Api,
    order_id: str,
    *,
    items: list[tuple[str, int]] | None = None,
    resolution: str = "refund",
    customer: str = CUSTOMER,
    headers: Headers = None,
) -> Reply:
    body = {
        "items": [{"sku": s, "quantity": q} for s, q in (items or [("BULB-E27", 2)])],
        "message": "Two bulbs are the wrong colour temperature.",
        "resolution": resolution,
    }
    return api.help(order_id, "return_request", body, customer=customer, headers=headers)


def approve(
    api: Api, case_id: str, agent: str = AGENT, headers: Headers = None, locale: str | None = None
) -> Reply:
    extra = {"accept-language": locale} if locale else {}
    return api.call(
        "POST",
        f"/agent/cases/{case_id}/return/approve",
        {},
        identity=Identity.agent(agent),
        headers=(headers or {}) | extra,
    )


def reject(
    api: Api,
    case_id: str,
    reason: str = "Opened and used.",
    agent: str = AGENT,
    headers: Headers = None,
) -> Reply:
    return api.call(
        "POST",
        f"/agent/cases/{case_id}/return/reject",
        {"reason": reason},
        identity=Identity.agent(agent),
        headers=headers,
    )


def refund(
    api: Api,
    case_id: str,
    amount: str,
    *,
    reason: str = "Sorry for the trouble.",
    agent: str = AGENT,
    headers: Headers = None,
) -> Reply:
    return api.call(
        "POST",
        f"/agent/cases/{case_id}/refund",
        {"amount": amount, "reason": reason},
        identity=Identity.agent(agent),
        headers=headers,
    )


def received(
    api: Api,
    return_id: str,
    items: list[tuple[str, int, str]] | None = None,
    headers: Headers = None,
) -> Reply:
    body = {
        "items": [
            {"sku": s, "quantity": q, "condition": c}
            for s, q, c in (items or [("BULB-E27", 2, "ok")])
        ]
    }
    return api.call(
        "POST",
        f"/ops/returns/{return_id}/received",
        body,
        identity=Identity.shop(),
        headers=headers,
    )


def issued(
    api: Api, refund_id: str, method: str = "card", headers: Headers = None, **extra: Any
) -> Reply:
    body = {"method": method, "reference": "RE-0001"} | extra
    return api.call(
        "POST", f"/ops/refunds/{refund_id}/issued", body, identity=Identity.shop(), headers=headers
    )


def failed(
    api: Api, refund_id: str, reason: str = "Card expired", headers: Headers = None
) -> Reply:
    return api.call(
        "POST",
        f"/ops/refunds/{refund_id}/failed",
        {"reason": reason},
        identity=Identity.shop(),
        headers=headers,
    )


def retry(api: Api, refund_id: str, headers: Headers = None) -> Reply:
    return api.call(
        "POST", f"/ops/refunds/{refund_id}/retry", {}, identity=Identity.shop(), headers=headers
    )


def due_refunds(api: Api, query: str = "") -> Reply:
    return api.call("GET", f"/ops/refunds{query}", identity=Identity.shop())


def label(api: Api, order_id: str, return_id: str, customer: str = CUSTOMER) -> Reply:
    return api.call(
        "GET", f"/orders/{order_id}/returns/{return_id}/label", identity=Identity.customer(customer)
    )


def returned_order(
    api: Api, order_id: str = "ORD-1", resolution: str = "refund"
) -> tuple[str, str]:
    """A delivered order with a return requested: the case's id and the return's id."""
    api.order_in("delivered", order_id=order_id)
    reply = request_return(api, order_id, resolution=resolution)
    assert reply.status == 201, reply
    [record] = reply.body["order"]["returns"]
    return reply.body["case"]["case_id"], record["return_id"]
