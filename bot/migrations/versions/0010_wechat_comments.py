"""wechat_comments: 精选 and deletion of WeChat article comments

Article comments are pulled into ``citizen_messages`` (msg_type ``comment``); what staff did to
one on the platform — 精选 (elected) or deleted as abusive, with the reason — is kept here so the
console and chat show it without asking the platform.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 08:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import review.models.base

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

_AT = review.models.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "wechat_comments",
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("elected", sa.Boolean(), nullable=False),
        sa.Column("deleted_at", _AT, nullable=True),
        sa.Column("delete_reason", sa.Text(), nullable=True),
        sa.Column("updated_at", _AT, nullable=False),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["citizen_messages.id"],
            name=op.f("fk_wechat_comments_message_id_citizen_messages"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("message_id", name=op.f("pk_wechat_comments")),
    )


def downgrade() -> None:
    op.drop_table("wechat_comments")
