"""The outbox in the handler tests: the moto table's stream read as Lambda's event source
mapping reads it (the template's filter applied), handed to PublisherFunction's handler, and
what reaches the bus (moto's EventBridge) copied by a rule into a queue the test reads."""

import contextlib
import json
import uuid
from typing import Any

import boto3

from orderhelp.config import event_settings
from orderhelp_dev.local.lambda_runtime import LocalLambdaContext, load_handler
from orderhelp_dev.local.streams import lambda_record, passes, stream_mappings
from orderhelp_dev.local.template import functions

REGION = "eu-west-1"
PUBLISHER = "PublisherFunction"


class Outbox:
    def __init__(self) -> None:
        (self.mapping,) = (m for m in stream_mappings(functions()) if m.function == PUBLISHER)
        self.stream_arn = (
            f"arn:aws:dynamodb:{REGION}:123456789012:table/{self.mapping.table}/stream/local"
        )
        self._read = 0
        bus = event_settings().event_bus_name
        events = boto3.client("events", region_name=REGION)
        # (A server that outlives the test's world has it already.)
        with contextlib.suppress(events.exceptions.ResourceAlreadyExistsException):
            events.create_event_bus(Name=bus)
        self._sqs = boto3.client("sqs", region_name=REGION)
        # A queue of its own: a server that outlives the test's world keeps the old ones.
        name = f"outbox-tap-{uuid.uuid4().hex[:12]}"
        self._queue = self._sqs.create_queue(QueueName=name)["QueueUrl"]
        queue_arn = self._sqs.get_queue_attributes(
            QueueUrl=self._queue, AttributeNames=["QueueArn"]
        )["Attributes"]["QueueArn"]
        events.put_rule(
            Name="tap", EventBusName=bus, EventPattern=json.dumps({"source": ["order-help"]})
        )
        events.put_targets(Rule="tap", EventBusName=bus, Targets=[{"Id": "tap", "Arn": queue_arn}])
        self.delivered: list[dict[str, Any]] = []
        """Every batch handed to the publisher, in order."""

    def records(self) -> list[dict[str, Any]]:
        """The stream's new records that pass the mapping's filter, in Lambda's shape. (Read
        from moto's table in this process: in-process moto does not serve DynamoDB Streams'
        API, its server does; `orderhelp_dev.local.streams` reads it there.)"""
        from moto.dynamodb.models import dynamodb_backends

        table = dynamodb_backends["123456789012"][REGION].get_table(self.mapping.table)
        assert table.stream_shard is not None, "the template gives the table a stream"
        raw = [record.to_json() for record in table.stream_shard.items[self._read :]]
        self._read += len(raw)
        records = [lambda_record(r, REGION, self.stream_arn) for r in raw]
        return [r for r in records if passes(r, self.mapping.filters)]

    def invoke(self, batch: dict[str, Any]) -> dict[str, Any]:
        handler = load_handler(functions()[PUBLISHER].handler)
        result: dict[str, Any] = handler(batch, LocalLambdaContext(PUBLISHER, 60))
        return result

    def publish(self) -> list[dict[str, Any]]:
        """Hand the stream's new records to the publisher; the events that reached the bus."""
        records = self.records()
        if records:
            batch = {"Records": records}
            self.delivered.append(batch)
            answer = self.invoke(batch)
            assert answer == {"batchItemFailures": []}, answer
        return self.received()

    def received(self) -> list[dict[str, Any]]:
        events = []
        while True:
            answer = self._sqs.receive_message(QueueUrl=self._queue, MaxNumberOfMessages=10)
            messages = answer.get("Messages", [])
            if not messages:
                return events
            for message in messages:
                event = json.loads(message["Body"])
                # Moto's copy of the event leaves out the account EventBridge puts on it.
                events.append({"account": "123456789012"} | event)
                self._sqs.delete_message(
                    QueueUrl=self._queue, ReceiptHandle=message["ReceiptHandle"]
                )

    def types(self) -> list[str]:
        return [event["detail-type"] for event in self.publish()]
