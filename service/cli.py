"""`roadmap serve`, `roadmap worker` and `roadmap keys`: the service's commands. Only click is
imported here; the service itself is imported when a command runs, so that the other commands
of `roadmap` start as fast as before."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from service.config import Settings

_DATA_DIR = click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path),
                         help="Папка данных (база, загрузки, результаты); по умолчанию $ROADMAP_DATA_DIR или "
                              "./roadmap-data.")


def _settings(**overrides: Any) -> Settings:
    from service.config import Settings, SettingsError

    try:
        return Settings.from_env(**overrides)
    except SettingsError as exc:
        raise click.UsageError(str(exc)) from exc


@click.command("serve", short_help="Запустить сервис извлечения (HTTP API).")
@click.option("--host", default="127.0.0.1", show_default=True, help="Адрес, на котором принимать запросы.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="Порт.")
@_DATA_DIR
@click.option("--workers", type=click.IntRange(min=1),
              help="Число процессов исполнителя local (по умолчанию — по числу ядер).")
@click.option("--executor", type=click.Choice(["local", "celery"]),
              help="local — пул процессов в этом сервере (по умолчанию); celery — задачи уходят "
                   "в `roadmap worker` через Redis.")
def serve_command(host: str, port: int, data_dir: Path | None, workers: int | None, executor: str | None) -> None:
    """Запустить сервис извлечения: HTTP API по адресу /api/v1, документация — /api/v1/docs."""
    import uvicorn

    from service.api import create_app
    from service.auth import any_active_key, is_loopback
    from service.db import database

    settings = _settings(data_dir=data_dir, workers=workers, executor=executor)
    db = database(settings)
    db.migrate()
    if not any_active_key(db) and not (host == "localhost" or is_loopback(host)):
        click.echo(f"внимание: ключей API нет, поэтому запросы не с 127.0.0.1 будут отклонены (401); "
                   f"создайте ключ: roadmap keys create ИМЯ --data-dir {settings.data_dir}", err=True)
    click.echo(f"данные: {settings.data_dir}; исполнитель: {settings.executor}; "
               f"документация: http://{host}:{port}/api/v1/docs", err=True)
    uvicorn.run(create_app(settings), host=host, port=port, log_level="info", access_log=False)


@click.command("worker", short_help="Запустить обработчик Celery для сервиса (исполнитель celery).")
@_DATA_DIR
@click.option("--queues", default="fast,ocr", show_default=True,
              help="Очереди, из которых брать задачи: fast (Word, PDF с текстом), ocr (сканы) или обе.")
@click.option("--concurrency", type=click.IntRange(min=1),
              help="Число рабочих процессов (по умолчанию — по числу ядер).")
@click.option("--loglevel", default="INFO", show_default=True, help="Уровень журнала Celery.")
def worker_command(data_dir: Path | None, queues: str, concurrency: int | None, loglevel: str) -> None:
    """Запустить обработчик Celery для сервиса (исполнитель celery; брокер — $ROADMAP_BROKER_URL)."""
    from celery.signals import worker_process_init

    from service.celery_app import QUEUES, make_celery
    from service.db import database
    from service.executors import worker_started
    from service.jobs import configure

    settings = _settings(data_dir=data_dir, workers=concurrency, executor="celery")
    unknown = set(queues.split(",")) - set(QUEUES)
    if unknown:
        raise click.UsageError(f"нет таких очередей: {', '.join(sorted(unknown))} (есть: {', '.join(QUEUES)})")
    database(settings).migrate()
    import extractor.pipeline  # noqa: F401  (imported once here, shared by the forked children)

    configure(settings)
    main_pid = os.getpid()

    def child_started(**_: object) -> None:
        worker_started(settings, main_pid)

    worker_process_init.connect(child_started, weak=False)
    app = make_celery(settings)
    app.worker_main(["worker", "--queues", queues, "--concurrency", str(settings.workers), "--loglevel", loglevel,
                     "--hostname", f"roadmap-{os.getpid()}@%h", "--pool", "prefork",
                     "--without-gossip", "--without-mingle"])


@click.group("keys", short_help="Ключи API сервиса: создать, перечислить, отозвать.")
def keys_group() -> None:
    """Ключи API сервиса: create — создать, list — перечислить, revoke — отозвать."""


@keys_group.command("create")
@click.argument("name")
@_DATA_DIR
def keys_create(name: str, data_dir: Path | None) -> None:
    """Создать ключ: он печатается один раз, а хранится только его хеш."""
    from service.auth import create_key
    from service.db import database

    db = database(_settings(data_dir=data_dir))
    db.migrate()
    row, key = create_key(db, name)
    click.echo(key)
    click.echo(f"ключ {row.id} «{name}» создан; сохраните его: он больше не будет показан", err=True)


@keys_group.command("list", short_help="Перечислить ключи.")
@_DATA_DIR
def keys_list(data_dir: Path | None) -> None:
    """Перечислить ключи: номер, префикс, имя, когда создан, когда использован, отозван ли."""
    from service.auth import list_keys
    from service.db import database

    db = database(_settings(data_dir=data_dir))
    db.migrate()
    for row in list_keys(db):
        state = f"отозван {row.revoked_at:%Y-%m-%d %H:%M}" if row.revoked_at else "действует"
        used = f"{row.last_used_at:%Y-%m-%d %H:%M}" if row.last_used_at else "—"
        click.echo(f"{row.id}\t{row.prefix}…\t{row.name}\t{row.created_at:%Y-%m-%d %H:%M}\t{used}\t{state}")


@keys_group.command("revoke")
@click.argument("ident")
@_DATA_DIR
def keys_revoke(ident: str, data_dir: Path | None) -> None:
    """Отозвать ключ по номеру, имени или префиксу."""
    from service.auth import revoke_key
    from service.db import database

    db = database(_settings(data_dir=data_dir))
    db.migrate()
    count = revoke_key(db, ident)
    if not count:
        raise click.ClickException(f"нет действующего ключа «{ident}»")
    click.echo(f"отозвано ключей: {count}", err=True)


__all__ = ["keys_group", "serve_command", "worker_command"]
