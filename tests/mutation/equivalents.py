"""Mutants that change no behaviour, so no test can kill them, each with the reason. A mutant is
named by its file, the line(s) it changes before and after (stripped), and, where the same line
occurs elsewhere, the next line (what a decorator decorates). The README's "Testing" section
explains them by kind; `make mutation` flags an entry that no longer matches a survivor."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Equivalent:
    path: str
    before: str
    after: str
    why: str
    following: str = ""


PYDANTIC_CLASSMETHOD = (
    "pydantic makes a validator whose first parameter is `cls` a classmethod by itself"
)
PYDANTIC_PROPERTY = "pydantic makes a @computed_field method a property by itself"
ENGLISH_DEFAULT = "an unknown locale falls back to English, so any default but `es` means `en`"
SHALLOW_COPY = (
    "the machine only assigns fields of the copy (it never changes a nested value), so a "
    "shallow copy leaves the caller's record as untouched as a deep one"
)
CACHE = "a cache of data files read once: it saves time, and the answer is the same without it"
TYPING_ONLY = "a type annotation for mypy; Python never evaluates it at run time"
STATE_NAME = "a state's display name, drawn only in diagrams, and the case machine has none"
FIRST_IS_INITIAL = "python-statemachine takes the first state declared as the initial one"
FALSY_DEFAULT = 'the rule is only ever tested for truth, and None and "" are both false'
UNDRAWN_STATE_NAME = (
    "a state's display name, drawn only in diagrams, and only the order machine is drawn "
    "(errors name a state by its value)"
)
R = "statemachine/lifecycle/"

EQUIVALENTS: tuple[Equivalent, ...] = (
    # --- pydantic does the decorator's work itself -----------------------------------------------
    Equivalent(R + "base.py", "@classmethod", "", PYDANTIC_CLASSMETHOD),
    Equivalent(R + "order.py", "@classmethod", "", PYDANTIC_CLASSMETHOD),
    Equivalent(
        R + "order.py", "@property", "", PYDANTIC_PROPERTY, "def subtotal(self) -> Decimal:"
    ),
    Equivalent(R + "order.py", "@property", "", PYDANTIC_PROPERTY, "def total(self) -> Decimal:"),
    Equivalent(R + "order.py", "@property", "", PYDANTIC_PROPERTY, "def item_count(self) -> int:"),
    Equivalent(R + "case.py", "@property", "", PYDANTIC_PROPERTY, "def turn(self) -> Turn | None:"),
    Equivalent(R + "case.py", "@property", "", PYDANTIC_PROPERTY, "def unread(self) -> bool:"),
    # --- the default locale ----------------------------------------------------------------------
    Equivalent(
        R + "help.py",
        'order: Order, now: datetime, locale: str = "en", enabled: set[str] | None = None',
        'order: Order, now: datetime, locale: str = "XXenXX", enabled: set[str] | None = None',
        ENGLISH_DEFAULT,
    ),
    Equivalent(
        R + "help.py",
        'order: Order, action: HelpAction, now: datetime, locale: str = "en"',
        'order: Order, action: HelpAction, now: datetime, locale: str = "XXenXX"',
        ENGLISH_DEFAULT,
    ),
    Equivalent(
        R + "help.py",
        'order: Order, action: HelpAction, request: HelpRequest, now: datetime, locale: str = "en"',
        "order: Order, action: HelpAction, request: HelpRequest, now: datetime, "
        'locale: str = "XXenXX"',
        ENGLISH_DEFAULT,
    ),
    Equivalent(
        R + "matrix.py",
        'def help_matrix(policy: Policy, locale: str = "en") -> dict[str, Any]:',
        'def help_matrix(policy: Policy, locale: str = "XXenXX") -> dict[str, Any]:',
        ENGLISH_DEFAULT,
    ),
    Equivalent(
        R + "matrix.py",
        'def render_text(policy: Policy, locale: str = "en") -> str:',
        'def render_text(policy: Policy, locale: str = "XXenXX") -> str:',
        ENGLISH_DEFAULT,
    ),
    Equivalent(
        R + "i18n.py",
        'for position, part in enumerate((accept_language or "").split(",")):',
        'for position, part in enumerate((accept_language or "XXXX").split(",")):',
        "no header and a header naming no language we speak both negotiate English",
    ),
    # --- Accept-Language arithmetic --------------------------------------------------------------
    Equivalent(
        R + "i18n.py",
        "score = quality - position * 1e-6",
        "score = quality - position * 2e-06",
        "any tie-breaker far below q's 0.001 steps (RFC 9110) ranks the same",
    ),
    Equivalent(
        R + "i18n.py",
        "if language in SUPPORTED_LOCALES and quality > 0 and score > best_quality:",
        "if language in SUPPORTED_LOCALES and quality >= 0 and score > best_quality:",
        "`score > best_quality` (at least 0) already needs q > 0",
    ),
    Equivalent(
        R + "i18n.py",
        "if language in SUPPORTED_LOCALES and quality > 0 and score > best_quality:",
        "if language in SUPPORTED_LOCALES and quality > 0 and score >= best_quality:",
        "no two entries score the same: each is a position apart, and q > 0 beats the start",
    ),
    # --- caches, copies and types ----------------------------------------------------------------
    Equivalent(
        R + "i18n.py", " / @cache", "", CACHE, "def messages(locale: str) -> dict[str, Any]:"
    ),
    Equivalent(
        R + "reference_data.py",
        " / @cache",
        "",
        CACHE,
        "def currency_minor_units() -> Mapping[str, int]:",
    ),
    Equivalent(
        R + "reference_data.py", " / @cache", "", CACHE, "def country_codes() -> frozenset[str]:"
    ),
    Equivalent(
        R + "reference_data.py",
        " / @cache",
        "",
        CACHE,
        "def address_format_data() -> Mapping[str, Any]:",
    ),
    Equivalent(
        R + "reference_data.py", " / @cache", "", CACHE, "def carrier_data() -> Mapping[str, Any]:"
    ),
    Equivalent(
        R + "carriers.py",
        " / @cache",
        "",
        CACHE,
        "def tracking_url_templates() -> Mapping[str, str]:",
    ),
    Equivalent(
        R + "case.py",
        "working = case.model_copy(deep=True)",
        "working = case.model_copy(deep=False)",
        SHALLOW_COPY,
    ),
    Equivalent(
        R + "order_lifecycle.py",
        "working = order.model_copy(deep=True)",
        "working = order.model_copy(deep=False)",
        SHALLOW_COPY,
    ),
    Equivalent(
        R + "order.py",
        "late: datetime | None = getattr(self, later)",
        "late: datetime & None = getattr(self, later)",
        TYPING_ONLY,
    ),
    Equivalent(
        R + "order.py",
        "early: datetime | None = getattr(self, earlier)",
        "early: datetime & None = getattr(self, earlier)",
        TYPING_ONLY,
    ),
    *(
        Equivalent(
            R + "matrix.py", 'Offered = Literal["yes", "no", "conditional"]', after, TYPING_ONLY
        )
        for after in (
            'Offered = Literal["XXyesXX", "no", "conditional"]',
            'Offered = Literal["yes", "XXnoXX", "conditional"]',
            'Offered = Literal["yes", "no", "XXconditionalXX"]',
            "Offered = None",
        )
    ),
    # --- the machines' declarations --------------------------------------------------------------
    *(
        Equivalent(R + "case.py", before, before.replace(f'"{name}"', f'"XX{name}XX"'), STATE_NAME)
        for name, before in (
            ("Open", 'open = State("Open", initial=True, value=CaseStatus.OPEN)'),
            ("Pending", 'pending = State("Pending", value=CaseStatus.PENDING)'),
            ("Solved", 'solved = State("Solved", value=CaseStatus.SOLVED)'),
            ("Closed", 'closed = State("Closed", final=True, value=CaseStatus.CLOSED)'),
        )
    ),
    Equivalent(
        R + "case.py",
        'open = State("Open", initial=True, value=CaseStatus.OPEN)',
        'open = State("Open", initial=False, value=CaseStatus.OPEN)',
        FIRST_IS_INITIAL,
    ),
    Equivalent(
        R + "order_lifecycle.py",
        'created = State("Created", initial=True, value=OrderStatus.CREATED)',
        'created = State("Created", initial=False, value=OrderStatus.CREATED)',
        FIRST_IS_INITIAL,
    ),
    Equivalent(
        R + "order_lifecycle.py",
        "opens_at: Callable[[Order], datetime | None] | None = None",
        'opens_at: Callable[[Order], datetime | None] | None = ""',
        FALSY_DEFAULT,
    ),
    Equivalent(
        R + "order_lifecycle.py",
        "closes_at: Callable[[Order], datetime | None] | None = None",
        'closes_at: Callable[[Order], datetime | None] | None = ""',
        FALSY_DEFAULT,
    ),
    *(
        Equivalent(
            R + module, before, before.replace(f'"{name}"', f'"XX{name}XX"'), UNDRAWN_STATE_NAME
        )
        for module, name, before in (
            (
                "returns.py",
                "Requested",
                'requested = State("Requested", initial=True, value=ReturnStatus.REQUESTED)',
            ),
            ("returns.py", "Approved", 'approved = State("Approved", value=ReturnStatus.APPROVED)'),
            (
                "returns.py",
                "Rejected",
                'rejected = State("Rejected", final=True, value=ReturnStatus.REJECTED)',
            ),
            ("returns.py", "Received", 'received = State("Received", value=ReturnStatus.RECEIVED)'),
            (
                "returns.py",
                "Refunded",
                'refunded = State("Refunded", final=True, value=ReturnStatus.REFUNDED)',
            ),
            (
                "returns.py",
                "Replaced",
                'replaced = State("Replaced", final=True, value=ReturnStatus.REPLACED)',
            ),
            (
                "returns.py",
                "Expired",
                'expired = State("Expired", final=True, value=ReturnStatus.EXPIRED)',
            ),
            ("refunds.py", "Due", 'due = State("Due", initial=True, value=RefundStatus.DUE)'),
            (
                "refunds.py",
                "Issued",
                'issued = State("Issued", final=True, value=RefundStatus.ISSUED)',
            ),
            ("refunds.py", "Failed", 'failed = State("Failed", value=RefundStatus.FAILED)'),
        )
    ),
    Equivalent(
        R + "returns.py",
        'requested = State("Requested", initial=True, value=ReturnStatus.REQUESTED)',
        'requested = State("Requested", initial=False, value=ReturnStatus.REQUESTED)',
        FIRST_IS_INITIAL,
    ),
    Equivalent(
        R + "refunds.py",
        'due = State("Due", initial=True, value=RefundStatus.DUE)',
        'due = State("Due", initial=False, value=RefundStatus.DUE)',
        FIRST_IS_INITIAL,
    ),
    *(
        Equivalent(R + module, before, before.replace("deep=True", "deep=False"), SHALLOW_COPY)
        for module, before in (
            ("returns.py", "working = record.model_copy(deep=True)"),
            ("refunds.py", "working = refund.model_copy(deep=True)"),
            ("attachments.py", "working = attachment.model_copy(deep=True)"),
        )
    ),
    Equivalent(
        R + "returns.py",
        "machine = ReturnLifecycle(record.model_copy(deep=True))",
        "machine = ReturnLifecycle(record.model_copy(deep=False))",
        "asking which events are enabled changes nothing, so any copy will do",
    ),
    Equivalent(R + "order.py", "host = None", 'host = ""', FALSY_DEFAULT),
    Equivalent(
        R + "field_errors.py",
        "FieldError = dict[str, Any]",
        "FieldError = None",
        "an alias used only in annotations (`list[None]` is as valid there), never read at run "
        "time",
    ),
    # --- what the rules never reach --------------------------------------------------------------
    Equivalent(
        R + "text.py",
        '_VISIBLE_CATEGORIES = frozenset("LNPSM")',
        '_VISIBLE_CATEGORIES = frozenset("XXLNPSMXX")',
        "no Unicode general category starts with X, so an X among the visible ones matches none",
    ),
    Equivalent(
        R + "help.py",
        "if PROGRESSION.index(status) < first:",
        "if PROGRESSION.index(status) <= first:",
        "a state reason is only asked of a state that does not take the action, so never of "
        "`first`, the first state that does",
    ),
    Equivalent(
        R + "help.py",
        'date = format_date(when, locale) if when else ""',
        'date = format_date(when, locale) if when else "XXXX"',
        "a refusal without a date (not yet paid, not yet shipped) has no {date} in its text",
    ),
    Equivalent(
        R + "matrix.py",
        'rule = " ".join(translate(locale, "guards", name, **limits) for name in guards)',
        'rule = "XX XX".join(translate(locale, "guards", name, **limits) for name in guards)',
        "no help action has two guards in one state, so there is never a second rule to join",
    ),
    Equivalent(
        R + "matrix.py",
        "text.ljust(width) for text, width in zip(line, widths, strict=True)",
        "text.ljust(width) for text, width in zip(line, widths, strict=False)",
        "every row has as many cells as the header has columns",
    ),
    Equivalent(
        R + "carriers.py",
        'return template.replace("{tracking_number}", quote(tracking_number.strip(), safe=""))',
        'return template.replace("{tracking_number}", quote(tracking_number.strip(), safe="XXXX"))',
        "`safe` names characters quote leaves as they are, and it never encodes a letter anyway",
    ),
    Equivalent(
        R + "order.py",
        'return {"label": rule.label, "example": rule.example or ""}',
        'return {"label": rule.label, "example": rule.example or "XXXX"}',
        "only a country whose regions are required or coded is refused for its region, and the "
        "one there is (the US) has an example",
    ),
    Equivalent(
        R + "money.py",
        "exponent = Decimal(1).scaleb(-currency_minor_units()[currency])",
        "exponent = Decimal(2).scaleb(-currency_minor_units()[currency])",
        "quantize reads only the exponent of 0.01, and 0.02 has the same one",
    ),
)
