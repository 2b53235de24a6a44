"""The checked-in JSON Schema is the one the models generate, and every output validates."""

from __future__ import annotations

import json

import jsonschema
import pytest

from models import ErrorDocument, Plan
from models.schema import SCHEMA_DIR, SCHEMA_FILES, render
from tests.conftest import extracted
from tests.seedtext import SAMPLES


@pytest.mark.parametrize("filename", sorted(SCHEMA_FILES))
def test_checked_in_schema_is_current(filename: str) -> None:
    checked_in = (SCHEMA_DIR / filename).read_text(encoding="utf-8")
    assert checked_in == render(SCHEMA_FILES[filename]), (
        f"models/schema/{filename} is stale: run python -m models.schema"
    )


@pytest.mark.parametrize("name", sorted(SAMPLES.values()))
def test_output_validates_against_schema(name: str) -> None:
    schema = json.loads((SCHEMA_DIR / "roadmap.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker()).validate(extracted(name))
    Plan.model_validate(extracted(name))


def test_error_document_validates() -> None:
    schema = json.loads((SCHEMA_DIR / "error.schema.json").read_text(encoding="utf-8"))
    doc = {"error": {"code": "no_plan_table", "message": "x", "filename": "a.docx"}}
    jsonschema.Draft202012Validator(schema).validate(doc)
    ErrorDocument.model_validate(doc)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft202012Validator(schema).validate({"error": {**doc["error"], "code": "nope"}})
