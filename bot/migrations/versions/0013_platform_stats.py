"""platform_stats: WeChat reads, shares and followers from the datacube APIs

Pulled daily (``bot/platforms/stats_ticks.py``) for the annual report: one row per account,
Beijing day and article (``wechat_article_stats``) and per account and day
(``wechat_follower_stats``); a second pull overwrites a row, never adds one.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 14:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import review.models.base

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

_AT = review.models.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "wechat_article_stats",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("msgid", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("reads", sa.Integer(), nullable=False),
        sa.Column("read_users", sa.Integer(), nullable=False),
        sa.Column("shares", sa.Integer(), nullable=False),
        sa.Column("share_users", sa.Integer(), nullable=False),
        sa.Column("updated_at", _AT, nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_wechat_article_stats_account_id_accounts"),
        ),
        sa.PrimaryKeyConstraint("account_id", "day", "msgid", name=op.f("pk_wechat_article_stats")),
    )
    op.create_table(
        "wechat_follower_stats",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("new_followers", sa.Integer(), nullable=False),
        sa.Column("lost_followers", sa.Integer(), nullable=False),
        sa.Column("total_followers", sa.Integer(), nullable=False),
        sa.Column("updated_at", _AT, nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_wechat_follower_stats_account_id_accounts"),
        ),
        sa.PrimaryKeyConstraint("account_id", "day", name=op.f("pk_wechat_follower_stats")),
    )


def downgrade() -> None:
    op.drop_table("wechat_follower_stats")
    op.drop_table("wechat_article_stats")
