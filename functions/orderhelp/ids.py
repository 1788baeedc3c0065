"""Identifiers that sort by creation time and cannot be guessed."""

import secrets
from datetime import datetime


def new_id(prefix: str, now: datetime) -> str:
    """`PREFIX-`, 12 hex digits of milliseconds, 10 random hex digits: `CS-0199A3F0B2C1E4F19A7D`."""
    millis = int(now.timestamp() * 1000)
    return f"{prefix}-{millis:012X}{secrets.token_hex(5).upper()}"
