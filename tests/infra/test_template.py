"""infra/template.yaml keeps the promises of the API issue: the runtime and tracing, the Cognito
identities and scopes behind the HTTP API, data protection on every table, the idempotency
table as Powertools writes it, and the outputs a deployment needs."""

import inspect
from typing import Any

import pytest
from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer

from orderhelp.auth import OPS_SCOPE
from orderhelp.local.template import functions, http_routes, load_template, resources

TEMPLATE = load_template()
TABLES = resources("AWS::DynamoDB::Table")


def only(kind: str) -> dict[str, Any]:
    (resource,) = resources(kind).values()
    return resource["Properties"]


def test_functions_run_python_3_11_on_arm64_with_active_tracing() -> None:
    function_globals = TEMPLATE["Globals"]["Function"]
    assert function_globals["Runtime"] == "python3.11"
    assert function_globals["Architectures"] == ["arm64"]
    assert function_globals["Tracing"] == "Active"
    for name in ("POWERTOOLS_SERVICE_NAME", "POWERTOOLS_LOG_LEVEL", "POWERTOOLS_METRICS_NAMESPACE"):
        assert name in function_globals["Environment"]["Variables"]
    for resource in resources("AWS::Serverless::Function").values():
        assert "Runtime" not in resource["Properties"], "one runtime, set in Globals"


@pytest.mark.parametrize("logical_id", sorted(TABLES))
def test_every_table_is_on_demand_recoverable_encrypted_and_protected(logical_id: str) -> None:
    props = TABLES[logical_id]["Properties"]
    assert props["BillingMode"] == "PAY_PER_REQUEST"
    assert props["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert props["SSESpecification"]["SSEEnabled"] is True
    # On unless the DeletionProtection parameter turns it off (for short-lived test stacks).
    condition, when_on, when_off = props["DeletionProtectionEnabled"]["Fn::If"]
    assert (when_on, when_off) == (True, False)
    assert TEMPLATE["Conditions"][condition] == {
        "Fn::Equals": [{"Ref": "DeletionProtection"}, "true"]
    }
    assert TEMPLATE["Parameters"]["DeletionProtection"]["Default"] == "true"


def test_the_idempotency_table_is_keyed_and_expired_as_powertools_writes_it() -> None:
    defaults = inspect.signature(DynamoDBPersistenceLayer).parameters
    props = TABLES["IdempotencyTable"]["Properties"]
    assert props["KeySchema"] == [
        {"AttributeName": defaults["key_attr"].default, "KeyType": "HASH"}
    ]
    assert props["TimeToLiveSpecification"] == {
        "AttributeName": defaults["expiry_attr"].default,
        "Enabled": True,
    }


def test_the_index_the_functions_are_told_about_exists() -> None:
    indexes = {
        index["IndexName"]
        for index in TABLES["OrdersTable"]["Properties"]["GlobalSecondaryIndexes"]
    }
    for spec in functions().values():
        assert spec.environment["ORDERS_BY_CUSTOMER_INDEX"] in indexes


def test_the_ops_scope_comes_from_a_resource_server_and_a_client_credentials_client() -> None:
    server = only("AWS::Cognito::UserPoolResourceServer")
    scopes = {f"{server['Identifier']}/{scope['ScopeName']}" for scope in server["Scopes"]}
    assert OPS_SCOPE in scopes
    clients = {
        c["Properties"]["ClientName"]: c["Properties"]
        for c in resources("AWS::Cognito::UserPoolClient").values()
    }
    machine = [c for c in clients.values() if c["AllowedOAuthFlows"] == ["client_credentials"]]
    assert len(machine) == 1
    assert machine[0]["GenerateSecret"] is True
    assert machine[0]["AllowedOAuthScopes"] == [OPS_SCOPE]
    people = [c for c in clients.values() if c is not machine[0]]
    assert people and all(not c.get("GenerateSecret") for c in people)
    assert all(OPS_SCOPE not in c.get("AllowedOAuthScopes", []) for c in people)


def test_every_route_needs_a_token_and_ops_routes_need_the_ops_scope() -> None:
    api = only("AWS::Serverless::HttpApi")
    authorizer = api["Auth"]["Authorizers"][api["Auth"]["DefaultAuthorizer"]]
    issuer = authorizer["JwtConfiguration"]["issuer"]["Fn::Sub"]
    assert issuer.startswith("https://cognito-idp.") and "${UserPool}" in issuer
    routes = list(http_routes())
    assert routes
    for route in routes:
        assert route.authorizer == api["Auth"]["DefaultAuthorizer"], route
        assert (OPS_SCOPE in route.scopes) == route.path.startswith("/ops/"), route


def test_outputs_name_the_api_tables_user_pool_and_clients() -> None:
    outputs = TEMPLATE["Outputs"]
    values = [str(output["Value"]) for output in outputs.values()]
    for logical_id in [*TABLES, "UserPool", *resources("AWS::Cognito::UserPoolClient")]:
        assert str({"Ref": logical_id}) in values, f"no output gives {logical_id}"
    assert any("HttpApi" in value and "execute-api" in value for value in values)
