"""Attachments: the allowed types and limits, the upload's record and its refusals, what a
customer may read, and `AttachmentLifecycle`, every stage × event × guard and what each records."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import TypeAdapter, ValidationError
from statemachine.exceptions import TransitionNotAllowed

from lifecycle.attachments import (
    ALLOWED_TYPES,
    MAX_ATTACHMENT_BYTES,
    MAX_ATTACHMENTS_PER_MESSAGE,
    MAX_IMAGE_PIXELS,
    MAX_PDF_PAGES,
    PROCESSING_GRACE,
    THUMBNAIL_PIXELS,
    UPLOAD_WINDOW,
    Attachment,
    AttachmentIds,
    AttachmentLifecycle,
    AttachmentStage,
    AttachmentStatus,
    AttachmentType,
    FileName,
    MessageAttachment,
    OwnerKind,
    RejectionReason,
    StoredFile,
    apply_attachment_event,
    new_attachment,
)
from lifecycle.errors import EventNotAllowed, RuleViolation

T0 = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
"""When the attachments of the tests are asked for."""
UPLOAD_ENDS = datetime(2026, 3, 2, 9, 45, tzinfo=UTC)
LAST_MOMENT = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
"""The upload window's end plus the processing grace: the last moment it may still be processed."""
TOO_LATE = LAST_MOMENT + timedelta(microseconds=1)
PROCESSED_AT = T0 + timedelta(minutes=1)
ATTACHED_AT = T0 + timedelta(minutes=5)

St = AttachmentStage
EVENTS = ("accept", "reject", "attach")
STORED = StoredFile(
    content_type=AttachmentType.JPEG, size=812_345, has_thumbnail=True, width=4032, height=3024
)
STORED_FIELDS: dict[str, Any] = {
    "stored_type": AttachmentType.JPEG,
    "stored_size": 812_345,
    "has_thumbnail": True,
    "width": 4032,
    "height": 3024,
    "pages": None,
}
"""What accepting `STORED` records."""
ON_A_CASE: dict[str, Any] = {
    "case_id": "CS-1",
    "case_customer_id": "cust-lucia",
    "message_id": "M-2",
    "on_internal_note": False,
}
Errors = list[dict[str, Any]]


def a_pending(
    owner_kind: OwnerKind = OwnerKind.CUSTOMER,
    owner_id: str = "cust-lucia",
    content_type: AttachmentType = AttachmentType.HEIC,
) -> Attachment:
    return new_attachment(
        attachment_id="AT-1",
        owner_id=owner_id,
        owner_kind=owner_kind,
        filename="foto rota.heic",
        content_type=content_type,
        size=2_000_000,
        now=T0,
    )


def an_attachment(stage: AttachmentStage = St.PENDING, **on_case: Any) -> Attachment:
    """A customer's HEIC photo walked to `stage` through `AttachmentLifecycle`."""
    record = a_pending()
    if stage is St.REJECTED:
        return apply_attachment_event(
            record, "reject", now=PROCESSED_AT, reason=RejectionReason.TYPE_MISMATCH
        )
    if stage is St.PENDING:
        return record
    record = apply_attachment_event(record, "accept", now=PROCESSED_AT, stored=STORED)
    if stage is St.READY:
        return record
    return apply_attachment_event(record, "attach", now=ATTACHED_AT, **(ON_A_CASE | on_case))


def fields_of(**changes: Any) -> dict[str, Any]:
    """A valid attachment record's fields, as a store would read them back."""
    return a_pending().model_dump() | changes


def refusals(model: type[Attachment | MessageAttachment], data: dict[str, Any]) -> Errors:
    with pytest.raises(ValidationError) as refused:
        model.model_validate(data)
    return [
        {k: e[k] for k in ("type", "loc", "msg", "ctx") if k in e} for e in refused.value.errors()
    ]


def refused_as(adapter: TypeAdapter[Any], value: Any) -> Errors:
    with pytest.raises(ValidationError) as refused:
        adapter.validate_python(value)
    return [
        {k: e[k] for k in ("type", "loc", "msg", "ctx") if k in e} for e in refused.value.errors()
    ]


# --- what may be uploaded ------------------------------------------------------------------------


def test_the_allowed_types_are_three_photo_formats_heic_and_pdf() -> None:
    assert [t.value for t in AttachmentType] == [
        "image/jpeg",
        "image/png",
        "image/webp",
        "image/heic",
        "application/pdf",
    ]
    assert [t.name for t in AttachmentType] == ["JPEG", "PNG", "WEBP", "HEIC", "PDF"]


@pytest.mark.parametrize(
    ("content_type", "image"),
    [
        (AttachmentType.JPEG, True),
        (AttachmentType.PNG, True),
        (AttachmentType.WEBP, True),
        (AttachmentType.HEIC, True),
        (AttachmentType.PDF, False),
    ],
)
def test_every_type_but_pdf_is_an_image(content_type: AttachmentType, image: bool) -> None:
    assert content_type.is_image is image


def test_a_refusal_lists_the_allowed_types_in_order_separated_by_commas() -> None:
    assert ALLOWED_TYPES == "image/jpeg, image/png, image/webp, image/heic, application/pdf"


def test_the_limits_are_ten_megabytes_and_five_files_a_message() -> None:
    assert MAX_ATTACHMENT_BYTES == 10_485_760
    assert type(MAX_ATTACHMENT_BYTES) is int
    assert MAX_ATTACHMENTS_PER_MESSAGE == 5


def test_an_upload_has_fifteen_minutes_and_its_processing_fifteen_more() -> None:
    assert UPLOAD_WINDOW.total_seconds() == 15 * 60
    assert PROCESSING_GRACE.total_seconds() == 15 * 60


def test_the_decoding_limits_are_fifty_megapixels_five_hundred_pages_and_320_pixel_thumbnails() -> (
    None
):
    assert MAX_IMAGE_PIXELS == 50_000_000
    assert MAX_PDF_PAGES == 500
    assert THUMBNAIL_PIXELS == 320


def test_the_wire_values_of_statuses_stages_reasons_and_owners() -> None:
    assert [s.value for s in AttachmentStatus] == ["pending", "ready", "rejected"]
    assert [s.value for s in AttachmentStage] == ["pending", "ready", "attached", "rejected"]
    assert [r.value for r in RejectionReason] == [
        "type_mismatch",
        "unreadable",
        "decompression_bomb",
        "too_large",
        "too_many_pages",
        "encrypted",
        "upload_expired",
    ]
    assert [k.value for k in OwnerKind] == ["customer", "agent"]


@pytest.mark.parametrize(
    ("stage", "status"),
    [
        (St.PENDING, AttachmentStatus.PENDING),
        (St.READY, AttachmentStatus.READY),
        (St.ATTACHED, AttachmentStatus.READY),
        (St.REJECTED, AttachmentStatus.REJECTED),
    ],
)
def test_an_attached_attachment_is_still_ready_to_whoever_reads_it(
    stage: AttachmentStage, status: AttachmentStatus
) -> None:
    assert stage.status is status


# --- the file name -------------------------------------------------------------------------------

FILE_NAME: TypeAdapter[str] = TypeAdapter(FileName)


@pytest.mark.parametrize(
    "name", ["a", "foto rota.heic", "Factura nº 12 (copia).pdf", "x" * 255, " leading.jpg", ".."]
)
def test_a_file_name_of_one_to_255_characters_is_kept_as_written(name: str) -> None:
    assert FILE_NAME.validate_python(name) == name


@pytest.mark.parametrize("name", ["fotos/rota.jpg", "C:\\fotos\\rota.jpg", "/", "\\"])
def test_a_file_name_holding_a_slash_or_a_backslash_is_a_path_and_refused(name: str) -> None:
    with pytest.raises(ValidationError) as refused:
        FILE_NAME.validate_python(name)
    [error] = refused.value.errors()
    assert (error["type"], error["loc"], error["msg"]) == (
        "value_error",
        (),
        "Value error, a file name holds no / or \\",
    )
    violation = error["ctx"]["error"]
    assert isinstance(violation, RuleViolation)
    assert (violation.key, violation.values, str(violation)) == (
        "file_name",
        {},
        "a file name holds no / or \\",
    )


def test_an_empty_file_name_is_too_short() -> None:
    assert refused_as(FILE_NAME, "") == [
        {
            "type": "string_too_short",
            "loc": (),
            "msg": "String should have at least 1 character",
            "ctx": {"min_length": 1},
        }
    ]


def test_a_file_name_of_256_characters_is_too_long() -> None:
    assert refused_as(FILE_NAME, "x" * 256) == [
        {
            "type": "string_too_long",
            "loc": (),
            "msg": "String should have at most 255 characters",
            "ctx": {"max_length": 255},
        }
    ]


def test_a_file_name_of_blanks_only_is_refused() -> None:
    assert refused_as(FILE_NAME, "   ") == [
        {
            "type": "string_pattern_mismatch",
            "loc": (),
            "msg": "String should match pattern '\\S'",
            "ctx": {"pattern": "\\S"},
        }
    ]


def test_a_file_name_is_one_line_without_control_characters() -> None:
    assert refused_as(FILE_NAME, "rota\n.jpg") == [
        {
            "type": "text_control_characters",
            "loc": (),
            "msg": "Text should not contain control characters",
        }
    ]


# --- the message's reference and the attachment ids of a message -------------------------------


def test_a_message_keeps_the_attachments_id_and_type_only() -> None:
    kept = MessageAttachment(attachment_id="AT-1", content_type=AttachmentType.PNG)
    assert kept.model_dump() == {"attachment_id": "AT-1", "content_type": AttachmentType.PNG}
    assert MessageAttachment.model_validate(
        {"attachment_id": "AT-1", "content_type": "application/pdf"}
    ).content_type is (AttachmentType.PDF)


def test_a_message_attachment_cannot_be_changed() -> None:
    kept = MessageAttachment(attachment_id="AT-1", content_type=AttachmentType.PNG)
    with pytest.raises(ValidationError) as refused:
        kept.attachment_id = "AT-2"  # type: ignore[misc]
    [error] = refused.value.errors()
    assert (error["type"], error["loc"], error["msg"]) == (
        "frozen_instance",
        ("attachment_id",),
        "Instance is frozen",
    )
    assert kept.attachment_id == "AT-1"


def test_a_message_attachment_with_an_unknown_field_is_refused() -> None:
    data = {"attachment_id": "AT-1", "content_type": "image/png", "url": "https://x.example/a"}
    assert refusals(MessageAttachment, data) == [
        {"type": "extra_forbidden", "loc": ("url",), "msg": "Extra inputs are not permitted"}
    ]


def test_a_message_attachment_needs_its_type_and_an_allowed_one() -> None:
    assert refusals(MessageAttachment, {"attachment_id": "AT-1"}) == [
        {"type": "missing", "loc": ("content_type",), "msg": "Field required"}
    ]
    expected = "'image/jpeg', 'image/png', 'image/webp', 'image/heic' or 'application/pdf'"
    assert refusals(MessageAttachment, {"attachment_id": "AT-1", "content_type": "image/gif"}) == [
        {
            "type": "enum",
            "loc": ("content_type",),
            "msg": f"Input should be {expected}",
            "ctx": {"expected": expected},
        }
    ]


def test_a_message_attachments_id_is_an_identifier() -> None:
    [error] = refusals(MessageAttachment, {"attachment_id": "AT 1", "content_type": "image/png"})
    assert (error["type"], error["loc"]) == ("string_pattern_mismatch", ("attachment_id",))


ATTACHMENT_IDS: TypeAdapter[list[str]] = TypeAdapter(AttachmentIds)


@pytest.mark.parametrize("count", [0, 1, 5])
def test_a_message_takes_up_to_five_attachments(count: int) -> None:
    ids = [f"AT-{n}" for n in range(count)]
    assert ATTACHMENT_IDS.validate_python(ids) == ids


def test_a_sixth_attachment_on_a_message_is_refused() -> None:
    assert refused_as(ATTACHMENT_IDS, [f"AT-{n}" for n in range(6)]) == [
        {
            "type": "too_long",
            "loc": (),
            "msg": "List should have at most 5 items after validation, not 6",
            "ctx": {"field_type": "List", "max_length": 5, "actual_length": 6},
        }
    ]


def test_each_attachment_id_of_a_message_is_an_identifier() -> None:
    [error] = refused_as(ATTACHMENT_IDS, ["AT-1", "../AT-2"])
    assert (error["type"], error["loc"]) == ("string_pattern_mismatch", (1,))


# --- the record of an upload ---------------------------------------------------------------------


def test_a_new_attachment_is_pending_with_fifteen_minutes_to_upload_and_nothing_else_known() -> (
    None
):
    assert a_pending().model_dump() == {
        "attachment_id": "AT-1",
        "owner_id": "cust-lucia",
        "owner_kind": OwnerKind.CUSTOMER,
        "filename": "foto rota.heic",
        "content_type": AttachmentType.HEIC,
        "size": 2_000_000,
        "stage": St.PENDING,
        "version": 0,
        "created_at": T0,
        "upload_expires_at": UPLOAD_ENDS,
        "reason": None,
        "processed_at": None,
        "stored_type": None,
        "stored_size": None,
        "has_thumbnail": False,
        "width": None,
        "height": None,
        "pages": None,
        "case_id": None,
        "case_customer_id": None,
        "message_id": None,
        "internal": False,
    }


def test_a_new_attachment_has_the_same_defaults_as_a_record_read_without_them() -> None:
    required = {
        key: value
        for key, value in fields_of().items()
        if key
        in {
            "attachment_id",
            "owner_id",
            "owner_kind",
            "filename",
            "content_type",
            "size",
            "created_at",
            "upload_expires_at",
        }
    }
    assert Attachment.model_validate(required) == a_pending()


@pytest.mark.parametrize(
    "field",
    [
        "attachment_id",
        "owner_id",
        "owner_kind",
        "filename",
        "content_type",
        "size",
        "created_at",
        "upload_expires_at",
    ],
)
def test_an_attachment_record_needs_its_owner_name_type_size_and_times(field: str) -> None:
    data = fields_of()
    del data[field]
    assert refusals(Attachment, data) == [
        {"type": "missing", "loc": (field,), "msg": "Field required"}
    ]


@pytest.mark.parametrize("size", [1, 10_485_760])
def test_an_upload_of_one_byte_to_ten_megabytes_is_accepted(size: int) -> None:
    assert Attachment.model_validate(fields_of(size=size)).size == size


def test_an_empty_upload_is_refused() -> None:
    assert refusals(Attachment, fields_of(size=0)) == [
        {
            "type": "greater_than_equal",
            "loc": ("size",),
            "msg": "Input should be greater than or equal to 1",
            "ctx": {"ge": 1},
        }
    ]


def test_an_upload_one_byte_over_ten_megabytes_is_refused() -> None:
    assert refusals(Attachment, fields_of(size=10_485_761)) == [
        {
            "type": "less_than_equal",
            "loc": ("size",),
            "msg": "Input should be less than or equal to 10485760",
            "ctx": {"le": 10_485_760},
        }
    ]


def test_an_owner_id_of_one_character_is_accepted_and_an_empty_one_refused() -> None:
    assert Attachment.model_validate(fields_of(owner_id="c")).owner_id == "c"
    assert refusals(Attachment, fields_of(owner_id="")) == [
        {
            "type": "string_too_short",
            "loc": ("owner_id",),
            "msg": "String should have at least 1 character",
            "ctx": {"min_length": 1},
        }
    ]


def test_a_version_starts_at_zero_and_is_never_negative() -> None:
    assert Attachment.model_validate(fields_of(version=0)).version == 0
    assert refusals(Attachment, fields_of(version=-1)) == [
        {
            "type": "greater_than_equal",
            "loc": ("version",),
            "msg": "Input should be greater than or equal to 0",
            "ctx": {"ge": 0},
        }
    ]


def test_an_attachment_record_with_an_unknown_field_is_refused() -> None:
    assert refusals(Attachment, fields_of(url="https://x.example/a")) == [
        {"type": "extra_forbidden", "loc": ("url",), "msg": "Extra inputs are not permitted"}
    ]


def test_an_attachment_records_file_name_is_checked_where_it_is() -> None:
    [error] = refusals(Attachment, fields_of(filename="fotos/rota.jpg"))
    assert (error["type"], error["loc"]) == ("value_error", ("filename",))


# --- the processing time -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "within"),
    [
        (T0 - timedelta(days=1), True),
        (UPLOAD_ENDS, True),
        (LAST_MOMENT - timedelta(microseconds=1), True),
        (LAST_MOMENT, True),
        (TOO_LATE, False),
        (LAST_MOMENT + timedelta(days=1), False),
    ],
)
def test_an_attachment_may_be_processed_until_fifteen_minutes_after_its_upload_window(
    now: datetime, within: bool
) -> None:
    assert a_pending().within_processing_time(now) is within


# --- what it is, seen at a moment ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("stage", "now", "status", "reason"),
    [
        (St.PENDING, T0, AttachmentStatus.PENDING, None),
        (St.PENDING, LAST_MOMENT, AttachmentStatus.PENDING, None),
        (St.PENDING, TOO_LATE, AttachmentStatus.REJECTED, RejectionReason.UPLOAD_EXPIRED),
        (St.READY, PROCESSED_AT, AttachmentStatus.READY, None),
        (St.READY, TOO_LATE, AttachmentStatus.READY, None),
        (St.ATTACHED, TOO_LATE, AttachmentStatus.READY, None),
        (St.REJECTED, PROCESSED_AT, AttachmentStatus.REJECTED, RejectionReason.TYPE_MISMATCH),
        (St.REJECTED, TOO_LATE, AttachmentStatus.REJECTED, RejectionReason.TYPE_MISMATCH),
    ],
)
def test_a_pending_attachment_past_its_processing_time_is_told_as_rejected_for_expiry(
    stage: AttachmentStage,
    now: datetime,
    status: AttachmentStatus,
    reason: RejectionReason | None,
) -> None:
    record = an_attachment(stage)
    assert record.status_at(now) is status
    assert record.reason_at(now) is reason


def test_a_heic_photo_is_served_as_the_jpeg_it_was_stored_as() -> None:
    ready = an_attachment(St.READY)
    assert ready.served_type is AttachmentType.JPEG
    assert ready.on_message() == MessageAttachment(
        attachment_id="AT-1", content_type=AttachmentType.JPEG
    )


@pytest.mark.parametrize("stored_type", [None, ""])
def test_an_attachment_not_stored_yet_is_what_its_owner_declared(stored_type: str | None) -> None:
    pending = Attachment.model_validate(fields_of(stored_type=stored_type))
    assert pending.served_type is AttachmentType.HEIC
    assert pending.on_message() == MessageAttachment(
        attachment_id="AT-1", content_type=AttachmentType.HEIC
    )


@pytest.mark.parametrize(
    ("owner_kind", "owner_id", "on_case", "caller", "readable"),
    [
        # The owner, attached or not, even on an internal note.
        (OwnerKind.CUSTOMER, "cust-lucia", None, "cust-lucia", True),
        (OwnerKind.CUSTOMER, "cust-lucia", False, "cust-lucia", True),
        (OwnerKind.CUSTOMER, "cust-lucia", True, "cust-lucia", True),
        # Another customer: not before it is on their case's message.
        (OwnerKind.CUSTOMER, "cust-lucia", None, "cust-pablo", False),
        (OwnerKind.CUSTOMER, "cust-lucia", False, "cust-pablo", False),
        # An agent's file: its case's customer once it is on a message that is not a note.
        (OwnerKind.AGENT, "agent-ana", None, "cust-lucia", False),
        (OwnerKind.AGENT, "agent-ana", False, "cust-lucia", True),
        (OwnerKind.AGENT, "agent-ana", True, "cust-lucia", False),
        (OwnerKind.AGENT, "agent-ana", False, "cust-pablo", False),
        # A customer whose id is an agent's is not that agent.
        (OwnerKind.AGENT, "agent-ana", None, "agent-ana", False),
    ],
)
def test_a_customer_reads_their_own_uploads_and_what_is_on_their_cases_public_messages(
    owner_kind: OwnerKind, owner_id: str, on_case: bool | None, caller: str, readable: bool
) -> None:
    record = a_pending(owner_kind, owner_id)
    if on_case is not None:
        record = apply_attachment_event(record, "accept", now=PROCESSED_AT, stored=STORED)
        record = apply_attachment_event(
            record, "attach", now=ATTACHED_AT, **(ON_A_CASE | {"on_internal_note": on_case})
        )
    assert record.readable_by_customer(caller) is readable


@pytest.mark.parametrize(
    ("kind", "caller", "attachable"),
    [
        (OwnerKind.CUSTOMER, "cust-lucia", True),
        (OwnerKind.AGENT, "cust-lucia", False),
        (OwnerKind.CUSTOMER, "cust-pablo", False),
        (OwnerKind.AGENT, "agent-ana", False),
    ],
)
def test_only_its_owner_may_put_an_attachment_on_a_message(
    kind: OwnerKind, caller: str, attachable: bool
) -> None:
    assert an_attachment(St.READY).attachable_by(kind, caller) is attachable


def test_an_agents_upload_is_attachable_by_that_agent_only() -> None:
    record = a_pending(OwnerKind.AGENT, "agent-ana")
    assert record.attachable_by(OwnerKind.AGENT, "agent-ana") is True
    assert record.attachable_by(OwnerKind.CUSTOMER, "agent-ana") is False


# --- AttachmentLifecycle -------------------------------------------------------------------------

# (stage, event, the guard holds) → the stage after it; a row not listed is refused.
EXPECTED: dict[tuple[AttachmentStage, str, bool], AttachmentStage] = {
    (St.PENDING, "accept", True): St.READY,
    (St.PENDING, "reject", True): St.REJECTED,
    (St.PENDING, "reject", False): St.REJECTED,
    (St.READY, "attach", True): St.ATTACHED,
    (St.READY, "attach", False): St.ATTACHED,
}
ROWS = [(stage, event, holds) for stage in St for event in EVENTS for holds in (True, False)]


def fired(record: Attachment, event: str, guard_holds: bool) -> Attachment:
    """Fire `event` in the processing time, or just past it."""
    now = LAST_MOMENT if guard_holds else TOO_LATE
    data_of: dict[str, dict[str, Any]] = {
        "accept": {"stored": STORED},
        "reject": {"reason": RejectionReason.UNREADABLE},
        "attach": ON_A_CASE,
    }
    return apply_attachment_event(record, event, now=now, **data_of[event])


@pytest.mark.parametrize(("stage", "event", "guard_holds"), ROWS)
def test_every_stage_event_and_guard(stage: AttachmentStage, event: str, guard_holds: bool) -> None:
    record = an_attachment(stage)
    before = record.model_copy(deep=True)
    expected = EXPECTED.get((stage, event, guard_holds))
    if expected is None:
        with pytest.raises(EventNotAllowed) as refused:
            fired(record, event, guard_holds)
        assert type(refused.value) is EventNotAllowed
        assert (refused.value.subject, refused.value.state, refused.value.event) == (
            "attachment",
            stage,
            event,
        )
        assert str(refused.value) == (
            f"event '{event}' is not allowed when the attachment is '{stage.value}'"
        )
        assert isinstance(refused.value.__cause__, TransitionNotAllowed)
    else:
        after = fired(record, event, guard_holds)
        assert type(after) is Attachment
        assert after.stage is expected
    assert record == before


def test_an_unknown_event_is_refused_like_a_disallowed_one() -> None:
    with pytest.raises(EventNotAllowed) as refused:
        apply_attachment_event(a_pending(), "delete", now=T0)
    assert (refused.value.subject, refused.value.state, refused.value.event) == (
        "attachment",
        St.PENDING,
        "delete",
    )


def test_the_machine_starts_pending_and_ends_attached_or_rejected() -> None:
    assert [(s.id, s.name, s.value) for s in AttachmentLifecycle.states] == [
        ("pending", "Pending", St.PENDING),
        ("ready", "Ready", St.READY),
        ("attached", "Attached", St.ATTACHED),
        ("rejected", "Rejected", St.REJECTED),
    ]
    assert AttachmentLifecycle.initial_state.value is St.PENDING
    assert {s.value for s in AttachmentLifecycle.final_states} == {St.ATTACHED, St.REJECTED}
    assert [e.id for e in AttachmentLifecycle(a_pending()).events] == list(EVENTS)


def test_the_machine_runs_on_the_records_stage() -> None:
    ready = an_attachment(St.READY)
    machine = AttachmentLifecycle(ready)
    assert machine.attachment is ready
    assert machine.ready.is_active
    machine.send("attach", **ON_A_CASE)
    assert ready.stage is St.ATTACHED


@pytest.mark.parametrize("now", [PROCESSED_AT, LAST_MOMENT])
def test_accepting_records_when_and_what_was_stored(now: datetime) -> None:
    ready = apply_attachment_event(a_pending(), "accept", now=now, stored=STORED)
    assert ready.model_dump() == fields_of(stage=St.READY, processed_at=now, **STORED_FIELDS)


def test_accepting_a_pdf_records_its_pages_and_no_picture() -> None:
    pdf = StoredFile(content_type=AttachmentType.PDF, size=52_000, pages=3)
    ready = apply_attachment_event(a_pending(), "accept", now=PROCESSED_AT, stored=pdf)
    assert ready.model_dump() == fields_of(
        stage=St.READY,
        processed_at=PROCESSED_AT,
        stored_type=AttachmentType.PDF,
        stored_size=52_000,
        pages=3,
    )
    assert ready.served_type is AttachmentType.PDF


@pytest.mark.parametrize(
    "what",
    [
        {"case_id": "CS-9"},  # a field of the record that accepting must not touch
        {"internal": True},
        {"stored_type": "image/jpeg"},  # the record's name, not the stored file's
        {"content_type": "text/html"},  # not a type that may be stored
    ],
)
def test_what_is_stored_holds_the_stored_file_and_nothing_else(what: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        StoredFile.model_validate({"content_type": "image/jpeg", "size": 1} | what)


def test_a_pending_attachment_past_its_processing_time_cannot_be_accepted() -> None:
    with pytest.raises(EventNotAllowed) as refused:
        apply_attachment_event(a_pending(), "accept", now=TOO_LATE, stored=STORED)
    assert (refused.value.state, refused.value.event) == (St.PENDING, "accept")


def test_rejecting_records_when_and_why() -> None:
    rejected = apply_attachment_event(
        a_pending(), "reject", now=PROCESSED_AT, reason=RejectionReason.DECOMPRESSION_BOMB
    )
    assert rejected.model_dump() == fields_of(
        stage=St.REJECTED,
        processed_at=PROCESSED_AT,
        reason=RejectionReason.DECOMPRESSION_BOMB,
    )
    assert rejected.status_at(PROCESSED_AT) is AttachmentStatus.REJECTED


def test_a_pending_attachment_past_its_window_is_rejected_as_expired() -> None:
    late = LAST_MOMENT + timedelta(hours=1)
    expired = apply_attachment_event(
        a_pending(), "reject", now=late, reason=RejectionReason.UPLOAD_EXPIRED
    )
    assert (expired.stage, expired.reason, expired.processed_at) == (
        St.REJECTED,
        RejectionReason.UPLOAD_EXPIRED,
        late,
    )


@pytest.mark.parametrize("internal", [False, True])
def test_attaching_records_the_case_its_customer_the_message_and_whether_it_is_a_note(
    internal: bool,
) -> None:
    ready = an_attachment(St.READY)
    attached = apply_attachment_event(
        ready,
        "attach",
        now=ATTACHED_AT,
        case_id="CS-7",
        case_customer_id="cust-pablo",
        message_id="M-9",
        on_internal_note=internal,
    )
    assert attached.model_dump() == ready.model_dump() | {
        "stage": St.ATTACHED,
        "case_id": "CS-7",
        "case_customer_id": "cust-pablo",
        "message_id": "M-9",
        "internal": internal,
    }
    assert attached.status_at(ATTACHED_AT) is AttachmentStatus.READY


def test_an_attached_photo_is_put_on_its_message_as_its_stored_type() -> None:
    attached = an_attachment(St.ATTACHED)
    assert attached.on_message() == MessageAttachment(
        attachment_id="AT-1", content_type=AttachmentType.JPEG
    )
