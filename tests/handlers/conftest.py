"""Handler tests: the template's functions in-process, DynamoDB from moto, tables and
environment read from `infra/template.yaml`."""

import os
from collections.abc import Iterator

import boto3
import pytest
from moto import mock_aws

from orderhelp import api as api_module
from orderhelp import aws, config, wiring
from orderhelp.local.template import (
    create_table_requests,
    function_environment,
    functions,
    parameter_defaults,
    resources,
)
from tests.handlers.client import START, Api, Clock

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
    # Metrics() read its namespace when orderhelp.api was first imported, before this
    # environment existed; on Lambda the environment comes first.
    monkeypatch.setattr(api_module.metrics, "namespace", os.environ["POWERTOOLS_METRICS_NAMESPACE"])
    monkeypatch.setattr(wiring, "utc_now", clock)
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
