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


def use_local_aws(endpoint: str, region: str, s3_endpoint: str | None = None) -> None:
    """Point this process (and the workers it starts) at the local stack."""
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"):
        os.environ.pop(name, None)
    os.environ.update(sdk_environment(endpoint, region, s3_endpoint))


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
