"""The attachment path in one line per step, in-process: ask for an upload, post it as a browser
posts the form (checked against its policy as S3 checks it), let S3's event run the processing
function, and read what became of it."""

from datetime import UTC, datetime
from typing import Any

import boto3

from orderhelp_dev.local.lambda_runtime import LocalLambdaContext, load_handler
from orderhelp_dev.local.s3 import Refusal, check_post_policy, object_created_event
from orderhelp_dev.local.template import functions, named_buckets
from tests.handlers.client import Api, Identity, Reply

REGION = "eu-west-1"


def signing_credentials() -> dict[str, str]:
    """The keys the handlers' S3 client signs uploads with, as S3 knows its users' keys. That is
    boto3's default session's: the handler world keeps that session between tests, so its keys
    are whichever it resolved first in this process (moto's fake ones, or a test's own)."""
    session = boto3.DEFAULT_SESSION or boto3.Session()
    credentials = session.get_credentials()
    assert credentials is not None, "the handler world always has credentials"
    frozen = credentials.get_frozen_credentials()
    return {frozen.access_key: frozen.secret_key}


CONTENT_TYPES = {".jpg": "image/jpeg", ".png": "image/png", ".pdf": "application/pdf"}


def bucket() -> str:
    (name,) = named_buckets(region=REGION).values()
    return name


def request_upload(
    api: Api,
    identity: Identity,
    filename: str = "photo.jpg",
    content_type: str = "image/jpeg",
    size: int = 1000,
    *,
    headers: dict[str, str] | None = None,
) -> Reply:
    body = {"filename": filename, "content_type": content_type, "size": size}
    return api.call("POST", "/attachments", body, identity=identity, headers=headers)


def post_form(upload: dict[str, Any], data: bytes, now: datetime | None = None) -> Refusal | str:
    """The browser's POST of the form: refused as S3 refuses it, or stored (the key)."""
    fields = upload["upload"]["fields"]
    refusal = check_post_policy(
        bucket(), fields, len(data), now or datetime.now(UTC), signing_credentials()
    )
    if refusal is not None:
        return refusal
    s3 = boto3.client("s3", region_name=REGION)
    s3.put_object(Bucket=bucket(), Key=fields["key"], Body=data, ContentType=fields["Content-Type"])
    return str(fields["key"])


def s3_event(key: str, size: int) -> dict[str, Any]:
    return object_created_event(
        region=REGION,
        bucket=bucket(),
        key=key,
        size=size,
        etag="0123456789abcdef0123456789abcdef",
        event_name="ObjectCreated:Post",
        configuration_id="Uploaded",
    )


def process(key: str, size: int = 1) -> dict[str, Any]:
    """The processing function on the object's event, as S3 would invoke it."""
    spec = functions()["AttachmentProcessingFunction"]
    result: dict[str, Any] = load_handler(spec.handler)(
        s3_event(key, size), LocalLambdaContext(spec.logical_id, spec.timeout, spec.memory_mb)
    )
    return result


def attachment(api: Api, identity: Identity, attachment_id: str) -> Reply:
    return api.call("GET", f"/attachments/{attachment_id}", identity=identity)


def uploaded(
    api: Api,
    identity: Identity,
    data: bytes,
    filename: str = "photo.jpg",
    content_type: str | None = None,
) -> str:
    """An attachment asked for, uploaded and processed: its id (ready or rejected)."""
    kind = content_type or CONTENT_TYPES[filename[filename.rfind(".") :]]
    grant = request_upload(api, identity, filename, kind, len(data))
    assert grant.status == 201, grant
    key = post_form(grant.body, data)
    assert isinstance(key, str), key
    process(key, len(data))
    return str(grant.body["attachment_id"])


def stored_object(key: str) -> bytes:
    s3 = boto3.client("s3", region_name=REGION)
    body: bytes = s3.get_object(Bucket=bucket(), Key=key)["Body"].read()
    return body


def object_exists(key: str) -> bool:
    s3 = boto3.client("s3", region_name=REGION)
    return bool(s3.list_objects_v2(Bucket=bucket(), Prefix=key).get("KeyCount"))
