"""mutmut's hooks for `make mutation` (copied into .mutation/ as mutmut_config.py, where mutmut
looks for it).

A field's `description="…"` is documentation: it reaches the OpenAPI document (whose drift test is
a handler test) and nothing the rules decide. mutmut already leaves docstrings alone for that
reason; mutants that change a description (or one of the strings it is written in), or drop a
`Field(default=None, description=…)` for a plain `None`, are skipped likewise, and the report
counts them apart. Both are told by comparing the syntax trees with the descriptions taken out.

Each mutant runs the unit test files that can reach its file: those importing it, or a rules
module that imports it, directly or through the tests' helpers (`tests/builders.py`,
`tests/unit/returns_builders.py`, ...); a file that imports the Lambda code or the developer
tooling runs for every mutant, as they import the rules widely. A mutant only an unrelated test
could notice would count as surviving: the selection can lower a score, never raise it. It is
what makes a survivor cost its own tests instead of the whole suite's."""

import ast
import shlex
from functools import cache
from pathlib import Path
from typing import Any

RULES = Path("statemachine/lifecycle")
UNIT_TESTS = Path("tests/unit")
WIDE = ("orderhelp", "orderhelp_dev", "functions", "devtools")
"""Packages that import the rules throughout: a test importing them may reach any rules file."""


class _WithoutDescriptions(ast.NodeTransformer):
    """Every `Field(…)` without its `description`; one left with only a default is that default."""

    def visit_Call(self, node: ast.Call) -> ast.AST:
        self.generic_visit(node)
        if not (isinstance(node.func, ast.Name) and node.func.id == "Field"):
            return node
        node.keywords = [k for k in node.keywords if k.arg != "description"]
        if not node.args and [k.arg for k in node.keywords] == ["default"]:
            return node.keywords[0].value
        return node


def _without_descriptions(source: str) -> str:
    return ast.dump(_WithoutDescriptions().visit(ast.parse(source)))


def documentation_only(context: Any) -> bool:
    # Imported here: mutmut imports this module while it is itself being imported.
    from mutmut import Context, mutate

    original: str = context.source
    mutated, _ = mutate(Context(filename=context.filename, mutation_id=context.mutation_id))
    if mutated == original:
        return False
    try:
        return _without_descriptions(mutated) == _without_descriptions(original)
    except SyntaxError:
        return False


def _imports(path: Path) -> set[str]:
    """The dotted modules `path` imports (`from lifecycle import order` gives lifecycle.order)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def _source_of(module: str) -> Path | None:
    parts = module.split(".")
    if parts[0] == "lifecycle":
        candidate = RULES.joinpath(*parts[1:]).with_suffix(".py")
    elif parts[0] == "tests":
        candidate = Path(*parts).with_suffix(".py")
    else:
        return None
    return candidate if candidate.is_file() else None


@cache
def _reach(path: Path) -> frozenset[str]:
    """The rules modules (file stems) `path` reaches through imports; `*` when it imports the
    Lambda code or the tooling."""
    reached: set[str] = set()
    for module in _imports(path):
        if module.split(".")[0] in WIDE:
            return frozenset({"*"})
        source = _source_of(module)
        if source is None or source == path:
            continue
        if source.is_relative_to(RULES):
            reached.add(source.stem)
        reached |= _reach(source)
    return frozenset(reached)


@cache
def _test_files_reaching(stem: str) -> tuple[str, ...]:
    everyone = _reach(UNIT_TESTS / "conftest.py")
    return tuple(
        str(test)
        for test in sorted(UNIT_TESTS.glob("test_*.py"))
        if {stem, "*"} & (_reach(test) | everyone)
    )


def _select_tests(context: Any) -> None:
    stem = Path(context.filename).stem
    selected = _test_files_reaching(stem)
    command = shlex.split(context.config.test_command)
    if selected and str(UNIT_TESTS) in command:
        at = command.index(str(UNIT_TESTS))
        command[at : at + 1] = selected
        context.config.test_command = shlex.join(command)


def pre_mutation(context: Any) -> None:
    if documentation_only(context):
        context.skip = True
        return
    # (mutmut puts the command back after each mutant)
    _select_tests(context)
