"""one open alert of a kind per kiosk, enforced by the database

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Partial unique index (SQLite and PostgreSQL): several console processes evaluating alerts at
    # once can never both open the same kind of alert for one kiosk.
    op.create_index(
        "uq_alert_open_once",
        "alerts",
        ["kiosk_id", "kind"],
        unique=True,
        sqlite_where=sa.text("closed_at IS NULL"),
        postgresql_where=sa.text("closed_at IS NULL"),
    )


def downgrade() -> None:
    op.drop_index("uq_alert_open_once", table_name="alerts")
