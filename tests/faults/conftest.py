"""Worlds for the fault tests: the template's functions in-process, their DynamoDB the embedded
one (moto's server, as `make run` has it) reached through a `FaultyProxy`, and every id made
from a counter, so that two runs of the same story — one with a fault, one without — can be
compared item for item."""

import itertools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import boto3
import botocore.endpoint
import pytest
from botocore.config import Config

from orderhelp import aws, budget, changes, ids
from orderhelp.config import store_settings
from orderhelp_dev.local import dynamodb_transactions
from orderhelp_dev.local.dynamodb import EmbeddedDynamoDB
from orderhelp_dev.local.s3 import EmbeddedS3
from orderhelp_dev.local.template import create_table_requests, load_template, named_buckets
from tests.faults.proxy import FaultyProxy
from tests.handlers.client import START, Api, Clock
from tests.handlers.conftest import REGION, _lambda_environment
from tests.process_state import forget_process_state

FUNCTION_SECONDS = 2.5
"""What a function has for the request a hang test disturbs: short, so that a hung DynamoDB
costs the test little (the budget keeps 1 s back, so 1.5 s go to DynamoDB: the first attempt is
sent even on a loaded machine, where a request's reads take tens of milliseconds). Everything
else runs with the template's timeouts."""

READ_TIMEOUT_SECONDS = 1.0
"""The longest a DynamoDB attempt waits here (2 s deployed, `orderhelp.budget`): a run without
a budget, a scheduled one, gives up on a hung DynamoDB after its three attempts in 3 s, not 6 s.
An undisturbed request through the proxy takes milliseconds, so no healthy answer is cut off."""


class CountingSecrets:
    """`secrets` for the Lambda code: the same tokens, in the same order, in every world."""

    def __init__(self) -> None:
        self._counter = itertools.count(1)

    def token_hex(self, nbytes: int = 16) -> str:
        return f"{next(self._counter):0{2 * nbytes}x}"


@dataclass
class World:
    api: Api
    proxy: FaultyProxy

    def orders_table(self) -> list[dict[str, Any]]:
        """Every item of the orders table, sorted: what a story left behind."""
        return self.api.snapshot()[store_settings().orders_table]


@pytest.fixture(scope="module")
def embedded_dynamodb() -> Iterator[EmbeddedDynamoDB]:
    server = EmbeddedDynamoDB()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def embedded_s3() -> Iterator[EmbeddedS3]:
    """The attachments' bucket for the stories that upload (no fault is put on S3)."""
    server = EmbeddedS3(REGION, credentials={"testing": "testing"})
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def worlds(
    embedded_dynamodb: EmbeddedDynamoDB, embedded_s3: EmbeddedS3
) -> Iterator[Callable[[], Any]]:
    """`worlds()` enters a fresh world (new tables, fresh process state, ids from 1); one at a
    time, each in a `with`."""
    proxy = FaultyProxy(*embedded_dynamodb.endpoint.removeprefix("http://").split(":")).start()
    direct = boto3.client(
        "dynamodb",
        endpoint_url=embedded_dynamodb.endpoint,
        region_name=REGION,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )

    @contextmanager
    def world() -> Iterator[World]:
        clock = Clock(START)
        with pytest.MonkeyPatch.context() as monkeypatch:
            tables = _lambda_environment(monkeypatch, clock)
            # DynamoDB through the faults, S3 in its own server, every other service (the bus,
            # SQS, SES) in the embedded server: nothing here ever reaches AWS.
            monkeypatch.setenv("AWS_ENDPOINT_URL", embedded_dynamodb.endpoint)
            monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", proxy.endpoint)
            monkeypatch.setenv("AWS_ENDPOINT_URL_S3", embedded_s3.endpoint)
            secrets = CountingSecrets()
            monkeypatch.setattr(ids, "secrets", secrets)
            monkeypatch.setattr(changes, "secrets", secrets)
            # botocore's backoff between attempts costs no time (the budget still counts).
            monkeypatch.setattr(botocore.endpoint, "time", _NoSleep())
            monkeypatch.setattr(budget, "READ_TIMEOUT_SECONDS", READ_TIMEOUT_SECONDS)
            monkeypatch.setattr(
                aws,
                "CLIENT_CONFIG",
                aws.CLIENT_CONFIG.merge(Config(read_timeout=READ_TIMEOUT_SECONDS)),
            )
            forget_process_state()
            for name in direct.list_tables()["TableNames"]:
                direct.delete_table(TableName=name)
            dynamodb_transactions.forget_tokens()
            for request in create_table_requests(tables, load_template()):
                direct.create_table(**request)
            _empty_buckets(embedded_s3.endpoint)
            proxy.heal()
            try:
                yield World(Api(clock, direct), proxy)
            finally:
                proxy.heal()
                forget_process_state()

    try:
        yield world
    finally:
        proxy.stop()


def _empty_buckets(endpoint: str) -> None:
    s3 = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    for name in named_buckets(region=REGION).values():
        existing = {bucket["Name"] for bucket in s3.list_buckets().get("Buckets", [])}
        if name in existing:
            for item in s3.list_objects_v2(Bucket=name).get("Contents", []):
                s3.delete_object(Bucket=name, Key=item["Key"])
        else:
            location: Any = {"LocationConstraint": REGION}
            s3.create_bucket(Bucket=name, CreateBucketConfiguration=location)


class _NoSleep:
    @staticmethod
    def sleep(seconds: float) -> None:
        del seconds
