"""Photos and files, through the handlers against moto: the whole path (upload asked for, posted
to S3 under its policy, processed on S3's event, put on a message, read by the agent without its
EXIF), and every refusal the issue lists."""

from typing import Any

import pytest

from lifecycle.policy import CasePolicy
from orderhelp import inspection
from orderhelp.store import keys
from tests.handlers.attachment_calls import (
    attachment,
    object_exists,
    post_form,
    process,
    request_upload,
    stored_object,
    uploaded,
)
from tests.handlers.case_calls import (
    AGENT,
    OTHER_AGENT,
    agent_case,
    answer,
    assign,
    housekeeping,
    my_case,
    solve,
)
from tests.handlers.client import CUSTOMER, OTHER_CUSTOMER, Api, Identity
from tests.support import files

LUCIA = Identity.customer(CUSTOMER)
MARTA = Identity.customer(OTHER_CUSTOMER)
ANA = Identity.agent(AGENT)
DAMAGED = {
    "problem": "damaged",
    "items": [{"sku": "LAMP-01", "quantity": 1}],
    "message": "The shade arrived cracked: see the photo.",
}


def damage_report(api: Api, attachment_ids: list[str], customer: str = CUSTOMER) -> Any:
    return api.help(
        "ORD-1", "item_problem", DAMAGED | {"attachment_ids": attachment_ids}, customer=customer
    )


def test_the_whole_path_from_upload_to_the_agent_reading_the_photo_without_its_exif(
    api: Api,
) -> None:
    # Given a delivered order and a photo with a GPS position in its EXIF
    api.order_in("delivered")
    photo = files.photo()
    assert files.GPS_IFD in files.exif_of(photo)

    # When Lucía asks for an upload, posts the photo to S3, and S3 tells the processing function
    grant = request_upload(api, LUCIA, "sofá roto.jpg", "image/jpeg", len(photo))
    assert grant.status == 201, grant.body
    upload = grant.body
    assert set(upload) == {"attachment_id", "upload", "expires_at"}
    fields = upload["upload"]["fields"]
    assert fields["key"] == keys.upload_object_key(upload["attachment_id"])
    assert fields["Content-Type"] == "image/jpeg"
    pending = attachment(api, LUCIA, upload["attachment_id"])
    assert pending.body["status"] == "pending"
    assert pending.body["download_url"] is None
    key = post_form(upload, photo)
    assert key == fields["key"]
    assert process(key, len(photo))["processed"][0]["status"] == "ready"

    # Then it is ready, with short-lived links, and the upload itself is gone
    ready = attachment(api, LUCIA, upload["attachment_id"])
    assert ready.status == 200
    assert ready.body["status"] == "ready"
    assert ready.body["filename"] == "sofá roto.jpg"
    assert ready.body["content_type"] == "image/jpeg"
    assert "X-Amz-Signature=" in ready.body["download_url"]
    assert "X-Amz-Expires=300" in ready.body["thumbnail_url"]
    assert not object_exists(key)

    # When she reports the damage with it
    reported = damage_report(api, [upload["attachment_id"]])
    assert reported.status == 201, reported.body
    case_id = reported.body["case"]["case_id"]

    # Then the case's first message carries the id (never a link), in both conversations
    (first,) = my_case(api, case_id).body["messages"]
    assert first["attachment_ids"] == [upload["attachment_id"]]
    assert "attachment_ids" not in reported.body["case"]["details"]
    (seen_by_agent,) = agent_case(api, case_id).body["case"]["messages"]
    assert seen_by_agent["attachment_ids"] == [upload["attachment_id"]]

    # And the agent reads the re-encoded photo: upright, the same size, without EXIF or GPS
    for_agent = attachment(api, ANA, upload["attachment_id"])
    assert for_agent.body["status"] == "ready"
    kept = stored_object(keys.file_object_key(upload["attachment_id"]))
    assert kept != photo
    assert files.exif_of(kept) == {}
    thumbnail = stored_object(keys.thumbnail_object_key(upload["attachment_id"]))
    assert thumbnail.startswith(b"\xff\xd8\xff")


def test_a_png_declared_as_a_pdf_is_rejected_for_its_bytes(api: Api) -> None:
    attachment_id = uploaded(api, LUCIA, files.png(), "receipt.pdf", "application/pdf")
    reply = attachment(api, LUCIA, attachment_id)
    assert (reply.body["status"], reply.body["reason"]) == ("rejected", "type_mismatch")
    assert reply.body["download_url"] is None
    assert not object_exists(keys.file_object_key(attachment_id))


def test_a_program_renamed_jpg_is_rejected(api: Api) -> None:
    attachment_id = uploaded(api, LUCIA, files.program(), "setup.exe.jpg")
    reply = attachment(api, LUCIA, attachment_id)
    assert (reply.body["status"], reply.body["reason"]) == ("rejected", "type_mismatch")


def test_a_decompression_bomb_is_rejected_before_it_is_decoded(api: Api) -> None:
    bomb = files.bomb()
    assert len(bomb) < 200_000
    attachment_id = uploaded(api, LUCIA, bomb, "huge.png")
    reply = attachment(api, LUCIA, attachment_id)
    assert (reply.body["status"], reply.body["reason"]) == ("rejected", "decompression_bomb")


def test_a_pdf_is_kept_as_sent_and_a_rejected_one_cannot_be_sent(api: Api) -> None:
    api.order_in("delivered")
    invoice = files.pdf()
    good = uploaded(api, LUCIA, invoice, "factura.pdf")
    assert attachment(api, LUCIA, good).body["status"] == "ready"
    assert stored_object(keys.file_object_key(good)) == invoice
    assert attachment(api, LUCIA, good).body["thumbnail_url"] is None
    bad = uploaded(api, LUCIA, files.png(), "receipt.pdf", "application/pdf")
    refused = damage_report(api, [good, bad])
    assert refused.status == 422
    (problem,) = refused.error["errors"]
    assert problem["loc"] == ["body", "attachment_ids", 1]
    assert problem["type"] == "attachment_rejected"
    assert bad in problem["msg"]


def test_20_mb_is_refused_before_any_upload_with_the_limit_in_words(api: Api) -> None:
    reply = request_upload(api, LUCIA, "video.jpg", "image/jpeg", 20 * 1024 * 1024)
    assert reply.status == 422
    (problem,) = reply.error["errors"]
    assert (problem["loc"], problem["type"]) == (["body", "size"], "attachment_too_large")
    assert "10 MB" in problem["msg"]
    spanish = api.call(
        "POST",
        "/attachments",
        {"filename": "v.jpg", "content_type": "image/jpeg", "size": 20 * 1024 * 1024},
        identity=LUCIA,
        headers={"accept-language": "es"},
    )
    assert "como máximo 10 MB" in spanish.error["errors"][0]["msg"]


def test_a_type_not_allowed_is_refused_with_the_allowed_list(api: Api) -> None:
    reply = request_upload(api, LUCIA, "setup.exe", "application/x-msdownload", 1000)
    assert reply.status == 422
    (problem,) = reply.error["errors"]
    assert problem["type"] == "attachment_type_not_allowed"
    for allowed in ("image/jpeg", "image/png", "image/webp", "image/heic", "application/pdf"):
        assert allowed in problem["msg"]


def test_an_upload_larger_than_declared_is_refused_by_the_policy(api: Api) -> None:
    grant = request_upload(api, LUCIA, "photo.jpg", "image/jpeg", 1000)
    refused = post_form(grant.body, files.photo())
    assert not isinstance(refused, str)
    assert (refused.status, refused.code) == (400, "EntityTooLarge")
    assert attachment(api, LUCIA, grant.body["attachment_id"]).body["status"] == "pending"


def test_six_attachments_are_refused(api: Api) -> None:
    api.order_in("delivered")
    six = [uploaded(api, LUCIA, files.png(), f"p{n}.png") for n in range(6)]
    reply = damage_report(api, six)
    assert reply.status == 422
    (problem,) = reply.error["errors"]
    assert (problem["loc"], problem["type"]) == (["body", "attachment_ids"], "too_long")
    assert damage_report(api, six[:5]).status == 201


def test_another_customers_attachment_is_answered_exactly_like_a_missing_one(api: Api) -> None:
    api.order_in("delivered")
    martas = uploaded(api, MARTA, files.png(), "mine.png")
    missing = "AT-0000000000000000000000"
    refused_other = damage_report(api, [martas])
    refused_missing = damage_report(api, [missing])
    assert refused_other.status == refused_missing.status == 422
    assert refused_other.error["errors"][0]["type"] == "attachment_not_found"
    assert refused_other.error == _with(refused_missing.error, missing, martas)
    # Reading it, too: the 404 of a missing attachment
    other, absent = attachment(api, LUCIA, martas), attachment(api, LUCIA, missing)
    assert other.status == absent.status == 404
    assert other.body == _with(absent.body, missing, martas)


def _with(body: Any, old: str, new: str) -> Any:
    import json

    return json.loads(json.dumps(body).replace(old, new))


def test_a_pending_attachment_cannot_be_sent_yet(api: Api) -> None:
    api.order_in("delivered")
    grant = request_upload(api, LUCIA, "photo.jpg", "image/jpeg", 1000)
    reply = damage_report(api, [grant.body["attachment_id"]])
    assert reply.status == 422
    (problem,) = reply.error["errors"]
    assert problem["type"] == "attachment_not_ready"
    assert api.stored("ORD-1").cases == []  # type: ignore[union-attr]


def test_an_expired_upload_is_rejected_and_a_late_upload_too(api: Api) -> None:
    api.order_in("delivered")
    never = request_upload(api, LUCIA, "photo.jpg", "image/jpeg", 1000).body
    photo = files.photo(40, 30)
    late = request_upload(api, LUCIA, "late.jpg", "image/jpeg", len(photo)).body
    key = post_form(late, photo)
    assert isinstance(key, str)

    # When the upload window and the time to process have passed
    api.clock.advance(minutes=31)

    # Then an upload that never came is rejected as expired, and so is one processed now
    expired = attachment(api, LUCIA, never["attachment_id"])
    assert (expired.body["status"], expired.body["reason"]) == ("rejected", "upload_expired")
    process(key, len(photo))
    processed = attachment(api, LUCIA, late["attachment_id"])
    assert (processed.body["status"], processed.body["reason"]) == ("rejected", "upload_expired")
    refused = damage_report(api, [never["attachment_id"]])
    assert refused.error["errors"][0]["type"] == "attachment_rejected"


def test_an_upload_processed_at_the_last_moment_is_kept_however_long_its_decoding(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    api.order_in("delivered")
    photo = files.photo(40, 30)
    grant = request_upload(api, LUCIA, "photo.jpg", "image/jpeg", len(photo)).body
    key = post_form(grant, photo)
    assert isinstance(key, str)
    # Given its processing begins at the last moment (upload window and grace: 30 minutes),
    # and decoding the picture takes a second
    api.clock.advance(minutes=30)
    decode = inspection.inspect

    def slow_decode(data: bytes, declared: Any) -> Any:
        found = decode(data, declared)
        api.clock.advance(seconds=1)
        return found

    monkeypatch.setattr(inspection, "inspect", slow_decode)

    # When it is processed, Then it is ready: its outcome is recorded as of when it began
    process(key, len(photo))
    kept = attachment(api, LUCIA, grant["attachment_id"])
    assert (kept.status, kept.body["status"]) == (200, "ready")


def test_an_attachment_goes_on_one_message_only(api: Api) -> None:
    api.order_in("delivered")
    photo = uploaded(api, LUCIA, files.png(), "p.png")
    case_id = damage_report(api, [photo]).body["case"]["case_id"]
    again = api.call(
        "POST",
        f"/cases/{case_id}/messages",
        {"body": "Again", "attachment_ids": [photo]},
        identity=LUCIA,
    )
    assert again.status == 422
    assert again.error["errors"][0]["type"] == "attachment_used"


def test_replies_on_both_sides_carry_attachments_and_a_note_s_stay_with_agents(api: Api) -> None:
    api.order_in("delivered")
    case_id = damage_report(api, []).body["case"]["case_id"]
    assert assign(api, case_id).status == 200

    # Lucía replies with a photo; Ana answers with a label and notes with another file
    hers = uploaded(api, LUCIA, files.png(), "detail.png")
    replied = api.call(
        "POST",
        f"/cases/{case_id}/messages",
        {"body": "Here is a closer look.", "attachment_ids": [hers]},
        identity=LUCIA,
    )
    assert replied.status == 200, replied.body
    assert replied.body["message"]["attachment_ids"] == [hers]
    label = uploaded(api, ANA, files.pdf(), "etiqueta.pdf")
    note = uploaded(api, ANA, files.png(), "warehouse.png")
    sent = api.call(
        "POST",
        f"/agent/cases/{case_id}/messages",
        {"body": "Print this label.", "attachment_ids": [label]},
        identity=ANA,
    )
    assert sent.status == 200, sent.body
    noted = answer(api, case_id, "Stock photo.", internal=True)
    assert noted.status == 200
    with_note = api.call(
        "POST",
        f"/agent/cases/{case_id}/messages",
        {"body": "From the warehouse.", "internal": True, "attachment_ids": [note]},
        identity=ANA,
    )
    assert with_note.status == 200

    # Then the customer sees her photo and the label, and may read the label; never the note's
    seen = [m["attachment_ids"] for m in my_case(api, case_id).body["messages"]]
    assert [hers] in seen and [label] in seen and [note] not in seen
    assert attachment(api, LUCIA, label).body["status"] == "ready"
    assert attachment(api, LUCIA, note).status == 404
    # Another customer reads none of them; an agent's own upload needs no case to be read by agents
    assert attachment(api, MARTA, hers).status == 404
    assert attachment(api, MARTA, label).status == 404
    assert attachment(api, Identity.agent("agent-bruno"), note).status == 200


def test_answering_a_colleagues_case_with_a_file_asks_first_and_then_sends_the_file(
    api: Api,
) -> None:
    # Given Lucía's case, which Bruno has, and Ana's label ready to send
    assert (
        api.call(
            "PUT", "/agent/profile", {"display_name": "Ana", "languages": ["es"]}, identity=ANA
        ).status
        == 200
    )
    api.order_in("delivered")
    case_id = damage_report(api, []).body["case"]["case_id"]
    assert assign(api, case_id, agent=OTHER_AGENT).status == 200
    label = uploaded(api, ANA, files.pdf(), "etiqueta.pdf")
    body = {"body": "Print this label.", "attachment_ids": [label]}
    before = api.snapshot()

    # When Ana answers it, the console asks first: nothing is written, the label stays unused
    refused = api.call("POST", f"/agent/cases/{case_id}/messages", body, identity=ANA)
    assert (refused.status, refused.error["code"]) == (409, "case_taken")
    assert api.snapshot() == before

    # And once she confirms, the answer goes with the label, under her name, and Bruno keeps it
    forced = api.call(
        "POST", f"/agent/cases/{case_id}/messages", body | {"force": True}, identity=ANA
    )
    assert forced.status == 200, forced.body
    assert forced.body["assignee"] == OTHER_AGENT
    (sent,) = [m for m in my_case(api, case_id).body["messages"] if m["author"] == "agent"]
    assert (sent["author_name"], sent["attachment_ids"]) == ("Ana", [label])
    assert attachment(api, LUCIA, label).body["status"] == "ready"


def test_the_consoles_search_finds_a_case_with_photos_by_each_of_its_keys(api: Api) -> None:
    api.order_in("delivered")
    photo = uploaded(api, LUCIA, files.png(), "roto.png")
    reported = damage_report(api, [photo])
    assert reported.status == 201, reported.body
    case = reported.body["case"]

    found = {
        query: api.call("GET", f"/agent/search?q={query}", identity=ANA)
        for query in ("ORD-1", case["case_id"], str(case["number"]))
    }

    assert all(reply.status == 200 for reply in found.values()), found
    [by_order] = found["ORD-1"].body["hits"]
    assert [c["case_id"] for c in by_order["order"]["cases"]] == [case["case_id"]]
    [by_reference] = found[case["case_id"]].body["hits"]
    assert by_reference["case_id"] == case["case_id"]
    [by_number] = found[str(case["number"])].body["hits"]
    assert (by_number["matched"], by_number["case_id"]) == ("case_number", case["case_id"])


def test_an_agent_cannot_send_a_customers_upload_as_their_own(api: Api) -> None:
    api.order_in("delivered")
    case_id = damage_report(api, []).body["case"]["case_id"]
    hers = uploaded(api, LUCIA, files.png(), "detail.png")
    reply = api.call(
        "POST",
        f"/agent/cases/{case_id}/messages",
        {"body": "Look", "attachment_ids": [hers]},
        identity=ANA,
    )
    assert reply.status == 422
    assert reply.error["errors"][0]["type"] == "attachment_not_found"


def test_s3_delivering_the_event_twice_changes_nothing(api: Api) -> None:
    photo = files.photo(200, 100)
    grant = request_upload(api, LUCIA, "p.jpg", "image/jpeg", len(photo)).body
    key = post_form(grant, photo)
    assert isinstance(key, str)
    assert process(key, len(photo))["processed"][0]["status"] == "ready"
    before = api.snapshot()
    assert process(key, len(photo))["processed"][0]["status"] == "already_done"
    assert api.snapshot() == before


def test_a_retried_upload_request_gets_the_same_attachment(api: Api) -> None:
    key = {"Idempotency-Key": "upload-1"}
    first = request_upload(api, LUCIA, "p.jpg", "image/jpeg", 1000, headers=key)
    again = request_upload(api, LUCIA, "p.jpg", "image/jpeg", 1000, headers=key)
    assert first.status == again.status == 201
    assert first.body["attachment_id"] == again.body["attachment_id"]
    other = request_upload(api, LUCIA, "p.jpg", "image/jpeg", 1000)
    assert other.body["attachment_id"] != first.body["attachment_id"]


# --- with the returns and the case numbers of today's forms ---------------------------------------


def test_a_return_request_takes_photos_on_its_case_and_its_return_stays_about_the_items(
    api: Api,
) -> None:
    # Given a delivered order and a photo of the wrong bulbs
    api.order_in("delivered")
    photo = uploaded(api, LUCIA, files.png(), "bombillas.png")

    # When Lucía asks to return two bulbs for a replacement, with the photo
    reply = api.help(
        "ORD-1",
        "return_request",
        {
            "items": [{"sku": "BULB-E27", "quantity": 2}],
            "message": "The wrong colour: see the photo.",
            "resolution": "replacement",
            "attachment_ids": [photo],
        },
    )

    # Then the return is requested as returns shape it, and the photo is on the case's message
    assert reply.status == 201, reply.body
    [requested] = reply.body["order"]["returns"]
    assert (requested["status"], requested["resolution"]) == ("requested", "replacement")
    assert "attachment_ids" not in requested
    case_id = reply.body["case"]["case_id"]
    assert "attachment_ids" not in reply.body["case"]["details"]
    (first,) = my_case(api, case_id).body["messages"]
    assert first["attachment_ids"] == [photo]
    (seen_by_agent,) = agent_case(api, case_id).body["case"]["messages"]
    assert seen_by_agent["attachment_ids"] == [photo]
    history = api.details("ORD-1").body["history"]
    assert all("attachment_ids" not in entry["data"] for entry in history)
    # and the photo is taken: a second message cannot carry it again
    again = api.help(
        "ORD-1",
        "item_problem",
        DAMAGED | {"resolution": "replacement", "attachment_ids": [photo]},
    )
    assert again.status == 422
    assert again.error["errors"][0]["type"] == "attachment_used"


def test_a_refused_photo_leaves_no_return_and_no_case(api: Api) -> None:
    api.order_in("delivered")
    pending = request_upload(api, LUCIA, "p.png", "image/png", 100).body["attachment_id"]
    before = api.snapshot()
    reply = api.help(
        "ORD-1",
        "return_request",
        {
            "items": [{"sku": "BULB-E27", "quantity": 1}],
            "message": "Too bright.",
            "attachment_ids": [pending],
        },
    )
    assert reply.status == 422
    assert reply.error["errors"][0]["type"] == "attachment_not_ready"
    assert reply.error["errors"][0]["loc"] == ["body", "attachment_ids", 0]
    assert api.snapshot() == before


def test_a_photo_on_a_closed_case_goes_on_to_its_follow_up(api: Api) -> None:
    # Given Lucía's damage report, solved and then closed by the housekeeping
    api.order_in("delivered")
    closed = damage_report(api, []).body["case"]["case_id"]
    assert assign(api, closed).status == 200
    assert solve(api, closed).status == 200
    api.clock.advance(days=CasePolicy().close_solved_after_days, minutes=1)
    assert housekeeping()["closed"] == 1

    # When she writes on it again with a photo
    photo = uploaded(api, LUCIA, files.png(), "otra.png")
    reply = api.call(
        "POST",
        f"/cases/{closed}/messages",
        {"body": "It broke again.", "attachment_ids": [photo]},
        identity=LUCIA,
    )

    # Then the follow-up case, numbered and linked, carries the photo; the closed one does not
    assert reply.status == 201, reply.body
    follow_up = reply.body["case"]
    assert follow_up["follows"] == closed
    assert follow_up["linked_numbers"] == {closed: my_case(api, closed).body["number"]}
    assert reply.body["message"]["attachment_ids"] == [photo]
    assert [m["attachment_ids"] for m in follow_up["messages"]] == [[photo]]
    assert all(m["attachment_ids"] == [] for m in my_case(api, closed).body["messages"])
    assert attachment(api, LUCIA, photo).body["status"] == "ready"
