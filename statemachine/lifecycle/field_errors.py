"""Validation errors as the API reports them: one entry per problem, with its place (`loc`), its
machine-readable `type` and a `msg` a customer can read in their language.

The one place that turns pydantic's (and Powertools', which are pydantic's with a `loc` prefix)
errors into that list. The rules keep the English `msg` for their exceptions and logs; the API
says each entry again in the caller's language with `localized`."""

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from lifecycle.errors import RuleViolation
from lifecycle.i18n import messages, resolve_locale

FieldError = dict[str, Any]
"""`{"loc": [...], "msg": str, "type": str}`, and `ctx`: what the text needs (never the input)."""

_PATTERN_TEXTS = {
    r"\S": "blank",
    r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$": "identifier",
    r"^[A-Za-z0-9][A-Za-z0-9 -]*$": "postal_code",
    r"^\+?[0-9][0-9 ()./-]{3,24}$": "phone",
}
"""Which text explains a failed pattern, by the pattern."""


def field_errors(errors: Iterable[Mapping[str, Any]]) -> list[FieldError]:
    """Pydantic's errors without the input they were given (it may be large, or not the caller's
    to see); `ctx` keeps the limits and names the texts are made from."""
    return [
        {
            "loc": list(error.get("loc", ())),
            "msg": str(error.get("msg", "")),
            "type": str(error.get("type", "")),
            "ctx": _context(error),
        }
        for error in errors
    ]


def _context(error: Mapping[str, Any]) -> dict[str, Any]:
    context = dict(error.get("ctx") or {})
    cause = context.pop("error", None)
    if isinstance(cause, RuleViolation):
        context |= {"rule": cause.key, **cause.values}
    return {
        key: value if isinstance(value, str | int | float) else str(value)
        for key, value in context.items()
        if isinstance(value, str | int | float | Decimal)
    }


def localized(errors: Iterable[FieldError], locale: str) -> list[dict[str, Any]]:
    """The errors as the API answers them: `loc` and `type` as they are, `msg` in `locale`."""
    return [
        {"loc": list(error["loc"]), "msg": message(error, locale), "type": error["type"]}
        for error in errors
    ]


def message(error: FieldError, locale: str) -> str:
    """What one error says to a customer in `locale`."""
    texts: dict[str, Any] = messages(resolve_locale(locale))["validation"]
    context: dict[str, Any] = error.get("ctx") or {}
    kind = error["type"]
    text: Any = texts["types"].get(kind)
    if kind == "string_pattern_mismatch":
        text = texts["patterns"].get(_PATTERN_TEXTS.get(str(context.get("pattern")), ""))
    elif kind == "value_error":
        text = texts["rules"].get(str(context.get("rule")))
    if not isinstance(text, str):
        text = texts["default"]
    try:
        return str(text.format(**context))
    except (KeyError, IndexError, ValueError):
        return str(texts["default"])
