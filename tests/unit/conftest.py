"""The unit tests run fastest first: the property tests, which take most of the time, run after
the others, so `pytest -x` (and each mutant of `make mutation`) stops at a quick failure first."""

from pathlib import Path

import pytest

HERE = Path(__file__).parent


def is_unit_property_test(item: pytest.Item) -> bool:
    hypothesis = getattr(getattr(item, "obj", None), "is_hypothesis_test", False)
    return bool(hypothesis) and item.path.is_relative_to(HERE)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # A stable sort: every other test keeps its place.
    items.sort(key=is_unit_property_test)
