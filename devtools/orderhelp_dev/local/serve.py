"""`orderhelp serve`: the whole system on one machine — embedded DynamoDB, the API Gateway
emulator with local identities, the functions' execution environments, schedules, demo data."""

import dataclasses
import errno
import os
import shlex
import signal
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import Any, TextIO

import boto3

from lifecycle.policy import CasePolicy
from orderhelp.config import CaseSettings, PolicySettings, ReturnsSettings, StoreSettings
from orderhelp.store import DynamoOrderStore
from orderhelp.wiring import store_on
from orderhelp_dev.local.bus import LocalBus, bus_rules
from orderhelp_dev.local.console_demo import DISPLAY_NAMES, load_console_demo
from orderhelp_dev.local.cors import cors_configuration
from orderhelp_dev.local.demo import (
    DEMO_AGENTS,
    DemoCustomer,
    demo_customers,
    load_demo,
    stage_demo_cases,
)
from orderhelp_dev.local.demo_returns import load_demo_returns, stage_demo_expired_return
from orderhelp_dev.local.dynamodb import EmbeddedDynamoDB
from orderhelp_dev.local.emulator import ApiGatewayEmulator, EmulatorServer, JsonLog
from orderhelp_dev.local.environments import DEFAULT_MAX_CONCURRENCY, FunctionPool
from orderhelp_dev.local.identities import (
    IdentityProvider,
    JwtAuthorizer,
    SigningKey,
    TokenIssuer,
    identity_provider,
    jwt_authorizers,
)
from orderhelp_dev.local.lambda_runtime import function_runtimes
from orderhelp_dev.local.mail import LocalMail
from orderhelp_dev.local.s3 import EmbeddedS3, EventDelivery, cors_rules, subscriptions_of
from orderhelp_dev.local.scheduler import Schedule, Scheduler, template_schedules
from orderhelp_dev.local.sdk_endpoints import ProcessEnvironment, tooling_dynamodb, use_local_aws
from orderhelp_dev.local.site import (
    LOOPBACK_NAMES,
    WEB_ROOT,
    LocalOutbox,
    LocalSite,
    LocalUser,
    is_loopback,
)
from orderhelp_dev.local.state import DEFAULT_PORT, DEFAULT_STATE_ROOT, StackState
from orderhelp_dev.local.streams import StreamReader, stream_mappings
from orderhelp_dev.local.template import (
    LOCAL_REGION,
    TEMPLATE,
    functions,
    http_routes,
    load_template,
    local_references,
    named_buckets,
    resolve,
    resources,
)


@dataclass(frozen=True)
class ServeOptions:
    host: str = "127.0.0.1"
    port: int = DEFAULT_PORT
    template: Path = TEMPLATE
    state_root: Path = DEFAULT_STATE_ROOT
    demo: bool = True
    schedule_every: float | None = None
    max_concurrency: int = DEFAULT_MAX_CONCURRENCY
    web_root: Path | None = WEB_ROOT
    """The page served beside the API; None serves the API alone."""
    network_sign_in: bool = False
    """Serve the page's local sign-in on a host other machines reach: anyone who reaches it can
    then sign in as any customer or agent."""


class PortTaken(Exception):
    pass


class UnsafeHost(Exception):
    """The local sign-in mints a token for anyone who asks: never on the network unless told."""


NETWORK_SIGN_IN_FLAG = "--let-network-sign-in-as-anyone"


DEMO_FIRST_RUNS = ("DelayCheckFunction",)
SIGNAL_CHECK_SECONDS = 0.25  # how often the waiting main thread looks for Ctrl-C
"""Scheduled functions the demo runs once after loading, as if the stack had been running: the
delay check records the late demo orders and opens customer service's proactive cases."""


class LocalStack:
    def __init__(self, options: ServeOptions, out: TextIO | None = None) -> None:
        self.options = options
        self.out = out or sys.stdout
        self.log = JsonLog(self.out)
        self.template = load_template(options.template.resolve())
        self.refs = local_references(self.template, LOCAL_REGION)
        self.state = StackState.for_port(options.port, options.state_root)
        self.dynamodb = EmbeddedDynamoDB()
        self.s3 = EmbeddedS3(LOCAL_REGION)
        self.buckets: list[str] = []
        self.pools: dict[str, FunctionPool] = {}
        self.server: EmulatorServer | None = None
        self.scheduler: Scheduler | None = None
        self.tokens: TokenIssuer | None = None
        self.demo: list[DemoCustomer] = []
        self.table_names: list[str] = []
        self.bus: LocalBus | None = None
        self.mail = LocalMail(LOCAL_REGION)
        self.stream_readers: list[StreamReader] = []
        self._owns_state = False
        self._server_thread: threading.Thread | None = None
        # The SDK settings that point this process's clients and workers at the stack.
        self.environment = ProcessEnvironment()

    @property
    def api_url(self) -> str:
        return f"http://{self.options.host}:{self.options.port}"

    def start(self) -> None:
        host = self.options.host
        signs_in = self.options.web_root is not None
        if signs_in and not is_loopback(host) and not self.options.network_sign_in:
            raise UnsafeHost(
                f"--host {host} would let anyone who reaches it sign in as any customer or "
                f"agent through the page's local sign-in. Serve on 127.0.0.1, add --no-web, "
                f"or, if that is what you want, add {NETWORK_SIGN_IN_FLAG}"
            )
        # The API's port first: if it is taken, nothing else has started yet.
        self.server = self._bind()
        endpoint = self.dynamodb.start()
        buckets = named_buckets(self.template, LOCAL_REGION)
        events = EventDelivery(subscriptions_of(functions(self.template), buckets), self._deliver)
        s3_endpoint = self.s3.start(events)
        use_local_aws(self.environment, endpoint, LOCAL_REGION, s3_endpoint)
        tables = {name: name for name in resources("AWS::DynamoDB::Table", self.template)}
        self.table_names = self.dynamodb.create_tables(self.template, tables, LOCAL_REGION)
        self.buckets = self._create_buckets(buckets, s3_endpoint)
        self._start_outbox_services(endpoint)
        authorizers, provider = self._start_identities()
        self._write_info(endpoint, provider, ready=False)
        self._start_functions()
        self._start_stream_readers(endpoint)
        self.server.emulator = ApiGatewayEmulator(
            list(http_routes(self.template)),
            self.pools,
            authorizers,
            region=LOCAL_REGION,
            log=self.log,
            site=self._site(),
            cors=cors_configuration(self.template, self.refs),
        )
        self._server_thread = threading.Thread(
            target=self.server.serve_forever, name="api-gateway", daemon=True
        )
        self._server_thread.start()
        schedules = template_schedules(
            functions(self.template), self.refs, self.options.schedule_every
        )
        if self.options.demo and self.tokens is not None:
            with self.log.only_errors():
                self.demo = load_demo(self.api_url, self.tokens)
                store, case_policy = self._store_and_case_policy()
                # The agents' profiles first: the demo's cases are answered under their names
                load_console_demo(self.api_url, self.tokens)
                stage_demo_cases(
                    store, self.demo, datetime.now(UTC), case_policy, DISPLAY_NAMES.get
                )
                load_demo_returns(self.api_url, self.tokens, datetime.now(UTC))
                environment = self._case_environment()
                stage_demo_expired_return(
                    store,
                    datetime.now(UTC),
                    PolicySettings.from_environment(environment).policy(),
                    case_policy,
                    ReturnsSettings.from_environment(environment).returns_address,
                )
                for schedule in schedules:
                    if schedule.function in DEMO_FIRST_RUNS:
                        self._fire(schedule)
        self.scheduler = Scheduler(schedules, self._fire)
        self.scheduler.start()
        self._write_info(endpoint, provider, ready=True)

    def page_origins(self) -> list[str]:
        """Where the page is served from, as a browser names it (for the buckets' CORS)."""
        port = self.options.port
        hosts = [self.options.host, *(LOOPBACK_NAMES - {"::1"})]
        return sorted({f"http://{host}:{port}" for host in hosts})

    def _create_buckets(self, buckets: dict[str, str], endpoint: str) -> list[str]:
        """The template's named buckets, with their CORS rules and the local page's origins."""
        client = boto3.client(
            "s3",
            endpoint_url=endpoint,
            region_name=LOCAL_REGION,
            aws_access_key_id="local",
            aws_secret_access_key="local",  # noqa: S106 — moto accepts any credentials
        )
        template_buckets = resources("AWS::S3::Bucket", self.template)
        for logical_id, name in buckets.items():
            location: Any = {"LocationConstraint": LOCAL_REGION}
            client.create_bucket(Bucket=name, CreateBucketConfiguration=location)
            rules: Any = cors_rules(template_buckets[logical_id], self.refs, self.page_origins())
            if rules:
                client.put_bucket_cors(Bucket=name, CORSConfiguration={"CORSRules": rules})
        return list(buckets.values())

    def _deliver(self, function: str, event: dict[str, Any]) -> bool:
        """S3's asynchronous invocation of a function: logged, True when it succeeded."""
        pool = self.pools.get(function)
        if pool is None:
            return False
        invocation = pool.invoke(event)
        self.log.write(
            level="ERROR" if invocation.failed else "INFO",
            message=f"S3 event delivered to {function}",
            requestId=invocation.request_id,
            key=event["Records"][0]["s3"]["object"]["key"],
            **({"error": invocation.error} if invocation.failed else {}),
        )
        return not invocation.failed

    def _start_outbox_services(self, endpoint: str) -> None:
        """The template's queues and mail identities in the embedded services, and the local
        bus (its endpoint is the SDK's `AWS_ENDPOINT_URL_EVENTBRIDGE` for every function)."""
        self.dynamodb.create_queues(self.template, LOCAL_REGION)
        senders = [
            str(resolve(r["Properties"]["EmailIdentity"], self.refs))
            for r in resources("AWS::SES::EmailIdentity", self.template).values()
        ]
        self.mail.verify_senders(endpoint, senders)
        self.bus = LocalBus(
            bus_rules(functions(self.template), self.template, self.refs),
            lambda function, event: self.pools[function].invoke(event),
            self.dynamodb.dead_letter,
            region=LOCAL_REGION,
            log=self.log.write,
        )
        self.environment.set("AWS_ENDPOINT_URL_EVENTBRIDGE", self.bus.start())

    def _start_stream_readers(self, endpoint: str) -> None:
        for mapping in stream_mappings(functions(self.template)):
            pool = self.pools[mapping.function]
            reader = StreamReader(
                mapping,
                endpoint,
                LOCAL_REGION,
                pool.invoke,
                self.dynamodb.dead_letter,
                self.log.write,
            )
            self.stream_readers.append(reader.start())

    def _start_identities(self) -> tuple[dict[str, JwtAuthorizer], IdentityProvider | None]:
        """A new signing key, in the state folder for `orderhelp token`; the template's JWT
        authorizers trusting it."""
        key = SigningKey.generate()
        configs = jwt_authorizers(self.template, self.refs)
        provider = (
            identity_provider(self.template, next(iter(configs.values()))) if configs else None
        )
        self.tokens = TokenIssuer(key, provider) if provider else None
        self.state.create()
        self._owns_state = True
        self.state.write_key(key.to_pem())
        authorizers = {name: JwtAuthorizer(c, {key.kid: key}) for name, c in configs.items()}
        return authorizers, provider

    def _site(self) -> LocalSite | None:
        if self.options.web_root is None:
            return None
        users: list[LocalUser] = []
        if self.options.demo:
            users += [
                LocalUser(c.customer_id, c.name, "customer", c.locale)
                for c in demo_customers(datetime.now(UTC))
            ]
            users += [LocalUser(a.agent_id, a.name, "agent", a.locale) for a in DEMO_AGENTS]
        served_hosts = None if self.options.network_sign_in else LOOPBACK_NAMES
        outbox = LocalOutbox(self.bus, self.mail) if self.bus is not None else None
        return LocalSite(
            self.options.web_root,
            users,
            self.tokens,
            served_hosts,
            outbox,
            file_origins=[self.s3.endpoint],
        )

    def _case_environment(self) -> dict[str, str]:
        """The environment the template gives the case functions."""
        return next(
            dict(pool.runtime.environment)
            for pool in self.pools.values()
            if "CASE_QUEUE_INDEX" in pool.runtime.environment
        )

    def _store_and_case_policy(self) -> tuple[DynamoOrderStore, CasePolicy]:
        """The store and case settings as the case functions see them, from their environment in
        the template (this process's SDK already points at the embedded DynamoDB)."""
        environment = next(
            pool.runtime.environment
            for pool in self.pools.values()
            if "CASE_QUEUE_INDEX" in pool.runtime.environment
        )
        settings = StoreSettings.from_environment(environment)
        store = store_on(tooling_dynamodb(), settings)
        return store, CaseSettings.from_environment(environment).case_policy()

    def _start_functions(self) -> None:
        runtimes = function_runtimes(self.options.template.resolve(), self.refs)
        for logical_id, template_runtime in runtimes.items():
            runtime = template_runtime
            if "WEB_URL" in runtime.environment:
                # Emails link to the page the stack serves, not to the CloudFront address.
                local_page = {"WEB_URL": f"{self.api_url}/"}
                runtime = dataclasses.replace(runtime, environment=runtime.environment | local_page)
            limit = self.options.max_concurrency
            if runtime.reserved_concurrency is not None:
                limit = min(limit, runtime.reserved_concurrency)
            self.pools[logical_id] = FunctionPool(runtime, LOCAL_REGION, limit)

    def _bind(self) -> EmulatorServer:
        address = (self.options.host, self.options.port)
        try:
            return EmulatorServer(address, self.log)
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                raise PortTaken(
                    f"port {self.options.port} on {self.options.host} is already in use; "
                    "start the stack on another one with --port"
                ) from None
            raise

    def _write_info(self, endpoint: str, provider: IdentityProvider | None, ready: bool) -> None:
        self.state.write_info(
            {
                "pid": os.getpid(),
                "ready": ready,
                "api_url": self.api_url,
                "dynamodb_endpoint": endpoint,
                "s3_endpoint": self.s3.endpoint,
                "buckets": self.buckets,
                "region": LOCAL_REGION,
                "template": str(self.options.template.resolve()),
                "tables": self.table_names,
                "identity_provider": provider.to_json() if provider else None,
            }
        )

    def _fire(self, schedule: Schedule) -> None:
        invocation = self.pools[schedule.function].invoke(schedule.event(LOCAL_REGION))
        self.log.write(
            level="ERROR" if invocation.failed else "INFO",
            message=f"schedule {schedule.name} fired {schedule.function}",
            requestId=invocation.request_id,
            **({"error": invocation.error} if invocation.failed else {}),
        )

    def stop(self) -> None:
        if self.scheduler is not None:
            self.scheduler.stop()
        for reader in self.stream_readers:
            reader.stop()
        if self.bus is not None:
            self.bus.stop()
        if self.server is not None:
            if self._server_thread is not None:
                self.server.shutdown()
            self.server.server_close()
        self.s3.stop()
        for pool in self.pools.values():
            pool.close()
        self.dynamodb.stop()
        self.environment.restore()
        if self._owns_state:  # never another stack's, as when the port was taken
            self.state.remove()


def serve(options: ServeOptions) -> int:
    stack = LocalStack(options)
    started = time.monotonic()
    try:
        stack.start()
    except (PortTaken, UnsafeHost) as refused:
        print(f"orderhelp serve: {refused}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        stack.stop()
        return 130
    except BaseException:
        stack.stop()
        raise
    stack.log.write_text(banner(stack, time.monotonic() - started))
    stopping = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stopping.set()

    previous: dict[signal.Signals, Callable[[int, FrameType | None], object] | int | None] = {}
    for stop_signal in (signal.SIGINT, signal.SIGTERM):
        previous[stop_signal] = signal.signal(stop_signal, request_stop)
    try:
        # Woken now and then: a signal that lands on one of the stack's other threads only
        # sets a flag the main thread acts on when it next runs, and an endless wait never does
        while not stopping.wait(SIGNAL_CHECK_SECONDS):
            pass
    finally:
        stack.log.write_text("\nStopping the local stack…")
        stack.stop()
        for stop_signal, handler in previous.items():
            signal.signal(stop_signal, handler)
    stack.log.write_text("Stopped.")
    return 0


def _command_prefix() -> str:
    """How the user runs `orderhelp` here, for copy-paste lines."""
    script = Path(sys.executable).parent / "orderhelp"
    if not script.exists():
        return "orderhelp"
    try:
        return str(script.relative_to(Path.cwd()))
    except ValueError:
        return str(script)


JSON = '-H "Content-Type: application/json"'


def banner(stack: LocalStack, seconds: float) -> str:
    options = stack.options
    token_command = _command_prefix() + " token"
    flags = ""
    if options.port != DEFAULT_PORT:
        flags += f" --port {options.port}"
    if options.state_root != DEFAULT_STATE_ROOT:
        flags += f" --state-dir {shlex.quote(str(options.state_root))}"

    def bearer(who: str) -> str:
        return f'-H "Authorization: Bearer $({token_command} {who}{flags})"'

    try:
        state_shown = str(stack.state.folder.relative_to(Path.cwd()))
    except ValueError:
        state_shown = str(stack.state.folder)
    schedules = stack.scheduler.schedules if stack.scheduler else []
    pools = ", ".join(stack.pools)
    lines = [
        f"Order Help Center — local stack, ready in {seconds:.1f} s",
        f"  API        {stack.api_url}  (API Gateway HTTP API emulator; routes and authorizer "
        f"from {options.template.name})",
        (
            f"  Page       {stack.api_url}/  (web/, beside the API; its sign-in page is the local "
            "stack's own: pick a demo customer or agent)"
            if options.web_root is not None
            else "  Page       not served (--no-web)"
        ),
        f"  DynamoDB   {stack.dynamodb.endpoint}  (embedded moto; tables "
        f"{', '.join(stack.table_names)}; data lives in memory until the stack stops)",
        f"  S3         {stack.s3.endpoint}  (embedded moto; buckets {', '.join(stack.buckets)}; "
        "uploads checked against their POST policy, S3 events delivered to the functions)",
        f"  State      {state_shown}  (signing key and stack.json; removed on exit)",
        f"  Events     {stack.api_url}/__local/events?order_id=…  (the stream → publisher → "
        "the local bus, its rules and targets)",
        f"  Mail       {stack.api_url}/__local/mailbox  (the emails sent; SES is the embedded one)",
        f"  Functions  {pools} (up to {options.max_concurrency} execution environments each)",
        "  Schedules  "
        + (
            ", ".join(f"{s.function} every {s.every_seconds:g} s" for s in schedules)
            if schedules
            else "none in the template"
        ),
        f"  Tokens     {token_command} --customer ID | --agent ID | --ops{flags}",
    ]
    if stack.demo:
        lines += ["", "Demo customers (their orders, then a ready-made curl line):"]
        for customer in stack.demo:
            lines.append(
                f"  {customer.customer_id}  {customer.name} ({customer.locale}, {customer.email})"
            )
            lines += [f"      {order.order_id}  {order.story}" for order in customer.orders]
            lines += [
                f"      {case.case_id}  {case.status} case: {case.action} on {case.order_id}, "
                f"with {case.agent}"
                for case in customer.cases
            ]
            token = bearer(f"--customer {customer.customer_id}")
            language = f'-H "Accept-Language: {customer.locale}"'
            lines.append(f"      curl -s {stack.api_url}/orders {token} {language}")
        lines += [
            "",
            "Demo agents (customer service; sign in on the page, or the queue with curl):",
        ]
        for agent in DEMO_AGENTS:
            token = bearer(f"--agent {agent.agent_id}")
            language = f'-H "Accept-Language: {agent.locale}"'
            lines += [
                f"  {agent.agent_id}  {agent.name} ({agent.locale})",
                f'      curl -s "{stack.api_url}/agent/cases?status=open" {token} {language}',
            ]
        lucia = bearer("--customer cust-lucia")
        lines += [
            "",
            "Try:",
            "  # order details in Spanish (a paid order past its ship-by date)",
            f'  curl -s {stack.api_url}/orders/ORD-1003 {lucia} -H "Accept-Language: es"',
            "  # a help action it offers",
            f"  curl -s -X POST {stack.api_url}/orders/ORD-1003/help/shipping_delay {lucia} "
            f"""{JSON} -H "Accept-Language: es" -d '{{"message": "¿Cuándo saldrá mi pedido?"}}'""",
            "  # one it refuses, with the reason and dates",
            f"  curl -s -X POST {stack.api_url}/orders/ORD-1005/help/cancel_order {lucia} "
            f"""{JSON} -H "Accept-Language: es" -d '{{}}'""",
            "  # the shop ships an order",
            f"  curl -s -X POST {stack.api_url}/ops/orders/ORD-1002/ship {bearer('--ops')} {JSON} "
            """-d '{"carrier": "Correos Express", "tracking_number": "CX1", """
            """"estimated_delivery_by": "2099-01-01T00:00:00Z"}'""",
        ]
    lines += [
        "",
        "Logs follow: the handlers' JSON logs and one JSON line per request. Ctrl-C stops.",
    ]
    return "\n".join(lines)
