"""leases: one replica at a time holds a named duty

A row per duty (``token:<account>``: the replica that refreshes that account's access token);
taken, renewed and handed over by one guarded upsert (``review/store/leases.py``): free, its
own, or run out.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 18:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import review.models.base

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

_AT = review.models.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "leases",
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("holder", sa.String(length=64), nullable=False),
        sa.Column("expires_at", _AT, nullable=False),
        sa.Column("updated_at", _AT, nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_leases")),
    )


def downgrade() -> None:
    op.drop_table("leases")
