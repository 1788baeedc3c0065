"""HousekeepingFunction: on a schedule, closes the cases solved more than
`CLOSE_SOLVED_AFTER_DAYS` ago, which frees their order's slot for a new case.

It reads only the cases due (a range Query on the solved queue), closes each with a conditional
write, and stops while it still has time: whatever is left, the next run closes. Running twice,
or alongside a customer's reply, closes nothing twice and nothing that was reopened; a case that
cannot be closed now is logged and counted, and the next run tries it again."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from orderhelp import budget
from orderhelp.observability import count, lambda_handler, logger
from orderhelp.wiring import case_service

SAFETY_MARGIN_MS = 3_000
"""Time kept back for the last close in flight and for flushing logs and metrics."""


@lambda_handler()
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    def out_of_time() -> bool:
        return context.get_remaining_time_in_millis() < SAFETY_MARGIN_MS

    with budget.invocation(context.get_remaining_time_in_millis()):
        report = case_service().close_solved_cases(out_of_time)
    count("CasesClosed", report.closed)
    count("CaseCloseFailures", report.failures)
    summary = {
        "closed": report.closed,
        "skipped": report.skipped,
        "failures": report.failures,
        "complete": report.complete,
    }
    logger.info("housekeeping run", extra=summary)
    return summary
