"""Residents' evaluation item by item (群众评价, seeds 000 and 002: 结果公开, 群众评议), the same
rubric engine the contests use: the scope's adopted evaluation rubric (or the template) lists
what residents judge, 1 to each item's maximum. The app that owns the evaluated thing (a
deliberation topic, a co-creation project) checks who may evaluate and keeps the overall rating
and comment; it calls `record` inside its own transaction and shows `summary`."""

from decimal import Decimal

from django.db.models import Avg, Count
from django.utils.translation import gettext as _

from linju.core.errors import Invalid
from linju.places.paths import prefixes_of

from . import defaults
from .models import Appraisal, AppraisalScore, Purpose, Rubric, RubricStatus
from .scoring import as_points


def rubric_for(path: str) -> Rubric:
    """The nearest adopted evaluation rubric up the tree, else the shipped template."""
    scoped = (
        Rubric.objects.filter(
            purpose=Purpose.EVALUATION, status=RubricStatus.ADOPTED, path__in=prefixes_of(path)
        )
        .order_by("-path", "-version")
        .first()
    )
    return scoped or defaults.template(defaults.EVALUATION)


def items_for(path: str) -> list:
    return list(rubric_for(path).items.all())


def record(*, user, subject: str, path: str, scores: dict) -> Appraisal:
    """Store (or replace) a resident's marks for `subject`: {item code: points}. Every item is
    required; each from 1 to its maximum in whole points. Runs in the caller's transaction,
    after the caller has checked the resident may evaluate."""
    rubric = rubric_for(path)
    items = list(rubric.items.all())
    scores = scores or {}
    unknown = set(scores) - {i.code for i in items}
    if unknown:
        raise Invalid({f"scores.{sorted(unknown)[0]}": _("No such item to evaluate.")})
    cleaned = []
    for item in items:
        field = f"scores.{item.code}"
        if scores.get(item.code) in (None, ""):
            raise Invalid({field: _("Rate every item.")})
        points = as_points(scores[item.code], field=field)
        if points != points.to_integral_value() or not 1 <= points <= item.max_points:
            raise Invalid(
                {field: _("Give 1 to %(max)s.") % {"max": f"{item.max_points.normalize():f}"}}
            )
        cleaned.append((item, points))
    appraisal, _created = Appraisal.objects.update_or_create(
        subject=subject, user=user, defaults={"rubric": rubric, "path": path}
    )
    appraisal.scores.all().delete()
    AppraisalScore.objects.bulk_create(
        AppraisalScore(appraisal=appraisal, item=item, points=points) for item, points in cleaned
    )
    return appraisal


def summary(subject: str) -> list[dict]:
    """Per item: title, maximum, mean (one decimal) and how many residents marked it."""
    rows = (
        AppraisalScore.objects.filter(appraisal__subject=subject)
        .values("item_id", "item__title", "item__max_points", "item__position")
        .annotate(mean=Avg("points"), count=Count("id"))
        .order_by("item__position", "item_id")
    )
    return [
        {
            "title": r["item__title"],
            "max_points": r["item__max_points"],
            "mean": Decimal(str(r["mean"])).quantize(Decimal("0.1")),
            "count": r["count"],
        }
        for r in rows
    ]
