"""What the Lambda artefacts are built from: pyproject.toml's runtime dependencies, compiled by
`make lock` into functions/requirements.txt (a lock with hashes), which `sam build` installs into
the dependencies layer."""

import re
import tomllib
from importlib.metadata import requires
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
LOCK = ROOT / "functions" / "requirements.txt"
_PIN = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)==(?P<version>[^\s;\\]+)")
_HASH = re.compile(r"--hash=sha256:[0-9a-f]{64}")


def runtime_dependencies() -> dict[str, Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    return {canonicalize_name(r.name): r for r in map(Requirement, project["dependencies"])}


def read_lock(path: Path = LOCK) -> dict[str, str]:
    """name → pinned version, for every distribution of the lock."""
    pins = {}
    for line in path.read_text("utf-8").splitlines():
        if match := _PIN.match(line):
            pins[canonicalize_name(match["name"])] = match["version"]
    return pins


def lock_hashes(path: Path = LOCK) -> dict[str, int]:
    """name → how many file hashes the lock gives for it."""
    counts: dict[str, int] = {}
    name = None
    for line in path.read_text("utf-8").splitlines():
        if match := _PIN.match(line):
            name = canonicalize_name(match["name"])
            counts[name] = 0
        if name is not None:
            counts[name] += len(_HASH.findall(line))
    return counts


def installed_closure(requirements: dict[str, Requirement]) -> set[str]:
    """The distributions pip installs for `requirements`: them and what they require, as the
    installed metadata of this environment says."""
    found: set[str] = set()
    pending = list(requirements.values())
    while pending:
        requirement = pending.pop()
        name = canonicalize_name(requirement.name)
        if name in found:
            continue
        found.add(name)
        for text in requires(name) or []:
            needed = Requirement(text)
            extras = requirement.extras or {""}
            if needed.marker is None or any(needed.marker.evaluate({"extra": e}) for e in extras):
                pending.append(needed)
    return found
