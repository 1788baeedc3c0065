"""Exactly once under faults, on every write route: a DynamoDB answer lost on the way back, a
DynamoDB that hangs, a connection reset. Each story runs twice — once undisturbed, once with the
fault — in fresh worlds whose ids come from the same counter, so the two can be compared item
for item: the same answer, the same items, never a second copy."""

from collections.abc import Callable
from typing import Any

import pytest

from tests.faults.conftest import FUNCTION_SECONDS, World
from tests.faults.proxy import FaultyProxy
from tests.faults.stories import STORIES, Story
from tests.handlers.client import Reply

KEY = {"idempotency-key": "fault-test-1"}
API_STORIES = [story for story in STORIES if story.keyed]

Worlds = Callable[[], Any]


_UNDISTURBED: dict[tuple[str, tuple[tuple[str, str], ...]], tuple[Reply, list[dict[str, Any]]]] = {}
"""Each story's undisturbed answer and table, worked out once per run: every world starts from
the same clock and the same id counter, so a story undisturbed always ends the same (the
comparisons below rely on exactly that), and its lost-answer, reset and hang tests share it."""


def undisturbed(
    worlds: Worlds, story: Story, headers: dict[str, str] | None = None
) -> tuple[Reply, list[dict[str, Any]]]:
    key = (story.route, tuple(sorted((headers or {}).items())))
    if key not in _UNDISTURBED:
        with worlds() as world:
            context = story.given(world.api)
            reply = story.when(world.api, context, headers)
            assert reply.status in (200, 201), reply
            _UNDISTURBED[key] = reply, world.orders_table()
    return _UNDISTURBED[key]


def disturbed(
    worlds: Worlds,
    story: Story,
    fault: Callable[[FaultyProxy], None],
    headers: dict[str, str] | None = None,
) -> tuple[Reply, list[dict[str, Any]], World]:
    with worlds() as world:
        context = story.given(world.api)
        fault(world.proxy)
        reply = story.when(world.api, context, headers)
        return reply, world.orders_table(), world


@pytest.mark.parametrize("story", STORIES, ids=lambda story: story.route)
def test_a_lost_answer_changes_nothing_the_caller_or_the_table_sees(
    worlds: Worlds, story: Story
) -> None:
    # Given the story's answer and table without any fault
    expected, expected_items = undisturbed(worlds, story)

    # When DynamoDB applies the story's transaction but its answer never arrives (the SDK
    # retries the same transaction)
    reply, items, world = disturbed(worlds, story, lambda proxy: proxy.drop("TransactWriteItems"))

    # Then the caller gets the same answer, and the table holds the same items: one copy
    assert world.proxy.faulted["TransactWriteItems"] == 1
    assert (reply.status, reply.body) == (expected.status, expected.body)
    assert items == expected_items


@pytest.mark.parametrize("story", STORIES, ids=lambda story: story.route)
def test_a_reset_connection_changes_nothing_the_caller_or_the_table_sees(
    worlds: Worlds, story: Story
) -> None:
    expected, expected_items = undisturbed(worlds, story)

    reply, items, world = disturbed(worlds, story, lambda proxy: proxy.reset("TransactWriteItems"))

    assert world.proxy.faulted["TransactWriteItems"] == 1
    assert (reply.status, reply.body) == (expected.status, expected.body)
    assert items == expected_items


@pytest.mark.parametrize("story", API_STORIES, ids=lambda story: story.route)
def test_a_hung_dynamodb_is_503_in_time_and_the_retry_with_the_key_writes_once(
    worlds: Worlds, story: Story
) -> None:
    # Given the story's answer and table without any fault, with an Idempotency-Key
    expected, expected_items = undisturbed(worlds, story, KEY)

    with worlds() as world:
        context = story.given(world.api)
        # When DynamoDB applies the transaction and then never answers
        world.proxy.hang("TransactWriteItems", forward=True)
        world.api.timeout = FUNCTION_SECONDS
        first = story.when(world.api, context, KEY)
        world.api.timeout = None

        # Then the caller is told, before the function's time is up, that the change may have
        # been applied and to retry with the same key
        assert first.status == 503, first
        assert first.error["code"] == "temporarily_unavailable"
        assert first.error["may_have_been_applied"] is True
        assert "Idempotency-Key" in first.error["message"]
        assert int(first.headers["retry-after"]) > 0

        # And the retry with the same key, DynamoDB healed, answers what was done and writes
        # nothing twice
        world.proxy.heal()
        retried = story.when(world.api, context, KEY)
        assert (retried.status, retried.body) == (expected.status, expected.body)
        assert world.orders_table() == expected_items


@pytest.mark.parametrize("story", API_STORIES[:3], ids=lambda story: story.route)
def test_a_read_that_hangs_is_503_saying_nothing_was_changed(worlds: Worlds, story: Story) -> None:
    with worlds() as world:
        context = story.given(world.api)
        before = world.orders_table()
        world.proxy.hang("Query", forward=False)
        world.api.timeout = FUNCTION_SECONDS

        reply = story.when(world.api, context, None)

        assert reply.status == 503, reply
        assert reply.error["may_have_been_applied"] is False
        world.proxy.heal()
        assert world.orders_table() == before


@pytest.mark.parametrize(
    "story", [story for story in STORIES if not story.keyed], ids=lambda story: story.route
)
def test_a_scheduled_run_that_hangs_is_finished_by_the_next_run_once(
    worlds: Worlds, story: Story
) -> None:
    _, expected_items = undisturbed(worlds, story)

    with worlds() as world:
        context = story.given(world.api)
        world.proxy.hang("TransactWriteItems", forward=True)
        story.when(world.api, context, None)
        world.proxy.heal()

        # The next run finds the work done (or does what is left), and nothing is doubled.
        story.when(world.api, context, None)
        assert world.orders_table() == expected_items
