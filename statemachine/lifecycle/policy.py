"""The shop's help policy. It is copied onto an order when the order is paid, so a later change
of policy never applies retroactively to orders already paid."""

from datetime import timedelta
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class ReturnShippingPayer(StrEnum):
    """Who pays for sending a return back: a prepaid label, or postage paid by the customer."""

    SHOP = "shop"
    CUSTOMER = "customer"


class Policy(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    return_window_days: int = Field(
        default=30,
        ge=0,
        le=365,
        description="Days after delivery during which a return can be requested.",
    )
    claim_window_days: int = Field(
        default=30,
        ge=0,
        le=365,
        description="Days after delivery to report missing, wrong, lost or damaged items.",
    )
    delay_grace_hours: int = Field(
        default=0,
        ge=0,
        le=24 * 30,
        description="Hours past an estimated ship-by or delivery time before an order is late.",
    )

    return_drop_off_days: int = Field(
        default=14,
        ge=1,
        le=90,
        description="Days after a return is approved to hand the parcel to the carrier.",
    )
    return_shipping_paid_by: ReturnShippingPayer = Field(
        default=ReturnShippingPayer.SHOP,
        description="Who pays the return's postage: the shop (a prepaid label) or the customer.",
    )
    refund_shipping_on_full_return: bool = Field(
        default=True,
        description="Whether the order's shipping is refunded once every item has come back.",
    )

    @property
    def return_drop_off(self) -> timedelta:
        return timedelta(days=self.return_drop_off_days)

    @property
    def return_window(self) -> timedelta:
        return timedelta(days=self.return_window_days)

    @property
    def claim_window(self) -> timedelta:
        return timedelta(days=self.claim_window_days)

    @property
    def delay_grace(self) -> timedelta:
        return timedelta(hours=self.delay_grace_hours)


def _default_first_response_hours() -> dict[str, int]:
    # Money and irreversible steps first; questions that can wait, later.
    return {
        "cancel_order": 2,
        "payment_issue": 4,
        "change_address": 4,
        "item_problem": 12,
        "delivery_delay": 12,
        "shipping_delay": 24,
        "return_request": 24,
        "customs_duties": 48,
        "general_question": 24,
    }


class CasePolicy(BaseModel):
    """How fast customer service answers each kind of case, and when solved cases close."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    first_response_hours: dict[str, int] = Field(default_factory=_default_first_response_hours)
    close_solved_after_days: int = Field(default=4, ge=1, le=90)

    def first_response_within(self, action: str) -> timedelta:
        return timedelta(hours=self.first_response_hours[action])

    @property
    def close_solved_after(self) -> timedelta:
        return timedelta(days=self.close_solved_after_days)
