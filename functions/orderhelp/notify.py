"""NotifyFunction's work: one email per event, however often the bus delivers it.

An event that emails (`emails.COMPOSERS`) is sent to the order's contact, in its language; an
order without a contact email sends nothing (logged once: the event is then recorded as done).
Each event is claimed in a ledger before its email goes out (`SentEmails`, an item per event id
in the idempotency table, with a time to live):

- a claim that finds the event sent sends nothing (a redelivery);
- a claim whose answer was lost finds its own claim on the SDK's retry (it names the
  invocation), and goes on;
- a claim held by another invocation that is still running fails this one, which Lambda
  retries; a claim left by an invocation that died is taken over once its time is up;
- a send that fails gives the claim back and fails the invocation: Lambda retries it, and after
  its retries the event goes to the dead-letter queue. Throttling is retried first, with
  backoff, by the SES client itself (`aws.MAIL_CONFIG`).

An email is sent at most once per event unless an invocation dies between SES accepting it and
the ledger recording it (at least once beats never: the claim then expires and it is sent
again)."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import make_msgid
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Protocol
from zoneinfo import ZoneInfo

from aws_lambda_powertools import Logger
from botocore.exceptions import ClientError

from lifecycle.order import Contact, Order
from orderhelp.domain_events import Detail, detail_of
from orderhelp.emails import COMPOSERS, Email, compose
from orderhelp.store import codec, keys
from orderhelp.store.table import Table

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_sesv2 import SESV2Client

logger = Logger(child=True)

Clock = Callable[[], datetime]

SENT_KEEP_SECONDS = 14 * 24 * 3600
"""How long the ledger remembers an event: longer than the bus's retries (24 h) and the
archive's replays a consumer would dedupe within."""
CLAIM_SECONDS = 60
"""How long a claim holds before another invocation may take it over (longer than the
function's timeout, so a live invocation is never overtaken)."""
LEDGER_PREFIX = "notify#"


class Outcome(StrEnum):
    SENT = "sent"
    ALREADY_SENT = "already_sent"
    NO_CONTACT = "no_contact"
    NOT_EMAILED = "not_emailed"
    """An event that sends no email."""


class ClaimHeld(RuntimeError):
    """Another invocation is sending this event's email now; this one is retried later."""


class Claim(StrEnum):
    OURS = "ours"
    DONE = "done"


class SentEmails(Protocol):
    def claim(self, event_id: str, owner: str, now: float) -> Claim: ...

    def done(self, event_id: str, owner: str, now: float, outcome: str) -> None: ...

    def release(self, event_id: str, owner: str) -> None: ...


class Orders(Protocol):
    def get_order(self, order_id: str) -> Order | None: ...


class OrdersTable:
    """An order by its key (one GetItem), from the store's table."""

    def __init__(self, table: Table) -> None:
        self._table = table

    def get_order(self, order_id: str) -> Order | None:
        item = self._table.get(keys.order_key(order_id))
        return None if item is None else codec.order_of(item)


class Mailer(Protocol):
    def send(self, to: str, email: Email, event_id: str) -> str: ...


@dataclass(frozen=True)
class Notification:
    event_id: str
    outcome: Outcome


class Notifier:
    def __init__(
        self,
        orders: Orders,
        ledger: SentEmails,
        mailer: Mailer,
        *,
        zone: ZoneInfo,
        web_url: str,
        clock: Clock,
    ) -> None:
        self._orders = orders
        self._ledger = ledger
        self._mailer = mailer
        self._zone = zone
        self._web_url = web_url
        self._clock = clock

    def notify(self, detail_type: str, raw_detail: dict[str, Any], owner: str) -> Notification:
        """Email what the event says to its order's customer, once. `owner` names the
        invocation (the same on Lambda's retries of it)."""
        detail = detail_of(detail_type, raw_detail)
        if detail_type not in COMPOSERS:
            return Notification(detail.event_id, Outcome.NOT_EMAILED)
        now = self._clock().timestamp()
        if self._ledger.claim(detail.event_id, owner, now) is Claim.DONE:
            logger.info("already emailed", extra={"event_id": detail.event_id})
            return Notification(detail.event_id, Outcome.ALREADY_SENT)
        try:
            outcome = self._send(detail)
        except Exception:
            self._ledger.release(detail.event_id, owner)
            raise
        self._ledger.done(detail.event_id, owner, now, outcome)
        return Notification(detail.event_id, outcome)

    def _send(self, detail: Detail) -> Outcome:
        contact = self._contact(detail.order_id)
        if contact is None:
            logger.info(
                "no contact email on the order: nothing sent",
                extra={"event_id": detail.event_id, "order_id": detail.order_id},
            )
            return Outcome.NO_CONTACT
        email = compose(detail, locale=contact.locale, zone=self._zone, web_url=self._web_url)
        if email is None:  # every composer writes one; kept for a composer that declines
            return Outcome.NOT_EMAILED
        message_id = self._mailer.send(contact.email, email, detail.event_id)
        logger.info(
            "emailed",
            extra={"event_id": detail.event_id, "order_id": detail.order_id, "ses": message_id},
        )
        return Outcome.SENT

    def _contact(self, order_id: str) -> Contact | None:
        order = self._orders.get_order(order_id)
        return None if order is None else order.contact


class DynamoSentEmails:
    """The ledger in the idempotency table (`id`, with `expiration` as its time to live)."""

    def __init__(self, client: "DynamoDBClient", table: str) -> None:
        self._client = client
        self._table = table

    def _key(self, event_id: str) -> dict[str, Any]:
        return {"id": {"S": f"{LEDGER_PREFIX}{event_id}"}}

    def claim(self, event_id: str, owner: str, now: float) -> Claim:
        item = self._key(event_id) | {
            "status": {"S": "sending"},
            "owner": {"S": owner},
            "claimed_until": {"N": str(int(now) + CLAIM_SECONDS)},
            "expiration": {"N": str(int(now) + SENT_KEEP_SECONDS)},
        }
        try:
            self._client.put_item(
                TableName=self._table,
                Item=item,
                ConditionExpression="attribute_not_exists(id) OR (#s = :sending AND "
                "(#o = :owner OR claimed_until < :now))",
                ExpressionAttributeNames={"#s": "status", "#o": "owner"},
                ExpressionAttributeValues={
                    ":sending": {"S": "sending"},
                    ":owner": {"S": owner},
                    ":now": {"N": str(int(now))},
                },
            )
        except ClientError as refused:
            if refused.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
                raise
            found = self._client.get_item(
                TableName=self._table, Key=self._key(event_id), ConsistentRead=True
            ).get("Item", {})
            if found.get("status", {}).get("S") == "sending":
                raise ClaimHeld(event_id) from refused
            return Claim.DONE
        return Claim.OURS

    def done(self, event_id: str, owner: str, now: float, outcome: str) -> None:
        self._client.put_item(
            TableName=self._table,
            Item=self._key(event_id)
            | {
                "status": {"S": "done"},
                "outcome": {"S": outcome},
                "owner": {"S": owner},
                "expiration": {"N": str(int(now) + SENT_KEEP_SECONDS)},
            },
        )

    def release(self, event_id: str, owner: str) -> None:
        try:
            self._client.delete_item(
                TableName=self._table,
                Key=self._key(event_id),
                ConditionExpression="#s = :sending AND #o = :owner",
                ExpressionAttributeNames={"#s": "status", "#o": "owner"},
                ExpressionAttributeValues={":sending": {"S": "sending"}, ":owner": {"S": owner}},
            )
        except ClientError as refused:
            if refused.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
                raise


class SesMailer:
    """SES v2, with the email as a MIME message (text and HTML alternatives)."""

    def __init__(self, client: "SESV2Client", sender: str) -> None:
        self._client = client
        self._sender = sender

    def send(self, to: str, email: Email, event_id: str) -> str:
        message = mime_message(self._sender, to, email, event_id)
        answer = self._client.send_email(
            FromEmailAddress=self._sender,
            Destination={"ToAddresses": [to]},
            Content={"Raw": {"Data": message.as_bytes()}},
        )
        return str(answer.get("MessageId", ""))


def mime_message(sender: str, to: str, email: Email, event_id: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = email.subject
    message["Message-ID"] = make_msgid(idstring=event_id.replace("-", ""))
    # The event it tells of: a person tracing an email finds the event on the bus by it.
    message["X-Order-Help-Event"] = event_id
    # Quoted-printable: any mail system carries it, and the words stay readable in the source.
    message.set_content(email.text, cte="quoted-printable")
    message.add_alternative(email.html, subtype="html", cte="quoted-printable")
    return message
