"""Case numbers people can read out (`48213`): short, unique, allocated without a hot key.

A new case draws its number at random from the numbers of a few digits (five at first:
10000–99999) and claims it in the very transaction that opens the case (`Changeset.open_case`
claims `case.number`; each claim is an item of its own, so no key is written by every opening).
A number already held refuses the transaction (`ClaimTaken`): the flow's next attempt opens the
case again with a new id, and so a new number.

The range widens as it fills, learnt from the refusals themselves: after `MISSES_TO_WIDEN`
numbers in a row found taken, this process draws from numbers one digit longer. With a range a
fraction f full, that happens with probability f³ per opening, so a process widens when the range
is about half full and rarely wastes more than a transaction on a taken number; a new process
(a cold start) learns the width again within a few refusals. Numbers are never given back: a
closed case keeps its number, and agents look cases up by it (`OrderStore.case_by_number`).

The draw is a hash of the new case's id (which is random) and the attempt: as random as the id,
and the same in two runs whose ids are the same (the fault tests compare such runs item by
item)."""

import hashlib
import threading

from orderhelp.changes import CASE_NUMBER, Changeset, NewCase
from orderhelp.errors import ClaimTaken
from orderhelp.store import OrderStore

FIRST_DIGITS = 5
MAX_DIGITS = 12
MISSES_TO_WIDEN = 3


def number_range(digits: int) -> range:
    """The numbers of exactly `digits` digits (1–9 for one digit)."""
    return range(10 ** (digits - 1) if digits > 1 else 1, 10**digits)


class CaseNumbers:
    """The process's allocator: how wide a number it draws, learnt from the numbers it found
    taken. Shared by the flows of a process (threads included)."""

    def __init__(self, digits: int = FIRST_DIGITS, misses_to_widen: int = MISSES_TO_WIDEN) -> None:
        self._digits = digits
        self._misses_to_widen = misses_to_widen
        self._misses = 0
        self._lock = threading.Lock()

    @property
    def digits(self) -> int:
        return self._digits

    def draw(self, case_id: str, attempt: int = 0) -> int:
        """A number for the new case `case_id`, from the range in use now."""
        numbers = number_range(self._digits)
        digest = hashlib.sha256(f"{case_id}\x1f{attempt}".encode()).digest()
        return numbers[int.from_bytes(digest[:8], "big") % len(numbers)]

    def commit(self, store: OrderStore, change: Changeset) -> None:
        """Commit `change`, learning from it: a case number found taken counts towards widening
        (and `ClaimTaken` goes on to the flow, whose next attempt draws again); a case opened
        with its number resets the count."""
        try:
            store.commit(change)
        except ClaimTaken as taken:
            if taken.kind == CASE_NUMBER:
                self._missed(int(taken.value))
            raise
        if any(isinstance(write, NewCase) for write in change.cases):
            with self._lock:
                self._misses = 0

    def _missed(self, number: int) -> None:
        with self._lock:
            if len(str(number)) != self._digits:
                return  # drawn before another thread widened the range
            self._misses += 1
            if self._misses >= self._misses_to_widen and self._digits < MAX_DIGITS:
                self._digits += 1
                self._misses = 0
