"""What `sam build` installs for the Lambda functions and the rules layer stays in step with
pyproject.toml, and covers what the deployed code imports (nothing dev- or local-only)."""

import ast
import json
import subprocess
import sys
from collections.abc import Iterator
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.infra.packaging import (
    FUNCTION_REQUIREMENTS,
    LAYER_REQUIREMENTS,
    ROOT,
    installed_closure,
    read_requirements,
    runtime_dependencies,
)

FIRST_PARTY = {"lifecycle", "orderhelp"}
HANDLER_MODULES = ("orderhelp.handlers.customer_api", "orderhelp.handlers.ops_api")
DEV_OR_LOCAL_ONLY = ("orderhelp_dev", "yaml", "moto", "jwt", "mypy_boto3")


def same(a: Requirement, b: Requirement) -> bool:
    return (canonicalize_name(a.name), a.extras, a.specifier, a.marker) == (
        canonicalize_name(b.name),
        b.extras,
        b.specifier,
        b.marker,
    )


@pytest.mark.parametrize(
    "path", [FUNCTION_REQUIREMENTS, LAYER_REQUIREMENTS], ids=lambda p: p.parent.name
)
def test_each_lambda_requirement_is_pinned_as_in_pyproject(path: Path) -> None:
    pinned = runtime_dependencies()
    for name, requirement in read_requirements(path).items():
        assert name in pinned, f"{path.name}: {name} is not a runtime dependency in pyproject.toml"
        assert same(requirement, pinned[name]), (
            f"{path.parent.name}/{path.name} has '{requirement}', pyproject.toml '{pinned[name]}'"
        )


def test_every_runtime_dependency_is_deployed() -> None:
    deployed = read_requirements(FUNCTION_REQUIREMENTS) | read_requirements(LAYER_REQUIREMENTS)
    missing = set(runtime_dependencies()) - set(deployed)
    assert not missing, f"not in functions/ or statemachine/ requirements.txt: {sorted(missing)}"


def _runtime_imports(tree: ast.Module) -> Iterator[str]:
    """Top-level names a module imports when it runs (not those under `if TYPE_CHECKING:`)."""

    def walk(nodes: list[ast.stmt]) -> Iterator[str]:
        for node in nodes:
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
                yield from walk(node.orelse)
                continue
            if isinstance(node, ast.Import):
                yield from (alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                yield node.module.split(".")[0]
            for child in ast.iter_child_nodes(node):
                if isinstance(child, ast.stmt):
                    yield from walk([child])

    yield from walk(tree.body)


def third_party_distributions(package_dir: Path, exclude: tuple[str, ...] = ()) -> set[str]:
    by_module = packages_distributions()
    found = set()
    for source in package_dir.rglob("*.py"):
        relative = source.relative_to(package_dir.parent).with_suffix("").as_posix()
        if relative.replace("/", ".").startswith(exclude):
            continue
        for module in _runtime_imports(ast.parse(source.read_text("utf-8"))):
            if module in sys.stdlib_module_names or module in FIRST_PARTY:
                continue
            assert module in by_module, f"{source}: '{module}' belongs to no installed distribution"
            found |= {canonicalize_name(name) for name in by_module[module]}
    return found


def test_the_layer_brings_what_the_rules_import() -> None:
    needed = third_party_distributions(ROOT / "statemachine" / "lifecycle")
    missing = needed - installed_closure(read_requirements(LAYER_REQUIREMENTS))
    assert not missing, f"lifecycle imports {sorted(missing)}; add them to {LAYER_REQUIREMENTS}"


def test_the_functions_bring_what_their_code_imports() -> None:
    needed = third_party_distributions(ROOT / "functions" / "orderhelp")
    deployed = installed_closure(
        read_requirements(FUNCTION_REQUIREMENTS) | read_requirements(LAYER_REQUIREMENTS)
    )
    missing = needed - deployed
    assert not missing, f"orderhelp imports {sorted(missing)}; add them to {FUNCTION_REQUIREMENTS}"


@pytest.mark.parametrize("handler", HANDLER_MODULES)
def test_a_handler_imports_nothing_dev_or_local_only(handler: str) -> None:
    # A fresh interpreter: what importing the handler pulls in, as a cold Lambda would.
    script = f"import sys, json, {handler}; print(json.dumps(sorted(sys.modules)))"
    loaded = json.loads(
        subprocess.run(
            [sys.executable, "-c", script], check=True, capture_output=True, text=True
        ).stdout
    )
    unwanted = [m for m in loaded if m.startswith(DEV_OR_LOCAL_ONLY)]
    assert not unwanted, f"{handler} imports {unwanted} at import time"
