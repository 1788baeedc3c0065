"""The artefacts `sam build` made, read from its built template, and run as Lambda lays them out:
the function's code at /var/task first on sys.path, then its layers merged into /opt/python.

Used by `make build` (tests/infra/check_build.py) and `make bench` (cold init from the artefact,
with and without its bytecode)."""

import importlib.util
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib.metadata import distribution
from pathlib import Path

from orderhelp_dev.local.template import load_template

BUILD_DIR = Path(__file__).resolve().parents[2] / ".aws-sam" / "build"
BYTECODE_TAG = "cpython-311"
"""The runtime's Python: bytecode is only valid for the minor version that wrote it."""
MAGIC_311 = (3495).to_bytes(2, "little") + b"\r\n"
"""importlib.util.MAGIC_NUMBER of CPython 3.11, whatever Python runs this check."""
UNCHECKED_HASH = 0b01
"""The pyc flags of `--invalidation-mode unchecked-hash` (PEP 552): hash-based, never checked."""


@dataclass(frozen=True)
class Artefact:
    function: str
    handler: str
    code: Path
    layers: tuple[Path, ...]
    """Each layer's `python/` folder, in the function's order."""


def built_artefacts(build_dir: Path = BUILD_DIR) -> list[Artefact]:
    template = load_template(build_dir / "template.yaml")
    resources = template["Resources"]
    globals_ = template.get("Globals", {}).get("Function", {})
    found = []
    for logical_id, resource in resources.items():
        if resource["Type"] != "AWS::Serverless::Function":
            continue
        props = resource["Properties"]
        layers = tuple(
            build_dir / resources[layer["Ref"]]["Properties"]["ContentUri"] / "python"
            for layer in props.get("Layers", globals_.get("Layers", []))
        )
        code = build_dir / props.get("CodeUri", globals_.get("CodeUri"))
        found.append(Artefact(logical_id, props["Handler"], code, layers))
    return found


def missing_bytecode(root: Path) -> list[str]:
    """Every module under `root` without the bytecode Lambda would load: no .pyc beside it, a
    .pyc for another Python or in another invalidation mode, or one compiled from other source."""
    problems = []
    for source in sorted(root.rglob("*.py")):
        cached = source.parent / "__pycache__" / f"{source.stem}.{BYTECODE_TAG}.pyc"
        where = source.relative_to(root)
        if not cached.is_file():
            problems.append(f"{where}: no bytecode")
            continue
        header = cached.read_bytes()[:16]
        flags = int.from_bytes(header[4:8], "little")
        if header[:4] != MAGIC_311:
            problems.append(f"{where}: bytecode is not CPython 3.11's")
        elif flags != UNCHECKED_HASH:
            problems.append(f"{where}: bytecode is not in unchecked-hash mode (flags {flags:#04b})")
        elif header[8:16] != importlib.util.source_hash(source.read_bytes()):
            problems.append(f"{where}: bytecode compiled from other source")
    return problems


def _has_foreign_extension(entry: Path) -> bool:
    """A package with compiled extensions for another machine (the build is for arm64)."""
    if entry.name.endswith((".dist-info", ".data")):
        return False
    if entry.name.endswith(".libs"):
        # auditwheel's vendored shared libraries (`pillow.libs/libtiff-f4bc73ff.so.6.2.0`): each
        # build's extensions link their own by hashed name, and the names say no machine.
        return True
    machine = os.uname().machine
    files = [entry] if entry.is_file() else entry.rglob("*.so")
    return any(f.suffix == ".so" and machine not in f.name for f in files)


def _top_level_name(name: str) -> str:
    """A top-level extension module by its module name (`_pillow_heif.cpython-311-aarch64-linux-
    gnu.so` → `_pillow_heif`): each machine's build names the file after its own platform."""
    return name.split(".", 1)[0] if name.endswith(".so") else name


def _host_build(entry: Path, version_of: dict[str, str]) -> Path:
    """This machine's build of the package (or top-level extension module) `entry`, at the
    artefact's version."""
    wanted = _top_level_name(entry.name)
    for name, version in version_of.items():
        dist = distribution(name)
        tops = {Path(str(f)).parts[0]: f for f in dist.files or []}
        found = next((top for top in tops if _top_level_name(top) == wanted), None)
        if found is not None:
            if dist.version != version:
                raise SystemExit(
                    f"{entry.name}: the artefact has {name} {version}, .venv {dist.version}; "
                    "run `make venv` (it installs the lock's versions)"
                )
            return Path(str(dist.locate_file(found)))
    raise SystemExit(f"{entry.name} has compiled extensions for another machine and no build here")


def _versions(directories: list[Path]) -> dict[str, str]:
    found = {}
    for directory in directories:
        for info in directory.glob("*.dist-info"):
            name, _, version = info.name.removesuffix(".dist-info").rpartition("-")
            found[name] = version
    return found


@contextmanager
def lambda_paths(
    artefact: Artefact, *, bytecode: bool = True
) -> Iterator[tuple[list[str], list[str]]]:
    """(sys.path entries, notes): /var/task and /opt/python as Lambda makes them, as links into
    the artefact. Packages with arm64 extensions cannot load here, so those alone are this
    machine's build at the same version. `bytecode=False`: copies without any bytecode, i.e. what
    Lambda would run from an artefact that had none."""
    notes: list[str] = []
    versions = _versions([artefact.code, *artefact.layers])
    with tempfile.TemporaryDirectory(prefix="artefact-") as scratch:
        task, opt = Path(scratch) / "task", Path(scratch) / "opt"
        for target, sources in ((task, [artefact.code]), (opt, list(artefact.layers))):
            target.mkdir()
            for directory in sources:
                for entry in sorted(directory.iterdir()):
                    if entry.name == "__pycache__" and not bytecode:
                        continue
                    if (target / entry.name).exists():
                        raise SystemExit(f"{entry.name} is in two layers of {artefact.function}")
                    source = entry
                    if _has_foreign_extension(entry):
                        source = _host_build(entry, versions)
                        notes.append(f"{entry.name}: arm64 extension, this machine's build used")
                    # (a top-level extension module keeps the host build's name: the importer
                    # loads only its own platform's file names)
                    placed = target / (source.name if source.is_file() else entry.name)
                    if bytecode:
                        placed.symlink_to(source.resolve())
                    elif source.is_dir():
                        shutil.copytree(
                            source, placed, ignore=shutil.ignore_patterns("__pycache__")
                        )
                    else:
                        shutil.copy2(source, placed)
        yield [str(task), str(opt)], notes


def snapshot(artefact: Artefact) -> dict[str, tuple[int, int]]:
    """path → (size, mtime) of every file of the artefact, to show that running it wrote nothing."""
    found = {}
    for directory in [artefact.code, *artefact.layers]:
        for path in directory.rglob("*"):
            if path.is_file():
                stat = path.stat()
                found[str(path)] = (stat.st_size, stat.st_mtime_ns)
    return found
