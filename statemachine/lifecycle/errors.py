"""Domain errors raised by the rules. The API maps each of them to one HTTP answer."""

from typing import Any


class RuleError(Exception):
    """Base of every error the rules raise on purpose."""


class EventNotAllowed(RuleError):
    """An event was fired in a state (or at a time) where the machine does not allow it."""

    def __init__(self, event: str, state: str, subject: str = "order") -> None:
        super().__init__(f"event '{event}' is not allowed when the {subject} is '{state}'")
        self.event = event
        self.state = state
        self.subject = subject


class InvalidOrder(RuleError):
    """The order (or the order an event would produce) breaks an invariant."""

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        summary = "; ".join(
            f"{'.'.join(str(p) for p in error['loc']) or 'order'}: {error['msg']}"
            for error in errors
        )
        super().__init__(summary)
        self.errors = errors


class ActionUnavailable(EventNotAllowed):
    """A help action the order does not offer right now; carries the catalogue's explanation."""

    def __init__(self, action: str, state: str, availability: Any) -> None:
        super().__init__(action, state)
        self.availability = availability


class InvalidHelpRequest(RuleError):
    """A help action's body is malformed or does not fit the order (e.g. an item not on it)."""

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__("; ".join(str(error["msg"]) for error in errors))
        self.errors = errors


class RuleViolation(ValueError):
    """A validator's refusal that can be said in any language: `key` names its text in the
    locales' `validation.rules` section, filled in with `values`. Pydantic reports it as a
    `value_error` like any other ValueError, so the error's `type` stays what it was."""

    def __init__(self, key: str, message: str, **values: Any) -> None:
        super().__init__(message)
        self.key = key
        self.values = values


class InvalidReturn(RuleError):
    """A return or a refund that does not fit the order: an item not on it, more than can still
    be returned, an amount not in the order's currency's minor unit."""

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__("; ".join(str(error["msg"]) for error in errors))
        self.errors = errors


class RefundExceedsPaid(RuleError):
    """A refund larger than what is left of what the customer paid (items, shipping, tax, less
    every refund already due or issued). `left` is what can still be refunded."""

    def __init__(self, asked: Any, left: Any, currency: str) -> None:
        super().__init__(f"a refund of {asked} {currency} exceeds what is left to refund ({left})")
        self.asked = asked
        self.left = left
        self.currency = currency
