"""A changeset as the table's writes: what each write puts and what it is conditioned on."""

from lifecycle.case import Case
from orderhelp.changes import (
    CaseRead,
    CaseUpdate,
    CaseWrite,
    Changeset,
    Claim,
    NewCase,
    NewOrder,
    OrderNote,
    OrderUpdate,
    OrderWrite,
    RecordPut,
)
from orderhelp.errors import ClaimTaken, ConcurrentUpdate, OrderAlreadyExists
from orderhelp.store import codec, keys
from orderhelp.store.table import NEW, Check, Condition, Delete, Put, TransactionCancelled, Write

SLOT = "slot"
CLAIM = "claim"


def writes_of(change: Changeset, *, due_shards: int, queue_shards: int) -> list[Write]:
    writes: list[Write] = []
    for order_write in change.orders:
        writes += _order_writes(order_write, due_shards)
    for case_write in change.cases:
        writes += _case_writes(case_write, queue_shards)
    writes += [_record_write(put) for put in change.records]
    writes += [_claim_write(claim) for claim in change.claims]
    return writes


def _record_write(put: RecordPut) -> Write:
    item = codec.record_item(put.after)
    label = f"record:{item['pk']}:{item['sk']}"
    if put.before is None:
        return Put(item, NEW, label)
    return Put(item, Condition(equals={"version": put.before.version}), label)


def _claim_write(claim: Claim) -> Write:
    label = f"{CLAIM}:{claim.kind}:{claim.value}"
    if claim.release:
        held = Condition(equals={"owner": claim.owner}, or_absent=True)
        return Delete(keys.claim_key(claim.kind, claim.value), held, label)
    return Put(codec.claim_item(claim.kind, claim.value, claim.owner), NEW, label)


def _order_writes(write: OrderWrite, due_shards: int) -> list[Write]:
    if isinstance(write, NewOrder):
        order = write.order
        return [
            Put(codec.order_item(order, due_shards), NEW, f"new-order:{order.order_id}"),
            Put(codec.history_item(order.order_id, write.entry), NEW, "history"),
        ]
    if isinstance(write, OrderUpdate):
        order_id = write.after.order_id
        as_read = Condition(
            equals={"status": str(write.before.status), "version": write.before.version}
        )
        return [
            Put(
                codec.order_item(write.after, due_shards), as_read, f"order:{write.after.order_id}"
            ),
            Put(codec.history_item(order_id, write.entry), NEW, "history"),
        ]
    return _note_writes(write)


def _note_writes(write: OrderNote) -> list[Write]:
    order_id = write.order.order_id
    return [
        Check(keys.order_key(order_id), Condition(equals=write.expected()), f"order:{order_id}"),
        Put(codec.history_item(order_id, write.entry), NEW, "history"),
    ]


def _case_writes(write: CaseWrite, queue_shards: int) -> list[Write]:
    if isinstance(write, NewCase):
        case = write.case
        case_item, copy_item = codec.case_items(case, queue_shards)
        return [
            Put(case_item, NEW, f"case:{case.case_id}"),
            Put(copy_item, NEW, f"case:{case.case_id}"),
            # Taking the slot fails if another case for the same order and action is not closed.
            Put(codec.open_case_item(case), NEW, f"{SLOT}:{case.order_id}:{case.action}"),
            Put(codec.activity_item(case, write.activity), NEW, f"case:{case.case_id}"),
        ]
    if isinstance(write, CaseRead):
        return _read_writes(write, queue_shards)
    return _update_writes(write, queue_shards)


def as_read(case: Case) -> Condition:
    """The case is as `case` was read: the same version, and the customer's read time (which
    takes no version) unchanged, so neither a change nor a read is ever written over."""
    read_at = case.model_dump(mode="json", include={"customer_read_at"})["customer_read_at"]
    return Condition(equals={"version": case.version, "customer_read_at": read_at})


def _read_writes(write: CaseRead, queue_shards: int) -> list[Write]:
    case_item, copy_item = codec.case_items(write.after, queue_shards)
    label = f"case:{write.after.case_id}"
    return [
        Put(case_item, as_read(write.before), label),
        Put(copy_item, as_read(write.before), label),
    ]


def _update_writes(write: CaseUpdate, queue_shards: int) -> list[Write]:
    after = write.after
    case_item, copy_item = codec.case_items(after, queue_shards)
    same_version = as_read(write.before)
    label = f"case:{after.case_id}"
    writes: list[Write] = [
        Put(case_item, same_version, label),
        Put(copy_item, same_version, label),
        Put(codec.activity_item(after, write.activity), NEW, label),
    ]
    if write.closes:
        # The closed case frees the order's slot for its action, if the slot is still its own.
        writes.append(
            Delete(
                keys.open_case_key(after.order_id, after.action),
                Condition(equals={"case_id": after.case_id}, or_absent=True),
                label,
            )
        )
    return writes


def refusal_of(change: Changeset, cancelled: TransactionCancelled) -> Exception:
    """What a cancelled transaction means to the flow that asked for it."""
    created = [w.order.order_id for w in change.orders if isinstance(w, NewOrder)]
    if created and f"new-order:{created[0]}" in cancelled.failed:
        return OrderAlreadyExists(created[0])
    taken = [c for c in change.claims if f"{CLAIM}:{c.kind}:{c.value}" in cancelled.failed]
    if taken:
        return ClaimTaken(taken[0].kind, taken[0].value)
    subject, subject_id = _subject(change)
    return ConcurrentUpdate(subject_id, subject=subject)


def _subject(change: Changeset) -> tuple[str, str]:
    if not (change.orders or change.cases):
        first = change.records[0].after if change.records else change.claims[0]
        return type(first).__name__.lower(), str(getattr(first, "value", "") or "")
    if change.orders:
        write = change.orders[0]
        order = write.order if isinstance(write, NewOrder | OrderNote) else write.after
        return "order", order.order_id
    first = change.cases[0]
    case: Case = first.case if isinstance(first, NewCase) else first.after
    return "case", case.case_id
