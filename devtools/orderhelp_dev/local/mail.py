"""The emails the local stack sent: SES is the embedded moto service (it runs in the stack's own
process), whose sent messages are read here, for `GET /__local/mail` and the mailbox page."""

import html
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from email import message_from_string, policy
from email.message import EmailMessage
from typing import Any

import boto3

from orderhelp_dev.local.template import LOCAL_ACCOUNT_ID


@dataclass(frozen=True)
class SentMail:
    id: str
    to: list[str]
    subject: str
    text: str
    html: str
    sent_at: str

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "to": self.to,
            "subject": self.subject,
            "text": self.text,
            "html": self.html,
            "sent_at": self.sent_at,
        }


class LocalMail:
    def __init__(self, region: str) -> None:
        self._region = region
        self._seen: dict[str, str] = {}
        """When each message was first seen (moto keeps no time of its own)."""

    def verify_senders(self, endpoint: str, senders: Iterable[str]) -> None:
        """SES sends only from verified identities: the template's, made as SES would."""
        client = boto3.client(
            "ses",
            endpoint_url=endpoint,
            region_name=self._region,
            aws_access_key_id="local",
            aws_secret_access_key="local",  # noqa: S106 — moto accepts any credentials
        )
        for sender in senders:
            client.verify_email_identity(EmailAddress=sender)

    def messages(self, to: str | None = None) -> list[SentMail]:
        from moto.ses.models import ses_backends  # noqa: PLC0415 — moto's state, in this process

        backend = ses_backends[LOCAL_ACCOUNT_ID][self._region]
        found = []
        for message in list(backend.sent_messages):
            raw = getattr(message, "raw_data", None)
            if raw is None:
                continue
            mail = _parsed(str(message.id), raw, self._seen)
            if to is None or to.lower() in (address.lower() for address in mail.to):
                found.append(mail)
        return found

    def find(self, message_id: str) -> SentMail | None:
        return next((m for m in self.messages() if m.id == message_id), None)


def _parsed(message_id: str, raw: str, seen: dict[str, str]) -> SentMail:
    parsed = message_from_string(raw, policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    text = parsed.get_body(("plain",))
    rich = parsed.get_body(("html",))
    sent_at = seen.setdefault(
        message_id, datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    )
    return SentMail(
        id=message_id,
        to=[address.strip() for address in str(parsed.get("To", "")).split(",") if address],
        subject=str(parsed.get("Subject", "")),
        text=text.get_content() if text is not None else "",
        html=rich.get_content() if rich is not None else "",
        sent_at=sent_at,
    )


def mailbox_page(messages: list[SentMail], to: str | None) -> str:
    """The mailbox a person trying the demo reads: newest first, each email's text, and its
    HTML a click away (served on its own, with nothing active in it)."""
    rows = []
    for mail in reversed(messages):
        rows.append(
            "<article>"
            f"<h2>{html.escape(mail.subject)}</h2>"
            f"<p class='meta'>To {html.escape(', '.join(mail.to))} · {html.escape(mail.sent_at)} · "
            f"<a href='/__local/mail/{html.escape(mail.id)}.html'>HTML</a></p>"
            f"<pre>{html.escape(mail.text)}</pre>"
            "</article>"
        )
    heading = f"Mailbox — {html.escape(to)}" if to else "Mailbox"
    empty = "<p>No emails yet. Cancel an order or answer a case, and they arrive here.</p>"
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{heading} (local stack)</title>"
        "<link rel='stylesheet' href='/__local/mailbox.css'></head><body><main>"
        f"<h1>{heading}</h1><p>The emails the local stack sent (SES is the embedded one): "
        "<a href='/'>back to the page</a>.</p>" + ("".join(rows) or empty) + "</main></body></html>"
    )


MAILBOX_CSS = """
body { font-family: system-ui, sans-serif; margin: 0; background: #f5f5f5; color: #1a1a1a; }
main { max-width: 48rem; margin: 0 auto; padding: 1rem; }
article { background: #fff; border: 1px solid #ddd; border-radius: 6px; padding: 0 1rem 1rem;
  margin: 1rem 0; }
.meta { color: #555; font-size: 0.9rem; }
pre { white-space: pre-wrap; overflow-wrap: anywhere; font-family: inherit; }
"""
