"""The order: a pydantic model with its invariants, and the named predicates that guard its
help actions (python-statemachine's rich-model style: the machine reads them off the model)."""

import re
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Literal, Self
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    computed_field,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from lifecycle.addresses import (
    address_format,
    normalise_postal_code,
    normalise_region,
    postal_code_fits,
    region_problem,
)
from lifecycle.base import Record
from lifecycle.errors import RuleViolation
from lifecycle.money import round_to_minor_unit, validate_currency
from lifecycle.policy import Policy
from lifecycle.reference_data import country_codes
from lifecycle.text import MULTI_LINE, SINGLE_LINE
from lifecycle.times import UtcDatetime


class OrderStatus(StrEnum):
    CREATED = "created"
    PAID = "paid"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"


Identifier = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")]
"""Order ids, SKUs and customer ids: letters, digits and . _ : - (no spaces, no slashes)."""

Text = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), SINGLE_LINE
]
Amount = Annotated[Decimal, Field(ge=0, max_digits=14, allow_inf_nan=False)]


def _a_json_integer(value: object) -> object:
    # Lax mode would take `true` as 1 and "01" as 1: a count is a JSON number or nothing.
    if isinstance(value, bool | str):
        raise PydanticCustomError("int_type", "Input should be a valid integer")
    return value


Quantity = Annotated[int, Field(ge=1, le=10_000), BeforeValidator(_a_json_integer)]


class Address(BaseModel):
    """A delivery address. The postcode is checked against its country's format where one is
    known and written the country's way (`nw16xe` → `NW1 6XE`); a US address needs its state
    code. The country comes before the fields checked against it."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: Text
    line1: Text
    line2: Annotated[str, StringConstraints(max_length=200), SINGLE_LINE] | None = None
    city: Annotated[str, StringConstraints(min_length=1, max_length=100), SINGLE_LINE]
    country: Annotated[str, StringConstraints(min_length=2, max_length=2)] = Field(
        description="ISO 3166-1 alpha-2 country code"
    )
    region: Annotated[str, StringConstraints(max_length=100), SINGLE_LINE] | None = Field(
        default=None,
        # Checked when absent too: a US address needs its state.
        validate_default=True,
        description="Free text; for the US, the state's two-letter code.",
    )
    postal_code: Annotated[
        str, StringConstraints(min_length=1, max_length=16, pattern=r"^[A-Za-z0-9][A-Za-z0-9 -]*$")
    ] = Field(description="Checked against the country's format where one is known.")
    phone: Annotated[str, StringConstraints(pattern=r"^\+?[0-9][0-9 ()./-]{3,24}$")] | None = None

    @field_validator("country")
    @classmethod
    def _known_country(cls, value: str) -> str:
        code = value.upper()
        if code not in country_codes():
            raise RuleViolation(
                "unknown_country", f"'{value}' is not an ISO 3166-1 alpha-2 country code"
            )
        return code

    @field_validator("region")
    @classmethod
    def _region_of_the_country(cls, value: str | None, info: ValidationInfo) -> str | None:
        country = info.data.get("country")
        if country is None:  # the country itself was refused: nothing to check against
            return value
        region = normalise_region(country, value)
        problem = region_problem(country, region)
        if problem == "region_required":
            raise PydanticCustomError(
                "region_required",
                "an address in {country} needs its {label} (a code such as {example})",
                {"country": country, **_region_words(country)},
            )
        if problem == "region_code":
            raise PydanticCustomError(
                "region_code",
                "not a {label} code of {country} (a code such as {example})",
                {"country": country, **_region_words(country)},
            )
        return region

    @field_validator("postal_code")
    @classmethod
    def _postal_code_of_the_country(cls, value: str, info: ValidationInfo) -> str:
        country = info.data.get("country")
        if country is None:
            return value
        code = normalise_postal_code(country, value)
        if not postal_code_fits(country, code):
            # The input is not echoed: only the format it should have.
            raise PydanticCustomError(
                "postal_code_format",
                "not a postcode of {country}: they are written like {example}",
                {"country": country, "example": address_format(country).postal_code.example},
            )
        return code


def _region_words(country: str) -> dict[str, str]:
    rule = address_format(country).region
    return {"label": rule.label, "example": rule.example or ""}


IMAGE_URL_MAX_LENGTH = 2048


def _https_url(value: str) -> str:
    """An absolute https URL with a host and no user name or password in it."""
    try:
        parts = urlsplit(value)
        host = parts.hostname
    except ValueError:
        host = None
    else:
        if parts.scheme != "https":
            raise PydanticCustomError("url_scheme", "the URL must start with https://")
        if parts.username is not None or parts.password is not None:
            raise PydanticCustomError(
                "url_userinfo", "the URL must not carry a user name or password"
            )
    if not host:
        raise PydanticCustomError("url_parsing", "the URL has no valid host")
    return value


ImageUrl = Annotated[
    str,
    StringConstraints(
        min_length=1,
        max_length=IMAGE_URL_MAX_LENGTH,
        # RFC 3986's characters only: no spaces, quotes, angle brackets or backslashes.
        pattern=r"^[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+$",
    ),
    AfterValidator(_https_url),
]
"""A picture of a product from the shop: https only, as browsers would load it."""


class LineItem(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sku: Identifier
    name: Text
    quantity: Quantity
    unit_price: Amount
    image_url: ImageUrl | None = Field(
        default=None, description="A picture of the product: an https URL."
    )


EMAIL_MAX_LENGTH = 254
"""The longest address SMTP carries (RFC 5321's 256-character path, less its angle brackets)."""

_EMAIL = re.compile(
    # The HTML standard's "valid e-mail address" (what a browser's <input type=email> takes),
    # with a dot in the domain: a shop never writes to a host of its own network.
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@"
    r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$"
)


def _email_address(value: str) -> str:
    if not _EMAIL.fullmatch(value):
        raise PydanticCustomError("email_format", "not an email address such as ana@example.com")
    local, _, domain = value.rpartition("@")
    # The domain is case-insensitive; the local part is the recipient's own.
    return f"{local}@{domain.lower()}"


EmailAddress = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=3, max_length=EMAIL_MAX_LENGTH),
    AfterValidator(_email_address),
]

ContactLocale = Literal["es", "en"]


class Contact(BaseModel):
    """How the shop reaches the customer about an order: the address its emails go to and the
    language everything automatic they read is written in."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    email: EmailAddress = Field(description="Where the order's emails go.")
    locale: ContactLocale = Field(
        description="The language of the order's emails and automatic messages."
    )


class PaymentDetails(BaseModel):
    """Data of the `pay` event."""

    model_config = ConfigDict(extra="forbid")

    payment_ref: Annotated[str, StringConstraints(min_length=1, max_length=128), SINGLE_LINE]
    paid_at: UtcDatetime | None = Field(default=None, description="Defaults to now.")
    estimated_ship_by: UtcDatetime


class ShipmentDetails(BaseModel):
    """Data of the `ship` event."""

    model_config = ConfigDict(extra="forbid")

    carrier: Text
    tracking_number: Annotated[str, StringConstraints(min_length=1, max_length=64), SINGLE_LINE]
    shipped_at: UtcDatetime | None = Field(default=None, description="Defaults to now.")
    estimated_delivery_by: UtcDatetime


class DeliveryDetails(BaseModel):
    """Data of the `deliver` event."""

    model_config = ConfigDict(extra="forbid")

    delivered_at: UtcDatetime | None = Field(default=None, description="Defaults to now.")


class EstimateRevision(BaseModel):
    """Data of the shop's `revise_estimate` event: a new ship-by date for a paid order, or a new
    delivery date for a shipped one. A later miss of the new date counts as a new delay."""

    model_config = ConfigDict(extra="forbid")

    estimated_ship_by: UtcDatetime | None = None
    estimated_delivery_by: UtcDatetime | None = None

    @model_validator(mode="after")
    def _one_estimate(self) -> Self:
        if (self.estimated_ship_by is None) == (self.estimated_delivery_by is None):
            raise RuleViolation(
                "one_estimate", "give exactly one of estimated_ship_by and estimated_delivery_by"
            )
        return self


class CancellationDetails(BaseModel):
    """Data of the shop's `cancel` event."""

    model_config = ConfigDict(extra="forbid")

    reason: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500), MULTI_LINE
    ]


class Order(Record):
    order_id: Identifier
    customer_id: Identifier
    currency: str = Field(description="ISO 4217 currency code")
    items: list[LineItem] = Field(min_length=1, max_length=200)
    shipping: Amount
    tax: Amount = Decimal(0)
    shipping_address: Address
    contact: Contact | None = Field(
        default=None, description="The customer's email and language for this order."
    )
    status: OrderStatus = OrderStatus.CREATED
    version: int = Field(default=0, ge=0)

    placed_at: UtcDatetime
    paid_at: UtcDatetime | None = None
    payment_ref: str | None = None
    estimated_ship_by: UtcDatetime | None = None
    shipped_at: UtcDatetime | None = None
    carrier: str | None = None
    tracking_number: str | None = None
    estimated_delivery_by: UtcDatetime | None = None
    delivered_at: UtcDatetime | None = None
    cancelled_at: UtcDatetime | None = None
    cancel_reason: str | None = None
    refund_due: bool = False
    shipping_delayed_since: UtcDatetime | None = Field(
        default=None, description="The order missed its ship-by deadline at this time."
    )
    delivery_delayed_since: UtcDatetime | None = Field(
        default=None, description="The order missed its delivery deadline at this time."
    )
    policy: Policy | None = Field(default=None, description="The policy in force when paid.")

    # --- money ---------------------------------------------------------------------------------

    @computed_field  # type: ignore[prop-decorator]
    @property
    def subtotal(self) -> Decimal:
        amount = sum((item.unit_price * item.quantity for item in self.items), Decimal(0))
        return round_to_minor_unit(amount, self.currency)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def total(self) -> Decimal:
        """The cart total: items, shipping and tax."""
        return round_to_minor_unit(self.subtotal + self.shipping + self.tax, self.currency)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def item_count(self) -> int:
        return sum(item.quantity for item in self.items)

    @field_validator("currency")
    @classmethod
    def _iso_currency(cls, value: str) -> str:
        return validate_currency(value)

    @model_validator(mode="after")
    def _invariants(self) -> Self:
        self._round_amounts()
        self._check_unique_skus()
        self._check_milestones_match_status()
        self._check_timeline()
        return self

    def _round_amounts(self) -> None:
        for item in self.items:
            item.unit_price = round_to_minor_unit(item.unit_price, self.currency)
        self.shipping = round_to_minor_unit(self.shipping, self.currency)
        self.tax = round_to_minor_unit(self.tax, self.currency)

    def _check_unique_skus(self) -> None:
        seen: set[str] = set()
        for item in self.items:
            if item.sku in seen:
                raise RuleViolation(
                    "sku_on_two_lines",
                    f"sku '{item.sku}' appears on more than one line",
                    sku=item.sku,
                )
            seen.add(item.sku)

    def _check_milestones_match_status(self) -> None:
        required = {
            OrderStatus.PAID: ("paid_at", "payment_ref", "estimated_ship_by", "policy"),
            OrderStatus.SHIPPED: (
                "shipped_at",
                "carrier",
                "tracking_number",
                "estimated_delivery_by",
            ),
            OrderStatus.DELIVERED: ("delivered_at",),
            OrderStatus.CANCELLED: ("cancelled_at",),
        }
        reached = {
            OrderStatus.CREATED: (),
            OrderStatus.PAID: (OrderStatus.PAID,),
            OrderStatus.SHIPPED: (OrderStatus.PAID, OrderStatus.SHIPPED),
            OrderStatus.DELIVERED: (OrderStatus.PAID, OrderStatus.SHIPPED, OrderStatus.DELIVERED),
            OrderStatus.CANCELLED: (OrderStatus.CANCELLED,),
        }[self.status]
        for milestone, fields in required.items():
            must_have = milestone in reached
            for name in fields:
                present = getattr(self, name) is not None
                if must_have and not present:
                    raise RuleViolation(
                        "milestone_missing", f"a {self.status} order needs {name}", field=name
                    )
                if not must_have and present and not self._may_keep(milestone):
                    raise RuleViolation(
                        "milestone_too_soon",
                        f"a {self.status} order cannot have {name}",
                        field=name,
                    )

    def _may_keep(self, milestone: OrderStatus) -> bool:
        # A cancelled order keeps its payment details: it may have been paid before cancelling.
        return self.status is OrderStatus.CANCELLED and milestone is OrderStatus.PAID

    def _check_timeline(self) -> None:
        def not_before(later: str, earlier: str, *, strictly: bool = False) -> None:
            late: datetime | None = getattr(self, later)
            early: datetime | None = getattr(self, earlier)
            if late is None or early is None:
                return
            if late < early or (strictly and late == early):
                relation = "after" if strictly else "at or after"
                raise RuleViolation(
                    "strictly_after" if strictly else "not_before",
                    f"{later} ({late.isoformat()}) must be {relation} "
                    f"{earlier} ({early.isoformat()})",
                    later=later,
                    earlier=earlier,
                )

        not_before("paid_at", "placed_at")
        not_before("estimated_ship_by", "paid_at", strictly=True)
        not_before("shipped_at", "paid_at")
        not_before("estimated_delivery_by", "shipped_at", strictly=True)
        not_before("delivered_at", "shipped_at")
        not_before("cancelled_at", "placed_at")
        not_before("cancelled_at", "paid_at")

    # --- milestones ------------------------------------------------------------------------------

    def entered_at(self, status: OrderStatus) -> datetime | None:
        """When the order entered `status`, if it has."""
        return {
            OrderStatus.CREATED: self.placed_at,
            OrderStatus.PAID: self.paid_at,
            OrderStatus.SHIPPED: self.shipped_at,
            OrderStatus.DELIVERED: self.delivered_at,
            OrderStatus.CANCELLED: self.cancelled_at,
        }[status]

    def line(self, sku: str) -> LineItem | None:
        return next((item for item in self.items if item.sku == sku), None)

    def skus(self) -> Iterator[str]:
        return (item.sku for item in self.items)

    @property
    def _policy(self) -> Policy:
        return self.policy or Policy()

    # --- deadlines and windows (the dates the guards compare `now` with) -------------------------

    def shipping_late_after(self) -> datetime | None:
        """The order is late to ship once `now` is past this time."""
        if self.estimated_ship_by is None:
            return None
        return self.estimated_ship_by + self._policy.delay_grace

    def delivery_late_after(self) -> datetime | None:
        """The order is late to arrive once `now` is past this time."""
        if self.estimated_delivery_by is None:
            return None
        return self.estimated_delivery_by + self._policy.delay_grace

    def return_window_closes_at(self) -> datetime | None:
        if self.delivered_at is None:
            return None
        return self.delivered_at + self._policy.return_window

    def claim_window_closes_at(self) -> datetime | None:
        if self.delivered_at is None:
            return None
        return self.delivered_at + self._policy.claim_window

    def next_delay_deadline(self) -> datetime | None:
        """The deadline the scheduled delay check waits on: the paid order's ship-by or the
        shipped order's delivery estimate (+ grace), until its delay has been recorded."""
        if self.status is OrderStatus.PAID and self.shipping_delay_unrecorded():
            return self.shipping_late_after()
        if self.status is OrderStatus.SHIPPED and self.delivery_delay_unrecorded():
            return self.delivery_late_after()
        return None

    # --- guards: named predicates over the order and an injected `now` ---------------------------

    def shipping_delay_unrecorded(self) -> bool:
        """No delay is recorded yet for the current ship-by deadline."""
        return self.shipping_delayed_since != self.shipping_late_after()

    def delivery_delay_unrecorded(self) -> bool:
        """No delay is recorded yet for the current delivery deadline."""
        return self.delivery_delayed_since != self.delivery_late_after()

    def ship_by_has_passed(self, now: datetime) -> bool:
        deadline = self.shipping_late_after()
        return deadline is not None and now > deadline

    def delivery_estimate_has_passed(self, now: datetime) -> bool:
        deadline = self.delivery_late_after()
        return deadline is not None and now > deadline

    def return_window_is_open(self, now: datetime) -> bool:
        closes = self.return_window_closes_at()
        return closes is not None and now <= closes

    def claim_window_is_open(self, now: datetime) -> bool:
        closes = self.claim_window_closes_at()
        return closes is not None and now <= closes
