"""The embedded DynamoDB: moto's server on a free loopback port, tables made from the template.

Moto answers each request in its own thread but does not isolate them: two conditional writes to
one item could both pass their condition. DynamoDB never allows that, and the whole design rests on
it (every change is a conditional write), so this server takes one request at a time, which is a
valid serial order of what DynamoDB would do concurrently."""

import json
import threading
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import boto3
from moto.moto_server.threaded_moto_server import ThreadedMotoServer
from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import make_server

from orderhelp_dev.local import moto_dynamodb
from orderhelp_dev.local.template import create_table_requests, resources, time_to_live

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class _OneRequestAtATime:
    def __init__(self, app: WsgiApp) -> None:
        self._app = app
        self._lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        with self._lock:
            # Drain the body inside the lock: the response is computed lazily by some backends.
            return list(self._app(environ, start_response))


class _QuietRequestHandler(MotoRequestHandler):
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """The stack's log is the handlers' JSON logs, not one line per DynamoDB call."""


class SerializedMotoServer(ThreadedMotoServer):
    """`ThreadedMotoServer` whose requests are applied one at a time."""

    def _server_entry(self) -> None:
        app = _OneRequestAtATime(DomainDispatcherApplication(create_backend_app))
        self._server = make_server(
            self._ip_address, self._port, app, True, request_handler=_QuietRequestHandler
        )
        self._server_ready_event.set()
        self._server.serve_forever()


class EmbeddedDynamoDB:
    def __init__(self, host: str = "127.0.0.1") -> None:
        # Port 0: the system picks a free one, so stacks and test runs never collide.
        self._server = SerializedMotoServer(ip_address=host, port=0, verbose=False)
        self.endpoint = ""
        self._region = "us-east-1"

    def start(self) -> str:
        moto_dynamodb.install()
        self._server.start()
        host, port = self._server.get_host_and_port()
        self.endpoint = f"http://{host}:{port}"
        return self.endpoint

    def create_tables(
        self, template: Mapping[str, Any], names: Mapping[str, str], region: str
    ) -> list[str]:
        """Every table of the template, as `CreateTable` and `UpdateTimeToLive` would make it."""
        client = boto3.client(
            "dynamodb",
            endpoint_url=self.endpoint,
            region_name=region,
            aws_access_key_id="local",
            aws_secret_access_key="local",  # noqa: S106 — moto accepts any credentials
        )
        for request in create_table_requests(names, template):
            client.create_table(**request)
        for logical_id in resources("AWS::DynamoDB::Table", template):
            spec = time_to_live(logical_id, template)
            if spec is not None:
                client.update_time_to_live(
                    TableName=names[logical_id],
                    TimeToLiveSpecification={
                        "AttributeName": spec["AttributeName"],
                        "Enabled": bool(spec.get("Enabled", True)),
                    },
                )
        return [names[logical_id] for logical_id in resources("AWS::DynamoDB::Table", template)]

    def _client(self, service: str, region: str) -> Any:
        return boto3.client(
            service,  # type: ignore[call-overload]
            endpoint_url=self.endpoint,
            region_name=region,
            aws_access_key_id="local",
            aws_secret_access_key="local",  # noqa: S106 — moto accepts any credentials
        )

    def create_queues(self, template: Mapping[str, Any], region: str) -> list[str]:
        """Every SQS queue of the template (its dead-letter queues), named by logical id. The
        embedded server is all of moto's: it serves SQS and SES too."""
        self._region = region
        client = self._client("sqs", region)
        queues = list(resources("AWS::SQS::Queue", template))
        for logical_id in queues:
            client.create_queue(QueueName=logical_id)
        return queues

    def dead_letter(self, queue: str, message: dict[str, Any]) -> None:
        """Keep `message` in the template's queue `queue` (its logical id)."""
        client = self._client("sqs", self._region)
        url = client.get_queue_url(QueueName=queue)["QueueUrl"]
        client.send_message(QueueUrl=url, MessageBody=json.dumps(message, default=str))

    def queue_messages(self, queue: str) -> list[dict[str, Any]]:
        """What a queue holds (read without taking the messages away for long)."""
        client = self._client("sqs", self._region)
        url = client.get_queue_url(QueueName=queue)["QueueUrl"]
        answer = client.receive_message(
            QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=0, WaitTimeSeconds=0
        )
        return [json.loads(m["Body"]) for m in answer.get("Messages", [])]

    def stop(self) -> None:
        if self.endpoint:
            self._server.stop()
            self.endpoint = ""
