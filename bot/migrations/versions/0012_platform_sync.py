"""platform_sync: posts found on the platforms (back-office ones too) and each account's sync

The daily sync lists each account's posts (WeChat ``freepublish/batchget``, the Weibo user
timeline): one row per post (unique per account and remote id, so a re-run adds nothing), the
publication it is when the bot made it, and when its department was told it went out without
review (未经审核发布). ``platform_syncs`` keeps when each account was last listed.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 14:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import review.models.base

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

_AT = review.models.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "platform_posts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("remote_id", sa.String(length=128), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("excerpt", sa.Text(), nullable=False),
        sa.Column("posted_at", _AT, nullable=False),
        sa.Column("url", sa.String(length=500), nullable=True),
        sa.Column("marker", sa.String(length=64), nullable=True),
        sa.Column("publication_id", sa.Integer(), nullable=True),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("flagged_at", _AT, nullable=True),
        sa.Column("first_seen_at", _AT, nullable=False),
        sa.Column("last_seen_at", _AT, nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_platform_posts_account_id_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["publication_id"],
            ["publications.id"],
            name=op.f("fk_platform_posts_publication_id_publications"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_platform_posts")),
        sa.UniqueConstraint(
            "account_id", "remote_id", name=op.f("uq_platform_posts_account_id_remote_id")
        ),
    )
    op.create_index(
        "ix_platform_posts_account_posted", "platform_posts", ["account_id", "posted_at"]
    )
    op.create_table(
        "platform_syncs",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("ran_at", _AT, nullable=False),
        sa.Column("ok_at", _AT, nullable=True),
        sa.Column("problem", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_platform_syncs_account_id_accounts")
        ),
        sa.PrimaryKeyConstraint("account_id", name=op.f("pk_platform_syncs")),
    )


def downgrade() -> None:
    op.drop_table("platform_syncs")
    op.drop_index("ix_platform_posts_account_posted", table_name="platform_posts")
    op.drop_table("platform_posts")
