"""a rollout's canaries: the canary group's kiosks heard when it started; an alert's opening sent

Revision ID: 0003_fixcor
Revises: 0002_ingest
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_fixcor"
down_revision = "0002_ingest"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Rollouts staged before this migration keep the old rule: every kiosk of the group ([]).
    with op.batch_alter_table("publications") as batch:
        batch.add_column(sa.Column("canaries", sa.JSON(), nullable=False, server_default="[]"))
    with op.batch_alter_table("publications") as batch:
        batch.alter_column("canaries", server_default=None)
    # When the webhook took an alert's opening; alerts from before count as sent (no second opening).
    with op.batch_alter_table("alerts") as batch:
        batch.add_column(sa.Column("opened_notified_at", sa.Float(), nullable=True))
    op.execute(
        "UPDATE alerts SET opened_notified_at = opened_at "
        "WHERE notified_at IS NOT NULL OR closed_at IS NOT NULL"
    )


def downgrade() -> None:
    with op.batch_alter_table("alerts") as batch:
        batch.drop_column("opened_notified_at")
    with op.batch_alter_table("publications") as batch:
        batch.drop_column("canaries")
