"""The bodies of the agents' console routes: search, views, saved replies, profiles, a customer's
side panel and customer service's figures."""

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from lifecycle.actions import CaseAction
from lifecycle.case import CaseStatus
from lifecycle.order import Contact, OrderStatus
from orderhelp.console_records import (
    AgentProfile,
    DisplayName,
    Locale,
    ReplyActions,
    ReplyBody,
    ReplyTitle,
    SavedReply,
)
from orderhelp.models import AgentCaseSummary, CaseSummaryView, Money, OrderListItem

# --- search ---------------------------------------------------------------------------------------


class SearchKind(StrEnum):
    ORDER_ID = "order_id"
    CASE_REFERENCE = "case_reference"
    CASE_NUMBER = "case_number"
    CUSTOMER_EMAIL = "customer_email"
    RETURN = "return"
    """A return's id (`ORD-1003-R1`) or its RMA number (`RMA-ORD-1003-R1`, on its label)."""


class OrderHit(BaseModel):
    order_id: str
    customer_id: str
    customer_name: str | None = Field(description="The name the order ships to.")
    status: OrderStatus
    status_label: str
    placed_at: datetime
    total: Money
    contact: Contact | None = Field(
        default=None, description="The customer's email and language for this order."
    )
    cases: list[CaseSummaryView] = Field(
        default_factory=list, description="The order's cases (for a hit by order id)."
    )


class SearchHit(BaseModel):
    matched: SearchKind = Field(description="Which key the query was found as.")
    order: OrderHit | None = None
    case: AgentCaseSummary | None = None
    case_id: str | None = Field(
        default=None, description="The case found (with `case`, or alone for a case number)."
    )


class SearchResult(BaseModel):
    query: str
    searched: list[SearchKind] = Field(description="The kinds of key the query was looked up as.")
    hits: list[SearchHit]


# --- views ----------------------------------------------------------------------------------------


class ViewName(StrEnum):
    MINE = "mine"
    UNASSIGNED = "unassigned"
    OVERDUE = "overdue"
    ACTION = "action"


class ViewCount(BaseModel):
    view: ViewName
    action: CaseAction | None = Field(default=None, description="With `view: action`.")
    count: int


class ViewCounts(BaseModel):
    """How many active cases (open or pending) each view holds, as of `at`."""

    at: datetime
    views: list[ViewCount]


# --- saved replies --------------------------------------------------------------------------------


class SavedReplyRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: ReplyTitle = Field(description="1 to 120 characters, one line.")
    locale: Locale = Field(description="The language the reply is written in.")
    body: ReplyBody = Field(
        description="1 to 5000 characters; placeholders such as `{customer_name}` are filled in "
        "when the reply is inserted (an unknown one is refused)."
    )
    actions: ReplyActions = Field(
        default_factory=list, description="The help actions it suits (each at most once)."
    )


class SavedReplyView(BaseModel):
    reply_id: str
    title: str
    locale: Locale
    body: str
    actions: list[CaseAction]
    created_at: datetime
    created_by: str
    updated_at: datetime
    updated_by: str
    version: int

    @classmethod
    def of(cls, reply: SavedReply) -> "SavedReplyView":
        return cls(**reply.model_dump(exclude={"deleted"}))


class SavedReplyList(BaseModel):
    replies: list[SavedReplyView]


class SuggestedReply(SavedReplyView):
    filled: str = Field(description="The body with this case's values in its placeholders.")
    missing: list[str] = Field(
        description="Placeholders this case has no value for, left as written in `filled`."
    )
    suggested: bool = Field(description="It suits the case's help action and language.")


class SuggestedReplies(BaseModel):
    case_id: str
    locale: Locale = Field(description="The language the customer reads.")
    replies: list[SuggestedReply] = Field(description="Suggested ones first.")


# --- profiles -------------------------------------------------------------------------------------


class ProfileRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    display_name: DisplayName = Field(
        description="What customers and colleagues read (1 to 60 characters)."
    )
    languages: list[Locale] = Field(min_length=1, max_length=2)


class ProfileView(BaseModel):
    agent_id: str
    display_name: str
    languages: list[Locale]
    version: int

    @classmethod
    def of(cls, profile: AgentProfile) -> "ProfileView":
        return cls(**profile.model_dump(exclude={"updated_at"}))


class ProfileList(BaseModel):
    profiles: list[ProfileView]


# --- a customer's side panel ----------------------------------------------------------------------


class CustomerPanel(BaseModel):
    customer_id: str
    orders: list[OrderListItem] = Field(description="Their newest orders.")
    more_orders: bool
    cases: list[AgentCaseSummary] = Field(description="Their cases, newest activity first.")
    more_cases: bool


# --- figures --------------------------------------------------------------------------------------


class BacklogCount(BaseModel):
    status: CaseStatus
    action: CaseAction
    count: int


class FirstResponse(BaseModel):
    answered: int = Field(description="Cases whose first answer came in the period.")
    p50_minutes: int | None = Field(
        description="Half the first answers took at most this long (the bucket's upper bound)."
    )
    p90_minutes: int | None
    within_target: int
    share_within_target: float | None = Field(description="0 to 1; null without answers.")


class DayFigures(BaseModel):
    day: date
    opened: dict[str, int] = Field(description="Cases opened, by help action.")
    first_answers: int
    first_answers_in_time: int
    ratings: dict[str, int]
    refunds_issued: int = Field(description="Refunds the payment system issued that day.")


class Stats(BaseModel):
    days: int
    first_day: date
    last_day: date
    backlog: list[BacklogCount] = Field(description="Cases not closed, by status and action.")
    first_response: FirstResponse
    opened: dict[str, int] = Field(description="Cases opened in the period, by help action.")
    ratings: dict[str, int] = Field(description="Ratings given in the period, by rating.")
    refunds_issued: dict[str, int] = Field(
        description="Refunds issued in the period, by where they came from (`cancellation`, "
        "`return`, `item_problem`, `goodwill`)."
    )
    refunded: list[Money] = Field(
        description="What the refunds issued in the period paid back, one amount per currency."
    )
    per_day: list[DayFigures]


def plain_counts(counts: dict[str, Any]) -> dict[str, int]:
    return {str(name): int(value) for name, value in counts.items()}
