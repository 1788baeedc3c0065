"""The time an invocation may still spend waiting on DynamoDB, and what it knows of its writes.

A hung DynamoDB must give the caller `503` + `Retry-After` before the function's own timeout
turns it into API Gateway's `502`. So each invocation starts a budget from the Lambda context's
remaining time: every DynamoDB attempt gets a read timeout that ends inside it, and an attempt (or
a flow's retry) that would not fit is not made (`OutOfTime`). The work stops `reserve` before the
end, so that the answer, the idempotency record's cleanup (`final` clients) and the metrics
still fit.

It also tracks whether a transaction's fate is unknown: an attempt that was sent but whose answer
never came (a read timeout, a dropped connection) may have been applied. The 503 then says so, and
the client's retry with the same Idempotency-Key is safe: the flows recognise their own applied
writes.

Budgets are per thread of control (a context variable), as tests run requests side by side."""

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import partial
from typing import Any

from botocore.exceptions import HTTPClientError

READ_TIMEOUT_SECONDS = 2.0
"""The longest a single DynamoDB attempt waits for its answer."""
MIN_ATTEMPT_SECONDS = 0.15
"""Less than this left, and an attempt is not worth starting."""
RESERVE_MS = 1_000
"""Kept back at the end of an invocation for answering."""

_AMBIGUOUS = (HTTPClientError,)
"""What an attempt that was sent can end in without saying whether it was applied: a read
timeout, a connection closed or reset after the request went out (a connection that could not
be made is a `ConnectionError`, and nothing was sent)."""


class OutOfTime(Exception):
    """Not enough of the invocation's time is left for another DynamoDB attempt."""

    def __init__(self, *, write_in_doubt: bool) -> None:
        super().__init__("the invocation's time budget for DynamoDB is spent")
        self.write_in_doubt = write_in_doubt


@dataclass
class _Invocation:
    work_deadline: float
    final_deadline: float
    write_in_doubt: bool = False
    write_applied: bool = False


_current: ContextVar[_Invocation | None] = ContextVar("orderhelp_budget", default=None)


@contextmanager
def invocation(remaining_ms: int, reserve_ms: int = RESERVE_MS) -> Iterator[None]:
    """A budget for the code inside: `remaining_ms` as the Lambda context gives it."""
    now = time.monotonic()
    final = now + remaining_ms / 1000 - min(reserve_ms, remaining_ms) / 4000
    work = now + max(0, remaining_ms - reserve_ms) / 1000
    token = _current.set(_Invocation(work_deadline=work, final_deadline=final))
    try:
        yield
    finally:
        _current.reset(token)


def check() -> None:
    """`OutOfTime` if the work's share of the budget is spent (nothing is checked outside an
    invocation: tools and tests that call the flows directly have no deadline)."""
    current = _current.get()
    if current is not None and current.work_deadline - time.monotonic() < MIN_ATTEMPT_SECONDS:
        raise OutOfTime(write_in_doubt=current.write_in_doubt)


def write_in_doubt() -> bool:
    """Whether a write of this invocation may have been applied: a transaction sent without its
    answer, or one that was applied (a 503 after it, when the idempotency record cannot be
    saved say, must not tell the caller that nothing changed)."""
    current = _current.get()
    return current is not None and (current.write_in_doubt or current.write_applied)


def settled() -> None:
    """The flow recognised its own write: nothing is in doubt any more, it was applied."""
    current = _current.get()
    if current is not None:
        current.write_in_doubt = False
        current.write_applied = True


def install(client: Any, *, final: bool = False) -> None:
    """Put a DynamoDB client under the budget. `final` clients (the idempotency records') may
    use the reserve, so a failed request's record is still cleaned up."""
    events = client.meta.events
    events.register_first("before-send.dynamodb", partial(_before_send, final=final))
    events.register("response-received.dynamodb.TransactWriteItems", _transaction_answered)


def _before_send(request: Any, final: bool, **_: Any) -> None:
    current = _current.get()
    if current is None:
        return
    deadline = current.final_deadline if final else current.work_deadline
    left = deadline - time.monotonic()
    if left < MIN_ATTEMPT_SECONDS:
        raise OutOfTime(write_in_doubt=current.write_in_doubt)
    request.context["read_timeout"] = min(READ_TIMEOUT_SECONDS, left)


def _transaction_answered(
    response_dict: dict[str, Any] | None, exception: BaseException | None, **_: Any
) -> None:
    current = _current.get()
    if current is None:
        return
    if exception is not None and isinstance(exception, _AMBIGUOUS):
        current.write_in_doubt = True
    elif response_dict is not None and response_dict.get("status_code") == 200:
        # Applied once: the token makes the retry of an applied transaction a no-op.
        current.write_in_doubt = False
        current.write_applied = True
