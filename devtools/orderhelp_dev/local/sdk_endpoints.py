"""Pointing the AWS SDK at the local stack, through the SDK's own settings only."""

import os
from typing import TYPE_CHECKING

import boto3
from botocore.config import Config

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


def sdk_environment(endpoint: str, region: str, s3_endpoint: str | None = None) -> dict[str, str]:
    """The SDK's own settings that point every AWS client of a process at the local stack, with
    credentials moto accepts (never real ones: a profile or session token would be ignored)."""
    s3 = {"AWS_ENDPOINT_URL_S3": s3_endpoint} if s3_endpoint else {}
    return s3 | {
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ENDPOINT_URL_DYNAMODB": endpoint,
        "AWS_REGION": region,
        "AWS_DEFAULT_REGION": region,
        "AWS_ACCESS_KEY_ID": "local",
        "AWS_SECRET_ACCESS_KEY": "local",
        "AWS_EC2_METADATA_DISABLED": "true",
    }


SDK_ENDPOINT_PREFIX = "AWS_ENDPOINT_URL"
"""The SDK's endpoint settings: `AWS_ENDPOINT_URL` and `AWS_ENDPOINT_URL_<SERVICE>`."""


class ProcessEnvironment:
    """Changes to this process's environment, put back as they were by `restore`: a stack that
    stopped leaves no endpoint behind for the clients its host process makes afterwards."""

    def __init__(self) -> None:
        self._before: dict[str, str | None] = {}

    def set(self, name: str, value: str) -> None:
        self._before.setdefault(name, os.environ.get(name))
        os.environ[name] = value

    def remove(self, name: str) -> None:
        self._before.setdefault(name, os.environ.get(name))
        os.environ.pop(name, None)

    def restore(self) -> None:
        for name, value in self._before.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        self._before.clear()


def use_local_aws(
    environment: ProcessEnvironment,
    endpoint: str,
    region: str,
    s3_endpoint: str | None = None,
) -> None:
    """Point this process (and the workers it starts) at the local stack, through
    `environment`."""
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"):
        environment.remove(name)
    for name, value in sdk_environment(endpoint, region, s3_endpoint).items():
        environment.set(name, value)


TOOLING_CONFIG = Config(
    retries={"mode": "standard", "max_attempts": 10},
    connect_timeout=5,
    read_timeout=60,
)
"""The tooling's own patience: staging demo data is not a Lambda invocation with a budget, and on
a busy machine the embedded DynamoDB may take seconds to answer."""


def tooling_dynamodb() -> "DynamoDBClient":
    """A DynamoDB client for the local stack's own work (demo data, seeds), pointed at it by the
    SDK settings `use_local_aws` made."""
    client: DynamoDBClient = boto3.client("dynamodb", config=TOOLING_CONFIG)
    return client
