"""The score per rules file, read from mutmut's cache (SQLite, mutmut 2's schema).

Each file's score is killed / (mutants - those listed as equivalent in equivalents.py): a mutant
that changes no behaviour cannot be killed by any test, so it is listed with its reason instead.
The raw score (killed / mutants) is printed beside it."""

import difflib
import sqlite3
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from mutmut import Context, RelativeMutationID, mutate

from tests.mutation.equivalents import EQUIVALENTS, Equivalent

KILLED = ("ok_killed", "ok_suspicious", "bad_timeout")
"""A test failed (or the suite hung and was stopped): the mutant was noticed."""
SURVIVED = "bad_survived"
SKIPPED = "skipped"
"""Documentation only (see mutmut_config.py): not counted."""


@dataclass(frozen=True)
class Survivor:
    mutant_id: int
    line_number: int
    before: str
    after: str
    following: str
    """The next non-blank source line, which names what a decorator decorates."""
    equivalent: Equivalent | None


@dataclass
class FileScore:
    path: str
    statuses: Counter[str] = field(default_factory=Counter)
    survivors: list[Survivor] = field(default_factory=list)

    @property
    def total(self) -> int:
        """The mutants that count: every one but those skipped as documentation."""
        return sum(self.statuses.values()) - self.skipped

    @property
    def skipped(self) -> int:
        return self.statuses[SKIPPED]

    @property
    def killed(self) -> int:
        return sum(self.statuses[status] for status in KILLED)

    @property
    def equivalent(self) -> int:
        return sum(1 for survivor in self.survivors if survivor.equivalent)

    @property
    def untested(self) -> int:
        return self.total - self.killed - self.statuses[SURVIVED]

    @property
    def raw_percent(self) -> float:
        return 100.0 * self.killed / self.total if self.total else 100.0

    @property
    def percent(self) -> float:
        """Killed over the mutants a test could kill; a file without any has nothing to miss."""
        killable = self.total - self.equivalent
        return 100.0 * self.killed / killable if killable else 100.0


def what_changed(source: Path, line: str, index: int, line_number: int) -> tuple[str, str]:
    """The mutated line(s) before and after, as mutmut writes this mutant."""
    name = str(source)
    mutant = RelativeMutationID(line=line, index=index, line_number=line_number, filename=name)
    original = source.read_text("utf-8").split("\n")
    mutated, _ = mutate(Context(filename=name, mutation_id=mutant))
    before, after = [], []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(
        a=original, b=mutated.split("\n"), autojunk=False
    ).get_opcodes():
        if tag != "equal":
            before += [text.strip() for text in original[i1:i2]]
            after += [text.strip() for text in mutated.split("\n")[j1:j2]]
    return " / ".join(before), " / ".join(after)


def following_line(source: Path, line_number: int) -> str:
    rest = source.read_text("utf-8").split("\n")[line_number + 1 :]
    return next((text.strip() for text in rest if text.strip()), "")


def listed_as_equivalent(path: str, before: str, after: str, following: str) -> Equivalent | None:
    return next(
        (
            known
            for known in EQUIVALENTS
            if (known.path, known.before, known.after) == (path, before, after)
            and known.following in ("", following)
        ),
        None,
    )


def read_scores(cache: Path, root: Path) -> list[FileScore]:
    """One score per mutated file, in path order; paths relative to where mutmut ran."""
    if not cache.exists():
        raise SystemExit(f"no mutation results yet ({cache}): run `make mutation`")
    query = """
        SELECT SourceFile.filename, Mutant.id, Mutant.status, Line.line_number, Line.line,
               Mutant."index"
        FROM Mutant
        JOIN Line ON Mutant.line = Line.id
        JOIN SourceFile ON Line.sourcefile = SourceFile.id
        ORDER BY SourceFile.filename, Line.line_number, Mutant."index"
    """
    scores: dict[str, FileScore] = {}
    with sqlite3.connect(cache) as db:
        rows = list(db.execute(query))
    for filename, mutant_id, status, line_number, line, index in rows:
        source = root / filename
        path = str(source.relative_to(root))
        score = scores.setdefault(path, FileScore(path))
        score.statuses[status] += 1
        if status == SURVIVED:
            before, after = what_changed(source, line, index, line_number)
            following = following_line(source, line_number)
            equivalent = listed_as_equivalent(path, before, after, following)
            score.survivors.append(
                Survivor(mutant_id, line_number + 1, before, after, following, equivalent)
            )
    return sorted(scores.values(), key=lambda score: score.path)


def print_report(scores: list[FileScore]) -> None:
    print("\nSurviving mutants (`cd .mutation && ../.venv/bin/mutmut show ID` shows one):")
    for score in scores:
        for survivor in score.survivors:
            where = f"{score.path}:{survivor.line_number}"
            said = f"  [equivalent: {survivor.equivalent.why}]" if survivor.equivalent else ""
            print(f"  {survivor.mutant_id:>5}  {where}  {survivor.before!r} → {survivor.after!r}")
            if said:
                print(f"         {said}")
    matched = {s.equivalent for score in scores for s in score.survivors if s.equivalent}
    if stale := [known for known in EQUIVALENTS if known not in matched]:
        print("\nListed as equivalent but no longer surviving (killed, or the code changed):")
        for known in stale:
            print(f"  {known.path}  {known.before!r} → {known.after!r}")
    width = max([len("all rules files"), *(len(score.path) for score in scores)])
    print(
        f"\n{'file':<{width}}  killed / total  equivalent  score %  raw %  untested  docs skipped"
    )
    for score in scores:
        print(
            f"{score.path:<{width}}  {score.killed:>6} / {score.total:<5} {score.equivalent:>10}"
            f"  {score.percent:>7.1f}  {score.raw_percent:>5.1f}  {score.untested:>8}"
            f"  {score.skipped:>12}"
        )
    killed = sum(score.killed for score in scores)
    total = sum(score.total for score in scores)
    equivalent = sum(score.equivalent for score in scores)
    killable = total - equivalent
    print(
        f"{'all rules files':<{width}}  {killed:>6} / {total:<5} {equivalent:>10}"
        f"  {100.0 * killed / killable if killable else 100.0:>7.1f}"
        f"  {100.0 * killed / total if total else 100.0:>5.1f}"
    )
