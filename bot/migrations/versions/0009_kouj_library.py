"""The 口径 library: entries, their versions and each stage's decision (issue 14)

Approved answer wordings and the 办事指南 auto-answers, versioned: a version is reviewed along
the chain pinned when it was submitted (owner department, then 保密/法制 where configured) and
only the newest approved one is used; a 办事指南 version carries the time it must be live by.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 08:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import review.models.base

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "wording_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("title", sa.String(length=100), nullable=False),
        sa.Column("topic", sa.String(length=64), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("keywords", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", review.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by"], ["people.id"], name=op.f("fk_wording_entries_created_by_people")
        ),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["departments.id"],
            name=op.f("fk_wording_entries_department_id_departments"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wording_entries")),
        sa.UniqueConstraint("kind", "title", name=op.f("uq_wording_entries_kind_title")),
    )
    op.create_index(op.f("ix_wording_entries_kind"), "wording_entries", ["kind"], unique=False)
    op.create_table(
        "wording_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=100), nullable=False),
        sa.Column("keywords", sa.JSON(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("chain", sa.JSON(), nullable=False),
        sa.Column("stage_index", sa.Integer(), nullable=False),
        sa.Column("submitted_by", sa.Integer(), nullable=True),
        sa.Column("submitted_at", review.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("due_at", review.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("approved_at", review.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("decided_at", review.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", review.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"], ["people.id"], name=op.f("fk_wording_versions_author_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["wording_entries.id"],
            name=op.f("fk_wording_versions_entry_id_wording_entries"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["submitted_by"], ["people.id"], name=op.f("fk_wording_versions_submitted_by_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wording_versions")),
        sa.UniqueConstraint("entry_id", "number", name=op.f("uq_wording_versions_entry_id_number")),
    )
    op.create_index(
        op.f("ix_wording_versions_due_at"), "wording_versions", ["due_at"], unique=False
    )
    op.create_index(
        op.f("ix_wording_versions_status"), "wording_versions", ["status"], unique=False
    )
    op.create_table(
        "wording_approvals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("stage_name", sa.String(length=32), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("decision", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("decided_at", review.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["departments.id"],
            name=op.f("fk_wording_approvals_department_id_departments"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_wording_approvals_person_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["wording_versions.id"],
            name=op.f("fk_wording_approvals_version_id_wording_versions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wording_approvals")),
        sa.UniqueConstraint(
            "version_id", "position", name=op.f("uq_wording_approvals_version_id_position")
        ),
    )


def downgrade() -> None:
    op.drop_table("wording_approvals")
    op.drop_index(op.f("ix_wording_versions_status"), table_name="wording_versions")
    op.drop_index(op.f("ix_wording_versions_due_at"), table_name="wording_versions")
    op.drop_table("wording_versions")
    op.drop_index(op.f("ix_wording_entries_kind"), table_name="wording_entries")
    op.drop_table("wording_entries")
