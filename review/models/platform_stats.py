"""WeChat statistics pulled daily from the platform's datacube APIs (the annual report's
reads, shares and followers). One row per account, day and article — pulled again, a row is
overwritten with the platform's latest figures, never added twice."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from review.models.base import Base, utcnow


class WeChatArticleStat(Base):
    """One article's reads and shares on one Beijing day (``getarticlesummary``)."""

    __tablename__ = "wechat_article_stats"
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    #: ``<msg_data_id>_<index>``, as the platform names the article
    msgid: Mapped[str] = mapped_column(String(64), primary_key=True)
    title: Mapped[str] = mapped_column(String(200), default="")
    reads: Mapped[int] = mapped_column(Integer, default=0)
    read_users: Mapped[int] = mapped_column(Integer, default=0)
    shares: Mapped[int] = mapped_column(Integer, default=0)
    share_users: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class WeChatFollowerStat(Base):
    """An account's followers on one Beijing day (``getusersummary`` + ``getusercumulate``)."""

    __tablename__ = "wechat_follower_stats"
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    new_followers: Mapped[int] = mapped_column(Integer, default=0)
    lost_followers: Mapped[int] = mapped_column(Integer, default=0)
    total_followers: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
