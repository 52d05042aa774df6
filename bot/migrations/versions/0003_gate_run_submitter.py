"""who submitted: gate_runs.submitted_by

Each submission runs the gate once, so the gate run is where the submitter is recorded; the
separation-of-duties rule (``review.store.task_facts``) keeps that person off every review stage
of the draft. Existing rows stay NULL: the submitter of older drafts is in the audit log only.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 11:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("gate_runs") as batch:  # SQLite rebuilds the table for the FK
        batch.add_column(sa.Column("submitted_by", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_gate_runs_submitted_by_people"), "people", ["submitted_by"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("gate_runs") as batch:
        batch.drop_constraint(op.f("fk_gate_runs_submitted_by_people"), type_="foreignkey")
        batch.drop_column("submitted_by")
