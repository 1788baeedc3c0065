"""AWS clients, created once per process on first use.

They honour the SDK's own endpoint settings (`AWS_ENDPOINT_URL_DYNAMODB`, …), which is how the
local stack and the tests point them at the embedded DynamoDB: no custom knob. Every DynamoDB
client is under the invocation's time budget (`orderhelp.budget`): each attempt's read timeout
ends inside the time the function has left."""

from functools import cache
from typing import TYPE_CHECKING

import boto3
from botocore.config import Config

from orderhelp import budget

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_events import EventBridgeClient
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_sesv2 import SESV2Client

# botocore's standard retry mode: exponential backoff with jitter on throttling, 5xx and dropped
# connections, and a retry quota so a struggling table is not hammered. The read timeout here is
# the longest an attempt waits; the budget shortens it as the invocation's time runs out.
CLIENT_CONFIG = Config(
    retries={"mode": "standard", "max_attempts": 3},
    connect_timeout=1,
    read_timeout=budget.READ_TIMEOUT_SECONDS,
    tcp_keepalive=True,
)


@cache
def dynamodb() -> "DynamoDBClient":
    """The store's client: its work stops when the invocation's work budget is spent."""
    client = boto3.client("dynamodb", config=CLIENT_CONFIG)
    budget.install(client)
    return client


@cache
def idempotency_dynamodb() -> "DynamoDBClient":
    """The idempotency records' client: it may use the budget's reserve, so that a request that
    failed still cleans up its in-progress record and the client's retry is not refused."""
    client = boto3.client("dynamodb", config=CLIENT_CONFIG)
    budget.install(client, final=True)
    return client


S3_CONFIG = Config(
    retries={"mode": "standard", "max_attempts": 3},
    connect_timeout=2,
    read_timeout=20,
    # SigV4 everywhere: presigned POSTs and GETs are signed like every request.
    signature_version="s3v4",
)


# The bus and the mail service: standard retries with exponential backoff and jitter, so a
# throttled call (SES's TooManyRequestsException, EventBridge's ThrottlingException) waits and
# tries again before the invocation gives up (and the record or event is retried, then
# dead-lettered). They are not DynamoDB's budget: each call is short and the function's own
# timeout bounds them.
BUS_CONFIG = Config(
    retries={"mode": "standard", "max_attempts": 5},
    connect_timeout=2,
    read_timeout=5,
    tcp_keepalive=True,
)
MAIL_CONFIG = Config(
    retries={"mode": "standard", "max_attempts": 6},
    connect_timeout=2,
    read_timeout=10,
    tcp_keepalive=True,
)


@cache
def s3() -> "S3Client":
    """The attachments bucket's client (the SDK's `AWS_ENDPOINT_URL_S3` points it at the local
    stack's S3)."""
    return boto3.client("s3", config=S3_CONFIG)


@cache
def events() -> "EventBridgeClient":
    """EventBridge, for the outbox publisher."""
    return boto3.client("events", config=BUS_CONFIG)


@cache
def sesv2() -> "SESV2Client":
    """SES (API v2), for the customers' emails."""
    return boto3.client("sesv2", config=MAIL_CONFIG)
