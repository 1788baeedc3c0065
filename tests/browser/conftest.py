"""Browser tests: one local stack and one Chromium for the session, a fresh browser context (its
own storage, so its own sign-in and language) and a fresh customer for each test."""

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from orderhelp.store import DynamoOrderStore
from orderhelp_dev.local.identities import TokenIssuer
from tests.browser.browser import AXE, chromium, new_page
from tests.e2e.shop import Shop
from tests.e2e.stack import Http, LocalStack, running_stack


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.path).parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    with running_stack(tmp_path_factory.mktemp("browser-stack")) as running:
        yield running


@pytest.fixture(scope="session")
def base_url(stack: LocalStack) -> str:
    return f"http://127.0.0.1:{stack.port}"


@pytest.fixture(scope="session")
def http(stack: LocalStack) -> Http:
    return stack.http


@pytest.fixture(scope="session")
def tokens(stack: LocalStack) -> TokenIssuer:
    return stack.tokens()


@pytest.fixture(scope="session")
def shop(http: Http, tokens: TokenIssuer) -> Shop:
    return Shop(http, tokens.ops())


@pytest.fixture(scope="session")
def store(stack: LocalStack) -> DynamoOrderStore:
    """The stack's store, to put cases in any state (`orderhelp_dev.local.cases.stage_case`)."""
    return stack.store()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    assert AXE.exists(), f"{AXE} is missing: `make test` installs it with npm ci in web/"
    with chromium() as running:
        yield running


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    opened = new_page(browser)
    yield opened
    errors = opened.page_errors  # type: ignore[attr-defined]
    opened.context.close()
    assert errors == [], f"the page threw: {errors}"


@pytest.fixture
def customer_id() -> str:
    """A customer of this test alone: the session's stack is shared."""
    return f"cust-{uuid.uuid4().hex[:12]}"
