"""Settings, read from the environment once per process and validated at start.

The template (`infra/template.yaml`) sets these variables for every function; the local stack
sets them from the same template, so both run with the same names.

Plain pydantic models read the variables named like their fields (case-insensitively), as
pydantic-settings would; importing that library cost more of a cold start than four flat models
are worth (see the README's cold-start figures)."""

import json
import os
from collections.abc import Mapping
from functools import cache
from typing import Self
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator

from lifecycle.actions import HelpAction, Question
from lifecycle.order import Address
from lifecycle.policy import CasePolicy, Policy, ReturnShippingPayer
from orderhelp.store.order_store import Indexes

MAX_SHARDS = 100


class EnvironmentSettings(BaseModel):
    """Fields read from the environment variables of the same name, in any case."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> Self:
        by_name = {
            name.lower(): value
            for name, value in (os.environ if environ is None else environ).items()
        }
        return cls.model_validate({f: by_name[f] for f in cls.model_fields if f in by_name})


class PolicySettings(EnvironmentSettings):
    """The help policy in force; copied onto each order when it is paid."""

    return_window_days: int = Field(default=30, ge=0, le=365)
    claim_window_days: int = Field(default=30, ge=0, le=365)
    delay_grace_hours: int = Field(default=0, ge=0, le=24 * 30)
    return_drop_off_days: int = Field(default=14, ge=1, le=90)
    return_shipping_paid_by: ReturnShippingPayer = ReturnShippingPayer.SHOP
    refund_shipping_on_full_return: bool = True

    def policy(self) -> Policy:
        return Policy(**self.model_dump())


class CaseSettings(EnvironmentSettings):
    """FIRST_RESPONSE_HOURS: `action=hours` pairs separated by commas, overriding the defaults."""

    first_response_hours: dict[str, int] = Field(default_factory=dict)
    close_solved_after_days: int = Field(default=4, ge=1, le=90)

    @field_validator("first_response_hours", mode="before")
    @classmethod
    def _pairs(cls, value: object) -> object:
        if not isinstance(value, str):
            return value
        pairs: dict[str, int] = {}
        for pair in filter(None, (p.strip() for p in value.split(","))):
            action, _, hours = pair.partition("=")
            if action.strip() not in set(HelpAction) | set(Question):
                raise ValueError(f"'{action.strip()}' is not a help action")
            pairs[action.strip()] = int(hours)
        return pairs

    def case_policy(self) -> CasePolicy:
        defaults = CasePolicy()
        hours = defaults.first_response_hours | self.first_response_hours
        return CasePolicy(
            first_response_hours=hours, close_solved_after_days=self.close_solved_after_days
        )


class StoreSettings(EnvironmentSettings):
    """Where the data lives. Table and index names come from the template; a function has the
    names of the indexes it may query (the template grants it those alone)."""

    orders_table: str = Field(min_length=3)
    orders_by_customer_index: str | None = Field(default=None, min_length=3)
    cases_by_customer_index: str | None = Field(default=None, min_length=3)
    case_queue_index: str | None = Field(default=None, min_length=3)
    orders_awaiting_milestone_index: str | None = Field(default=None, min_length=3)
    orders_by_contact_email_index: str | None = Field(default=None, min_length=3)
    refund_queue_index: str | None = Field(default=None, min_length=3)
    idempotency_table: str = Field(min_length=3)
    due_index_shards: int = Field(ge=1, le=MAX_SHARDS)
    """Shards of the index of orders awaiting a milestone. Every function that writes orders
    writes their index keys, so every function needs the same number (see `store.keys`)."""
    case_queue_shards: int = Field(ge=1, le=MAX_SHARDS)
    """Shards of each case queue; every function that writes cases writes their queue keys."""

    def indexes(self) -> Indexes:
        return Indexes(
            orders_by_customer=self.orders_by_customer_index,
            cases_by_customer=self.cases_by_customer_index,
            case_queue=self.case_queue_index,
            orders_awaiting_milestone=self.orders_awaiting_milestone_index,
            orders_by_contact_email=self.orders_by_contact_email_index,
            refund_queue=self.refund_queue_index,
        )


class DelayCheckSettings(EnvironmentSettings):
    """The scheduled delay check: how it paces a run."""

    delay_check_page_size: int = Field(default=100, ge=1, le=1000)
    """Index items per Query page: small enough that the time left is checked often."""
    delay_check_time_margin_seconds: float = Field(default=30, ge=0, le=600)
    """A run takes no new page (and no new order) once less than this is left of its time:
    enough for one order's slowest path (a transaction, a read, a retry, with the SDK's own
    retries and timeouts)."""


class AttachmentSettings(EnvironmentSettings):
    """The bucket the API gives uploads to and links from (the processing function reads the
    bucket from each S3 event instead: the template cannot name the bucket to a function the
    bucket's own notifications invoke without a circular reference)."""

    attachments_bucket: str | None = Field(default=None, min_length=3)


@cache
def attachment_settings() -> AttachmentSettings:
    return AttachmentSettings.from_environment()


def _default_returns_address() -> Address:
    return Address(
        name="Order Help Center Returns",
        line1="Calle de la Logística 7, Nave 3",
        city="Getafe",
        region="Madrid",
        postal_code="28906",
        country="ES",
    )


class ReturnsSettings(EnvironmentSettings):
    """RETURNS_ADDRESS: where returns go, as JSON with an address's fields (the label prints it)."""

    returns_address: Address = Field(default_factory=_default_returns_address)

    @field_validator("returns_address", mode="before")
    @classmethod
    def _json(cls, value: object) -> object:
        return json.loads(value) if isinstance(value, str) else value


@cache
def returns_settings() -> ReturnsSettings:
    return ReturnsSettings.from_environment()


class ShopSettings(EnvironmentSettings):
    """What the customers read is in the shop's time zone."""

    shop_time_zone: str = "Europe/Madrid"

    @field_validator("shop_time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as unknown:
            raise ValueError(f"'{value}' is not an IANA time zone") from unknown
        return value

    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.shop_time_zone)


class EventSettings(EnvironmentSettings):
    """The outbox publisher's bus."""

    event_bus_name: str = Field(min_length=1, max_length=256)


class NotifySettings(EnvironmentSettings):
    """The customers' emails: who sends them, and where their links point."""

    notification_sender: str = Field(min_length=3, max_length=320)
    web_url: str = Field(pattern=r"^https?://[^\s]+/$", description="The page, ending in /.")


@cache
def shop_settings() -> ShopSettings:
    return ShopSettings.from_environment()


@cache
def event_settings() -> EventSettings:
    return EventSettings.from_environment()


@cache
def notify_settings() -> NotifySettings:
    return NotifySettings.from_environment()


@cache
def policy_settings() -> PolicySettings:
    return PolicySettings.from_environment()


@cache
def case_settings() -> CaseSettings:
    return CaseSettings.from_environment()


@cache
def store_settings() -> StoreSettings:
    return StoreSettings.from_environment()


@cache
def delay_check_settings() -> DelayCheckSettings:
    return DelayCheckSettings.from_environment()
