"""The template's DynamoDB stream event source mappings, run locally: the embedded DynamoDB's
stream (moto's server serves DynamoDB Streams) read as Lambda's event source mapping reads it.

For each mapping (`Type: DynamoDB` under a function's `Events`): the table's stream is polled
shard by shard from `StartingPosition`; the records that pass the mapping's `FilterCriteria`
(matched with moto's EventBridge pattern matcher: Lambda's filters are event patterns over the
record) go to the function in batches of at most `BatchSize`, in Lambda's record shape
(`/work/shared/aws-sample-events/dynamodb-stream-update.json`). With
`ReportBatchItemFailures`, the batch is retried from the first record the answer names; a
function error retries the whole batch; after `MaximumRetryAttempts` the batch's description
goes to the `OnFailure` destination (an SQS queue of the embedded services), as Lambda's does,
and the mapping moves on. Retries here wait a fraction of a second, not Lambda's backoff.
(`BisectBatchOnFunctionError` is not emulated: a failing batch is retried whole.)"""

import json
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import boto3
from moto.events.models import EventPattern

from orderhelp_dev.local import stream_appends
from orderhelp_dev.local.environments import Invocation
from orderhelp_dev.local.template import LOCAL_ACCOUNT_ID, FunctionSpec

POLL_SECONDS = 0.02
"""How often `wait_until` asks again."""
IDLE_POLL_SECONDS = 0.25
"""How often an idle shard is read again without a signal that a record was appended
(`stream_appends`): Lambda polls each shard about four times a second."""
RETRY_SECONDS = 0.2


@dataclass(frozen=True)
class StreamMapping:
    function: str
    table: str
    """The table's logical id (its name in the local stack)."""
    batch_size: int = 100
    starting_position: str = "TRIM_HORIZON"
    filters: tuple[dict[str, Any], ...] = ()
    report_item_failures: bool = False
    maximum_retry_attempts: int = -1
    """-1: until the record expires (here: forever)."""
    on_failure: str | None = None
    """The logical id of the dead-letter queue."""


def stream_mappings(functions: Mapping[str, FunctionSpec]) -> list[StreamMapping]:
    mappings = []
    for spec in functions.values():
        for event in spec.events.values():
            if event.get("Type") != "DynamoDB":
                continue
            props = event["Properties"]
            stream = props["Stream"]
            table = stream["Fn::GetAtt"][0] if "Fn::GetAtt" in stream else str(stream)
            destination = props.get("DestinationConfig", {}).get("OnFailure", {})
            target = destination.get("Destination")
            filters = props.get("FilterCriteria", {}).get("Filters", [])
            mappings.append(
                StreamMapping(
                    function=spec.logical_id,
                    table=table,
                    batch_size=int(props.get("BatchSize", 100)),
                    starting_position=str(props.get("StartingPosition", "TRIM_HORIZON")),
                    filters=tuple(json.loads(f["Pattern"]) for f in filters),
                    report_item_failures="ReportBatchItemFailures"
                    in props.get("FunctionResponseTypes", []),
                    maximum_retry_attempts=int(props.get("MaximumRetryAttempts", -1)),
                    on_failure=target["Fn::GetAtt"][0] if isinstance(target, dict) else None,
                )
            )
    return mappings


def lambda_record(raw: Mapping[str, Any], region: str, stream_arn: str) -> dict[str, Any]:
    """A record as GetRecords gives it, in the shape Lambda hands the function."""
    stream = dict(raw["dynamodb"])
    created = stream.get("ApproximateCreationDateTime")
    if isinstance(created, datetime):
        stream["ApproximateCreationDateTime"] = int(created.timestamp())
    ordered = {
        name: stream[name]
        for name in (
            "ApproximateCreationDateTime",
            "Keys",
            "NewImage",
            "OldImage",
            "SequenceNumber",
            "SizeBytes",
            "StreamViewType",
        )
        if name in stream
    }
    return {
        "eventID": raw["eventID"],
        "eventName": raw["eventName"],
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": region,
        "dynamodb": ordered,
        "eventSourceARN": stream_arn,
    }


def passes(record: Mapping[str, Any], filters: tuple[dict[str, Any], ...]) -> bool:
    """Lambda's event filtering: a record passes if any filter matches (no filter: all do)."""
    event: Any = dict(record)
    return not filters or any(
        EventPattern.load(json.dumps(pattern)).matches_event(event) for pattern in filters
    )


Invoke = Callable[[dict[str, Any]], Invocation]
DeadLetter = Callable[[str, dict[str, Any]], None]


@dataclass
class StreamReader:
    """One mapping, polled in a thread of its own until stopped."""

    mapping: StreamMapping
    endpoint: str
    region: str
    invoke: Invoke
    dead_letter: DeadLetter
    log: Callable[..., None]
    delivered: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> "StreamReader":
        self._thread = threading.Thread(
            target=self._run, name=f"stream-{self.mapping.function}", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        stream_appends.wake()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def _client(self) -> Any:
        return boto3.client(
            "dynamodbstreams",
            endpoint_url=self.endpoint,
            region_name=self.region,
            aws_access_key_id="local",
            aws_secret_access_key="local",  # noqa: S106 — moto accepts any credentials
        )

    def _run(self) -> None:
        client = self._client()
        arn = client.list_streams(TableName=self.mapping.table)["Streams"][0]["StreamArn"]
        shards = client.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]
        iterators = {
            shard["ShardId"]: client.get_shard_iterator(
                StreamArn=arn,
                ShardId=shard["ShardId"],
                ShardIteratorType=self.mapping.starting_position,
            )["ShardIterator"]
            for shard in shards
        }
        while not self._stop.is_set():
            seen = stream_appends.count()  # (before reading: a record added meanwhile wakes it)
            busy = False
            for shard_id, iterator in list(iterators.items()):
                try:
                    answer = client.get_records(ShardIterator=iterator, Limit=1000)
                except Exception as failure:  # the stack is stopping, or moto choked
                    if self._stop.is_set():
                        return
                    self.log(level="ERROR", message=f"stream read failed: {failure}")
                    self._stop.wait(RETRY_SECONDS)
                    continue
                iterators[shard_id] = answer.get("NextShardIterator") or iterator
                records = [lambda_record(r, self.region, arn) for r in answer.get("Records", [])]
                records = [r for r in records if passes(r, self.mapping.filters)]
                for start in range(0, len(records), self.mapping.batch_size):
                    self._deliver(records[start : start + self.mapping.batch_size], shard_id, arn)
                    busy = True
            if not busy:
                stream_appends.wait_after(seen, IDLE_POLL_SECONDS, self._stop)

    def _deliver(self, batch: list[dict[str, Any]], shard_id: str, arn: str) -> None:
        pending = batch
        attempts = 0
        while pending and not self._stop.is_set():
            invocation = self.invoke({"Records": pending})
            attempts += 1
            if not invocation.failed:
                failed = _failed_sequence_numbers(invocation.result)
                if not self.mapping.report_item_failures or not failed:
                    self.delivered += len(pending)
                    return
                first = next(
                    (i for i, r in enumerate(pending) if r["dynamodb"]["SequenceNumber"] in failed),
                    0,
                )
                self.delivered += first
                pending = pending[first:]
            retries = self.mapping.maximum_retry_attempts
            if retries >= 0 and attempts > retries:
                self._give_up(pending, shard_id, arn, attempts, invocation)
                return
            self._stop.wait(RETRY_SECONDS)

    def _give_up(
        self,
        pending: list[dict[str, Any]],
        shard_id: str,
        arn: str,
        attempts: int,
        invocation: Invocation,
    ) -> None:
        """What Lambda sends the OnFailure destination of a stream mapping."""

        def arrival(record: dict[str, Any]) -> str:
            moment = datetime.fromtimestamp(
                record["dynamodb"].get("ApproximateCreationDateTime", 0), UTC
            )
            return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")

        message = {
            "requestContext": {
                "requestId": str(uuid.uuid4()),
                "functionArn": f"arn:aws:lambda:{self.region}:{LOCAL_ACCOUNT_ID}:function:"
                f"{self.mapping.function}",
                "condition": "RetryAttemptsExhausted",
                "approximateInvokeCount": attempts,
            },
            "responseContext": {
                "statusCode": 200,
                "executedVersion": "$LATEST",
                "functionError": "Unhandled" if invocation.failed else "",
            },
            "version": "1.0",
            "timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
            "DDBStreamBatchInfo": {
                "shardId": shard_id,
                "startSequenceNumber": pending[0]["dynamodb"]["SequenceNumber"],
                "endSequenceNumber": pending[-1]["dynamodb"]["SequenceNumber"],
                "approximateArrivalOfFirstRecord": arrival(pending[0]),
                "approximateArrivalOfLastRecord": arrival(pending[-1]),
                "batchSize": len(pending),
                "streamArn": arn,
            },
        }
        self.log(
            level="ERROR",
            message=f"{self.mapping.function}: {len(pending)} stream record(s) dead-lettered "
            f"after {attempts} attempts",
        )
        if self.mapping.on_failure:
            self.dead_letter(self.mapping.on_failure, message)


def _failed_sequence_numbers(result: Any) -> set[str]:
    if not isinstance(result, dict):
        return set()
    return {
        str(failure.get("itemIdentifier"))
        for failure in result.get("batchItemFailures", [])
        if isinstance(failure, dict)
    }


def wait_until(condition: Callable[[], bool], seconds: float) -> bool:
    """Polls `condition` until it holds or `seconds` pass (a bound, not a timing)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(POLL_SECONDS)
    return condition()
