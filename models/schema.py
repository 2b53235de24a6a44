"""The JSON Schema files generated from the models (checked in under models/schema/)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from models.roadmap import SCHEMA_VERSION, ErrorDocument, Plan

SCHEMA_DIR = Path(__file__).resolve().parent / "schema"
SCHEMA_FILES: dict[str, type[Plan] | type[ErrorDocument]] = {
    "roadmap.schema.json": Plan,
    "error.schema.json": ErrorDocument,
}


def schema_of(model: type[Plan] | type[ErrorDocument]) -> dict[str, Any]:
    schema = model.model_json_schema(mode="serialization")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"roadmap-extractor/{model.__name__}/{SCHEMA_VERSION}",
        **schema,
    }


def render(model: type[Plan] | type[ErrorDocument]) -> str:
    return json.dumps(schema_of(model), ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def write_all(target: Path = SCHEMA_DIR) -> list[Path]:
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for name, model in SCHEMA_FILES.items():
        path = target / name
        path.write_text(render(model), encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":
    for path in write_all():
        print(path)
