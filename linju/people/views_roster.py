"""Pages for the household roster import: the upload page and the template downloads."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render

from linju.core import access
from linju.core.errors import DomainError
from linju.core.forms import apply_domain_error

from . import roster, services
from .forms_roster import RosterImportForm


@login_required
def roster_import(request):
    if not access.has_anywhere(request.user, "people.import_roster"):
        raise PermissionDenied
    result, problems, total = None, [], 0
    if request.method == "POST":
        form = RosterImportForm(request.POST, request.FILES, user=request.user)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                result = services.import_roster(
                    actor=request.user,
                    community_id=form.cleaned_data["community"].pk,
                    file=upload,
                    filename=upload.name,
                )
            except roster.RosterInvalid as exc:
                problems, total = exc.problems, exc.total
                form.add_error(None, exc.message)
            except DomainError as exc:
                apply_domain_error(form, exc)
    else:
        form = RosterImportForm(user=request.user)
    return render(
        request,
        "people/roster_import.html",
        {
            "form": form,
            "result": result,
            "problems": problems,
            "more_problems": max(total - len(problems), 0),
            "fields": [roster.FIELD_LABELS[f] for f in roster.FIELDS],
        },
        status=422 if problems else 200,
    )


@login_required
def roster_template_csv(request):
    response = HttpResponse(roster.template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="roster-template.csv"'
    return response


@login_required
def roster_template_xlsx(request):
    response = HttpResponse(
        roster.template_xlsx(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="roster-template.xlsx"'
    return response
