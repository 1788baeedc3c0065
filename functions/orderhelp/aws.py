"""AWS clients, created once per process on first use.

They honour the SDK's own endpoint settings (`AWS_ENDPOINT_URL_DYNAMODB`, …), which is how the
local stack and the tests point them at the embedded DynamoDB: no custom knob."""

from functools import cache
from typing import TYPE_CHECKING

import boto3
from botocore.config import Config

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

# botocore's standard retry mode: exponential backoff with jitter on throttling and 5xx, and a
# retry quota so a struggling table is not hammered. Short timeouts keep a Lambda from hanging.
CLIENT_CONFIG = Config(
    retries={"mode": "standard", "max_attempts": 3},
    connect_timeout=2,
    read_timeout=5,
    tcp_keepalive=True,
)


@cache
def dynamodb() -> "DynamoDBClient":
    return boto3.client("dynamodb", config=CLIENT_CONFIG)
