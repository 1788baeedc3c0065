"""Handlers of the test-only template: what the emulator must pass on and map back."""

import base64
import json
import os
import time
import uuid
from functools import cache
from typing import Any

import boto3

PNG_BYTES = bytes(range(256))


@cache
def _dynamodb() -> Any:
    return boto3.client("dynamodb")


def echo(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return {
        "statusCode": 200,
        "headers": {"X-Echo": "yes", "Content-Type": "application/json"},
        "cookies": ["flavour=chocolate; Path=/", "size=large"],
        "body": json.dumps(
            {
                "event": event,
                "context": {
                    "function_name": context.function_name,
                    "aws_request_id": context.aws_request_id,
                    "remaining_ms": context.get_remaining_time_in_millis(),
                },
                "pid": os.getpid(),
            }
        ),
    }


def shapes(event: dict[str, Any], context: Any) -> Any:
    shape = event["pathParameters"]["shape"]
    if shape == "bare":
        return {"hello": "wörld"}
    if shape == "text":
        return "just text"
    if shape == "binary":
        return {
            "statusCode": 200,
            "headers": {"content-type": "image/png"},
            "isBase64Encoded": True,
            "body": base64.b64encode(PNG_BYTES).decode(),
        }
    if shape == "raise":
        raise RuntimeError("the handler failed on purpose")
    if shape == "crash":
        os._exit(3)
    if shape == "malformed":
        return {"statusCode": "not a number", "body": "?"}
    if shape == "unserializable":
        return {"statusCode": 200, "body": object()}
    return {"statusCode": 200, "body": json.dumps({"pid": os.getpid()})}


def rendezvous(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Waits until `n` invocations of the group have arrived: possible only if they run at once.
    Answers `met: false` when its time runs out alone."""
    group = event["pathParameters"]["group"]
    wanted = int(event["queryStringParameters"]["n"])
    client = _dynamodb()
    table = os.environ["TICKS_TABLE"]
    client.put_item(
        TableName=table,
        Item={"pk": {"S": f"meet#{group}"}, "sk": {"S": str(uuid.uuid4())}},
    )
    met = False
    while context.get_remaining_time_in_millis() > 2000:
        arrived = client.query(
            TableName=table,
            KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues={":pk": {"S": f"meet#{group}"}},
            Select="COUNT",
        )["Count"]
        if arrived >= wanted:
            met = True
            break
        time.sleep(0.02)
    return {"statusCode": 200, "body": json.dumps({"met": met, "pid": os.getpid()})}


def tick(event: dict[str, Any], context: Any) -> Any:
    client = _dynamodb()
    table = os.environ["TICKS_TABLE"]
    if event.get("routeKey") == "GET /ticks":
        items = client.query(
            TableName=table,
            KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues={":pk": {"S": "ticks"}},
        )["Items"]
        return [json.loads(item["event"]["S"]) for item in items]
    client.put_item(
        TableName=table,
        Item={
            "pk": {"S": "ticks"},
            "sk": {"S": f"{time.time():.6f}#{uuid.uuid4()}"},
            "event": {"S": json.dumps(event)},
        },
    )
    return {"ticked": True}
