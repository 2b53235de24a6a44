"""The extraction service (issue 13): an HTTP API over extractor.extract and the workflow code,
with durable jobs in a database, uploads and results in a blob folder, and two executors (a
local process pool, or Celery workers on Redis). The top layer beside the CLI: nothing below
imports it.

    config      one frozen Settings from the environment
    db          SQLAlchemy models, engines, Alembic migrations applied on start
    blobs       the blob folder (uploads, results), written atomically
    jobs        process_job(job_id): claim, extract with a time limit, store once, finish
    executors   local (process pool) and celery dispatch; maintenance (leases, cleanup)
    api         the FastAPI app under /api/v1
"""
