"""Handler tests: the template's functions in-process, DynamoDB from moto, tables and
environment read from `infra/template.yaml`."""

import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import boto3
import botocore.endpoint
import pytest
from moto import mock_aws

from orderhelp import api as api_module
from orderhelp import aws, config, wiring
from orderhelp.handlers import delay_check as delay_check_handler
from orderhelp_dev.local import moto_dynamodb
from orderhelp_dev.local.sample_events import seed_calls, stage_seed_cases
from orderhelp_dev.local.sdk_endpoints import SDK_ENDPOINT_PREFIX
from orderhelp_dev.local.template import (
    create_table_requests,
    function_environment,
    functions,
    load_template,
    local_references,
    named_buckets,
    resources,
)
from tests.handlers.client import START, Api, Clock, Identity
from tests.handlers.interference import DynamoDBFaults, InterleavingStore
from tests.process_state import forget_process_state

REGION = "eu-west-1"
METRICS_NAMESPACE = "OrderHelpTests"
_worlds: list[Clock] = []


def _reset_process_caches() -> None:
    # What a fresh Lambda execution environment would start without.
    forget_process_state()


@pytest.fixture
def clock() -> Clock:
    return Clock(START)


def _lambda_environment(monkeypatch: pytest.MonkeyPatch, clock: Clock) -> dict[str, str]:
    """The template's environment for every function, and the test's clock; the table names."""
    for name, value in {
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_METRICS_NAMESPACE": METRICS_NAMESPACE,
    }.items():
        monkeypatch.setenv(name, value)
    # Every client in moto in-process, even beside a local stack this worker started.
    for name in [name for name in os.environ if name.startswith(SDK_ENDPOINT_PREFIX)]:
        monkeypatch.delenv(name)
    table_names = {logical_id: logical_id for logical_id in resources("AWS::DynamoDB::Table")}
    refs = local_references(load_template(), REGION) | table_names
    for spec in functions().values():
        for name, value in function_environment(spec, refs).items():
            monkeypatch.setenv(name, value)
    monkeypatch.setattr(wiring, "utc_now", clock)
    # Powertools reads the namespace when `Metrics()` is built, at import: before this fixture
    # set the environment, so give the provider what Lambda would have given it.
    for metrics in (api_module.metrics, delay_check_handler.metrics):
        monkeypatch.setattr(metrics.provider, "namespace", METRICS_NAMESPACE)
    return table_names


@contextmanager
def handler_world(clock: Clock) -> Iterator[Any]:
    """What the handlers run in: the template's environment and tables in moto, the test's clock,
    and nothing cached from before (as in a fresh Lambda execution environment)."""
    if _worlds:
        raise RuntimeError("one handler world at a time: a module uses `shared_api` or `api`")
    _worlds.append(clock)
    try:
        with pytest.MonkeyPatch.context() as monkeypatch:
            table_names = _lambda_environment(monkeypatch, clock)
            _reset_process_caches()
            # Transactions honour ClientRequestToken, as DynamoDB's do; answers and queries
            # cost what DynamoDB's do (see `moto_dynamodb`).
            moto_dynamodb.install()
            # Keep boto3's default session between tests: its loaded service models are what
            # make a client cheap (the tables, not the session, are what a test starts afresh).
            with mock_aws(config={"core": {"reset_boto3_session": False}}):
                client = boto3.client("dynamodb", region_name=REGION)
                for request in create_table_requests(table_names):
                    client.create_table(**request)
                create_buckets(boto3.client("s3", region_name=REGION))
                yield client
    finally:
        _reset_process_caches()
        _worlds.clear()


def create_buckets(s3: Any) -> None:
    """The template's named buckets, empty, in the handlers' region."""
    for name in named_buckets(region=REGION).values():
        s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})


@pytest.fixture
def dynamodb(clock: Clock) -> Iterator[Any]:
    with handler_world(clock) as client:
        yield client


@pytest.fixture
def api(dynamodb: Any, clock: Clock) -> Api:
    return Api(clock, dynamodb)


@pytest.fixture(scope="module")
def shared_api() -> Iterator[Api]:
    """One world for a whole module, for matrices whose every row asserts it changed nothing
    (or works on an order of its own): built once instead of once per row. A module uses either
    this or `api`, never both."""
    clock = Clock(START)
    with handler_world(clock) as client:
        yield Api(clock, client)


@pytest.fixture
def interleaving(api: Api, monkeypatch: pytest.MonkeyPatch) -> InterleavingStore:
    """The running service's store, ready to let another request act between read and write."""
    service = wiring.order_service()
    store = InterleavingStore(service._store)
    monkeypatch.setattr(service, "_store", store)
    return store


@pytest.fixture
def dynamodb_faults(api: Api, monkeypatch: pytest.MonkeyPatch) -> Iterator[DynamoDBFaults]:
    """Faults on the handlers' DynamoDB client. botocore's backoff between attempts is recorded
    in `backoffs` instead of slept, so retries cost no time."""
    faults = DynamoDBFaults(aws.dynamodb(), aws.idempotency_dynamodb())
    monkeypatch.setattr(botocore.endpoint, "time", _NoSleep(faults.backoffs))
    yield faults
    faults.close()


class _NoSleep:
    def __init__(self, record: list[float]) -> None:
        self._record = record

    def sleep(self, seconds: float) -> None:
        self._record.append(seconds)


SeedOrders = Callable[[Sequence[str]], None]


@pytest.fixture
def seed(api: Api, clock: Clock) -> SeedOrders:
    """Puts orders of `events/seed.json` in the store through the API, their times counted from
    the test clock's now."""

    def seed_orders(order_ids: Sequence[str]) -> None:
        for call in seed_calls(order_ids, clock.now):
            identity = Identity.customer(call.as_customer) if call.as_customer else Identity.shop()
            reply = api.call(call.method, call.path, call.body, identity=identity)
            assert reply.status in (200, 201), f"seeding {call.path}: {reply.status} {reply.body}"

    return seed_orders


SeedCases = Callable[[Sequence[str]], None]


@pytest.fixture
def seed_case_states(api: Api, clock: Clock) -> SeedCases:
    """Puts cases of `events/seed.json` in their state (their orders must be seeded first)."""

    def stage(case_ids: Sequence[str]) -> None:
        stage_seed_cases(wiring.store(), case_ids, clock.now, config.case_settings().case_policy())

    return stage
