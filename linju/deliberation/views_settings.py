"""Settings pages of deliberation for community staff and subdistrict administrators (seeds
000–001): the resident representatives (居民代表) of the communities they organise — who serves,
who served, appointing a verified resident found by mobile or name, ending a term — and the
support thresholds (附议门槛) of their scopes with what each gives now, set and cleared.
Views call services_settings and queries_settings; who may do what is decided there."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _

from linju.core.cleaning import as_id
from linju.core.forms import call_service
from linju.core.views import CappedPaginator, paginate
from linju.places.queries import place_labels

from . import queries_settings as queries
from . import services_settings as services
from .forms_settings import (
    AppointForm,
    CandidateSearchForm,
    ClearRuleForm,
    EndForm,
    SupportRuleForm,
)
from .models import Representative
from .services_topics import DEFAULT_SUPPORT

PAST_SHOWN = 20


_call = call_service


def _require(user):
    if not queries.may_use(user):
        raise PermissionDenied


def _back(request, anchor=""):
    """The page the form was on (its query string kept: page, picker), at `anchor`."""
    query = request.GET.urlencode()
    return redirect(request.path + (f"?{query}" if query else "") + anchor)


# --- Resident representatives ---------------------------------------------------------------------


@login_required
def representatives(request):
    """The communities I organise, each with its serving and past representatives; appoint a
    verified resident (picked by mobile or name) or end a term."""
    user = request.user
    _require(user)
    appoint_form = end_form = None
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "appoint":
            appoint_form = AppointForm(request.POST)
            if appoint_form.is_valid():
                rep = _call(
                    appoint_form,
                    services.appoint_representative,
                    user=user,
                    **appoint_form.cleaned_data,
                )
                if rep:
                    messages.success(request, _("Appointed: %(name)s") % {"name": rep.user})
                    return _back(request, f"#community-{rep.community_id}")
        elif action == "end":
            end_form = EndForm(request.POST)
            if end_form.is_valid():
                rep = _call(
                    end_form, services.end_representative, user=user, **end_form.cleaned_data
                )
                if rep:
                    messages.success(
                        request,
                        _("%(name)s serves until %(until)s.")
                        % {"name": rep.user, "until": rep.until.isoformat()},
                    )
                    return _back(request, f"#community-{rep.community_id}")
        else:
            raise PermissionDenied

    page = paginate(request, queries.communities(user), CappedPaginator)
    communities = list(page)
    by_id = {c.pk: c for c in communities}
    terms = queries.label_representatives(
        user,
        Representative.objects.filter(community__in=communities)
        .select_related("user")
        .order_by("community_id", "-since", "pk"),
    )
    for c in communities:
        c.serving, c.past = [], []
    for rep in terms:
        c = by_id[rep.community_id]
        (c.past if rep.status == queries.ENDED else c.serving).append(rep)
    for c in communities:
        c.more_past = max(0, len(c.past) - PAST_SHOWN)
        c.past = c.past[:PAST_SHOWN]

    # The person picker: verified residents of one of the communities on this page.
    search = picked = None
    candidates = []
    if "q" in request.GET:
        search = CandidateSearchForm(request.GET)
        if search.is_valid():
            picked = by_id.get(search.cleaned_data["community"])
            if picked is None:
                search.add_error("q", _("Choose a community of this page."))
            else:
                found = list(queries.candidates(picked, search.cleaned_data["q"]))
                shown = queries.people_shown(user, found)
                serving = {r.user_id for r in picked.serving}
                candidates = [{"person": shown[p.pk], "serving": p.pk in serving} for p in found]
    return render(
        request,
        "deliberation/settings/representatives.html",
        {
            "page_obj": page,
            "communities": communities,
            "search": search,
            "picked": picked,
            "candidates": candidates,
            "appoint_form": appoint_form,
            "end_form": end_form,
            "past_shown": PAST_SHOWN,
        },
    )


# --- Support thresholds ---------------------------------------------------------------------------


@login_required
def support_rules(request):
    """The support thresholds of my scopes with what each gives now; set one, or clear it."""
    user = request.user
    _require(user)
    places = list(queries.rule_places(user))
    labels = place_labels(places)
    form = clear_form = None
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "set":
            form = SupportRuleForm(request.POST, places=places, labels=labels)
            if form.is_valid():
                rule = _call(form, services.set_support_rule, user=user, **form.cleaned_data)
                if rule:
                    messages.success(
                        request,
                        _("Saved the threshold of %(place)s. Topics already proposed keep theirs.")
                        % {"place": labels.get(rule.place_id, rule.place.name)},
                    )
                    return _back(request)
        elif action == "clear":
            clear_form = ClearRuleForm(request.POST)
            if clear_form.is_valid():
                _call(clear_form, services.clear_support_rule, user=user, **clear_form.cleaned_data)
                if not clear_form.errors:
                    messages.success(request, _("Cleared. Topics already proposed keep theirs."))
                    return _back(request)
        else:
            raise PermissionDenied
    if form is None:
        initial = {}
        rule_place = as_id(request.GET.get("place"))
        if rule_place:
            rule = queries.support_rules(user).filter(place_id=rule_place).first()
            if rule is not None:
                initial = {
                    "place_id": rule.place_id,
                    "households": rule.households,
                    "percent": rule.percent,
                }
        form = SupportRuleForm(initial=initial, places=places, labels=labels)
    page = paginate(request, queries.support_rules(user), CappedPaginator)
    rules = queries.rule_rows(page.object_list)
    return render(
        request,
        "deliberation/settings/support_rules.html",
        {
            "page_obj": page,
            "rules": rules,
            "form": form,
            "clear_form": clear_form,
            "default": getattr(settings, "DELIBERATION_SUPPORT", DEFAULT_SUPPORT) or {},
            "action_url": reverse("deliberation:support_rules"),
        },
    )


urlpatterns = [
    path("desk/representatives/", representatives, name="representatives"),
    path("desk/support-rules/", support_rules, name="support_rules"),
]
