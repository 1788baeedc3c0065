"""AttachmentProcessingFunction: S3 invokes it for each object uploaded under `uploads/`; it
checks the real bytes and records the attachment `ready` (re-encoded, with a thumbnail) or
`rejected` with the reason (`orderhelp.attachment_service.AttachmentService.process_upload`).

S3 invokes it asynchronously and may deliver an event twice; a run that raises is retried by
Lambda, then kept in the dead-letter queue. Each record is processed on its own: one failing
upload does not hold back the others of the event, which are done before the failure is raised."""

from typing import Any

from aws_lambda_powertools.utilities.data_classes import S3Event
from aws_lambda_powertools.utilities.typing import LambdaContext

# `inspection`'s decoders (Pillow, pillow-heif, pypdf) load at init, as every upload needs them;
# the attachment service imports them only when it processes one.
from orderhelp import (
    budget,
    inspection,  # noqa: F401
)
from orderhelp.attachment_service import PROCESSING
from orderhelp.aws import s3
from orderhelp.changes import RequestContext
from orderhelp.files import S3Files
from orderhelp.observability import count, lambda_handler, logger
from orderhelp.wiring import attachment_service


class UploadsFailed(Exception):
    """Some uploads of the event could not be processed now: Lambda retries the event."""


@lambda_handler()
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    outcomes = []
    failed = []
    with budget.invocation(context.get_remaining_time_in_millis()):
        for record in S3Event(event).records:
            bucket, key = record.s3.bucket.name, record.s3.get_object.key
            # The same object's event, delivered again, is the same request.
            request = RequestContext.derived(
                PROCESSING, bucket, key, record.s3.get_object.sequencer or ""
            )
            try:
                outcome = attachment_service().process_upload(S3Files(s3(), bucket), key, request)
            except Exception:
                logger.exception("an upload could not be processed", extra={"key": key})
                failed.append(key)
                continue
            count("AttachmentProcessed", Outcome=outcome.status)
            logger.info(
                "upload processed",
                extra={
                    "attachment_id": outcome.attachment_id,
                    "status": outcome.status,
                    "reason": outcome.reason,
                },
            )
            outcomes.append(
                {
                    "attachment_id": outcome.attachment_id,
                    "status": outcome.status,
                    "reason": outcome.reason,
                }
            )
    if failed:
        raise UploadsFailed(f"{len(failed)} upload(s) not processed: {', '.join(failed)}")
    return {"processed": outcomes}
