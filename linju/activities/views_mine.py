"""A resident's activities pages (seeds 000, 002, 004), mobile first: the activities of where I
live, grouped by day, and my coming sign-ups (a place, or my number on the wait list); an
activity with its sign-up and cancel buttons, its photos afterwards (人人有展示) and the upload
for those who came; the landing page of the QR code shown at the venue (签到); my activities,
past and coming, with check-in, confirmation and points; the volunteer teams near me, joining,
recording my service and, for a team's leader, confirming the members' service; the interest
groups; my skills in the talent pool (楼组达人库), my invitations and the talents neighbours
chose to show. Views call the services and queries only; the rules are theirs."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, OuterRef, Q, Subquery
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from linju.core.cleaning import as_id
from linju.core.forms import call_service
from linju.core.views import paginate, private_download
from linju.people.queries import person_labels
from linju.places.queries import place_labels

from . import queries, rules
from . import services_activities as acts
from . import services_talents as talent_services
from . import services_teams as team_services
from .forms_mine import (
    ButtonForm,
    DecideForm,
    KindFilterForm,
    PhotosForm,
    ServiceForm,
    TalentFilterForm,
    TalentForm,
)
from .models import (
    ActivityPhoto,
    ActivityStatus,
    GroupMember,
    InvitationStatus,
    ServiceStatus,
    SignUp,
    SignUpStatus,
    Skill,
    TeamMember,
)

LATEST = 10
# A leader's queue on the team page; the rest come once these are decided.
WAITING_SHOWN = 30


# --- Helpers --------------------------------------------------------------------------------


def _press(request, fn, **kwargs):
    """Run the service behind a plain button (sign up, join, leave, answer…): (done, result).
    A domain refusal goes on top of the next page as a message; a refusal of access is a 403."""
    form = ButtonForm(request.POST)
    form.is_valid()
    result = call_service(form, fn, **kwargs)
    for error in form.errors.get("__all__", []):
        messages.error(request, error)
    return not form.errors, result


def _with_wait_position(sign_ups):
    """Each sign-up with its number on the wait list (`wait_position`, meaningful while it
    waits): those waiting before it, in the services' order (signed_at, id), plus one."""
    ahead = (
        SignUp.objects.filter(activity=OuterRef("activity_id"), status=SignUpStatus.WAITING)
        .filter(
            Q(signed_at__lt=OuterRef("signed_at"))
            | Q(signed_at=OuterRef("signed_at"), id__lte=OuterRef("id"))
        )
        .order_by()
        .values("activity")
        .annotate(n=Count("id"))
        .values("n")
    )
    return sign_ups.annotate(wait_position=Subquery(ahead))


def _names(viewer, people) -> dict[int, str]:
    """Person id → name as `viewer` may see it (people.queries.person_labels)."""
    return {pk: name for pk, (name, _m) in person_labels(viewer, people).items()}


def _dress(activities):
    """The place label ("E1 B1") and the places left of each activity, in one query."""
    labels = place_labels([a.place for a in activities])
    for a in activities:
        a.place_label = labels.get(a.place_id, a.place.name)
        a.places_left = max(a.capacity - a.signed, 0) if a.capacity else None
    return activities


def _by_day(activities):
    """[(local day, [activities starting that day])], in the order given."""
    days = []
    for a in activities:
        day = timezone.localtime(a.starts_at).date()
        if not days or days[-1][0] != day:
            days.append((day, []))
        days[-1][1].append(a)
    return days


def _members(request, user, owner):
    """A page of the team's or group's members, leaders first, for those who may see them
    (rules.may_see_members: its leaders and the staff of its scope); None for anyone else."""
    if not rules.may_see_members(user, owner):
        return None
    return paginate(
        request, owner.members.select_related("user").order_by("role", "joined_at", "id")
    )


def _unknown_action():
    # A form this page never renders: nothing to do, nothing to say but "not here".
    raise Http404


# --- Activities -----------------------------------------------------------------------------


@login_required
def home(request):
    """Activities near me from now on (a kind filter), and my coming sign-ups."""
    user = request.user
    now = timezone.now()
    filter_form = KindFilterForm(request.GET or None)
    kind = filter_form.cleaned_data["kind"] if filter_form.is_valid() else ""
    coming = queries.calendar(user, start=now)
    if kind:
        coming = coming.filter(kind=kind)
    page = paginate(request, coming)
    _dress(page.object_list)
    signed = _with_wait_position(
        queries.my_sign_ups(user).filter(activity__ends_at__gte=now)
    ).order_by("activity__starts_at", "id")
    context = {
        "filter_form": filter_form,
        "kind": kind,
        "page_obj": page,
        "days": _by_day(page.object_list),
        "mine": list(signed[:LATEST]),
        "has_home": bool(rules.homes(user)),
    }
    return render(request, "activities/home.html", context)


def _activity_or_404(user, pk):
    found = queries.activity_for(user, pk)
    if found is None:
        raise Http404
    return found


@login_required
def activity(request, pk):
    user = request.user
    found = _activity_or_404(user, pk)
    photos_form = PhotosForm()
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "sign_up":
            ok, mine = _press(request, acts.sign_up, user=user, activity_id=found.pk)
            if ok and mine.status == SignUpStatus.WAITING:
                n = _with_wait_position(SignUp.objects.filter(pk=mine.pk)).get().wait_position
                messages.success(
                    request,
                    _("The activity is full: you are number %(n)d on the wait list.") % {"n": n},
                )
            elif ok:
                messages.success(request, _("You are signed up. See you there!"))
            return redirect("activities:activity", found.pk)
        if action == "cancel":
            ok, _mine = _press(request, acts.cancel_sign_up, user=user, activity_id=found.pk)
            if ok:
                messages.success(request, _("Your sign-up is cancelled."))
            return redirect("activities:activity", found.pk)
        if action != "photos":
            _unknown_action()
        photos_form = PhotosForm(request.POST, request.FILES)
        if photos_form.is_valid():
            done = call_service(
                photos_form,
                acts.add_photos,
                user=user,
                activity_id=found.pk,
                photos=photos_form.cleaned_data["photos"],
                caption=photos_form.cleaned_data["caption"],
            )
            if done is not None:
                messages.success(request, _("Thank you: your photos are added."))
                return redirect("activities:activity", found.pk)
    now = timezone.now()
    mine = _with_wait_position(SignUp.objects.filter(activity=found, user=user)).first()
    taking_part = mine if mine is not None and mine.status != SignUpStatus.CANCELLED else None
    started = found.starts_at <= now
    cancelled = found.status == ActivityStatus.CANCELLED
    checked_in = mine is not None and mine.checked_in_at is not None
    _dress([found])
    # The buttons shown are what the services would accept, from the facts they check: a
    # place or the wait list before the start (acts.sign_up), giving it back before the start
    # (acts.cancel_sign_up), photos once started by who may add them (acts.add_photos).
    context = {
        "activity": found,
        "mine": taking_part,
        "checked_in": checked_in,
        "started": started,
        "over": found.ends_at < now,
        "cancelled": cancelled,
        "may_sign_up": not cancelled
        and not started
        and taking_part is None
        and rules.may_take_part(user, found),
        "may_cancel": taking_part is not None and not started,
        "can_run": rules.can_run(user, found),
        "photos": list(found.photos.all()) if started else [],
        "may_add_photos": started
        and not cancelled
        and rules.may_add_photos(user, found, took_part=checked_in),
        "photos_form": photos_form,
    }
    return render(request, "activities/activity.html", context)


@login_required
def photo(request, pk):
    """A photo of an activity, to those who may see the activity (never a link into MEDIA_URL)."""
    found = ActivityPhoto.objects.filter(pk=pk).first()
    if found is None or queries.activity_for(request.user, found.activity_id) is None:
        raise Http404
    return private_download(found.photo)


@login_required
def check_in(request, code):
    """签到: where the QR code at the venue leads. One big button; a refusal (too early, over,
    not of where one lives, full) is said on the page."""
    user = request.user
    found = queries.activity_by_code(code)
    if found is None:
        context = {"unknown": True, "form": ButtonForm()}
        return render(request, "activities/check_in.html", context, status=404)
    form = ButtonForm()
    status = 200
    if request.method == "POST":
        form = ButtonForm(request.POST)
        form.is_valid()
        try:
            done = call_service(form, acts.check_in, user=user, code=code)
        except PermissionDenied as exc:
            form.add_error(None, str(exc) or _("You may not do this here."))
            done, status = None, 403
        if done is not None:
            messages.success(request, _("You are checked in."))
            return redirect("activities:check_in", code)
    mine = SignUp.objects.filter(activity=found, user=user).first()
    now = timezone.now()
    opens_at = found.starts_at - acts.CHECK_IN_EARLY
    context = {
        "activity": found,
        "form": form,
        "allowed": rules.may_take_part(user, found),
        "checked_in": mine is not None and mine.checked_in_at is not None,
        "mine": mine,
        "opens_at": opens_at,
        "too_early": now < opens_at,
        "over": now > found.ends_at,
        "cancelled": found.status == ActivityStatus.CANCELLED,
    }
    if context["allowed"]:
        _dress([found])
    return render(request, "activities/check_in.html", context, status=status)


@login_required
def mine(request):
    """My activities, coming (soonest first) or past (latest first)."""
    user = request.user
    show = "past" if request.GET.get("show") == "past" else "coming"
    now = timezone.now()
    rows = _with_wait_position(queries.my_sign_ups(user))
    if show == "past":
        rows = rows.filter(activity__ends_at__lt=now).order_by("-activity__starts_at", "-id")
    else:
        rows = rows.filter(activity__ends_at__gte=now).order_by("activity__starts_at", "id")
    page = paginate(request, rows)
    return render(request, "activities/mine.html", {"page_obj": page, "show": show})


# --- Volunteer teams ------------------------------------------------------------------------


@login_required
def teams(request):
    user = request.user
    page = paginate(request, queries.teams_near(user).order_by("path", "name", "id"))
    for team in page.object_list:
        team.may_join = team.open_to_join and not team.joined and rules.lives_in(user, team)
    return render(request, "activities/teams.html", {"page_obj": page})


def _decide(request, user, action):
    """A leader confirms or turns down one waiting record: (done, the bound form, record id)."""
    record_id = as_id(request.POST.get("record"))
    form = DecideForm(request.POST, prefix=f"r{record_id}")
    if not form.is_valid():
        return False, form, record_id
    done = call_service(
        form,
        team_services.decide_service,
        user=user,
        record_id=record_id,
        confirm=action == "confirm",
        reason=form.cleaned_data["reason"],
    )
    if done is None:
        return False, form, record_id
    if done.status == ServiceStatus.CONFIRMED:
        messages.success(
            request, _("Service confirmed: %(n)d points credited.") % {"n": done.points}
        )
    else:
        messages.success(request, _("Service not confirmed: the member is told why."))
    return True, form, record_id


@login_required
def team(request, pk):
    user = request.user
    found = queries.team_for(user, pk)
    if found is None:
        raise Http404
    service_form = ServiceForm()
    decide_forms = {}
    if request.method == "POST":
        action = request.POST.get("action")
        if action in ("join", "leave"):
            join = action == "join"
            fn = team_services.join_team if join else team_services.leave_team
            ok, _member = _press(request, fn, user=user, team_id=found.pk)
            if ok:
                messages.success(
                    request,
                    _("Welcome to the team!") if join else _("You have left the team."),
                )
            return redirect("activities:team", found.pk)
        if action == "service":
            service_form = ServiceForm(request.POST)
            if service_form.is_valid():
                done = call_service(
                    service_form,
                    team_services.submit_service,
                    user=user,
                    team_id=found.pk,
                    **service_form.cleaned_data,
                )
                if done is not None:
                    messages.success(
                        request, _("Recorded: a leader of the team will confirm your service.")
                    )
                    return redirect("activities:team", found.pk)
        elif action in ("confirm", "reject"):
            ok, form, record_id = _decide(request, user, action)
            if ok:
                return redirect("activities:team", found.pk)
            decide_forms[record_id] = form
        else:
            _unknown_action()
    leads = rules.can_confirm_service(user, found)
    waiting = []
    if leads:
        waiting = list(queries.services_to_confirm(user).filter(team=found)[:WAITING_SHOWN])
    shown = {r.pk for r in waiting}
    for record_id, form in list(decide_forms.items()):
        if record_id not in shown:
            # Decided meanwhile (by another leader) or not of this team: say so on top.
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
            del decide_forms[record_id]
    members = _members(request, user, found)
    names = _names(user, [m.user for m in members or ()] + [r.user for r in waiting])
    for m in members or ():
        m.label = names[m.user_id]
    for r in waiting:
        r.label = names[r.user_id]
        r.form = decide_forms.get(r.pk) or DecideForm(prefix=f"r{r.pk}")
    me = TeamMember.objects.filter(team=found, user=user).first()
    context = {
        "team": found,
        "member": me,
        # What join_team and submit_service check: an active team, open, of where one lives.
        "may_join": me is None
        and found.active
        and found.open_to_join
        and rules.lives_in(user, found),
        "may_record": me is not None and found.active,
        "page_obj": members,
        "may_organise": found.active and rules.leads_team(user, found),
        "service_form": service_form,
        "records": list(queries.my_team_services(user).filter(team=found)[:LATEST]),
        "leads": leads,
        "waiting": waiting,
    }
    return render(request, "activities/team.html", context)


# --- Interest groups ------------------------------------------------------------------------


@login_required
def groups(request):
    user = request.user
    page = paginate(request, queries.groups_near(user).order_by("path", "name", "id"))
    for group in page.object_list:
        group.may_join = not group.joined and rules.lives_in(user, group)
    return render(request, "activities/groups.html", {"page_obj": page})


@login_required
def group(request, pk):
    user = request.user
    found = queries.group_for(user, pk)
    if found is None:
        raise Http404
    if request.method == "POST":
        action = request.POST.get("action")
        if action not in ("join", "leave"):
            _unknown_action()
        join = action == "join"
        fn = team_services.join_group if join else team_services.leave_group
        ok, _member = _press(request, fn, user=user, group_id=found.pk)
        if ok:
            messages.success(
                request, _("Welcome to the group!") if join else _("You have left the group.")
            )
        return redirect("activities:group", found.pk)
    coming = list(queries.calendar(user, start=timezone.now()).filter(group=found)[:LATEST])
    _dress(coming)
    me = GroupMember.objects.filter(group=found, user=user).first()
    members = _members(request, user, found)
    names = _names(user, [m.user for m in members or ()])
    for m in members or ():
        m.label = names[m.user_id]
    context = {
        "group": found,
        "member": me,
        # What join_group checks: an active group of where one lives.
        "may_join": me is None and found.active and rules.lives_in(user, found),
        "page_obj": members,
        "may_organise": found.active and rules.leads_group(user, found),
        "coming": coming,
    }
    return render(request, "activities/group.html", context)


# --- Talent pool ----------------------------------------------------------------------------


def _set_talent(request, user):
    """The add form (prefix "add") or the edit form of a listed skill ("edit-<skill>"):
    (done, the bound form, the skill edited or "")."""
    prefix = request.POST.get("form", "add")
    skill = prefix.removeprefix("edit-") if prefix != "add" else ""
    if prefix != "add" and skill not in Skill.values:
        _unknown_action()
    form = TalentForm(request.POST, prefix=prefix, fixed_skill=bool(skill))
    if not form.is_valid():
        return False, form, skill
    data = {"skill": skill, **form.cleaned_data}
    done = call_service(form, talent_services.set_talent, user=user, **data)
    if done is None:
        return False, form, skill
    messages.success(request, _("Saved: %(skill)s.") % {"skill": done.get_skill_display()})
    return True, form, skill


@login_required
def talents(request):
    user = request.user
    add_form = TalentForm(prefix="add")
    edit_forms = {}
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "set":
            ok, form, skill = _set_talent(request, user)
            if ok:
                return redirect("activities:talents")
            if skill:
                edit_forms[skill] = form
            else:
                add_form = form
        elif action == "remove":
            ok, _none = _press(
                request,
                talent_services.remove_talent,
                user=user,
                skill=request.POST.get("skill", ""),
            )
            if ok:
                messages.success(request, _("Removed from the talent pool."))
            return redirect("activities:talents")
        elif action in ("accept", "decline"):
            accept = action == "accept"
            ok, _invitation = _press(
                request,
                talent_services.answer,
                user=user,
                invitation_id=request.POST.get("invitation"),
                accept=accept,
            )
            if ok:
                messages.success(
                    request,
                    _("Thank you: the community staff will be in touch.")
                    if accept
                    else _("You declined the invitation."),
                )
            # Back to the same page of invitations.
            query = request.GET.urlencode()
            return redirect(reverse("activities:talents") + (f"?{query}" if query else ""))
        else:
            _unknown_action()
    mine = list(queries.my_talents(user))
    for t in mine:
        t.form = edit_forms.get(t.skill) or TalentForm(
            prefix=f"edit-{t.skill}",
            fixed_skill=True,
            initial={"note": t.note, "visibility": t.visibility},
        )
    filter_form = TalentFilterForm(request.GET or None)
    skill = filter_form.cleaned_data["skill"] if filter_form.is_valid() else ""
    page = paginate(request, queries.neighbours_talents(user, skill=skill))
    names = _names(user, [t.user for t in page.object_list])
    labels = place_labels([t.place for t in page.object_list])
    for t in page.object_list:
        t.label = names[t.user_id]
        t.place_label = labels.get(t.place_id, "")
    context = {
        "mine": mine,
        "add_form": add_form,
        "has_home": bool(rules.homes(user)),
        # Paged on their own (`ipage`): every invitation waiting stays answerable.
        "invitations": Paginator(queries.my_invitations(user), LATEST).get_page(
            request.GET.get("ipage")
        ),
        "sent": InvitationStatus.SENT,
        "filter_form": filter_form,
        "page_obj": page,
    }
    return render(request, "activities/talents.html", context)


urlpatterns = [
    path("", home, name="home"),
    path("<int:pk>/", activity, name="activity"),
    path("photos/<int:pk>/", photo, name="photo"),
    path("check-in/<str:code>/", check_in, name="check_in"),
    path("mine/", mine, name="mine"),
    path("teams/", teams, name="teams"),
    path("teams/<int:pk>/", team, name="team"),
    path("groups/", groups, name="groups"),
    path("groups/<int:pk>/", group, name="group"),
    path("talents/", talents, name="talents"),
]
