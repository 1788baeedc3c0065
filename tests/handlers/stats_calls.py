"""Case events as issue 11's publisher makes them, and StatsFunction as its rule invokes it."""

from typing import Any

from orderhelp_dev.local.lambda_runtime import LocalLambdaContext, load_handler
from orderhelp_dev.local.template import functions
from tests.handlers.client import Api, iso

DETAIL_TYPES = {
    "open": "CaseOpened",
    "agent_reply": "CaseAnswered",
    "customer_reply": "CaseCustomerReplied",
    "solve": "CaseSolved",
    "close": "CaseClosed",
}


def case_events(api: Api, case_id: str) -> list[dict[str, Any]]:
    """The events issue 11's publisher makes of a case's changes (internal notes and
    assignments are not published)."""
    events = []
    cursor = None
    activities = []
    while True:
        record = api.store.load_case(case_id, 100, cursor)
        assert record is not None
        activities[:0] = record.activity
        if record.older is None:
            break
        cursor = record.older
    case = record.case
    for activity in activities:
        detail_type = DETAIL_TYPES.get(activity.event)
        if detail_type == "CaseCustomerReplied" and activity.from_status == "solved":
            detail_type = "CaseReopened"
        if detail_type is None:
            continue
        events.append(
            {
                "version": "0",
                "id": f"{case_id}:{activity.version}",
                "detail-type": detail_type,
                "source": "order-help",
                "time": iso(activity.at),
                "detail": {
                    "order_id": case.order_id,
                    "case_id": case_id,
                    "version": activity.version,
                    "occurred_at": iso(activity.at),
                    "actor": activity.actor.model_dump(mode="json"),
                    "action": str(case.action),
                },
            }
        )
    return events


def deliver(event: dict[str, Any]) -> dict[str, Any]:
    spec = functions()["StatsFunction"]
    result: dict[str, Any] = load_handler(spec.handler)(
        event, LocalLambdaContext(spec.logical_id, spec.timeout)
    )
    return result
