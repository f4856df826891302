"""Reads of the notice board: what a person sees (unread first), a notice if they may see it,
the publishers' list of their scope, the read coverage of an important notice building by
building (so heads know which doors to knock on), and the desk panel's counts."""

from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Q, Value, When
from django.utils import timezone

from linju.core import access
from linju.core.cleaning import as_id
from linju.people.models import Residency, ResidencyStatus
from linju.places.models import Household, Place, PlaceKind

from . import rules
from .models import Attachment, Notice, NoticeStatus, Objection, Receipt
from .services import SCOPE_KINDS


def _base():
    return Notice.objects.select_related("place")


def board(user, *, kind: str = "", unread_only: bool = False):
    """The published notices reaching the user: unread first, then pinned, then newest."""
    staff = access.scope(user, "notices.view")
    q = Q(path__in=rules.reader_prefixes(user)) | staff.q()
    qs = _base().filter(q, status=NoticeStatus.PUBLISHED)
    if kind:
        qs = qs.filter(kind=kind)
    if getattr(user, "is_authenticated", False):
        qs = qs.annotate(is_read=Exists(Receipt.objects.filter(notice=OuterRef("pk"), user=user)))
        if unread_only:
            qs = qs.filter(is_read=False)
        return qs.order_by("is_read", "-pinned", "-published_at", "-pk")
    return qs.order_by("-pinned", "-published_at", "-pk")


def unread_count(user) -> int:
    return board(user, unread_only=True).count()


def notice_for(user, notice_id):
    """The notice if the user may see it, else None (callers answer 404: not revealed)."""
    notice = _base().filter(pk=as_id(notice_id)).first()
    if notice is None or not rules.can_read(user, notice):
        return None
    return notice


def managed(user, *, status: str = "", kind: str = ""):
    """Every notice of the scopes the user publishes in, drafts included."""
    qs = access.filter_queryset(user, "notices.publish", _base())
    if status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.annotate(
        readers=Count("receipts", distinct=True),
        open_objections=Count(
            "objections", filter=Q(objections__answered_at__isnull=True), distinct=True
        ),
    ).order_by("status", "-pinned", "-published_at", "-created_at", "-pk")


def attachments(notice):
    return list(notice.attachments.order_by("pk"))


def attachment_for(user, attachment_id):
    """A file of a notice the user may read, else None."""
    found = Attachment.objects.filter(pk=as_id(attachment_id)).first()
    if found is None or notice_for(user, found.notice_id) is None:
        return None
    return found


def objection_for(user, objection_id):
    """An objection to a notice the user may read, else None (its answer is the publishers')."""
    found = Objection.objects.filter(pk=as_id(objection_id)).first()
    if found is None or notice_for(user, found.notice_id) is None:
        return None
    return found


def objections(user, notice):
    """The publishers see every objection; a resident sees their own."""
    qs = notice.objections.select_related("author", "answered_by")
    if rules.can_publish(user, notice):
        return list(qs)
    return list(qs.filter(author_id=getattr(user, "pk", None)))


def has_read(user, notice) -> bool:
    return Receipt.objects.filter(notice=notice, user_id=getattr(user, "pk", None)).exists()


def coverage(notice) -> list[dict]:
    """Per building in (or holding) the notice's scope: households, households where someone
    has read the notice, and the percentage; the least covered first."""
    buildings = Place.objects.filter(kind=PlaceKind.BUILDING, path__startswith=notice.path)
    if notice.place.kind == PlaceKind.UNIT:  # a unit's notice: its own households only
        buildings = Place.objects.filter(pk=notice.place.parent_id)
    read = set(
        Residency.objects.filter(
            status=ResidencyStatus.VERIFIED,
            household__path__startswith=notice.path,
            user__notice_receipts__notice=notice,
        )
        .values_list("household__path", flat=True)
        .distinct()
    )
    totals = dict(
        Household.objects.filter(path__startswith=notice.path)
        .values_list("unit__parent_id")
        .annotate(n=Count("pk"))
        .values_list("unit__parent_id", "n")
    )
    out = []
    for b in buildings.order_by("path"):
        total = totals.get(b.pk, 0)
        inside = sum(1 for p in read if p.startswith(b.path))
        out.append(
            {
                "building": b,
                "households": total,
                "read": inside,
                "percent": round(100 * inside / total) if total else 0,
            }
        )
    out.sort(key=lambda r: (r["percent"], r["building"].path))
    return out


def coverage_total(rows) -> dict:
    households = sum(r["households"] for r in rows)
    read = sum(r["read"] for r in rows)
    return {
        "households": households,
        "read": read,
        "percent": round(100 * read / households) if households else 0,
    }


def desk_counts(user):
    """The staff desk's panel: drafts waiting and objections unanswered in the user's scope;
    None for people who publish nowhere."""
    if not access.has_anywhere(user, "notices.publish"):
        return None
    notices = access.filter_queryset(user, "notices.publish", Notice.objects.all())
    today = timezone.localdate()
    return {
        "drafts": notices.filter(status=NoticeStatus.DRAFT).count(),
        "objections": Objection.objects.filter(
            notice__in=notices, answered_at__isnull=True
        ).count(),
        "disclosing": notices.filter(
            status=NoticeStatus.PUBLISHED, kind="disclosure", disclosure_ends_on__gte=today
        ).count(),
    }


def publish_places(user, *, limit: int = 300):
    """The places whose board the user may publish on (the compose form's choices): the
    broadest first, so that a subdistrict's list starts with its communities before their
    thousands of units."""
    depth = Case(
        *(When(kind=k, then=Value(i)) for i, k in enumerate(SCOPE_KINDS)),
        default=Value(len(SCOPE_KINDS)),
        output_field=IntegerField(),
    )
    qs = access.filter_queryset(user, "notices.publish", Place.objects.filter(kind__in=SCOPE_KINDS))
    return list(qs.annotate(depth=depth).order_by("depth", "path")[:limit])
