"""The celery executor's Celery app: Redis as the broker, two queues (fast formats; OCR), one
task that calls process_job. Delivery is at least once (acks_late, reject_on_worker_lost,
prefetch 1); exactly once comes from the job's claim in the database, where attempts are
counted too. Results go to the database, never to a Celery result backend."""

from __future__ import annotations

from celery import Celery
from kombu import Queue

from service.config import Settings

TASK = "roadmap.process_job"
QUEUES = ("fast", "ocr")


def make_celery(settings: Settings) -> Celery:
    from sqlalchemy.exc import OperationalError

    app = Celery("roadmap", broker=settings.broker_url, set_as_current=False)
    app.conf.update(
        task_acks_late=True,  # acknowledged after the job ran: a killed worker's task is delivered again
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,  # an OCR job must not hold fast ones back in a worker's buffer
        task_soft_time_limit=settings.soft_time_limit,
        task_time_limit=settings.hard_time_limit,
        broker_transport_options={"visibility_timeout": settings.visibility_timeout},
        worker_max_tasks_per_child=settings.max_tasks_per_child,
        worker_max_memory_per_child=settings.max_memory_per_child_mb * 1024,  # in KiB
        task_ignore_result=True,
        result_backend=None,
        task_queues=[Queue(name) for name in QUEUES],
        task_default_queue="fast",
        task_serializer="json",
        accept_content=["json"],
        broker_connection_retry_on_startup=True,
        worker_hijack_root_logger=False,
        enable_utc=True,
    )

    # a database that is briefly away: the task comes back later instead of being lost
    @app.task(name=TASK, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=10)
    def run(job_id: str) -> None:
        from service.jobs import process_job

        process_job(job_id)

    return app


__all__ = ["QUEUES", "TASK", "make_celery"]
