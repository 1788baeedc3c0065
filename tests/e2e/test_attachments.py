"""Photos and files over the local stack, as a browser and customer service use them: the form
posted straight to the embedded S3 (its policy checked as S3 checks it), S3's event delivered to
the processing function, the attachment on a message, and the agent downloading the re-encoded
photo by its presigned link — and every refusal the issue lists."""

import http.client
import json
import time
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import boto3
from botocore.config import Config
from urllib3 import encode_multipart_formdata

from orderhelp_dev.local.identities import TokenIssuer
from tests.e2e.shop import Shop
from tests.e2e.stack import Http, LocalStack, Reply
from tests.e2e.test_events_and_mail import events_of, eventually, mail_to
from tests.support import files

PROCESSING_DEADLINE_SECONDS = 60.0


@dataclass(frozen=True)
class S3Answer:
    status: int
    body: bytes
    headers: dict[str, str]

    @property
    def code(self) -> str:
        text = self.body.decode("utf-8", "replace")
        return text.partition("<Code>")[2].partition("</Code>")[0]


def http_request(
    method: str, url: str, body: bytes | None = None, headers: dict[str, str] | None = None
) -> S3Answer:
    parts = urlsplit(url)
    assert parts.hostname == "127.0.0.1", url  # the embedded S3 on loopback, nothing else
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    try:
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        connection.request(method, target, body=body, headers=headers or {})
        response = connection.getresponse()
        return S3Answer(
            response.status,
            response.read(),
            {name.lower(): value for name, value in response.getheaders()},
        )
    finally:
        connection.close()


def post_form(url: str, fields: dict[str, str], data: bytes, filename: str) -> S3Answer:
    """The browser's form POST: the policy's fields in order, the file last."""
    form: list[tuple[str, Any]] = [*fields.items(), ("file", (filename, data))]
    body, content_type = encode_multipart_formdata(form)
    return http_request("POST", url, body, {"content-type": content_type})


class Uploads:
    def __init__(self, http: Http, token: str) -> None:
        self.http = http
        self.token = token

    def ask(self, filename: str, content_type: str, size: int) -> Reply:
        body = {"filename": filename, "content_type": content_type, "size": size}
        return self.http.call("POST", "/attachments", body, token=self.token)

    def send(self, filename: str, content_type: str, data: bytes) -> str:
        grant = self.ask(filename, content_type, len(data))
        assert grant.status == 201, grant.body
        posted = post_form(
            grant.body["upload"]["url"], grant.body["upload"]["fields"], data, filename
        )
        assert posted.status == 204, posted.body
        return str(grant.body["attachment_id"])

    def read(self, attachment_id: str, token: str | None = None) -> Reply:
        return self.http.call("GET", f"/attachments/{attachment_id}", token=token or self.token)

    def processed(self, attachment_id: str) -> dict[str, Any]:
        """The attachment once S3's event was processed (polled, bounded by a deadline)."""
        deadline = time.monotonic() + PROCESSING_DEADLINE_SECONDS
        while time.monotonic() < deadline:
            reply = self.read(attachment_id)
            assert reply.status == 200, reply.body
            if reply.body["status"] != "pending":
                body: dict[str, Any] = reply.body
                return body
            time.sleep(0.1)  # polling, not timing: the deadline bounds it
        raise AssertionError(f"{attachment_id} was still pending after the deadline")


def _customer(http: Http, tokens: TokenIssuer, customer_id: str) -> tuple[Uploads, str]:
    shop = Shop(http, tokens.ops())
    order_id = shop.paid_order(customer_id)
    assert shop.ship(order_id).status == 200
    assert shop.deliver(order_id).status == 200
    return Uploads(http, tokens.customer(customer_id)), order_id


def _report(http: Http, token: str, order_id: str, attachment_ids: list[str]) -> Reply:
    body = {
        "problem": "damaged",
        "items": [{"sku": "LAMP-01", "quantity": 1}],
        "message": "The lamp arrived broken.",
        "attachment_ids": attachment_ids,
    }
    return http.call("POST", f"/orders/{order_id}/help/item_problem", body, token=token)


def test_a_damage_photo_from_upload_to_the_agents_download_without_exif(
    http: Http, tokens: TokenIssuer, customer_id: str
) -> None:
    customer, order_id = _customer(http, tokens, customer_id)
    photo = files.photo()
    assert files.GPS_IFD in files.exif_of(photo)

    # The customer's upload goes straight to the embedded S3, and S3's event processes it
    attachment_id = customer.send("lámpara rota.jpg", "image/jpeg", photo)
    ready = customer.processed(attachment_id)
    assert ready["status"] == "ready"
    thumbnail = http_request("GET", ready["thumbnail_url"])
    assert thumbnail.status == 200
    assert thumbnail.body.startswith(b"\xff\xd8\xff")

    # The damage report carries it; the agent sees its id on the message and downloads it
    reported = _report(http, customer.token, order_id, [attachment_id])
    assert reported.status == 201, reported.body
    case_id = reported.body["case"]["case_id"]
    agent = tokens.agent(f"agent-{uuid.uuid4().hex[:8]}")
    case = http.call("GET", f"/agent/cases/{case_id}", token=agent)
    assert case.body["case"]["messages"][0]["attachment_ids"] == [attachment_id]
    for_agent = customer.read(attachment_id, token=agent)
    download = http_request("GET", for_agent.body["download_url"])
    assert download.status == 200
    assert download.headers["content-type"] == "image/jpeg"
    assert "inline" in download.headers["content-disposition"]
    assert files.exif_of(download.body) == {}
    assert download.body != photo


def test_wrong_bytes_are_rejected_for_what_they_are(
    http: Http, tokens: TokenIssuer, customer_id: str
) -> None:
    customer, _ = _customer(http, tokens, customer_id)
    png_as_pdf = customer.send("receipt.pdf", "application/pdf", files.png())
    program = customer.send("setup.exe.jpg", "image/jpeg", files.program())
    for attachment_id in (png_as_pdf, program):
        rejected = customer.processed(attachment_id)
        assert (rejected["status"], rejected["reason"]) == ("rejected", "type_mismatch")
        assert rejected["download_url"] is None


def test_s3_refuses_an_upload_larger_than_declared_or_after_it_expired(
    stack: LocalStack, http: Http, tokens: TokenIssuer, customer_id: str
) -> None:
    customer, _ = _customer(http, tokens, customer_id)
    photo = files.photo()

    # Larger than declared: S3's policy refuses it, and nothing is processed
    grant = customer.ask("photo.jpg", "image/jpeg", 1000)
    upload = grant.body["upload"]
    too_large = post_form(upload["url"], upload["fields"], photo, "photo.jpg")
    assert (too_large.status, too_large.code) == (400, "EntityTooLarge")

    # Another content type than the policy's: refused too
    as_png = upload["fields"] | {"Content-Type": "image/png"}
    assert post_form(upload["url"], as_png, b"x" * 10, "photo.png").status == 403

    # After it expired: the same upload, its policy signed as the function signs it but already
    # past its expiration (waiting out the real window would take 15 minutes)
    info = stack.state.read_info()
    signer = boto3.client(
        "s3",
        endpoint_url=info["s3_endpoint"],
        region_name=info["region"],
        aws_access_key_id="local",
        aws_secret_access_key="local",
        config=Config(signature_version="s3v4"),
    )
    expired = signer.generate_presigned_post(
        Bucket=info["buckets"][0],
        Key=upload["fields"]["key"],
        Fields={"Content-Type": "image/jpeg"},
        Conditions=[{"Content-Type": "image/jpeg"}, ["content-length-range", 1, 1000]],
        ExpiresIn=-60,
    )
    late = post_form(expired["url"], expired["fields"], b"\xff\xd8\xff" + bytes(10), "p.jpg")
    assert (late.status, late.code) == (403, "AccessDenied")
    assert b"Policy expired" in late.body
    assert customer.read(grant.body["attachment_id"]).body["status"] == "pending"


def test_the_refusals_of_a_message_s_attachments(
    http: Http, tokens: TokenIssuer, customer_id: str
) -> None:
    customer, order_id = _customer(http, tokens, customer_id)

    # 20 MB is refused before any upload, with the limit in words
    big = customer.ask("video.jpg", "image/jpeg", 20 * 1024 * 1024)
    assert big.status == 422
    assert big.error["errors"][0]["type"] == "attachment_too_large"

    # A pending attachment (never uploaded) cannot be sent yet
    pending = customer.ask("later.jpg", "image/jpeg", 1000).body["attachment_id"]
    refused = _report(http, customer.token, order_id, [pending])
    assert refused.status == 422
    assert refused.error["errors"][0]["type"] == "attachment_not_ready"

    # Another customer's is answered exactly like a missing one
    stranger = Uploads(http, tokens.customer(customer_id + "-other"))
    theirs = stranger.send("theirs.png", "image/png", files.png())
    assert stranger.processed(theirs)["status"] == "ready"
    missing = "AT-00000000000000000000AA"
    as_other = _report(http, customer.token, order_id, [theirs])
    as_missing = _report(http, customer.token, order_id, [missing])
    assert as_other.status == as_missing.status == 422
    assert json.loads(json.dumps(as_missing.body).replace(missing, theirs)) == as_other.body
    assert customer.read(theirs).status == customer.read(missing).status == 404

    # Six are too many (five are fine)
    six = [customer.send(f"p{n}.png", "image/png", files.png()) for n in range(6)]
    for attachment_id in six:
        assert customer.processed(attachment_id)["status"] == "ready"
    too_many = _report(http, customer.token, order_id, six)
    assert too_many.status == 422
    assert too_many.error["errors"][0]["type"] == "too_long"
    assert _report(http, customer.token, order_id, six[:5]).status == 201


def test_an_agents_answer_with_a_photo_reaches_the_bus_by_id_and_emails_once(
    http: Http, tokens: TokenIssuer, customer_id: str
) -> None:
    # Given a delivered order with a contact, and a damage report taken by an agent
    address = f"{uuid.uuid4().hex[:10]}@example.com"
    shop = Shop(http, tokens.ops())
    created = shop.create_order(customer_id, contact={"email": address, "locale": "en"})
    order_id = created.body["order_id"]
    for step in (shop.pay, shop.ship, shop.deliver):
        assert step(order_id).status == 200
    case_id = _report(http, tokens.customer(customer_id), order_id, []).body["case"]["case_id"]
    agent_token = tokens.agent(f"agent-{uuid.uuid4().hex[:8]}")
    agent = Uploads(http, agent_token)
    assign = http.call("POST", f"/agent/cases/{case_id}/assign", {}, token=agent_token)
    assert assign.status == 200

    # When the agent answers with a photo, and notes with another
    photo = agent.send("fold.jpg", "image/jpeg", files.photo(400, 300))
    noted = agent.send("stock.png", "image/png", files.png())
    assert agent.processed(photo)["status"] == agent.processed(noted)["status"] == "ready"
    note = {"body": "Stock photo", "internal": True, "attachment_ids": [noted]}
    path = f"/agent/cases/{case_id}/messages"
    assert http.call("POST", path, note, token=agent_token).status == 200
    answer = {"body": "Fold it like this.", "attachment_ids": [photo]}
    assert http.call("POST", path, answer, token=agent_token).status == 200

    # Then CaseAnswered carries the photo's id and type, no link, nothing of the note's file
    events = eventually(
        lambda: events_of(http, order_id),
        lambda found: any(e["detail-type"] == "CaseAnswered" for e in found),
    )
    (answered,) = (e for e in events if e["detail-type"] == "CaseAnswered")
    assert answered["detail"]["message"]["attachments"] == [
        {"attachment_id": photo, "content_type": "image/jpeg"}
    ]
    assert noted not in str(events)
    assert "X-Amz" not in str(events)
    # And one email says there is a photo to see in the conversation, with no file or link to it
    mail = eventually(lambda: mail_to(http, address), bool)
    assert [m["subject"] for m in mail] == [f"Customer service answered you about order {order_id}"]
    assert "The answer comes with a photo: see it in the conversation." in mail[0]["text"]
    assert "X-Amz" not in str(mail) and photo not in str(mail)
