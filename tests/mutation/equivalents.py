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
CACHE = "a cache of files read at import: it saves time, and the answer is the same without it"
TYPING_ONLY = "a type annotation for mypy; Python never reads it at run time"
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
)
