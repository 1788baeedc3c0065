"""The domain events of returns and refunds, and the emails they send: derived, like every event,
from what the committed transaction wrote — here the `ReturnsActivity` entries (`RETURNLOG#…`,
`REFUNDLOG#…` in the order's partition) that each return or refund change writes with it.

`events_of(item)` maps one item of the table's stream (its new image, as plain values) to the
events it means (none for any other item): `ReturnApproved` (with the label's link),
`ReturnRejected`, `ReturnReceived`, `RefundDue`, `RefundIssued`, `RefundFailed`. Each event's id
is stable (the item's key): a redelivered stream record gives the same id, so consumers dedupe.
`detail` always has the order, the return's or refund's version (a consumer orders one
return's events by it), when, and who (kind and id).

`email_for(event, locale, page_url)` is the customer's email for an approved or rejected return
and an issued refund, in their language (text and HTML); other events send none."""

import hashlib
import html
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from lifecycle.i18n import format_date, resolve_locale, translate
from lifecycle.policy import ReturnShippingPayer
from lifecycle.refunds import Refund, RefundMethod, RefundSource
from lifecycle.returns import ReceivedItem, Resolution, Return, ReturnItem
from lifecycle.returns_words import format_money
from orderhelp.models import Money
from orderhelp.records import Actor, ReturnsActivity
from orderhelp.store import codec, keys

SOURCE = "orderhelp"


class ReturnsEventDetail(BaseModel):
    model_config = ConfigDict(extra="forbid")

    order_id: str
    customer_id: str
    version: int = Field(description="The return's or refund's version after the change.")
    occurred_at: datetime
    actor: Actor
    case_id: str | None = None


class ReturnDetail(ReturnsEventDetail):
    return_id: str
    items: list[ReturnItem]
    resolution: Resolution


class ReturnApproved(ReturnDetail):
    rma: str
    drop_off_by: datetime
    label_url: str = Field(description="The label's API path (the customer's, signed in).")
    return_shipping_paid_by: ReturnShippingPayer


class ReturnRejected(ReturnDetail):
    reason: str


class ReturnReceived(ReturnDetail):
    received_items: list[ReceivedItem]
    refund_id: str | None = Field(description="The refund it made due, if any.")


class RefundDetail(ReturnsEventDetail):
    refund_id: str
    amount: Money
    source: RefundSource
    return_id: str | None = None


class RefundDue(RefundDetail):
    pass


class RefundIssued(RefundDetail):
    method: RefundMethod
    reference: str
    issued_at: datetime


class RefundFailed(RefundDetail):
    reason: str
    failures: int


DETAIL_TYPES: Mapping[tuple[str, str], type[ReturnsEventDetail]] = {
    ("return", "approve"): ReturnApproved,
    ("return", "reject"): ReturnRejected,
    ("return", "receive"): ReturnReceived,
    ("refund", "due"): RefundDue,
    ("refund", "issue"): RefundIssued,
    ("refund", "fail"): RefundFailed,
}
"""Which change of a return or refund is which event; the others (a return requested — its
case's event says so —, expired, refunded, a refund retried) are none."""


@dataclass(frozen=True)
class DomainEvent:
    id: str
    source: str
    detail_type: str
    detail: ReturnsEventDetail

    def entry(self, bus: str) -> dict[str, Any]:
        """The event as an EventBridge PutEvents entry."""
        return {
            "Source": self.source,
            "DetailType": self.detail_type,
            "Detail": self.detail.model_dump_json(),
            "EventBusName": bus,
        }


def is_returns_activity(item: Mapping[str, Any]) -> bool:
    sort_key = str(item.get("sk", ""))
    return sort_key.startswith((keys.RETURN_LOG, keys.REFUND_LOG))


def events_of(item: Mapping[str, Any]) -> list[DomainEvent]:
    """The events one written item means: none unless it is a return's or refund's activity."""
    if not is_returns_activity(item):
        return []
    entry = codec.model_of(ReturnsActivity, item)
    detail_type = DETAIL_TYPES.get((entry.subject, entry.event))
    if detail_type is None:
        return []
    key = f"{item['pk']}\x1f{item['sk']}\x1f{detail_type.__name__}"
    event_id = hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]
    return [DomainEvent(event_id, SOURCE, detail_type.__name__, _detail(detail_type, entry))]


def _detail(detail_type: type[ReturnsEventDetail], entry: ReturnsActivity) -> ReturnsEventDetail:
    common: dict[str, Any] = {
        "order_id": entry.order_id,
        "customer_id": entry.customer_id,
        "version": entry.subject_version,
        "occurred_at": entry.at,
        "actor": entry.actor,
        "case_id": entry.case_id,
    }
    if entry.subject == "return":
        record = Return.model_validate(entry.state)
        fields = common | {
            "return_id": record.return_id,
            "items": record.items,
            "resolution": record.resolution,
        }
        if detail_type is ReturnApproved:
            fields |= {
                "rma": record.rma,
                "drop_off_by": record.drop_off_by,
                "label_url": f"/orders/{record.order_id}/returns/{record.return_id}/label",
                "return_shipping_paid_by": record.return_shipping_paid_by,
            }
        elif detail_type is ReturnRejected:
            fields["reason"] = record.reason
        else:
            fields |= {"received_items": record.received_items, "refund_id": record.refund_id}
        return detail_type.model_validate(fields)
    refund = Refund.model_validate(entry.state)
    fields = common | {
        "refund_id": refund.refund_id,
        "amount": Money.of(refund.amount, refund.currency),
        "source": refund.source,
        "return_id": refund.return_id,
    }
    if detail_type is RefundIssued:
        fields |= {
            "method": refund.method,
            "reference": refund.reference,
            "issued_at": refund.issued_at,
        }
    elif detail_type is RefundFailed:
        fields |= {"reason": refund.failure_reason, "failures": refund.failures}
    return detail_type.model_validate(fields)


# --- emails ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Email:
    subject: str
    text: str
    html: str


EMAILED = (ReturnApproved, ReturnRejected, RefundIssued)


def email_for(event: DomainEvent, locale: str, page_url: str) -> Email | None:
    """The customer's email for `event` in `locale`, linking to their order's page at
    `page_url` (the page's address: `https://…/`); None for an event that sends none."""
    detail = event.detail
    if not isinstance(detail, EMAILED):
        return None
    language = resolve_locale(locale)
    order_link = f"{page_url.rstrip('/')}/#/orders/{detail.order_id}"
    values: dict[str, str] = {"order_id": detail.order_id, "link": order_link}
    if isinstance(detail, ReturnApproved):
        key = "return_approved"
        values |= {
            "rma": detail.rma,
            "drop_off_by": format_date(detail.drop_off_by, language),
            "postage": translate(
                language,
                "returns",
                "postage_customer"
                if detail.return_shipping_paid_by is ReturnShippingPayer.CUSTOMER
                else "postage_shop",
            ),
        }
    elif isinstance(detail, ReturnRejected):
        key = "return_rejected"
        values["reason"] = detail.reason
    else:
        key = "refund_issued"
        values |= {
            "amount": format_money(Decimal(detail.amount.amount), detail.amount.currency, language),
            "date": format_date(detail.issued_at, language),
            "method": translate(language, "refund_methods", detail.method),
        }
    subject = translate(language, "return_emails", key, "subject", **values)
    paragraphs = [
        translate(language, "return_emails", key, "body", **values),
        translate(language, "return_emails", "link", **values),
    ]
    text = "\n\n".join([translate(language, "return_emails", "greeting"), *paragraphs])
    escaped = {name: html.escape(value) for name, value in values.items()}
    body = translate(language, "return_emails", key, "body", **escaped)
    link = translate(language, "return_emails", "link_html", **escaped)
    greeting = html.escape(translate(language, "return_emails", "greeting"))
    paragraphs_html = "".join(f"<p>{part}</p>" for part in (greeting, body, link))
    markup = f'<!doctype html><html lang="{language}"><body>{paragraphs_html}</body></html>'
    return Email(subject=subject, text=text, html=markup)
