"""What the agents' console keeps of its own: saved replies, agents' profiles and customer
service's daily figures. Each is a record written with `Changeset.put_record` (versioned: new, or
conditioned on the version read); `store.keys` says where each lives."""

from datetime import date
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from lifecycle.actions import CaseAction
from lifecycle.errors import RuleViolation
from lifecycle.order import Identifier
from lifecycle.replies import MAX_ACTIONS, PLACEHOLDERS, TITLE_MAX_LENGTH, unknown_placeholders
from lifecycle.text import SINGLE_LINE, MessageText
from lifecycle.times import UtcDatetime

Locale = Literal["es", "en"]


def _known_placeholders(text: str) -> str:
    unknown = unknown_placeholders(text)
    if unknown:
        names = ", ".join(f"{{{name}}}" for name in unknown)
        known = ", ".join(f"{{{name}}}" for name in PLACEHOLDERS)
        raise RuleViolation(
            "unknown_placeholder",
            f"{names}: not a placeholder a saved reply may hold ({known})",
            placeholders=names,
            known=known,
        )
    return text


def _distinct_actions(actions: list[CaseAction]) -> list[CaseAction]:
    if len(set(actions)) != len(actions):
        raise RuleViolation("repeated_action", "each help action at most once")
    return actions


ReplyTitle = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=TITLE_MAX_LENGTH),
    SINGLE_LINE,
]
ReplyBody = Annotated[MessageText, AfterValidator(_known_placeholders)]
ReplyActions = Annotated[
    list[CaseAction], Field(max_length=MAX_ACTIONS), AfterValidator(_distinct_actions)
]
DisplayName = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60), SINGLE_LINE
]


class SavedReply(BaseModel):
    """An answer agents reuse, shared by all of them. Deleting one keeps its record, marked
    `deleted`, so that a concurrent edit of it fails instead of bringing it back."""

    model_config = ConfigDict(extra="forbid")

    reply_id: Identifier
    title: ReplyTitle
    locale: Locale
    body: ReplyBody
    actions: ReplyActions = Field(default_factory=list)
    created_at: UtcDatetime
    created_by: str
    updated_at: UtcDatetime
    updated_by: str
    deleted: bool = False
    version: int = Field(default=0, ge=0)
    request_id: str | None = None
    """The request that wrote this version: how a retried request recognises its own write."""


class AgentProfile(BaseModel):
    """Who an agent is to customers and colleagues: the name they read instead of an id, and the
    languages the agent answers in."""

    model_config = ConfigDict(extra="forbid")

    agent_id: str = Field(min_length=1, max_length=128)
    display_name: DisplayName
    languages: Annotated[list[Locale], Field(min_length=1, max_length=2)]
    updated_at: UtcDatetime
    version: int = Field(default=0, ge=0)
    request_id: str | None = None


class StatsDay(BaseModel):
    """One day's figures, as one shard of them: each event counts on one shard of its day
    (chosen by the event's id), so that events in flight at once rarely write the same item.
    The dashboard adds the shards and the days."""

    model_config = ConfigDict(extra="forbid")

    day: date
    shard: int = Field(ge=0)
    opened: dict[str, int] = Field(
        default_factory=dict, description="Cases opened, by help action."
    )
    first_answers: dict[str, int] = Field(
        default_factory=dict, description="First answers, by how long they took (minutes)."
    )
    first_answers_in_time: int = 0
    """First answers given by the case's first-response due time."""
    first_answers_late: int = 0
    ratings: dict[str, int] = Field(default_factory=dict, description="Ratings, by rating.")
    refunds_issued: dict[str, int] = Field(
        default_factory=dict, description="Refunds issued, by where they came from."
    )
    refunded: dict[str, str] = Field(
        default_factory=dict,
        description="The amount refunds issued paid back, a decimal string per ISO 4217 currency.",
    )
    version: int = Field(default=0, ge=0)


class StatsBacklog(BaseModel):
    """The cases not yet closed, by status and help action, as one shard of the counts (the sum
    of the shards is the backlog): each case change moves one case from one count to another."""

    model_config = ConfigDict(extra="forbid")

    shard: int = Field(ge=0)
    counts: dict[str, dict[str, int]] = Field(default_factory=dict)
    """status → action → cases."""
    version: int = Field(default=0, ge=0)


class StatsEventDetail(BaseModel):
    """What the aggregation reads of a case event's `detail` (`domain_events.CaseDetail`: its
    stable `event_id`, the case and the case's `version`); anything else is ignored."""

    model_config = ConfigDict(extra="ignore")

    event_id: str = Field(min_length=1, max_length=128)
    case_id: Identifier
    order_id: Identifier
    version: int = Field(ge=1)
    occurred_at: UtcDatetime
    rating: str | None = Field(default=None, max_length=32)


class StatsRefundAmount(BaseModel):
    model_config = ConfigDict(extra="ignore")

    amount: Annotated[str, StringConstraints(pattern=r"^\d{1,12}(\.\d{1,4})?$")]
    currency: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]


class StatsRefundDetail(BaseModel):
    """What the aggregation reads of a `RefundIssued` detail (`domain_events.RefundIssued`, made
    from the refund's log entry as its issue left it: an issued refund never changes again)."""

    model_config = ConfigDict(extra="ignore")

    event_id: str = Field(min_length=1, max_length=128)
    refund_id: Identifier
    source: str = Field(min_length=1, max_length=32)
    amount: StatsRefundAmount
    issued_at: UtcDatetime
