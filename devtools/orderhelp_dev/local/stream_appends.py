"""Records appended to a DynamoDB stream by moto in this process, as a signal the local stack's
stream readers wait on: a reader reads its shards again as soon as a write adds a record, rather
than asking moto over HTTP many times a second while nothing happens (an idle stack spent a fifth
of a core on that). Readers still read every `streams.IDLE_POLL_SECONDS` without a signal, so a
moto in another process, which signals nothing here, is read as Lambda reads a shard."""

import threading
from typing import Any


class _Appends:
    def __init__(self) -> None:
        self.count = 0
        self.changed = threading.Condition()


_appends = _Appends()


def install() -> None:
    """Once per process, before moto takes requests (idempotent)."""
    from moto.dynamodb.models.table import StreamShard  # noqa: PLC0415 — moto only when serving

    if getattr(StreamShard.add, "signals_appends", False):
        return
    moto_add = StreamShard.add

    def add(self: StreamShard, old: Any, new: Any) -> None:
        moto_add(self, old, new)
        appended()

    add.signals_appends = True  # type: ignore[attr-defined]
    StreamShard.add = add  # type: ignore[method-assign]


def appended() -> None:
    with _appends.changed:
        _appends.count += 1
        _appends.changed.notify_all()


def count() -> int:
    """How many records were appended so far: what a reader saw before it read its shards."""
    return _appends.count


def wait_after(seen: int, timeout: float, stop: threading.Event) -> None:
    """Until a record is appended after `seen`, `stop` is set (with `wake`), or `timeout`."""
    with _appends.changed:
        _appends.changed.wait_for(lambda: _appends.count != seen or stop.is_set(), timeout)


def wake() -> None:
    """Wake every waiting reader, so one that was told to stop does."""
    with _appends.changed:
        _appends.changed.notify_all()
