"""DelayCheckFunction: run on a schedule, it finds late orders, records each delay once and opens
a proactive case for customer service (see `orderhelp.delay_check`).

It accepts EventBridge Scheduler's invocation (the template's `ScheduleV2` sends an envelope shaped
like a scheduled event, with Scheduler's execution id and scheduled time, the account and the
region), the classic EventBridge scheduled event (`Schedule`), both read by Powertools'
`EventBridgeModel`, and an empty object (a manual `invoke`). The event only
names the run in the logs: the check works from the clock and the index, so a late or repeated
invocation does the right thing."""

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.parser import ValidationError, parse
from aws_lambda_powertools.utilities.parser.models import EventBridgeModel
from aws_lambda_powertools.utilities.typing import LambdaContext

from orderhelp import budget
from orderhelp.delay_check import RunReport
from orderhelp.observability import count, lambda_handler, logger, metrics
from orderhelp.wiring import delay_check

SCHEDULED_EVENT = "Scheduled Event"
SCHEDULE_SOURCES = frozenset({"aws.events", "aws.scheduler"})


class NotAScheduledEvent(ValueError):
    """The function was invoked with something other than a scheduled event."""


class DelayCheckIncomplete(RuntimeError):
    """Some shard of the index could not be read; the invocation fails so that it is retried
    (and, if it keeps failing, lands in the dead-letter queue)."""


def scheduled_invocation(event: Any) -> EventBridgeModel | None:
    """The schedule's event (an EventBridge rule's, or the template's Scheduler `Input`, which has
    the same shape), or None for `{}`: a run by hand."""
    if event == {}:
        return None
    if not isinstance(event, dict):
        raise NotAScheduledEvent("the event is not a JSON object")
    try:
        invocation = parse(event=event, model=EventBridgeModel)
    except ValidationError as invalid:
        raise NotAScheduledEvent(f"not a scheduled event: {invalid}") from invalid
    if invocation.detail_type != SCHEDULED_EVENT or invocation.source not in SCHEDULE_SOURCES:
        raise NotAScheduledEvent(
            f"expected a '{SCHEDULED_EVENT}' from {' or '.join(sorted(SCHEDULE_SOURCES))}, got "
            f"detail-type {invocation.detail_type!r} from {invocation.source!r}"
        )
    return invocation


def _publish(report: RunReport) -> None:
    for name, value in (
        ("LateOrdersFound", report.late_orders_found),
        ("ProactiveCasesOpened", report.cases_opened),
        ("OpenCasesJoined", report.cases_joined),
        ("LateOrdersSkippedAsHandled", report.skipped_already_handled),
        ("LateOrderFailures", report.failures),
    ):
        count(name, value)
    metrics.add_metric(
        name="DelayCheckDuration", unit=MetricUnit.Milliseconds, value=report.duration_ms
    )
    if report.stopped_early:
        count("DelayCheckStoppedEarly")


@lambda_handler()
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    invocation = scheduled_invocation(event)
    logger.set_correlation_id(invocation.id if invocation else context.aws_request_id)
    with budget.invocation(context.get_remaining_time_in_millis()):
        report = delay_check().run(context.get_remaining_time_in_millis)
    _publish(report)
    figures = report.figures()
    logger.info(
        "delay check run",
        extra={
            "run": figures,
            "schedule": None
            if invocation is None
            else {
                "source": invocation.source,
                "time": invocation.time.isoformat().replace("+00:00", "Z"),
                "resources": invocation.resources,
                "account": invocation.account,
                "region": invocation.region,
            },
        },
    )
    if report.shards_failed:
        raise DelayCheckIncomplete(
            f"shards {report.shards_failed} of the due index could not be read; "
            "their orders wait for the retry or the next run"
        )
    return figures
