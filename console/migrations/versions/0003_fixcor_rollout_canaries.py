"""a rollout's canaries: the canary group's kiosks heard when it started

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


def downgrade() -> None:
    with op.batch_alter_table("publications") as batch:
        batch.drop_column("canaries")
