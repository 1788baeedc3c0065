"""What a Lambda execution environment keeps between invocations, forgotten at once.

The handlers create their settings, clients and services once per process (`functools.cache`);
tests and benchmarks that start a new world (new tables, a new environment) must start without
them, as a fresh execution environment would. Every cached factory of the Lambda code is found
here, so a new one can never be missed."""

import importlib
import pkgutil
from functools import _lru_cache_wrapper
from typing import Any

import orderhelp

_SKIPPED: tuple[str, ...] = ()


def _cached_factories() -> list[Any]:
    found = []
    for module_info in pkgutil.walk_packages(orderhelp.__path__, "orderhelp."):
        if module_info.name.startswith(_SKIPPED):
            continue
        module = importlib.import_module(module_info.name)
        for value in vars(module).values():
            if isinstance(value, _lru_cache_wrapper) and value.__module__ == module.__name__:
                found.append(value)
    return found


def forget_process_state() -> None:
    for cached in _cached_factories():
        cached.cache_clear()
