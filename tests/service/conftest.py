from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from service.api import create_app
from tests.service.helpers import Postgres, Redis, make_settings, stop, worker

LOOPBACK = ("127.0.0.1", 50000)


@pytest.fixture(scope="session")
def local_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """The service with the local executor (a process pool), as `roadmap serve` runs it."""
    settings = make_settings(tmp_path_factory.mktemp("local"))
    with TestClient(create_app(settings), client=LOOPBACK) as client:
        yield client


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Redis]:
    server = Redis(tmp_path_factory.mktemp("redis"))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def celery_client(tmp_path_factory: pytest.TempPathFactory, redis_server: Redis) -> Iterator[TestClient]:
    """The service with the celery executor: jobs go through Redis to a `roadmap worker`."""
    folder = tmp_path_factory.mktemp("celery")
    settings = make_settings(folder, executor="celery", broker_url=redis_server.url)
    with TestClient(create_app(settings), client=LOOPBACK) as client:
        process = worker(settings, folder / "worker.log")
        try:
            yield client
        finally:
            stop(process)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[Postgres]:
    server = Postgres()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def postgres_client(tmp_path_factory: pytest.TempPathFactory, postgres_server: Postgres) -> Iterator[TestClient]:
    """The service with the local executor and its state in PostgreSQL (ROADMAP_DATABASE_URL)."""
    settings = make_settings(tmp_path_factory.mktemp("postgres"), database_url=postgres_server.new_database())
    with TestClient(create_app(settings), client=LOOPBACK) as client:
        yield client


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest) -> str:
    """"" (SQLite in the data folder, the default) or an empty PostgreSQL database of the test's own."""
    if request.param == "sqlite":
        return ""
    server: Postgres = request.getfixturevalue("postgres_server")
    return server.new_database()


@pytest.fixture(params=["local", "celery", "postgres"])
def service_client(request: pytest.FixtureRequest) -> TestClient:
    client: TestClient = request.getfixturevalue(f"{request.param}_client")
    return client
