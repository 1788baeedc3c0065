"""DelayCheckFunction: run on a schedule, it finds late orders, records each delay once and opens
a proactive case for customer service (see `orderhelp.delay_check`).

It accepts EventBridge Scheduler's invocation (the template's `ScheduleV2` sends an envelope shaped
like a scheduled event, with the Scheduler's execution id and scheduled time), the classic
EventBridge scheduled event (`Schedule`), and an empty object (a manual `invoke`). The event only
names the run in the logs: the check works from the clock and the index, so a late or repeated
invocation does the right thing."""

from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from orderhelp import budget
from orderhelp.delay_check import RunReport
from orderhelp.wiring import delay_check

logger = Logger()
tracer = Tracer()
metrics = Metrics()

SCHEDULED_EVENT = "Scheduled Event"
SCHEDULE_SOURCES = frozenset({"aws.events", "aws.scheduler"})


class ScheduledInvocation(BaseModel):
    """The parts of a scheduled event the run logs. An EventBridge rule sends the whole envelope,
    Scheduler what the template's `Input` asks for, and a manual invocation may send `{}`."""

    model_config = ConfigDict(extra="allow", populate_by_name=True, frozen=True)

    id: str | None = None
    source: str | None = None
    detail_type: str | None = Field(default=None, alias="detail-type")
    time: str | None = None
    resources: list[str] = Field(default_factory=list)


class NotAScheduledEvent(ValueError):
    """The function was invoked with something other than a scheduled event."""


class DelayCheckIncomplete(RuntimeError):
    """Some shard of the index could not be read; the invocation fails so that it is retried
    (and, if it keeps failing, lands in the dead-letter queue)."""


def scheduled_invocation(event: Any) -> ScheduledInvocation:
    if not isinstance(event, dict):
        raise NotAScheduledEvent("the event is not a JSON object")
    try:
        invocation = ScheduledInvocation.model_validate(event)
    except ValidationError as invalid:
        raise NotAScheduledEvent(f"not a scheduled event: {invalid}") from invalid
    if not event:
        return invocation  # `{}`: run by hand
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
        metrics.add_metric(name=name, unit=MetricUnit.Count, value=value)
    metrics.add_metric(
        name="DelayCheckDuration", unit=MetricUnit.Milliseconds, value=report.duration_ms
    )
    if report.stopped_early:
        metrics.add_metric(name="DelayCheckStoppedEarly", unit=MetricUnit.Count, value=1)


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    invocation = scheduled_invocation(event)
    logger.set_correlation_id(invocation.id or context.aws_request_id)
    with budget.invocation(context.get_remaining_time_in_millis()):
        report = delay_check().run(context.get_remaining_time_in_millis)
    _publish(report)
    figures = report.figures()
    logger.info(
        "delay check run",
        extra={
            "run": figures,
            "schedule": {
                "source": invocation.source,
                "time": invocation.time,
                "resources": invocation.resources,
            },
        },
    )
    if report.shards_failed:
        raise DelayCheckIncomplete(
            f"shards {report.shards_failed} of the due index could not be read; "
            "their orders wait for the retry or the next run"
        )
    return figures
