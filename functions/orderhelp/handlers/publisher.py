"""PublisherFunction: DynamoDB Streams on the orders table → the events bus (see
`orderhelp.publisher` and `orderhelp.domain_events`).

Powertools' batch processing with partial-failure reporting: the answer names the records that
failed (`batchItemFailures`), Lambda retries from the first of them, and after the template's
retries sends the rest of the batch to the publisher's dead-letter queue. A poison record (an
item the outbox cannot read) therefore holds up only its own order's later records."""

from typing import Any

from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from orderhelp.domain_events import MalformedEntry, events_of
from orderhelp.observability import count, lambda_handler, logger
from orderhelp.wiring import publisher

processor = BatchProcessor(event_type=EventType.DynamoDBStreams)


class EarlierRecordFailed(RuntimeError):
    """A record of an order one of whose earlier records failed in this batch: publishing it
    now would put the order's events out of order; it is retried after that one."""


@lambda_handler()
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    blocked: set[str] = set()
    published = 0

    def record_handler(record: DynamoDBRecord) -> None:
        nonlocal published
        image = record.dynamodb.new_image if record.dynamodb else {}
        order_id = str(image.get("order_id", ""))
        if order_id in blocked:
            raise EarlierRecordFailed(order_id)
        try:
            events = events_of(image)
            publisher().publish(events)
        except MalformedEntry:
            blocked.add(order_id)
            count("PoisonRecords")
            logger.exception(
                "a stream record is no log entry the outbox can read",
                extra={
                    "sequence_number": record.dynamodb.sequence_number if record.dynamodb else None
                },
            )
            raise
        except Exception:
            blocked.add(order_id)
            raise
        published += len(events)

    answer = process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
    count("EventsPublished", published)
    failed = len(answer.get("batchItemFailures", []))
    if failed:
        count("StreamRecordsFailed", failed)
    return dict(answer)
