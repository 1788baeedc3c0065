"""Free text and times the rules take: the edges of what is accepted."""

from datetime import UTC, datetime
from typing import Annotated

import pytest
from pydantic import TypeAdapter, ValidationError

from lifecycle.text import MULTI_LINE, SINGLE_LINE
from lifecycle.times import UtcDatetime

ONE_LINE: TypeAdapter[str] = TypeAdapter(Annotated[str, SINGLE_LINE])
MESSAGE: TypeAdapter[str] = TypeAdapter(Annotated[str, MULTI_LINE])
MOMENT: TypeAdapter[datetime] = TypeAdapter(UtcDatetime)


def _refusal(adapter: TypeAdapter[object], value: object) -> str:
    with pytest.raises(ValidationError) as refused:
        adapter.validate_python(value)
    (error,) = refused.value.errors()
    return str(error["type"])


@pytest.mark.parametrize(
    "text",
    ["Zoë Ñúñez 李小龍", "💡", "👩‍👩‍👧‍👦", "الطلب", "Cafe\u0301", "a\u200bb", "¿?", "5"],
)
def test_visible_text_in_any_script_is_kept_on_one_line(text: str) -> None:
    assert ONE_LINE.validate_python(text) == text


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("\u200b", "text_not_visible"),
        ("\u200d\u2060\ufeff\u202e", "text_not_visible"),
        (" \u200b ", "text_not_visible"),
        ("\x00", "text_control_characters"),
        ("Ana\nLópez", "text_control_characters"),
        ("Ana\tLópez", "text_control_characters"),
        ("\x1b[31mred", "text_control_characters"),
    ],
)
def test_a_line_refuses_controls_and_text_that_shows_nothing(text: str, kind: str) -> None:
    assert _refusal(ONE_LINE, text) == kind


@pytest.mark.parametrize(
    "text", ["one\ntwo", "a\tb", "a\r\nb", "before\x00after", "Talla XL\n[2] ~ 31m"]
)
def test_a_message_keeps_its_lines_and_tabs(text: str) -> None:
    assert MESSAGE.validate_python(text) == text


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("\n\t\x00", "text_not_visible"),
        ("\u200b\n", "text_not_visible"),
        ("hello \x1b[2J", "text_control_characters"),
        ("hello \x9b31m", "text_control_characters"),
    ],
)
def test_a_message_refuses_escapes_and_text_that_shows_nothing(text: str, kind: str) -> None:
    assert _refusal(MESSAGE, text) == kind


@pytest.mark.parametrize(
    ("adapter", "text", "said"),
    [
        (ONE_LINE, "Ana\nLópez", "Text should not contain control characters"),
        (MESSAGE, "hello \x1b[2J", "Text should not contain control characters"),
        (ONE_LINE, "\u200b", "Text should contain visible characters"),
        (MESSAGE, "\u200b\n", "Text should contain visible characters"),
    ],
)
def test_a_refused_text_says_why_in_the_rules_words(
    adapter: TypeAdapter[object], text: str, said: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        adapter.validate_python(text)
    assert [error["msg"] for error in refused.value.errors()] == [said]


def test_the_empty_text_is_left_to_the_length_rules() -> None:
    assert ONE_LINE.validate_python("") == ""


@pytest.mark.parametrize(
    ("moment", "utc"),
    [
        ("1000-01-01T00:00:00Z", datetime(1000, 1, 1, tzinfo=UTC)),
        ("1000-01-01T01:30:00+01:30", datetime(1000, 1, 1, tzinfo=UTC)),
        ("9998-12-31T23:59:59.999999Z", datetime(9998, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)),
    ],
)
def test_times_at_the_edges_of_the_calendar_taken(moment: str, utc: datetime) -> None:
    assert MOMENT.validate_python(moment) == utc


@pytest.mark.parametrize(
    "moment",
    [
        "0999-12-31T23:59:59.999999Z",
        "1000-01-01T00:00:00+00:01",
        "9999-01-01T00:00:00Z",
        "9999-12-31T23:00:00-05:00",
        "0001-01-01T00:00:00+05:00",
    ],
)
def test_times_outside_the_calendar_refused(moment: str) -> None:
    assert _refusal(MOMENT, moment) == "datetime_out_of_range"


def test_a_time_outside_the_calendar_is_told_the_calendar_taken() -> None:
    with pytest.raises(ValidationError) as refused:
        MOMENT.validate_python("9999-01-01T00:00:00Z")
    (error,) = refused.value.errors()
    assert error["msg"] == "Input should be a time from 1000-01-01 to 9998-12-31"
    assert error["ctx"] == {"earliest": "1000-01-01", "latest": "9998-12-31"}
