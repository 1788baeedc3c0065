"""Page cursors: where a page ended, bound to whose list it is.

Not a secret: a Query never leaves the caller's own partition whatever the cursor says. The check
makes a cursor that was edited, or taken from another customer's or another queue's list, a clear
400 instead of a page from some other place."""

import base64
import binascii
import hashlib
import hmac
import json
import re

from orderhelp.errors import InvalidCursor


def _check(scope: str, after: str) -> str:
    digest = hashlib.sha256(f"{scope}\n{after}".encode()).digest()
    return base64.urlsafe_b64encode(digest[:18]).decode()


def encode_cursor(scope: str, after: str) -> str:
    """A cursor for the list `scope` that goes on after the sort key `after`."""
    raw = json.dumps({"after": after, "check": _check(scope, after)}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(scope: str, cursor: str, sort_key: re.Pattern[str]) -> re.Match[str]:
    """The position a cursor of `scope` names, matched against the list's sort key pattern;
    `InvalidCursor` for a malformed cursor, one edited by hand or one given out for another
    scope."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        decoded = json.loads(base64.urlsafe_b64decode(padded.encode()))
        after, check = decoded["after"], decoded["check"]
        valid = (
            set(decoded) == {"after", "check"}
            and isinstance(after, str)
            and isinstance(check, str)
            and hmac.compare_digest(check, _check(scope, after))
        )
        match = sort_key.fullmatch(after) if valid else None
    except (binascii.Error, ValueError, TypeError, KeyError, UnicodeError):
        match = None
    if match is None:
        raise InvalidCursor
    return match
