"""The customers' emails, in the order's contact language and the shop's time zone, as text and
HTML from the texts in the rules' locale files (`emails`, `formats`).

`COMPOSERS` says which events email the customer and how: one line per detail type. An event
no composer names sends nothing; a composer may decline one (an answer its change's own event
tells)."""

import html
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from lifecycle.i18n import format_date, format_moment, format_money, translate
from lifecycle.order import Address
from lifecycle.policy import ReturnShippingPayer
from orderhelp.domain_events import (
    CaseAnswered,
    CaseSolved,
    DelayRecorded,
    Detail,
    EventAttachment,
    MoneyDetail,
    OrderCancelled,
    RefundIssued,
    ReturnApproved,
    ReturnRejected,
    ShippingAddressChanged,
)


@dataclass(frozen=True)
class Email:
    subject: str
    text: str
    html: str


@dataclass(frozen=True)
class Letter:
    """What an email says, before it is written as text and HTML."""

    subject: str
    paragraphs: tuple[str, ...]
    quote: str | None = None
    """The customer service's own words (an answer, a resolution), shown as a quote."""
    lines: tuple[str, ...] = ()
    """A block of lines (an address)."""
    link: tuple[str, str] | None = None
    """(label, URL)."""


@dataclass(frozen=True)
class Context:
    locale: str
    zone: ZoneInfo
    web_url: str

    def text(self, *path: str, **values: Any) -> str:
        return translate(self.locale, "emails", *path, **values)

    def moment(self, value: Any) -> str:
        return format_moment(value, self.locale, self.zone)

    def date(self, value: datetime) -> str:
        """The day `value` falls on in the shop's time zone."""
        return format_date(value.astimezone(self.zone), self.locale)

    def money(self, money: MoneyDetail) -> str:
        return format_money(Decimal(money.amount), money.currency, self.locale)

    def case_link(self, case_id: str) -> tuple[str, str]:
        return self.text("conversation_link"), f"{self.web_url}#/cases/{case_id}"

    def order_link(self, order_id: str) -> tuple[str, str]:
        return self.text("order_link"), f"{self.web_url}#/orders/{order_id}"


def _answered(detail: CaseAnswered, c: Context) -> Letter | None:
    if detail.told_by is not None:  # its own event's email says it (an approved return…)
        return None
    attached = _attachments_note(detail.message.attachments, c)
    return Letter(
        c.text("CaseAnswered", "subject", order_id=detail.order_id),
        (c.text("CaseAnswered", "intro"), *attached, c.text("CaseAnswered", "outro")),
        quote=detail.message.body,
        link=c.case_link(detail.case_id),
    )


def _attachments_note(attachments: Sequence[EventAttachment], c: Context) -> tuple[str, ...]:
    """That the answer has photos or files to see on the page: an email carries no file and no
    link to one (the links are short-lived and for the signed-in customer)."""
    if not attachments:
        return ()
    if len(attachments) > 1:
        return (c.text("CaseAnswered", "attachments", count=len(attachments)),)
    kind = "photo" if attachments[0].content_type.is_image else "file"
    return (c.text("CaseAnswered", f"attachment_{kind}"),)


def _solved(detail: CaseSolved, c: Context) -> Letter | None:
    if detail.told_by is not None:  # the cancellation's email says it
        return None
    return Letter(
        c.text("CaseSolved", "subject", order_id=detail.order_id),
        (c.text("CaseSolved", "intro"), c.text("CaseSolved", "outro")),
        quote=detail.resolution,
        link=c.case_link(detail.case_id),
    )


def _delayed(detail: DelayRecorded, c: Context) -> Letter:
    words = ("DelayRecorded", detail.milestone)
    return Letter(
        c.text(*words, "subject", order_id=detail.order_id),
        (
            c.text(
                *words,
                "intro",
                estimate=c.moment(detail.estimate),
                since=c.moment(detail.late_since),
            ),
            c.text(*words, "outro"),
        ),
        link=c.case_link(detail.case_id),
    )


def _cancelled(detail: OrderCancelled, c: Context) -> Letter:
    refund = (
        c.text("OrderCancelled", "refund", amount=c.money(detail.refund_due))
        if detail.refund_due is not None
        else c.text("OrderCancelled", "no_refund")
    )
    return Letter(
        c.text("OrderCancelled", "subject", order_id=detail.order_id),
        (c.text("OrderCancelled", "intro", at=c.moment(detail.occurred_at)), refund),
        link=c.order_link(detail.order_id),
    )


def _address_changed(detail: ShippingAddressChanged, c: Context) -> Letter:
    return Letter(
        c.text("ShippingAddressChanged", "subject", order_id=detail.order_id),
        (c.text("ShippingAddressChanged", "intro"),),
        lines=address_lines(detail.address),
        link=c.order_link(detail.order_id),
    )


def _return_approved(detail: ReturnApproved, c: Context) -> Letter:
    postage = (
        "postage_customer"
        if detail.return_shipping_paid_by is ReturnShippingPayer.CUSTOMER
        else "postage_shop"
    )
    words = {"rma": detail.rma, "order_id": detail.order_id}
    return Letter(
        c.text("ReturnApproved", "subject", **words),
        (
            c.text("ReturnApproved", "intro", **words, drop_off_by=c.date(detail.drop_off_by)),
            translate(c.locale, "returns", postage),
        ),
        lines=tuple(f"{line.quantity} × {line.sku}" for line in detail.items),
        link=(c.text("ReturnApproved", "label_link"), f"{c.web_url}#/orders/{detail.order_id}"),
    )


def _return_rejected(detail: ReturnRejected, c: Context) -> Letter:
    return Letter(
        c.text("ReturnRejected", "subject", order_id=detail.order_id),
        (c.text("ReturnRejected", "intro"), c.text("ReturnRejected", "outro")),
        quote=detail.reason,
        link=c.order_link(detail.order_id),
    )


def _refund_issued(detail: RefundIssued, c: Context) -> Letter:
    words = {"amount": c.money(detail.amount), "order_id": detail.order_id}
    return Letter(
        c.text("RefundIssued", "subject", **words),
        (
            c.text(
                "RefundIssued",
                "intro",
                **words,
                date=c.date(detail.issued_at),
                method=translate(c.locale, "refund_methods", detail.method),
            ),
            c.text("RefundIssued", "outro"),
        ),
        link=c.order_link(detail.order_id),
    )


Composer = Callable[[Any, Context], Letter | None]

COMPOSERS: Mapping[str, Composer] = {
    "CaseAnswered": _answered,
    "CaseSolved": _solved,
    "DelayRecorded": _delayed,
    "OrderCancelled": _cancelled,
    "ShippingAddressChanged": _address_changed,
    "ReturnApproved": _return_approved,
    "ReturnRejected": _return_rejected,
    "RefundIssued": _refund_issued,
}
"""The events that email the customer, by detail type. One line per email."""


def address_lines(address: Address) -> tuple[str, ...]:
    """An address as lines on an envelope."""
    place = " ".join(filter(None, (address.postal_code, address.city, address.region)))
    return tuple(filter(None, (address.name, address.line1, address.line2, place, address.country)))


def compose(detail: Detail, *, locale: str, zone: ZoneInfo, web_url: str) -> Email | None:
    """The email `detail` sends its order's customer, or None if it sends none."""
    composer = COMPOSERS.get(type(detail).__name__)
    if composer is None:
        return None
    letter = composer(detail, Context(locale, zone, web_url))
    if letter is None:
        return None
    return Email(letter.subject, _text(letter, locale, detail), _html(letter, locale, detail))


def _text(letter: Letter, locale: str, detail: Detail) -> str:
    parts = [translate(locale, "emails", "greeting"), letter.paragraphs[0]]
    if letter.quote:
        parts.append("\n".join(f"> {line}" if line else ">" for line in letter.quote.splitlines()))
    if letter.lines:
        parts.append("\n".join(letter.lines))
    parts += list(letter.paragraphs[1:])
    if letter.link:
        parts.append(f"{letter.link[0]}: {letter.link[1]}")
    parts += [
        translate(locale, "emails", "signature"),
        translate(locale, "emails", "about_order", order_id=detail.order_id),
    ]
    return "\n\n".join(parts) + "\n"


def _html(letter: Letter, locale: str, detail: Detail) -> str:
    def paragraph(text: str) -> str:
        return f"<p>{html.escape(text)}</p>"

    body = [paragraph(translate(locale, "emails", "greeting")), paragraph(letter.paragraphs[0])]
    if letter.quote:
        quoted = "<br>".join(html.escape(line) for line in letter.quote.splitlines())
        body.append(
            f'<blockquote style="border-left:3px solid #ccc;padding-left:1em">{quoted}</blockquote>'
        )
    if letter.lines:
        body.append("<p>" + "<br>".join(html.escape(line) for line in letter.lines) + "</p>")
    body += [paragraph(text) for text in letter.paragraphs[1:]]
    if letter.link:
        label, url = letter.link
        body.append(f'<p><a href="{html.escape(url, quote=True)}">{html.escape(label)}</a></p>')
    body += [
        paragraph(translate(locale, "emails", "signature")),
        f'<p style="color:#666;font-size:small">'
        f"{html.escape(translate(locale, 'emails', 'about_order', order_id=detail.order_id))}</p>",
    ]
    return (
        f'<!DOCTYPE html><html lang="{locale}"><head><meta charset="utf-8">'
        f"<title>{html.escape(letter.subject)}</title></head><body>{''.join(body)}</body></html>"
    )
