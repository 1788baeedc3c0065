"""One limit for everything people write: a help form's message and a reply on a case are the
same length at most, and blank means blank in both."""

from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from lifecycle.actions import HelpAction
from lifecycle.case import Author, CaseMessage
from lifecycle.errors import InvalidHelpRequest
from lifecycle.help import parse_help_request
from lifecycle.text import MESSAGE_MAX_LENGTH


def help_message_ok(text: str) -> bool:
    try:
        parse_help_request(HelpAction.PAYMENT_ISSUE, {"message": text})
    except InvalidHelpRequest:
        return False
    return True


def reply_ok(text: str) -> bool:
    try:
        CaseMessage(
            message_id="m-1", at=datetime(2026, 1, 1, tzinfo=UTC), author=Author.CUSTOMER, body=text
        )
    except ValidationError:
        return False
    return True


@pytest.mark.parametrize(
    ("text", "accepted"),
    [
        ("ñ" * MESSAGE_MAX_LENGTH, True),
        ("ñ" * (MESSAGE_MAX_LENGTH + 1), False),
        ("   \n\t ", False),
        ("", False),
        (" ok ", True),
    ],
)
def test_a_help_message_and_a_reply_on_a_case_take_the_same_texts(
    text: str, accepted: bool
) -> None:
    assert help_message_ok(text) is accepted
    assert reply_ok(text) is accepted
