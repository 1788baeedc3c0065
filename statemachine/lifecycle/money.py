"""Money is Decimal, never float, rounded to its currency's minor unit."""

from decimal import ROUND_HALF_UP, Decimal

from lifecycle.errors import RuleViolation
from lifecycle.reference_data import currency_minor_units


def validate_currency(code: str) -> str:
    """Return the ISO 4217 code in upper case, or raise ValueError naming the problem."""
    normalized = code.strip().upper()
    if normalized not in currency_minor_units():
        raise RuleViolation("unknown_currency", f"'{code}' is not an ISO 4217 currency code")
    return normalized


def round_to_minor_unit(amount: Decimal, currency: str) -> Decimal:
    """Round half up to the currency's minor unit: EUR 2 digits, JPY 0, KWD 3."""
    exponent = Decimal(1).scaleb(-currency_minor_units()[currency])
    return amount.quantize(exponent, rounding=ROUND_HALF_UP)
