"""publications.next_check_at: a pending post is asked about less and less often

The poller asked the platform about every ``pending`` row at every tick and logged each failure
every time; it now stores when to ask a row next (doubling up to a cap). NULL: ask at once, so
rows pending at the upgrade are asked at the next tick.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 15:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import review.models.base

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("publications") as batch:
        batch.add_column(
            sa.Column("next_check_at", review.models.base.UTCDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("publications") as batch:
        batch.drop_column("next_check_at")
