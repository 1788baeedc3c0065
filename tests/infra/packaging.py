"""What the Lambda functions and the rules layer are built from: the requirements files that
`sam build` installs, read and compared with pyproject.toml."""

import tomllib
from importlib.metadata import requires
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
FUNCTION_REQUIREMENTS = ROOT / "functions" / "requirements.txt"
LAYER_REQUIREMENTS = ROOT / "statemachine" / "requirements.txt"


def runtime_dependencies() -> dict[str, Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    return {canonicalize_name(r.name): r for r in map(Requirement, project["dependencies"])}


def read_requirements(path: Path) -> dict[str, Requirement]:
    lines = (line.split("#", 1)[0].strip() for line in path.read_text("utf-8").splitlines())
    return {canonicalize_name(r.name): r for r in map(Requirement, filter(None, lines))}


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
