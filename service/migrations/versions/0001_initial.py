"""The initial schema: batches, jobs, API keys, webhook deliveries.

Revision ID: 0001
Revises:
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("api_keys",
    sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
    sa.Column("name", sa.String(length=200), nullable=False),
    sa.Column("prefix", sa.String(length=16), nullable=False),
    sa.Column("key_hash", sa.String(length=64), nullable=False),
    sa.Column("created_at", sa.DateTime(), nullable=False),
    sa.Column("last_used_at", sa.DateTime(), nullable=True),
    sa.Column("revoked_at", sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint("id"),
    sa.UniqueConstraint("key_hash")
    )
    op.create_table("batches",
    sa.Column("id", sa.String(length=32), nullable=False),
    sa.Column("owner", sa.String(length=64), nullable=False),
    sa.Column("created_at", sa.DateTime(), nullable=False),
    sa.Column("idempotency_key", sa.String(length=200), nullable=True),
    sa.Column("request_hash", sa.String(length=64), nullable=True),
    sa.Column("single", sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint("id"),
    sa.UniqueConstraint("owner", "idempotency_key", name="uq_batches_owner_idempotency_key")
    )
    op.create_table("webhook_deliveries",
    sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
    sa.Column("job_id", sa.String(length=32), nullable=False),
    sa.Column("url", sa.String(length=2000), nullable=False),
    sa.Column("event", sa.String(length=40), nullable=False),
    sa.Column("payload", sa.Text(), nullable=False),
    sa.Column("status", sa.String(length=20), nullable=False),
    sa.Column("attempts", sa.Integer(), nullable=False),
    sa.Column("next_attempt_at", sa.DateTime(), nullable=False),
    sa.Column("last_status_code", sa.Integer(), nullable=True),
    sa.Column("last_error", sa.Text(), nullable=True),
    sa.Column("created_at", sa.DateTime(), nullable=False),
    sa.Column("delivered_at", sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint("id")
    )
    with op.batch_alter_table("webhook_deliveries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_webhook_deliveries_job_id"), ["job_id"], unique=False)
        batch_op.create_index("ix_webhooks_due", ["status", "next_attempt_at"], unique=False)

    op.create_table("jobs",
    sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
    sa.Column("id", sa.String(length=32), nullable=False),
    sa.Column("batch_id", sa.String(length=32), nullable=False),
    sa.Column("owner", sa.String(length=64), nullable=False),
    sa.Column("filename", sa.String(length=500), nullable=False),
    sa.Column("member", sa.String(length=1000), nullable=True),
    sa.Column("format", sa.String(length=20), nullable=True),
    sa.Column("pages", sa.Integer(), nullable=True),
    sa.Column("size", sa.Integer(), nullable=False),
    sa.Column("sha256", sa.String(length=64), nullable=True),
    sa.Column("queue", sa.String(length=20), nullable=False),
    sa.Column("status", sa.String(length=20), nullable=False),
    sa.Column("stage", sa.String(length=20), nullable=False),
    sa.Column("progress", sa.Float(), nullable=False),
    sa.Column("attempts", sa.Integer(), nullable=False),
    sa.Column("lease_token", sa.String(length=32), nullable=True),
    sa.Column("lease_expires_at", sa.DateTime(), nullable=True),
    sa.Column("created_at", sa.DateTime(), nullable=False),
    sa.Column("dispatched_at", sa.DateTime(), nullable=True),
    sa.Column("started_at", sa.DateTime(), nullable=True),
    sa.Column("finished_at", sa.DateTime(), nullable=True),
    sa.Column("duration", sa.Float(), nullable=True),
    sa.Column("error_code", sa.String(length=40), nullable=True),
    sa.Column("error_message", sa.Text(), nullable=True),
    sa.Column("options", sa.JSON(), nullable=False),
    sa.Column("upload_blob", sa.String(length=1000), nullable=True),
    sa.Column("result_blob", sa.String(length=1000), nullable=True),
    sa.Column("plan_status", sa.String(length=20), nullable=True),
    sa.Column("activities", sa.Integer(), nullable=True),
    sa.Column("warnings", sa.Integer(), nullable=True),
    sa.Column("callback_url", sa.String(length=2000), nullable=True),
    sa.Column("expires_at", sa.DateTime(), nullable=True),
    sa.Column("expired_at", sa.DateTime(), nullable=True),
    sa.Column("deleted_at", sa.DateTime(), nullable=True),
    sa.Column("rerun_of", sa.String(length=32), nullable=True),
    sa.Column("superseded_by", sa.String(length=32), nullable=True),
    sa.ForeignKeyConstraint(["batch_id"], ["batches.id"], ),
    sa.PrimaryKeyConstraint("seq"),
    sa.UniqueConstraint("id")
    )
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.create_index("ix_jobs_batch", ["batch_id"], unique=False)
        batch_op.create_index("ix_jobs_expires", ["expires_at"], unique=False)
        batch_op.create_index("ix_jobs_status_queue_seq", ["status", "queue", "seq"], unique=False)



def downgrade() -> None:
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.drop_index("ix_jobs_status_queue_seq")
        batch_op.drop_index("ix_jobs_expires")
        batch_op.drop_index("ix_jobs_batch")

    op.drop_table("jobs")
    with op.batch_alter_table("webhook_deliveries", schema=None) as batch_op:
        batch_op.drop_index("ix_webhooks_due")
        batch_op.drop_index(batch_op.f("ix_webhook_deliveries_job_id"))

    op.drop_table("webhook_deliveries")
    op.drop_table("batches")
    op.drop_table("api_keys")
