"""What the template deploys for logs, checked on SAM's own transform of it (the CloudFormation
that `sam deploy` creates, Globals merged): every function, present and future, writes JSON logs
to a log group of its own that keeps them for a while, the API writes access logs, and the
queues and log groups say what happens to them when the stack goes."""

from functools import cache
from typing import Any

import pytest
from samtranslator.translator.transform import transform
from samtranslator.yaml_helper import yaml_parse

from orderhelp_dev.local.template import TEMPLATE

STATEFUL_WITHOUT_DATA = ("AWS::SQS::Queue", "AWS::Logs::LogGroup")


class _NoManagedPolicies:
    def load(self) -> dict[str, str]:
        return {}


@cache
def deployed() -> dict[str, Any]:
    """The template after SAM's transform. Code locations become S3 URIs as `sam package` makes
    them; nothing else is touched."""
    text = TEMPLATE.read_text("utf-8")
    for folder in ("../functions/", "../statemachine/"):
        text = text.replace(folder, f"s3://artefacts/{folder.strip('./')}.zip")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
        result: dict[str, Any] = transform(yaml_parse(text), {}, _NoManagedPolicies())
    return result


def of_type(kind: str) -> dict[str, Any]:
    return {k: v for k, v in deployed()["Resources"].items() if v["Type"] == kind}


def test_every_function_writes_json_logs_to_its_own_log_group_with_a_retention() -> None:
    log_groups = of_type("AWS::Logs::LogGroup")
    used = []
    lambdas = of_type("AWS::Lambda::Function")
    assert len(lambdas) >= 5
    for logical_id, function in lambdas.items():
        logging = function["Properties"].get("LoggingConfig", {})
        assert logging.get("LogFormat") == "JSON", logical_id
        assert logging.get("ApplicationLogLevel") == {"Ref": "LogLevel"}, logical_id
        group = logging.get("LogGroup", {}).get("Ref")
        assert group in log_groups, f"{logical_id}: LoggingConfig.LogGroup names no log group"
        assert "RetentionInDays" in log_groups[group]["Properties"], group
        used.append(group)
    assert len(set(used)) == len(used), "two functions share a log group"


def test_the_api_writes_access_logs_to_a_log_group_with_a_retention() -> None:
    (stage,) = of_type("AWS::ApiGatewayV2::Stage").values()
    settings = stage["Properties"]["AccessLogSettings"]
    group = settings["DestinationArn"]["Fn::GetAtt"][0]
    assert "RetentionInDays" in of_type("AWS::Logs::LogGroup")[group]["Properties"]
    for variable in (
        "requestId",
        "routeKey",
        "status",
        "integrationErrorMessage",
        "authorizer.error",
    ):
        assert f"$context.{variable}" in settings["Format"]


def test_log_groups_and_queues_say_what_happens_when_the_stack_goes() -> None:
    for kind in STATEFUL_WITHOUT_DATA:
        for logical_id, resource in of_type(kind).items():
            assert resource.get("DeletionPolicy") in ("Delete", "Retain"), logical_id
            assert resource.get("UpdateReplacePolicy") in ("Delete", "Retain"), logical_id


def test_the_log_level_is_one_lambda_and_python_logging_both_know() -> None:
    allowed = deployed()["Parameters"]["LogLevel"]["AllowedValues"]
    lambda_levels = {"TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"}
    python_levels = {"DEBUG", "INFO", "WARN", "WARNING", "ERROR", "CRITICAL"}
    assert set(allowed) <= lambda_levels & python_levels
