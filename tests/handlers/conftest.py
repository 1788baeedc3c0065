"""Handler tests: the template's functions in-process, DynamoDB from moto, tables and
environment read from `infra/template.yaml`."""

from collections.abc import Callable, Iterator, Sequence

import boto3
import pytest
from moto import mock_aws

from orderhelp import api as api_module
from orderhelp import aws, config, wiring
from orderhelp.local.sample_events import seed_calls
from orderhelp.local.template import (
    create_table_requests,
    function_environment,
    functions,
    parameter_defaults,
    resources,
)
from tests.handlers.client import START, Api, Clock, Identity

REGION = "eu-west-1"


def _reset_process_caches() -> None:
    # What a fresh Lambda execution environment would start without.
    for cached in (
        aws.dynamodb,
        config.policy_settings,
        config.case_settings,
        config.store_settings,
        wiring.order_service,
        api_module._idempotency_store,
    ):
        cached.cache_clear()


@pytest.fixture
def clock() -> Clock:
    return Clock(START)


@pytest.fixture
def dynamodb(monkeypatch: pytest.MonkeyPatch, clock: Clock) -> Iterator[object]:
    for name, value in {
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_METRICS_NAMESPACE": "OrderHelpTests",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL_DYNAMODB", raising=False)
    table_names = {logical_id: logical_id for logical_id in resources("AWS::DynamoDB::Table")}
    refs = parameter_defaults() | table_names
    for spec in functions().values():
        for name, value in function_environment(spec, refs).items():
            monkeypatch.setenv(name, value)
    monkeypatch.setattr(wiring, "utc_now", clock)
    # The handlers' Metrics read their namespace from the environment when first imported, which
    # in a test run is before this fixture sets it (in Lambda the environment comes first).
    monkeypatch.setattr(api_module.metrics, "namespace", "OrderHelpTests")
    _reset_process_caches()
    with mock_aws():
        client = boto3.client("dynamodb", region_name=REGION)
        for request in create_table_requests(table_names):
            client.create_table(**request)
        yield client
    _reset_process_caches()


@pytest.fixture
def api(dynamodb: object, clock: Clock) -> Api:
    return Api(clock)


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
