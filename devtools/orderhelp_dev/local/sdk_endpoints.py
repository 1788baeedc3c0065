"""Pointing the AWS SDK at the local stack, through the SDK's own settings only."""

import os


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
