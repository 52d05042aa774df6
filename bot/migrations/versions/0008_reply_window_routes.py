"""citizen_messages: the reply window and the route an answer took

WeChat (and Weibo's fan service) accept an account's message to a citizen only within 48 hours of
the citizen's last message. Each message now records when its window closes, when an interim
reply went out inside it, and by which route the final answer reached the citizen
(customer-service message, a public 留言答复 post, a phone call, a reply under a comment). Each
reply records its own route; a public answer links the draft that carries it.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 08:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import review.models.base

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_AT = review.models.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("citizen_messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reply_window_closes_at", _AT, nullable=True))
        batch_op.add_column(sa.Column("interim_sent_at", _AT, nullable=True))
        batch_op.add_column(sa.Column("answer_route", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("answered_at", _AT, nullable=True))
        batch_op.add_column(sa.Column("public_draft_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_citizen_messages_public_draft_id_drafts"),
            "drafts",
            ["public_draft_id"],
            ["id"],
        )
        batch_op.create_index(
            batch_op.f("ix_citizen_messages_reply_window_closes_at"),
            ["reply_window_closes_at"],
            unique=False,
        )
    with op.batch_alter_table("message_replies", schema=None) as batch_op:
        batch_op.add_column(sa.Column("route", sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("message_replies", schema=None) as batch_op:
        batch_op.drop_column("route")
    with op.batch_alter_table("citizen_messages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_citizen_messages_reply_window_closes_at"))
        batch_op.drop_constraint(
            batch_op.f("fk_citizen_messages_public_draft_id_drafts"), type_="foreignkey"
        )
        batch_op.drop_column("public_draft_id")
        batch_op.drop_column("answered_at")
        batch_op.drop_column("answer_route")
        batch_op.drop_column("interim_sent_at")
        batch_op.drop_column("reply_window_closes_at")
