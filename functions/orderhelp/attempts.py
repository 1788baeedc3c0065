"""Writing exactly once, whatever is retried: the loop every flow's write runs in.

An attempt reads what it changes, recognises its own request's write if that is already there (a
transaction applied although its answer was lost, a client's retry after a 503), and otherwise
decides from what it read and commits one `Changeset`. When the commit meets a change it did not
read (`ConcurrentUpdate`), the next attempt reads again and the rules decide afresh."""

from collections.abc import Callable
from typing import TypeVar

from orderhelp import budget
from orderhelp.errors import ConcurrentUpdate
from orderhelp.retry import RetryPolicy

T = TypeVar("T")


def write_once(
    retry: RetryPolicy, attempt: Callable[[int], T], gave_up: Callable[[], Exception]
) -> T:
    """`attempt(n)` until one returns; `gave_up()` is raised when every try met a change."""
    for number in retry.tries():
        try:
            return attempt(number)
        except ConcurrentUpdate:
            continue
    raise gave_up()


def recognised(answer: T) -> T:
    """The answer a flow gives for its own write found already applied: whatever was in doubt in
    this invocation is settled."""
    budget.settled()
    return answer
