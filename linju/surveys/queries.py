"""Reads of surveys (民意调查): the lists a person sees, the results per question, the coverage
by building (已答户数 / 总户数, so staff know where to knock) and the ranking of demands."""

from collections import Counter

from django.db.models import Count, Q

from linju.core import access
from linju.places.models import Household, Place
from linju.places.paths import prefixes_of

from . import rules
from .models import CHOICE_KINDS, Answer, QuestionKind, Response, Survey, SurveyStatus

VIEW = "surveys.view"


def staff_surveys(user, status=None):
    qs = access.filter_queryset(user, VIEW, Survey.objects.select_related("place"))
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-opens_on", "-id")


def resident_surveys(user):
    """The surveys open or closed (never drafts) whose scope holds one of the user's homes."""
    paths = {p for home in rules.homes(user) for p in prefixes_of(home)}
    if not paths:
        return Survey.objects.none()
    return (
        Survey.objects.select_related("place")
        .filter(path__in=paths)
        .exclude(status=SurveyStatus.DRAFT)
        .order_by("-opens_on", "-id")
    )


def survey_for(user, survey_id):
    """The survey if the user sees it: staff of its scope, or a resident living in it (not
    a draft); None otherwise."""
    from linju.core.cleaning import as_id

    survey = Survey.objects.select_related("place").filter(pk=as_id(survey_id)).first()
    if survey is None:
        return None
    if rules.can_view(user, survey):
        return survey
    if survey.status != SurveyStatus.DRAFT and rules.lives_in(user, survey):
        return survey
    return None


def questions(survey):
    return list(survey.questions.order_by("position"))


def own_response(user, survey):
    """Whether the user (or, for a household survey, their household) answered already."""
    homes = rules.homes_inside(user, survey)
    if not homes:
        return False
    household = Household.objects.filter(path=homes[0]).values_list("pk", flat=True).first()
    key = f"household:{household}" if survey.audience == "household" else f"person:{user.pk}"
    return Response.objects.filter(survey=survey, once_key=key).exists()


def results(survey) -> list[dict]:
    """Per question: how many answered it, and per option (or scale value) the count and the
    percentage of those who answered; the free texts for text questions (latest 50)."""
    qs = questions(survey)
    answers = Answer.objects.filter(response__survey=survey).values_list(
        "question_id", "choices", "text"
    )
    counts: dict[int, Counter] = {q.pk: Counter() for q in qs}
    answered: Counter = Counter()
    texts: dict[int, list[str]] = {q.pk: [] for q in qs}
    ranked = ranking_ids(qs)
    for qid, choices, text in answers.iterator(chunk_size=2000):
        answered[qid] += 1
        if text:
            texts[qid].append(text)
        for position, c in enumerate(choices or []):
            # A ranking counts where each option was put first (its top choice).
            if position == 0 or qid not in ranked:
                counts[qid][c] += 1
    out = []
    for q in qs:
        labels = (
            q.options
            if q.kind in CHOICE_KINDS
            else ([str(n) for n in range(1, 6)] if q.kind == QuestionKind.SCALE else [])
        )
        keys = range(len(labels)) if q.kind != QuestionKind.SCALE else range(1, 6)
        total = answered[q.pk]
        rows = [
            {
                "label": label,
                "count": counts[q.pk][key],
                "percent": round(100 * counts[q.pk][key] / total) if total else 0,
            }
            for label, key in zip(labels, keys, strict=True)
        ]
        out.append({"question": q, "answered": total, "rows": rows, "texts": texts[q.pk][-50:]})
    return out


def ranking_ids(qs) -> set[int]:
    return {q.pk for q in qs if q.kind == QuestionKind.RANKING}


def demands(survey) -> list[dict]:
    """The demands ranked (诉求排序): a Borda count over ranking questions (with n options, the
    first place scores n − 1 points, the last 0), a count of choosers for single and multiple
    choice; `households` is how many questionnaires named the option at all."""
    qs = [q for q in questions(survey) if q.kind in CHOICE_KINDS]
    by_id = {q.pk: q for q in qs}
    score: Counter = Counter()
    named: Counter = Counter()
    rows = Answer.objects.filter(response__survey=survey, question__in=qs).values_list(
        "question_id", "choices"
    )
    for qid, choices in rows.iterator(chunk_size=2000):
        q = by_id[qid]
        n = len(q.options)
        for place, c in enumerate(choices or []):
            if not 0 <= c < n:
                continue
            score[(qid, c)] += (n - 1 - place) if q.kind == QuestionKind.RANKING else 1
            named[(qid, c)] += 1
    out = [
        {
            "question": by_id[qid],
            "option": by_id[qid].options[c],
            "score": s,
            "households": named[(qid, c)],
            "method": "borda" if by_id[qid].kind == QuestionKind.RANKING else "count",
        }
        for (qid, c), s in score.items()
        if s > 0
    ]
    out.sort(key=lambda d: (-d["score"], d["question"].position, d["option"]))
    return out


def coverage(survey) -> list[dict]:
    """Per building in (or holding) the survey's scope: households, households answered, and
    the percentage; the least covered first, so staff know where to knock (入户)."""
    buildings = Place.objects.filter(kind="building").filter(
        Q(path__startswith=survey.path) | Q(path__in=prefixes_of(survey.path))
    )
    answered = set(
        Response.objects.filter(survey=survey, household__isnull=False)
        .values_list("household__path", flat=True)
        .distinct()
    )
    out = []
    for b in buildings.annotate(total=Count("children__households")).order_by("path"):
        inside = [p for p in answered if p.startswith(b.path)]
        out.append(
            {
                "building": b,
                "households": b.total,
                "answered": len(inside),
                "percent": round(100 * len(inside) / b.total) if b.total else 0,
            }
        )
    out.sort(key=lambda r: (r["percent"], r["building"].path))
    return out


def households_of(survey):
    """The households a paper questionnaire may name (the survey's scope)."""
    return Household.objects.filter(path__startswith=survey.path).select_related("unit__parent")
