"""`make bench` is not run by `make test`; this keeps it from falling behind the template."""

import pytest

from orderhelp_dev.local.template import functions
from tests.bench import bench_cold


@pytest.mark.parametrize("function", sorted(functions()))
def test_every_function_has_a_cold_call_in_the_benchmark(function: str) -> None:
    event = bench_cold._first_call(function, run=0)
    assert isinstance(event, dict)
    assert event
