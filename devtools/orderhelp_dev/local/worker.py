"""One Lambda execution environment, as its own process.

It imports the function's handler once (Lambda's Init phase), then serves one invocation at a time,
the way Lambda's runtime client loops over the Runtime API; here the "API" is a socket to the
local stack carrying one JSON document per line. Module-level state in the handler (Powertools'
resolver keeps the current request on `app`) is therefore never shared by two invocations."""

import argparse
import json
import os
import socket
import sys
import traceback
from collections.abc import Sequence
from typing import Any, BinaryIO

from orderhelp_dev.local.lambda_runtime import LocalLambdaContext, load_handler


def error_payload(error: BaseException, error_type: str | None = None) -> dict[str, Any]:
    """An error as the Lambda Python runtime reports it."""
    return {
        "errorMessage": str(error),
        "errorType": error_type or type(error).__name__,
        "stackTrace": traceback.format_tb(error.__traceback__),
    }


def _send(writer: BinaryIO, message: dict[str, Any]) -> None:
    writer.write(json.dumps(message).encode("utf-8") + b"\n")
    writer.flush()


def _report(writer: BinaryIO, error: dict[str, Any], request_id: str) -> None:
    # The Python runtime logs an unhandled error as one JSON line before reporting it.
    log = {"level": "ERROR", "message": "Invoke Error", "requestId": request_id} | error
    print(json.dumps(log), flush=True)
    _send(writer, {"type": "error", "error": error})


def serve(channel: socket.socket, args: argparse.Namespace) -> int:
    reader, writer = channel.makefile("rb"), channel.makefile("wb")
    try:
        handler = load_handler(args.handler)
    except Exception as error:
        _send(writer, {"type": "init_error", "error": error_payload(error)})
        return 1
    _send(writer, {"type": "ready"})
    for line in reader:  # ends when the stack closes its end of the socket
        request = json.loads(line)
        context = LocalLambdaContext(
            args.function_name,
            args.timeout,
            args.memory,
            request_id=request["request_id"],
            region=args.region,
        )
        try:
            result = handler(request["event"], context)
        except Exception as error:
            _report(writer, error_payload(error), context.aws_request_id)
            continue
        try:
            payload = json.dumps(result)  # Lambda marshals every result to JSON
        except (TypeError, ValueError) as error:
            _report(writer, error_payload(error, "Runtime.MarshalError"), context.aws_request_id)
            continue
        writer.write(b'{"type": "result", "result": ' + payload.encode("utf-8") + b"}\n")
        writer.flush()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--fd", type=int, required=True, help="the socket to the local stack")
    parser.add_argument("--handler", required=True)
    parser.add_argument("--function-name", required=True)
    parser.add_argument("--timeout", type=int, required=True)
    parser.add_argument("--memory", type=int, required=True)
    parser.add_argument("--region", required=True)
    args = parser.parse_args(argv)
    # Environments share the stack's output, so each log line must reach it in one write: line
    # buffering, even where PYTHONUNBUFFERED would write a line and its newline separately.
    sys.stdout = open(1, "w", buffering=1, encoding="utf-8", closefd=False)  # noqa: SIM115
    sys.stderr = open(2, "w", buffering=1, encoding="utf-8", closefd=False)  # noqa: SIM115
    with socket.socket(fileno=args.fd) as channel:
        status = serve(channel, args)
    # Lambda ends an environment without running the interpreter's teardown; so do we.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)


if __name__ == "__main__":
    sys.exit(main())
