"""seed_clocks: a revision's disclosure attribute and the 规范性文件 a 政策解读 interprets

Both are decided where the draft is written, so they live on the immutable revision beside
its kind: ``disclosure`` (主动公开 / 依申请公开 / 不予公开; existing rows are 主动公开, the
attribute they went out under) and ``interprets_draft_id`` (谁起草、谁解读: the 规范性文件 a
政策解读 belongs to; NULL for every other kind and for older rows).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 14:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("revisions") as batch:  # SQLite rebuilds the table for the FK
        batch.add_column(
            sa.Column("disclosure", sa.String(length=8), nullable=False, server_default="主动公开")
        )
        batch.add_column(sa.Column("interprets_draft_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_revisions_interprets_draft_id_drafts"),
            "drafts",
            ["interprets_draft_id"],
            ["id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("revisions") as batch:
        batch.drop_constraint(op.f("fk_revisions_interprets_draft_id_drafts"), type_="foreignkey")
        batch.drop_column("interprets_draft_id")
        batch.drop_column("disclosure")
