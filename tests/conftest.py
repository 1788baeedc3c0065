"""Shared test configuration."""

from typing import Any

from hypothesis import HealthCheck, settings

settings.register_profile(
    "default", deadline=None, suppress_health_check=[HealthCheck.too_slow], max_examples=120
)
# `make mutation` (--hypothesis-profile=mutation) runs the unit tests once per mutant: the same
# examples every time and no example database carried from one mutant to the next, so a score
# never depends on luck; fewer of them, as the surviving mutants pay for the whole suite.
settings.register_profile(
    "mutation",
    parent=settings.get_profile("default"),
    derandomize=True,
    database=None,
    max_examples=50,
)
settings.load_profile("default")


def pytest_xdist_make_scheduler(config: Any, log: Any) -> Any:
    """Under pytest-xdist (`make test`), tests/e2e and tests/browser are each one unit of work, so
    each session's local stack (and the browser) starts on one worker only; any other module is
    a unit of its own, so its module-scoped world is built once. Units go out in collection
    order, so the two heaviest (browser, then e2e) start first, on different workers.

    (pytest-xdist's `--dist loadgroup` marks do not group anything with pytest 9: it renames
    nodes, which pytest 9 no longer lets it do.)"""
    from xdist.scheduler import LoadScopeScheduling

    class LocalStacksTogether(LoadScopeScheduling):  # type: ignore[misc]
        def _split_scope(self, nodeid: str) -> str:
            parts = nodeid.split("/")
            if len(parts) > 2 and parts[0] == "tests" and parts[1] in HEAVY_DIRECTORIES:
                return parts[1]
            return nodeid.split("::", 1)[0]

    config.option.loadscopereorder = False  # (by test count, both could land on one worker)
    return LocalStacksTogether(config, log)


HEAVY_DIRECTORIES = ("e2e", "browser")
"""Where the tests share a local stack in a subprocess, started once per test session."""
