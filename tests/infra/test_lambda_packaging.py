"""What `sam build` installs for the Lambda functions stays in step with pyproject.toml (the lock
pins exactly its runtime dependencies and theirs, with hashes), every function and layer is built
by its Makefile (precompiled), and the deployed code imports nothing dev- or local-only."""

import ast
import json
import subprocess
import sys
from collections.abc import Iterator
from importlib.metadata import packages_distributions, version
from pathlib import Path

import pytest
from packaging.utils import canonicalize_name

from orderhelp_dev.local.template import functions, resources
from tests.infra.packaging import (
    LOCK,
    ROOT,
    installed_closure,
    lock_hashes,
    read_lock,
    runtime_dependencies,
)

FIRST_PARTY = {"lifecycle", "orderhelp"}
DEV_OR_LOCAL_ONLY = ("orderhelp_dev", "yaml", "moto", "jwt", "mypy_boto3")
REMAKE = "run `make lock` (and commit functions/requirements.txt)"


def test_the_lock_pins_every_runtime_dependency_within_its_range() -> None:
    pins = read_lock()
    for name, requirement in runtime_dependencies().items():
        assert name in pins, f"{name} is a runtime dependency but not in the lock: {REMAKE}"
        assert requirement.specifier.contains(pins[name], prereleases=True), (
            f"the lock pins {name}=={pins[name]}, pyproject.toml wants '{requirement}': {REMAKE}"
        )


def test_the_lock_holds_the_runtime_dependencies_and_theirs_only() -> None:
    needed = installed_closure(runtime_dependencies())
    pinned = set(read_lock())
    assert not needed - pinned, f"not in the lock: {sorted(needed - pinned)}: {REMAKE}"
    assert not pinned - needed, f"no longer needed: {sorted(pinned - needed)}: {REMAKE}"


def test_every_pin_of_the_lock_is_checked_by_hash() -> None:
    unhashed = [name for name, count in lock_hashes().items() if count == 0]
    assert read_lock() and not unhashed, f"{LOCK.name}: pins without hashes: {unhashed}"


def test_the_development_environment_runs_the_locked_versions() -> None:
    # The tests, the local stack and the benchmarks run what deploys (`make venv` installs the
    # lock's versions); the build check borrows this environment's arm64-less extensions.
    differ = {
        name: (pinned, version(name))
        for name, pinned in read_lock().items()
        if version(name) != pinned
    }
    assert not differ, f"(lock, .venv) versions differ: {differ}; run `make venv`"


def test_every_function_and_layer_is_built_by_its_makefile() -> None:
    built = resources("AWS::Serverless::Function") | resources("AWS::Serverless::LayerVersion")
    for logical_id, resource in built.items():
        method = resource.get("Metadata", {}).get("BuildMethod")
        assert method == "makefile", (
            f"{logical_id}: add `Metadata: BuildMethod: makefile` (functions/Makefile builds "
            f"every function precompiled), not {method!r}"
        )
    makefile = (ROOT / "functions" / "Makefile").read_text("utf-8")
    assert "\nbuild-%:" in makefile and "\nbuild-DependenciesLayer:" in makefile
    assert "\nbuild-RulesLayer:" in (ROOT / "statemachine" / "Makefile").read_text("utf-8")


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


@pytest.mark.parametrize("source_root", ["statemachine/lifecycle", "functions/orderhelp"])
def test_the_dependencies_layer_brings_what_the_code_imports(source_root: str) -> None:
    needed = third_party_distributions(ROOT / source_root)
    missing = needed - set(read_lock())
    assert not missing, (
        f"{source_root} imports {sorted(missing)}: add them to pyproject.toml's dependencies, "
        f"then {REMAKE}"
    )


@pytest.mark.parametrize(
    "handler", sorted({spec.handler.rpartition(".")[0] for spec in functions().values()})
)
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
