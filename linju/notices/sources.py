"""Where a newsletter issue's pieces come from (睦邻服务报, seed 003: 楼院里的好人好事在报上宣传,
不文明现象也在报上曝光): a registry of sections to source functions, filled by the apps in
AppConfig.ready(). A source is `fn(path, start, end) -> [{title, summary, link, source}]`: the
pieces of the quarter [start, end) (aware datetimes) for a newsletter at `path`; `source` is a
stable key ("notices.notice:12") so that assembling again never copies a piece twice.

The notices app registers its own sections here (`install`): good deeds, uncivil behaviour,
announcements and public notices, and contest results; the projects app registers the
progress of its projects (linju/projects/newsletter.py)."""

from collections.abc import Callable

from django.db.models import Q
from django.urls import reverse

from linju.places.paths import prefixes_of

from .models import Notice, NoticeKind, NoticeStatus, Section

Source = Callable[..., list[dict]]
SOURCES: dict[str, list[Source]] = {}
SUMMARY_LENGTH = 300


def register(section: str, fn: Source) -> None:
    """Add a source to a section (once: ready() may run twice in tests)."""
    if section not in Section.values:
        raise ValueError(f"unknown newsletter section {section!r}")
    fns = SOURCES.setdefault(section, [])
    if fn not in fns:
        fns.append(fn)


def pieces(section: str, path: str, start, end) -> list[dict]:
    """Every registered source's pieces for one section, in the order the sources give them."""
    out = []
    for fn in SOURCES.get(section, []):
        out.extend(fn(path, start, end))
    return out


def shorten(text: str, length: int = SUMMARY_LENGTH) -> str:
    text = " ".join(str(text or "").split())
    return text if len(text) <= length else text[: length - 1] + "…"


def _notices(path, start, end, *, kinds, source_app=None) -> list[dict]:
    """Published notices of the quarter on the board of the newsletter's place, of a place
    inside it (a building's good deed) or above it (the community's announcement)."""
    qs = Notice.objects.filter(
        Q(path__in=prefixes_of(path)) | Q(path__startswith=path),
        kind__in=kinds,
        status=NoticeStatus.PUBLISHED,
        published_at__gte=start,
        published_at__lt=end,
    )
    if source_app is not None:
        qs = qs.filter(source_app=source_app)
    return [
        {
            "title": n.title,
            "summary": shorten(n.body),
            "link": reverse("notices:notice", args=[n.pk]),
            "source": f"notices.notice:{n.pk}",
        }
        for n in qs.order_by("published_at", "pk")
    ]


def good_deeds(path, start, end):
    return _notices(path, start, end, kinds=[NoticeKind.GOOD_DEED])


def uncivil(path, start, end):
    return _notices(path, start, end, kinds=[NoticeKind.UNCIVIL])


def notices(path, start, end):
    return _notices(path, start, end, kinds=[NoticeKind.ANNOUNCEMENT, NoticeKind.DISCLOSURE])


def contests(path, start, end):
    """Contest rankings reach the board as results published by the ratings module."""
    return _notices(path, start, end, kinds=[NoticeKind.RESULT], source_app="ratings")


def install() -> None:
    register(Section.GOOD_DEEDS, good_deeds)
    register(Section.UNCIVIL, uncivil)
    register(Section.NOTICES, notices)
    register(Section.CONTESTS, contests)
