"""The error table: every error the service raises has its row, and its texts in both
languages."""

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError, ReadTimeoutError

from lifecycle.i18n import SUPPORTED_LOCALES, messages
from orderhelp import errors
from orderhelp.errors import ANSWERS, ServiceError, TemporarilyUnavailable, to_response


def _subclasses(kind: type[Exception]) -> set[type[Exception]]:
    found = set(kind.__subclasses__())
    for child in list(found):
        found |= _subclasses(child)
    return found


def test_every_service_error_has_a_row_of_its_own() -> None:
    ours = {kind for kind in _subclasses(ServiceError) if kind.__module__.startswith("orderhelp.")}
    missing = {kind.__name__ for kind in ours if kind not in ANSWERS}
    assert not missing, f"add these to orderhelp.errors.ANSWERS: {sorted(missing)}"


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
def test_every_text_the_table_can_say_is_in_each_language(locale: str) -> None:
    texts = messages(locale)["errors"]
    keys = {answer.code for answer in ANSWERS.values()} - {
        "action_unavailable",  # said by the help catalogue, in the caller's language
        "conflict",  # said as order_changed or case_changed
    }
    keys |= {"order_changed", "case_changed", "internal_error"}
    keys |= {
        kind.text_key
        for kind in _subclasses(ServiceError)
        if isinstance(kind.text_key, str)  # a class's own default text
    }
    assert sorted(keys - set(texts)) == []


def _answer(error: Exception, locale: str = "en") -> tuple[int, dict[str, Any], dict[str, str]]:
    response = to_response(error, locale)
    return response.status_code, json.loads(response.body), dict(response.headers)


@pytest.mark.parametrize(
    "cause",
    [
        ReadTimeoutError(endpoint_url="http://127.0.0.1:1"),
        ClientError(
            {"Error": {"Code": "ThrottlingException"}, "ResponseMetadata": {"HTTPStatusCode": 400}},
            "Query",
        ),
    ],
    ids=["read timeout", "throttled"],
)
def test_a_store_that_does_not_answer_is_a_503_with_retry_after(cause: Exception) -> None:
    try:
        raise RuntimeError("the service gave up") from cause
    except RuntimeError as error:
        status, body, headers = _answer(error, "es")

    assert status == 503
    assert body["error"]["code"] == "temporarily_unavailable"
    assert body["error"]["message"].startswith("El servicio está ocupado.")
    assert headers["Retry-After"] == errors.RETRY_AFTER_SECONDS


def test_the_503_text_is_chosen_by_the_error() -> None:
    class MayHaveApplied(TemporarilyUnavailable):
        text_key = "request_in_progress"

    assert MayHaveApplied not in ANSWERS  # a subclass finds its parent's row
    status, body, _ = _answer(MayHaveApplied("busy"), "en")
    assert (status, body["error"]["code"]) == (503, "temporarily_unavailable")
    assert body["error"]["message"] == messages("en")["errors"]["request_in_progress"]


def test_anything_else_is_a_500_that_says_nothing_of_the_bug() -> None:
    status, body, _ = _answer(ZeroDivisionError("secret detail"), "es")
    assert status == 500
    assert body == {
        "error": {"code": "internal_error", "message": "Algo ha fallado por nuestra parte."}
    }
