"""After `sam build`: do the built artefacts hold what the handlers import, and nothing more is
needed? Run as `python -m tests.infra.check_build .aws-sam/build` (`make build` does).

1. Each function's code and its layer carry the distributions of functions/requirements.txt and
   statemachine/requirements.txt (with what those require), the handler modules and the rules
   with their data files.
2. Each function then serves its routes from the artefacts alone: a fresh `python -I -S` (no
   site-packages) whose only third-party path is the function's code followed by its layer, as on
   Lambda, against moto's DynamoDB. The build is for arm64; compiled extensions (pydantic-core,
   wrapt) cannot load here, so only those packages are taken from this machine's environment,
   at the version the artefact holds."""

import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib.metadata import distribution
from pathlib import Path
from typing import Any

from packaging.utils import canonicalize_name

from orderhelp_dev.local.template import load_template
from tests.handlers.client import START, Identity, api_event
from tests.infra.packaging import (
    FUNCTION_REQUIREMENTS,
    LAYER_REQUIREMENTS,
    installed_closure,
    read_requirements,
)
from tests.lambda_process import (
    FIRST_CLIENT,
    ChildFailed,
    dynamodb_server,
    lambda_environment,
    run_child,
)

SKIPPED_ENTRIES = ("__pycache__", "requirements.txt", "bin")
RULES_DATA = ("lifecycle/locales/es.json", "lifecycle/locales/en.json", "lifecycle/data")


@dataclass
class Artefact:
    function: str
    handler: str
    code: Path
    layers: list[Path]


def artefacts(build_dir: Path) -> list[Artefact]:
    template = load_template(build_dir / "template.yaml")
    resources = template["Resources"]
    globals_ = template.get("Globals", {}).get("Function", {})
    found = []
    for logical_id, resource in resources.items():
        if resource["Type"] != "AWS::Serverless::Function":
            continue
        props = resource["Properties"]
        layers = [
            build_dir / resources[layer["Ref"]]["Properties"]["ContentUri"] / "python"
            for layer in props.get("Layers", globals_.get("Layers", []))
        ]
        found.append(Artefact(logical_id, props["Handler"], build_dir / props["CodeUri"], layers))
    return found


def dist_infos(directory: Path) -> dict[str, str]:
    """name → version of the distributions installed in `directory`."""
    found = {}
    for info in directory.glob("*.dist-info"):
        name, _, version = info.name.removesuffix(".dist-info").rpartition("-")
        found[canonicalize_name(name)] = version
    return found


def _has_foreign_extension(entry: Path) -> bool:
    if entry.name.endswith((".dist-info", ".data")):
        return False
    machine = os.uname().machine
    files = [entry] if entry.is_file() else entry.rglob("*.so")
    return any(f.suffix == ".so" and machine not in f.name for f in files)


@contextmanager
def runnable_here(artefact: Artefact) -> Iterator[tuple[Path, list[str]]]:
    """A directory of links to the artefact's top-level packages (code first, then layers, as on
    Lambda's sys.path); packages with arm64 extensions link to this machine's build instead."""
    notes = []
    host_site = Path(distribution("pydantic-core").locate_file(""))
    with tempfile.TemporaryDirectory(prefix="artefact-") as scratch:
        root = Path(scratch)
        for directory in [artefact.code, *artefact.layers]:
            for entry in directory.iterdir():
                if entry.name in SKIPPED_ENTRIES or (root / entry.name).exists():
                    continue
                target = entry.resolve()
                if _has_foreign_extension(entry):
                    target = host_site / entry.name
                    notes.append(f"{entry.name}: arm64 extension, this machine's build used")
                    if not target.exists():
                        raise SystemExit(f"{entry.name} has no build for this machine")
                (root / entry.name).symlink_to(target)
        yield root, notes


def check_contents(artefact: Artefact) -> list[str]:
    problems = []
    deployed = dist_infos(artefact.code)
    for layer in artefact.layers:
        deployed |= dist_infos(layer)
    needed = installed_closure(
        read_requirements(FUNCTION_REQUIREMENTS) | read_requirements(LAYER_REQUIREMENTS)
    )
    problems += [f"missing distribution {name}" for name in sorted(needed - set(deployed))]
    module = artefact.handler.rpartition(".")[0].replace(".", "/") + ".py"
    if not (artefact.code / module).is_file():
        problems.append(f"missing handler module {module}")
    for data in RULES_DATA:
        if not any((layer / data).exists() for layer in artefact.layers):
            problems.append(f"the layer lacks {data}")
    for name, version in sorted(deployed.items()):
        try:
            here = distribution(name).version
        except Exception:  # any lookup failure means: not installed here
            here = "not installed"
        if here != version:
            print(f"    note: {name} {version} in the artefact, {here} in .venv")
    return problems


def _iso(moment: Any) -> str:
    return moment.isoformat().replace("+00:00", "Z")


ORDER = "ORD-BUILD-1"
CUSTOMER = "cust-build"
SHOP, LUCIA, OTHER = Identity.shop(), Identity.customer(CUSTOMER), Identity.customer("cust-other")

# Each function's routes, in order, with the status each must answer.
CALLS: dict[str, list[tuple[int, tuple[Any, ...], dict[str, Any]]]] = {
    "OpsApiFunction": [
        (
            201,
            ("POST", "/ops/orders"),
            {
                "body": {
                    "order_id": ORDER,
                    "customer_id": CUSTOMER,
                    "currency": "EUR",
                    "items": [{"sku": "A", "name": "Á", "quantity": 2, "unit_price": "9.95"}],
                    "shipping": "4.95",
                    "shipping_address": {
                        "name": "Lucía",
                        "line1": "Calle 1",
                        "city": "Madrid",
                        "postal_code": "28014",
                        "country": "ES",
                    },
                    "placed_at": _iso(START),
                },
                "identity": SHOP,
                "headers": {"Idempotency-Key": "build-create-1"},
            },
        ),
        (
            200,
            ("POST", f"/ops/orders/{ORDER}/pay"),
            {
                "body": {"payment_ref": "P-1", "estimated_ship_by": "2099-01-01T00:00:00Z"},
                "identity": SHOP,
            },
        ),
        (200, ("GET", f"/ops/orders/{ORDER}"), {"identity": SHOP}),
        (403, ("GET", f"/ops/orders/{ORDER}"), {"identity": LUCIA}),
        (422, ("POST", f"/ops/orders/{ORDER}/ship"), {"body": {"carrier": 1}, "identity": SHOP}),
    ],
    "CustomerApiFunction": [
        (200, ("GET", "/orders?limit=5"), {"identity": LUCIA}),
        (
            200,
            ("GET", f"/orders/{ORDER}"),
            {"identity": LUCIA, "headers": {"Accept-Language": "es"}},
        ),
        (404, ("GET", f"/orders/{ORDER}"), {"identity": OTHER}),
        (401, ("GET", "/orders"), {"identity": None}),
        (
            201,
            ("POST", f"/orders/{ORDER}/help/payment_issue"),
            {
                "body": {"message": "¿Dónde está mi confirmación? 🙂"},
                "identity": LUCIA,
                "headers": {"Idempotency-Key": "build-help-1"},
            },
        ),
        (
            201,  # a retry answers the first response again
            ("POST", f"/orders/{ORDER}/help/payment_issue"),
            {
                "body": {"message": "¿Dónde está mi confirmación? 🙂"},
                "identity": LUCIA,
                "headers": {"Idempotency-Key": "build-help-1"},
            },
        ),
        (404, ("POST", f"/orders/{ORDER}/help/teleport"), {"body": {}, "identity": LUCIA}),
    ],
}


def serve_from_artefacts(found: list[Artefact]) -> list[str]:
    problems = []
    by_function = {artefact.function: artefact for artefact in found}
    with dynamodb_server() as endpoint:
        for function, calls in CALLS.items():
            artefact = by_function[function]
            events = []
            for _, (method, path), options in calls:
                spec, event = api_event(method, path, **options)
                assert spec.logical_id == function, f"{method} {path} is not {function}'s"
                events.append(event)
            with runnable_here(artefact) as (path, notes):
                env = lambda_environment(function, endpoint, task_root=str(artefact.code))
                try:
                    report = run_child(
                        {
                            "path": [str(path)],
                            "handler": artefact.handler,
                            "first_client": FIRST_CLIENT,
                            "function_name": function,
                            "events": events,
                        },
                        env,
                        isolated=True,
                    )
                except ChildFailed as failure:
                    problems.append(f"{function} failed from its artefact alone:\n{failure}")
                    continue
            statuses = [call["status"] for call in report["calls"]]
            expected = [status for status, _, _ in calls]
            print(f"  {function}: served {len(statuses)} calls from the artefact alone")
            for (want, (method, path), _), got in zip(calls, statuses, strict=True):
                mark = "ok" if want == got else f"EXPECTED {want}"
                print(f"    {method:4} {path:45} {got} {mark}")
            for note in notes:
                print(f"    note: {note}")
            outside = [m for m in report["modules"] if m.startswith("!outside:")]
            loaded = [m for m in report["modules"] if not m.startswith("!")]
            print(f"    imported from the artefact: {', '.join(loaded)}")
            if statuses != expected:
                problems.append(f"{function}: statuses {statuses}, expected {expected}")
            if outside:
                problems.append(f"{function} imported from outside the artefact: {outside}")
    return problems


def _size(directory: Path) -> int:
    return sum(f.stat().st_size for f in directory.rglob("*") if f.is_file())


def main(build_dir: Path) -> int:
    found = artefacts(build_dir)
    problems = []
    print(f"Checking the artefacts in {build_dir}:")
    for artefact in found:
        layer_mb = sum(_size(layer) for layer in artefact.layers) / 1e6
        print(
            f"  {artefact.function}: code {_size(artefact.code) / 1e6:.1f} MB + layers "
            f"{layer_mb:.1f} MB unzipped (Lambda's limit: 250 MB)"
        )
        problems += [f"{artefact.function}: {p}" for p in check_contents(artefact)]
    if not problems:
        problems += serve_from_artefacts(found)
    for problem in problems:
        print(f"PROBLEM: {problem}", file=sys.stderr)
    print("artefacts: OK" if not problems else f"artefacts: {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1] if len(sys.argv) > 1 else ".aws-sam/build")))
