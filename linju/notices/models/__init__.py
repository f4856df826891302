"""Public notices (公示, 通知公告, 好人好事, 不文明行为曝光) and the quarterly neighbourhood
newsletter (睦邻服务报), seeds 002 and 003."""

from .newsletter import IssueItem, IssueStatus, Newsletter, NewsletterIssue, Section
from .notices import (
    Attachment,
    Notice,
    NoticeKind,
    NoticeStatus,
    Objection,
    PrivacyCheck,
    Receipt,
)

__all__ = [
    "Attachment",
    "IssueItem",
    "IssueStatus",
    "Newsletter",
    "NewsletterIssue",
    "Notice",
    "NoticeKind",
    "NoticeStatus",
    "Objection",
    "PrivacyCheck",
    "Receipt",
    "Section",
]
