"""Settings, the database schema (Alembic migrations against the models) and the blob folder."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from service.blobs import BlobStore, safe_filename
from service.config import Settings, SettingsError
from service.db import Base, Database
from tests.service.helpers import Postgres


def test_settings_come_from_the_environment_and_are_frozen(tmp_path: Path) -> None:
    settings = Settings.from_env({"ROADMAP_DATA_DIR": str(tmp_path), "ROADMAP_WORKERS": "3",
                                  "ROADMAP_EXECUTOR": "celery", "ROADMAP_RESULT_TTL_HOURS": "2"}, workers=None)
    assert (settings.data_dir, settings.workers, settings.executor) == (tmp_path, 3, "celery")
    assert settings.result_ttl == 7200
    assert settings.db_url == f"sqlite:///{tmp_path / 'roadmap.sqlite3'}"
    assert settings.visibility_timeout > settings.hard_time_limit > settings.soft_time_limit > settings.job_timeout
    with pytest.raises(ValueError):
        settings.workers = 5
    assert Settings.from_env(settings.environ()) == settings
    with pytest.raises(SettingsError, match="ROADMAP_WORKERS"):
        Settings.from_env({"ROADMAP_WORKERS": "ноль"})


def test_default_data_folder_is_relative_to_the_working_directory(monkeypatch: pytest.MonkeyPatch,
                                                                   tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    assert Settings.from_env({}).data_dir == tmp_path / "roadmap-data"


def test_migrations_make_the_models_schema_in_wal_mode(tmp_path: Path) -> None:
    db = Database(Settings(data_dir=tmp_path))
    db.migrate()
    db.migrate()  # a second start finds the schema current
    with db.engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar() == "0001"


def test_migrations_make_the_models_schema_in_postgresql(tmp_path: Path, postgres_server: Postgres) -> None:
    db = Database(Settings(data_dir=tmp_path, database_url=postgres_server.new_database()))
    db.migrate()
    db.migrate()
    with db.engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar() == "0001"
    db.dispose()


def test_blobs_are_written_whole_or_not_at_all(tmp_path: Path) -> None:
    store = BlobStore(tmp_path / "blobs")
    data = "План «дорожная карта»".encode() * 1000
    size, digest = store.write_stream("uploads/b/0/план.docx", io.BytesIO(data))
    assert (size, digest) == (len(data), hashlib.sha256(data).hexdigest())
    assert store.path("uploads/b/0/план.docx").read_bytes() == data

    class Failing(io.BytesIO):
        def read(self, size: int | None = -1) -> bytes:
            if self.tell() > 10:
                raise OSError("обрыв соединения")
            return super().read(8)

    with pytest.raises(OSError):
        store.write_stream("uploads/b/1/x.docx", Failing(b"0123456789" * 10))
    assert not store.exists("uploads/b/1/x.docx")
    assert not list((tmp_path / "blobs" / "uploads" / "b" / "1").glob("*"))

    store.remove("uploads/b/0/план.docx")
    assert not (tmp_path / "blobs" / "uploads" / "b" / "0").exists()  # emptied folders go too
    with pytest.raises(ValueError):
        store.path("../outside")


def test_safe_filename_keeps_the_name_but_not_folders() -> None:
    assert safe_filename("папка/план 2024.docx") == "план 2024.docx"
    assert safe_filename("C:\\docs\\plan.docx") == "plan.docx"
    assert safe_filename("..") == "file"
    long = "я" * 300 + ".docx"
    assert safe_filename(long).endswith(".docx") and len(safe_filename(long).encode()) <= 200
