"""Snap-and-report (随手拍, seeds 002/003) pages that everyone shares: the photo view and the
public page of an estate, and the helpers of the resident, staff and category pages
(views_resident, views_staff, views_categories). Views call services and queries; who may do
what is decided in rules and the services."""

import math

from django.contrib.auth.views import redirect_to_login
from django.db.models import Prefetch
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from linju.core import uploads
from linju.core.forms import call_service
from linju.core.views import CappedPaginator, paginate
from linju.places.models import Place, PlaceKind

from . import queries, rules
from .models import HANDLER_ROLES, Category, Level, Photo, Report, StepKind

# The schematic of an estate (no map tiles, no external assets): its buildings on a grid, in a
# 4:3 drawing. A point is stored as 0–1 of the drawing's width and height from the top left.
SCHEMATIC_W, SCHEMATIC_H = 400, 300


call = call_service


def report_or_404(report_id) -> Report:
    return get_object_or_404(
        Report.objects.select_related(
            "category",
            "place__parent",
            "estate__parent",
            "grid",
            "reporter",
            "handler",
            "merged_into",
            "household__unit__parent__parent",
        ),
        pk=report_id,
    )


def active_categories():
    """The categories a resident may choose, each with its extra questions loaded."""
    return Category.objects.filter(active=True).prefetch_related("attributes")


def public_name(report) -> str:
    """How the public sees the reporter: never the household, the name masked (张*明), or no
    name at all when they asked to hide it."""
    return rules.public_name(report) or _("A neighbour")


ROLE_LABELS = {r.value: r.label for r in HANDLER_ROLES}


def describe_steps(steps):
    """A short line of what each timeline step's data means (to whom it went, from which level
    to which, the rating given), so templates need no lookups."""
    for step in steps:
        data = step.data or {}
        detail = ""
        if step.kind == StepKind.DISPATCHED and data.get("handler_role"):
            role = data["handler_role"]
            detail = _("To: %(role)s") % {"role": ROLE_LABELS.get(role, role)}
        elif step.kind in (StepKind.ESCALATED, StepKind.AUTO_ESCALATED) and data.get("to"):
            detail = _("From the %(old)s to the %(new)s") % {
                "old": _level(data.get("from")),
                "new": _level(data.get("to")),
            }
        elif step.kind == StepKind.RATED and data.get("rating"):
            detail = "★" * int(data["rating"]) + f" {data['rating']}/5"
        elif step.kind == StepKind.EXTENDED and data.get("hours"):
            detail = _("%(hours)s more hours") % {"hours": data["hours"]}
        elif step.kind == StepKind.MERGED and data.get("into"):
            detail = _("Into report #%(id)s") % {"id": data["into"]}
        step.detail = detail
    return steps


def _level(value):
    try:
        return Level(int(value)).label
    except (TypeError, ValueError):
        return str(value)


# --- The estate's schematic -------------------------------------------------------------------


def estate_buildings(estate):
    return list(Place.objects.filter(parent=estate, kind=PlaceKind.BUILDING).order_by("path"))


def schematic(buildings, point=None) -> dict:
    """The buildings laid out on a grid of the 4:3 drawing, and the point (x, y in 0–1) if
    any: what the SVG template draws, computed once here."""
    n = max(len(buildings), 1)
    cols = max(1, math.ceil(math.sqrt(n * SCHEMATIC_W / SCHEMATIC_H)))
    rows = math.ceil(n / cols)
    cell_w, cell_h = SCHEMATIC_W / cols, SCHEMATIC_H / rows
    boxes = []
    for i, building in enumerate(buildings):
        col, row = i % cols, i // cols
        w, h = cell_w * 0.7, cell_h * 0.6
        x, y = col * cell_w + (cell_w - w) / 2, row * cell_h + (cell_h - h) / 2
        boxes.append(
            {
                "pk": building.pk,
                "name": building.name,
                "x": round(x, 1),
                "y": round(y, 1),
                "w": round(w, 1),
                "h": round(h, 1),
                "cx": round(x + w / 2, 1),
                "cy": round(y + h / 2 + 5, 1),
                # 0–1 of the drawing: a tap on a building also picks it in the place list.
                "fx": round((x + w / 2) / SCHEMATIC_W, 3),
                "fy": round((y + h / 2) / SCHEMATIC_H, 3),
            }
        )
    marker = None
    if point and point[0] is not None and point[1] is not None:
        marker = {"x": round(point[0] * SCHEMATIC_W, 1), "y": round(point[1] * SCHEMATIC_H, 1)}
    font = max(9, min(18, round(cell_h * 0.18)))
    return {"w": SCHEMATIC_W, "h": SCHEMATIC_H, "boxes": boxes, "marker": marker, "font": font}


# --- Shared pages -----------------------------------------------------------------------------


@require_GET
def photo(request, photo_id):
    """A report photo, to those who may see the report, or to anyone when the report is public
    and the photo belongs to a public step. Never a link into MEDIA_URL: the files are not
    served by the web server."""
    found = Photo.objects.select_related("report", "step").filter(pk=photo_id).first()
    if found is None:
        raise Http404
    report = found.report
    allowed = rules.can_view(request.user, report) or (
        queries.is_public_to(request.user, report) and queries.is_public_photo(found)
    )
    if not allowed:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        raise Http404
    try:
        handle = found.image.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    response = uploads.protect(FileResponse(handle), found.image.name)
    response["Cache-Control"] = "private, max-age=3600"
    return response


@require_GET
def estate_page(request, estate_id):
    """The estate's public page (seed 003: every report answered, in the open): recent public
    reports with their status and reply, anonymised. Open to everyone, logged in or not."""
    estate = get_object_or_404(
        Place.objects.select_related("parent"), pk=estate_id, kind=PlaceKind.ESTATE
    )
    reports = queries.public_reports(estate).prefetch_related(
        Prefetch("photos", queryset=queries.public_photos(), to_attr="shown_photos")
    )
    page = paginate(request, reports, CappedPaginator)
    for report in page:
        report.public_name = public_name(report)
    return render(request, "reports/estate.html", {"estate": estate, "page_obj": page})
