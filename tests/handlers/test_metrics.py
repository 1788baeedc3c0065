"""The metrics the functions publish (CloudWatch's embedded metric format on stdout): one name per
thing that happened, what varies as a dimension, and Powertools' ColdStart once per process."""

import json
from typing import Any

import pytest
from aws_lambda_powertools.metrics.provider import cold_start

from tests.handlers.client import Api


@pytest.fixture
def published(capsys: pytest.CaptureFixture[str]) -> Any:
    def read() -> list[dict[str, Any]]:
        documents = []
        for line in capsys.readouterr().out.splitlines():
            if line.startswith("{") and '"_aws"' in line:
                documents.append(json.loads(line))
        return documents

    capsys.readouterr()
    return read


def _metric(documents: list[dict[str, Any]], name: str) -> list[dict[str, Any]]:
    """Each document publishing `name`, as {dimension: value, …, name: values}."""
    found = []
    for document in documents:
        (directive,) = document["_aws"]["CloudWatchMetrics"]
        if any(metric["Name"] == name for metric in directive["Metrics"]):
            (dimensions,) = directive["Dimensions"]
            found.append({key: document[key] for key in [*dimensions, name]})
    return found


def test_a_refused_help_action_is_counted_by_its_reason(api: Api, published: Any) -> None:
    order = api.order_in("shipped")
    published()
    assert api.help(order, "cancel_order").status == 409
    assert _metric(published(), "ActionRefused") == [
        {"Reason": "already_shipped", "service": "order-help", "ActionRefused": [1.0]}
    ]


def test_an_opened_case_is_counted_by_its_action(api: Api, published: Any) -> None:
    order = api.order_in("paid")
    published()
    assert api.help(order, "payment_issue").status == 201
    assert api.help(order, "payment_issue").status == 200  # joined: nothing opened
    assert _metric(published(), "CaseOpened") == [
        {"Action": "payment_issue", "service": "order-help", "CaseOpened": [1.0]}
    ]


def test_the_cold_start_is_published_once_per_process(
    api: Api, published: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As in a fresh execution environment (earlier tests of this process had their cold start).
    monkeypatch.setattr(cold_start, "is_cold_start", True)
    api.details("ORD-404")
    api.details("ORD-404")
    (cold,) = _metric(published(), "ColdStart")
    assert cold["function_name"] == "CustomerApiFunction"
