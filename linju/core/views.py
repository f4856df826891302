"""Core pages: the home pages, the inbox and its preferences, the audit log, elder mode."""

import json
from functools import cached_property, wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import i18n as i18n_views
from django.views.decorators.http import require_POST
from django.views.static import serve as static_serve

from linju.people import queries as people_queries
from linju.people import services as people_services

from . import access, modules, notifications, queries, uploads
from .forms import AuditFilterForm, NotificationPreferenceForm
from .masking import mask_mobile

PER_PAGE = 20
ELDER_COOKIE = "elder"
ELDER_COOKIE_AGE = 60 * 60 * 24 * 365

# The capabilities of DESIGN.md §2 a resident will reach from home. An app links its tile
# (core.modules.register_module); until it exists the tile says "coming soon" instead of
# linking anywhere. The glyph is decoration (aria-hidden), the same in every language, like the
# brand mark.
MODULES = [
    (
        "report",
        "报",
        gettext_lazy("Report a problem"),
        gettext_lazy("Snap a photo, we follow it up"),
    ),
    ("topics", "议", gettext_lazy("Topics & votes"), gettext_lazy("Suggest, discuss and decide")),
    ("contest", "旗", gettext_lazy("Unit contest"), gettext_lazy("The rotating red flag")),
    (
        "points",
        "积",
        gettext_lazy("Points & love supermarket"),
        gettext_lazy("Volunteer and redeem"),
    ),
    (
        "activities",
        "聚",
        gettext_lazy("Activities & teams"),
        gettext_lazy("Sign up, volunteer, share a skill"),
    ),
    ("projects", "建", gettext_lazy("Co-creation"), gettext_lazy("Needs, resources, projects")),
    ("surveys", "问", gettext_lazy("Surveys"), gettext_lazy("Tell us what you need")),
    ("services", "办", gettext_lazy("Services"), gettext_lazy("Assisted services, mobile desk")),
    ("mutualaid", "助", gettext_lazy("Mutual aid"), gettext_lazy("Wish wall and sharing")),
    ("notices", "告", gettext_lazy("Notices"), gettext_lazy("Public notices and newsletter")),
]


def is_staff_member(user) -> bool:
    return user.is_authenticated and (user.is_superuser or bool(access.staff_roles_of(user)))


def staff_required(view):
    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if not is_staff_member(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def safe_next(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def paginate(request, queryset, paginator_class=Paginator):
    return paginator_class(queryset, PER_PAGE).get_page(request.GET.get("page"))


class CappedPaginator(Paginator):
    """Counts at most `cap` rows. A subdistrict's audit log holds hundreds of thousands of
    events, and an exact count would make every page view scan them all; past the cap the page
    says "more than 2,000" and the filters narrow the log down."""

    cap = 2_000

    @cached_property
    def count(self):
        # Any cap + 1 rows will do: without the ORDER BY, LIMIT stops the scan at the cap
        # instead of sorting every matching row first.
        rows = self.object_list
        if hasattr(rows, "order_by"):
            rows = rows.order_by()
        return rows[: self.cap + 1].count()

    @property
    def capped(self) -> bool:
        return self.count > self.cap


def home(request):
    if not request.user.is_authenticated:
        return render(request, "core/landing.html", {"modules": modules.tiles(MODULES)})
    user = request.user
    residencies = list(people_queries.my_residencies(user))
    context = {
        "households": people_queries.verified_households(residencies),
        "pending": [r for r in residencies if r.status == "pending"],
        "latest": queries.latest_notifications(user),
        "modules": modules.tiles(MODULES),
    }
    return render(request, "core/home.html", context)


@staff_required
def staff_home(request):
    user = request.user
    context = {"grants": list(queries.staff_grants(user))}
    if access.has_anywhere(user, "people.verify_residency"):
        pending = people_queries.pending_verifications(user)
        context["pending_count"] = pending.count()
        context["pending_first"] = list(pending[:5])
        context["can_verify"] = True
    context["can_import"] = access.has_anywhere(user, "people.import_roster")
    context["can_grant"] = access.has_anywhere(user, "people.grant_role")
    context["can_audit"] = access.has_anywhere(user, "core.view_audit")
    context["can_party"] = access.has_anywhere(user, "people.manage_party")
    context["panels"] = modules.desk_panels(user)
    return render(request, "core/staff_home.html", context)


@login_required
def notifications_inbox(request):
    page = paginate(request, queries.inbox(request.user))
    return render(request, "core/notifications.html", {"page_obj": page})


@login_required
@require_POST
def notifications_read(request):
    """Mark one notification (`id`) or all of them read, then go back."""
    if request.POST.get("id"):
        try:
            ids = [int(request.POST["id"])]
        except ValueError:
            ids = []
        notifications.mark_read(user=request.user, ids=ids)
    else:
        count = notifications.mark_read(user=request.user)
        if count:
            messages.success(request, _("All messages marked as read."))
    return HttpResponseRedirect(safe_next(request, reverse("core:notifications")))


@login_required
def notification_preferences(request):
    user = request.user
    kinds = notifications.kind_choices(user)
    if request.method == "POST":
        form = NotificationPreferenceForm(request.POST, kinds=kinds)
        if form.is_valid():
            notifications.update_preference(user=user, **form.cleaned_data)
            messages.success(request, _("Your notification settings were saved."))
            return redirect("core:notification_preferences")
    else:
        pref = notifications.preference_for(user)
        form = NotificationPreferenceForm(
            initial={
                "email": pref.email,
                "webhook": pref.webhook,
                "muted_kinds": pref.muted_kinds,
            },
            kinds=kinds,
        )
    return render(
        request, "core/notification_preferences.html", {"form": form, "has_email": bool(user.email)}
    )


@login_required
def audit_log(request):
    if not access.has_anywhere(request.user, "core.view_audit"):
        raise PermissionDenied
    form = AuditFilterForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        events = queries.audit_events(request.user).none()
    else:
        filters = form.cleaned_data if form.is_bound else {}
        events = queries.audit_events(request.user, **filters)
    page = paginate(request, events, CappedPaginator)
    for event in page:
        event.actor_mobile = mask_mobile(event.actor.mobile) if event.actor else ""
        event.data_json = json.dumps(event.data, ensure_ascii=False, indent=1, sort_keys=True)
    return render(request, "core/audit.html", {"form": form, "page_obj": page})


@require_POST
def elder_mode(request):
    """Turn elder mode on (`on=1`) or off (`on=0`); without `on`, flip it. Saved on the account
    for people who are logged in, and in a cookie so it also holds before logging in."""
    current = getattr(request.user, "elder_mode", False) or request.COOKIES.get(ELDER_COOKIE) == "1"
    on = {"1": True, "0": False}.get(request.POST.get("on", ""), not current)
    if request.user.is_authenticated:
        people_services.update_preferences(user=request.user, elder_mode=on)
    response = HttpResponseRedirect(safe_next(request, reverse("core:home")))
    if on:
        response.set_cookie(ELDER_COOKIE, "1", max_age=ELDER_COOKIE_AGE, samesite="Lax")
    else:
        response.delete_cookie(ELDER_COOKIE, samesite="Lax")
    return response


def healthz(request):
    """Readiness for the load balancer, and the load harness's floor (bench/load.py): the
    cheapest answer the whole stack gives. It runs no query of its own, only what every request
    pays before its first query: Django's connection health check (CONN_HEALTH_CHECKS, a bare
    `SELECT 1` on a kept connection) or a new connection. 503 when that fails (core.outage)."""
    from django.db import connection

    from .outage import DATABASE_ERRORS, RETRY_AFTER_SECONDS

    try:
        connection.close_if_health_check_failed()
        connection.ensure_connection()
    except DATABASE_ERRORS:
        response = JsonResponse({"ok": False, "database": "unreachable"}, status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return JsonResponse({"ok": True})


@require_POST
def set_language(request):
    """Django's language switch, which also remembers the choice on the account, so the next
    login on another phone starts in the same language."""
    response = i18n_views.set_language(request)
    language = request.POST.get("language")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        people_services.update_preferences(user=request.user, language=language)
    return response


def private_download(document):
    """A stored upload (a stage's record, a proxy's authorisation, a ballot sheet's scan, a
    photo) as a private response for someone the caller already checked may see it; 404 when
    there is none. Typed by its stored extension, which core.uploads gave it from the sniffed
    content, with the safe headers of core.uploads.protect: images open in the browser,
    anything else (PDF too) downloads."""
    if not document:
        raise Http404
    try:
        handle = document.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return uploads.protect(FileResponse(handle), document.name)


def media(request, path, document_root=None):
    """MEDIA_URL when DEBUG (linju/urls.py), with the headers the web server sends in
    production (docs/operations.md, "Media files")."""
    return uploads.protect(static_serve(request, path, document_root=document_root), path)
