"""What people write to each other: one limit for every message, wherever it is written (a help
form, a reply on a case, an agent's answer or note, a resolution)."""

from typing import Annotated

from pydantic import StringConstraints

MESSAGE_MAX_LENGTH = 5000

MessageText = Annotated[
    str, StringConstraints(min_length=1, max_length=MESSAGE_MAX_LENGTH, pattern=r"\S")
]
"""1 to MESSAGE_MAX_LENGTH characters, not only blanks; kept exactly as written (unicode and
emoji included)."""
