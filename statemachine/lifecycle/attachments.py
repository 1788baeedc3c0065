"""Photos and files on a case: what may be uploaded, the record of an upload, and
`AttachmentLifecycle`, the machine of what became of it.

An attachment starts `pending` when its owner (a customer, or an agent) asks for an upload. The
processing of the uploaded bytes makes it `ready` (the bytes are what was declared, re-encoded for
images) or `rejected`, with the reason. A ready attachment is put on one message of a case; from
then on the case's customer may read it too, unless the message is an agents' internal note.

Nothing here reads bytes or talks to storage: the processing decides *what* the bytes are, these
rules only say what each outcome means."""

from datetime import datetime, timedelta
from enum import StrEnum
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
)
from statemachine.exceptions import TransitionNotAllowed

from lifecycle.base import Record
from lifecycle.errors import EventNotAllowed, RuleViolation
from lifecycle.order import Identifier
from lifecycle.text import SINGLE_LINE
from lifecycle.times import UtcDatetime
from statemachine import State, StateMachine


class AttachmentType(StrEnum):
    """The content types a customer or an agent may upload."""

    JPEG = "image/jpeg"
    PNG = "image/png"
    WEBP = "image/webp"
    HEIC = "image/heic"
    PDF = "application/pdf"

    @property
    def is_image(self) -> bool:
        return self is not AttachmentType.PDF


ALLOWED_TYPES = ", ".join(AttachmentType)
"""The allowed content types, as a refusal lists them."""

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
"""10 MB: a phone's photo fits; an upload larger than declared is refused by S3's policy."""

MAX_ATTACHMENTS_PER_MESSAGE = 5

UPLOAD_WINDOW = timedelta(minutes=15)
"""How long the presigned upload is valid after it was given out."""

PROCESSING_GRACE = timedelta(minutes=15)
"""How long after its upload window a pending attachment may still be processed (S3 delivers its
event within seconds, and retries a failed processing for some minutes). Past that, an upload that
never came is rejected as expired, and so is one whose event comes even later."""

MAX_IMAGE_PIXELS = 50_000_000
"""A 48 MP phone photo fits; a picture declaring more is refused before it is decoded (a
decompression bomb: a few KB that would take gigabytes once decoded)."""

MAX_PDF_PAGES = 500

THUMBNAIL_PIXELS = 320
"""The thumbnail's longest side."""


class AttachmentStatus(StrEnum):
    """What the owner is told."""

    PENDING = "pending"
    READY = "ready"
    REJECTED = "rejected"


class AttachmentStage(StrEnum):
    """Where the record is in `AttachmentLifecycle`: a ready attachment is put on one message
    only (`attached`), and is still `ready` to whoever reads it."""

    PENDING = "pending"
    READY = "ready"
    ATTACHED = "attached"
    REJECTED = "rejected"

    @property
    def status(self) -> AttachmentStatus:
        return (
            AttachmentStatus.READY if self is AttachmentStage.ATTACHED else AttachmentStatus(self)
        )


class RejectionReason(StrEnum):
    """Why the uploaded bytes were refused (each said in words by the locales' `attachments`)."""

    TYPE_MISMATCH = "type_mismatch"
    """The bytes are not of the declared type (a PNG declared as a PDF, a program named .jpg)."""
    UNREADABLE = "unreadable"
    """The bytes start like the declared type but cannot be decoded (damaged or crafted)."""
    DECOMPRESSION_BOMB = "decompression_bomb"
    TOO_LARGE = "too_large"
    """Larger than declared or than the limit (S3's policy refuses it first)."""
    TOO_MANY_PAGES = "too_many_pages"
    ENCRYPTED = "encrypted"
    """A PDF with a password: customer service could not open it."""
    UPLOAD_EXPIRED = "upload_expired"


class OwnerKind(StrEnum):
    CUSTOMER = "customer"
    AGENT = "agent"


def _no_path(name: str) -> str:
    """A file name, not a path: what a browser sends for a picked file."""
    if "/" in name or "\\" in name:
        raise RuleViolation("file_name", "a file name holds no / or \\")
    return name


FileName = Annotated[
    str,
    StringConstraints(min_length=1, max_length=255, pattern=r"\S"),
    SINGLE_LINE,
    AfterValidator(_no_path),
]


class MessageAttachment(BaseModel):
    """A photo or file as the message it is on keeps it: its id and what it is, never a link (the
    outbox reads the messages, and events carry no URLs)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    attachment_id: Identifier
    content_type: AttachmentType = Field(
        description="What the file is stored as (a HEIC photo is kept as a JPEG)."
    )


class StoredFile(BaseModel):
    """What the processing stored of an upload it accepted: the file as it is served, and what
    the bytes turned out to be. Nothing else of the record can change by accepting it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    content_type: AttachmentType
    """As stored and served: a HEIC photo is kept as a JPEG, which browsers show."""
    size: int
    """The stored bytes (a re-encoded picture's, not the upload's)."""
    has_thumbnail: bool = False
    width: int | None = None
    height: int | None = None
    pages: int | None = None
    """A PDF's."""


class Attachment(Record):
    attachment_id: Identifier
    owner_id: str = Field(min_length=1)
    owner_kind: OwnerKind
    filename: FileName
    content_type: AttachmentType
    """What the owner declared (and, once ready, what the bytes are)."""
    size: int = Field(ge=1, le=MAX_ATTACHMENT_BYTES)
    """The size declared; the upload may not be larger."""
    stage: AttachmentStage = AttachmentStage.PENDING
    version: int = Field(default=0, ge=0)
    created_at: UtcDatetime
    upload_expires_at: UtcDatetime
    reason: RejectionReason | None = None
    processed_at: UtcDatetime | None = None
    stored_type: Annotated[AttachmentType | None, BeforeValidator(lambda value: value or None)] = (
        None
    )
    """The content type of the stored file (`StoredFile.content_type`); none until accepted."""
    stored_size: int | None = None
    has_thumbnail: bool = False
    width: int | None = None
    height: int | None = None
    pages: int | None = None
    case_id: Identifier | None = None
    """The case whose message carries it, once attached."""
    case_customer_id: str | None = None
    """That case's customer: who, besides the owner and agents, may read it."""
    message_id: Identifier | None = None
    internal: bool = False
    """On an agents' internal note: never shown to the customer."""

    # --- guards ----------------------------------------------------------------------------------

    def within_processing_time(self, now: datetime) -> bool:
        return now <= self.upload_expires_at + PROCESSING_GRACE

    # --- what it is, seen at a moment ------------------------------------------------------------

    @property
    def served_type(self) -> AttachmentType:
        """What the file is as stored and served (a HEIC photo is kept as a JPEG)."""
        return self.stored_type or self.content_type

    def on_message(self) -> MessageAttachment:
        return MessageAttachment(attachment_id=self.attachment_id, content_type=self.served_type)

    def status_at(self, now: datetime) -> AttachmentStatus:
        """Pending past its processing time is as good as rejected: nothing will process it."""
        if self.stage is AttachmentStage.PENDING and not self.within_processing_time(now):
            return AttachmentStatus.REJECTED
        return self.stage.status

    def reason_at(self, now: datetime) -> RejectionReason | None:
        if self.stage is AttachmentStage.PENDING and not self.within_processing_time(now):
            return RejectionReason.UPLOAD_EXPIRED
        return self.reason

    def readable_by_customer(self, customer_id: str) -> bool:
        """The owner, or the customer of the case it was attached to (not in an internal note)."""
        if self.owner_kind is OwnerKind.CUSTOMER and self.owner_id == customer_id:
            return True
        return self.case_customer_id == customer_id and not self.internal

    def attachable_by(self, kind: OwnerKind, caller: str) -> bool:
        return self.owner_kind is kind and self.owner_id == caller


class AttachmentLifecycle(StateMachine):
    pending = State("Pending", initial=True, value=AttachmentStage.PENDING)
    ready = State("Ready", value=AttachmentStage.READY)
    attached = State("Attached", final=True, value=AttachmentStage.ATTACHED)
    rejected = State("Rejected", final=True, value=AttachmentStage.REJECTED)

    accept = pending.to(ready, cond="within_processing_time")
    reject = pending.to(rejected)
    attach = ready.to(attached)

    def __init__(self, attachment: Attachment) -> None:
        super().__init__(model=attachment, state_field="stage")

    @property
    def attachment(self) -> Attachment:
        attachment: Attachment = self.model
        return attachment

    def on_accept(self, now: datetime, stored: StoredFile) -> None:
        attachment = self.attachment
        attachment.processed_at = now
        attachment.stored_type = stored.content_type
        attachment.stored_size = stored.size
        attachment.has_thumbnail = stored.has_thumbnail
        attachment.width = stored.width
        attachment.height = stored.height
        attachment.pages = stored.pages

    def on_reject(self, now: datetime, reason: RejectionReason) -> None:
        self.attachment.processed_at = now
        self.attachment.reason = reason

    def on_attach(
        self, case_id: str, case_customer_id: str, message_id: str, on_internal_note: bool
    ) -> None:
        self.attachment.case_id = case_id
        self.attachment.case_customer_id = case_customer_id
        self.attachment.message_id = message_id
        self.attachment.internal = on_internal_note


def apply_attachment_event(
    attachment: Attachment, event: str, *, now: datetime, **data: Any
) -> Attachment:
    """Fire `event` on a copy of `attachment`; `EventNotAllowed` if refused."""
    working = attachment.model_copy(deep=True)
    try:
        AttachmentLifecycle(working).send(event, now=now, **data)
    except TransitionNotAllowed as refused:
        raise EventNotAllowed(event, attachment.stage, subject="attachment") from refused
    return Attachment.model_validate(working.model_dump())


def new_attachment(
    *,
    attachment_id: str,
    owner_id: str,
    owner_kind: OwnerKind,
    filename: str,
    content_type: AttachmentType,
    size: int,
    now: datetime,
) -> Attachment:
    return Attachment(
        attachment_id=attachment_id,
        owner_id=owner_id,
        owner_kind=owner_kind,
        filename=filename,
        content_type=content_type,
        size=size,
        created_at=now,
        upload_expires_at=now + UPLOAD_WINDOW,
    )


AttachmentIds = Annotated[
    list[Identifier],
    Field(
        max_length=MAX_ATTACHMENTS_PER_MESSAGE,
        description=f"Photos or files to put on the message (at most "
        f"{MAX_ATTACHMENTS_PER_MESSAGE}): each the caller's own upload, `ready`.",
    ),
]
