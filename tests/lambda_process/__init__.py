"""Running a handler the way Lambda does, in a fresh process of its own (see `child.py`), against
moto's DynamoDB server on the loopback interface with the template's tables.

Used by `make bench` (cold init, memory) and `make build` (the built artefacts, alone, serve
every route)."""

import json
import logging
import os
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from orderhelp_dev.local.template import (
    create_table_requests,
    function_environment,
    functions,
    load_template,
    local_references,
    resources,
)

CHILD = Path(__file__).with_name("child.py")
REGION = "eu-west-1"
# Table names as the tests name them: the template's logical ids.
TABLE_NAMES = {logical_id: logical_id for logical_id in resources("AWS::DynamoDB::Table")}
FIRST_CLIENT = ["orderhelp.aws:dynamodb"]
_KEPT_FROM_PARENT = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "SYSTEMROOT")


class ChildFailed(RuntimeError):
    pass


def run_child(
    spec: Mapping[str, Any],
    env: Mapping[str, str],
    *,
    isolated: bool = False,
    python: str = sys.executable,
) -> dict[str, Any]:
    """Run `child.py` with `spec` in a fresh interpreter; its report. `isolated`: no site-packages
    (`-I -S`), so only the standard library and `spec["path"]` can be imported, and no bytecode
    written (`-B`: `-I` ignores PYTHONDONTWRITEBYTECODE), so what it runs is left as it was."""
    with tempfile.TemporaryDirectory(prefix="lambda-child-") as scratch:
        report = Path(scratch) / "report.json"
        spec_file = Path(scratch) / "spec.json"
        spec_file.write_text(json.dumps({**spec, "report": str(report)}), "utf-8")
        flags = ["-I", "-S", "-B"] if isolated else []
        completed = subprocess.run(
            [python, *flags, str(CHILD), str(spec_file)],
            env=dict(env),
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        if completed.returncode != 0 or not report.exists():
            raise ChildFailed(completed.stderr[-4000:] or completed.stdout[-4000:])
        result: dict[str, Any] = json.loads(report.read_text("utf-8"))
        result["stderr"] = completed.stderr
        return result


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def dynamodb_server() -> Iterator[str]:
    """moto's DynamoDB on 127.0.0.1 with the template's tables; yields its endpoint URL."""
    import boto3  # the parent alone needs these
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no line per request
    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    try:
        client = boto3.client(
            "dynamodb",
            endpoint_url=endpoint,
            region_name=REGION,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
        for request in create_table_requests(TABLE_NAMES):
            client.create_table(**request)
        yield endpoint
    finally:
        server.stop()


def lambda_environment(
    function: str, endpoint: str, task_root: str = "/var/task"
) -> dict[str, str]:
    """What Lambda sets for `function` (its template environment, tracing on as `Tracing:
    Active` deploys it), with DynamoDB pointed at `endpoint` through the SDK's own setting."""
    spec = functions()[function]
    memory = resources("AWS::Serverless::Function")[function]["Properties"].get("MemorySize")
    memory = memory or _globals_function().get("MemorySize", 128)
    env = {name: os.environ[name] for name in _KEPT_FROM_PARENT if name in os.environ}
    env |= function_environment(spec, local_references(load_template(), REGION) | TABLE_NAMES)
    env |= {
        "AWS_REGION": REGION,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_ENDPOINT_URL_DYNAMODB": endpoint,
        "AWS_EXECUTION_ENV": "AWS_Lambda_python3.11",
        "AWS_LAMBDA_FUNCTION_NAME": function,
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(memory),
        "LAMBDA_TASK_ROOT": task_root,
        "TZ": ":UTC",
        # X-Ray as in Lambda: a sampled trace header; segments go to the (absent) local daemon.
        "_X_AMZN_TRACE_ID": (
            "Root=1-6720c0de-0123456789abcdef01234567;Parent=0123456789abcdef;Sampled=1"
        ),
        "AWS_XRAY_DAEMON_ADDRESS": "127.0.0.1:2000",
        "AWS_XRAY_CONTEXT_MISSING": "LOG_ERROR",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    return env


def _globals_function() -> dict[str, Any]:
    function_globals: dict[str, Any] = load_template().get("Globals", {}).get("Function", {})
    return function_globals


@contextmanager
def deployment_path() -> Iterator[Path]:
    """A directory holding what a function's deployment holds, as links into this environment:
    the packages of functions/requirements.txt and statemachine/requirements.txt (with what they
    require) and the two source roots' packages. With `run_child(isolated=True)` a handler sees
    only those, as on Lambda: whatever else .venv has (moto, requests, …) is not there to be
    imported or patched by X-Ray."""
    from importlib.metadata import distribution

    from tests.infra.packaging import (
        FUNCTION_REQUIREMENTS,
        LAYER_REQUIREMENTS,
        ROOT,
        installed_closure,
        read_requirements,
    )

    names = installed_closure(
        read_requirements(FUNCTION_REQUIREMENTS) | read_requirements(LAYER_REQUIREMENTS)
    )
    with tempfile.TemporaryDirectory(prefix="deployment-") as scratch:
        root = Path(scratch)
        for name in names:
            dist = distribution(name)
            tops = {Path(str(f)).parts[0] for f in dist.files or []}
            for top in sorted(tops):
                if top.endswith((".dist-info", ".data")) or top in ("..", "bin", "__pycache__"):
                    continue
                source = Path(str(dist.locate_file(top)))
                if source.exists() and not (root / top).exists():
                    (root / top).symlink_to(source)
        for package in (ROOT / "functions" / "orderhelp", ROOT / "statemachine" / "lifecycle"):
            (root / package.name).symlink_to(package)
        yield root
