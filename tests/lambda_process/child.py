"""A Lambda execution environment in one fresh process: import the handler as the runtime does,
create the first AWS client, call the handler with the given events, then report.

Run by path (`python child.py SPEC.json`), it needs only the standard library, so it can run on a
deployment artefact alone (`python -I -S` with the spec's `path` as the only third-party code).
The spec (JSON): `path` (directories put first on sys.path), `handler` ("module.function") or
`baseline: true` (just `import boto3; boto3.client("dynamodb")`) or `exec` (code), `first_client`
("module:function" called after the import, part of the cold init), `function_name`, `events`
(API Gateway events) and `report` (where the JSON report is written: stdout is the handler's)."""

import contextlib
import importlib
import io
import json
import os
import resource
import sys
import time
import uuid
from typing import Any


class Context:
    """The parts of the Lambda context that handlers and Powertools read."""

    def __init__(self, function_name: str, memory_mb: int, timeout_seconds: int = 10) -> None:
        self.function_name = function_name
        self.function_version = "$LATEST"
        self.memory_limit_in_mb = memory_mb
        self.invoked_function_arn = (
            f"arn:aws:lambda:eu-west-1:123456789012:function:{function_name}"
        )
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{function_name}"
        self.log_stream_name = "child"
        self._deadline = time.monotonic() + timeout_seconds

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def _call(target: str) -> Any:
    module_name, _, function_name = target.partition(":")
    return getattr(importlib.import_module(module_name), function_name)()


def peak_rss_kb() -> int:
    """This process's peak resident set. Linux's `getrusage().ru_maxrss` carries over the peak of
    the process that forked us (it survives exec), so the kernel's VmHWM of this process's own
    memory is read instead where there is one."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def main(spec_path: str) -> None:
    with open(spec_path, encoding="utf-8") as file:
        spec = json.load(file)
    sys.path[:0] = spec.get("path", [])
    memory_mb = int(os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128"))

    start, start_cpu = time.perf_counter(), time.process_time()
    if spec.get("baseline"):
        import boto3  # what is being timed

        boto3.client("dynamodb")
        handler = None
    elif "exec" in spec:  # any other cold init to time
        exec(spec["exec"], {})
        handler = None
    else:
        module_name, _, attribute = spec["handler"].rpartition(".")
        handler = getattr(importlib.import_module(module_name), attribute)
        for target in spec.get("first_client", []):
            _call(target)
    init_seconds = time.perf_counter() - start
    # CPU time is what a cold start spends itself, whatever else the machine is doing meanwhile.
    init_cpu_seconds = time.process_time() - start_cpu

    calls = []
    for event in spec.get("events", []):
        assert handler is not None
        context = Context(spec.get("function_name", "function"), memory_mb)
        began, began_cpu = time.perf_counter(), time.process_time()
        with contextlib.redirect_stdout(io.StringIO()):  # metrics are printed (EMF)
            result = handler(event, context)
        seconds = time.perf_counter() - began
        # What a lazy import or a model built on first use costs shows here, not in the init.
        cpu_seconds = time.process_time() - began_cpu
        # A scheduled function returns its run's figures, not an HTTP answer.
        is_http = isinstance(result, dict) and "statusCode" in result
        calls.append(
            {
                "status": result["statusCode"] if is_http else None,
                "body": result.get("body") if is_http else result,
                "seconds": seconds,
                "cpu_seconds": cpu_seconds,
            }
        )

    roots = [os.path.abspath(p) + os.sep for p in spec.get("path", [])]
    loaded = set()
    for name, module in list(sys.modules.items()):
        where = getattr(module, "__file__", None)
        if where and any(os.path.abspath(where).startswith(root) for root in roots):
            loaded.add(name.split(".")[0])
        elif where and roots and "site-packages" in where:
            loaded.add("!outside:" + name.split(".")[0])  # came from outside the given path
    report = {
        "init_seconds": init_seconds,
        "init_cpu_seconds": init_cpu_seconds,
        "calls": calls,
        "max_rss_kb": peak_rss_kb(),
        "modules": sorted(loaded),
        "python": sys.version.split()[0],
    }
    with open(spec["report"], "w", encoding="utf-8") as file:
        json.dump(report, file)


if __name__ == "__main__":
    main(sys.argv[1])
