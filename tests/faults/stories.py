"""Every write route as a short story: what must be there first (`given`), and the one request
whose DynamoDB write the fault tests disturb (`when`)."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import boto3

from orderhelp.handlers.attachment_processing import UploadsFailed
from tests.handlers.attachment_calls import REGION, bucket, process, request_upload
from tests.handlers.case_calls import (
    AGENT,
    answer,
    assign,
    housekeeping,
    my_case,
    open_case,
    rate,
    solve,
    write,
)
from tests.handlers.client import CUSTOMER, Api, Identity, Reply, iso
from tests.handlers.returns_calls import (
    approve,
    failed,
    issued,
    received,
    refund,
    reject,
    request_return,
    retry,
)
from tests.handlers.stats_calls import case_events, deliver
from tests.handlers.test_delay_check import run_check
from tests.support import files

ORDER = "ORD-1"
Headers = dict[str, str] | None


@dataclass(frozen=True)
class Story:
    route: str
    given: Callable[[Api], dict[str, Any]]
    when: Callable[[Api, dict[str, Any], Headers], Reply]
    keyed: bool = True
    """An API route (it takes an Idempotency-Key); scheduled functions are not."""


def _paid(api: Api) -> dict[str, Any]:
    api.order_in("paid", order_id=ORDER)
    return {}


def _shipped(api: Api) -> dict[str, Any]:
    api.order_in("shipped", order_id=ORDER)
    return {}


def _created(api: Api) -> dict[str, Any]:
    assert api.create_order(CUSTOMER, ORDER).status == 201
    return {}


def _with_case(api: Api) -> dict[str, Any]:
    api.order_in("paid", order_id=ORDER)
    return {"case": open_case(api, ORDER)}


def _with_taken_case(api: Api) -> dict[str, Any]:
    context = _with_case(api)
    assert assign(api, context["case"]).status == 200
    return context


def _with_solved_case(api: Api) -> dict[str, Any]:
    context = _with_taken_case(api)
    assert solve(api, context["case"]).status == 200
    return context


def _with_closed_case(api: Api) -> dict[str, Any]:
    context = _with_taken_case(api)
    assert solve(api, context["case"]).status == 200
    api.clock.advance(days=30)
    assert housekeeping()["closed"] == 1
    return context


def _with_solved_case_due(api: Api) -> dict[str, Any]:
    context = _with_taken_case(api)
    assert solve(api, context["case"]).status == 200
    api.clock.advance(days=30)
    return context


def _with_unread_answer(api: Api) -> dict[str, Any]:
    context = _with_taken_case(api)
    assert answer(api, context["case"], "Your payment arrived.").status == 200
    return context


def _late(api: Api) -> dict[str, Any]:
    api.order_in("paid", order_id=ORDER)
    api.clock.advance(days=3)
    return {}


def _ready_attachment(api: Api, owner: Identity, name: str) -> str:
    """A photo of `owner`'s, uploaded and processed (S3 is the world's embedded one)."""
    data = files.png()
    grant = request_upload(api, owner, name, "image/png", len(data))
    assert grant.status == 201, grant
    s3 = boto3.client("s3", region_name=REGION)
    key = grant.body["upload"]["fields"]["key"]
    s3.put_object(Bucket=bucket(), Key=key, Body=data, ContentType="image/png")
    assert process(key, len(data))["processed"][0]["status"] == "ready"
    return str(grant.body["attachment_id"])


def _delivered_with_photo(api: Api) -> dict[str, Any]:
    api.order_in("delivered", order_id=ORDER)
    return {"photo": _ready_attachment(api, Identity.customer(CUSTOMER), "roto.png")}


def _taken_case_with_files(api: Api) -> dict[str, Any]:
    context = _with_taken_case(api)
    context["photo"] = _ready_attachment(api, Identity.customer(CUSTOMER), "detalle.png")
    context["label"] = _ready_attachment(api, Identity.agent(AGENT), "etiqueta.png")
    return context


def _uploaded(api: Api) -> dict[str, Any]:
    data = files.photo(120, 80)
    grant = request_upload(api, Identity.customer(CUSTOMER), "p.jpg", "image/jpeg", len(data))
    key = grant.body["upload"]["fields"]["key"]
    boto3.client("s3", region_name=REGION).put_object(
        Bucket=bucket(), Key=key, Body=data, ContentType="image/jpeg"
    )
    return {"key": key, "size": len(data)}


def _grant(reply: Reply) -> Reply:
    """An upload's answer without its signature's moment (botocore signs with the machine's
    clock, not the service's): what it grants — the attachment, the key and type — stays."""
    if reply.status != 201:
        return reply
    fields = reply.body["upload"]["fields"]
    kept = {name: fields[name] for name in ("key", "Content-Type")}
    return Reply(reply.status, {}, reply.body | {"upload": {"fields": kept}})


def _processed(context: dict[str, Any]) -> Reply:
    """S3's invocation of the processing: a run that fails raises, for Lambda to retry it."""
    try:
        return _job(process(context["key"], context["size"]))
    except UploadsFailed as failed:
        return Reply(502, {}, {"failed": str(failed)})


SAVED_REPLY = {
    "title": "Refund on its way",
    "locale": "es",
    "body": "Hola {customer_name}: hemos devuelto el cargo del pedido {order_id}.",
    "actions": ["payment_issue"],
}
ANA = Identity.agent(AGENT)


def _with_saved_reply(api: Api) -> dict[str, Any]:
    saved = api.call("POST", "/agent/replies", SAVED_REPLY, identity=ANA)
    assert saved.status == 201, saved
    return {"reply": saved.body["reply_id"]}


def _with_colleagues_case(api: Api) -> dict[str, Any]:
    context = _with_case(api)
    assert assign(api, context["case"], agent="agent-bruno").status == 200
    return context


def _with_case_event(api: Api) -> dict[str, Any]:
    context = _with_taken_case(api)
    assert answer(api, context["case"], "Lo miramos.").status == 200
    answered = next(
        e for e in case_events(api, context["case"]) if e["detail-type"] == "CaseAnswered"
    )
    return context | {"event": answered}


def _stats_invoked(event: dict[str, Any]) -> Reply:
    """One asynchronous invocation of StatsFunction by the bus's rule: one that fails is
    retried by Lambda with the same event (which is what the next `when` is)."""
    try:
        return _job(deliver(event))
    except Exception as failed:  # the invocation failed; Lambda will invoke it again
        return Reply(502, {}, {"failed": type(failed).__name__})


DAMAGED = {
    "problem": "damaged",
    "items": [{"sku": "LAMP-01", "quantity": 1}],
    "message": "Broken: see the photo.",
}


def _delivered(api: Api) -> dict[str, Any]:
    api.order_in("delivered", order_id=ORDER)
    return {}


def _return_requested(api: Api) -> dict[str, Any]:
    api.order_in("delivered", order_id=ORDER)
    reply = request_return(api, ORDER)
    assert reply.status == 201, reply
    return {"case": reply.body["case"]["case_id"], "return": f"{ORDER}-R1"}


def _return_approved(api: Api) -> dict[str, Any]:
    context = _return_requested(api)
    assert approve(api, context["case"]).status == 200
    return context


def _refund_due(api: Api) -> dict[str, Any]:
    api.order_in("paid", order_id=ORDER)
    assert api.cancel(ORDER).status == 200
    return {"refund": f"{ORDER}-RF1"}


def _refund_failed(api: Api) -> dict[str, Any]:
    context = _refund_due(api)
    assert failed(api, context["refund"]).status == 200
    return context


def _ops(api: Api, path: str, body: Any, headers: Headers) -> Reply:
    return api.call("POST", path, body, identity=Identity.shop(), headers=headers)


def _job(result: dict[str, Any]) -> Reply:
    """A scheduled run's result as a reply; how long it took is not part of what it did."""
    return Reply(200, {}, {name: value for name, value in result.items() if name != "duration_ms"})


NEW_ORDER = {
    "customer_id": CUSTOMER,
    "currency": "EUR",
    "items": [{"sku": "LAMP-01", "name": "Lámpara", "quantity": 1, "unit_price": "39.90"}],
    "shipping": "4.95",
    "shipping_address": {
        "name": "Lucía Fernández",
        "line1": "Calle de Alcalá 42",
        "city": "Madrid",
        "postal_code": "28014",
        "country": "ES",
    },
}

STORIES = [
    Story(
        "a help request that opens a case",
        _paid,
        lambda api, _, headers: api.help(ORDER, "payment_issue", headers=headers),
    ),
    Story(
        "a help request that joins the open case",
        _with_case,
        lambda api, _, headers: api.help(ORDER, "payment_issue", headers=headers),
    ),
    Story(
        "a help request that changes the address",
        _paid,
        lambda api, _, headers: api.help(ORDER, "change_address", headers=headers),
    ),
    Story(
        "a help request that cancels the order",
        _paid,
        lambda api, _, headers: api.help(ORDER, "cancel_order", headers=headers),
    ),
    Story(
        "a customer's message on a case",
        _with_taken_case,
        lambda api, context, headers: write(api, context["case"], "Any news?", headers=headers),
    ),
    Story(
        "a customer's message on a closed case (a follow-up)",
        _with_closed_case,
        lambda api, context, headers: write(api, context["case"], "Again?", headers=headers),
    ),
    Story(
        "a customer rating a solved case",
        _with_solved_case,
        lambda api, context, headers: rate(
            api, context["case"], {"rating": "good", "comment": "Quick."}, headers=headers
        ),
    ),
    Story(
        "an agent taking a case",
        _with_case,
        lambda api, context, headers: assign(api, context["case"], headers=headers),
    ),
    Story(
        "an agent's answer",
        _with_taken_case,
        lambda api, context, headers: answer(api, context["case"], "Done.", headers=headers),
    ),
    Story(
        "an agent's internal note",
        _with_taken_case,
        lambda api, context, headers: answer(
            api, context["case"], "Checked.", internal=True, headers=headers
        ),
    ),
    Story(
        "an agent solving a case",
        _with_taken_case,
        lambda api, context, headers: solve(api, context["case"], headers=headers),
    ),
    Story(
        "the shop creating an order",
        lambda api: {},
        lambda api, _, headers: _ops(
            api, "/ops/orders", {"order_id": "ORD-9", **NEW_ORDER}, headers
        ),
    ),
    Story(
        "the shop creating an order without an id",
        lambda api: {},
        lambda api, _, headers: _ops(api, "/ops/orders", NEW_ORDER, headers),
    ),
    Story(
        "the shop recording the payment",
        _created,
        lambda api, _, headers: _ops(
            api,
            f"/ops/orders/{ORDER}/pay",
            {"payment_ref": "PAY-1", "estimated_ship_by": iso(api.clock.now + timedelta(days=2))},
            headers,
        ),
    ),
    Story(
        "the shop recording the shipment",
        _paid,
        lambda api, _, headers: _ops(
            api,
            f"/ops/orders/{ORDER}/ship",
            {
                "carrier": "Correos Express",
                "tracking_number": "CX1",
                "estimated_delivery_by": iso(api.clock.now + timedelta(days=3)),
            },
            headers,
        ),
    ),
    Story(
        "the shop recording the delivery",
        _shipped,
        lambda api, _, headers: _ops(api, f"/ops/orders/{ORDER}/deliver", {}, headers),
    ),
    Story(
        "the shop cancelling",
        _paid,
        lambda api, _, headers: _ops(
            api, f"/ops/orders/{ORDER}/cancel", {"reason": "Out of stock"}, headers
        ),
    ),
    Story(
        "the shop revising the estimate",
        _paid,
        lambda api, _, headers: _ops(
            api,
            f"/ops/orders/{ORDER}/estimate",
            {"estimated_ship_by": iso(api.clock.now + timedelta(days=5))},
            headers,
        ),
    ),
    Story(
        "a customer asking for an upload",
        lambda api: {},
        lambda api, _, headers: _grant(
            request_upload(
                api, Identity.customer(CUSTOMER), "p.jpg", "image/jpeg", 1000, headers=headers
            )
        ),
    ),
    Story(
        "a damage report with a photo",
        _delivered_with_photo,
        lambda api, context, headers: api.help(
            ORDER,
            "item_problem",
            DAMAGED | {"attachment_ids": [context["photo"]]},
            headers=headers,
        ),
    ),
    Story(
        "a customer's reply with a photo",
        _taken_case_with_files,
        lambda api, context, headers: api.call(
            "POST",
            f"/cases/{context['case']}/messages",
            {"body": "Closer.", "attachment_ids": [context["photo"]]},
            identity=Identity.customer(CUSTOMER),
            headers=headers,
        ),
    ),
    Story(
        "an agent's answer with a file",
        _taken_case_with_files,
        lambda api, context, headers: api.call(
            "POST",
            f"/agent/cases/{context['case']}/messages",
            {"body": "Print it.", "attachment_ids": [context["label"]]},
            identity=Identity.agent(AGENT),
            headers=headers,
        ),
    ),
    Story(
        "the processing of an upload",
        _uploaded,
        lambda api, context, headers: _processed(context),
        keyed=False,
    ),
    Story(
        "an agent saving a reply",
        lambda api: {},
        lambda api, _, headers: api.call(
            "POST", "/agent/replies", SAVED_REPLY, identity=ANA, headers=headers
        ),
    ),
    Story(
        "an agent changing a saved reply",
        _with_saved_reply,
        lambda api, context, headers: api.call(
            "PUT",
            f"/agent/replies/{context['reply']}?version=1",
            SAVED_REPLY | {"title": "Refund sent"},
            identity=ANA,
            headers=headers,
        ),
    ),
    Story(
        "an agent deleting a saved reply",
        _with_saved_reply,
        lambda api, context, headers: api.call(
            "DELETE", f"/agent/replies/{context['reply']}", identity=ANA, headers=headers
        ),
    ),
    Story(
        "an agent setting their profile",
        lambda api: {},
        lambda api, _, headers: api.call(
            "PUT",
            "/agent/profile",
            {"display_name": "Ana", "languages": ["es", "en"]},
            identity=ANA,
            headers=headers,
        ),
    ),
    Story(
        "an agent answering a colleague's case, confirmed",
        _with_colleagues_case,
        lambda api, context, headers: api.call(
            "POST",
            f"/agent/cases/{context['case']}/messages",
            {"body": "Lo miro yo.", "force": True},
            identity=ANA,
            headers=headers,
        ),
    ),
    Story(
        "the figures counting a case event",
        _with_case_event,
        lambda api, context, headers: _stats_invoked(context["event"]),
        keyed=False,
    ),
    Story(
        "a return request (its return and its case)",
        _delivered,
        lambda api, _, headers: request_return(api, ORDER, headers=headers),
    ),
    Story(
        "an agent approving a return",
        _return_requested,
        lambda api, context, headers: approve(api, context["case"], headers=headers),
    ),
    Story(
        "an agent rejecting a return",
        _return_requested,
        lambda api, context, headers: reject(api, context["case"], headers=headers),
    ),
    Story(
        "an agent refunding on a case",
        _return_requested,
        lambda api, context, headers: refund(api, context["case"], "5.00", headers=headers),
    ),
    Story(
        "the shop receiving a return (its refund due)",
        _return_approved,
        lambda api, context, headers: received(api, context["return"], headers=headers),
    ),
    Story(
        "the payment system issuing a refund",
        _refund_due,
        lambda api, context, headers: issued(api, context["refund"], headers=headers),
    ),
    Story(
        "the payment system failing a refund",
        _refund_due,
        lambda api, context, headers: failed(api, context["refund"], headers=headers),
    ),
    Story(
        "a failed refund retried",
        _refund_failed,
        lambda api, context, headers: retry(api, context["refund"], headers=headers),
    ),
    # Opening a conversation customer service wrote in marks it read: a write without a key
    # (a GET), which a later opening finishes if this one's write was lost.
    Story(
        "a customer opening an unread conversation",
        _with_unread_answer,
        lambda api, context, headers: my_case(api, context["case"]),
        keyed=False,
    ),
    Story("the delay check", _late, lambda api, _, headers: _job(run_check()), keyed=False),
    Story(
        "housekeeping", _with_solved_case_due, lambda api, _, h: _job(housekeeping()), keyed=False
    ),
]

__all__ = ["AGENT", "STORIES", "Story"]
