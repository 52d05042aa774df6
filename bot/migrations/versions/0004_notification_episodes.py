"""grouped publishing alerts: notifications.episode

One outage used to raise one alert per post. A per-post publishing alert is now stored ``held``
and filed under its account's episode (the ``dedup_key`` of the one notification announcing it),
so the column records which episode it belongs to. Existing rows stay NULL.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 12:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("notifications") as batch:
        batch.add_column(sa.Column("episode", sa.String(length=128), nullable=True))
        batch.create_index(batch.f("ix_notifications_episode"), ["episode"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("notifications") as batch:
        batch.drop_index(batch.f("ix_notifications_episode"))
        batch.drop_column("episode")
