"""The API's request and response bodies. Amounts are `{"amount": "12.34", "currency": "EUR"}`;
times are ISO 8601 in UTC with `Z`."""

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from lifecycle.actions import CaseAction
from lifecycle.attachments import AttachmentIds
from lifecycle.carriers import tracking_url
from lifecycle.case import (
    Author,
    Case,
    CaseMessage,
    CaseStatus,
    MessageBody,
    OpenedBy,
    Rating,
    RatingValue,
    Turn,
)
from lifecycle.help import Availability, explain
from lifecycle.i18n import translate
from lifecycle.order import (
    Address,
    Amount,
    Contact,
    Identifier,
    LineItem,
    Order,
    OrderStatus,
    Quantity,
)
from lifecycle.policy import Policy, ReturnShippingPayer
from lifecycle.refunds import (
    PaymentReference,
    Refund,
    RefundMethod,
    RefundSource,
    RefundStatus,
    refund_left,
)
from lifecycle.returns import ItemCondition, ReasonText, Resolution, Return, ReturnStatus
from lifecycle.times import UtcDatetime
from orderhelp.records import ActorKind, HistoryEntry, OrderRecord

CASE_NUMBER_TEXT = "The case's short number, unique: what people read out and search by."


class Money(BaseModel):
    amount: str = Field(pattern=r"^-?\d+(\.\d+)?$", examples=["12.34"])
    currency: str = Field(examples=["EUR"])

    @classmethod
    def of(cls, amount: Decimal, currency: str) -> "Money":
        return cls(amount=str(amount), currency=currency)


class LineItemView(BaseModel):
    sku: str
    name: str
    quantity: int
    unit_price: Money
    line_total: Money
    image_url: str | None = Field(
        description="A picture of the product (https), if the shop sent one."
    )


class HistoryView(BaseModel):
    at: datetime
    event: str
    actor: ActorKind
    from_status: OrderStatus | None
    to_status: OrderStatus
    data: dict[str, Any]

    @classmethod
    def of(cls, entry: HistoryEntry) -> "HistoryView":
        # Customers see what happened and by whom in kind, not the systems' or agents' ids.
        return cls(
            at=entry.at,
            event=entry.event,
            actor=entry.actor.kind,
            from_status=entry.from_status,
            to_status=entry.to_status,
            data=entry.data,
        )


UNREAD = "Customer service wrote since the customer last opened the conversation."


class CaseSummaryView(BaseModel):
    case_id: str
    number: int = Field(description=CASE_NUMBER_TEXT)
    action: CaseAction
    status: CaseStatus
    status_label: str
    turn: Turn | None
    opened_at: datetime
    opened_by: OpenedBy
    last_activity_at: datetime
    follows: str | None = Field(description="The closed case this one continues.")
    unread: bool = Field(description=UNREAD)

    @classmethod
    def of(cls, case: Case, locale: str) -> "CaseSummaryView":
        return cls(
            case_id=case.case_id,
            number=case.number,
            action=case.action,
            status=case.status,
            status_label=translate(locale, "case_states", case.status),
            turn=case.turn,
            opened_at=case.opened_at,
            opened_by=case.opened_by,
            last_activity_at=case.last_activity_at,
            follows=case.follows,
            unread=case.unread,
        )


class OrderView(BaseModel):
    """Every field of an order, with amounts as money."""

    order_id: str
    customer_id: str
    status: OrderStatus
    status_label: str
    version: int
    currency: str
    items: list[LineItemView]
    item_count: int
    subtotal: Money
    shipping: Money
    tax: Money
    total: Money
    shipping_address: Address
    contact: Contact | None = Field(
        description="The customer's email and language for this order; null if the shop gave none."
    )
    placed_at: datetime
    paid_at: datetime | None
    payment_ref: str | None
    estimated_ship_by: datetime | None
    shipped_at: datetime | None
    carrier: str | None
    tracking_number: str | None
    tracking_url: str | None = Field(
        description="The carrier's tracking page for the parcel; null when the carrier is not one "
        "we know (the number alone is shown then)."
    )
    estimated_delivery_by: datetime | None
    delivered_at: datetime | None
    cancelled_at: datetime | None
    cancel_reason: str | None
    refund_due: bool
    shipping_delayed_since: datetime | None
    delivery_delayed_since: datetime | None
    policy: Policy | None

    @classmethod
    def fields_of(cls, order: Order, locale: str) -> dict[str, Any]:
        def money(amount: Decimal) -> Money:
            return Money.of(amount, order.currency)

        plain = order.model_dump(exclude={"items", "subtotal", "shipping", "tax", "total"})
        return plain | {
            "status_label": translate(locale, "states", order.status),
            "tracking_url": tracking_url(order.carrier, order.tracking_number),
            "items": [
                LineItemView(
                    sku=item.sku,
                    name=item.name,
                    quantity=item.quantity,
                    unit_price=money(item.unit_price),
                    line_total=money(item.unit_price * item.quantity),
                    image_url=item.image_url,
                )
                for item in order.items
            ],
            "subtotal": money(order.subtotal),
            "shipping": money(order.shipping),
            "tax": money(order.tax),
            "total": money(order.total),
        }

    @classmethod
    def of(cls, order: Order, locale: str = "en") -> "OrderView":
        return cls(**cls.fields_of(order, locale))


class ReturnItemView(BaseModel):
    sku: str
    quantity: int


class ReceivedItemView(ReturnItemView):
    condition: ItemCondition


class ReturnView(BaseModel):
    """A return as its customer (and customer service, and the shop) sees it."""

    return_id: str
    order_id: str
    status: ReturnStatus
    status_label: str = Field(description="The status in the caller's language.")
    items: list[ReturnItemView]
    resolution: Resolution
    requested_at: datetime
    case_id: str | None = Field(default=None, description="The case it was requested on.")
    rma: str | None = Field(default=None, description="Once approved: the RMA number.")
    drop_off_by: datetime | None = Field(
        default=None, description="Once approved: hand the parcel to the carrier by then."
    )
    label_url: str | None = Field(
        default=None, description="Once approved: the printable label (PDF), for its customer."
    )
    return_shipping_paid_by: ReturnShippingPayer | None = None
    reason: str | None = Field(default=None, description="Why it was rejected.")
    received_at: datetime | None = None
    received_items: list[ReceivedItemView] = Field(default_factory=list)
    refund_id: str | None = None

    @classmethod
    def of(cls, record: Return, locale: str) -> "ReturnView":
        return cls(
            **record.model_dump(
                include={
                    "return_id",
                    "order_id",
                    "status",
                    "items",
                    "resolution",
                    "requested_at",
                    "case_id",
                    "rma",
                    "drop_off_by",
                    "return_shipping_paid_by",
                    "reason",
                    "received_at",
                    "received_items",
                    "refund_id",
                }
            ),
            status_label=translate(locale, "return_states", record.status),
            label_url=(
                f"/orders/{record.order_id}/returns/{record.return_id}/label"
                if record.rma
                else None
            ),
        )


class RefundView(BaseModel):
    """A refund: how much, why, and where it stands."""

    refund_id: str
    order_id: str
    status: RefundStatus
    status_label: str = Field(description="The status in the caller's language.")
    amount: Money
    source: RefundSource
    due_since: datetime
    method: RefundMethod | None = Field(default=None, description="Once issued: how.")
    reference: str | None = Field(default=None, description="Once issued: the payment's.")
    issued_at: datetime | None = None
    failure_reason: str | None = Field(default=None, description="Why the last attempt failed.")
    return_id: str | None = None
    case_id: str | None = None

    @classmethod
    def of(cls, refund: Refund, locale: str) -> "RefundView":
        return cls(
            **refund.model_dump(
                include={
                    "refund_id",
                    "order_id",
                    "status",
                    "source",
                    "due_since",
                    "method",
                    "reference",
                    "issued_at",
                    "failure_reason",
                    "return_id",
                    "case_id",
                }
            ),
            status_label=translate(locale, "refund_states", refund.status),
            amount=Money.of(refund.amount, refund.currency),
        )


class RefundWork(RefundView):
    """A refund as the payment system works it."""

    customer_id: str
    version: int
    failures: int

    @classmethod
    def of(cls, refund: Refund, locale: str) -> "RefundWork":
        return cls(
            **RefundView.of(refund, locale).model_dump(),
            customer_id=refund.customer_id,
            version=refund.version,
            failures=refund.failures,
        )


class RefundPage(BaseModel):
    refunds: list[RefundWork]
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null at the end."
    )


class OrderDetails(OrderView):
    """The Order Details page: the order, its help links, its cases and its history, and its
    returns and refunds."""

    help: list[Availability]
    cases: list[CaseSummaryView]
    history: list[HistoryView]
    returns: list[ReturnView] = Field(description="The order's returns, oldest first.")
    refunds: list[RefundView] = Field(description="The order's refunds, oldest first.")

    @classmethod
    def of_record(
        cls, record: OrderRecord, now: datetime, locale: str, enabled: set[str] | None = None
    ) -> "OrderDetails":
        """`enabled`: what the order's machine enables now, when the caller's machine already
        said so (the rules build one machine per request)."""
        return cls(
            **OrderView.fields_of(record.order, locale),
            help=explain(record.order, now, locale, enabled),
            cases=[CaseSummaryView.of(case, locale) for case in record.cases],
            history=[HistoryView.of(entry) for entry in record.history],
            returns=[
                ReturnView.of(r, locale)
                for r in sorted(record.returns, key=lambda r: (r.requested_at, r.return_id))
            ],
            refunds=[
                RefundView.of(r, locale)
                for r in sorted(record.refunds, key=lambda r: (r.created_at, r.refund_id))
            ],
        )


FIRST_ITEMS_LISTED = 3
"""How many of an order's lines My Orders shows, with their pictures."""


class ItemPreview(BaseModel):
    """A line as My Orders shows it: what it is, how many, and its picture."""

    sku: str
    name: str
    quantity: int
    image_url: str | None = None


class OrderListItem(BaseModel):
    order_id: str
    status: OrderStatus
    placed_at: datetime
    total: Money
    item_count: int
    first_items: list[ItemPreview] = Field(
        default_factory=list,
        description=f"The order's first lines (at most {FIRST_ITEMS_LISTED}), in order.",
    )

    @field_validator("first_items", mode="before")
    @classmethod
    def _only_the_first(cls, lines: Any) -> Any:
        return lines[:FIRST_ITEMS_LISTED] if isinstance(lines, list) else lines


class OrderPage(BaseModel):
    orders: list[OrderListItem]
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null at the end."
    )


_CASE_FIELDS = {
    "case_id",
    "number",
    "order_id",
    "action",
    "status",
    "turn",
    "opened_at",
    "opened_by",
    "assignee_name",
    "first_response_due_at",
    "follows",
    "followed_by",
    "linked_numbers",
    "resolution",
    "solved_at",
    "closed_at",
    "last_activity_at",
    "details",
    "rating",
    "unread",
}


class CaseView(BaseModel):
    """A case as its customer and customer service see it (without its conversation)."""

    case_id: str
    number: int = Field(description=CASE_NUMBER_TEXT)
    order_id: str
    action: CaseAction = Field(
        description="The help action the case is about, or `general_question` (a follow-up on "
        "a closed case whose action the order no longer offers)."
    )
    status: CaseStatus
    status_label: str = Field(description="The status in the caller's language.")
    turn: Turn | None = Field(description="Whose move it is; null once solved or closed.")
    opened_at: datetime
    opened_by: OpenedBy
    assignee_name: str | None = Field(
        description="Who in customer service has the case, by their display name (never an id)."
    )
    first_response_due_at: datetime
    follows: str | None = Field(description="The closed case this one continues.")
    followed_by: list[str] = Field(
        description="The cases where the conversation went on after this one closed."
    )
    linked_numbers: dict[str, int] = Field(
        description="The numbers of the cases `follows` and `followed_by` name, by case id."
    )
    resolution: str | None
    solved_at: datetime | None
    closed_at: datetime | None
    last_activity_at: datetime
    details: dict[str, Any]
    unread: bool = Field(description=UNREAD)
    answer_expected_by: datetime | None = Field(
        description="When customer service will answer: the first answer's due time while it "
        "is awaited; null once they answered, or when it is not their turn."
    )
    rating: Rating | None = Field(
        description="The customer's latest rating of how the case was solved (`solved_at`: the "
        "solve it rates)."
    )
    rating_requested: bool = Field(
        description="Solved and not rated since: the customer may rate the answer "
        "(`POST /cases/{case_id}/rating`), once per solve."
    )

    @classmethod
    def fields_of(cls, case: Case, locale: str) -> dict[str, Any]:
        return case.model_dump(include=_CASE_FIELDS) | {
            "status_label": translate(locale, "case_states", case.status),
            "answer_expected_by": case.answer_expected_by(),
            "rating_requested": case.awaits_rating(),
        }

    @classmethod
    def of(cls, case: Case, locale: str) -> "CaseView":
        return cls(**cls.fields_of(case, locale))


class MessageView(BaseModel):
    at: datetime
    author: Author
    author_name: str | None = Field(
        default=None,
        description="For an agent's message, the agent's display name (never their id).",
    )
    body: str = Field(description="The message; a system note in the reader's language.")
    attachment_ids: list[str] = Field(
        default_factory=list,
        description="Photos and files on the message: read each with `GET /attachments/{id}`.",
    )

    @classmethod
    def fields_of(cls, message: CaseMessage, locale: str) -> dict[str, Any]:
        return {
            "at": message.at,
            "author": message.author,
            "author_name": message.author_name if message.author is Author.AGENT else None,
            "body": message_text(message, locale),
            "attachment_ids": list(message.attachment_ids),
        }


def message_text(message: CaseMessage, locale: str) -> str:
    """What the message says to a reader of `locale`: a system note is said in their language
    (with the names it was written with), anything else as written."""
    if message.note is None:
        return message.body
    try:
        return translate(locale, "case_notes", message.note.key, **message.note.values)
    except (KeyError, IndexError, ValueError):
        return message.body


OLDER_MESSAGES = (
    "Pass as `cursor` to read the messages before these; null when these reach the start."
)


class CaseConversation(CaseView):
    """A case with its latest messages as the customer sees them (agents' internal notes left
    out), oldest first; older ones are read a page at a time with `older_messages`."""

    messages: list[MessageView]
    older_messages: str | None = Field(description=OLDER_MESSAGES)

    @classmethod
    def of_conversation(
        cls, case: Case, messages: list[CaseMessage], locale: str, older: str | None = None
    ) -> "CaseConversation":
        return cls(
            **cls.fields_of(case, locale),
            messages=[
                MessageView(**MessageView.fields_of(m, locale)) for m in messages if not m.internal
            ],
            older_messages=older,
        )


class AgentMessageView(MessageView):
    author_id: str | None = Field(description="The agent who wrote it, for agents' messages.")
    internal: bool = Field(description="An agents' note the customer never sees.")


class AgentCaseSummary(CaseView):
    """A case in the agents' lists: whose it is and when it is due an answer."""

    customer_id: str
    assignee: str | None = Field(description="The agent who has the case (their id).")
    first_responded_at: datetime | None
    answer_due_at: datetime | None = Field(
        description="When customer service owes the next answer: the first-response due time "
        "until the first answer, then the due time of the customer's latest message; null when "
        "it is not customer service's turn."
    )
    overdue: bool = Field(
        description="The first answer is late (open, never answered, past its due time). A "
        "case answered once is never overdue."
    )

    @classmethod
    def summary_fields(cls, case: Case, locale: str, now: datetime) -> dict[str, Any]:
        return cls.fields_of(case, locale) | {
            "customer_id": case.customer_id,
            "assignee": case.assignee,
            "first_responded_at": case.first_responded_at,
            "answer_due_at": case.answer_due_at(),
            "overdue": case.first_answer_late(now),
        }

    @classmethod
    def of_case(cls, case: Case, locale: str, now: datetime) -> "AgentCaseSummary":
        return cls(**cls.summary_fields(case, locale, now))


class AgentCasePage(BaseModel):
    cases: list[AgentCaseSummary]
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null at the end."
    )


class AgentCase(AgentCaseSummary):
    """A case as customer service works it: every message, internal notes included."""

    version: int
    messages: list[AgentMessageView]
    older_messages: str | None = Field(description=OLDER_MESSAGES)

    @classmethod
    def of_conversation(
        cls,
        case: Case,
        messages: list[CaseMessage],
        locale: str,
        older: str | None = None,
        now: datetime | None = None,
    ) -> "AgentCase":
        return cls(
            **cls.summary_fields(case, locale, now or case.last_activity_at),
            version=case.version,
            older_messages=older,
            messages=[
                AgentMessageView(
                    **MessageView.fields_of(m, locale), author_id=m.author_id, internal=m.internal
                )
                for m in messages
            ],
        )


class CasePage(BaseModel):
    cases: list[CaseView]
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null at the end."
    )


class CaseReply(BaseModel):
    """The case that got the customer's message (a follow-up when the one written to was
    closed), with its conversation as it is now, and the message."""

    case: CaseConversation
    message: MessageView


class HelpOutcome(BaseModel):
    """The case the help action opened or joined, and the order as it is now."""

    case: CaseView
    order: OrderDetails


class AgentCaseDetails(BaseModel):
    """What an agent works from: the case with every message, and the order exactly as its
    customer sees it (help links and their explanations included) in the agent's language."""

    case: AgentCase
    order: OrderDetails
    refund_left: Money = Field(
        description="What can still be refunded on the order (paid, less every refund)."
    )

    @classmethod
    def of(
        cls, case: AgentCase, record: OrderRecord, now: datetime, locale: str
    ) -> "AgentCaseDetails":
        order = record.order
        return cls(
            case=case,
            order=OrderDetails.of_record(record, now, locale),
            refund_left=Money.of(refund_left(order, record.refunds), order.currency),
        )


# --- case bodies ----------------------------------------------------------------------------------


class CaseMessageRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    body: MessageBody = Field(description="1 to 5000 characters, not only blanks.")
    attachment_ids: AttachmentIds = Field(default_factory=list)


TAKE_OVER = (
    "Answer a case another agent has (they keep it). Without it, such a case is refused with "
    "409 `case_taken`."
)


class RateRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rating: RatingValue = Field(description="How the case was solved: `good` or `not_good`.")
    comment: MessageBody | None = Field(
        default=None, description="Optional: what the customer adds, 1 to 5000 characters."
    )


class AgentMessageRequest(CaseMessageRequest):
    internal: bool = Field(
        default=False,
        strict=True,
        description="A note for customer service only; the customer never sees it.",
    )
    force: bool = Field(default=False, strict=True, description=TAKE_OVER)


class AssignRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    force: bool = Field(
        default=False, strict=True, description="Take the case over even if another agent has it."
    )


class SolveRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    resolution: MessageBody = Field(
        description="What was done; the customer reads it as the agent's last message."
    )
    force: bool = Field(
        default=False,
        strict=True,
        description="Solve a case another agent has. Without it, such a case is refused with "
        "409 `case_taken`.",
    )


# --- ops bodies -----------------------------------------------------------------------------------


class CreateOrderRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    order_id: Identifier | None = Field(default=None, description="Generated when absent.")
    customer_id: Identifier
    currency: Annotated[str, Field(min_length=3, max_length=3, examples=["EUR"])]
    items: list[LineItem] = Field(min_length=1, max_length=200)
    shipping: Amount
    tax: Amount = Decimal(0)
    shipping_address: Address
    contact: Contact | None = Field(
        default=None,
        description="Where the order's emails go and their language (`es` or `en`); without it "
        "nothing is emailed.",
    )
    placed_at: UtcDatetime | None = Field(default=None, description="Defaults to now.")


class FieldProblem(BaseModel):
    """One problem of a request that does not fit its schema."""

    loc: list[str | int] = Field(description="Where: `body`, `query` or `path`, then the field.")
    msg: str = Field(description="What is wrong, in the caller's language.")
    type: str = Field(description="A stable, machine-readable kind of problem.")


class ErrorDetail(BaseModel):
    """What went wrong. Some codes add details beside `code` and `message`: `action_unavailable`
    its `reason` and dates, `transition_not_allowed` the `status` and `event`, `validation_error`
    the `errors`, `unknown_action` the `valid_actions`."""

    model_config = ConfigDict(extra="allow")

    code: str = Field(description="A stable, machine-readable code.", examples=["order_not_found"])
    message: str = Field(description="What went wrong, in the caller's language.")
    errors: list[FieldProblem] | None = Field(
        default=None, description="With `validation_error`: each problem."
    )


class ErrorBody(BaseModel):
    """The body of every error answer."""

    error: ErrorDetail


# --- returns and refunds bodies -------------------------------------------------------------------


class RejectReturnRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: ReasonText = Field(description="Why, in words the customer reads (1 to 500).")


class ApproveReturnRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AgentRefundRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    amount: Annotated[str, Field(pattern=r"^\d{1,12}(\.\d{1,4})?$", examples=["12.34"])] = Field(
        description="In the order's currency, as a decimal string."
    )
    reason: ReasonText = Field(description="Why, in words the customer reads (1 to 500).")


class ReceivedItemBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sku: Identifier
    quantity: Quantity
    condition: ItemCondition


class ReturnReceivedRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    items: list[ReceivedItemBody] = Field(min_length=1, max_length=200)


class RefundIssuedRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    method: RefundMethod
    reference: PaymentReference
    issued_at: UtcDatetime | None = Field(default=None, description="Defaults to now.")


class RefundFailedRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: ReasonText


class RefundRetryRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
