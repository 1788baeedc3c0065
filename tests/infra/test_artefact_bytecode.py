"""The build check refuses an artefact whose modules Lambda would have to compile on every cold
start: no bytecode, bytecode of another mode or Python, or bytecode of other source."""

import compileall
import py_compile
import subprocess
import sys
from pathlib import Path

from tests.lambda_process.artefacts import missing_bytecode

MODULES = {"pkg/__init__.py": "", "pkg/rules.py": "LIMIT = 30\n", "top.py": "import pkg\n"}


def _artefact(root: Path) -> Path:
    for name, text in MODULES.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, "utf-8")
    return root


def _compile(root: Path, mode: py_compile.PycInvalidationMode) -> None:
    assert compileall.compile_dir(root, quiet=1, force=True, invalidation_mode=mode)


def test_an_artefact_without_bytecode_is_refused(tmp_path: Path) -> None:
    problems = missing_bytecode(_artefact(tmp_path))
    assert problems == [f"{name}: no bytecode" for name in sorted(MODULES)]


def test_bytecode_in_unchecked_hash_mode_passes(tmp_path: Path) -> None:
    root = _artefact(tmp_path)
    _compile(root, py_compile.PycInvalidationMode.UNCHECKED_HASH)
    assert missing_bytecode(root) == []


def test_timestamped_or_checked_bytecode_is_refused(tmp_path: Path) -> None:
    # Timestamp bytecode makes every import stat its source; checked-hash re-reads and hashes it.
    root = _artefact(tmp_path)
    _compile(root, py_compile.PycInvalidationMode.TIMESTAMP)
    assert all("not in unchecked-hash mode" in p for p in missing_bytecode(root))
    _compile(root, py_compile.PycInvalidationMode.CHECKED_HASH)
    assert len(missing_bytecode(root)) == len(MODULES)


def test_one_module_without_bytecode_is_named(tmp_path: Path) -> None:
    root = _artefact(tmp_path)
    _compile(root, py_compile.PycInvalidationMode.UNCHECKED_HASH)
    (root / "pkg" / "later.py").write_text("ADDED = True\n", "utf-8")
    assert missing_bytecode(root) == ["pkg/later.py: no bytecode"]


def test_bytecode_of_other_source_is_refused(tmp_path: Path) -> None:
    # Unchecked bytecode is trusted blindly at run time, so the check compares the source hash.
    root = _artefact(tmp_path)
    _compile(root, py_compile.PycInvalidationMode.UNCHECKED_HASH)
    (root / "pkg" / "rules.py").write_text("LIMIT = 60\n", "utf-8")
    assert missing_bytecode(root) == ["pkg/rules.py: bytecode compiled from other source"]


def test_the_check_fails_the_build_on_such_an_artefact(tmp_path: Path) -> None:
    # `make build` runs the check as a program: a module without bytecode must fail it.
    build = tmp_path / "build"
    code = _artefact(build / "Fn")
    (build / "template.yaml").write_text(
        "Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n"
        "    Properties: {Handler: top.handler, CodeUri: Fn}\n",
        "utf-8",
    )
    completed = subprocess.run(
        [sys.executable, "-m", "tests.infra.check_build", str(build)],
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 1
    assert "top.py: no bytecode" in completed.stderr
    assert code.exists()
