"""Pages of the notice board (seeds 002, 003: 公示, 好人好事, 不文明现象曝光), mobile first: the
board of what reaches me (unread first), a notice (opening it is the read receipt; a public
notice takes objections while its disclosure runs), its A4 sheet for the board in the lobby,
its attachments served only to its readers, and the publishers' desk: compose, correct,
publish, pin, withdraw, answer objections, and the read coverage of an important notice
building by building. Views call services and queries only."""

from django.apps import apps
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from linju.core import access
from linju.core.forms import call_service
from linju.core.masking import mask_name
from linju.core.views import CappedPaginator, paginate, private_download

from . import queries, rules, services
from .forms import BoardFilterForm, DeskFilterForm, NoticeActionForm, NoticeForm
from .models import NoticeKind, NoticeStatus
from .models.notices import PEOPLE_KINDS


def _notice_or_404(user, notice_id):
    notice = queries.notice_for(user, notice_id)
    if notice is None:
        raise Http404
    return notice


def _publisher_or_403(user, notice):
    if not rules.can_publish(user, notice):
        raise PermissionDenied(_("You may not do this here."))


def _source_label(notice) -> str:
    """The module a result comes from, by its app label ("deliberation" → its verbose name)."""
    if not notice.source_app:
        return ""
    try:
        return str(apps.get_app_config(notice.source_app).verbose_name)
    except LookupError:
        return ""


@login_required
def board(request):
    user = request.user
    form = BoardFilterForm(request.GET)
    kind = form.cleaned_data["kind"] if form.is_valid() else ""
    page = paginate(request, queries.board(user, kind=kind), CappedPaginator)
    context = {
        "page_obj": page,
        "kind": kind,
        "kinds": NoticeKind.choices,
        "unread": queries.unread_count(user),
        "desk": access.has_anywhere(user, "notices.publish"),
    }
    return render(request, "notices/board.html", context)


def _done(fn):
    """A service that returns nothing, made to say it succeeded (call_service's None is a
    failure)."""

    def run(**kwargs):
        fn(**kwargs)
        return True

    return run


def _act(form, user, notice, files, objections):
    """Run the action the form names; (result or None, message)."""
    data = form.cleaned_data
    action, pk = data["action"], notice.pk
    if action == "object":
        result = call_service(
            form, services.raise_objection, user=user, notice_id=pk, text=data["text"]
        )
        return result, _("Your objection is sent to the publishers.")
    if action == "publish":
        result = call_service(form, services.publish_notice, user=user, notice_id=pk)
        return result, _("The notice is on the board.")
    if action in ("pin", "unpin"):
        pinned = action == "pin"
        result = call_service(form, services.set_pinned, user=user, notice_id=pk, pinned=pinned)
        return result, _("Pinned to the top.") if pinned else _("No longer pinned.")
    if action == "withdraw":
        result = call_service(
            form, services.withdraw_notice, user=user, notice_id=pk, reason=data["reason"]
        )
        return result, _("The notice is withdrawn.")
    if action == "attach":
        result = call_service(
            form, services.add_attachment, user=user, notice_id=pk, upload=data["file"]
        )
        return result, _("The file is attached.")
    if action == "detach":
        # Only a file of this notice, named on its own page.
        if data["attachment"] not in {a.pk for a in files}:
            raise Http404
        result = call_service(
            form,
            _done(services.remove_attachment),
            user=user,
            attachment_id=data["attachment"],
        )
        return result, _("The file is removed.")
    if data["objection"] not in {o.pk for o in objections}:
        raise Http404
    result = call_service(
        form,
        services.answer_objection,
        user=user,
        objection_id=data["objection"],
        answer=data["answer"],
    )
    return result, _("Your answer is sent.")


def _label_objections(user, objections):
    for o in objections:
        full = access.can_see_personal_data(user, o.author)
        o.author_label = o.author.name if full else mask_name(o.author.name)
    return objections


@login_required
def notice(request, notice_id):
    user = request.user
    found = _notice_or_404(user, notice_id)
    files = queries.attachments(found)
    objections = queries.objections(user, found)
    form = NoticeActionForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if form.is_valid():
            result, message = _act(form, user, found, files, objections)
            if result is not None:
                messages.success(request, message)
                if queries.notice_for(user, found.pk) is None:
                    return redirect("notices:board")
                return redirect("notices:notice", notice_id=found.pk)
    else:
        # Opening the notice is reading it: the receipt is written once (services.mark_read).
        services.mark_read(user=user, notice=found)
    publisher = rules.can_publish(user, found)
    context = {
        "notice": found,
        "form": form,
        "images": [a for a in files if a.is_image],
        "documents": [a for a in files if not a.is_image],
        "objections": _label_objections(user, objections),
        "has_read": queries.has_read(user, found),
        "may_object": found.objections_open() and rules.lives_under(user, found),
        "publisher": publisher,
        "editable": publisher
        and found.kind != NoticeKind.RESULT
        and found.status != NoticeStatus.WITHDRAWN,
        "source_url": found.link,
        "source_label": _source_label(found),
        "max_files": services.MAX_ATTACHMENTS,
    }
    return render(request, "notices/notice.html", context)


@require_GET
@login_required
def notice_print(request, notice_id):
    found = _notice_or_404(request.user, notice_id)
    files = queries.attachments(found)
    context = {"notice": found, "images": [a for a in files if a.is_image]}
    return render(request, "notices/print.html", context)


@require_GET
@login_required
def attachment(request, notice_id, attachment_id):
    """A file of a notice, to those who may read the notice (rules.can_read via
    queries.notice_for); the stored media path is never linked."""
    found = _notice_or_404(request.user, notice_id)
    file = next((a for a in queries.attachments(found) if a.pk == attachment_id), None)
    if file is None:
        raise Http404
    response = private_download(file.file)
    response["Cache-Control"] = "private, max-age=3600"
    return response


@require_GET
@login_required
def notice_coverage(request, notice_id):
    user = request.user
    found = _notice_or_404(user, notice_id)
    _publisher_or_403(user, found)
    if not found.important:
        raise Http404
    rows = queries.coverage(found)
    context = {"notice": found, "rows": rows, "total": queries.coverage_total(rows)}
    return render(request, "notices/coverage.html", context)


@login_required
def desk(request):
    user = request.user
    if not access.has_anywhere(user, "notices.publish"):
        raise PermissionDenied(_("You may not do this here."))
    form = DeskFilterForm(request.GET)
    data = form.cleaned_data if form.is_valid() else {}
    status, kind = data.get("status", ""), data.get("kind", "")
    page = paginate(request, queries.managed(user, status=status, kind=kind), CappedPaginator)
    context = {
        "page_obj": page,
        "form": form,
        "counts": queries.desk_counts(user),
    }
    return render(request, "notices/desk.html", context)


def _compose_context(form, **extra):
    return {"form": form, "people_kinds": [str(k) for k in PEOPLE_KINDS], **extra}


@login_required
def notice_new(request):
    user = request.user
    places = queries.publish_places(user)
    if not places:
        raise PermissionDenied(_("You may not do this here."))
    initial = {"kind": NoticeKind.ANNOUNCEMENT, "place": request.GET.get("place")}
    form = NoticeForm(request.POST or None, places=places, initial=initial)
    if request.method == "POST" and form.is_valid():
        publish = request.POST.get("submit") == "publish"
        created = call_service(
            form,
            services.create_notice,
            user=user,
            place_id=form.cleaned_data["place"],
            pinned=form.cleaned_data["pinned"],
            publish=publish,
            **form.service_fields(),
        )
        if created is not None:
            messages.success(
                request,
                _("The notice is on the board.") if publish else _("The draft is saved."),
            )
            return redirect("notices:notice", notice_id=created.pk)
    return render(request, "notices/compose.html", _compose_context(form, new=True))


@login_required
def notice_edit(request, notice_id):
    user = request.user
    found = _notice_or_404(user, notice_id)
    _publisher_or_403(user, found)
    editable = found.kind != NoticeKind.RESULT and found.status != NoticeStatus.WITHDRAWN
    initial = {
        "kind": found.kind,
        "title": found.title,
        "body": found.body,
        "important": found.important,
        "disclosure_ends_on": found.disclosure_ends_on,
        "privacy": found.privacy,
        "consent_note": found.consent_note,
    }
    form = NoticeForm(request.POST or None, initial=initial) if editable else None
    if form is not None and request.method == "POST" and form.is_valid():
        updated = call_service(
            form,
            services.update_notice,
            user=user,
            notice_id=found.pk,
            link=found.link,
            **form.service_fields(),
        )
        if updated is not None:
            messages.success(request, _("The notice is corrected."))
            return redirect("notices:notice", notice_id=found.pk)
    return render(request, "notices/compose.html", _compose_context(form, notice=found))


urlpatterns = [
    path("", board, name="board"),
    path("desk/", desk, name="desk"),
    path("new/", notice_new, name="notice_new"),
    path("<int:notice_id>/", notice, name="notice"),
    path("<int:notice_id>/edit/", notice_edit, name="notice_edit"),
    path("<int:notice_id>/print/", notice_print, name="notice_print"),
    path("<int:notice_id>/coverage/", notice_coverage, name="notice_coverage"),
    path(
        "<int:notice_id>/files/<int:attachment_id>/",
        attachment,
        name="notice_attachment",
    ),
]
