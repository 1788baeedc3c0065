"""The attachment flows: an owner asks for an upload, the processing decides what the uploaded
bytes are, whoever may read an attachment gets short-lived links to it, and a message takes
attachments. Every record change is a `Changeset` like any other: the record of an upload is
written with the grant, its outcome by the processing, and its place on a case's message in the
very transaction that writes the message."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from aws_lambda_powertools import Logger

from lifecycle.attachments import (
    MAX_ATTACHMENT_BYTES,
    UPLOAD_WINDOW,
    Attachment,
    AttachmentStage,
    AttachmentStatus,
    AttachmentType,
    OwnerKind,
    RejectionReason,
    StoredFile,
    apply_attachment_event,
    new_attachment,
)
from orderhelp.attachment_models import (
    AttachmentUpload,
    AttachmentView,
    PresignedPost,
    UploadRequest,
)
from orderhelp.attempts import recognised, write_once
from orderhelp.changes import Changeset, RequestContext
from orderhelp.errors import AttachmentNotFound, ConcurrentUpdate
from orderhelp.files import THUMBNAIL_TYPE, FileStore
from orderhelp.records import Actor, ActorKind
from orderhelp.retry import RetryPolicy
from orderhelp.services import derived_id
from orderhelp.store import OrderStore, keys

if TYPE_CHECKING:
    from orderhelp.inspection import Inspected

logger = Logger(child=True)

Clock = Callable[[], datetime]

DOWNLOAD_URL_SECONDS = 300
"""How long a download or thumbnail link works: enough to open it, too short to pass around."""

PROCESSING = Actor(kind=ActorKind.SYSTEM, id="attachment-processing")


@dataclass(frozen=True)
class Reader:
    """Who reads an attachment: agents read any; a customer their own, and those on their cases'
    messages (never one on an internal note)."""

    kind: OwnerKind
    id: str

    def may_read(self, attachment: Attachment) -> bool:
        if self.kind is OwnerKind.AGENT:
            return True
        return attachment.readable_by_customer(self.id)


@dataclass(frozen=True)
class ProcessingOutcome:
    attachment_id: str | None
    status: str
    """`ready`, `rejected`, or what was skipped: `unknown` (no such attachment or key),
    `already_done` (S3 delivered the event again)."""
    reason: RejectionReason | None = None


class AttachmentService:
    def __init__(
        self,
        store: OrderStore,
        clock: Clock,
        files: FileStore | None = None,
        retry: RetryPolicy | None = None,
    ) -> None:
        self._store = store
        self._clock = clock
        self._files = files
        self._retry = retry or RetryPolicy()

    # --- asking for an upload --------------------------------------------------------------------

    def request_upload(self, request: RequestContext, body: UploadRequest) -> AttachmentUpload:
        """The record of the upload (pending) and the presigned POST for it. The id follows from
        the request, so a client's retry with the same Idempotency-Key gets the same upload."""
        owner = _owner_of(request)
        attachment_id = derived_id("AT", request.id)
        found = self._store.load_attachment(attachment_id)
        if found is not None and found.attachable_by(owner.kind, owner.id):
            return recognised(self._grant(found))
        now = self._clock()
        attachment = new_attachment(
            attachment_id=attachment_id,
            owner_id=owner.id,
            owner_kind=owner.kind,
            filename=body.filename,
            content_type=body.content_type,
            size=body.size,
            now=now,
        )
        change = Changeset(request, now)
        created = change.put_record(attachment)
        self._store.commit(change)
        return self._grant(created)

    def _grant(self, attachment: Attachment) -> AttachmentUpload:
        grant = self._file_store().upload_grant(
            keys.upload_object_key(attachment.attachment_id),
            str(attachment.content_type),
            attachment.size,
            int(UPLOAD_WINDOW.total_seconds()),
        )
        return AttachmentUpload(
            attachment_id=attachment.attachment_id,
            upload=PresignedPost(url=grant.url, fields=grant.fields),
            expires_at=attachment.upload_expires_at,
        )

    # --- reading ---------------------------------------------------------------------------------

    def view(self, reader: Reader, attachment_id: str) -> AttachmentView:
        attachment = self._store.load_attachment(attachment_id)
        if attachment is None or not reader.may_read(attachment):
            raise AttachmentNotFound(attachment_id)
        now = self._clock()
        status = attachment.status_at(now)
        view = AttachmentView(
            attachment_id=attachment.attachment_id,
            status=status,
            filename=attachment.filename,
            content_type=str(attachment.served_type),
            size=attachment.stored_size or attachment.size,
            reason=attachment.reason_at(now),
        )
        if status is not AttachmentStatus.READY:
            return view
        files = self._file_store()
        stored_type = str(attachment.served_type)
        links = {
            "download_url": files.download_url(
                keys.file_object_key(attachment_id),
                attachment.filename,
                stored_type,
                # A re-encoded picture is safe to show; a PDF is saved, not opened by the page.
                inline=stored_type != AttachmentType.PDF,
                expires_in=DOWNLOAD_URL_SECONDS,
            )
        }
        if attachment.has_thumbnail:
            links["thumbnail_url"] = files.download_url(
                keys.thumbnail_object_key(attachment_id),
                attachment.filename,
                THUMBNAIL_TYPE,
                inline=True,
                expires_in=DOWNLOAD_URL_SECONDS,
            )
        return view.model_copy(update=links)

    # --- processing ------------------------------------------------------------------------------

    def process_upload(
        self, files: FileStore, object_key: str, request: RequestContext
    ) -> ProcessingOutcome:
        """What the uploaded object is: kept (re-encoded) and `ready`, or `rejected` with the
        reason; the upload itself is deleted either way. S3 may deliver an event twice, and a
        failed run is retried: the files are written before the record, the record only from
        `pending`, so a second run changes nothing."""
        attachment_id = keys.attachment_id_of_upload(object_key)
        if attachment_id is None:
            # Not a key an upload grant gives out: not this function's to touch.
            logger.warning("an object no upload grant names", extra={"key": object_key})
            return ProcessingOutcome(None, "unknown")
        attachment = self._store.load_attachment(attachment_id)
        if attachment is None:
            logger.warning("an upload no attachment asked for", extra={"key": object_key})
            files.delete(object_key)
            return ProcessingOutcome(attachment_id, "unknown")
        if attachment.stage is not AttachmentStage.PENDING:
            files.delete(object_key)
            return ProcessingOutcome(attachment_id, "already_done")
        now = self._clock()
        outcome = self._inspected(files, object_key, attachment, now)
        if not isinstance(outcome, RejectionReason):
            files.put(
                keys.file_object_key(attachment.attachment_id), outcome.data, outcome.content_type
            )
            if outcome.thumbnail is not None:
                files.put(
                    keys.thumbnail_object_key(attachment.attachment_id),
                    outcome.thumbnail,
                    THUMBNAIL_TYPE,
                )
        decided = self._record_outcome(request, attachment.attachment_id, outcome, now)
        files.delete(object_key)
        return decided

    def _inspected(
        self, files: FileStore, object_key: str, attachment: Attachment, now: datetime
    ) -> "Inspected | RejectionReason":
        if not attachment.within_processing_time(now):
            return RejectionReason.UPLOAD_EXPIRED
        data = files.read(object_key, MAX_ATTACHMENT_BYTES)
        if data is None:
            # Deleted after a run that recorded its outcome; that run's record stands.
            return RejectionReason.UNREADABLE
        if len(data) > attachment.size:
            # S3's policy refuses it first: this is the second lock, not the first.
            return RejectionReason.TOO_LARGE
        # The decoders (Pillow, pillow-heif, pypdf) are the processing function's alone: the
        # functions that only hand out uploads and downloads never import them.
        from orderhelp.inspection import Refused, inspect  # noqa: PLC0415

        result = inspect(data, attachment.content_type)
        return result.reason if isinstance(result, Refused) else result

    def _record_outcome(
        self,
        request: RequestContext,
        attachment_id: str,
        outcome: "Inspected | RejectionReason",
        now: datetime,
    ) -> ProcessingOutcome:
        """The outcome recorded as of `now`, when the processing began and its window was
        checked: a decode that ends past the window's end does not make it expire unseen."""

        def attempt(number: int) -> ProcessingOutcome:
            current = self._store.load_attachment(attachment_id)
            if current is None:
                raise AttachmentNotFound(attachment_id)
            if current.stage is not AttachmentStage.PENDING:
                return ProcessingOutcome(attachment_id, "already_done")
            change = Changeset(request, now, attempt=number)
            if not isinstance(outcome, RejectionReason):
                after = apply_attachment_event(
                    current,
                    "accept",
                    now=now,
                    stored=StoredFile(
                        content_type=AttachmentType(outcome.content_type),
                        size=len(outcome.data),
                        has_thumbnail=outcome.thumbnail is not None,
                        width=outcome.width,
                        height=outcome.height,
                        pages=outcome.pages,
                    ),
                )
            else:
                after = apply_attachment_event(current, "reject", now=now, reason=outcome)
            change.put_record(after, current)
            self._store.commit(change)
            return ProcessingOutcome(attachment_id, str(after.stage), after.reason)

        return write_once(
            self._retry, attempt, lambda: ConcurrentUpdate(attachment_id, "attachment")
        )

    def _file_store(self) -> FileStore:
        if self._files is None:
            raise RuntimeError("this service was made without the attachments bucket")
        return self._files


def _owner_of(request: RequestContext) -> Reader:
    if request.actor.id is None:
        raise ValueError("an upload names its owner")
    kind = OwnerKind.AGENT if request.actor.kind is ActorKind.AGENT else OwnerKind.CUSTOMER
    return Reader(kind, request.actor.id)
