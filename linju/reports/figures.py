"""The figures leaders report about snap-and-report (seeds 002/003: "every report answered",
"resolved in x days"): per scope, category and month, the response rate (accepted within the
category's limit), the resolution rate, the satisfaction rate, the average hours to accept and
to resolve, and the overdue list. They feed the dashboards."""

from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone

from linju.core import access

from .models import OPEN_STATUSES, Category, Report, Status

GROUPINGS = ("category", "month", "place")
# Reports that count: merged duplicates are counted once, as the report they joined.
COUNTED = ~Q(status=Status.MERGED)
SATISFIED_FROM = 4  # ratings of 4 and 5 out of 5


@dataclass
class Row:
    key: str
    label: str
    reports: int = 0
    accepted: int = 0
    accepted_in_time: int = 0
    resolved: int = 0
    rated: int = 0
    satisfied: int = 0
    open: int = 0
    overdue: int = 0
    avg_hours_to_accept: float | None = None
    avg_hours_to_resolve: float | None = None

    @property
    def response_rate(self) -> float | None:
        """Share of reports accepted (or answered by a rejection) within the category's limit."""
        return _rate(self.accepted_in_time, self.reports)

    @property
    def resolution_rate(self) -> float | None:
        """Share of accepted reports resolved (answered with what was done)."""
        return _rate(self.resolved, self.accepted)

    @property
    def satisfaction_rate(self) -> float | None:
        return _rate(self.satisfied, self.rated)

    def as_dict(self) -> dict:
        return {
            "key": self.key,
            "label": self.label,
            "reports": self.reports,
            "accepted": self.accepted,
            "accepted_in_time": self.accepted_in_time,
            "resolved": self.resolved,
            "rated": self.rated,
            "satisfied": self.satisfied,
            "open": self.open,
            "overdue": self.overdue,
            "response_rate": self.response_rate,
            "resolution_rate": self.resolution_rate,
            "satisfaction_rate": self.satisfaction_rate,
            "avg_hours_to_accept": self.avg_hours_to_accept,
            "avg_hours_to_resolve": self.avg_hours_to_resolve,
        }


@dataclass
class Figures:
    by: str
    rows: list[Row] = field(default_factory=list)
    total: Row = field(default_factory=lambda: Row(key="", label=""))


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _hours(duration) -> float | None:
    return round(duration.total_seconds() / 3600, 1) if duration is not None else None


def scoped_reports(user, *, place_path: str = "", since=None, until=None, category: str = ""):
    """Reports in the user's figures scope, narrowed to a place, a period (local calendar days,
    `until` inclusive) and a category code."""
    qs = access.filter_queryset(user, "reports.view_figures", Report.objects.filter(COUNTED))
    if place_path:
        qs = qs.filter(path__startswith=place_path)
    tz = timezone.get_current_timezone()
    if since:
        qs = qs.filter(created_at__gte=_local_midnight(since, tz))
    if until:
        qs = qs.filter(created_at__lt=_local_midnight(until, tz) + timezone.timedelta(days=1))
    if category:
        qs = qs.filter(category__code=category)
    return qs


def _local_midnight(day: date, tz) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min), tz)


def figures(
    *, user, by: str = "category", place_path: str = "", since=None, until=None, category=""
) -> Figures:
    """One row per category, local month or child place of `place_path`, and the total."""
    if by not in GROUPINGS:
        raise ValueError(by)
    now = timezone.now()
    qs = scoped_reports(user, place_path=place_path, since=since, until=until, category=category)
    aggregates = {
        "reports": Count("id"),
        "accepted": Count("id", filter=Q(accepted_at__isnull=False)),
        # A rejection is an answer too (seed 003: every report gets one).
        "accepted_in_time": Count(
            "id",
            filter=Q(accepted_at__lte=F("accept_due_at"))
            | Q(status=Status.REJECTED, closed_at__lte=F("accept_due_at")),
        ),
        "resolved": Count(
            "id",
            filter=Q(accepted_at__isnull=False, resolved_at__isnull=False)
            | Q(accepted_at__isnull=False, status=Status.CLOSED),
        ),
        "rated": Count("id", filter=Q(rating__isnull=False)),
        "satisfied": Count("id", filter=Q(rating__gte=SATISFIED_FROM)),
        "open": Count("id", filter=Q(status__in=OPEN_STATUSES)),
        "overdue": Count("id", filter=Q(due_at__lt=now)),
        "to_accept": Avg(
            ExpressionWrapper(F("accepted_at") - F("created_at"), output_field=DurationField())
        ),
        "to_resolve": Avg(
            ExpressionWrapper(F("resolved_at") - F("accepted_at"), output_field=DurationField())
        ),
    }
    result = Figures(by=by)
    result.total = _row("", "", qs.aggregate(**aggregates))
    if by == "category":
        labels = dict(Category.objects.values_list("id", "name"))
        codes = dict(Category.objects.values_list("id", "code"))
        grouped = qs.order_by().values("category_id").annotate(**aggregates)
        result.rows = sorted(
            (_row(codes[g["category_id"]], labels[g["category_id"]], g) for g in grouped),
            key=lambda r: (-r.reports, r.key),
        )
    elif by == "month":
        tz = timezone.get_current_timezone()
        grouped = (
            qs.order_by()
            .annotate(month=TruncMonth("created_at", tzinfo=tz))
            .values("month")
            .annotate(**aggregates)
            .order_by("month")
        )
        result.rows = [_row(f"{g['month']:%Y-%m}", f"{g['month']:%Y-%m}", g) for g in grouped]
    else:
        result.rows = _by_child_place(qs, place_path, user, aggregates)
    return result


def _by_child_place(qs, place_path, user, aggregates) -> list[Row]:
    """One row per child of `place_path` (or per top place of the user's scope)."""
    from linju.places.models import Place

    if place_path:
        parent = Place.objects.filter(path=place_path).first()
        children = list(parent.children.order_by("path")) if parent else []
    else:
        s = access.scope(user, "reports.view_figures")
        children = list(
            Place.objects.filter(path__in=s.prefixes).order_by("path")
            if not s.everywhere
            else Place.objects.filter(parent__isnull=True).order_by("path")
        )
    rows = []
    for child in children:
        data = qs.filter(path__startswith=child.path).aggregate(**aggregates)
        if data["reports"]:
            rows.append(_row(child.path, child.name, data))
    return rows


def _row(key, label, data) -> Row:
    return Row(
        key=key,
        label=label,
        reports=data["reports"],
        accepted=data["accepted"],
        accepted_in_time=data["accepted_in_time"],
        resolved=data["resolved"],
        rated=data["rated"],
        satisfied=data["satisfied"],
        open=data["open"],
        overdue=data["overdue"],
        avg_hours_to_accept=_hours(data["to_accept"]),
        avg_hours_to_resolve=_hours(data["to_resolve"]),
    )


def overdue_reports(*, user, place_path: str = ""):
    """Reports whose running time limit has passed, most overdue first."""
    qs = access.filter_queryset(
        user, "reports.view_figures", Report.objects.filter(due_at__lt=timezone.now())
    )
    if place_path:
        qs = qs.filter(path__startswith=place_path)
    return qs.select_related("category", "place", "estate", "handler").order_by("due_at")
