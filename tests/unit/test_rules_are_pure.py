"""The rules stay pure: nothing under statemachine/ reaches for the AWS side, and nothing there
can shadow the python-statemachine library."""

import ast
import subprocess
import sys
from pathlib import Path

RULES = Path(__file__).resolve().parents[2] / "statemachine"
FORBIDDEN = ("boto3", "botocore", "aws_lambda_powertools", "aws_xray_sdk", "orderhelp", "moto")


def imported_modules(source: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(source.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_no_rules_module_imports_the_aws_side() -> None:
    sources = list(RULES.rglob("*.py"))
    assert sources
    for source in sources:
        for name in imported_modules(source):
            assert name.split(".")[0] not in FORBIDDEN, (
                f"{source.relative_to(RULES)} imports {name}"
            )


def test_loading_every_rules_module_loads_no_aws_module() -> None:
    modules = sorted(
        f"lifecycle.{p.stem}" for p in (RULES / "lifecycle").glob("*.py") if p.stem != "__init__"
    )
    probe = (
        f"import importlib, sys\nfor m in {modules!r}: importlib.import_module(m)\n"
        f"print(sorted(n for n in sys.modules if n.split('.')[0] in {FORBIDDEN!r}))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert loaded.stdout.strip() == "[]"


def test_statemachine_is_a_source_root_not_a_package() -> None:
    assert not (RULES / "__init__.py").exists()
    import statemachine

    assert Path(statemachine.__file__).parent != RULES
    assert hasattr(statemachine, "StateMachine")
