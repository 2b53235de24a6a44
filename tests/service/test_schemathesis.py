"""schemathesis over the OpenAPI schema: every operation with generated input answers as its
schema says (no server error, declared status codes and content types, bodies that match), and
the submit -> job -> result links followed statefully. Small example counts keep it quick."""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path
from typing import Any

import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis.stateful import run_state_machine_as_test
from schemathesis import checks

from service.api import create_app
from service.auth import create_key
from service.db import database
from tests.service.helpers import make_settings

FAST = settings(max_examples=4, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))


def _load() -> tuple[Any, dict[str, str]]:
    """The app on a data folder of its own, with a key: loaded when the module is collected, as
    schemathesis' parametrize needs the schema then (its fixture loader fails on pytest 9)."""
    folder = Path(tempfile.mkdtemp(prefix="roadmap-schemathesis-"))
    atexit.register(shutil.rmtree, folder, True)
    config = make_settings(folder, max_upload_mb=1, convert_wait_max=0.2)
    db = database(config)
    db.migrate()  # the ASGI calls below do not run the app's lifespan
    _, key = create_key(db, "schemathesis")
    loaded = schemathesis.openapi.from_asgi("/api/v1/openapi.json", create_app(config, run_jobs=False))
    return loaded, {"Authorization": f"Bearer {key}"}


schema, AUTH = _load()


@schema.auth()
class ApiKey:
    """Every generated request carries the key (schemathesis' own auth checks still try without)."""

    def get(self, case: Any, context: Any) -> str:
        return AUTH["Authorization"]

    def set(self, case: Any, data: str, context: Any) -> None:
        case.headers = {**(case.headers or {}), "Authorization": data}


# Hints are checked beyond what JSON Schema says ("2020-2021", a JSON object of settings): a
# schema-valid but meaningless value is refused with 422 bad_options, by design.
EXCLUDED = [checks.positive_data_acceptance]


@schema.parametrize()
@FAST
def test_every_operation_answers_as_its_schema_says(case: Any) -> None:
    case.call_and_validate(excluded_checks=EXCLUDED)


def test_submit_then_follow_the_links() -> None:
    machine = schema.as_state_machine()
    seen: list[tuple[str, int]] = []

    class Workflow(machine):  # type: ignore[misc,valid-type]
        def validate_response(self, response: Any, case: Any, **kwargs: Any) -> None:
            seen.append((f"{case.method} {case.path}", response.status_code))
            case.validate_response(response, excluded_checks=EXCLUDED)

    run_state_machine_as_test(Workflow, settings=settings(max_examples=10, stateful_step_count=4, deadline=None,
                                                          derandomize=True, suppress_health_check=list(HealthCheck)))
    # the links were followed: a batch or job found by the id a submission returned
    followed = [(op, status) for op, status in seen if "_id}" in op and status in (200, 202, 409)]
    assert followed, "; ".join(f"{op} {status}" for op, status in seen)
