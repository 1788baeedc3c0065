"""Never a silent failure: a lost connection, a server error, an expired session and a page
without its settings are said in words; a retried POST keeps its Idempotency-Key."""

import base64
import hashlib
import json
import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from playwright.sync_api import Page, Request, Route, expect

from orderhelp_dev.local.identities import SigningKey, TokenIssuer
from orderhelp_dev.local.template import load_template
from tests.browser.browser import open_form, sign_in
from tests.e2e.shop import Shop
from tests.e2e.stack import LocalStack


def test_a_lost_connection_is_said_in_words_and_trying_again_works(
    page: Page, base_url: str, shop: Shop, customer_id: str
) -> None:
    order_id = shop.paid_order(customer_id)
    sign_in(page, base_url, customer_id)
    page.route("**/orders/*", lambda route: route.abort("internetdisconnected"))
    page.goto(f"{base_url}/#/orders/{order_id}")
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text(
        "We could not reach the service. Check your connection and try again."
    )
    expect(alert).to_be_focused()
    page.unroute("**/orders/*")
    alert.get_by_role("button", name="Try again").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Order {order_id}")


def test_a_server_error_is_said_in_words(page: Page, base_url: str, customer_id: str) -> None:
    sign_in(page, base_url, customer_id)
    page.route(
        "**/orders?*",
        lambda route: route.fulfill(
            status=500,
            content_type="application/json",
            body=json.dumps({"error": {"code": "internal_error", "message": "boom"}}),
        ),
    )
    page.goto(f"{base_url}/#/orders")
    page.reload()
    expect(page.get_by_role("alert")).to_contain_text(
        "Something went wrong on our side (error 500). Please try again in a moment."
    )


def test_an_expired_session_goes_back_to_sign_in_and_then_back_to_the_page(
    page: Page, base_url: str, shop: Shop, stack: LocalStack, customer_id: str
) -> None:
    order_id = shop.paid_order(customer_id)
    sign_in(page, base_url, customer_id)
    # The token the page holds expires (the API's authorizer refuses it: 401)
    provider = stack.tokens().provider
    an_hour_ago = TokenIssuer(
        SigningKey.from_pem(stack.state.read_key()),
        provider,
        clock=lambda: time.time() - 2 * provider.user_token_seconds,
    )
    expired = an_hour_ago.customer(customer_id)
    page.evaluate(
        """token => {
            const stored = JSON.parse(sessionStorage.getItem('orderhelp.session'));
            stored.access_token = token;
            sessionStorage.setItem('orderhelp.session', JSON.stringify(stored));
        }""",
        expired,
    )
    page.goto(f"{base_url}/#/orders/{order_id}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    expect(page.get_by_role("alert")).to_have_text(
        "Your session has expired. Please sign in again."
    )
    # Signing in again returns to the order
    page.locator("input[name=user_id]").fill(customer_id)
    page.locator("form button[type=submit]").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Order {order_id}")


def test_a_retry_after_a_lost_answer_reuses_the_idempotency_key(
    page: Page, base_url: str, shop: Shop, customer_id: str
) -> None:
    order_id = shop.paid_order(customer_id)
    sign_in(page, base_url, customer_id)
    open_form(page, base_url, order_id, "payment_issue")
    sent: list[dict[str, str]] = []
    page.on(
        "request",
        lambda request: sent.append(request.headers) if request.method == "POST" else None,
    )

    def lose_the_first_answer(route: Route, request: Request) -> None:
        # The API does the work; the answer never reaches the page.
        route.fetch()
        route.abort("connectionreset")
        page.unroute("**/help/payment_issue", lose_the_first_answer)

    page.route("**/help/payment_issue", lose_the_first_answer)
    page.get_by_label("Your message").fill("Me han cobrado dos veces")
    page.get_by_role("button", name="Send to customer service").click()
    alert = page.locator(".form-alert [role=alert]")
    expect(alert).to_contain_text("We could not reach the service.")
    expect(alert).to_be_focused()

    alert.get_by_role("button", name="Try again").click()
    # The API answers the retry as it answered the first request: the case it opened then
    notice = page.locator(".outcome")
    expect(notice.locator("h2")).to_have_text("Your request has been sent to customer service.")
    assert len(sent) == 2
    assert sent[0]["idempotency-key"] == sent[1]["idempotency-key"]
    assert sent[0]["accept-language"] == "en"

    # A new request about the same topic is a new intent: a new key, and it joins the case
    page.locator(".order-layout ul.actions").get_by_role(
        "link", name="Report a payment problem"
    ).click()
    page.get_by_label("Your message").fill("¿Alguna novedad?")
    page.get_by_role("button", name="Send to customer service").click()
    expect(page.locator(".outcome h2")).to_have_text(
        "We have added this to your open request about the same topic."
    )
    assert len(sent) == 3
    assert sent[2]["idempotency-key"] not in (sent[0]["idempotency-key"], "")
    details = shop.http.call("GET", f"/ops/orders/{order_id}", token=shop.token)
    assert details.status == 200


def test_the_language_goes_with_every_request(
    page: Page, base_url: str, shop: Shop, customer_id: str
) -> None:
    order_id = shop.paid_order(customer_id)
    sign_in(page, base_url, customer_id)
    languages: list[str] = []
    page.on(
        "request",
        lambda request: (
            languages.append(request.headers.get("accept-language", ""))
            if f"/orders/{order_id}" in request.url
            else None
        ),
    )
    page.get_by_role("button", name="Español", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mis pedidos")
    page.goto(f"{base_url}/#/orders/{order_id}")
    # The API's own words (its labels) come back in Spanish
    expect(
        page.locator("ul.unavailable li[data-action=return_request] .action-label")
    ).to_have_text("Devolver artículos")
    assert languages and set(languages) == {"es"}


def test_a_page_without_its_settings_says_so(page: Page, base_url: str) -> None:
    page.route("**/config.json", lambda route: route.fulfill(status=503, body="unavailable"))
    page.goto(f"{base_url}/")
    expect(page.get_by_role("alert")).to_have_text(
        "The page could not load its settings. Please reload it in a moment."
    )


# --- the hosted sign-in (deployed), against a stand-in for Cognito's endpoints -------------------

AUTH_DOMAIN = "https://auth.example.test"


def deployed_config(base_url: str) -> dict[str, Any]:
    """The template's WebConfig output, with the values a deployment would give it."""
    template = load_template()
    text, values = template["Outputs"]["WebConfig"]["Value"]["Fn::Sub"]
    assert "ApiUrl" in values
    filled = {
        "${ApiUrl}": base_url,
        "${UserPoolDomain}.auth.${AWS::Region}.amazoncognito.com": "auth.example.test",
        "${WebClient}": "web-client-id",
        "${WebDistribution.DomainName}/": base_url.removeprefix("https://").split("//")[-1] + "/",
    }
    for placeholder, value in filled.items():
        assert placeholder in text, placeholder
        text = text.replace(placeholder, value)
    config: dict[str, Any] = json.loads(text)
    config["cognito"]["redirect_uri"] = f"{base_url}/"  # the test serves over http
    return config


def deployed_csp() -> str:
    """The content security policy CloudFront gives the page, for the stand-in domains."""
    template = load_template()
    policy = template["Resources"]["WebSecurityHeaders"]["Properties"][
        "ResponseHeadersPolicyConfig"
    ]["SecurityHeadersConfig"]["ContentSecurityPolicy"]["ContentSecurityPolicy"]["Fn::Sub"]
    # `!Sub [text, {Attachments: the bucket's name}]`: the bucket is spelled from its name.
    text, names = policy if isinstance(policy, list) else (policy, {})
    cognito = "https://${UserPoolDomain}.auth.${AWS::Region}.amazoncognito.com"
    assert cognito in text
    filled = {
        cognito: AUTH_DOMAIN,
        "${AWS::Region}": "eu-west-1",
        "${AWS::URLSuffix}": "amazonaws.com",
        **{f"${{{name}}}": "order-help-attachments-test" for name in names},
    }
    for placeholder, value in filled.items():
        text = text.replace(placeholder, value)
    assert "${" not in text, text
    return str(text)


def as_deployed(route: Route) -> None:
    """The page's document with the deployed headers instead of the local stack's."""
    served = route.fetch()
    headers = served.headers | {"content-security-policy": deployed_csp()}
    route.fulfill(response=served, headers=headers)


def test_deployed_the_page_signs_in_with_the_hosted_sign_in_and_pkce(
    page: Page, base_url: str, shop: Shop, stack: LocalStack, customer_id: str
) -> None:
    order_id = shop.paid_order(customer_id)
    config = deployed_config(base_url)
    assert config["auth"] == "cognito"
    page.route("**/config.json", lambda route: route.fulfill(json=config))
    page.route(lambda url: urlsplit(url).path == "/" and url.startswith(base_url), as_deployed)
    asked: dict[str, Any] = {}

    def cognito(route: Route, request: Request) -> None:
        url = urlsplit(request.url)
        if url.path == "/oauth2/authorize":
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            asked["authorize"] = query
            back = f"{query['redirect_uri']}?code=the-code&state={query['state']}"
            # The hosted page signs the customer in and sends the browser back with a code.
            route.fulfill(
                content_type="text/html",
                body=f'<meta http-equiv="refresh" content="0;url={back}">',
            )
        elif url.path == "/oauth2/token":
            form = {k: v[0] for k, v in parse_qs(request.post_data or "").items()}
            asked["token"] = form
            id_token = (
                ".".join(
                    base64.urlsafe_b64encode(json.dumps(part).encode()).decode().rstrip("=")
                    for part in ({"alg": "none"}, {"email": "ana@example.test"})
                )
                + ".sig"
            )
            route.fulfill(
                json={
                    "access_token": stack.tokens().customer(customer_id),
                    "id_token": id_token,
                    "expires_in": 3600,
                    "token_type": "Bearer",
                },
                headers={"access-control-allow-origin": "*"},
            )
        elif url.path == "/logout":
            asked["logout"] = {k: v[0] for k, v in parse_qs(url.query).items()}
            route.fulfill(status=200, content_type="text/html", body="<p>signed out</p>")
        else:
            route.fulfill(status=404)

    page.route(f"{AUTH_DOMAIN}/**", cognito)
    page.goto(f"{base_url}/#/orders/{order_id}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    page.get_by_role("button", name="Sign in with your account").click()

    # Back from the hosted sign-in, on the page the customer wanted, signed in
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Order {order_id}")
    expect(page.locator(".account")).to_contain_text("Signed in as ana@example.test")
    assert "code=" not in page.url
    authorize, token = asked["authorize"], asked["token"]
    assert authorize["response_type"] == "code"
    assert authorize["client_id"] == "web-client-id"
    assert authorize["redirect_uri"] == f"{base_url}/"
    assert authorize["scope"] == "openid email"
    assert authorize["code_challenge_method"] == "S256"
    assert token["grant_type"] == "authorization_code"
    assert token["code"] == "the-code"
    assert token["client_id"] == "web-client-id"
    assert token["redirect_uri"] == f"{base_url}/"
    challenge = hashlib.sha256(token["code_verifier"].encode()).digest()
    assert base64.urlsafe_b64encode(challenge).decode().rstrip("=") == authorize["code_challenge"]

    # Signing out ends the hosted sign-in's session too
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{AUTH_DOMAIN}/logout**")
    assert asked["logout"] == {"client_id": "web-client-id", "logout_uri": f"{base_url}/"}


def test_the_deployed_settings_name_what_the_page_reads() -> None:
    """The template's WebConfig and the page's config reader agree on the fields."""
    reader = (Path(__file__).parents[2] / "web" / "js" / "config.js").read_text("utf-8")
    config = deployed_config("https://d111.cloudfront.net")
    assert set(config) == {"auth", "api_url", "cognito"}
    for field in config["cognito"]:
        assert f'"{field}"' in reader, field


def test_a_language_that_does_not_load_is_said_and_can_be_tried_again(
    page: Page, base_url: str, customer_id: str
) -> None:
    sign_in(page, base_url, customer_id)
    page.route("**/locales/es.json", lambda route: route.abort("internetdisconnected"))
    page.get_by_role("button", name="Español", exact=True).click()
    alert = page.locator(".language-failed")
    expect(alert).to_contain_text("We could not reach the service.")
    expect(alert).to_be_focused()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.unroute("**/locales/es.json")
    alert.get_by_role("button", name="Try again").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mis pedidos")
