"""SQLAlchemy 2 tables for the whole domain (re-exports)."""

from review.models.base import Base, UTCDateTime, utcnow
from review.models.console import ConsoleSession, SignInAttempt
from review.models.directory import Account, Department, Identity, Person, ReviewStage
from review.models.drafts import Draft, DraftTarget, GateRun, Override, ReviewTask, Revision
from review.models.inbox import CitizenMessage, Cursor, MessageReply, Note, SeenNonce
from review.models.leases import Lease
from review.models.ops import AuditEvent, ChatCommand, Notification
from review.models.platform_posts import PlatformPost, PlatformSync
from review.models.platform_stats import WeChatArticleStat, WeChatFollowerStat
from review.models.previews import RevisionView
from review.models.publishing import AccessToken, Publication
from review.models.wechat_comments import WeChatComment
from review.models.wordings import WordingApproval, WordingEntry, WordingVersion

__all__ = [
    "AccessToken",
    "Account",
    "AuditEvent",
    "Base",
    "ChatCommand",
    "CitizenMessage",
    "ConsoleSession",
    "Cursor",
    "Department",
    "Draft",
    "DraftTarget",
    "GateRun",
    "Identity",
    "Lease",
    "MessageReply",
    "Note",
    "Notification",
    "Override",
    "Person",
    "PlatformPost",
    "PlatformSync",
    "Publication",
    "ReviewStage",
    "ReviewTask",
    "Revision",
    "RevisionView",
    "SeenNonce",
    "SignInAttempt",
    "UTCDateTime",
    "WeChatArticleStat",
    "WeChatComment",
    "WeChatFollowerStat",
    "WordingApproval",
    "WordingEntry",
    "WordingVersion",
    "utcnow",
]
