"""Shared test configuration."""

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
