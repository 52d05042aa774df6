"""revision_views: which revision of a draft each reviewer has seen

When a draft comes back after 退回, 查看 and the preview show the changes against the revision
the reviewer saw last; this table records each (reviewer, revision) once, when first opened.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 18:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import review.models.base

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "revision_views",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("draft_id", sa.Integer(), nullable=False),
        sa.Column("revision_id", sa.Integer(), nullable=False),
        sa.Column("viewed_at", review.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["draft_id"],
            ["drafts.id"],
            name=op.f("fk_revision_views_draft_id_drafts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_revision_views_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["revision_id"],
            ["revisions.id"],
            name=op.f("fk_revision_views_revision_id_revisions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_revision_views")),
        sa.UniqueConstraint(
            "person_id", "revision_id", name=op.f("uq_revision_views_person_id_revision_id")
        ),
    )
    with op.batch_alter_table("revision_views", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_revision_views_draft_id"), ["draft_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("revision_views", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_revision_views_draft_id"))
    op.drop_table("revision_views")
