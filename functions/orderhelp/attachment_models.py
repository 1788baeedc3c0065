"""The attachment routes' bodies: asking for an upload, and what an attachment is now."""

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

from lifecycle.attachments import (
    ALLOWED_TYPES,
    MAX_ATTACHMENT_BYTES,
    AttachmentStatus,
    AttachmentType,
    FileName,
    RejectionReason,
)

TYPE_NOT_ALLOWED = "attachment_type_not_allowed"
TOO_LARGE = "attachment_too_large"


class UploadRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    filename: FileName = Field(description="The file's name as picked (no path), 1 to 255.")
    content_type: AttachmentType = Field(
        description=f"One of {ALLOWED_TYPES}; the bytes are checked to be of this type."
    )
    size: int = Field(
        ge=1,
        description=f"In bytes, at most {MAX_ATTACHMENT_BYTES} (10 MB); the upload may not be "
        "larger.",
    )

    @field_validator("content_type", mode="before")
    @classmethod
    def _allowed(cls, value: Any) -> Any:
        # The refusal lists what is allowed, in the caller's language (`validation.types`).
        allowed = {str(kind) for kind in AttachmentType}
        if not isinstance(value, str) or value.strip().lower() not in allowed:
            raise PydanticCustomError(
                TYPE_NOT_ALLOWED,
                "Only these types can be sent: {allowed}",
                {"allowed": ALLOWED_TYPES},
            )
        return value.strip().lower()

    @field_validator("size", mode="after")
    @classmethod
    def _small_enough(cls, value: int) -> int:
        if value > MAX_ATTACHMENT_BYTES:
            raise PydanticCustomError(
                TOO_LARGE,
                "A file can be at most {limit_mb} MB",
                {"limit_mb": MAX_ATTACHMENT_BYTES // (1024 * 1024)},
            )
        return value


class PresignedPost(BaseModel):
    url: str = Field(description="Where to POST the form (S3).")
    fields: dict[str, str] = Field(
        description="The form's fields, in this order, before the file (as the field `file`)."
    )


class AttachmentUpload(BaseModel):
    """Where to upload the file: a form for S3 whose policy fixes the key, the type and the
    largest size; then reference `attachment_id` in a message once it is `ready`."""

    attachment_id: str
    upload: PresignedPost
    expires_at: datetime = Field(description="The upload is refused after this time.")


class AttachmentView(BaseModel):
    """An attachment as its owner, agents and (once on a message) the case's customer see it.
    The URLs are short-lived presigned GETs, present once the attachment is `ready`."""

    attachment_id: str
    status: AttachmentStatus
    filename: str
    content_type: str = Field(
        description="What the file is stored as (a HEIC photo is kept as a JPEG)."
    )
    size: int
    reason: RejectionReason | None = Field(default=None, description="Why it was rejected.")
    download_url: str | None = None
    thumbnail_url: str | None = None
