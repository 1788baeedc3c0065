"""The agents' console as a help desk: finding a case a customer phones about, the views of the
active cases with their counts, saved replies, agents' profiles and a customer's side panel.
Nothing here knows HTTP or DynamoDB; every write is one `Changeset` of records."""

import hashlib
import re
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from pydantic import TypeAdapter, ValidationError

from lifecycle.actions import CaseAction, HelpAction, Question
from lifecycle.carriers import tracking_url
from lifecycle.case import Case, CaseStatus
from lifecycle.i18n import format_date, translate
from lifecycle.order import EmailAddress, Order
from lifecycle.replies import fill
from lifecycle.returns import RMA_PREFIX, Return, order_of_return
from orderhelp.attempts import recognised, write_once
from orderhelp.changes import Changeset, RequestContext
from orderhelp.console_models import (
    CustomerPanel,
    OrderHit,
    ProfileList,
    ProfileRequest,
    ProfileView,
    SavedReplyList,
    SavedReplyRequest,
    SavedReplyView,
    SearchHit,
    SearchKind,
    SearchResult,
    SuggestedReplies,
    SuggestedReply,
    ViewCount,
    ViewCounts,
    ViewName,
)
from orderhelp.console_records import AgentProfile, Locale, SavedReply
from orderhelp.errors import CaseNotFound, Conflict, SavedReplyChanged, SavedReplyNotFound
from orderhelp.models import (
    AgentCasePage,
    AgentCaseSummary,
    CaseSummaryView,
    Money,
    OrderListItem,
)
from orderhelp.retry import RetryPolicy
from orderhelp.store import OrderStore, keys
from orderhelp.store.console_store import ConsoleStore
from orderhelp.store.cursors import decode_cursor, encode_cursor

Clock = Callable[[], datetime]

EMAIL_HITS = 10
PANEL_ORDERS = 5
PANEL_CASES = 10
PROFILES_KEPT_FOR = timedelta(seconds=60)

_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,190}\.[^@\s]{1,63}$")
_EMAIL_ADDRESS: TypeAdapter[str] = TypeAdapter(EmailAddress)
_NUMBER = re.compile(r"^[1-9]\d{0,11}$")
_IDENTIFIER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")
_VIEW_CURSOR = re.compile(
    r"^[01]#\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z#(?P<case_id>[A-Za-z0-9][A-Za-z0-9._:-]{0,63})$"
)


def kinds_of(query: str) -> list[SearchKind]:
    """What a query can be, by its shape: an email is only an email; digits may be a case
    number or an order id; an identifier an order id or a case reference, and a return's id or
    RMA number when it is shaped like one."""
    if _EMAIL.fullmatch(query):
        return [SearchKind.CUSTOMER_EMAIL]
    kinds = []
    if _NUMBER.fullmatch(query):
        kinds.append(SearchKind.CASE_NUMBER)
    if _IDENTIFIER.fullmatch(query):
        kinds += [SearchKind.ORDER_ID, SearchKind.CASE_REFERENCE]
        if order_of_return(_return_id(query)) is not None:
            kinds.append(SearchKind.RETURN)
    return kinds


def _return_id(query: str) -> str:
    """The return id a query names: an RMA number is `RMA-` and the return's id."""
    return query.removeprefix(RMA_PREFIX)


def normalised_email(text: str) -> str | None:
    """The address as an order's contact stores it (`lifecycle.order.EmailAddress`: the domain
    in lower case, the mailbox as written); None when it is not one a contact can hold."""
    try:
        return _EMAIL_ADDRESS.validate_python(text)
    except ValidationError:
        return None


class ProfileDirectory:
    """Agents' display names, read with one Query of every profile and kept for a minute in the
    process (names change rarely; an agent writing a message should not cost a read)."""

    def __init__(self, store: ConsoleStore, clock: Clock, kept_for: timedelta = PROFILES_KEPT_FOR):
        self._store = store
        self._clock = clock
        self._kept_for = kept_for
        self._names: dict[str, str] = {}
        self._read_at: datetime | None = None

    def name_of(self, agent_id: str) -> str | None:
        now = self._clock()
        if self._read_at is None or not (self._read_at <= now < self._read_at + self._kept_for):
            self._names = {p.agent_id: p.display_name for p in self._store.profiles()}
            self._read_at = now
        return self._names.get(agent_id)

    def forget(self) -> None:
        self._read_at = None


class ConsoleService:
    def __init__(
        self,
        orders: OrderStore,
        console: ConsoleStore,
        clock: Clock,
        profiles: ProfileDirectory,
        *,
        retry: RetryPolicy | None = None,
    ) -> None:
        self._orders = orders
        self._console = console
        self._clock = clock
        self._profiles = profiles
        self._retry = retry or RetryPolicy()

    # --- search ----------------------------------------------------------------------------------

    def search(self, query: str, locale: str) -> SearchResult:
        """Each kind of key the query may be is one small lookup (a GetItem or one Query)."""
        text = query.strip()
        kinds = kinds_of(text)
        lookups: dict[SearchKind, Callable[[str, str], list[SearchHit]]] = {
            SearchKind.ORDER_ID: self._by_order_id,
            SearchKind.CASE_REFERENCE: self._by_case_reference,
            SearchKind.CASE_NUMBER: self._by_case_number,
            SearchKind.CUSTOMER_EMAIL: self._by_email,
            SearchKind.RETURN: self._by_return,
        }
        hits = [hit for kind in kinds for hit in lookups[kind](text, locale)]
        return SearchResult(query=text, searched=kinds, hits=hits)

    def _by_order_id(self, text: str, locale: str) -> list[SearchHit]:
        record = self._orders.load(text)
        if record is None:
            return []
        order = record.order
        hit = _order_hit(
            order.model_dump(mode="json"),
            locale,
            cases=[CaseSummaryView.of(case, locale) for case in record.cases],
        )
        return [SearchHit(matched=SearchKind.ORDER_ID, order=hit)]

    def _by_case_reference(self, text: str, locale: str) -> list[SearchHit]:
        case = self._orders.get_case(text)
        if case is None:
            return []
        summary = AgentCaseSummary.of_case(case, locale, self._clock())
        return [SearchHit(matched=SearchKind.CASE_REFERENCE, case=summary, case_id=case.case_id)]

    def _by_case_number(self, text: str, locale: str) -> list[SearchHit]:
        case = self._orders.case_by_number(int(text))
        if case is None:
            return []
        summary = AgentCaseSummary.of_case(case, locale, self._clock())
        return [SearchHit(matched=SearchKind.CASE_NUMBER, case=summary, case_id=case.case_id)]

    def _by_return(self, text: str, locale: str) -> list[SearchHit]:
        """The case a return was requested on: the return id names its order, whose partition
        holds its returns; then the case itself, as it is now."""
        return_id = _return_id(text)
        order_id = order_of_return(return_id)
        record = self._orders.load(order_id) if order_id is not None else None
        found = (
            next((r for r in record.returns if r.return_id == return_id), None) if record else None
        )
        case = self._orders.get_case(found.case_id) if found and found.case_id else None
        if case is None:
            return []
        summary = AgentCaseSummary.of_case(case, locale, self._clock())
        return [SearchHit(matched=SearchKind.RETURN, case=summary, case_id=case.case_id)]

    def _by_email(self, text: str, locale: str) -> list[SearchHit]:
        email = normalised_email(text)
        if email is None:
            return []
        rows = self._console.orders_by_contact_email(email, EMAIL_HITS)
        return [
            SearchHit(matched=SearchKind.CUSTOMER_EMAIL, order=_order_hit(row, locale))
            for row in rows
        ]

    # --- views -----------------------------------------------------------------------------------

    def view_counts(self, agent: str) -> ViewCounts:
        now = self._clock()
        active = self._console.active_cases()
        counts = [
            ViewCount(view=ViewName.MINE, count=sum(c.assignee == agent for c in active)),
            ViewCount(view=ViewName.UNASSIGNED, count=sum(c.assignee is None for c in active)),
            ViewCount(view=ViewName.OVERDUE, count=sum(c.first_answer_late(now) for c in active)),
        ]
        counts += [
            ViewCount(
                view=ViewName.ACTION, action=action, count=sum(c.action is action for c in active)
            )
            for action in (*HelpAction, *Question)
        ]
        return ViewCounts(at=now, views=counts)

    def view(
        self,
        agent: str,
        view: ViewName,
        *,
        action: CaseAction | None,
        limit: int,
        cursor: str | None,
        locale: str,
    ) -> AgentCasePage:
        """A page of a view: its open cases by when they are due an answer, then its pending
        ones by how long they have waited."""
        now = self._clock()
        belongs = _view_filter(view, action, agent, now)
        scope = f"view\n{view}\n{action or ''}\n{agent if view is ViewName.MINE else ''}"
        after = decode_cursor(scope, cursor, _VIEW_CURSOR).string if cursor else None
        ranked = sorted(
            (_view_key(case), case) for case in self._console.active_cases() if belongs(case)
        )
        if after is not None:
            ranked = [(key, case) for key, case in ranked if key > after]
        page = ranked[:limit]
        more = len(ranked) > limit
        return AgentCasePage(
            cases=[AgentCaseSummary.of_case(case, locale, now) for _, case in page],
            next_cursor=encode_cursor(scope, page[-1][0]) if more else None,
        )

    # --- saved replies ---------------------------------------------------------------------------

    def replies(self) -> SavedReplyList:
        live = [reply for reply in self._console.saved_replies() if not reply.deleted]
        live.sort(key=lambda reply: (reply.locale, reply.title.casefold(), reply.reply_id))
        return SavedReplyList(replies=[SavedReplyView.of(reply) for reply in live])

    def reply(self, reply_id: str) -> SavedReplyView:
        return SavedReplyView.of(self._live_reply(reply_id))

    def create_reply(self, request: RequestContext, body: SavedReplyRequest) -> SavedReplyView:
        # The id follows from the request: an attempt after a lost answer finds its own reply.
        reply_id = f"RP-{hashlib.sha256(request.id.encode()).hexdigest()[:20].upper()}"
        agent = request.actor.id or ""

        def attempt(number: int) -> SavedReplyView:
            existing = self._console.saved_reply(reply_id)
            if existing is not None:
                return recognised(SavedReplyView.of(existing))
            now = self._clock()
            change = Changeset(request, now, attempt=number)
            reply = SavedReply(
                reply_id=reply_id,
                **body.model_dump(),
                created_at=now,
                created_by=agent,
                updated_at=now,
                updated_by=agent,
                request_id=request.id,
            )
            written = change.put_record(reply)
            self._console.commit(change)
            return SavedReplyView.of(written)

        return write_once(self._retry, attempt, lambda: _changed_reply(reply_id, 0))

    def update_reply(
        self,
        request: RequestContext,
        reply_id: str,
        body: SavedReplyRequest,
        expected_version: int | None,
    ) -> SavedReplyView:
        """Replace the reply; with `expected_version`, only if nobody changed it since."""
        return self._change_reply(
            request,
            reply_id,
            expected_version,
            lambda reply, now: reply.model_copy(
                update=body.model_dump() | {"updated_at": now, "updated_by": request.actor.id}
            ),
        )

    def delete_reply(
        self, request: RequestContext, reply_id: str, expected_version: int | None
    ) -> SavedReplyView:
        return self._change_reply(
            request,
            reply_id,
            expected_version,
            lambda reply, now: reply.model_copy(
                update={"deleted": True, "updated_at": now, "updated_by": request.actor.id}
            ),
        )

    def _change_reply(
        self,
        request: RequestContext,
        reply_id: str,
        expected_version: int | None,
        changed: Callable[[SavedReply, datetime], SavedReply],
    ) -> SavedReplyView:
        def attempt(number: int) -> SavedReplyView:
            current = self._console.saved_reply(reply_id)
            if current is not None and current.request_id == request.id:
                return recognised(SavedReplyView.of(current))
            if current is None or current.deleted:
                raise SavedReplyNotFound(reply_id)
            if expected_version is not None and current.version != expected_version:
                raise SavedReplyChanged(reply_id, current.version)
            now = self._clock()
            change = Changeset(request, now, attempt=number)
            after = changed(current, now).model_copy(update={"request_id": request.id})
            written = change.put_record(after, current)
            self._console.commit(change)
            return SavedReplyView.of(written)

        return write_once(self._retry, attempt, lambda: self._reply_gave_up(reply_id))

    def suggested_replies(self, agent: str, case_id: str, locale: str) -> SuggestedReplies:
        """Every saved reply filled in for the case; those for the case's help action in the
        customer's language first."""
        case = self._orders.get_case(case_id)
        if case is None:
            raise CaseNotFound(case_id)
        record = self._orders.load(case.order_id)
        order = record.order if record is not None else None
        customer_locale = _customer_locale(order) or locale
        returns = record.returns if record is not None else []
        values = _placeholder_values(
            case, order, _case_return(case, returns), self._profiles.name_of(agent), customer_locale
        )
        suggestions = []
        for reply in self._console.saved_replies():
            if reply.deleted:
                continue
            filled = fill(reply.body, values)
            fits = reply.locale == customer_locale and (
                not reply.actions or case.action in reply.actions
            )
            suggestions.append(
                SuggestedReply(
                    **SavedReplyView.of(reply).model_dump(),
                    filled=filled.text,
                    missing=filled.missing,
                    suggested=fits,
                )
            )
        suggestions.sort(
            key=lambda s: (
                not s.suggested,
                s.locale != customer_locale,
                case.action not in s.actions,
                s.title.casefold(),
            )
        )
        return SuggestedReplies(case_id=case_id, locale=customer_locale, replies=suggestions)

    # --- profiles --------------------------------------------------------------------------------

    def profiles(self) -> ProfileList:
        found = sorted(self._console.profiles(), key=lambda p: p.display_name.casefold())
        return ProfileList(profiles=[ProfileView.of(profile) for profile in found])

    def save_profile(self, request: RequestContext, body: ProfileRequest) -> ProfileView:
        agent = request.actor.id or ""

        def attempt(number: int) -> ProfileView:
            current = self._console.profile(agent)
            if current is not None and current.request_id == request.id:
                return recognised(ProfileView.of(current))
            now = self._clock()
            change = Changeset(request, now, attempt=number)
            profile = AgentProfile(
                agent_id=agent,
                display_name=body.display_name,
                languages=list(dict.fromkeys(body.languages)),
                updated_at=now,
                request_id=request.id,
            )
            written = change.put_record(profile, current)
            self._console.commit(change)
            self._profiles.forget()
            return ProfileView.of(written)

        return write_once(self._retry, attempt, lambda: _profile_changed(agent))

    # --- a customer's side panel -----------------------------------------------------------------

    def customer(self, customer_id: str, locale: str) -> CustomerPanel:
        rows, next_orders = self._orders.list_for_customer(customer_id, PANEL_ORDERS, None)
        cases, next_cases = self._orders.list_cases_for_customer(customer_id, PANEL_CASES, None)
        now = self._clock()
        return CustomerPanel(
            customer_id=customer_id,
            orders=[
                OrderListItem(
                    order_id=row["order_id"],
                    status=row["status"],
                    placed_at=row["placed_at"],
                    total=Money(amount=str(row["total"]), currency=row["currency"]),
                    item_count=row["item_count"],
                    first_items=row.get("items", []),
                )
                for row in rows
            ],
            more_orders=next_orders is not None,
            cases=[AgentCaseSummary.of_case(case, locale, now) for case in cases],
            more_cases=next_cases is not None,
        )

    def _live_reply(self, reply_id: str) -> SavedReply:
        reply = self._console.saved_reply(reply_id)
        if reply is None or reply.deleted:
            raise SavedReplyNotFound(reply_id)
        return reply

    def _reply_gave_up(self, reply_id: str) -> Exception:
        current = self._console.saved_reply(reply_id)
        return _changed_reply(reply_id, current.version if current else 0)


def _changed_reply(reply_id: str, version: int) -> Exception:
    return SavedReplyChanged(reply_id, version)


def _profile_changed(agent: str) -> Exception:
    return Conflict("The profile changed while this request was handled; retry.", agent_id=agent)


def _view_filter(
    view: ViewName, action: CaseAction | None, agent: str, now: datetime
) -> Callable[[Case], bool]:
    if view is ViewName.MINE:
        return lambda case: case.assignee == agent
    if view is ViewName.UNASSIGNED:
        return lambda case: case.assignee is None
    if view is ViewName.OVERDUE:
        return lambda case: case.first_answer_late(now)
    return lambda case: action is None or case.action is action


def _view_key(case: Case) -> str:
    """Open cases first by when they are due an answer, then pending ones by their wait."""
    rank = 0 if case.status is CaseStatus.OPEN else 1
    urgency = keys.queue_urgency(case) or case.last_activity_at
    return f"{rank}#{keys.sort_time(urgency)}#{case.case_id}"


def _order_hit(
    values: dict[str, Any], locale: str, cases: list[CaseSummaryView] | None = None
) -> OrderHit:
    address = values.get("shipping_address") or {}
    return OrderHit(
        order_id=values["order_id"],
        customer_id=values["customer_id"],
        customer_name=address.get("name"),
        status=values["status"],
        status_label=translate(locale, "states", values["status"]),
        placed_at=values["placed_at"],
        total=Money(amount=str(values["total"]), currency=values["currency"]),
        contact=values.get("contact"),
        cases=cases or [],
    )


def _customer_locale(order: Order | None) -> Locale | None:
    """The language the customer reads: the order's contact's."""
    return order.contact.locale if order is not None and order.contact is not None else None


def _case_return(case: Case, returns: list[Return]) -> Return | None:
    """The case's return with a drop-off day (approved), the latest when it has several."""
    approved = [r for r in returns if r.case_id == case.case_id and r.drop_off_by is not None]
    return max(approved, key=lambda r: r.drop_off_by or r.requested_at, default=None)


def _placeholder_values(
    case: Case,
    order: Order | None,
    case_return: Return | None,
    agent_name: str | None,
    locale: str,
) -> dict[str, str | None]:
    def day(moment: datetime | None) -> str | None:
        return format_date(moment, locale) if moment else None

    values: dict[str, str | None] = {
        "order_id": case.order_id,
        "case_reference": case.case_id,
        "case_number": _text(case.number),
        "agent_name": agent_name,
    }
    if order is not None:
        values |= {
            "customer_name": order.shipping_address.name,
            "order_total": f"{order.total} {order.currency}",
            "carrier": order.carrier,
            "tracking_number": order.tracking_number,
            "estimated_ship_by": day(order.estimated_ship_by),
            "estimated_delivery_by": day(order.estimated_delivery_by),
        }
        values["tracking_url"] = tracking_url(order.carrier, order.tracking_number)
    # A return's drop-off day is set when it is approved; before that the agent fills it in.
    values["drop_off_by"] = day(case_return.drop_off_by) if case_return is not None else None
    return values


def _text(value: Any) -> str | None:
    return None if value is None else str(value)
