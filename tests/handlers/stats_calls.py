"""Case events as issue 11's publisher makes them, and StatsFunction as its rule invokes it."""

from typing import Any

from orderhelp_dev.local.console_demo import case_events as events_of
from orderhelp_dev.local.console_demo import whole_activity
from orderhelp_dev.local.lambda_runtime import LocalLambdaContext, load_handler
from orderhelp_dev.local.template import functions
from tests.handlers.client import Api


def case_events(api: Api, case_id: str) -> list[dict[str, Any]]:
    """The events of a case's changes so far (internal notes and assignments are not
    published)."""
    case = api.store.get_case(case_id)
    assert case is not None
    return events_of(case_id, case.order_id, whole_activity(api.store, case_id))


def deliver(event: dict[str, Any]) -> dict[str, Any]:
    """One invocation of the template's StatsFunction by its EventBridge rule."""
    spec = functions()["StatsFunction"]
    result: dict[str, Any] = load_handler(spec.handler)(
        event, LocalLambdaContext(spec.logical_id, spec.timeout)
    )
    return result
