"""Meeting pages (seeds 000–002: notify and convene, hold the meeting, record and follow up).

Residents: the meetings they are invited to and the notices near them, the meeting page with
its agenda and their answer (RSVP), and the page the QR code at the door opens (check-in).
Staff: the meetings of their scope, a new meeting, the meeting's desk (agenda, invitations,
notice, the door's QR code, the live quorum, ticking the sign-in sheet, minutes with decisions
per agenda topic, cancelling), the printable notice and sign-in sheet (A4), and the meeting
kinds (subdistrict administrators). Views call services_meetings and queries_meetings; who
may do what is decided there and in rules."""

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET

from linju.core import access
from linju.core.errors import DomainError
from linju.core.forms import call_service
from linju.core.views import CappedPaginator, paginate

from . import queries_meetings as queries
from . import rules
from . import services_meetings as services
from .forms_meetings import (
    AgendaAddForm,
    DeskFilterForm,
    InviteListForm,
    InviteRolesForm,
    KindForm,
    MeetingForm,
    MinutesForm,
    ReasonForm,
    RsvpForm,
    ServiceForm,
    TickForm,
    TopicForm,
)
from .models import MeetingKind, MeetingStatus, Topic

BOARD_SHOWN = 20


_call = call_service


def _qr_svg(text):
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2)
    # The SVG is generated here from our own URL, so it is safe to inline.
    return mark_safe(image.to_string(encoding="unicode"))


def _checkin_url(request, meeting) -> str:
    return request.build_absolute_uri(
        reverse("deliberation:checkin", args=[meeting.pk, meeting.checkin_token])
    )


def _staff_meeting(user, meeting_id):
    """The meeting for a desk page: staff of a scope containing it, 404 for anyone else."""
    meeting = queries.meeting_or_none(meeting_id)
    if meeting is None or not queries.is_staff_viewer(user, meeting):
        raise Http404
    queries.label_meetings([meeting])
    return meeting


def _nav(user) -> dict:
    return {
        "can_host": access.has_anywhere(user, "deliberation.host_meeting"),
        "can_kinds": services.may_manage_kinds(user),
    }


# --- Residents ------------------------------------------------------------------------------------


@login_required
@require_GET
def my_meetings(request):
    """The meetings I am invited to (upcoming first) and the notices on my homes' boards."""
    user = request.user
    page = paginate(request, queries.my_invitations(user), CappedPaginator)
    queries.label_meetings(list(page))
    board = queries.label_meetings(list(queries.board_meetings(user)[:BOARD_SHOWN]))
    return render(
        request,
        "deliberation/meetings/mine.html",
        {
            "page_obj": page,
            "board": board,
            "now": timezone.now(),
            "is_desk": queries.may_use_desk(user),
        },
    )


@login_required
def meeting_page(request, meeting_id):
    """The meeting as an invitee or a neighbour sees it: notice, agenda, my answer, and once
    held the minutes and decisions."""
    user = request.user
    meeting = queries.meeting_or_none(meeting_id)
    if meeting is None:
        raise Http404
    invitee = queries.invitation(user, meeting)
    if not queries.can_see(user, meeting, invitee):
        raise Http404
    now = timezone.now()
    can_answer = (
        invitee is not None and meeting.status == MeetingStatus.NOTICED and now < meeting.starts_at
    )
    form = None
    if can_answer:
        form = RsvpForm(
            request.POST if request.method == "POST" else None,
            initial={"answer": invitee.rsvp or None},
        )
        if request.method == "POST" and form.is_valid():
            done = _call(
                form, services.rsvp, user=user, meeting=meeting, answer=form.cleaned_data["answer"]
            )
            if done:
                messages.success(request, _("Thank you: your answer is saved."))
                return redirect("deliberation:meeting", meeting.pk)
    elif request.method == "POST":
        messages.warning(request, _("Answers are closed for this meeting."))
        return redirect("deliberation:meeting", meeting.pk)
    queries.label_meetings([meeting])
    held = meeting.status == MeetingStatus.HELD
    return render(
        request,
        "deliberation/meeting.html",
        {
            "meeting": meeting,
            "invitee": invitee,
            "agenda": queries.agenda(meeting),
            "form": form,
            "decisions": queries.decisions(meeting) if held else [],
            "quorum": services.quorum(meeting) if held else None,
            "is_staff": queries.is_staff_viewer(user, meeting),
        },
    )


@login_required
def checkin(request, meeting_id, token):
    """Where the QR code at the door leads: the logged-in invitee taps once to check in."""
    user = request.user
    meeting = queries.meeting_or_none(meeting_id)
    if meeting is None:
        raise Http404
    if request.method == "POST":
        try:
            done = services.check_in(user=user, meeting=meeting, token=token)
        except DomainError:
            pass  # the page below says what is wrong
        else:
            if done.already:
                messages.info(request, _("You had already checked in."))
            else:
                messages.success(request, _("Checked in. Welcome!"))
            return redirect("deliberation:checkin", meeting.pk, token)
    invitee = queries.invitation(user, meeting)
    problem = None
    if invitee is None or invitee.checked_in_at is None:
        problem = services.checkin_problem(user, meeting, token)
    token_ok = not (problem and problem.code == "invalid")
    # A wrong code shows nothing of the meeting to someone who may not see it anyway.
    show = token_ok or queries.can_see(user, meeting, invitee)
    context = {
        "meeting": meeting if show else None,
        "invitee": invitee,
        "problem": problem.message if problem else "",
        "walk_in": invitee is None and problem is None,
        "quorum": services.quorum(meeting) if show and invitee and invitee.checked_in_at else None,
    }
    status = problem.status if problem else 200
    return render(request, "deliberation/meetings/checkin.html", context, status=status)


# --- Staff: lists and a new meeting ---------------------------------------------------------------


@login_required
@require_GET
def desk_meetings(request):
    user = request.user
    if not queries.may_use_desk(user):
        raise PermissionDenied
    form = DeskFilterForm(request.GET or None)
    f = queries.StaffFilter()
    if form.is_bound and form.is_valid():
        cd = form.cleaned_data
        f = queries.StaffFilter(status=cd["status"], when=cd["when"], q=cd["q"].strip())
    rows = queries.staff_meetings(user, f)
    if form.is_bound and form.errors:
        rows = rows.none()
    page = paginate(request, rows, CappedPaginator)
    queries.label_meetings(list(page))
    return render(
        request,
        "deliberation/meetings/desk_list.html",
        {"form": form, "page_obj": page} | _nav(user),
    )


@login_required
def meeting_new(request):
    user = request.user
    if not access.has_anywhere(user, "deliberation.host_meeting"):
        raise PermissionDenied
    places = list(queries.host_places(user))
    kinds = list(MeetingKind.objects.filter(active=True).order_by("code"))
    form = MeetingForm(
        request.POST if request.method == "POST" else None,
        kinds=kinds,
        places=places,
        place_labels=queries.place_labels(places),
        initial={k: request.GET.get(k, "") for k in ("kind", "place", "title")},
    )
    # From a topic's desk page: the stage's meeting, with the topic on its agenda.
    topic = _agenda_topic(user, request.POST.get("topic") or request.GET.get("topic"))
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        meeting = _call(
            form,
            services.create_meeting,
            topic_ids=[topic.pk] if topic else [],
            user=user,
            kind=cd["kind"],
            place_id=cd["place"],
            title=cd["title"],
            starts_at=cd["starts_at"],
            ends_at=cd["ends_at"],
            venue=cd["venue"],
            quorum_numerator=cd["quorum_numerator"],
            quorum_denominator=cd["quorum_denominator"],
        )
        if meeting:
            messages.success(request, _("Meeting created. Now set its agenda and invite people."))
            return redirect("deliberation:desk_meeting", meeting.pk)
    return render(
        request,
        "deliberation/meetings/form.html",
        {"form": form, "meeting": None, "topic": topic} | _nav(user),
    )


def _agenda_topic(user, value):
    """The topic a new meeting starts its agenda with, if the user sees it from the desk."""
    try:
        pk = int(value)
    except (TypeError, ValueError):
        return None
    return access.filter_queryset(
        user, "deliberation.host_meeting", Topic.objects.filter(pk=pk)
    ).first()


@login_required
def meeting_edit(request, meeting_id):
    user = request.user
    meeting = _staff_meeting(user, meeting_id)
    if not rules.can_host(user, meeting):
        raise PermissionDenied
    if meeting.status not in services.EDITABLE:
        messages.warning(request, _("This meeting can no longer be changed."))
        return redirect("deliberation:desk_meeting", meeting.pk)
    form = MeetingForm(
        request.POST if request.method == "POST" else None,
        editing=True,
        initial={
            "title": meeting.title,
            "starts_at": meeting.starts_at,
            "ends_at": meeting.ends_at,
            "venue": meeting.venue,
            "quorum_numerator": meeting.quorum_numerator,
            "quorum_denominator": meeting.quorum_denominator,
        },
    )
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        done = _call(
            form,
            services.update_meeting,
            user=user,
            meeting=meeting,
            title=cd["title"],
            starts_at=cd["starts_at"],
            ends_at=cd["ends_at"],
            venue=cd["venue"],
            quorum_numerator=cd["quorum_numerator"],
            quorum_denominator=cd["quorum_denominator"],
        )
        if done:
            messages.success(request, _("Saved."))
            return redirect("deliberation:desk_meeting", meeting.pk)
    return render(
        request, "deliberation/meetings/form.html", {"form": form, "meeting": meeting} | _nav(user)
    )


# --- Staff: the meeting's desk --------------------------------------------------------------------

ACTIONS = {
    "agenda_add": AgendaAddForm,
    "agenda_remove": TopicForm,
    "agenda_up": TopicForm,
    "agenda_down": TopicForm,
    "invite_roles": InviteRolesForm,
    "invite_scope": ServiceForm,
    "invite_list": InviteListForm,
    "notice": ServiceForm,
    "tick": TickForm,
    "rotate": ServiceForm,
    "minutes": MinutesForm,
    "cancel": ReasonForm,
}

ROW_ACTIONS = ("agenda_remove", "agenda_up", "agenda_down", "tick")


def allowed_actions(user, meeting, now=None) -> dict[str, bool]:
    """What the desk offers, from the rules and the meeting's state (the services check both
    again)."""
    now = now or timezone.now()
    host = rules.can_host(user, meeting)
    editable = host and meeting.status in services.EDITABLE
    noticed = host and meeting.status == MeetingStatus.NOTICED
    agenda = dict.fromkeys(("agenda_add", "agenda_remove", "agenda_up", "agenda_down"), editable)
    invite = dict.fromkeys(("invite_roles", "invite_scope", "invite_list"), editable)
    return {
        **agenda,
        **invite,
        "edit": editable,
        "notice": host and meeting.status == MeetingStatus.DRAFT,
        "tick": noticed and now >= meeting.starts_at - services.CHECKIN_OPENS,
        "rotate": editable,
        "minutes": noticed and now >= meeting.starts_at,
        "cancel": editable,
        "door": editable,
    }


def _form(action, meeting, data=None, agenda=()):
    cls = ACTIONS[action]
    if cls is AgendaAddForm:
        return cls(data, topics=_eligible_topics(meeting, agenda), prefix=action)
    if cls is MinutesForm:
        return cls(data, agenda=agenda, prefix=action)
    return cls(data, prefix=action)


def _eligible_topics(meeting, agenda):
    on = [item.topic_id for item in agenda]
    return list(services.topics_for(meeting).exclude(pk__in=on).order_by("-created_at")[:100])


def _moved(agenda, topic_id, step) -> list[int]:
    ids = [item.topic_id for item in agenda]
    if topic_id in ids:
        i = ids.index(topic_id)
        j = i + step
        if 0 <= j < len(ids):
            ids[i], ids[j] = ids[j], ids[i]
    return ids


def _run(request, meeting, action, form, agenda) -> bool:
    user, cd = request.user, form.cleaned_data
    kw = {"user": user, "meeting": meeting}
    if action == "agenda_add":
        done = _call(form, services.add_topic, topic_id=cd["topic_id"], **kw)
        text = _("Topic added to the agenda.")
    elif action == "agenda_remove":
        _call(form, services.remove_topic, topic_id=cd["topic"], **kw)
        done = True  # errors, if any, are on the form now
        text = _("Topic taken off the agenda.")
    elif action in ("agenda_up", "agenda_down"):
        ids = _moved(agenda, cd["topic"], -1 if action == "agenda_up" else 1)
        done = _call(form, services.set_agenda, topic_ids=ids, **kw)
        text = _("Agenda reordered.")
    elif action in ("invite_roles", "invite_scope", "invite_list"):
        args = {}
        if action == "invite_roles":
            args["roles"] = cd["roles"]
        elif action == "invite_scope":
            args["scope"] = True
        else:
            ids, unknown = queries.users_by_mobile(cd["mobiles"])
            if unknown:
                form.add_error(
                    "mobiles",
                    _("No account has this mobile number: %(mobile)s.") % {"mobile": unknown[0]},
                )
                return False
            args["user_ids"] = ids
        done = _call(form, services.invite, **args, **kw)
        text = (
            ngettext("%(n)d person newly invited.", "%(n)d people newly invited.", done.added)
            % {"n": done.added}
            if done
            else ""
        )
    elif action == "notice":
        done = _call(form, services.send_notice, **kw)
        text = _("The notice is sent to every invitee and is on the board.")
    elif action == "tick":
        done = _call(
            form,
            services.check_in_by_host,
            invitee_user_id=cd["user"],
            present=cd["present"],
            **kw,
        )
        text = _("Sign-in sheet updated.")
    elif action == "rotate":
        done = _call(form, services.rotate_token, **kw)
        text = _("New check-in code: the old one no longer works.")
    elif action == "minutes":
        done = _call(
            form, services.record_minutes, minutes=cd["minutes"], decisions=form.decisions(), **kw
        )
        text = _("Minutes recorded: the meeting is held.")
    else:  # cancel
        done = _call(form, services.cancel, reason=cd["reason"], **kw)
        text = _("Meeting cancelled.")
    if not done or form.errors:
        return False
    messages.success(request, text)
    return True


@login_required
def desk_meeting(request, meeting_id):
    user = request.user
    meeting = _staff_meeting(user, meeting_id)
    agenda = queries.agenda(meeting)
    bound = None
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action not in ACTIONS:
            raise Http404
        if not allowed_actions(user, meeting)[action]:
            if not rules.can_host(user, meeting):
                raise PermissionDenied
            # Usually a second click, or the meeting moved on meanwhile.
            messages.warning(request, _("This is not possible for this meeting now."))
            return redirect("deliberation:desk_meeting", meeting.pk)
        form = _form(action, meeting, request.POST, agenda)
        if form.is_valid() and _run(request, meeting, action, form, agenda):
            target = reverse("deliberation:desk_meeting", args=[meeting.pk])
            return redirect(f"{target}#{_anchor(action)}")
        bound = (action, form)
    return _desk_page(request, meeting, agenda, bound)


def _anchor(action) -> str:
    if action.startswith("agenda"):
        return "agenda"
    if action.startswith("invite") or action == "tick":
        return "invitees"
    return "meeting"


SCOPE_HINTS = {
    services.OWNERS_ASSEMBLY: gettext_lazy("the verified owners of the households here"),
    services.REP_ASSEMBLY: gettext_lazy("the community's resident representatives"),
    services.PARTY_ASSEMBLY: gettext_lazy(
        "the party members of the community's party organisations"
    ),
}


def _desk_page(request, meeting, agenda, bound=None):
    user = request.user
    now = timezone.now()
    allowed = allowed_actions(user, meeting, now)
    forms_by_action = {}
    row_errors = []
    for action in ACTIONS:
        if not allowed[action]:
            continue
        if action in ROW_ACTIONS:
            # One small form per row, built in the template; its errors go on top of the page.
            if bound and bound[0] == action:
                row_errors = [e for errors in bound[1].errors.values() for e in errors]
            continue
        if bound and bound[0] == action:
            forms_by_action[action] = bound[1]
        else:
            forms_by_action[action] = _form(action, meeting, agenda=agenda)
    page = paginate(request, queries.invitees(meeting), CappedPaginator)
    queries.describe_invitees(user, list(page))
    decisions = queries.decisions(meeting)
    earliest = services.earliest_start(meeting.kind, now)
    host = rules.can_host(user, meeting)
    show_code = host and meeting.status in services.EDITABLE
    url = _checkin_url(request, meeting) if show_code else ""
    context = {
        "meeting": meeting,
        "agenda": agenda,
        "forms": forms_by_action,
        "allowed": allowed,
        "bound_action": bound[0] if bound else "",
        "row_errors": row_errors,
        "page_obj": page,
        "counts": queries.invitee_counts(meeting),
        "quorum": services.quorum(meeting),
        "decisions": decisions,
        "host": host,
        "notice_ok": meeting.starts_at >= earliest,
        "earliest": earliest,
        "scope_hint": SCOPE_HINTS.get(meeting.kind.code, _("the verified residents here")),
        "open_kind": services.is_open_kind(meeting),
        "checkin_url": url,
        "qr": _qr_svg(url) if url else "",
        "poll": meeting.status == MeetingStatus.NOTICED,
    } | _nav(user)
    return render(request, "deliberation/meetings/desk.html", context)


@login_required
@require_GET
def quorum_panel(request, meeting_id):
    """The live quorum: a fragment the desk and the door screen poll every 5 seconds."""
    meeting = _staff_meeting(request.user, meeting_id)
    return render(
        request,
        "deliberation/meetings/_quorum.html",
        {
            "meeting": meeting,
            "quorum": services.quorum(meeting),
            "poll": meeting.status == MeetingStatus.NOTICED,
        },
    )


@login_required
@require_GET
def door(request, meeting_id):
    """The screen at the door: the check-in QR code, large, and the quorum as it fills."""
    user = request.user
    meeting = _staff_meeting(user, meeting_id)
    if not rules.can_host(user, meeting):
        raise PermissionDenied
    if meeting.status not in services.EDITABLE:
        messages.warning(request, _("Check-in is closed for this meeting."))
        return redirect("deliberation:desk_meeting", meeting.pk)
    url = _checkin_url(request, meeting)
    return render(
        request,
        "deliberation/meetings/door.html",
        {
            "meeting": meeting,
            "qr": _qr_svg(url),
            "checkin_url": url,
            "quorum": services.quorum(meeting),
            "poll": meeting.status == MeetingStatus.NOTICED,
        },
    )


# --- Staff: print ---------------------------------------------------------------------------------


@login_required
@require_GET
def notice_print(request, meeting_id):
    """The notice to put up in the stairwell (A4)."""
    meeting = _staff_meeting(request.user, meeting_id)
    return render(
        request,
        "deliberation/meetings/notice_print.html",
        {
            "meeting": meeting,
            "agenda": queries.agenda(meeting),
            "issued": meeting.notice_sent_at or timezone.now(),
        },
    )


@login_required
@require_GET
def signin_print(request, meeting_id):
    """The sign-in sheet (A4): every invitee with an empty signature column; names masked
    where the printing staff member does not handle the person's household (PIPL)."""
    user = request.user
    meeting = _staff_meeting(user, meeting_id)
    rows = queries.describe_invitees(user, list(queries.invitees(meeting)))
    return render(
        request,
        "deliberation/meetings/signin_print.html",
        {"meeting": meeting, "rows": rows, "quorum": services.quorum(meeting)},
    )


# --- Meeting kinds --------------------------------------------------------------------------------


def _require_kinds(user):
    if not services.may_manage_kinds(user):
        raise PermissionDenied


@login_required
def kinds(request):
    """The meeting kinds, and a new one (staff-defined kinds admit invitees only)."""
    user = request.user
    _require_kinds(user)
    form = KindForm(
        request.POST if request.method == "POST" else None,
        initial={"notice_days": 3, "quorum_numerator": 0, "quorum_denominator": 1, "active": True},
    )
    if request.method == "POST" and form.is_valid():
        saved = _call(form, services.save_kind, user=user, **form.cleaned_data)
        if saved:
            messages.success(request, _("Saved: %(name)s") % {"name": saved.name})
            return redirect("deliberation:meeting_kinds")
    rows = list(MeetingKind.objects.order_by("-active", "code"))
    for k in rows:
        k.open = k.code in services.OPEN_KINDS
    return render(
        request, "deliberation/meetings/kinds.html", {"kinds": rows, "form": form} | _nav(user)
    )


@login_required
def kind_edit(request, kind_id):
    user = request.user
    _require_kinds(user)
    kind = get_object_or_404(MeetingKind, pk=kind_id)
    initial = {name: getattr(kind, name) for name in services.KIND_FIELDS}
    form = KindForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        saved = _call(form, services.save_kind, user=user, kind_id=kind.pk, **form.cleaned_data)
        if saved:
            messages.success(request, _("Saved: %(name)s") % {"name": saved.name})
            return redirect("deliberation:meeting_kinds")
    return render(
        request, "deliberation/meetings/kind_edit.html", {"kind": kind, "form": form} | _nav(user)
    )


urlpatterns = [
    path("meetings/", my_meetings, name="my_meetings"),
    path("meetings/<int:meeting_id>/", meeting_page, name="meeting"),
    path("meetings/<int:meeting_id>/checkin/<str:token>/", checkin, name="checkin"),
    path("desk/meetings/", desk_meetings, name="desk_meetings"),
    path("desk/meetings/new/", meeting_new, name="meeting_new"),
    path("desk/meetings/<int:meeting_id>/", desk_meeting, name="desk_meeting"),
    path("desk/meetings/<int:meeting_id>/edit/", meeting_edit, name="meeting_edit"),
    path("desk/meetings/<int:meeting_id>/quorum/", quorum_panel, name="meeting_quorum"),
    path("desk/meetings/<int:meeting_id>/door/", door, name="meeting_door"),
    path("desk/meetings/<int:meeting_id>/notice/", notice_print, name="meeting_notice_print"),
    path("desk/meetings/<int:meeting_id>/sign-in/", signin_print, name="meeting_signin_print"),
    path("desk/meeting-kinds/", kinds, name="meeting_kinds"),
    path("desk/meeting-kinds/<int:kind_id>/", kind_edit, name="meeting_kind_edit"),
]
