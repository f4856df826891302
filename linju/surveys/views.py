"""Pages of surveys (民意调查): the list (staff: their scope's surveys; residents: those of
their homes), the builder, a survey's page (residents answer it on their phones; managers open
and close it), paper entry (纸质问卷录入) for handlers, the results (charts as plain CSS bars and
a table, coverage by building, the ranking of demands and the button that turns the top ones
into needs) and the XLSX export of the answers. Reads from queries, writes from services."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from linju.core import access
from linju.core.exports import xlsx_response
from linju.core.forms import call_service
from linju.core.views import paginate
from linju.places.models import Place

from . import exports, queries, rules, services
from .forms import AnswerForm, NeedsForm, SurveyForm

MAX_PLACES = 300


def _survey(user, pk):
    survey = queries.survey_for(user, pk)
    if survey is None:
        raise Http404
    return survey


def _staff_survey(user, pk):
    survey = _survey(user, pk)
    if not rules.can_view(user, survey):
        raise PermissionDenied
    return survey


@login_required
@require_GET
def home(request):
    user = request.user
    staff = access.has_anywhere(user, queries.VIEW)
    page = paginate(
        request, queries.staff_surveys(user) if staff else queries.resident_surveys(user)
    )
    return render(
        request,
        "surveys/home.html",
        {
            "page": page,
            "staff": staff,
            "may_create": access.has_anywhere(user, "surveys.manage"),
        },
    )


@login_required
def new(request):
    user = request.user
    if not access.has_anywhere(user, "surveys.manage"):
        raise PermissionDenied
    places = access.filter_queryset(user, "surveys.manage", Place.objects).exclude(
        kind__in=["district", "unit"]
    )[:MAX_PLACES]
    form = SurveyForm(request.POST or None, places=places)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        survey = call_service(
            form,
            services.create_survey,
            user=user,
            place_id=d["place"],
            title=d["title"],
            description=d["description"],
            audience=d["audience"],
            anonymous=d["anonymous"],
            opens_on=d["opens_on"],
            closes_on=d["closes_on"],
            questions=form.questions(),
        )
        if survey:
            messages.success(request, _("The survey is saved as a draft."))
            return redirect("surveys:detail", survey.pk)
    return render(request, "surveys/new.html", {"form": form})


@login_required
def detail(request, pk):
    user = request.user
    survey = _survey(user, pk)
    qs = queries.questions(survey)
    staff = rules.can_view(user, survey)
    may_answer = rules.lives_in(user, survey) and survey.is_open()
    answered = rules.lives_in(user, survey) and queries.own_response(user, survey)
    form = AnswerForm(request.POST or None, questions=qs)
    action_form = forms.Form({})
    action_form.full_clean()
    if request.method == "POST":
        action = request.POST.get("action")
        if action in ("open", "close"):
            fn = services.open_survey if action == "open" else services.close_survey
            if call_service(action_form, fn, user=user, survey=survey):
                return redirect("surveys:detail", survey.pk)
        elif form.is_valid():
            done = call_service(
                form, services.submit_response, user=user, survey=survey, answers=form.answers()
            )
            if done:
                messages.success(request, _("Thank you: your answers are in."))
                return redirect("surveys:detail", survey.pk)
    return render(
        request,
        "surveys/detail.html",
        {
            "survey": survey,
            "questions": qs,
            "form": form,
            "action_form": action_form,
            "staff": staff,
            "may_manage": rules.can_manage(user, survey),
            "may_enter_paper": rules.can_enter_paper(user, survey),
            "may_answer": may_answer and not answered,
            "answered": answered,
        },
    )


@login_required
def paper(request, pk):
    user = request.user
    survey = _staff_survey(user, pk)
    if not rules.can_enter_paper(user, survey):
        raise PermissionDenied
    form = AnswerForm(
        request.POST or None,
        questions=queries.questions(survey),
        households=queries.households_of(survey)[:MAX_PLACES],
    )
    if request.method == "POST" and form.is_valid():
        done = call_service(
            form,
            services.enter_paper,
            user=user,
            survey=survey,
            answers=form.answers(),
            household_id=form.cleaned_data.get("household") or None,
        )
        if done:
            messages.success(request, _("The paper questionnaire is entered."))
            return redirect("surveys:paper", survey.pk)
    return render(request, "surveys/paper.html", {"survey": survey, "form": form})


@login_required
def results(request, pk):
    user = request.user
    survey = _staff_survey(user, pk)
    form = NeedsForm(request.POST or None)
    may_manage = rules.can_manage(user, survey)
    if request.method == "POST" and form.is_valid():
        needs = call_service(
            form, services.make_needs, user=user, survey=survey, top=form.cleaned_data["top"]
        )
        if needs:
            messages.success(
                request, _("%(n)s needs are added to the needs list.") % {"n": len(needs)}
            )
            return redirect("surveys:results", survey.pk)
    return render(
        request,
        "surveys/results.html",
        {
            "survey": survey,
            "results": queries.results(survey),
            "coverage": queries.coverage(survey),
            "demands": queries.demands(survey)[:20],
            "form": form,
            "may_manage": may_manage,
        },
    )


@login_required
@require_GET
def export(request, pk):
    survey = _staff_survey(request.user, pk)
    if not rules.can_manage(request.user, survey):
        raise PermissionDenied
    return xlsx_response(exports.answers_workbook(survey), f"survey-{survey.pk}.xlsx")


urlpatterns = [
    path("", home, name="home"),
    path("new/", new, name="new"),
    path("<int:pk>/", detail, name="detail"),
    path("<int:pk>/paper/", paper, name="paper"),
    path("<int:pk>/results/", results, name="results"),
    path("<int:pk>/export.xlsx", export, name="export"),
]
