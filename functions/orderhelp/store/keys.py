"""The item layout: the one place where keys are spelled. Index *names* come from the
environment the template sets; the attributes below are the template's key schemas
(`tests/infra/test_template.py` holds the two equal).

    pk ORDER#<order_id>  sk ORDER                          the order; OrdersByCustomer keys, and
                                                           due index keys while it awaits a
                                                           deadline
                         sk HISTORY#<version>              a change of the order, in order
                         sk HISTORY#<version>#<at>#<req>   a request noted on the order (no
                                                           version of its own)
                         sk CASE#<case_id>                 a copy of each of the order's cases
                         sk OPENCASE#<action>              the order's one non-closed case per
                                                           action (a slot: taken, given back)
    pk CASE#<case_id>    sk CASE                           the case
                         sk ACTIVITY#<version>             each change of the case, with the
                                                           message it added
    pk ATTACHMENT#<id>   sk ATTACHMENT                     an uploaded photo or file: whose it
                                                           is, what became of its bytes, the
                                                           case message it is on

A case's newest activity and the case itself are one Query (`sk <= CASE`, newest first: every
`ACTIVITY#` key sorts before `CASE`).

The case item (never its copy) carries the keys of two sparse indexes, which hold only cases:

    CasesByCustomer  case_customer_pk CUSTOMER#<customer_id>
                     case_customer_sk <last_activity_at>#<case_id>     newest activity last
    CaseQueue        queue_pk QUEUE#<status>#<shard>                   open, pending, solved only
                     queue_sk <urgency>#<case_id>                      most urgent first

The urgency is when an open case is due its next answer (the first-response due time until it is
answered once, then the due time of the customer's latest message), the last activity of a
pending one, and when a solved case was solved. A queue is spread over shards (a stable hash of
the case id), as one partition takes about 1,000 writes a second; a page of a queue merges the
shards' pages, so its order stays exact. A closed case has no queue keys, so it leaves the queue.

An order's returns and refunds live in its partition, read with it by the same Query:

    pk ORDER#<order_id>  sk RETURN#<return_id>             a return
                         sk REFUND#<refund_id>             a refund
                         sk LEDGER                         what every change of them is
                                                           conditioned on (and their counts)
                         sk RETURNLOG#<return_id>#<ver>    each change of a return
                         sk REFUNDLOG#<refund_id>#<ver>    each change of a refund

Return and refund ids carry their order's id (`ORD-1003-R1`, `ORD-1003-RF1`), so the shop's
`received` or `issued` reads the order's partition at once. A refund that the payment system has
to work (due, or failed) carries the keys of a sparse index, spread over shards:

    RefundQueue  refund_queue_pk REFUNDS#<status>#<shard>
                 refund_queue_sk <due_since or failed_at>#<refund_id>      oldest first

The order item carries the keys of the index of orders awaiting a milestone (the delay check's
index) while the order waits on a deadline the check watches (`Order.next_delay_deadline()`):

    OrdersAwaitingMilestone  due_pk DUE#<shard>
                             due_sk <deadline>#<order_id>

Without them the item is not in the index: an order leaves it when it ships, is delivered or
cancelled, or once its delay is recorded, and comes back with a revised estimate. The delay check
queries each shard for `due_sk < now` (an order exactly on its deadline is not late yet).

An order item with a contact also carries the keys of the agents' search by contact email:

    OrdersByContactEmail  contact_email_pk EMAIL#<contact.email>      as the contact normalises it
                          contact_email_sk ORDER#<placed_at>#<order_id>   read newest first

Every time in a sort key is UTC with microseconds, so that text order is time order
(`09:00:00Z` would sort after `09:00:00.500000Z`).
"""

import hashlib
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from lifecycle.actions import CaseAction
from lifecycle.attachments import Attachment
from lifecycle.case import Case, CaseStatus
from lifecycle.order import Order
from lifecycle.refunds import Refund, RefundStatus
from lifecycle.returns import Return
from orderhelp.console_records import AgentProfile, SavedReply, StatsBacklog, StatsDay
from orderhelp.records import Ledger, ReturnsActivity

Key = dict[str, str]

ORDER = "ORDER"
HISTORY = "HISTORY#"
CASE_COPY = "CASE#"
OPEN_CASE = "OPENCASE#"
CASE = "CASE"
ACTIVITY = "ACTIVITY#"
DUE = "DUE#"
QUEUE = "QUEUE#"

OUTBOX = "outbox"
"""The attribute that puts a log entry in the outbox (the stream's publisher reads it): the kind
of entry it is. Other items do not have it."""
OUTBOX_ORDER = "order"
OUTBOX_CASE = "case"
OUTBOX_RETURN = "return"
OUTBOX_REFUND = "refund"

CUSTOMER_INDEX_KEYS = ("customer_pk", "customer_sk")
CASES_BY_CUSTOMER_KEYS = ("case_customer_pk", "case_customer_sk")
CASE_QUEUE_KEYS = ("queue_pk", "queue_sk")
DUE_INDEX_KEYS = ("due_pk", "due_sk")


def sort_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def shard_of(item_id: str, shards: int) -> int:
    """A stable shard of an id: the same in every process and every run (`hash` is not)."""
    digest = hashlib.sha256(item_id.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % shards


# --- partitions -----------------------------------------------------------------------------------


def order_pk(order_id: str) -> str:
    return f"ORDER#{order_id}"


def case_pk(case_id: str) -> str:
    return f"CASE#{case_id}"


def customer_pk(customer_id: str) -> str:
    return f"CUSTOMER#{customer_id}"


def queue_pk(status: CaseStatus, shard: int) -> str:
    return f"{QUEUE}{status}#{shard}"


def due_pk(shard: int) -> str:
    return f"{DUE}{shard}"


# --- items ----------------------------------------------------------------------------------------


def order_key(order_id: str) -> Key:
    return {"pk": order_pk(order_id), "sk": ORDER}


def history_sk(version: int) -> str:
    return f"{HISTORY}{version:010d}"


def note_sk(version: int, at: datetime, request_id: str) -> str:
    """A noted request sorts after the change whose version it saw, in time order."""
    return f"{history_sk(version)}#{sort_time(at)}#{request_id}"


def case_key(case_id: str) -> Key:
    return {"pk": case_pk(case_id), "sk": CASE}


def case_copy_key(order_id: str, case_id: str) -> Key:
    return {"pk": order_pk(order_id), "sk": f"{CASE_COPY}{case_id}"}


def open_case_key(order_id: str, action: CaseAction | str) -> Key:
    return {"pk": order_pk(order_id), "sk": f"{OPEN_CASE}{action}"}


def activity_sk(version: int) -> str:
    return f"{ACTIVITY}{version:010d}"


def activity_key(case_id: str, version: int) -> Key:
    return {"pk": case_pk(case_id), "sk": activity_sk(version)}


# --- index keys -----------------------------------------------------------------------------------


def customer_sk(order: Order) -> str:
    """Sorts a customer's orders by when they were placed."""
    return f"ORDER#{sort_time(order.placed_at)}#{order.order_id}"


def order_index_keys(order: Order, due_shards: int) -> dict[str, str]:
    """The index keys an order item carries: its customer's list, the agents' search by the
    customer's contact email, and the due index while it awaits a deadline."""
    keys = {"customer_pk": customer_pk(order.customer_id), "customer_sk": customer_sk(order)}
    keys |= contact_email_keys(order)
    deadline = order.next_delay_deadline()
    if deadline is not None:
        keys |= {
            "due_pk": due_pk(shard_of(order.order_id, due_shards)),
            "due_sk": due_sk(deadline, order.order_id),
        }
    return keys


def due_sk(deadline: datetime, order_id: str) -> str:
    return f"{sort_time(deadline)}#{order_id}"


def queue_urgency(case: Case) -> datetime | None:
    """Where a case stands in its queue; None for a closed case (in no queue)."""
    return {
        # A case answered before its next due time was kept waits as of its latest activity.
        CaseStatus.OPEN: case.answer_due_at() or case.last_activity_at,
        CaseStatus.PENDING: case.last_activity_at,
        CaseStatus.SOLVED: case.solved_at,
    }.get(case.status)


def case_index_keys(case: Case, queue_shards: int) -> dict[str, str]:
    """The keys that put a case in CasesByCustomer and, unless closed, in the CaseQueue."""
    keys = {
        "case_customer_pk": customer_pk(case.customer_id),
        "case_customer_sk": f"{sort_time(case.last_activity_at)}#{case.case_id}",
    }
    urgency = queue_urgency(case)
    if urgency is not None:
        keys |= {
            "queue_pk": queue_pk(case.status, shard_of(case.case_id, queue_shards)),
            "queue_sk": f"{sort_time(urgency)}#{case.case_id}",
        }
    return keys


# --- the agents' search ---------------------------------------------------------------------------

CONTACT_EMAIL_KEYS = ("contact_email_pk", "contact_email_sk")


def contact_email_pk(email: str) -> str:
    """`email` as `lifecycle.order.EmailAddress` normalises it (the order's `contact.email` is;
    a search normalises what the agent typed the same way): exact from there on."""
    return f"EMAIL#{email}"


def contact_email_keys(order: Order) -> dict[str, str]:
    """The keys of the OrdersByContactEmail index, newest order first: none for an order
    without a contact."""
    if order.contact is None:
        return {}
    return {
        "contact_email_pk": contact_email_pk(order.contact.email),
        "contact_email_sk": customer_sk(order),
    }


# --- records of their own, and claims -------------------------------------------------------------

CLAIM = "CLAIM#"

ATTACHMENT = "ATTACHMENT"


def attachment_key(attachment_id: str) -> Key:
    return {"pk": f"{ATTACHMENT}#{attachment_id}", "sk": ATTACHMENT}


# The attachments bucket's objects: what the owner uploads (processed, then deleted; the bucket's
# lifecycle expires any left over), and what the processing keeps. The template's S3 event and
# lifecycle rules filter on these prefixes.
UPLOADS_PREFIX = "uploads/"
FILES_PREFIX = "files/"


def upload_object_key(attachment_id: str) -> str:
    return f"{UPLOADS_PREFIX}{attachment_id}"


def attachment_id_of_upload(object_key: str) -> str | None:
    """The attachment an uploaded object is for; None for an object no upload grant names."""
    if not object_key.startswith(UPLOADS_PREFIX):
        return None
    attachment_id = object_key.removeprefix(UPLOADS_PREFIX)
    return attachment_id if attachment_id and "/" not in attachment_id else None


def file_object_key(attachment_id: str) -> str:
    return f"{FILES_PREFIX}{attachment_id}/file"


def thumbnail_object_key(attachment_id: str) -> str:
    return f"{FILES_PREFIX}{attachment_id}/thumbnail"


RecordKey = Callable[[Any], Key]
RECORD_KEYS: dict[type, RecordKey] = {
    Attachment: lambda attachment: attachment_key(attachment.attachment_id),
}
"""Where each kind of record (`Changeset.put_record`) lives, by its model class. A new kind adds
its line here (and, if it is indexed, its index keys to `RECORD_INDEX_KEYS`)."""
RECORD_INDEX_KEYS: dict[type, Callable[[Any], dict[str, str]]] = {}


REPLIES = "REPLIES"
AGENTS = "AGENTS"
STATS = "STATS"
STATS_DAY = "DAY#"
STATS_BACKLOG = "BACKLOG#"
STATS_EVENT_CLAIM = "stats-event"
"""An event the figures have counted: a redelivered event finds its claim taken."""
FIRST_ANSWER_CLAIM = "stats-first-answer"
"""A case whose first answer the figures have counted, whichever of its events told it first."""

RECORD_KEYS |= {
    # Every saved reply and every profile in one partition: the console reads them all with one
    # Query (tens to hundreds of small items).
    SavedReply: lambda reply: reply_key(reply.reply_id),
    AgentProfile: lambda profile: profile_key(profile.agent_id),
    # A month of figures is one Query: `DAY#<first day>` to `DAY#<last day>~`.
    StatsDay: lambda day: stats_day_key(day.day, day.shard),
    StatsBacklog: lambda backlog: stats_backlog_key(backlog.shard),
}


def stats_day_sk(day: date, shard: int | None = None) -> str:
    prefix = f"{STATS_DAY}{day.isoformat()}#"
    return prefix if shard is None else f"{prefix}{shard:03d}"


def stats_day_key(day: date, shard: int) -> Key:
    return {"pk": STATS, "sk": stats_day_sk(day, shard)}


def stats_backlog_key(shard: int) -> Key:
    return {"pk": STATS, "sk": f"{STATS_BACKLOG}{shard:03d}"}


def profile_key(agent_id: str) -> Key:
    return {"pk": AGENTS, "sk": f"AGENT#{agent_id}"}


def reply_key(reply_id: str) -> Key:
    return {"pk": REPLIES, "sk": f"REPLY#{reply_id}"}


def record_key(record: Any) -> Key:
    try:
        return RECORD_KEYS[type(record)](record)
    except KeyError:
        raise TypeError(f"no key layout for {type(record).__name__} in store.keys") from None


def record_index_keys(record: Any) -> dict[str, str]:
    index_keys = RECORD_INDEX_KEYS.get(type(record))
    return index_keys(record) if index_keys else {}


def claim_key(kind: str, value: str) -> Key:
    """A claimed value: one item per kind and value, in a partition of its own (no hot key)."""
    return {"pk": f"{CLAIM}{kind}#{value}", "sk": CLAIM.rstrip("#")}


# --- returns and refunds --------------------------------------------------------------------------

RETURN = "RETURN#"
REFUND = "REFUND#"
LEDGER = "LEDGER"
RETURN_LOG = "RETURNLOG#"
REFUND_LOG = "REFUNDLOG#"
REFUNDS = "REFUNDS#"
REFUND_QUEUE_KEYS = ("refund_queue_pk", "refund_queue_sk")
REFUND_QUEUE_SHARDS = 4
"""Shards of each status of the RefundQueue index. A refund is written two or three times in
its life, so four partitions (about 4,000 writes a second) carry far more refunds than a shop
makes; readers read shards 0 to N-1, so it may grow but never shrink."""
QUEUED_REFUNDS = (RefundStatus.DUE, RefundStatus.FAILED)


def return_key(order_id: str, return_id: str) -> Key:
    return {"pk": order_pk(order_id), "sk": f"{RETURN}{return_id}"}


def refund_key(order_id: str, refund_id: str) -> Key:
    return {"pk": order_pk(order_id), "sk": f"{REFUND}{refund_id}"}


def ledger_key(order_id: str) -> Key:
    return {"pk": order_pk(order_id), "sk": LEDGER}


def returns_activity_key(entry: ReturnsActivity) -> Key:
    prefix = RETURN_LOG if entry.subject == "return" else REFUND_LOG
    sort_key = f"{prefix}{entry.subject_id}#{entry.subject_version:010d}"
    return {"pk": order_pk(entry.order_id), "sk": sort_key}


def refund_queue_pk(status: RefundStatus, shard: int) -> str:
    return f"{REFUNDS}{status}#{shard}"


def refund_queue_sk(refund: Refund) -> str:
    since = refund.failed_at if refund.status is RefundStatus.FAILED else refund.due_since
    return f"{sort_time(since or refund.due_since)}#{refund.refund_id}"


def refund_index_keys(refund: Refund) -> dict[str, str]:
    """A due or failed refund is in the payment system's queue; an issued one leaves it."""
    if refund.status not in QUEUED_REFUNDS:
        return {}
    shard = shard_of(refund.refund_id, REFUND_QUEUE_SHARDS)
    return {
        "refund_queue_pk": refund_queue_pk(refund.status, shard),
        "refund_queue_sk": refund_queue_sk(refund),
    }


RECORD_KEYS[Return] = lambda record: return_key(record.order_id, record.return_id)
RECORD_KEYS[Refund] = lambda record: refund_key(record.order_id, record.refund_id)
RECORD_KEYS[Ledger] = lambda record: ledger_key(record.order_id)
RECORD_KEYS[ReturnsActivity] = returns_activity_key
RECORD_INDEX_KEYS[Refund] = refund_index_keys


def keys_of(item: dict[str, Any]) -> Key:
    return {"pk": item["pk"], "sk": item["sk"]}
