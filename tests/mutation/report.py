"""The score per rules file, read from mutmut's cache (SQLite, mutmut 2's schema)."""

import sqlite3
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

KILLED = ("ok_killed", "ok_suspicious", "bad_timeout")
"""A test failed (or the suite hung and was stopped): the mutant was noticed."""
SURVIVED = "bad_survived"


@dataclass(frozen=True)
class Survivor:
    mutant_id: int
    line_number: int
    line: str


@dataclass
class FileScore:
    path: str
    statuses: Counter[str] = field(default_factory=Counter)
    survivors: list[Survivor] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.statuses.values())

    @property
    def killed(self) -> int:
        return sum(self.statuses[status] for status in KILLED)

    @property
    def untested(self) -> int:
        return self.total - self.killed - self.statuses[SURVIVED]

    @property
    def percent(self) -> float:
        """Killed over all mutants; a file without mutants has nothing to miss."""
        return 100.0 * self.killed / self.total if self.total else 100.0


def read_scores(cache: Path, root: Path) -> list[FileScore]:
    """One score per mutated file, in path order; paths relative to where mutmut ran."""
    if not cache.exists():
        raise SystemExit(f"no mutation results yet ({cache}): run `make mutation`")
    query = """
        SELECT SourceFile.filename, Mutant.id, Mutant.status, Line.line_number, Line.line
        FROM Mutant
        JOIN Line ON Mutant.line = Line.id
        JOIN SourceFile ON Line.sourcefile = SourceFile.id
        ORDER BY SourceFile.filename, Line.line_number, Mutant."index"
    """
    scores: dict[str, FileScore] = {}
    with sqlite3.connect(cache) as db:
        for filename, mutant_id, status, line_number, line in db.execute(query):
            path = Path(filename)
            if path.is_absolute():
                path = path.relative_to(root)
            score = scores.setdefault(str(path), FileScore(str(path)))
            score.statuses[status] += 1
            if status == SURVIVED:
                score.survivors.append(Survivor(mutant_id, line_number + 1, line.strip()))
    return sorted(scores.values(), key=lambda score: score.path)


def print_report(scores: list[FileScore]) -> None:
    print("\nSurvivors (`cd .mutation && ../.venv/bin/mutmut show ID` shows one):")
    for score in scores:
        for survivor in score.survivors:
            where = f"{score.path}:{survivor.line_number}"
            print(f"  {survivor.mutant_id:>5}  {where}  {survivor.line}")
    width = max((len(score.path) for score in scores), default=4)
    print(f"\n{'file':<{width}}  killed / total      %  untested")
    for score in scores:
        print(
            f"{score.path:<{width}}  {score.killed:>6} / {score.total:<5} "
            f"{score.percent:>6.1f}  {score.untested:>8}"
        )
    killed = sum(score.killed for score in scores)
    total = sum(score.total for score in scores)
    overall = 100.0 * killed / total if total else 100.0
    print(f"{'all rules files':<{width}}  {killed:>6} / {total:<5} {overall:>6.1f}")
