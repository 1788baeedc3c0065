"""`docs/events/` is generated from the detail models and committed: it must not drift."""

from pathlib import Path

from orderhelp_dev.event_schemas import schemas

FOLDER = Path(__file__).resolve().parents[2] / "docs" / "events"


def test_the_committed_event_schemas_are_the_generated_ones() -> None:
    expected = schemas()
    committed = {path.name: path.read_text("utf-8") for path in FOLDER.glob("*.json")}
    assert committed == expected, "docs/events is stale: run `orderhelp events-schemas`"


def test_every_schema_requires_what_every_event_says() -> None:
    import json

    for name, text in schemas().items():
        if name == "index.json":
            continue
        schema = json.loads(text)
        assert {"event_id", "order_id", "version", "occurred_at", "actor"} <= set(
            schema["required"]
        ), name
