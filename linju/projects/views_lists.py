"""Pages of the needs and resources lists (需求清单, 资源清单) and the partners (共建单位), so that
staff and partners never need the API: the overview of a scope's three lists (staff); the needs
list (staff of the scope with filters; residents the open needs of their community), a need's
page (support it, or close and reopen it), recording and editing a need; the resources list
(staff), a resource's page with the projects using it (withdraw it), offering one (a partner's
people for their partner, managers on its behalf, a resident for a place they live in) and
editing it; the partners, a partner's page with its agreements, deliveries, resources and
projects (deactivate, activate), creating and editing a partner, adding an agreement with its
signed document and a delivery. Reads come from queries_lists (already scoped), writes from
services_lists, whose errors land on the field they name."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from linju.core import access
from linju.core.forms import call_service
from linju.core.views import CappedPaginator, paginate, private_download
from linju.people.queries import person_labels
from linju.people.roles import Role
from linju.places.paths import prefixes_of

from . import queries_lists as q
from . import rules
from . import services_lists as services
from .forms_lists import (
    AgreementForm,
    CloseNeedForm,
    DeliveryForm,
    NeedFilterForm,
    NeedForm,
    NewNeedForm,
    NewPartnerForm,
    PartnerForm,
    PartnerOfferForm,
    ResidentOfferForm,
    ResourceFilterForm,
    ResourceForm,
)
from .money import yuan_text

OVERVIEW_ITEMS = 50
MAX_PEOPLE = 200
MAX_CHOICES = 300
VIEW = q.VIEW
MANAGE = "projects.manage"
RECORD = "projects.record_need"


def _require_staff(user):
    if not rules.may_use_desk(user):
        raise PermissionDenied


def _may_record_anywhere(user) -> bool:
    # rules.can_record_need: the first-line handlers, and the managers.
    return access.has_anywhere(user, RECORD) or access.has_anywhere(user, MANAGE)


def _may_offer_for_partner(user) -> bool:
    """Managers offer on a partner's behalf; a partner's people for their own (rules.acts_for
    needs the partner role)."""
    return access.has_anywhere(user, MANAGE) or Role.PARTNER.value in access.roles_of(user)


def _action_form():
    """A bound empty form: the refusal of a button's service (a conflict) lands on it."""
    form = forms.Form({})
    form.full_clean()
    return form


def _form_page(request, context):
    context.setdefault("staff", rules.may_use_desk(request.user))
    return render(request, "projects/lists/form_page.html", context)


@login_required
@require_GET
def overview(request):
    user = request.user
    _require_staff(user)
    places = list(q.communities_for(user))
    place = places[0] if places else None
    wanted = request.GET.get("place")
    if wanted:
        place = next((p for p in places if str(p.pk) == wanted), None)
        if place is None:
            raise Http404
    context = {"places": places, "place": place, "nav": "overview"}
    if place is not None:
        context.update(
            figures=q.overview(place),
            unmatched=list(q.unmatched_needs(place.path)[:OVERVIEW_ITEMS]),
            unused=list(q.unused_resources(place.path)[:OVERVIEW_ITEMS]),
        )
    return render(request, "projects/lists/overview.html", context)


# --- Needs (需求清单) ---------------------------------------------------------------------------


@login_required
@require_GET
def needs(request):
    user = request.user
    staff = rules.may_use_desk(user)
    filters = NeedFilterForm(request.GET or None, places=q.places_for(user) if staff else [])
    kwargs = {}
    if staff and filters.is_bound and filters.is_valid():
        data = filters.cleaned_data
        place = q.place_in_scope(user, data["place"]) if data.get("place") else None
        if data.get("place") and place is None:
            raise Http404
        kwargs = {"status": data["status"], "source": data["source"], "place": place}
    page = paginate(request, q.visible_needs(user, **kwargs), CappedPaginator)
    scope = access.scope(user, q.VIEW)
    rows = list(page.object_list)
    for n in rows:
        n.staff_view = scope.covers(n.path)
    return render(
        request,
        "projects/lists/needs.html",
        {
            "needs": rows,
            "page_obj": page,
            "filters": filters,
            "staff": staff,
            "nav": "needs",
            "may_record": _may_record_anywhere(user),
            # 我有资源: a resident offers from the page where they see what is needed.
            "may_offer": bool(rules.homes(user)),
        },
    )


def _source_links(need, staff) -> dict:
    """The report a need came from (staff: the report's desk page) and the topic (its page in
    deliberation, which decides who reads it)."""
    kind, _sep, ref = need.source_ref.partition(":")
    if kind == "report" and staff:
        from linju.reports.models import Report

        found = Report.objects.filter(token=ref).only("pk").first()
        if found is not None:
            return {"report_url": reverse("reports:desk_report", args=[found.pk])}
    if kind == "topic" and ref.isdigit():
        return {"topic_url": reverse("deliberation:topic", args=[int(ref)])}
    return {}


@login_required
def need(request, pk):
    user = request.user
    found = q.need_for(user, pk)
    if found is None:
        raise Http404
    may_record = rules.can_record_need(user, found)
    close_form = CloseNeedForm()
    action_form = _action_form()
    if request.method == "POST":
        action = request.POST.get("action")
        if action in ("support", "withdraw"):
            fn = services.support_need if action == "support" else services.withdraw_support
            if call_service(action_form, fn, user=user, need=found) is not None:
                messages.success(request, _("Thank you: your voice is counted."))
                return redirect("projects:lists_need", found.pk)
        elif action in ("close", "reopen"):
            if not may_record:
                raise PermissionDenied
            if action == "reopen":
                done = call_service(action_form, services.reopen_need, user=user, need=found)
            else:
                close_form = CloseNeedForm(request.POST)
                done = close_form.is_valid() and call_service(
                    close_form,
                    services.close_need,
                    user=user,
                    need=found,
                    reason=close_form.cleaned_data["reason"],
                )
            if done:
                messages.success(request, _("Saved."))
                return redirect("projects:lists_need", found.pk)
        else:
            raise Http404
    staff = rules.can_view(user, found)
    context = {
        "need": found,
        "staff": staff,
        "nav": "needs",
        "may_record": may_record,
        "may_support": rules.lives_in(user, found) and found.status == "open",
        "supported": bool(getattr(found, "supported", False)),
        "close_form": close_form,
        "action_form": action_form,
        **_source_links(found, staff),
    }
    return render(request, "projects/lists/need.html", context)


@login_required
def need_new(request):
    """Record a need (需求) heard in a place of the recorder's scope. A topic's or a report's
    page may link here with `?source=topic&source_ref=<id>` filled in."""
    user = request.user
    if not _may_record_anywhere(user):
        raise PermissionDenied
    places = q.places_for(user, RECORD)
    if request.method == "POST":
        form = NewNeedForm(request.POST, places=places)
        if form.is_valid():
            created = call_service(form, services.create_need, user=user, **form.service_kwargs())
            if created is not None:
                messages.success(request, _("The need is on the list."))
                return redirect("projects:lists_need", created.pk)
    else:
        initial = {k: request.GET[k][:80] for k in ("source", "source_ref") if request.GET.get(k)}
        form = NewNeedForm(initial=initial, places=places)
    return _form_page(
        request,
        {
            "form": form,
            "title": _("Record a need"),
            "submit": _("Record"),
            "back": reverse("projects:lists_needs"),
            "nav": "needs",
        },
    )


@login_required
def need_edit(request, pk):
    user = request.user
    found = q.need_for(user, pk)
    if found is None:
        raise Http404
    if not rules.can_record_need(user, found):
        raise PermissionDenied
    form = NeedForm(request.POST or None, initial=NeedForm.initial_of(found))
    if request.method == "POST" and form.is_valid():
        kwargs = form.service_kwargs()
        if call_service(form, services.update_need, user=user, need=found, **kwargs):
            messages.success(request, _("Saved."))
            return redirect("projects:lists_need", found.pk)
    return _form_page(
        request,
        {
            "form": form,
            "title": _("Edit the need “%(title)s”") % {"title": found.title},
            "submit": _("Save"),
            "back": reverse("projects:lists_need", args=[found.pk]),
            "nav": "needs",
        },
    )


# --- Resources (资源清单) -------------------------------------------------------------------------


@login_required
@require_GET
def resources(request):
    """The resources of the staff's scope, with the projects using each."""
    user = request.user
    _require_staff(user)
    filters = ResourceFilterForm(request.GET or None, places=q.places_for(user))
    kwargs = {}
    if filters.is_bound and filters.is_valid():
        data = filters.cleaned_data
        place = q.place_in_scope(user, data["place"]) if data.get("place") else None
        if data.get("place") and place is None:
            raise Http404
        kwargs = {"status": data["status"], "kind": data["kind"], "place": place}
    page = paginate(request, q.staff_resources(user, **kwargs), CappedPaginator)
    rows = list(page.object_list)
    for r in rows:
        r.amount_yuan = yuan_text(r.amount_fen)
    return render(
        request,
        "projects/lists/resources.html",
        {
            "resources": rows,
            "page_obj": page,
            "filters": filters,
            "staff": True,
            "nav": "resources",
            "may_offer": _may_offer_for_partner(user),
        },
    )


@login_required
def resource(request, pk):
    """A resource, who offers it and the projects using it; its offerer (or a manager)
    withdraws it here."""
    user = request.user
    found = q.resource_for(user, pk)
    if found is None:
        raise Http404
    form = _action_form()
    if request.method == "POST":
        if request.POST.get("action") != "withdraw":
            raise Http404
        if call_service(form, services.withdraw_resource, user=user, resource=found):
            messages.success(request, _("The resource is withdrawn."))
            return redirect("projects:lists_resource", found.pk)
    offerer = None
    if found.offered_by is not None:
        offerer = person_labels(user, [found.offered_by])[found.offered_by.pk][0]
    staff = rules.can_view(user, found)
    return render(
        request,
        "projects/lists/resource.html",
        {
            "resource": found,
            "amount_yuan": yuan_text(found.amount_fen),
            "offerer": offerer,
            "uses": list(found.uses.all()),
            "staff": staff,
            "nav": "resources",
            "may_edit": q.may_edit_resource(user, found),
            "form": form,
        },
    )


@login_required
def resource_new(request):
    """A partner's offer: its own people for it, managers on its behalf."""
    user = request.user
    if not _may_offer_for_partner(user):
        raise PermissionDenied
    partners = list(q.offering_partners(user)[:MAX_CHOICES])
    form = PartnerOfferForm(request.POST or None, partners=partners)
    if request.method == "POST" and form.is_valid():
        kwargs = form.service_kwargs()
        # A partner the person does not see is not named back to them.
        if q.partner_for(user, kwargs["partner_id"]) is None:
            raise Http404
        created = call_service(form, services.create_resource, user=user, **kwargs)
        if created is not None:
            messages.success(request, _("The resource is on the list."))
            return redirect("projects:lists_resource", created.pk)
    return _form_page(
        request,
        {
            "form": form,
            "title": _("Offer a partner's resource"),
            "intro": None if partners else _("You act for no active partner."),
            "submit": _("Offer"),
            "back": reverse("projects:lists_resources")
            if rules.may_use_desk(user)
            else reverse("projects:lists_needs"),
            "nav": "resources",
        },
    )


@login_required
def resource_offer(request):
    """我有资源: a resident offers what they have (their time, skill, tools) where they live."""
    user = request.user
    if not rules.homes(user):
        raise PermissionDenied
    places = list(q.home_places(user).order_by("path")[:MAX_CHOICES])
    form = ResidentOfferForm(request.POST or None, places=places)
    if request.method == "POST" and form.is_valid():
        created = call_service(form, services.create_resource, user=user, **form.service_kwargs())
        if created is not None:
            messages.success(request, _("Thank you: your offer is on the list."))
            return redirect("projects:lists_resource", created.pk)
    return _form_page(
        request,
        {
            "form": form,
            "title": _("Offer something to the neighbourhood"),
            "intro": _(
                "Your time, a skill, a tool or a space: the community matches it with what "
                "neighbours need."
            ),
            "submit": _("Offer"),
            "back": reverse("projects:lists_needs"),
            "nav": "needs",
        },
    )


@login_required
def resource_edit(request, pk):
    user = request.user
    found = q.resource_for(user, pk)
    if found is None:
        raise Http404
    if not q.may_edit_resource(user, found):
        raise PermissionDenied
    form = ResourceForm(request.POST or None, initial=ResourceForm.initial_of(found))
    if request.method == "POST" and form.is_valid():
        kwargs = form.service_kwargs()
        if call_service(form, services.update_resource, user=user, resource=found, **kwargs):
            messages.success(request, _("Saved."))
            return redirect("projects:lists_resource", found.pk)
    return _form_page(
        request,
        {
            "form": form,
            "title": _("Edit the resource “%(title)s”") % {"title": found.title},
            "submit": _("Save"),
            "back": reverse("projects:lists_resource", args=[found.pk]),
            "nav": "resources",
        },
    )


# --- Partners (共建单位) -------------------------------------------------------------------------


@login_required
@require_GET
def partners(request):
    user = request.user
    _require_staff(user)
    page = paginate(request, q.partners(user), CappedPaginator)
    return render(
        request,
        "projects/lists/partners.html",
        {
            "partners": page.object_list,
            "page_obj": page,
            "nav": "partners",
            "may_manage": access.has_anywhere(user, MANAGE),
        },
    )


@login_required
def partner(request, pk):
    user = request.user
    found = q.partner_for(user, pk)
    if found is None:
        raise Http404
    form = _action_form()
    if request.method == "POST":
        action = request.POST.get("action")
        if action not in ("activate", "deactivate"):
            raise Http404
        done = call_service(
            form,
            services.set_partner_active,
            user=user,
            partner=found,
            active=action == "activate",
        )
        if done:
            messages.success(request, _("Saved."))
            return redirect("projects:lists_partner", found.pk)
    today = timezone.localdate()
    agreements = list(q.partner_agreements(found))
    deliveries = list(q.partner_deliveries(found)[:100])
    for d in deliveries:
        d.value_yuan = yuan_text(d.value_fen)
    return render(
        request,
        "projects/lists/partner.html",
        {
            "partner": found,
            "current": [a for a in agreements if a.starts_on <= today <= a.ends_on],
            "expired": [a for a in agreements if not a.starts_on <= today <= a.ends_on],
            "documents": q.may_read_documents(user, found),
            "deliveries": deliveries,
            "resources": list(q.partner_resources(found)[:100]),
            "projects": list(q.partner_projects(found)[:100]),
            "may_manage": rules.can_manage(user, found),
            "may_offer": found.active
            and (rules.acts_for(user, found) or rules.can_manage(user, found)),
            "form": form,
            "staff": True,
            "nav": "partners",
        },
    )


@login_required
def partner_new(request):
    """Register a co-building unit (共建单位) of a community of the manager's scope."""
    user = request.user
    if not access.has_anywhere(user, MANAGE):
        raise PermissionDenied
    places = q.communities_for(user, MANAGE)
    people = q.partner_people(
        access.filter_queryset(user, MANAGE, q.partner_grants(), "place__path")
    )
    form = NewPartnerForm(request.POST or None, places=places, people=people)
    if request.method == "POST" and form.is_valid():
        created = call_service(form, services.create_partner, user=user, **form.service_kwargs())
        if created is not None:
            messages.success(request, _("The partner is registered."))
            return redirect("projects:lists_partner", created.pk)
    return _form_page(
        request,
        {
            "form": form,
            "title": _("Register a partner"),
            "submit": _("Register"),
            "back": reverse("projects:lists_partners"),
            "nav": "partners",
        },
    )


def _managed_partner(user, pk):
    found = q.partner_for(user, pk)
    if found is None:
        raise Http404
    if not rules.can_manage(user, found):
        raise PermissionDenied
    return found


@login_required
def partner_edit(request, pk):
    user = request.user
    found = _managed_partner(user, pk)
    grants = q.partner_grants().filter(place__path__in=prefixes_of(found.path))
    people = q.partner_people(grants, current=found.members.all())
    form = PartnerForm(request.POST or None, initial=PartnerForm.initial_of(found), people=people)
    if request.method == "POST" and form.is_valid():
        kwargs = form.service_kwargs()
        if call_service(form, services.update_partner, user=user, partner=found, **kwargs):
            messages.success(request, _("Saved."))
            return redirect("projects:lists_partner", found.pk)
    return _form_page(
        request,
        {
            "form": form,
            "title": _("Edit the partner “%(name)s”") % {"name": found.name},
            "submit": _("Save"),
            "back": reverse("projects:lists_partner", args=[found.pk]),
            "nav": "partners",
        },
    )


@login_required
def agreement_new(request, pk):
    """共建协议 with the signed document (PDF, Word or a photo), checked by core.uploads."""
    user = request.user
    found = _managed_partner(user, pk)
    form = AgreementForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        kwargs = form.service_kwargs()
        if call_service(form, services.add_agreement, user=user, partner=found, **kwargs):
            messages.success(request, _("The agreement is recorded."))
            return redirect("projects:lists_partner", found.pk)
    return _form_page(
        request,
        {
            "form": form,
            "multipart": True,
            "title": _("A co-building agreement with %(name)s") % {"name": found.name},
            "submit": _("Record the agreement"),
            "back": reverse("projects:lists_partner", args=[found.pk]),
            "nav": "partners",
        },
    )


@login_required
def delivery_new(request, pk):
    """履约记录: what the partner delivered, under one of its agreements, for a project of its
    community."""
    user = request.user
    found = _managed_partner(user, pk)
    projects = q.delivery_projects(user, found)[:MAX_CHOICES]
    form = DeliveryForm(
        request.POST or None,
        agreements=q.partner_agreements(found).only("pk", "title"),
        projects=projects,
    )
    if request.method == "POST" and form.is_valid():
        kwargs = form.service_kwargs()
        if call_service(form, services.add_delivery, user=user, partner=found, **kwargs):
            messages.success(request, _("The delivery is recorded."))
            return redirect("projects:lists_partner", found.pk)
    return _form_page(
        request,
        {
            "form": form,
            "title": _("What %(name)s delivered") % {"name": found.name},
            "submit": _("Record"),
            "back": reverse("projects:lists_partner", args=[found.pk]),
            "nav": "partners",
        },
    )


@login_required
@require_GET
def agreement_document(request, pk):
    user = request.user
    found = q.agreement_for(user, pk)
    if found is None or not q.may_read_documents(user, found.partner):
        raise Http404
    return private_download(found.document)


urlpatterns = [
    path("lists/", overview, name="lists_overview"),
    path("lists/needs/", needs, name="lists_needs"),
    path("lists/needs/new/", need_new, name="lists_need_new"),
    path("lists/needs/<int:pk>/", need, name="lists_need"),
    path("lists/needs/<int:pk>/edit/", need_edit, name="lists_need_edit"),
    path("lists/resources/", resources, name="lists_resources"),
    path("lists/resources/new/", resource_new, name="lists_resource_new"),
    path("lists/resources/offer/", resource_offer, name="lists_resource_offer"),
    path("lists/resources/<int:pk>/", resource, name="lists_resource"),
    path("lists/resources/<int:pk>/edit/", resource_edit, name="lists_resource_edit"),
    path("lists/partners/", partners, name="lists_partners"),
    path("lists/partners/new/", partner_new, name="lists_partner_new"),
    path("lists/partners/<int:pk>/", partner, name="lists_partner"),
    path("lists/partners/<int:pk>/edit/", partner_edit, name="lists_partner_edit"),
    path("lists/partners/<int:pk>/agreements/new/", agreement_new, name="lists_agreement_new"),
    path("lists/partners/<int:pk>/deliveries/new/", delivery_new, name="lists_delivery_new"),
    path(
        "lists/agreements/<int:pk>/document/", agreement_document, name="lists_agreement_document"
    ),
]
