"""Putting attachments on a case's message: which ones the caller may put there (the same
checks for a help request, a customer's reply and an agent's message), and the records' change
that goes into the message's own transaction."""

from collections.abc import Sequence
from datetime import datetime

from lifecycle.attachments import (
    Attachment,
    AttachmentStage,
    AttachmentStatus,
    OwnerKind,
    apply_attachment_event,
)
from lifecycle.case import Case, CaseMessage
from lifecycle.errors import EventNotAllowed
from orderhelp.changes import Changeset
from orderhelp.errors import ConcurrentUpdate, InvalidAttachments
from orderhelp.store import OrderStore

NOT_FOUND = "attachment_not_found"
NOT_READY = "attachment_not_ready"
REJECTED = "attachment_rejected"
USED = "attachment_used"
LISTED_TWICE = "attachment_listed_twice"


def checked_attachments(
    store: OrderStore, kind: OwnerKind, caller: str, ids: Sequence[str], now: datetime
) -> list[Attachment]:
    """The attachments `ids` name, each the caller's own, ready and on no message yet; else a 422
    naming each that is not. Another's attachment is answered exactly as a missing one."""
    attachments: list[Attachment] = []
    errors = []
    seen: set[str] = set()
    for index, attachment_id in enumerate(ids):
        found = store.load_attachment(attachment_id)
        problem = None
        if attachment_id in seen:
            problem = LISTED_TWICE
        elif found is None or not found.attachable_by(kind, caller):
            problem = NOT_FOUND
        elif found.stage is AttachmentStage.ATTACHED:
            problem = USED
        elif found.status_at(now) is AttachmentStatus.REJECTED:
            problem = REJECTED
        elif found.stage is not AttachmentStage.READY:
            problem = NOT_READY
        seen.add(attachment_id)
        if problem is not None:
            errors.append(
                {
                    "loc": ["body", "attachment_ids", index],
                    "msg": f"{problem}: {attachment_id}",
                    "type": problem,
                    "ctx": {"attachment_id": attachment_id},
                }
            )
        elif found is not None:
            attachments.append(found)
    if errors:
        raise InvalidAttachments(errors)
    return attachments


def attach(
    change: Changeset, attachments: Sequence[Attachment], case: Case, message: CaseMessage
) -> None:
    """Put `attachments` on `message` of `case`, in the change that writes the message: each is
    conditioned on the version it was checked at, so two messages cannot take one attachment."""
    for attachment in attachments:
        try:
            after = apply_attachment_event(
                attachment,
                "attach",
                now=change.now,
                case_id=case.case_id,
                case_customer_id=case.customer_id,
                message_id=message.message_id,
                on_internal_note=message.internal,
            )
        except EventNotAllowed as refused:  # checked just before; a race is a retry
            raise ConcurrentUpdate(attachment.attachment_id, "attachment") from refused
        change.put_record(after, attachment)
