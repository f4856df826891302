"""Pages of the newsletter (睦邻服务报, seed 003): the papers a person runs, edits or reads (and,
for community staff, founding one); a paper's page with its issues and the editors' rota
(starting the quarter's issue); the editor's page (reword, reorder or leave out pieces, write
the foreword, gather the new pieces, publish); the published issue on the web and on A4 paper
for the notice board. Views call services_newsletter and queries_newsletter only."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _

from linju.core import access
from linju.core.forms import call_service

from . import queries_newsletter as queries
from . import rules
from . import services_newsletter as services
from .forms_newsletter import ForewordForm, ItemForm, NewsletterForm, StartIssueForm
from .models import IssueStatus

RUN = "notices.newsletter"


@login_required
def newsletters(request):
    user = request.user
    runs = access.has_anywhere(user, RUN)
    form = None
    if runs:
        places, organisations = queries.founding_choices(user)
        form = NewsletterForm(request.POST or None, places=places, organisations=organisations)
    elif request.method == "POST":
        raise PermissionDenied(_("You may not do this here."))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            made = call_service(
                form,
                services.create_newsletter,
                user=user,
                place_id=data["place"],
                name=data["name"],
                organisation_id=data["organisation"],
            )
            if made is not None:
                messages.success(request, _("The paper is founded."))
                return redirect("notices:newsletter", pk=made.pk)
        status = 422
    context = {
        "managed": list(queries.managed(user)[:100]) if runs else [],
        "form": form,
        "drafts": list(queries.my_drafts(user)[:20]),
        "latest": queries.latest_published(user, limit=12),
    }
    return render(request, "notices/newsletter/list.html", context, status=status)


def _newsletter(user, pk):
    found = queries.newsletter_for(user, pk)
    if found is None:
        raise Http404
    return found


@login_required
def newsletter(request, pk):
    user = request.user
    paper = _newsletter(user, pk)
    runs = rules.can_run_newsletter(user, paper)
    members = queries.rota(paper) if runs else []
    form = None
    status = 200
    if runs:
        year, quarter = queries.current_quarter()
        form = StartIssueForm(
            request.POST or None, members=members, initial={"year": year, "quarter": quarter}
        )
    elif request.method == "POST":
        raise PermissionDenied(_("You may not do this here."))
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            issue = call_service(
                form,
                services.start_issue,
                user=user,
                newsletter_id=paper.pk,
                year=data["year"],
                quarter=data["quarter"],
                editor_id=data["editor"],
            )
            if issue is not None:
                messages.success(request, _("The issue is started; its editor is told."))
                return redirect("notices:issue_edit", pk=issue.pk)
        status = 422
    context = {
        "paper": paper,
        "runs": runs,
        "issues": list(queries.issues(user, paper)[:100]),
        "members": members,
        "next_editor": queries.next_editor(paper) if runs else None,
        "form": form,
    }
    return render(request, "notices/newsletter/newsletter.html", context, status=status)


def _issue(user, pk):
    found = queries.issue_for(user, pk)
    if found is None:
        raise Http404
    return found


def _issue_context(user, issue) -> dict:
    return {
        "issue": issue,
        "paper": issue.newsletter,
        "sections": queries.sections(issue, included_only=True),
        "may_edit": rules.can_edit_issue(user, issue) and issue.status == IssueStatus.DRAFT,
        "draft": issue.status == IssueStatus.DRAFT,
    }


@login_required
def issue(request, pk):
    found = _issue(request.user, pk)
    return render(request, "notices/newsletter/issue.html", _issue_context(request.user, found))


@login_required
def issue_print(request, pk):
    """The issue on A4 for the notice board: a newspaper's two columns, no navigation."""
    found = _issue(request.user, pk)
    return render(request, "notices/newsletter/print.html", _issue_context(request.user, found))


def _edit_page(request, found, *, status=200, bound=None, foreword_form=None):
    groups = queries.sections(found, included_only=False)
    for group in groups:
        for item in group["items"]:
            if bound is not None and bound.data.get("item") == str(item.pk):
                item.form = bound
            else:
                item.form = ItemForm(
                    initial={
                        "item": item.pk,
                        "title": item.title,
                        "summary": item.summary,
                        "position": item.position,
                        "included": item.included,
                    },
                    auto_id=f"id_{item.pk}_%s",
                )
    context = {
        "issue": found,
        "paper": found.newsletter,
        "sections": groups,
        "editable": found.status == IssueStatus.DRAFT,
        "foreword_form": foreword_form or ForewordForm(initial={"foreword": found.foreword}),
    }
    return render(request, "notices/newsletter/edit.html", context, status=status)


@login_required
def issue_edit(request, pk):
    """The editor's page. One POST per action: `item` (a piece), `foreword`, `reassemble`,
    `publish`; every change is a service call and a published issue takes none."""
    user = request.user
    found = _issue(user, pk)
    if not rules.can_edit_issue(user, found):
        raise PermissionDenied(_("Only the issue's editor and the community staff edit it."))
    if request.method != "POST":
        return _edit_page(request, found)
    action = request.POST.get("action", "")
    if action == "item":
        form = ItemForm(request.POST, auto_id=f"id_{request.POST.get('item', '')}_%s")
        valid = form.is_valid()
        if valid and not found.items.filter(pk=form.cleaned_data["item"]).exists():
            raise Http404  # a piece of another issue: edited from its own page
        if valid:
            data = form.cleaned_data
            done = call_service(
                form,
                services.update_item,
                user=user,
                item_id=data["item"],
                title=data["title"],
                summary=data["summary"],
                included=data["included"],
                position=data["position"],
            )
            if done is not None:
                messages.success(request, _("The piece is saved."))
                return redirect(f"{request.path}#item-{done.pk}")
        return _edit_page(request, _issue(user, pk), status=422, bound=form)
    # The buttons without fields report on the foreword form (publishing needs a foreword).
    form = ForewordForm(request.POST if action == "foreword" else {"foreword": found.foreword})
    valid = form.is_valid()
    if action == "foreword" and valid:
        done = call_service(
            form,
            services.write_foreword,
            user=user,
            issue_id=found.pk,
            foreword=form.cleaned_data["foreword"],
        )
        if done is not None:
            messages.success(request, _("The foreword is saved."))
            return redirect(request.path)
        return _edit_page(request, _issue(user, pk), status=422, foreword_form=form)
    if action == "reassemble":
        done = call_service(form, services.reassemble, user=user, issue_id=found.pk)
        if done is not None:
            messages.success(
                request,
                _("New pieces gathered: %(n)d.") % {"n": done.added},
            )
            return redirect(request.path)
        return _edit_page(request, found, status=409, foreword_form=form)
    if action == "publish":
        done = call_service(form, services.publish_issue, user=user, issue_id=found.pk)
        if done is not None:
            messages.success(request, _("The issue is published; the residents are told."))
            return redirect("notices:issue", pk=found.pk)
        return _edit_page(request, found, status=422, foreword_form=form)
    return _edit_page(request, found, status=422, foreword_form=form)


urlpatterns = [
    path("newsletters/", newsletters, name="newsletters"),
    path("newsletters/<int:pk>/", newsletter, name="newsletter"),
    path("newsletters/issues/<int:pk>/", issue, name="issue"),
    path("newsletters/issues/<int:pk>/print/", issue_print, name="issue_print"),
    path("newsletters/issues/<int:pk>/edit/", issue_edit, name="issue_edit"),
]
