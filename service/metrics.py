"""Prometheus metrics at /metrics. Job figures are read from the database at each scrape, so
they are the same whichever API process answers and whichever worker ran the jobs, and they
survive restarts; only the HTTP latencies are this process's own."""

from __future__ import annotations

import time
from collections.abc import Iterator

from prometheus_client import CollectorRegistry, Histogram
from prometheus_client.core import GaugeMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import case, func, select
from starlette.types import ASGIApp, Receive, Scope, Send

from service.celery_app import QUEUES
from service.db import QUEUED, STATES, Database, Job, WebhookDelivery

BUCKETS = (0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0)


class JobCollector(Collector):
    def __init__(self, db: Database) -> None:
        self.db = db

    def collect(self) -> Iterator[Metric]:
        with self.db.session() as session:
            by_state = dict(session.execute(
                select(Job.status, func.count()).where(Job.deleted_at.is_(None)).group_by(Job.status)).all())
            depth = dict(session.execute(
                select(Job.queue, func.count()).where(Job.status == QUEUED, Job.deleted_at.is_(None))
                .group_by(Job.queue)).all())
            columns = [func.count(), func.coalesce(func.sum(Job.duration), 0.0)]
            columns += [func.sum(case((Job.duration <= bound, 1), else_=0)) for bound in BUCKETS]
            durations = session.execute(
                select(Job.status, *columns).where(Job.finished_at.is_not(None), Job.duration.is_not(None))
                .group_by(Job.status)).all()
            hooks = dict(session.execute(
                select(WebhookDelivery.status, func.count()).group_by(WebhookDelivery.status)).all())
        jobs = GaugeMetricFamily("roadmap_jobs", "Jobs by state (deleted ones left out).", labels=["state"])
        for state in STATES:
            jobs.add_metric([state], by_state.get(state, 0))
        yield jobs
        queue = GaugeMetricFamily("roadmap_queue_depth", "Jobs waiting, per queue.", labels=["queue"])
        for name in QUEUES:
            queue.add_metric([name], depth.get(name, 0))
        yield queue
        histogram = HistogramMetricFamily("roadmap_job_duration_seconds", "Time of the attempt that finished a job.",
                                          labels=["state"])
        for row in durations:
            status, count, total, *below = tuple(row)
            buckets = [(str(bound), int(n or 0)) for bound, n in zip(BUCKETS, below, strict=True)]
            histogram.add_metric([status], [*buckets, ("+Inf", int(count))], float(total))
        yield histogram
        deliveries = GaugeMetricFamily("roadmap_webhook_deliveries", "Webhook deliveries by state.", labels=["state"])
        for state in ("pending", "delivered", "failed"):
            deliveries.add_metric([state], hooks.get(state, 0))
        yield deliveries


def registry(db: Database) -> tuple[CollectorRegistry, Histogram]:
    """A registry of its own per app (tests make several apps in one process)."""
    reg = CollectorRegistry()
    reg.register(JobCollector(db))
    latency = Histogram("roadmap_http_request_duration_seconds", "HTTP request time in this process.",
                        ["method", "route"], registry=reg,
                        buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0))
    return reg, latency


class RequestTiming:
    """HTTP request time per method and route into the latency histogram. Plain ASGI: the
    decorator form (BaseHTTPMiddleware) costs a task and a stream per request."""

    def __init__(self, app: ASGIApp, latency: Histogram) -> None:
        self.app, self.latency = app, latency

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        try:
            await self.app(scope, receive, send)
        finally:
            route = getattr(scope.get("route"), "path", "unmatched")
            self.latency.labels(scope["method"], route).observe(time.perf_counter() - started)


__all__ = ["JobCollector", "RequestTiming", "registry"]
