"""`docs/events/`: one JSON Schema per detail type of the domain events bus, generated from their
pydantic models (`orderhelp.domain_events`), and an index of them. `orderhelp events-schemas`
writes them; a test fails when they drift from the models."""

import json
from pathlib import Path

from orderhelp.domain_events import DETAIL_TYPES, EVENT_SOURCE, MAPPINGS

EVENTS_FOLDER = "docs/events"


def schemas() -> dict[str, str]:
    """File name → text, for every detail type and the index."""
    files: dict[str, str] = {}
    for name, model in sorted(DETAIL_TYPES.items()):
        schema = model.model_json_schema(mode="serialization")
        schema = {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": f"{EVENT_SOURCE}/{name}",
            "description": f"The `detail` of a `{name}` event (source `{EVENT_SOURCE}`). "
            + (schema.pop("description", "") or ""),
        } | schema
        files[f"{name}.json"] = json.dumps(schema, indent=2, ensure_ascii=False) + "\n"
    emitted_by: dict[str, list[str]] = {name: [] for name in DETAIL_TYPES}
    for (kind, event), models in MAPPINGS.items():
        for model in models:
            emitted_by[model.__name__].append(f"{kind}:{event}")
    index = {
        "source": EVENT_SOURCE,
        "detail_types": {
            name: {"schema": f"{name}.json", "from_log_entries": sorted(emitted_by[name])}
            for name in sorted(DETAIL_TYPES)
        },
    }
    files["index.json"] = json.dumps(index, indent=2) + "\n"
    return files


def write(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in schemas().items():
        path = folder / name
        path.write_text(text, "utf-8")
        written.append(path)
    for stale in folder.glob("*.json"):
        if stale.name not in schemas():
            stale.unlink()
    return written
