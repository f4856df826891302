"""Pages for household binding (居民绑定房屋), the verification queue of the unit head, building
head and grid worker (seed 002), role grants, the party overlay (seeds 001, 003) and printable
invite codes. Views call services and queries; the rules live there."""

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from linju.core import access
from linju.core.errors import DomainError, Forbidden
from linju.core.forms import call_service
from linju.core.masking import mask_mobile
from linju.places.models import Place, PlaceKind

from . import queries, services
from .forms_households import (
    BindRequestForm,
    BindStepForm,
    DecideForm,
    GrantFilterForm,
    GrantForm,
    InviteCodeForm,
    LiaisonForm,
    PartyMemberForm,
    PartyOrganisationForm,
    ServedForm,
    place_placeholder,
)
from .models import LiaisonHousehold, RoleGrant
from .roles import ROLE_SCOPE_KIND, Role

PAGE_SIZE = 20


def _require_somewhere(user, perm):
    if not access.has_anywhere(user, perm):
        raise PermissionDenied


_call = call_service


def _page(request, qs):
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


# --- Household binding ------------------------------------------------------------------------


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _step_forms(request, selection, request_form_data=None):
    estate_id, building_id, unit_id = selection
    step = BindStepForm(
        initial={"estate": estate_id, "building": building_id, "unit": unit_id},
        estates=queries.bind_estates(),
        buildings=queries.bind_children(estate_id, "building") if estate_id else (),
        units=queries.bind_children(building_id, "unit") if building_id else (),
        options_url=reverse("people:bind_options"),
    )
    pick = BindRequestForm(request_form_data, rooms=queries.bind_rooms(unit_id) if unit_id else ())
    return step, pick


@login_required
def bind(request, invite_code=""):
    """Ask to join a household: pick the room, or type (or scan) the invite code."""
    get = request.GET
    selection = (_int(get.get("estate")), _int(get.get("building")), _int(get.get("unit")))
    invite = InviteCodeForm(prefix="invite", initial={"invite_code": invite_code})
    pick_data = None
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "invite":
            invite = InviteCodeForm(request.POST, prefix="invite")
            if invite.is_valid():
                done = _call(
                    invite,
                    services.request_residency_by_invite,
                    user=request.user,
                    **invite.cleaned_data,
                )
                if done:
                    return _requested(request, done)
        else:
            pick_data = request.POST
            selection = queries.bind_selection(request.POST.get("household")) or selection
    step, pick = _step_forms(request, selection, pick_data)
    if pick_data is not None and pick.is_valid():
        done = _call(
            pick,
            services.request_residency,
            user=request.user,
            household_id=pick.cleaned_data["household"],
            relation=pick.cleaned_data["relation"],
            note=pick.cleaned_data["note"],
        )
        if done:
            return _requested(request, done)
    return render(
        request,
        "people/bind.html",
        {
            "step": step,
            "pick": pick,
            "invite": invite,
            "unit_chosen": bool(selection[2]),
            "requests": queries.residency_requests(request.user),
        },
    )


def _requested(request, residency):
    messages.success(
        request, _("Your request was sent. The unit head or grid worker will verify it.")
    )
    return redirect("people:bind")


@login_required
def join(request, invite_code):
    """Landing page of the QR code on a printed household card."""
    return bind(request, invite_code=invite_code)


@login_required
@require_GET
def bind_options(request):
    """`<option>` lists for the dependent selects; later selects are emptied out of band."""
    level = request.GET.get("level")
    if level == "building":
        options = [
            (p.pk, p.name)
            for p in queries.bind_children(_int(request.GET.get("estate")), "building")
        ]
        placeholder, resets = _("Choose your building"), ["id_unit", "id_household"]
    elif level == "unit":
        options = [
            (p.pk, p.name) for p in queries.bind_children(_int(request.GET.get("building")), "unit")
        ]
        placeholder, resets = _("Choose your unit"), ["id_household"]
    elif level == "room":
        options = [(h.pk, h.room) for h in queries.bind_rooms(_int(request.GET.get("unit")))]
        placeholder, resets = _("Choose your room"), []
    else:
        raise Http404
    return render(
        request,
        "people/_options.html",
        {"options": options, "placeholder": placeholder, "resets": resets},
    )


@login_required
@require_POST
def end_residency(request, residency_id):
    """Withdraw a pending request or leave a household."""
    try:
        services.end_residency(actor=request.user, residency_id=residency_id)
    except Forbidden:
        raise PermissionDenied from None
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Done."))
    return redirect("people:bind")


# --- Verification queue -----------------------------------------------------------------------


@login_required
def verify_queue(request):
    _require_somewhere(request.user, "people.verify_residency")
    failed = None
    if request.method == "POST":
        failed = DecideForm(request.POST)
        if failed.is_valid():
            data = failed.cleaned_data
            done = _call(
                failed,
                services.decide_residency,
                actor=request.user,
                residency_id=data["residency"],
                approve=data["decision"] == "approve",
                reason=data["reason"],
            )
            if done:
                if data["decision"] == "approve":
                    messages.success(request, _("%(name)s is verified.") % {"name": done.user})
                else:
                    messages.success(request, _("The request was rejected."))
                page = request.GET.get("page")
                return redirect(reverse("people:verify_queue") + (f"?page={page}" if page else ""))
    page = _page(request, queries.pending_verifications(request.user))
    for residency in page:
        bound = failed is not None and failed.data.get("residency") == str(residency.pk)
        residency.form = failed if bound else DecideForm(initial={"residency": residency.pk})
    orphan_errors = failed is not None and failed.errors and not any(r.form is failed for r in page)
    return render(
        request,
        "people/verify_queue.html",
        {"page": page, "orphan_form": failed if orphan_errors else None},
        status=200,
    )


# --- Roles ------------------------------------------------------------------------------------


def _role_places(user, role):
    """The places a grant of `role` may be bound to; none until a role is chosen, because
    every place of a subdistrict would make a select of thousands of options."""
    kind = ROLE_SCOPE_KIND.get(Role(role)) if role in Role.values else None
    if kind is None or kind == "grid":
        return []
    return queries.places_in_scope(user, "people.grant_role", [kind])


@login_required
def roles(request):
    user = request.user
    _require_somewhere(user, "people.grant_role")
    data = request.POST if request.method == "POST" else None
    role = (data or request.GET).get("role", "")
    grant_form = GrantForm(
        data,
        places=_role_places(user, role),
        grids=queries.grids_in_scope(user, "people.grant_role"),
        options_url=reverse("people:role_places"),
        placeholder=place_placeholder(role),
        initial={"role": role},
    )
    if data is not None and grant_form.is_valid():
        cd = grant_form.cleaned_data
        person = _call(grant_form, services.person_by_mobile, mobile=cd["mobile"])
        grant = person and _call(
            grant_form,
            services.grant_role,
            actor=user,
            user_id=person.pk,
            role=cd["role"],
            place_id=cd["place"],
            grid_id=cd["grid"],
        )
        if grant:
            messages.success(request, _("Granted: %(grant)s") % {"grant": grant})
            return redirect("people:roles")
    filter_places = queries.places_in_scope(
        user,
        "people.grant_role",
        [PlaceKind.SUBDISTRICT, PlaceKind.COMMUNITY, PlaceKind.ESTATE, PlaceKind.BUILDING],
    )
    filters = GrantFilterForm(request.GET or None, places=filter_places)
    role_filter, place_filter = "", None
    if filters.is_valid():
        role_filter = filters.cleaned_data["role"]
        if filters.cleaned_data["place"]:
            place_filter = filter_places.filter(pk=filters.cleaned_data["place"]).first()
    page = _page(request, queries.grants_in_scope(user, role=role_filter, place=place_filter))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "people/roles.html",
        {"page": page, "grant_form": grant_form, "filters": filters, "query": query.urlencode()},
    )


@login_required
@require_GET
def role_places(request):
    _require_somewhere(request.user, "people.grant_role")
    role = request.GET.get("role", "")
    options = [
        (p.pk, f"{p.parent.name} · {p.name}" if p.parent_id else p.name)
        for p in _role_places(request.user, role)
    ]
    placeholder = place_placeholder(role)
    return render(
        request,
        "people/_options.html",
        {"options": options, "placeholder": placeholder, "resets": []},
    )


@login_required
def revoke_role(request, grant_id):
    grant = get_object_or_404(
        RoleGrant.objects.select_related("user", "place", "grid__community"), pk=grant_id
    )
    if not access.can(request.user, "people.grant_role", grant):
        raise PermissionDenied
    if request.method == "POST":
        try:
            services.revoke_role(actor=request.user, grant_id=grant.pk)
        except Forbidden:
            raise PermissionDenied from None
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("Revoked: %(grant)s") % {"grant": grant})
        return redirect("people:roles")
    return render(request, "people/roles_revoke.html", {"grant": grant})


# --- Party organisation -----------------------------------------------------------------------


@login_required
def party(request):
    user = request.user
    _require_somewhere(user, "places.view")
    can_manage = access.has_anywhere(user, "people.manage_party")
    organisations = queries.party_organisations(user)
    managed = queries.party_organisations_managed(user)
    grids = queries.grids_in_scope(user, "people.manage_party")
    org_places = queries.places_in_scope(
        user, "people.manage_party", [PlaceKind.COMMUNITY, PlaceKind.BUILDING]
    )
    data = request.POST if request.method == "POST" else None
    action = data.get("action") if data else None
    if data is not None and not can_manage:
        raise PermissionDenied
    forms = {
        "create_organisation": PartyOrganisationForm(
            data if action == "create_organisation" else None,
            places=org_places if can_manage else (),
            organisations=managed if can_manage else (),
            grids=grids if can_manage else (),
        ),
        "add_member": PartyMemberForm(
            data if action == "add_member" else None, organisations=managed if can_manage else ()
        ),
        "set_liaison": LiaisonForm(
            data if action == "set_liaison" else None, organisations=managed if can_manage else ()
        ),
    }
    if data is not None:
        done = _party_action(request, action, forms)
        if done:
            return redirect("people:party")
    page = _page(request, organisations)
    for org in page:
        for membership in org.memberships.all():
            membership.mobile_shown = (
                membership.user.mobile if can_manage else mask_mobile(membership.user.mobile)
            )
    return render(
        request,
        "people/party.html",
        {"page": page, "forms": forms if can_manage else {}, "can_manage": can_manage},
    )


def _party_action(request, action, forms):
    user = request.user
    form = forms.get(action)
    if action == "remove_member":
        return _party_simple(
            request, services.remove_party_member, membership_id=request.POST.get("membership")
        )
    if action == "end_liaison":
        return _party_simple(
            request, services.end_liaison_household, liaison_id=request.POST.get("liaison")
        )
    if form is None or not form.is_valid():
        return None
    cd = form.cleaned_data
    if action == "create_organisation":
        done = _call(
            form,
            services.create_party_organisation,
            actor=user,
            kind=cd["kind"],
            name=cd["name"],
            place_id=cd["place"],
            parent_id=cd["parent"],
            grid_id=cd["grid"],
        )
    elif action == "add_member":
        done = _call(
            form,
            services.add_party_member,
            actor=user,
            organisation_id=cd["organisation"],
            mobile=cd["mobile"],
            position=cd["position"],
        )
    else:
        done = _call(
            form,
            services.set_liaison_household,
            actor=user,
            organisation_id=cd["organisation"],
            mobile=cd["mobile"],
        )
    if done:
        messages.success(request, _("Saved."))
    return done


def _party_simple(request, fn, **kwargs):
    try:
        fn(actor=request.user, **kwargs)
    except Forbidden:
        raise PermissionDenied from None
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Saved."))
    return True


@login_required
def party_served(request, liaison_id):
    """Link or unlink the households a liaison household serves."""
    liaison = get_object_or_404(
        LiaisonHousehold.objects.select_related("member", "household__unit__parent"),
        pk=liaison_id,
    )
    if not access.can(request.user, "people.manage_party", liaison):
        raise PermissionDenied
    nearby = queries.households_near(liaison.household)
    data = request.POST if request.method == "POST" else None
    form = ServedForm(
        data,
        households=nearby,
        initial={"households": list(liaison.served.values_list("pk", flat=True))},
    )
    if data is not None and form.is_valid():
        done = _call(
            form,
            services.link_served_households,
            actor=request.user,
            liaison_id=liaison.pk,
            household_ids=form.cleaned_data["households"],
        )
        if done:
            messages.success(request, _("Saved."))
            return redirect("people:party")
    return render(request, "people/party_served.html", {"liaison": liaison, "form": form})


# --- Invite codes and QR ----------------------------------------------------------------------


def _qr_svg(text):
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    # The SVG is generated here from our own URL, so it is safe to inline.
    return mark_safe(image.to_string(encoding="unicode"))


@login_required
def invites(request, place_id):
    """Printable household cards of a unit or building: room, invite code and QR code."""
    place = get_object_or_404(
        Place.objects.filter(kind__in=[PlaceKind.UNIT, PlaceKind.BUILDING]), pk=place_id
    )
    if not access.can(request.user, "people.print_invites", place):
        raise PermissionDenied
    cards = []
    for household in queries.invite_households(place):
        url = request.build_absolute_uri(reverse("people:join", args=[household.invite_code]))
        cards.append({"household": household, "url": url, "qr": _qr_svg(url)})
    return render(request, "people/invites.html", {"place": place, "cards": cards})
