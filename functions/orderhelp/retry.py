"""How a flow tries again when another request changed what it read: one policy, used by every
flow that re-reads and decides afresh (help actions, messages, the delay check, housekeeping)."""

import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from orderhelp import budget


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 20
    """Tries in all. Twenty identical requests at once on one case all finish within it (a
    handler test holds it): each conflict means another request got through, and the jitter,
    doubling up to `max_delay`, spreads the rest out. The time budget bounds it before then."""
    base_delay: float = 0.004
    max_delay: float = 0.5
    sleep: Callable[[float], None] = field(default=time.sleep, compare=False)

    def tries(self) -> Iterator[int]:
        """The attempt numbers, with a backoff before each retry (full jitter: concurrent
        requests for one item spread out instead of colliding again). A retry that would not fit
        in the invocation's time budget is not tried: `budget.OutOfTime`."""
        for attempt in range(self.attempts):
            if attempt:
                budget.check()
                delay = min(self.max_delay, self.base_delay * 2**attempt)
                self.sleep(random.uniform(0, delay))  # noqa: S311 — not cryptographic
            yield attempt


NO_WAIT = RetryPolicy(sleep=lambda _: None)
"""The same attempts without sleeping, for tests and tools that run flows one after another."""
