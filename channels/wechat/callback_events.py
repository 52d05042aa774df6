"""The two publishing events wechatpy cannot parse (it returns ``UnknownMessage`` for them).

PUBLISHJOBFINISH is how a ``freepublish/submit`` learns its outcome; MASSSENDJOBFINISH closes a
mass send. Field names follow the real payloads (platforms.md §2.5), not the doc page's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from xml.etree.ElementTree import Element

from channels.callback_errors import bad_request

PUBLISH_JOB_FINISH = "PUBLISHJOBFINISH"
MASS_SEND_JOB_FINISH = "MASSSENDJOBFINISH"


@dataclass(frozen=True, slots=True)
class PublishedArticle:
    idx: int
    url: str


@dataclass(frozen=True, slots=True)
class PublishJobEvent:
    """publish_status: 0 ok, 1 publishing, 2 原创失败, 3 常规失败, 4 审核不通过,
    5 成功后被删除, 6 成功后被封禁."""

    publish_id: str
    publish_status: int
    article_id: str | None
    articles: tuple[PublishedArticle, ...] = ()
    fail_idx: tuple[int, ...] = ()

    @property
    def succeeded(self) -> bool:
        return self.publish_status == 0


@dataclass(frozen=True, slots=True)
class MassSendJobEvent:
    msg_id: str
    status: str  # "send success", "send fail", "err(10001)" …
    total_count: int = 0
    filter_count: int = 0
    sent_count: int = 0
    error_count: int = 0


def _int(value: str | None, name: str, default: int | None = None) -> int:
    if value is None or not value.strip():
        if default is None:
            raise bad_request(f"{name} missing")
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise bad_request(f"{name} is not an integer") from exc


def parse_publish_job(root: Element) -> PublishJobEvent:
    info = root.find("PublishEventInfo")
    if info is None:
        raise bad_request("PUBLISHJOBFINISH without PublishEventInfo")
    publish_id = (info.findtext("publish_id") or "").strip()
    if not publish_id:
        raise bad_request("PUBLISHJOBFINISH without publish_id")
    articles = tuple(
        PublishedArticle(
            idx=_int(item.findtext("idx"), "article idx"),
            url=(item.findtext("article_url") or "").strip(),
        )
        for item in info.iterfind("article_detail/item")
    )
    fail_idx = tuple(
        int(digits)
        for node in info.iter("fail_idx")
        for part in node.iter()
        for digits in re.findall(r"\d+", part.text or "")
    )
    return PublishJobEvent(
        publish_id=publish_id,
        publish_status=_int(info.findtext("publish_status"), "publish_status"),
        article_id=(info.findtext("article_id") or "").strip() or None,
        articles=articles,
        fail_idx=fail_idx,
    )


def parse_mass_send_job(fields: dict[str, str]) -> MassSendJobEvent:
    msg_id = fields.get("MsgID") or fields.get("MsgId") or ""
    if not msg_id:
        raise bad_request("MASSSENDJOBFINISH without MsgID")
    return MassSendJobEvent(
        msg_id=msg_id,
        status=fields.get("Status", ""),
        total_count=_int(fields.get("TotalCount"), "TotalCount", 0),
        filter_count=_int(fields.get("FilterCount"), "FilterCount", 0),
        sent_count=_int(fields.get("SentCount"), "SentCount", 0),
        error_count=_int(fields.get("ErrorCount"), "ErrorCount", 0),
    )
