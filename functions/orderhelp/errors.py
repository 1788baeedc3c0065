"""The service's errors and the one place where every error becomes an HTTP answer.

Every error body is `{"error": {"code": CODE, "message": TEXT, ...details}}`. A 500 is always a
bug: anything not mapped here is logged with its stack and answered as `internal_error`."""

import json
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

from lifecycle.errors import ActionUnavailable, EventNotAllowed, InvalidHelpRequest, InvalidOrder
from orderhelp import budget

logger = Logger(child=True)

RETRY_AFTER_SECONDS = "1"


class ServiceError(Exception):
    """An error with a fixed HTTP answer."""

    status = HTTPStatus.BAD_REQUEST
    code = "bad_request"

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class Unauthorized(ServiceError):
    status, code = HTTPStatus.UNAUTHORIZED, "unauthorized"


class Forbidden(ServiceError):
    status, code = HTTPStatus.FORBIDDEN, "forbidden"


class OrderNotFound(ServiceError):
    status, code = HTTPStatus.NOT_FOUND, "order_not_found"

    def __init__(self, order_id: str) -> None:
        # The same answer whether the order is missing or someone else's.
        super().__init__(f"There is no order '{order_id}'.")


class CaseNotFound(ServiceError):
    status, code = HTTPStatus.NOT_FOUND, "case_not_found"

    def __init__(self, case_id: str) -> None:
        # The same answer whether the case is missing or another customer's.
        super().__init__(f"There is no case '{case_id}'.")


class CaseTaken(ServiceError):
    status, code = HTTPStatus.CONFLICT, "case_taken"

    def __init__(self, case_id: str, assignee: str) -> None:
        super().__init__(
            f"Case '{case_id}' is assigned to {assignee}; "
            'send {"force": true} to take it over.',
            assignee=assignee,
        )


class CaseNotAssigned(ServiceError):
    status, code = HTTPStatus.CONFLICT, "case_not_assigned"

    def __init__(self, case_id: str) -> None:
        super().__init__(f"Case '{case_id}' has no assignee: assign it before solving it.")


class UnknownAction(ServiceError):
    status, code = HTTPStatus.NOT_FOUND, "unknown_action"

    def __init__(self, action: str, valid: list[str]) -> None:
        super().__init__(
            f"'{action}' is not a help action. Valid actions: {', '.join(valid)}.",
            valid_actions=valid,
        )


class OrderAlreadyExists(ServiceError):
    status, code = HTTPStatus.CONFLICT, "order_exists"

    def __init__(self, order_id: str) -> None:
        super().__init__(f"An order '{order_id}' already exists.", order_id=order_id)


class ConcurrentUpdate(Exception):
    """The store refused a write because the order (or case) changed since it was read."""

    def __init__(self, order_id: str, subject: str = "order") -> None:
        super().__init__(f"{subject} '{order_id}' changed while this request was being handled")
        self.order_id = order_id


class Conflict(ServiceError):
    status, code = HTTPStatus.CONFLICT, "conflict"


class InvalidCursor(ServiceError):
    status, code = HTTPStatus.BAD_REQUEST, "invalid_cursor"

    def __init__(self) -> None:
        super().__init__("The cursor is not one this API gave out; start again without it.")


class PayloadTooLarge(ServiceError):
    status, code = HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "payload_too_large"


class InvalidIdempotencyKey(ServiceError):
    status, code = HTTPStatus.BAD_REQUEST, "invalid_idempotency_key"


class InvalidJson(ServiceError):
    status, code = HTTPStatus.BAD_REQUEST, "invalid_json"


class InvalidBody(ServiceError):
    """A body that is JSON but not what the route takes, found before the resolver sees it."""

    status, code = HTTPStatus.UNPROCESSABLE_ENTITY, "validation_error"


class UnsupportedMediaType(ServiceError):
    status, code = HTTPStatus.UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type"


# --- the mapping ----------------------------------------------------------------------------------

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


def _response(
    http_status: int, code: str, message: str, headers: dict[str, str] | None = None, **details: Any
) -> Response[str]:
    return Response(
        status_code=http_status,
        content_type=content_types.APPLICATION_JSON,
        body=json.dumps(error_body(code, message, **details), ensure_ascii=False, default=str),
        headers=headers,
    )


def _validation_errors(errors: Any) -> list[dict[str, Any]]:
    # Never echo the input back: it may be large, or not the caller's to see.
    return [
        {
            "loc": list(error.get("loc", ())),
            "msg": error.get("msg", ""),
            "type": error.get("type", ""),
        }
        for error in errors
    ]


def to_response(error: Exception) -> Response[str]:  # noqa: PLR0911 — one branch per kind of error
    """The HTTP answer for any error raised while handling a request."""
    if isinstance(error, ServiceError):
        return _response(error.status, error.code, error.message, **error.details)
    if isinstance(error, ActionUnavailable):
        availability = error.availability
        return _response(
            HTTPStatus.CONFLICT,
            "action_unavailable",
            availability.message,
            action=str(availability.action),
            status=str(error.state),
            reason=str(availability.reason),
            available_from=_iso(availability.available_from),
            available_until=_iso(availability.available_until),
        )
    if isinstance(error, EventNotAllowed):
        return _response(
            HTTPStatus.CONFLICT,
            "transition_not_allowed",
            f"The {error.subject} is '{error.state}' and cannot take '{error.event}'.",
            status=str(error.state),
            event=error.event,
        )
    if isinstance(error, InvalidOrder | InvalidHelpRequest):
        return _response(
            HTTPStatus.UNPROCESSABLE_ENTITY,
            "validation_error",
            str(error),
            errors=_validation_errors(error.errors),
        )
    if isinstance(error, RequestUnsupportedContentType):
        return _response(
            HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "Send the body as application/json.",
        )
    if isinstance(error, RequestValidationError):
        errors = _validation_errors(error.errors())
        if any(e["type"] == "json_invalid" for e in errors):
            return _response(HTTPStatus.BAD_REQUEST, "invalid_json", "The body is not valid JSON.")
        summary = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in errors)
        return _response(
            HTTPStatus.UNPROCESSABLE_ENTITY, "validation_error", summary, errors=errors
        )
    if isinstance(error, IdempotencyValidationError):
        return _response(
            HTTPStatus.UNPROCESSABLE_ENTITY,
            "idempotency_key_reused",
            "This Idempotency-Key was already used with a different request body.",
        )
    if isinstance(error, IdempotencyAlreadyInProgressError):
        return _response(
            HTTPStatus.CONFLICT,
            "request_in_progress",
            "A request with this Idempotency-Key is still being handled; retry shortly.",
            headers={"Retry-After": RETRY_AFTER_SECONDS},
        )
    if _is_unavailable(error):
        logger.warning("DynamoDB unavailable after retries", exc_info=error)
        in_doubt = budget.write_in_doubt()
        return _response(
            HTTPStatus.SERVICE_UNAVAILABLE,
            "temporarily_unavailable",
            UNAVAILABLE_IN_DOUBT if in_doubt else UNAVAILABLE_UNCHANGED,
            headers={"Retry-After": RETRY_AFTER_SECONDS},
            may_have_been_applied=in_doubt,
        )
    logger.exception("unhandled error", exc_info=error)
    return _response(
        HTTPStatus.INTERNAL_SERVER_ERROR, "internal_error", "Something went wrong on our side."
    )


UNAVAILABLE_UNCHANGED = "The service is busy. Nothing was changed; please retry shortly."
UNAVAILABLE_IN_DOUBT = (
    "The service did not confirm the change in time: it may have been applied. Retry with the "
    "same Idempotency-Key: the retry answers what was done and never applies it twice."
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
