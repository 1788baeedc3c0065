"""Logs, traces and metrics of every function, and the entry point's decorator stack.

Metrics are named for what happened (`ActionRefused`, `CaseOpened`), with what varies as
dimensions (`Reason`, `Action`), never one metric name per value: CloudWatch can then sum them,
alarm on the total and break it down. Every function also reports Powertools' `ColdStart`."""

import functools
import gc
import warnings
from collections.abc import Callable
from typing import Any, TypeVar

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit, single_metric
from aws_lambda_powertools.utilities.typing import LambdaContext

logger = Logger()
# The functions call nothing but the AWS SDK: patching every library the X-Ray SDK knows (its
# default) would only add to the cold start.
tracer = Tracer(patch_modules=("botocore",))
metrics = Metrics()
# An invocation whose metrics all carry dimensions (each its own EMF document, see `count`) leaves
# the shared set empty, which is expected: Powertools' warning would be a line of plain text in
# logs that are JSON.
warnings.filterwarnings("ignore", message="No application metrics to publish", category=UserWarning)

Handler = TypeVar("Handler", bound=Callable[[Any, LambdaContext], Any])


def count(name: str, value: int = 1, **dimensions: str) -> None:
    """Count `name`. With dimensions it is its own EMF document, so that they describe this metric
    alone and not the others the invocation publishes."""
    if not dimensions:
        metrics.add_metric(name=name, unit=MetricUnit.Count, value=value)
        return
    with single_metric(
        name=name, unit=MetricUnit.Count, value=value, namespace=metrics.namespace
    ) as metric:
        for dimension, label in dimensions.items():
            metric.add_dimension(name=dimension, value=label)


def end_of_cold_start() -> None:
    """Importing a handler builds many thousands of long-lived objects (pydantic models, routes,
    botocore's service model); collecting garbage among them made a sixth of the cold start, so
    `orderhelp/__init__.py` pauses the collector in Lambda. The first invocation resumes it, with
    what the init made kept out of later collections (`gc.freeze`)."""
    if not gc.isenabled():
        gc.freeze()
        gc.enable()


def lambda_handler(
    correlation_id_path: str | None = None,
) -> Callable[[Handler], Handler]:
    """The entry point of a function: the cold start ends, the Lambda context and correlation id
    go into every log line, the invocation is traced, and metrics are flushed with `ColdStart`."""

    def decorate(handler: Handler) -> Handler:
        @logger.inject_lambda_context(correlation_id_path=correlation_id_path)
        @tracer.capture_lambda_handler
        @metrics.log_metrics(capture_cold_start_metric=True)
        def observed(event: Any, context: LambdaContext) -> Any:
            return handler(event, context)

        @functools.wraps(handler)
        def entry(event: Any, context: LambdaContext) -> Any:
            end_of_cold_start()
            return observed(event, context)

        return entry  # type: ignore[return-value]

    return decorate
