"""The shapes of the events AWS sends, as AWS documents them, for comparing ours against.

API Gateway HTTP API, payload format 2.0 ("Working with AWS Lambda proxy integrations for HTTP
APIs"), and the scheduled event EventBridge sends. Values are placeholders of the JSON type AWS
sends; only the keys and types matter. Optional parts are marked in `OPTIONAL_*`."""

from typing import Any

HTTP_API_EVENT: dict[str, Any] = {
    "version": "2.0",
    "routeKey": "POST /path/{id}",
    "rawPath": "/path/1",
    "rawQueryString": "a=1&a=2&b=3",
    "cookies": ["cookie1"],
    "headers": {"header1": "value1"},
    "queryStringParameters": {"a": "1,2", "b": "3"},
    "requestContext": {
        "accountId": "123456789012",
        "apiId": "api-id",
        "authorizer": {"jwt": {"claims": {"claim1": "value1"}, "scopes": ["scope1"]}},
        "domainName": "id.execute-api.us-east-1.amazonaws.com",
        "domainPrefix": "id",
        "http": {
            "method": "POST",
            "path": "/path/1",
            "protocol": "HTTP/1.1",
            "sourceIp": "192.0.2.1",
            "userAgent": "agent",
        },
        "requestId": "id",
        "routeKey": "POST /path/{id}",
        "stage": "$default",
        "time": "12/Mar/2020:19:03:58 +0000",
        "timeEpoch": 1583348638390,
    },
    "body": "eyJ0ZXN0IjoiYm9keSJ9",
    "pathParameters": {"id": "1"},
    "isBase64Encoded": True,
}
"""Without the parts only mutual TLS (`requestContext.authentication`) and stage variables
(`stageVariables`) add, which this API uses neither of."""

SCHEDULED_EVENT_KEYS = frozenset(
    {"id", "detail-type", "source", "account", "time", "region", "resources", "detail", "version"}
)
