"""What the local stack reads from templates: identities, functions, schedules."""

from pathlib import Path

from orderhelp_dev.local.identities import identity_provider, jwt_authorizers
from orderhelp_dev.local.lambda_runtime import function_runtimes
from orderhelp_dev.local.scheduler import rate_seconds, template_schedules
from orderhelp_dev.local.template import (
    LOCAL_REGION,
    TEMPLATE,
    functions,
    load_template,
    local_references,
)

ECHO_TEMPLATE = Path(__file__).parents[1] / "e2e" / "echo" / "template.yaml"


def test_identities_come_from_the_templates_user_pool() -> None:
    template = load_template()
    refs = local_references(template, LOCAL_REGION)
    (authorizer,) = jwt_authorizers(template, refs).values()
    assert authorizer.issuer == "https://cognito-idp.eu-west-1.amazonaws.com/UserPool"
    assert authorizer.audience == ("WebClient", "ShopSystemsClient")
    provider = identity_provider(template, authorizer)
    assert (provider.user_client, provider.machine_client) == ("WebClient", "ShopSystemsClient")
    assert provider.machine_scopes == ("orders/ops",)
    assert provider.agents_group == "agents"
    assert provider.user_token_seconds == provider.machine_token_seconds == 3600


def test_functions_run_with_their_code_layers_and_environment() -> None:
    template = load_template()
    runtimes = function_runtimes(TEMPLATE, local_references(template, LOCAL_REGION))
    customer = runtimes["CustomerApiFunction"]
    root = TEMPLATE.parents[1]
    assert customer.code_paths == (root / "functions", root / "statemachine")
    assert customer.environment["ORDERS_TABLE"] == "OrdersTable"
    assert customer.environment["RETURN_WINDOW_DAYS"] == "30"
    assert (customer.timeout, customer.memory_mb) == (10, 256)


def test_rates_are_read_in_seconds() -> None:
    assert rate_seconds("rate(1 minute)") == 60
    assert rate_seconds("rate(15 minutes)") == 900
    assert rate_seconds("rate(2 hours)") == 7200
    assert rate_seconds("rate(1 day)") == 86400
    assert rate_seconds("cron(0 12 * * ? *)") is None


def test_enabled_schedules_fire_on_their_rate_or_the_override() -> None:
    template = load_template(ECHO_TEMPLATE)
    refs = local_references(template, LOCAL_REGION)
    schedules = template_schedules(functions(template), refs)
    assert {(s.name, s.kind, s.every_seconds) for s in schedules} == {
        ("TickFunctionEveryFiveMinutes", "ScheduleV2", 300),
        ("TickFunctionHourly", "Schedule", 3600),
    }
    hourly = next(s for s in schedules if s.kind == "Schedule")
    assert hourly.event(LOCAL_REGION) == {"source": "hourly-rule"}
    faster = template_schedules(functions(template), refs, every_seconds=0.5)
    assert {s.every_seconds for s in faster} == {0.5}
