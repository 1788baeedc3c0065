"""The attachments bucket, behind the `FileStore` protocol: presigned uploads and downloads, and
the objects the processing reads, writes and deletes. Nothing here decides anything."""

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import quote

from botocore.exceptions import ClientError

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

THUMBNAIL_TYPE = "image/jpeg"
"""What every thumbnail is stored as, whatever the picture it shows."""


@dataclass(frozen=True)
class UploadGrant:
    """An S3 presigned POST: the form's action and its fields (the file goes last)."""

    url: str
    fields: dict[str, str]


class FileStore(Protocol):
    def upload_grant(
        self, key: str, content_type: str, max_bytes: int, expires_in: int
    ) -> UploadGrant:
        """A presigned POST whose policy fixes the key, the content type and the size range."""

    def download_url(
        self, key: str, filename: str, content_type: str, *, inline: bool, expires_in: int
    ) -> str:
        """A presigned GET that names the file and its type."""

    def read(self, key: str, limit: int) -> bytes | None:
        """The object's bytes (at most `limit` + 1 are read); None when there is no object."""

    def put(self, key: str, data: bytes, content_type: str) -> None: ...

    def delete(self, key: str) -> None: ...


class S3Files:
    """`FileStore` on one bucket, through one boto3 client."""

    def __init__(self, client: "S3Client", bucket: str) -> None:
        self.client = client
        self.bucket = bucket

    def upload_grant(
        self, key: str, content_type: str, max_bytes: int, expires_in: int
    ) -> UploadGrant:
        # boto3 adds the bucket and the key as conditions; the type and the size are ours.
        post: dict[str, Any] = self.client.generate_presigned_post(
            Bucket=self.bucket,
            Key=key,
            Fields={"Content-Type": content_type},
            Conditions=[{"Content-Type": content_type}, ["content-length-range", 1, max_bytes]],
            ExpiresIn=expires_in,
        )
        return UploadGrant(url=post["url"], fields=dict(post["fields"]))

    def download_url(
        self, key: str, filename: str, content_type: str, *, inline: bool, expires_in: int
    ) -> str:
        disposition = "inline" if inline else "attachment"
        url: str = self.client.generate_presigned_url(
            "get_object",
            Params={
                "Bucket": self.bucket,
                "Key": key,
                "ResponseContentType": content_type,
                # RFC 6266: the name as the owner gave it, in any script.
                "ResponseContentDisposition": f"{disposition}; filename*=UTF-8''{quote(filename)}",
            },
            ExpiresIn=expires_in,
        )
        return url

    def read(self, key: str, limit: int) -> bytes | None:
        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=key)
        except ClientError as missing:
            if missing.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                return None
            raise
        body = answer["Body"]
        try:
            data: bytes = body.read(limit + 1)
        finally:
            body.close()
        return data

    def put(self, key: str, data: bytes, content_type: str) -> None:
        self.client.put_object(Bucket=self.bucket, Key=key, Body=data, ContentType=content_type)

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=key)
