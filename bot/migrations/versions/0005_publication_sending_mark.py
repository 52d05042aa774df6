"""publications.sending_at: the database knows whether a platform call may have started

A row is marked (committed) just before its platform call. When a claim's lease runs out, rows
never marked go back to ``scheduled`` by themselves; only marked ones are reconciled with the
platform. Rows ``publishing`` at the upgrade count as marked (the old code kept no mark, so any
of them may have been sent); the others stay NULL.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 15:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import review.models.base

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("publications") as batch:
        batch.add_column(
            sa.Column("sending_at", review.models.base.UTCDateTime(timezone=True), nullable=True)
        )
    # a row left ``publishing`` by the old code may have been sent: it keeps being reconciled
    op.execute(
        "UPDATE publications SET sending_at = COALESCE(updated_at, lease_until) "
        "WHERE status = 'publishing'"
    )


def downgrade() -> None:
    with op.batch_alter_table("publications") as batch:
        batch.drop_column("sending_at")
