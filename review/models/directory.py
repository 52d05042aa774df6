"""Who is who: departments, people with roles, their chat identities, and the accounts.

These rows mirror ``settings.toml`` (synced at start-up); other tables point at them by id.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from review.models.base import Base, utcnow
from review.states import role_names


class Department(Base):
    __tablename__ = "departments"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    head_key: Mapped[str | None] = mapped_column(String(64))
    #: space-separated duty areas whose citizen messages this department answers
    topics: Mapped[str] = mapped_column(String(400), default="")


class Person(Base):
    __tablename__ = "people"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(64))
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    #: space-separated roles: editor reviewer head replier admin operator
    roles: Mapped[str] = mapped_column(String(200), default="")
    #: sha256 hex of the person's API token (tokens themselves are never stored)
    api_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    def has_role(self, role: str) -> bool:
        return role in self.roles.split()

    @property
    def role_labels(self) -> str:
        """The roles as staff read them: 「审核人、答复人」."""
        return role_names(self.roles.split())


class Identity(Base):
    """A chat identity (WeCom userid, OA openid) that maps to exactly one person."""

    __tablename__ = "identities"
    __table_args__ = (UniqueConstraint("platform", "external_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    platform: Mapped[str] = mapped_column(String(16))  # wecom | wechat
    external_id: Mapped[str] = mapped_column(String(128))


class Account(Base):
    __tablename__ = "accounts"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    platform: Mapped[str] = mapped_column(String(16))  # wechat | weibo
    name: Mapped[str] = mapped_column(String(64))
    owner_department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ReviewStage(Base):
    """One stage of an account's review chain (mirrors settings; stage 0 = owner department)."""

    __tablename__ = "review_stages"
    __table_args__ = (UniqueConstraint("account_id", "position"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(32))
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    #: "reviewer" or "head"
    role: Mapped[str] = mapped_column(String(16), default="reviewer")
    #: space-separated kinds this stage applies to; empty = all
    kinds: Mapped[str] = mapped_column(String(200), default="")

    def applies_to(self, kind: str) -> bool:
        return not self.kinds or kind in self.kinds.split()
