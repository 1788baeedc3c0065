"""Attachments in the domain events and the emails: a public message's photos and files reach the
bus as ids and content types, never links, and never from an internal note; an agent's answer with
a photo emails once, saying there is something to see on the page, with no file in the email."""

from typing import Any

import boto3
import pytest

from orderhelp.config import notify_settings
from tests.handlers.attachment_calls import bucket, uploaded
from tests.handlers.case_calls import AGENT, answer, assign
from tests.handlers.client import CUSTOMER, Api, Identity
from tests.handlers.outbox import Outbox
from tests.handlers.test_notify import notify, sent, text_of
from tests.support import files

ORDER = "ORD-1"
LUCIA = Identity.customer(CUSTOMER)
ANA = Identity.agent(AGENT)
DAMAGED = {
    "problem": "damaged",
    "items": [{"sku": "LAMP-01", "quantity": 1}],
    "message": "The shade arrived cracked: see the photos.",
}


@pytest.fixture
def outbox(api: Api) -> Outbox:
    boto3.client("ses", region_name="eu-west-1").verify_email_identity(
        EmailAddress=notify_settings().notification_sender
    )
    return Outbox()


def delivered_order(api: Api, contact: dict[str, str] | None = None) -> None:
    extra = {"contact": contact} if contact else {}
    assert api.create_order(CUSTOMER, ORDER, **extra).status == 201
    for step in (api.pay, api.ship, api.deliver):
        api.clock.advance(hours=1)
        assert step(ORDER).status == 200


def message_of(event: dict[str, Any]) -> dict[str, Any]:
    message: dict[str, Any] = event["detail"]["message"]
    return message


def no_links_in(events: list[dict[str, Any]]) -> bool:
    text = str(events)
    return "X-Amz" not in text and "http" not in text and bucket() not in text


def test_a_damage_report_with_photos_opens_a_case_whose_message_names_them_by_id_and_type(
    api: Api, outbox: Outbox
) -> None:
    # Given a delivered order, a JPEG photo and a PDF receipt, both ready
    delivered_order(api)
    photo = uploaded(api, LUCIA, files.photo(300, 200), "sofa.jpg")
    receipt = uploaded(api, LUCIA, files.pdf(), "receipt.pdf")
    outbox.publish()

    # When Lucía reports the damage with both
    reply = api.help(ORDER, "item_problem", DAMAGED | {"attachment_ids": [photo, receipt]})
    assert reply.status == 201, reply.body

    # Then CaseOpened's message carries them in order, by id and type, and no link anywhere
    events = outbox.publish()
    opened = next(e for e in events if e["detail-type"] == "CaseOpened")
    assert message_of(opened)["attachments"] == [
        {"attachment_id": photo, "content_type": "image/jpeg"},
        {"attachment_id": receipt, "content_type": "application/pdf"},
    ]
    assert no_links_in(events)
    # HelpRequested tells the request, not the files (they are on the case's message)
    requested = next(e for e in events if e["detail-type"] == "HelpRequested")
    assert photo not in str(requested)


def test_a_help_request_without_attachments_says_an_empty_list(api: Api, outbox: Outbox) -> None:
    delivered_order(api)
    outbox.publish()
    assert api.help(ORDER, "item_problem", DAMAGED).status == 201
    opened = next(e for e in outbox.publish() if e["detail-type"] == "CaseOpened")
    assert message_of(opened)["attachments"] == []


def test_replies_carry_their_attachments_and_an_internal_notes_file_never_leaves(
    api: Api, outbox: Outbox
) -> None:
    delivered_order(api)
    case_id = api.help(ORDER, "item_problem", DAMAGED).body["case"]["case_id"]
    assert assign(api, case_id).status == 200
    outbox.publish()
    closer = uploaded(api, LUCIA, files.png(), "closer.png")
    label = uploaded(api, ANA, files.pdf(), "label.pdf")
    warehouse = uploaded(api, ANA, files.png(), "warehouse.png")

    # Lucía replies with a PNG; Ana notes with a photo for colleagues, then answers with a label
    replied = api.call(
        "POST",
        f"/cases/{case_id}/messages",
        {"body": "Closer.", "attachment_ids": [closer]},
        identity=LUCIA,
    )
    assert replied.status == 200, replied.body
    noted = api.call(
        "POST",
        f"/agent/cases/{case_id}/messages",
        {"body": "NOTE-91 from the warehouse", "internal": True, "attachment_ids": [warehouse]},
        identity=ANA,
    )
    assert noted.status == 200, noted.body
    answered = api.call(
        "POST",
        f"/agent/cases/{case_id}/messages",
        {"body": "Print this label.", "attachment_ids": [label]},
        identity=ANA,
    )
    assert answered.status == 200, answered.body

    events = outbox.publish()
    assert [e["detail-type"] for e in events] == ["CaseCustomerReplied", "CaseAnswered"]
    assert message_of(events[0])["attachments"] == [
        {"attachment_id": closer, "content_type": "image/png"}
    ]
    assert message_of(events[1])["attachments"] == [
        {"attachment_id": label, "content_type": "application/pdf"}
    ]
    assert warehouse not in str(events)
    assert "NOTE-91" not in str(events)
    assert no_links_in(events)


def test_an_agents_answer_with_a_photo_emails_once_saying_it_is_on_the_page(
    api: Api, outbox: Outbox
) -> None:
    # Given Lucía's case, taken by Ana, and a photo Ana uploaded
    delivered_order(api, {"email": "lucia@example.com", "locale": "es"})
    case_id = api.help(ORDER, "item_problem", DAMAGED).body["case"]["case_id"]
    assert assign(api, case_id).status == 200
    outbox.publish()
    photo = uploaded(api, ANA, files.photo(300, 200), "how-to-fold.jpg")

    # When Ana answers with it, and the event is delivered to NotifyFunction twice
    reply = api.call(
        "POST",
        f"/agent/cases/{case_id}/messages",
        {"body": "Así se pliega.", "attachment_ids": [photo]},
        identity=ANA,
    )
    assert reply.status == 200, reply.body
    (answered,) = outbox.publish()
    assert answered["detail-type"] == "CaseAnswered"
    first = notify(answered, "req-1")
    again = notify(answered, "req-2")

    # Then one email, in Spanish, that says a photo is waiting in the conversation, with its link;
    # no file rides along and no link to the file (they are short-lived, for the signed-in)
    assert (first["outcome"], again["outcome"]) == ("sent", "already_sent")
    (email,) = sent()
    text = text_of(email)
    assert "> Así se pliega." in text
    assert "La respuesta incluye una foto: puedes verla en la conversación." in text
    assert f"#/cases/{case_id}" in text
    assert "incluye una foto" in email.get_body(("html",)).get_content()
    assert list(email.iter_attachments()) == []
    raw = email.as_string()
    assert "X-Amz" not in raw and bucket() not in raw and photo not in raw


def test_an_answer_with_several_files_counts_them_and_one_without_says_nothing_of_files(
    api: Api, outbox: Outbox
) -> None:
    delivered_order(api, {"email": "oliver@example.com", "locale": "en"})
    case_id = api.help(ORDER, "item_problem", DAMAGED).body["case"]["case_id"]
    assert assign(api, case_id).status == 200
    outbox.publish()
    label = uploaded(api, ANA, files.pdf(), "label.pdf")
    photo = uploaded(api, ANA, files.png(), "fold.png")
    assert answer(api, case_id, "No files here.").status == 200
    with_files = api.call(
        "POST",
        f"/agent/cases/{case_id}/messages",
        {"body": "Here you are.", "attachment_ids": [label, photo]},
        identity=ANA,
    )
    assert with_files.status == 200, with_files.body

    for event in outbox.publish():
        notify(event, event["id"])

    plain, counted = (text_of(email) for email in sent())
    assert "comes with" not in plain
    assert "The answer comes with 2 photos or files: see them in the conversation." in counted


def test_a_single_pdf_is_called_a_file(api: Api, outbox: Outbox) -> None:
    delivered_order(api, {"email": "oliver@example.com", "locale": "en"})
    case_id = api.help(ORDER, "item_problem", DAMAGED).body["case"]["case_id"]
    assert assign(api, case_id).status == 200
    outbox.publish()
    label = uploaded(api, ANA, files.pdf(), "label.pdf")
    sent_label = api.call(
        "POST",
        f"/agent/cases/{case_id}/messages",
        {"body": "Print it.", "attachment_ids": [label]},
        identity=ANA,
    )
    assert sent_label.status == 200, sent_label.body
    (answered,) = outbox.publish()
    assert notify(answered)["outcome"] == "sent"
    (email,) = sent()
    assert "The answer comes with a file: see it in the conversation." in text_of(email)
