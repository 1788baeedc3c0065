"""The service's errors and the one place where every error becomes an HTTP answer.

Every error body is `{"error": {"code": CODE, "message": TEXT, ...details}}`. `ANSWERS` says, per
error class, the status, the code and which details go with it; the message is said in the
caller's language (Spanish or English, the locales' `errors` section), and a validation error's
`errors` list says each problem in it too. A 500 is always a bug: anything not in the table is
logged with its stack and answered as `internal_error`."""

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.exceptions import (
    RequestUnsupportedContentType,
    RequestValidationError,
)
from aws_lambda_powertools.utilities.idempotency.exceptions import (
    IdempotencyAlreadyInProgressError,
    IdempotencyValidationError,
)
from botocore.exceptions import ClientError, ConnectionError, HTTPClientError

from lifecycle.errors import (
    ActionUnavailable,
    EventNotAllowed,
    InvalidHelpRequest,
    InvalidOrder,
    InvalidReturn,
    RefundExceedsPaid,
)
from lifecycle.field_errors import FieldError, field_errors, localized
from lifecycle.i18n import translate
from orderhelp import budget

logger = Logger(child=True)

RETRY_AFTER_SECONDS = "1"


class ServiceError(Exception):
    """An error the service answers on purpose (its status and code are in `ANSWERS`).

    `message` is English, for logs and tests; the caller reads the text `text_key` of the locales'
    `errors` section (by default the answer's code), filled in with `values` and `details`.
    `details` also go into the error body beside `code` and `message`."""

    text_key: str | None = None

    def __init__(
        self,
        message: str,
        *,
        text_key: str | None = None,
        values: Mapping[str, Any] | None = None,
        **details: Any,
    ) -> None:
        super().__init__(message)
        self.message = message
        if text_key is not None:
            self.text_key = text_key
        self.values = dict(values or {})
        self.details = details


class Unauthorized(ServiceError):
    pass


class Forbidden(ServiceError):
    pass


class RouteNotFound(ServiceError):
    def __init__(self) -> None:
        super().__init__("There is no such route.")


class OrderNotFound(ServiceError):
    def __init__(self, order_id: str) -> None:
        # The same answer whether the order is missing or someone else's.
        super().__init__(f"There is no order '{order_id}'.", values={"order_id": order_id})


class CaseNotFound(ServiceError):
    def __init__(self, case_id: str) -> None:
        # The same answer whether the case is missing or another customer's.
        super().__init__(f"There is no case '{case_id}'.", values={"case_id": case_id})


class AttachmentNotFound(ServiceError):
    def __init__(self, attachment_id: str) -> None:
        # The same answer whether the attachment is missing or not the caller's to see.
        super().__init__(
            f"There is no attachment '{attachment_id}'.", values={"attachment_id": attachment_id}
        )


class CaseTaken(ServiceError):
    def __init__(self, case_id: str, assignee: str) -> None:
        super().__init__(
            f"Case '{case_id}' is assigned to {assignee}; "
            'send {"force": true} to take it over.',
            values={"case_id": case_id},
            assignee=assignee,
        )


class CaseNotAssigned(ServiceError):
    def __init__(self, case_id: str) -> None:
        super().__init__(
            f"Case '{case_id}' has no assignee: assign it before solving it.",
            values={"case_id": case_id},
        )


class SavedReplyNotFound(ServiceError):
    def __init__(self, reply_id: str) -> None:
        super().__init__(f"There is no saved reply '{reply_id}'.", values={"reply_id": reply_id})


class SavedReplyChanged(ServiceError):
    def __init__(self, reply_id: str, version: int) -> None:
        super().__init__(
            f"Saved reply '{reply_id}' changed since it was read (it is at version {version}).",
            values={"reply_id": reply_id},
            version=version,
        )


class CaseAlreadyRated(ServiceError):
    def __init__(self, case_id: str) -> None:
        super().__init__(
            f"Case '{case_id}' was already rated since it was solved.", values={"case_id": case_id}
        )


class CaseNotSolved(ServiceError):
    def __init__(self, case_id: str, status: str) -> None:
        super().__init__(
            f"Case '{case_id}' is not solved: there is no answer to rate yet.",
            values={"case_id": case_id},
            status=status,
        )


class UnknownAction(ServiceError):
    def __init__(self, action: str, valid: list[str]) -> None:
        super().__init__(
            f"'{action}' is not a help action. Valid actions: {', '.join(valid)}.",
            values={"action": action, "valid": ", ".join(valid)},
            valid_actions=valid,
        )


class OrderAlreadyExists(ServiceError):
    def __init__(self, order_id: str) -> None:
        super().__init__(f"An order '{order_id}' already exists.", order_id=order_id)


class ConcurrentUpdate(Exception):
    """The store refused a write because the order (or case) changed since it was read."""

    def __init__(self, order_id: str, subject: str = "order") -> None:
        super().__init__(f"{subject} '{order_id}' changed while this request was being handled")
        self.order_id = order_id


class ClaimTaken(ConcurrentUpdate):
    """A value the change claimed (`Changeset.claim`) is held by another owner: a flow that can
    pick another value tries again with it; others retry as after any concurrent change."""

    def __init__(self, kind: str, value: str) -> None:
        super().__init__(value, subject=kind)
        self.kind = kind
        self.value = value


class ReturnNotFound(ServiceError):
    def __init__(self, return_id: str) -> None:
        # The same answer whether the return is missing or another customer's.
        super().__init__(f"There is no return '{return_id}'.", values={"return_id": return_id})


class RefundNotFound(ServiceError):
    def __init__(self, refund_id: str) -> None:
        super().__init__(f"There is no refund '{refund_id}'.", values={"refund_id": refund_id})


class NoReturnRequested(ServiceError):
    def __init__(self, case_id: str) -> None:
        super().__init__(
            f"Case '{case_id}' has no return waiting for a decision.", values={"case_id": case_id}
        )


class NoLabelYet(ServiceError):
    def __init__(self, return_id: str, status: str) -> None:
        super().__init__(
            f"Return '{return_id}' has no label yet: it is printed once the return is approved.",
            values={"return_id": return_id},
            status=status,
        )


class Conflict(ServiceError):
    """The order or case changed meanwhile; its details say what it is now."""

    def __init__(self, message: str, **details: Any) -> None:
        changed = "case_changed" if "case_id" in details else "order_changed"
        super().__init__(message, text_key=changed, **details)


class InvalidCursor(ServiceError):
    def __init__(self) -> None:
        super().__init__("The cursor is not one this API gave out; start again without it.")


class PayloadTooLarge(ServiceError):
    pass


class InvalidIdempotencyKey(ServiceError):
    pass


class InvalidJson(ServiceError):
    pass


class InvalidBody(ServiceError):
    """A body that is JSON but not what the route takes, found before the resolver sees it."""

    def __init__(self, message: str, errors: list[FieldError]) -> None:
        super().__init__(message)
        self.errors = errors


class InvalidAttachments(InvalidBody):
    """`attachment_ids` naming attachments the caller may not put on a message: each problem at
    its place in the list (a missing one and another customer's are the same problem)."""

    def __init__(self, errors: list[FieldError]) -> None:
        summary = "; ".join(f"{error['loc']}: {error['msg']}" for error in errors)
        super().__init__(f"attachment_ids: {summary}", errors)


class UnsupportedMediaType(ServiceError):
    pass


class TemporarilyUnavailable(ServiceError):
    """The store did not answer in time or was throttled, even after retries. `text_key` says
    what the caller may assume of their write (by default: nothing was changed)."""

    text_key = "temporarily_unavailable"


# --- the mapping ----------------------------------------------------------------------------------


def _service_text(error: Exception, code: str, locale: str) -> str:
    assert isinstance(error, ServiceError)
    key = error.text_key or code
    return translate(locale, "errors", key, **(error.details | error.values))


def _service_details(error: Exception, locale: str) -> dict[str, Any]:
    assert isinstance(error, ServiceError)
    return error.details


def _no_details(error: Exception, locale: str) -> dict[str, Any]:
    return {}


def _fixed_text(error: Exception, code: str, locale: str) -> str:
    return translate(locale, "errors", code)


@dataclass(frozen=True)
class Answer:
    """How one class of error is answered."""

    status: HTTPStatus
    code: str
    text: Callable[[Exception, str, str], str] = _service_text
    """The message in a locale: (error, code, locale) → text."""
    details: Callable[[Exception, str], dict[str, Any]] = _service_details
    """What goes beside code and message: (error, locale) → details."""
    headers: Mapping[str, str] = field(default_factory=dict)


_RETRY_AFTER = {"Retry-After": RETRY_AFTER_SECONDS}


_REQUEST_PARTS = frozenset({"body", "query", "path", "header"})


def _validation_text(error: Exception, code: str, locale: str) -> str:
    """Each problem after the field it is in (`items.0.quantity`), as `errors` has them."""

    def field(loc: list[Any]) -> str:
        inside = loc[1:] if loc and loc[0] in _REQUEST_PARTS and len(loc) > 1 else loc
        return ".".join(map(str, inside))

    summary = " ".join(
        f"{field(entry['loc'])}: {entry['msg']}"
        for entry in _validation_details(error, locale)["errors"]
    )
    return translate(locale, "errors", code, summary=summary)


def _validation_details(error: Exception, locale: str) -> dict[str, Any]:
    if isinstance(error, RequestValidationError):
        errors = field_errors(error.errors())
    else:
        errors = getattr(error, "errors", [])
    return {"errors": localized(errors, locale)}


def _unavailable_action_text(error: Exception, code: str, locale: str) -> str:
    assert isinstance(error, ActionUnavailable)
    # The availability was explained in the caller's language by the service.
    return str(error.availability.message or translate(locale, "errors", "forbidden"))


def _unavailable_action_details(error: Exception, locale: str) -> dict[str, Any]:
    assert isinstance(error, ActionUnavailable)
    availability = error.availability
    return {
        "action": str(availability.action),
        "status": str(error.state),
        "reason": str(availability.reason),
        "available_from": _iso(availability.available_from),
        "available_until": _iso(availability.available_until),
    }


def _transition_text(error: Exception, code: str, locale: str) -> str:
    assert isinstance(error, EventNotAllowed)
    labels = {"case": "case_states", "return": "return_states", "refund": "refund_states"}.get(
        error.subject, "states"
    )
    try:
        state = translate(locale, labels, str(error.state))
    except KeyError:
        state = str(error.state)
    subject = translate(locale, "errors", "subjects", error.subject)
    return translate(locale, "errors", code, subject=subject, state=state, event=error.event)


def _transition_details(error: Exception, locale: str) -> dict[str, Any]:
    assert isinstance(error, EventNotAllowed)
    return {"status": str(error.state), "event": error.event}


_VALIDATION = Answer(
    HTTPStatus.UNPROCESSABLE_ENTITY, "validation_error", _validation_text, _validation_details
)


def _over_refund_text(error: Exception, code: str, locale: str) -> str:
    assert isinstance(error, RefundExceedsPaid)
    return translate(locale, "errors", code, left=str(error.left), currency=error.currency)


def _over_refund_details(error: Exception, locale: str) -> dict[str, Any]:
    assert isinstance(error, RefundExceedsPaid)
    return {
        "left": {"amount": str(error.left), "currency": error.currency},
        "asked": {"amount": str(error.asked), "currency": error.currency},
    }


ANSWERS: Mapping[type[Exception], Answer] = {
    # The service's own errors.
    Unauthorized: Answer(HTTPStatus.UNAUTHORIZED, "unauthorized"),
    Forbidden: Answer(HTTPStatus.FORBIDDEN, "forbidden"),
    RouteNotFound: Answer(HTTPStatus.NOT_FOUND, "not_found"),
    OrderNotFound: Answer(HTTPStatus.NOT_FOUND, "order_not_found"),
    CaseNotFound: Answer(HTTPStatus.NOT_FOUND, "case_not_found"),
    AttachmentNotFound: Answer(HTTPStatus.NOT_FOUND, "attachment_not_found"),
    ReturnNotFound: Answer(HTTPStatus.NOT_FOUND, "return_not_found"),
    RefundNotFound: Answer(HTTPStatus.NOT_FOUND, "refund_not_found"),
    NoReturnRequested: Answer(HTTPStatus.CONFLICT, "no_return_requested"),
    NoLabelYet: Answer(HTTPStatus.CONFLICT, "no_label_yet"),
    UnknownAction: Answer(HTTPStatus.NOT_FOUND, "unknown_action"),
    CaseTaken: Answer(HTTPStatus.CONFLICT, "case_taken"),
    SavedReplyNotFound: Answer(HTTPStatus.NOT_FOUND, "saved_reply_not_found"),
    SavedReplyChanged: Answer(HTTPStatus.CONFLICT, "saved_reply_changed"),
    CaseNotAssigned: Answer(HTTPStatus.CONFLICT, "case_not_assigned"),
    CaseAlreadyRated: Answer(HTTPStatus.CONFLICT, "already_rated"),
    CaseNotSolved: Answer(HTTPStatus.CONFLICT, "case_not_solved"),
    OrderAlreadyExists: Answer(HTTPStatus.CONFLICT, "order_exists"),
    Conflict: Answer(HTTPStatus.CONFLICT, "conflict"),
    InvalidCursor: Answer(HTTPStatus.BAD_REQUEST, "invalid_cursor"),
    InvalidIdempotencyKey: Answer(HTTPStatus.BAD_REQUEST, "invalid_idempotency_key"),
    InvalidJson: Answer(HTTPStatus.BAD_REQUEST, "invalid_json"),
    PayloadTooLarge: Answer(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "payload_too_large"),
    UnsupportedMediaType: Answer(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type"),
    InvalidBody: _VALIDATION,
    InvalidAttachments: _VALIDATION,
    TemporarilyUnavailable: Answer(
        HTTPStatus.SERVICE_UNAVAILABLE, "temporarily_unavailable", headers=_RETRY_AFTER
    ),
    # The rules'.
    ActionUnavailable: Answer(
        HTTPStatus.CONFLICT,
        "action_unavailable",
        _unavailable_action_text,
        _unavailable_action_details,
    ),
    EventNotAllowed: Answer(
        HTTPStatus.CONFLICT, "transition_not_allowed", _transition_text, _transition_details
    ),
    InvalidOrder: _VALIDATION,
    InvalidHelpRequest: _VALIDATION,
    InvalidReturn: _VALIDATION,
    RefundExceedsPaid: Answer(
        HTTPStatus.CONFLICT, "refund_exceeds_paid", _over_refund_text, _over_refund_details
    ),
    # Powertools'.
    RequestValidationError: _VALIDATION,
    RequestUnsupportedContentType: Answer(
        HTTPStatus.UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type", _fixed_text, _no_details
    ),
    IdempotencyValidationError: Answer(
        HTTPStatus.UNPROCESSABLE_ENTITY, "idempotency_key_reused", _fixed_text, _no_details
    ),
    IdempotencyAlreadyInProgressError: Answer(
        HTTPStatus.CONFLICT, "request_in_progress", _fixed_text, _no_details, _RETRY_AFTER
    ),
}

INTERNAL_ERROR = Answer(
    HTTPStatus.INTERNAL_SERVER_ERROR, "internal_error", _fixed_text, _no_details
)

_THROTTLED_OR_DOWN = {
    "ProvisionedThroughputExceededException",
    "ThrottlingException",
    "RequestLimitExceeded",
    "InternalServerError",
    "ServiceUnavailable",
    "TransactionInProgressException",
}


_THROTTLED_ITEM = {"ThrottlingError", "ProvisionedThroughputExceeded"}
"""Cancellation reasons of a transaction that mean the table, not the request, was the problem."""


def error_body(code: str, message: str, **details: Any) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, **details}}


def answer_for(error: Exception) -> tuple[Exception, Answer]:
    """The error as the table knows it, and its row: the nearest class in the table, after
    Powertools' unparsable body is taken as ours and a store that did not answer as a 503."""
    if isinstance(error, RequestValidationError) and any(
        entry.get("type") == "json_invalid" for entry in error.errors()
    ):
        error = InvalidJson("The body is not valid JSON.")
    for kind in type(error).__mro__:
        answer = ANSWERS.get(kind)
        if answer is not None:
            return error, answer
    if _is_unavailable(error):
        logger.warning("DynamoDB unavailable after retries", exc_info=error)
        in_doubt = budget.write_in_doubt()
        unavailable = TemporarilyUnavailable(
            "DynamoDB did not answer in time or throttled.",
            text_key="temporarily_unavailable_in_doubt" if in_doubt else None,
            may_have_been_applied=in_doubt,
        )
        return unavailable, ANSWERS[TemporarilyUnavailable]
    logger.exception("unhandled error", exc_info=error)
    return error, INTERNAL_ERROR


def to_response(error: Exception, locale: str = "en") -> Response[str]:
    """The HTTP answer for any error raised while handling a request, in `locale`."""
    error, answer = answer_for(error)
    body = error_body(
        answer.code, answer.text(error, answer.code, locale), **answer.details(error, locale)
    )
    return Response(
        status_code=answer.status,
        content_type=content_types.APPLICATION_JSON,
        body=json.dumps(body, ensure_ascii=False, default=str),
        headers=dict(answer.headers) or None,
    )


def _is_unavailable(error: BaseException) -> bool:
    while error is not None:
        if isinstance(error, ConnectionError | HTTPClientError | budget.OutOfTime):
            return True
        if isinstance(error, ClientError):
            code = error.response.get("Error", {}).get("Code", "")
            status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
            # A transaction is cancelled as a whole when one of its items was throttled; the
            # reasons say so (conflicts and failed conditions are the store's to answer).
            reasons = {
                reason.get("Code") for reason in error.response.get("CancellationReasons", [])
            }
            return (
                code in _THROTTLED_OR_DOWN
                or status >= 500
                or (code == "TransactionCanceledException" and bool(reasons & _THROTTLED_ITEM))
            )
        error = error.__cause__ or error.__context__  # type: ignore[assignment]
    return False


def _iso(moment: Any) -> str | None:
    return moment.isoformat().replace("+00:00", "Z") if moment else None
