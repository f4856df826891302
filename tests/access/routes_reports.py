"""Snap-and-report (随手拍): the resident's pages, the staff desk, figures, categories, photos,
the public estate page, Open311 and /api/v1/reports. Rules: linju/reports/rules.py and
docs/reports.md — staff of the scope (reports.view) and the handler a report was dispatched to
see it in full, its reporter too; a public category's report is an anonymised card for
anyone; decisions follow the report's level (reports.decide_<level>); figures are for grid
workers, community staff and the subdistrict; categories are the subdistrict's."""

from datetime import timedelta

from django.utils import timezone

from linju.reports import services
from linju.reports.models import Category, CategoryAttribute, Report
from linju.reports.tests.conftest import upload

from .policy import Anywhere, Everyone, HasRole, HomeIn, Is, LoggedIn, Nobody, Perm
from .spec import Lit, Route
from .world import Thing, makes, marker, person, twin

APP = "reports"


@makes("category", "attribute")
def category_made(w, side, suffix):
    """A private category of the grid level (like 邻里纠纷, but decided in the grid) with one
    question. Categories are city-wide: the same on both sides."""
    category = Category.objects.filter(code="axm-private").first()
    if category is None:
        category = Category.objects.create(
            code="axm-private",
            name="AXM private",
            group="AXM",
            level=1,
            handler_role="grid_worker",
            is_public=False,
        )
        CategoryAttribute.objects.create(
            category=category, code="axm-q", datatype="string", description="AXM?", order=1
        )
    return {
        "category": Thing(category, None),
        "attribute": Thing(category.attributes.get(code="axm-q"), None, value="axm-q"),
    }


@makes("report", "report_photo", "public_report", "message", "fresh_report", again=True)
def reports_made(w, side, suffix):
    """At U1 (U3), filed by the owner living there: a private report with a photo, dispatched
    to the partner organisation and opened as a joint case with a message; a private report
    just submitted (to accept, reject, dispatch); and a public report (楼道堆物) left
    unanswered past its limit to accept (overdue)."""
    reporter = person(side, "owner")
    staff = w.user(person(side, "community_staff"))
    unit = w.place(twin(side, "U1"))
    report = services.submit_report(
        user=w.user(reporter),
        category_code="axm-private",
        place_id=unit.pk,
        title=marker("report", side, suffix),
        description=marker("report", side, suffix),
        photos=[upload(size=(64, 48))],
    )
    services.dispatch_report(
        user=staff, report=report, handler_id=w.user(person(side, "partner")).pk
    )
    services.open_joint_case(user=staff, report=report)
    message = services.post_message(user=staff, report=report, body=marker("message", side, suffix))
    public = services.submit_report(
        user=w.user(reporter),
        category_code="clutter",
        place_id=unit.pk,
        title=marker("public_report", side, suffix),
        description=marker("public_report", side, suffix),
    )
    fresh = services.submit_report(
        user=w.user(reporter),
        category_code="axm-private",
        place_id=unit.pk,
        title=marker("fresh_report", side, suffix),
        description=marker("fresh_report", side, suffix),
    )
    past = timezone.now() - timedelta(days=3)
    Report.objects.filter(pk=public.pk).update(accept_due_at=past, due_at=past, created_at=past)
    people = {"reporter": reporter, "handler": person(side, "partner")}
    where = twin(side, "U1")
    return {
        "report": Thing(report, where, people),
        "report_photo": Thing(report.photos.get(), where, people),
        "public_report": Thing(public, where, {"reporter": reporter}),
        "message": Thing(message, where, people),
        "fresh_report": Thing(fresh, where, {"reporter": reporter}),
    }


# Who sees a (private) report in full: its reporter, its handler, staff of the scope.
SEEN = Is("reporter", "handler") | Perm("reports.view")
FRESH_SEEN = Is("reporter") | Perm("reports.view")
DECIDE = Perm("reports.decide_1")  # the world's reports are of the grid level
WORK = Is("handler") | DECIDE
COORDINATE = Is("handler") | Perm("reports.coordinate")
QUEUE = Anywhere("reports.view") | HasRole(
    "grid_worker",
    "building_head",
    "unit_head",
    "community_staff",
    "property_manager",
    "owners_committee",
    "partner",
    "subdistrict_admin",
)
FIGURES = Anywhere("reports.view_figures")
FIGURES_HERE = Perm("reports.view_figures")
MANAGE = Anywhere("reports.manage_categories")
# Residents report in the estates they live in; staff wherever they view.
REPORT_AT = Perm("reports.view") | HomeIn("E")
# Me too: whoever sees the report (its reporter is told it is their own).
SUPPORT = Perm("reports.view") | Is("handler")


def _similar(w, side):
    return {"category": "clutter", "place": w.obj("unit", side).pk}


PAGES = {
    "reports/": Route(
        LoggedIn(),
        shows={"report": Is("reporter"), "public_report": Is("reporter")},
        why="resident-facing: the person's own reports and those they back",
    ),
    "reports/new/": Route(LoggedIn(), why="resident-facing: 'unavailable' without a home estate"),
    "reports/new/similar/": Route(
        LoggedIn(),
        kind="unit",
        query=_similar,
        shows={"public_report": LoggedIn()},
        public=("public_report",),
        why="public reports of the same building (anonymised cards)",
    ),
    "reports/<int:report_id>/": Route(
        SEEN,
        params={"report_id": "report"},
        ok=(200, 302),
        why="the reporter's page; staff and the handler are sent to the desk page",
    ),
    "reports/<int:report_id>/support/": Route(
        Nobody(),
        params={"report_id": "report"},
        get=405,
        post=SUPPORT,
        seen=SEEN,
        refused=(302,),
        why="POST only: me too; the reporter is told it is their own report",
    ),
    "reports/<int:report_id>/confirm/": Route(
        Nobody(),
        params={"report_id": "report"},
        get=405,
        post=Nobody(),
        seen=SEEN,
        refused=(200, 403, 404),
        why="POST only: the reporter's answer (the report is not resolved: the form again)",
    ),
    "reports/<int:report_id>/reopen/": Route(
        Nobody(),
        params={"report_id": "report"},
        get=405,
        post=Nobody(),
        seen=SEEN,
        refused=(200, 403, 404),
        why="POST only: the reporter's answer",
    ),
    "reports/<int:report_id>/rate/": Route(
        Nobody(),
        params={"report_id": "report"},
        get=405,
        post=Nobody(),
        seen=SEEN,
        refused=(200, 403, 404),
        why="POST only: the reporter's rating",
    ),
    "reports/photos/<int:photo_id>/": Route(
        SEEN, params={"photo_id": "report_photo"}, why="a photo of a private report"
    ),
    "reports/estate/<int:estate_id>/": Route(
        Everyone(),
        params={"estate_id": "estate"},
        shows={"public_report": Everyone(), "report": Nobody()},
        why="public: the estate's public reports, anonymised",
    ),
    "reports/desk/": Route(
        QUEUE,
        shows={"report": Perm("reports.view") | Is("handler")},
        why="the staff queue: the scope's reports and those dispatched to the person",
    ),
    "reports/desk/dispatch/": Route(
        QUEUE,
        kind="report",
        query=lambda w, side: {"reports": w.obj("report", side).pk},
        ok=(200, 302),
        post=DECIDE,
        data=lambda w, side: {
            "reports": w.obj("report", side).pk,
            "handler": w.user(person(side, "grid_worker")).pk,
        },
        refused=(200, 302),
        why="bulk dispatch of reports the person sees; none of them: back to the queue",
    ),
    "reports/desk/<int:report_id>/": Route(
        SEEN,
        params={"report_id": "report"},
        ok=(200, 302),
        post=DECIDE,
        data=lambda w, side: {"action": "accept"},
        refused=(302,),
        why="the desk page; the reporter is sent to their own page; an action not theirs is "
        "'not possible now'",
    ),
    "reports/figures/": Route(
        FIGURES,
        shows={"public_report": FIGURES_HERE},
        why="figures of the scope and its overdue reports",
    ),
    "reports/categories/": Route(MANAGE, why="categories are the subdistrict's"),
    "reports/categories/new/": Route(MANAGE, post=MANAGE, data=lambda w, s: {"code": "axm-new"}),
    "reports/categories/<int:category_id>/": Route(
        MANAGE, params={"category_id": "category"}, post=MANAGE, data=lambda w, s: {"name": "x"}
    ),
    "reports/categories/<int:category_id>/questions/new/": Route(
        MANAGE, params={"category_id": "category"}, post=MANAGE, data=lambda w, s: {"code": "x"}
    ),
    "reports/categories/<int:category_id>/questions/<int:attribute_id>/": Route(
        MANAGE,
        params={"category_id": "category", "attribute_id": "attribute.pk"},
        post=MANAGE,
        data=lambda w, s: {"code": "x"},
    ),
    "reports/categories/<int:category_id>/questions/<int:attribute_id>/delete/": Route(
        Nobody(),
        params={"category_id": "category", "attribute_id": "attribute.pk"},
        get=405,
        post=MANAGE,
        why="POST only",
    ),
    # --- Open311 GeoReport v2: public by design (docs/open311.md) ---
    "open311/v2/": Route(Everyone(), ok=(302,), why="public: to discovery.xml"),
    "open311/v2/^discovery\\.(?P<fmt>\\w+)$": Route(
        Everyone(), params={"fmt": Lit("json")}, why="public"
    ),
    "open311/v2/^services\\.(?P<fmt>\\w+)$": Route(
        Everyone(),
        params={"fmt": Lit("json")},
        why="public: active public categories (never a private one)",
    ),
    "open311/v2/^services/(?P<service_code>[-\\w]+)\\.(?P<fmt>\\w+)$": Route(
        Everyone(),
        params={"service_code": Lit("clutter"), "fmt": Lit("json")},
        why="public",
    ),
    "open311/v2/^requests\\.(?P<fmt>\\w+)$": Route(
        Everyone(),
        params={"fmt": Lit("json")},
        shows={"public_report": Everyone(), "report": Nobody()},
        public=("public_report", "unit", "building", "community"),
        post=REPORT_AT,
        post_kind="unit",
        key_param="api_key",
        data=lambda w, side: {
            "service_code": "clutter",
            "address_id": w.obj("unit", side).pk,
            "description": "x",
        },
        refused=(403,),
        why="public: public reports of every estate; filing one needs a personal API token "
        "and the same rules as the pages",
    ),
    "open311/v2/^requests/(?P<request_id>[^/.]+)\\.(?P<fmt>\\w+)$": Route(
        Everyone(),
        params={"request_id": "public_report", "fmt": Lit("json")},
        why="public: one public report",
    ),
    "open311/v2/^tokens/(?P<token>[^/.]+)\\.(?P<fmt>\\w+)$": Route(
        Everyone(),
        params={"token": "public_report.token", "fmt": Lit("json")},
        why="public: the request id behind a token",
    ),
    "open311/v2/^servicerequestupdates\\.(?P<fmt>\\w+)$": Route(
        Everyone(),
        params={"fmt": Lit("json")},
        public=("public_report", "unit", "building", "community"),
        why="public: public steps of public reports",
    ),
    "open311/v2/^(?P<rest>.*)$": Route(
        Nobody(), params={"rest": Lit("nothing")}, get=404, why="anything else: 404"
    ),
}


def _report_op(rule, data=None, refused=None, why=""):
    return Route(
        rule, params={"report_id": "report"}, seen=SEEN, data=data, refused=refused, why=why
    )


def _fresh_op(rule, data=None, why=""):
    """An action on the report just submitted: it is possible now, so a refusal is the
    permission's."""
    return Route(
        rule,
        params={"report_id": "fresh_report"},
        seen=FRESH_SEEN,
        data=data,
        refused=(403,),
        why=why,
    )


API = {
    "GET /reports/categories": Route(LoggedIn(), why="the categories open for reports"),
    "POST /reports/categories": Route(MANAGE, data=lambda w, s: {"code": "axm-new", "name": "x"}),
    "GET /reports/categories/{code}": Route(
        LoggedIn(), params={"code": "category.code"}, why="any active category"
    ),
    "PATCH /reports/categories/{code}": Route(
        MANAGE, params={"code": "category.code"}, seen=LoggedIn(), data=lambda w, s: {"name": "y"}
    ),
    "POST /reports/categories/{code}/attributes": Route(
        MANAGE, params={"code": "category.code"}, seen=LoggedIn()
    ),
    "PATCH /reports/categories/{code}/attributes/{attr_code}": Route(
        MANAGE,
        params={"code": "category.code", "attr_code": "attribute"},
        seen=LoggedIn(),
        data=lambda w, s: {"description": "y"},
    ),
    "DELETE /reports/categories/{code}/attributes/{attr_code}": Route(
        MANAGE, params={"code": "category.code", "attr_code": "attribute"}, seen=LoggedIn()
    ),
    "POST /reports": Route(
        REPORT_AT,
        kind="unit",
        data=lambda w, side: {
            "category": "clutter",
            "place": w.obj("unit", side).pk,
            "description": "x",
        },
        refused=(403,),
        why="residents in the estates they live in, staff in their scope",
    ),
    "GET /reports": Route(QUEUE, shows={"report": Perm("reports.view") | Is("handler")}),
    "GET /reports/similar": Route(
        LoggedIn(),
        kind="unit",
        query=_similar,
        shows={"public_report": LoggedIn()},
        public=("public_report",),
        why="public reports of the same building (anonymised cards)",
    ),
    "GET /reports/mine": Route(
        LoggedIn(), shows={"report": Is("reporter"), "public_report": Is("reporter")}
    ),
    "GET /reports/public": Route(
        Everyone(),
        kind="estate",
        query=lambda w, side: {"estate": w.obj("estate", side).pk},
        shows={"public_report": Everyone(), "report": Nobody()},
        public=("public_report",),
        why="public (no login): an estate's public reports",
    ),
    "GET /reports/figures": Route(FIGURES, counts=("report",), why="figures of the scope"),
    "GET /reports/overdue": Route(FIGURES, shows={"public_report": FIGURES_HERE}),
    "POST /reports/bulk-dispatch": Route(
        DECIDE,
        kind="report",
        data=lambda w, side: {
            "report_ids": [w.obj("report", side).pk],
            "handler_id": w.user(person(side, "grid_worker")).pk,
        },
        refused=(403, 404, 422),
        why="reports the caller may decide; others are named in a 422",
    ),
    "GET /reports/{report_id}": Route(SEEN, params={"report_id": "report"}),
    "GET /reports/{report_id}/timeline": Route(SEEN, params={"report_id": "report"}),
    "GET /reports/{report_id}/photos/{photo_id}": Route(
        SEEN, params={"report_id": "report", "photo_id": "report_photo"}
    ),
    "GET /reports/{report_id}/handlers": Route(DECIDE, params={"report_id": "report"}, seen=SEEN),
    "POST /reports/{report_id}/support": _report_op(
        SUPPORT, refused=(403, 409), why="whoever sees it (its reporter: 409 `own_report`)"
    ),
    "POST /reports/{report_id}/accept": _fresh_op(DECIDE),
    "POST /reports/{report_id}/reject": _fresh_op(DECIDE, data=lambda w, s: {"reason": "x"}),
    "POST /reports/{report_id}/dispatch": _fresh_op(
        DECIDE, data=lambda w, side: {"handler_id": w.user(person(side, "grid_worker")).pk}
    ),
    "POST /reports/{report_id}/start": _report_op(WORK),
    "POST /reports/{report_id}/resolve": _report_op(WORK, data=lambda w, s: {"reply": "x"}),
    "POST /reports/{report_id}/confirm": _report_op(
        Nobody(), data=lambda w, s: {}, refused=(403, 409)
    ),
    "POST /reports/{report_id}/reopen": _report_op(
        Nobody(), data=lambda w, s: {"comment": "x"}, refused=(403, 409)
    ),
    "POST /reports/{report_id}/rate": _report_op(
        Nobody(), data=lambda w, s: {"rating": 5}, refused=(403, 409)
    ),
    "POST /reports/{report_id}/escalate": _report_op(WORK, data=lambda w, s: {"reason": "x"}),
    "POST /reports/{report_id}/extend": _report_op(DECIDE),
    "POST /reports/{report_id}/merge": _report_op(
        DECIDE,
        data=lambda w, side: {"into": w.obj("public_report", side).pk},
        refused=(403, 422),
        why="the report merged into must be one the caller sees (else 422 on `into`)",
    ),
    "POST /reports/{report_id}/joint": _fresh_op(DECIDE),
    "GET /reports/{report_id}/messages": Route(
        COORDINATE, params={"report_id": "report"}, seen=SEEN, shows={"message": COORDINATE}
    ),
    "POST /reports/{report_id}/messages": _report_op(COORDINATE),
    "POST /reports/{report_id}/notes": _report_op(WORK),
}
