"""Free text from people (names, address lines, messages, reasons): kept exactly as written,
emoji and every script included, but never text that shows nothing or drives a terminal.

Every text needs at least one visible character (a letter, digit, mark, punctuation or symbol):
one made only of NUL, control, zero-width or formatting characters is refused. No text may hold
an escape sequence's introducer (ANSI colours and cursor moves begin with ESC or CSI). A one-line
text (a name, an address line) holds no control character at all; a message may span lines, with
tabs, and is otherwise kept as sent."""

import unicodedata
from typing import Annotated, NoReturn

from pydantic import AfterValidator, StringConstraints
from pydantic_core import PydanticCustomError

CONTROL_CHARACTERS = "text_control_characters"
NOTHING_VISIBLE = "text_not_visible"

_VISIBLE_CATEGORIES = frozenset("LNPSM")
_ESCAPE_INTRODUCERS = frozenset("\x1b\x9b")


def _visible(text: str) -> bool:
    return any(unicodedata.category(char)[0] in _VISIBLE_CATEGORIES for char in text)


def _control(char: str) -> bool:
    return unicodedata.category(char) == "Cc"


def _refuse_controls() -> NoReturn:
    raise PydanticCustomError(CONTROL_CHARACTERS, "Text should not contain control characters")


def _refuse_invisible(text: str) -> str:
    if text and not _visible(text):
        raise PydanticCustomError(NOTHING_VISIBLE, "Text should contain visible characters")
    return text


def single_line(text: str) -> str:
    """A name or an address line: no control character at all."""
    if any(_control(char) for char in text):
        _refuse_controls()
    return _refuse_invisible(text)


def multi_line(text: str) -> str:
    """A message: lines, tabs and the rest kept, but no escape sequences."""
    if any(char in _ESCAPE_INTRODUCERS for char in text):
        _refuse_controls()
    return _refuse_invisible(text)


SINGLE_LINE = AfterValidator(single_line)
MULTI_LINE = AfterValidator(multi_line)


# --- what people write to each other ------------------------------------------------------------

MESSAGE_MAX_LENGTH = 5000
"""One limit for every message, wherever it is written (a help form, a reply on a case, an
agent's answer or note, a resolution)."""

MessageText = Annotated[
    str, StringConstraints(min_length=1, max_length=MESSAGE_MAX_LENGTH, pattern=r"\S"), MULTI_LINE
]
"""1 to MESSAGE_MAX_LENGTH characters, not only blanks; kept exactly as written (unicode and
emoji included)."""
