"""Rubric pages (评分细则, seed 001: 制定评分细则 → 召集居民集中讨论 → 精益求精完善): the
templates and the rubrics of my scope; a rubric with its items, star bands, versions and residents'
comments. Managers create a draft, copy a template into their estate or community, start a new
version of an adopted rubric, edit the draft's items and bands, put it to the residents
(optionally as a deliberation topic) and adopt it; residents comment on a draft put to them.
Views call services_rubrics and queries; who may do what is decided in rules and services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _

from linju.core import access
from linju.core.cleaning import as_id
from linju.core.forms import call_service
from linju.core.masking import mask_name
from linju.core.views import CappedPaginator, paginate

from . import queries, rules
from . import services_rubrics as services
from .forms_rubrics import (
    BandsForm,
    CommentForm,
    ConsultForm,
    CopyForm,
    CreateRubricForm,
    ItemForm,
    RubricForm,
    ServiceForm,
)
from .models import Purpose

COMMENTS_SHOWN = 200


def _my_places(user):
    """Where the user may make rubrics (the create and copy forms' choices)."""
    return queries.managed_places(user, services.SCOPE_KINDS)


def _rubric_or_404(user, pk):
    rubric = queries.rubrics_for(user).select_related("place", "topic").filter(pk=pk).first()
    if rubric is None:
        raise Http404
    return rubric


def _to(rubric, anchor=""):
    return redirect(reverse("ratings:rubric", args=[rubric.pk]) + anchor)


# --- The list ---------------------------------------------------------------------------------


@login_required
def rubrics(request):
    """Templates and my scope's rubrics; managers create an empty draft here."""
    user = request.user
    may_create = access.has_anywhere(user, "ratings.manage")
    form = None
    if request.method == "POST":
        if not may_create:
            raise PermissionDenied
        form = CreateRubricForm(request.POST, places=_my_places(user))
        if form.is_valid():
            rubric = call_service(form, services.create_rubric, user=user, **form.cleaned_data)
            if rubric:
                messages.success(request, _("Draft created: now add its items."))
                return _to(rubric)
    elif may_create:
        form = CreateRubricForm(
            places=_my_places(user),
            initial={"purpose": Purpose.CONTEST},
        )
    page = paginate(request, queries.rubrics_for(user).select_related("place"), CappedPaginator)
    return render(
        request,
        "ratings/rubrics/list.html",
        {"page_obj": page, "rubrics": list(page), "form": form},
    )


# --- One rubric ---------------------------------------------------------------------------------


def _comment_rows(user, rubric, manager):
    rows = list(
        rubric.comments.select_related("user", "item").order_by("-created_at", "-pk")[
            :COMMENTS_SHOWN
        ]
    )
    shown = {}
    for c in rows:
        if c.user_id not in shown:
            full = manager or access.can_see_personal_data(user, c.user)
            shown[c.user_id] = c.user.name if full else mask_name(c.user.name)
        c.author = shown[c.user_id] or "—"
    return rows


def _context(request, rubric, **forms):
    user = request.user
    manager = rules.can_manage(user, rubric)
    items = list(rubric.items.all())
    templates_copy = rubric.place_id is None and access.has_anywhere(user, "ratings.manage")
    ctx = {
        "rubric": rubric,
        "items": items,
        "bands": list(rubric.bands.all()),
        "stars": rubric.purpose == Purpose.STARS,
        "versions": list(queries.rubrics_for(user).filter(code=rubric.code).order_by("-version")),
        "manager": manager,
        "can_comment": rules.can_comment(user, rubric),
        "comments": _comment_rows(user, rubric, manager),
        "may_copy": templates_copy,
        "may_new_version": manager and rubric.place_id and not rubric.editable,
        "action_form": forms.get("action_form"),
    }
    if rubric.editable and manager:
        ctx["edit_form"] = forms.get("edit_form") or RubricForm(
            initial={"name": rubric.name, "description": rubric.description}
        )
        ctx["consult_form"] = forms.get("consult_form") or ConsultForm()
        if ctx["stars"]:
            ctx["bands_form"] = forms.get("bands_form") or BandsForm(
                initial={f"stars_{b.stars}": b.min_score for b in ctx["bands"]}
            )
    if templates_copy:
        ctx["copy_form"] = forms.get("copy_form") or CopyForm(places=_my_places(user))
    if ctx["can_comment"]:
        ctx["comment_form"] = forms.get("comment_form") or CommentForm(items=items)
    return ctx


@login_required
def rubric(request, pk):
    """The rubric; its POST actions: edit, bands, consult, adopt, copy, delete an item,
    comment. An error re-renders the page with the form that failed."""
    user = request.user
    rubric = _rubric_or_404(user, pk)
    if request.method == "POST":
        action = request.POST.get("action")
        handler = ACTIONS.get(action)
        if handler is None:
            raise PermissionDenied
        done = handler(request, rubric)
        if not isinstance(done, dict):
            return done
        return render(request, "ratings/rubrics/rubric.html", _context(request, rubric, **done))
    return render(request, "ratings/rubrics/rubric.html", _context(request, rubric))


def _manager_only(request, rubric):
    if not rules.can_manage(request.user, rubric):
        raise PermissionDenied


def _edit(request, rubric):
    _manager_only(request, rubric)
    form = RubricForm(request.POST)
    if form.is_valid() and call_service(
        form, services.update_rubric, user=request.user, rubric=rubric, **form.cleaned_data
    ):
        messages.success(request, _("Saved."))
        return _to(rubric)
    return {"edit_form": form}


def _bands(request, rubric):
    _manager_only(request, rubric)
    form = BandsForm(request.POST)
    if (
        form.is_valid()
        and call_service(
            form, services.set_bands, user=request.user, rubric=rubric, bands=form.bands()
        )
        is not None
    ):
        messages.success(request, _("Star bands saved."))
        return _to(rubric, "#bands")
    return {"bands_form": form}


def _consult(request, rubric):
    _manager_only(request, rubric)
    form = ConsultForm(request.POST)
    if form.is_valid():
        done = call_service(
            form,
            services.put_to_residents,
            user=request.user,
            rubric=rubric,
            raise_topic=form.cleaned_data["raise_topic"],
        )
        if done:
            messages.success(request, _("Residents of the scope may comment on the draft now."))
            return _to(rubric)
    return {"consult_form": form}


def _adopt(request, rubric):
    _manager_only(request, rubric)
    form = ServiceForm(request.POST)
    form.is_valid()
    if call_service(form, services.adopt_rubric, user=request.user, rubric=rubric):
        messages.success(request, _("Adopted: contests using an earlier version now use this one."))
        return _to(rubric)
    return {"action_form": form}


def _copy(request, rubric):
    user = request.user
    if rubric.place_id is None:
        if not access.has_anywhere(user, "ratings.manage"):
            raise PermissionDenied
        form = CopyForm(request.POST, places=_my_places(user))
        key = "copy_form"
        if not form.is_valid():
            return {key: form}
        kwargs = {"place_id": form.cleaned_data["place_id"]}
    else:
        _manager_only(request, rubric)
        form, key, kwargs = ServiceForm(request.POST), "action_form", {}
        form.is_valid()
    copy = call_service(form, services.copy_rubric, user=user, rubric=rubric.pk, **kwargs)
    if copy:
        messages.success(
            request, _("Draft version %(v)d made: change it, then adopt it.") % {"v": copy.version}
        )
        return _to(copy)
    return {key: form}


def _delete_item(request, rubric):
    _manager_only(request, rubric)
    form = ServiceForm(request.POST)
    form.is_valid()
    item = rubric.items.filter(pk=as_id(request.POST.get("item_id"))).first()
    if item is None:
        raise Http404
    call_service(form, services.delete_item, user=request.user, item=item)
    if not form.errors:
        messages.success(request, _("Item deleted: %(title)s") % {"title": item.title})
        return _to(rubric, "#items")
    return {"action_form": form}


def _comment(request, rubric):
    form = CommentForm(request.POST, items=list(rubric.items.all()))
    if form.is_valid() and call_service(
        form,
        services.comment_rubric,
        user=request.user,
        rubric=rubric,
        text=form.cleaned_data["text"],
        item_id=form.cleaned_data["item_id"],
    ):
        messages.success(request, _("Thank you: your comment was added."))
        return _to(rubric, "#comments")
    return {"comment_form": form}


ACTIONS = {
    "edit": _edit,
    "bands": _bands,
    "consult": _consult,
    "adopt": _adopt,
    "copy": _copy,
    "delete_item": _delete_item,
    "comment": _comment,
}


# --- Items --------------------------------------------------------------------------------------


@login_required
def rubric_item(request, pk, item=None):
    """Add an item to a draft (`item` None) or change one."""
    user = request.user
    rubric = _rubric_or_404(user, pk)
    _manager_only(request, rubric)
    current = None
    if item is not None:
        current = rubric.items.filter(pk=item).first()
        if current is None:
            raise Http404
    if not rubric.editable:
        messages.error(request, _("An adopted rubric cannot change: make a new version."))
        return _to(rubric)
    if request.method == "POST":
        form = ItemForm(request.POST)
        if form.is_valid() and call_service(
            form,
            services.save_item,
            user=user,
            rubric=rubric,
            item_id=current.pk if current else None,
            **form.service_data(),
        ):
            messages.success(request, _("Item saved."))
            return _to(rubric, "#items")
    elif current is not None:
        form = ItemForm(
            initial={
                f: getattr(current, f)
                for f in (
                    "code",
                    "title",
                    "description",
                    "kind",
                    "max_points",
                    "exemptions",
                    "evidence_required",
                    "tiebreak",
                    "position",
                )
            }
        )
    else:
        form = ItemForm(initial={"position": rubric.items.count() + 1, "kind": "score"})
    return render(
        request,
        "ratings/rubrics/item.html",
        {"rubric": rubric, "item": current, "form": form},
    )


urlpatterns = [
    path("rubrics/", rubrics, name="rubrics"),
    path("rubrics/<int:pk>/", rubric, name="rubric"),
    path("rubrics/<int:pk>/items/new/", rubric_item, name="rubric_item_new"),
    path("rubrics/<int:pk>/items/<int:item>/", rubric_item, name="rubric_item"),
]
