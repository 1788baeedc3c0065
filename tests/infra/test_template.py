"""infra/template.yaml keeps the promises of the API issue: the runtime and tracing, the Cognito
identities and scopes behind the HTTP API, data protection on every table, the idempotency
table as Powertools writes it, and the outputs a deployment needs."""

import inspect
from typing import Any

import pytest
from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer

from orderhelp.auth import OPS_SCOPE
from orderhelp_dev.local.site import CONTENT_SECURITY_POLICY, LOCAL_PREFIX
from orderhelp_dev.local.template import TEMPLATE as TEMPLATE_PATH
from orderhelp_dev.local.template import functions, http_routes, load_template, resources

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


# --- the web page's hosting -----------------------------------------------------------------------


def test_the_page_is_in_a_private_encrypted_bucket_read_only_by_its_distribution() -> None:
    bucket = resources("AWS::S3::Bucket")["WebBucket"]["Properties"]
    assert bucket["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    (rule,) = bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert rule["ServerSideEncryptionByDefault"]["SSEAlgorithm"] in ("AES256", "aws:kms")
    assert bucket["OwnershipControls"]["Rules"] == [{"ObjectOwnership": "BucketOwnerEnforced"}]
    assert "WebsiteConfiguration" not in bucket, "CloudFront serves it, not S3's website endpoint"

    policy = resources("AWS::S3::BucketPolicy")["WebBucketPolicy"]["Properties"]
    statements = policy["PolicyDocument"]["Statement"]
    allowed = [s for s in statements if s["Effect"] == "Allow"]
    assert len(allowed) == 1
    (reader,) = allowed
    assert reader["Principal"] == {"Service": "cloudfront.amazonaws.com"}
    assert reader["Action"] == "s3:GetObject"
    source = reader["Condition"]["StringEquals"]["AWS:SourceArn"]["Fn::Sub"]
    assert source.endswith(":distribution/${WebDistribution}")
    denied = [s for s in statements if s["Effect"] == "Deny"]
    assert any(s["Condition"] == {"Bool": {"aws:SecureTransport": False}} for s in denied)


def test_the_distribution_serves_the_bucket_over_https_only_through_origin_access_control() -> None:
    config = only("AWS::CloudFront::Distribution")["DistributionConfig"]
    assert config["DefaultRootObject"] == "index.html"
    (origin,) = config["Origins"]
    assert origin["DomainName"] == {"Fn::GetAtt": ["WebBucket", "RegionalDomainName"]}
    assert origin["OriginAccessControlId"] == {"Fn::GetAtt": ["WebOriginAccessControl", "Id"]}
    assert origin["S3OriginConfig"] == {"OriginAccessIdentity": ""}, "OAC, not the legacy OAI"
    access = only("AWS::CloudFront::OriginAccessControl")["OriginAccessControlConfig"]
    assert access["OriginAccessControlOriginType"] == "s3"
    assert access["SigningBehavior"] == "always"
    behaviour = config["DefaultCacheBehavior"]
    assert behaviour["ViewerProtocolPolicy"] == "https-only"
    assert behaviour["AllowedMethods"] == ["GET", "HEAD"]
    assert behaviour["ResponseHeadersPolicyId"] == {"Ref": "WebSecurityHeaders"}


def directives(policy: str) -> dict[str, set[str]]:
    parsed = {}
    for directive in policy.split(";"):
        name, *sources = directive.split()
        parsed[name] = set(sources)
    return parsed


def test_the_deployed_page_has_the_local_content_security_policy_plus_the_api_and_sign_in() -> None:
    headers = only("AWS::CloudFront::ResponseHeadersPolicy")["ResponseHeadersPolicyConfig"][
        "SecurityHeadersConfig"
    ]
    text, variables = headers["ContentSecurityPolicy"]["ContentSecurityPolicy"]["Fn::Sub"]
    deployed = directives(text)
    local = directives(CONTENT_SECURITY_POLICY)
    assert deployed.keys() == local.keys()
    for name, sources in local.items():
        if name != "connect-src":
            assert deployed[name] == sources, name
    assert deployed["connect-src"] - local["connect-src"] == {
        "https://*.execute-api.${AWS::Region}.${AWS::URLSuffix}",
        "https://${UserPoolDomain}.auth.${AWS::Region}.amazoncognito.com",
        "https://${Attachments}.s3.${AWS::Region}.${AWS::URLSuffix}",
        "https://${Attachments}.s3.${AWS::URLSuffix}",
    }
    # The attachments bucket's name, spelled as the bucket spells it (no reference: a cycle)
    bucket_name = resources("AWS::S3::Bucket")["AttachmentsBucket"]["Properties"]["BucketName"]
    prefix = bucket_name["Fn::Sub"][0].removesuffix("${StackUuid}")
    assert variables["Attachments"] == {
        "Fn::Join": ["-", [prefix.rstrip("-"), bucket_name["Fn::Sub"][1]["StackUuid"]]]
    }
    assert headers["StrictTransportSecurity"]["AccessControlMaxAgeSec"] >= 31536000


def test_the_hosted_sign_in_returns_to_the_page_and_the_api_lets_it_call() -> None:
    web_client = resources("AWS::Cognito::UserPoolClient")["WebClient"]["Properties"]
    page = {"Fn::Sub": "https://${WebDistribution.DomainName}/"}
    assert page in web_client["CallbackURLs"]
    assert page in web_client["LogoutURLs"]
    assert web_client["AllowedOAuthFlows"] == ["code"]
    assert not web_client.get("GenerateSecret"), "a page cannot keep a secret: PKCE instead"
    cors = only("AWS::Serverless::HttpApi")["CorsConfiguration"]
    assert cors["AllowOrigins"] == [{"Fn::Sub": "https://${WebDistribution.DomainName}"}]
    assert {"authorization", "content-type", "accept-language", "idempotency-key"} <= set(
        cors["AllowHeaders"]
    )


def test_the_local_sign_in_is_never_deployed() -> None:
    assert all(not route.path.startswith(LOCAL_PREFIX.rstrip("/")) for route in http_routes())
    assert LOCAL_PREFIX.strip("/") not in TEMPLATE_PATH.read_text("utf-8")


def test_the_attachments_bucket_is_private_encrypted_tls_only_and_expires_what_it_keeps() -> None:
    bucket = resources("AWS::S3::Bucket")["AttachmentsBucket"]["Properties"]
    assert all(bucket["PublicAccessBlockConfiguration"].values())
    (rule,) = bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert rule["ServerSideEncryptionByDefault"]["SSEAlgorithm"] in ("AES256", "aws:kms")
    assert bucket["OwnershipControls"]["Rules"] == [{"ObjectOwnership": "BucketOwnerEnforced"}]
    rules = {rule["Prefix"]: rule for rule in bucket["LifecycleConfiguration"]["Rules"]}
    assert rules["uploads/"]["ExpirationInDays"] == 1
    assert rules["files/"]["ExpirationInDays"] == {"Ref": "AttachmentRetentionDays"}
    (cors,) = bucket["CorsConfiguration"]["CorsRules"]
    assert cors["AllowedOrigins"] == [{"Fn::Sub": "https://${WebDistribution.DomainName}"}]
    assert cors["AllowedMethods"] == ["POST"]
    policy = resources("AWS::S3::BucketPolicy")["AttachmentsBucketPolicy"]["Properties"]
    (statement,) = policy["PolicyDocument"]["Statement"]
    assert statement["Effect"] == "Deny"
    assert statement["Condition"] == {"Bool": {"aws:SecureTransport": False}}
    # Only uploads under uploads/ wake the processing function
    (event,) = functions()["AttachmentProcessingFunction"].events.values()
    assert event["Properties"]["Bucket"] == {"Ref": "AttachmentsBucket"}
    assert event["Properties"]["Filter"]["S3Key"]["Rules"] == [
        {"Name": "prefix", "Value": "uploads/"}
    ]
