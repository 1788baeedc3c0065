"""StatsFunction: customer service's figures, kept from the event bus.

An EventBridge rule on the events bus sends it the case events (`domain_events`, issue 14's
ratings and issue 12's refunds issued); each is counted once into the per-day aggregate items,
however often it is delivered (by its `detail.event_id`). An event it cannot count raises:
Lambda retries the asynchronous invocation, then keeps it in the dead-letter queue."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from orderhelp import budget
from orderhelp.observability import count, lambda_handler, logger
from orderhelp.wiring import stats_service


@lambda_handler(correlation_id_path="detail.event_id")
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    with budget.invocation(context.get_remaining_time_in_millis()):
        counted = stats_service().count(event)
    count("StatsEventsCounted" if counted else "StatsEventsSkipped")
    detail = event.get("detail") or {}
    outcome = {
        "event_id": detail.get("event_id"),
        "detail_type": event.get("detail-type"),
        "counted": counted,
    }
    logger.info("stats event", extra=outcome)
    return outcome
