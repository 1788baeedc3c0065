"""Reads `infra/template.yaml`, the deployable truth: tables, functions, routes, schedules.

Tests and the local stack create their tables and find their handlers here, so key schemas,
index names, routes and environment variables are never written twice."""

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

TEMPLATE = Path(__file__).resolve().parents[3] / "infra" / "template.yaml"


class _CloudFormationLoader(yaml.SafeLoader):
    """YAML with CloudFormation's short-form intrinsic functions (`!Ref X` → `{"Ref": "X"}`)."""


def _intrinsic(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    name = "Ref" if suffix == "Ref" else f"Fn::{suffix}"
    value: Any
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
        if name == "Fn::GetAtt":
            value = str(value).split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
    return {name: value}


_CloudFormationLoader.add_multi_constructor("!", _intrinsic)


@cache
def load_template(path: Path = TEMPLATE) -> dict[str, Any]:
    document: dict[str, Any] = yaml.load(path.read_text("utf-8"), Loader=_CloudFormationLoader)  # noqa: S506 — a SafeLoader subclass
    return document


def resources(kind: str, template: Mapping[str, Any] | None = None) -> dict[str, dict[str, Any]]:
    """The template's resources of one type, by logical id."""
    template = template or load_template()
    return {
        logical_id: resource
        for logical_id, resource in template["Resources"].items()
        if resource["Type"] == kind
    }


def create_table_requests(
    names: Mapping[str, str], template: Mapping[str, Any] | None = None
) -> list[dict[str, Any]]:
    """`CreateTable` requests for every table of the template, named by `names[logical_id]`."""
    requests = []
    for logical_id, resource in resources("AWS::DynamoDB::Table", template).items():
        props = resource["Properties"]
        request: dict[str, Any] = {
            "TableName": names[logical_id],
            "AttributeDefinitions": props["AttributeDefinitions"],
            "KeySchema": props["KeySchema"],
            "BillingMode": props.get("BillingMode", "PAY_PER_REQUEST"),
        }
        if "GlobalSecondaryIndexes" in props:
            request["GlobalSecondaryIndexes"] = props["GlobalSecondaryIndexes"]
        if "StreamSpecification" in props:
            request["StreamSpecification"] = {"StreamEnabled": True} | props["StreamSpecification"]
        requests.append(request)
    return requests


def time_to_live(
    logical_id: str, template: Mapping[str, Any] | None = None
) -> dict[str, Any] | None:
    table = resources("AWS::DynamoDB::Table", template)[logical_id]
    spec: dict[str, Any] | None = table["Properties"].get("TimeToLiveSpecification")
    return spec


@dataclass(frozen=True)
class Route:
    function: str
    event: str
    method: str
    path: str
    authorizer: str | None
    scopes: tuple[str, ...] = ()


@dataclass(frozen=True)
class FunctionSpec:
    logical_id: str
    handler: str
    environment: dict[str, Any] = field(default_factory=dict)
    timeout: int = 3
    events: dict[str, Any] = field(default_factory=dict)
    code_uri: Any = None
    """`CodeUri` as written: a folder relative to the template (the function's /var/task)."""
    layers: tuple[Any, ...] = ()
    """`Layers` as written, usually `!Ref` to a layer of the same template."""
    memory_mb: int = 128
    reserved_concurrency: int | None = None


def functions(template: Mapping[str, Any] | None = None) -> dict[str, FunctionSpec]:
    """Every `AWS::Serverless::Function`, with the template's globals applied."""
    template = template or load_template()
    globals_ = template.get("Globals", {}).get("Function", {})
    shared_env = globals_.get("Environment", {}).get("Variables", {})
    specs = {}
    for logical_id, resource in resources("AWS::Serverless::Function", template).items():
        props = resource["Properties"]

        def setting(name: str, default: Any = None, props: dict[str, Any] = props) -> Any:
            return props.get(name, globals_.get(name, default))

        reserved = setting("ReservedConcurrentExecutions")
        specs[logical_id] = FunctionSpec(
            logical_id=logical_id,
            handler=props["Handler"],
            environment=shared_env | props.get("Environment", {}).get("Variables", {}),
            timeout=int(setting("Timeout", 3)),
            events=props.get("Events", {}),
            code_uri=setting("CodeUri"),
            layers=tuple(setting("Layers", ())),
            memory_mb=int(setting("MemorySize", 128)),
            reserved_concurrency=None if reserved is None else int(reserved),
        )
    return specs


def http_routes(template: Mapping[str, Any] | None = None) -> Iterator[Route]:
    """The HTTP API routes, with the authorizer and scopes each one requires."""
    template = template or load_template()
    apis = resources("AWS::Serverless::HttpApi", template)
    for spec in functions(template).values():
        for event_name, event in spec.events.items():
            if event["Type"] != "HttpApi":
                continue
            props = event["Properties"]
            api = apis[props["ApiId"]["Ref"]]["Properties"] if "ApiId" in props else {}
            auth = props.get("Auth", {})
            authorizer = auth.get("Authorizer", api.get("Auth", {}).get("DefaultAuthorizer"))
            if authorizer == "NONE":
                authorizer = None
            yield Route(
                function=spec.logical_id,
                event=event_name,
                method=props["Method"].upper(),
                path=props["Path"],
                authorizer=authorizer,
                scopes=tuple(auth.get("AuthorizationScopes", ())),
            )


def resolve(value: Any, refs: Mapping[str, Any]) -> Any:
    """Resolve `Ref`, `Fn::Sub` (of references, with or without its own variables),
    `Fn::GetAtt`, `Fn::Join`, `Fn::Select` and `Fn::Split` against `refs`, the values the local
    stack gives to parameters and resources."""
    if isinstance(value, dict) and len(value) == 1:
        ((name, argument),) = value.items()
        intrinsic = _INTRINSICS.get(name)
        if intrinsic is not None:
            return intrinsic(argument, refs)
    if isinstance(value, dict):
        return {k: resolve(v, refs) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve(v, refs) for v in value]
    return value


def _sub(argument: Any, refs: Mapping[str, Any]) -> str:
    if isinstance(argument, str):
        return _substituted(argument, refs)
    text, variables = argument
    own = {key: resolve(variable, refs) for key, variable in variables.items()}
    return _substituted(text, {**refs, **own})


def _join(argument: Any, refs: Mapping[str, Any]) -> str:
    separator, parts = argument
    return str(separator).join(str(resolve(part, refs)) for part in parts)


def _select(argument: Any, refs: Mapping[str, Any]) -> Any:
    position, items = argument
    return resolve(items, refs)[int(position)]


def _split(argument: Any, refs: Mapping[str, Any]) -> list[str]:
    separator, text = argument
    return str(resolve(text, refs)).split(separator)


_INTRINSICS: dict[str, Callable[[Any, Mapping[str, Any]], Any]] = {
    "Ref": lambda name, refs: refs[name],
    "Fn::GetAtt": lambda path, refs: refs[".".join(path)],
    "Fn::Sub": _sub,
    "Fn::Join": _join,
    "Fn::Select": _select,
    "Fn::Split": _split,
}


def _substituted(text: str, refs: Mapping[str, Any]) -> str:
    for key, replacement in refs.items():
        text = text.replace("${" + key + "}", str(replacement))
    return text


def parameter_defaults(template: Mapping[str, Any] | None = None) -> dict[str, Any]:
    template = template or load_template()
    return {name: spec.get("Default") for name, spec in template.get("Parameters", {}).items()}


def function_environment(spec: FunctionSpec, refs: Mapping[str, Any]) -> dict[str, str]:
    """A function's environment variables with the template's references resolved."""
    return {name: str(resolve(value, refs)) for name, value in spec.environment.items()}


LOCAL_ACCOUNT_ID = "123456789012"
LOCAL_REGION = "eu-west-1"
LOCAL_STACK_NAME = "order-help-local"
LOCAL_STACK_ID = (
    f"arn:aws:cloudformation:{{region}}:{LOCAL_ACCOUNT_ID}:stack/{LOCAL_STACK_NAME}/"
    "00000000-0000-4000-8000-000000000000"
)


def local_references(template: Mapping[str, Any], region: str) -> dict[str, Any]:
    """What `Ref`, `Fn::GetAtt … .Arn` and `Fn::Sub` mean in the local stack: parameters take their
    defaults and every resource is named by its logical id (the orders table is `OrdersTable`)."""
    refs: dict[str, Any] = {
        "AWS::Region": region,
        "AWS::AccountId": LOCAL_ACCOUNT_ID,
        "AWS::StackName": LOCAL_STACK_NAME,
        "AWS::StackId": LOCAL_STACK_ID.format(region=region),
        "AWS::Partition": "aws",
        "AWS::URLSuffix": "amazonaws.com",
    }
    refs |= parameter_defaults(template)
    for logical_id, resource in template.get("Resources", {}).items():
        service = resource["Type"].split("::")[1].lower()
        if service == "serverless":
            service = "lambda"
        refs[logical_id] = logical_id
        resource_path = f"table/{logical_id}" if service == "dynamodb" else logical_id
        refs[f"{logical_id}.Arn"] = f"arn:aws:{service}:{region}:{LOCAL_ACCOUNT_ID}:{resource_path}"
        if resource["Type"] == "AWS::CloudFront::Distribution":
            # A name that no one else answers for (`.localhost` never leaves the machine).
            refs[f"{logical_id}.DomainName"] = f"{logical_id.lower()}.localhost"
    for logical_id, resource in resources("AWS::S3::Bucket", template).items():
        # A bucket the template names is called that locally too (S3 wants lower case).
        name = resource.get("Properties", {}).get("BucketName")
        if name is not None:
            refs[logical_id] = resolve(name, refs)
            refs[f"{logical_id}.Arn"] = f"arn:aws:s3:::{refs[logical_id]}"
    return refs


def named_buckets(
    template: Mapping[str, Any] | None = None, region: str = LOCAL_REGION
) -> dict[str, str]:
    """The buckets the template names (`BucketName`), by logical id, as the local stack names
    them: what the functions' `!Ref` to them means locally."""
    template = template or load_template()
    refs = local_references(template, region)
    return {
        logical_id: str(refs[logical_id])
        for logical_id, resource in resources("AWS::S3::Bucket", template).items()
        if "BucketName" in resource.get("Properties", {})
    }
