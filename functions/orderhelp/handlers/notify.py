"""NotifyFunction: the bus's events → the customers' emails (see `orderhelp.notify`).

EventBridge rules in the template subscribe it to the detail types that email. EventBridge
invokes it asynchronously: an invocation that fails (SES down after the client's own retries,
another invocation holding the event's claim) is retried by Lambda, and after its retries the
event goes to the function's dead-letter queue; nothing is dropped silently."""

from typing import Any

from aws_lambda_powertools.utilities.parser import parse
from aws_lambda_powertools.utilities.parser.models import EventBridgeModel
from aws_lambda_powertools.utilities.typing import LambdaContext

from orderhelp import budget
from orderhelp.observability import count, lambda_handler, logger
from orderhelp.wiring import notifier


@lambda_handler()
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    delivered = parse(event=event, model=EventBridgeModel)
    detail: dict[str, Any] = event.get("detail") or {}
    logger.set_correlation_id(detail.get("event_id") or delivered.id)
    with budget.invocation(context.get_remaining_time_in_millis()):
        notification = notifier().notify(delivered.detail_type, detail, context.aws_request_id)
    count("Notifications", Outcome=str(notification.outcome), DetailType=delivered.detail_type)
    return {"event_id": notification.event_id, "outcome": str(notification.outcome)}
