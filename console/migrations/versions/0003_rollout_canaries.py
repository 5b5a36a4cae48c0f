"""a rollout's canaries: the canary group's kiosks heard when it started; an alert's opening sent;
an event's day by the kiosk's clock

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from console.ingest import kiosk_day

revision = "0003"
down_revision = "0002"
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

    # The kiosk's day of each event (its time zone in reported.clock), as ingest now stores it.
    with op.batch_alter_table("kiosk_events") as batch:
        batch.add_column(sa.Column("day", sa.String(length=10), nullable=False, server_default=""))
    with op.batch_alter_table("kiosk_events") as batch:
        batch.alter_column("day", server_default=None)
    connection = op.get_bind()
    events = sa.table(
        "kiosk_events", sa.column("id", sa.Integer), sa.column("kiosk_id"), sa.column("at"), sa.column("day")
    )
    kiosks = sa.table("kiosks", sa.column("id"), sa.column("reported", sa.JSON))
    clocks = {kiosk_id: reported or {} for kiosk_id, reported in connection.execute(sa.select(kiosks))}
    rows = connection.execute(sa.select(events.c.id, events.c.kiosk_id, events.c.at)).all()
    for event_id, kiosk_id, at in rows:
        connection.execute(
            events.update()
            .where(events.c.id == event_id)
            .values(day=kiosk_day(clocks.get(kiosk_id, {}), float(at)))
        )


def downgrade() -> None:
    with op.batch_alter_table("kiosk_events") as batch:
        batch.drop_column("day")
    with op.batch_alter_table("alerts") as batch:
        batch.drop_column("opened_notified_at")
    with op.batch_alter_table("publications") as batch:
        batch.drop_column("canaries")
