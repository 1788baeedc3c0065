"""The case routes and the housekeeping job in one line each, for the handler tests."""

from typing import Any

from orderhelp_dev.local.lambda_runtime import LocalLambdaContext, load_handler
from orderhelp_dev.local.template import functions
from tests.handlers.client import CUSTOMER, HELP_BODIES, Api, Identity, Reply
from tests.handlers.interference import InterleavingStore

AGENT = "agent-ana"
OTHER_AGENT = "agent-bruno"
SCHEDULER_EVENT: dict[str, Any] = {}
"""What EventBridge Scheduler sends a Lambda target given no input: nothing the job reads."""


QUESTIONS: dict[str, dict[str, Any]] = {
    "change_address": HELP_BODIES["change_address"]
    | {"message": "Will it still arrive on Friday?"},
    "cancel_order": HELP_BODIES["cancel_order"] | {"message": "When will my money be back?"},
}
"""The self-service actions with a question for customer service: without one, what the customer
did is done and its case is solved by the system at once (issue 12, point 7)."""


def open_case(
    api: Api,
    order_id: str,
    action: str = "payment_issue",
    body: Any = None,
    customer: str = CUSTOMER,
) -> str:
    """Open (or join) the order's case for `action` through the help route; its id. A case for
    customer service to answer: a self-service action asks its question (`QUESTIONS`)."""
    reply = api.help(
        order_id, action, QUESTIONS.get(action) if body is None else body, customer=customer
    )
    assert reply.status in (200, 201), reply
    case_id: str = reply.body["case"]["case_id"]
    return case_id


def my_cases(
    api: Api, query: str = "", customer: str = CUSTOMER, locale: str | None = None
) -> Reply:
    headers = {"accept-language": locale} if locale else None
    return api.call("GET", f"/cases{query}", identity=Identity.customer(customer), headers=headers)


def my_case(
    api: Api,
    case_id: str,
    customer: str = CUSTOMER,
    locale: str | None = None,
    query: str = "",
) -> Reply:
    headers = {"accept-language": locale} if locale else None
    return api.call(
        "GET", f"/cases/{case_id}{query}", identity=Identity.customer(customer), headers=headers
    )


def write(
    api: Api,
    case_id: str,
    body: str,
    customer: str = CUSTOMER,
    headers: dict[str, str] | None = None,
) -> Reply:
    return api.call(
        "POST",
        f"/cases/{case_id}/messages",
        {"body": body},
        identity=Identity.customer(customer),
        headers=headers,
    )


def rate(
    api: Api,
    case_id: str,
    body: Any,
    *,
    identity: Identity | None = None,
    headers: dict[str, str] | None = None,
) -> Reply:
    """Rate a solved case: `{"rating": "good"|"not_good", "comment"?}`, by its customer."""
    return api.call(
        "POST",
        f"/cases/{case_id}/rating",
        body,
        identity=identity or Identity.customer(CUSTOMER),
        headers=headers,
    )


def queue(api: Api, status: str = "open", query: str = "", agent: str = AGENT) -> Reply:
    return api.call("GET", f"/agent/cases?status={status}{query}", identity=Identity.agent(agent))


def agent_case(api: Api, case_id: str, agent: str = AGENT, locale: str | None = None) -> Reply:
    headers = {"accept-language": locale} if locale else None
    return api.call(
        "GET", f"/agent/cases/{case_id}", identity=Identity.agent(agent), headers=headers
    )


def assign(
    api: Api,
    case_id: str,
    agent: str = AGENT,
    force: bool | None = None,
    headers: dict[str, str] | None = None,
) -> Reply:
    body = None if force is None else {"force": force}
    return api.call(
        "POST",
        f"/agent/cases/{case_id}/assign",
        body,
        identity=Identity.agent(agent),
        headers=headers,
    )


def answer(
    api: Api,
    case_id: str,
    body: str,
    *,
    agent: str = AGENT,
    internal: bool | None = None,
    headers: dict[str, str] | None = None,
) -> Reply:
    payload: dict[str, Any] = {"body": body}
    if internal is not None:
        payload["internal"] = internal
    return api.call(
        "POST",
        f"/agent/cases/{case_id}/messages",
        payload,
        identity=Identity.agent(agent),
        headers=headers,
    )


def solve(
    api: Api,
    case_id: str,
    resolution: str = "Refund issued.",
    agent: str = AGENT,
    headers: dict[str, str] | None = None,
) -> Reply:
    return api.call(
        "POST",
        f"/agent/cases/{case_id}/solve",
        {"resolution": resolution},
        identity=Identity.agent(agent),
        headers=headers,
    )


def solved_case(api: Api, order_id: str, action: str = "payment_issue") -> str:
    """A case of the order for `action`, taken and solved by `AGENT`."""
    case_id = open_case(api, order_id, action)
    assert assign(api, case_id).status == 200
    assert solve(api, case_id).status == 200
    return case_id


def housekeeping(remaining_ms: int | None = None) -> dict[str, Any]:
    """One run of the template's HousekeepingFunction, as the scheduler would invoke it."""
    spec = functions()["HousekeepingFunction"]
    context = LocalLambdaContext(spec.logical_id, spec.timeout)
    if remaining_ms is not None:
        context.get_remaining_time_in_millis = lambda: remaining_ms  # type: ignore[method-assign]
    result: dict[str, Any] = load_handler(spec.handler)(SCHEDULER_EVENT, context)
    return result


InterleavingCaseStore = InterleavingStore
"""Cases and orders are written through the same commit path, so the same interleaving."""
