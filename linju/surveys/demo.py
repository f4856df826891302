"""Demo surveys (民意调查, 诉求调查表, seeds 002, 003) in the demo community of linju.people.demo:
this year's demand questionnaire, open, answered online by households across the community and
on paper by the community's staff (so the coverage by building has gaps to knock on), whose two top
demands were turned into needs of the co-creation list; last month's satisfaction survey,
anonymous, closed.
Through the services; deterministic; the audit event `MARKER` says it is loaded."""

import datetime
import random

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation

from linju.core import audit
from linju.core.models import AuditEvent
from linju.people import demo as people_demo

from . import services

MARKER = "surveys.demo.load"
SEED = 2026

DEMANDS = [
    {
        "kind": "single",
        "text": "您觉得小区最需要改善的是？",
        "options": ["停车", "照明", "绿化", "加装电梯"],
    },
    {
        "kind": "ranking",
        "text": "请给今年想办的实事排序",
        "options": ["楼道照明改造", "儿童游乐角", "老年助餐点", "晾晒架"],
    },
    {
        "kind": "text",
        "text": "停车方面的具体建议",
        "show_if": 0,
        "show_if_option": 0,
        "required": False,
    },
    {"kind": "scale", "text": "您对社区服务的满意度（1–5）"},
]
SATISFACTION = [
    {"kind": "scale", "text": "对物业服务的满意度（1–5）"},
    {
        "kind": "multiple",
        "text": "希望增加的服务",
        "options": ["助餐", "理发", "家电维修", "法律咨询"],
    },
]


def is_loaded() -> bool:
    return AuditEvent.objects.filter(verb=MARKER).exists()


def _answers(survey, rng):
    qs = list(survey.questions.order_by("position"))
    out = {}
    for q in qs:
        if q.kind == "single":
            out[str(q.pk)] = rng.choices(range(len(q.options)), weights=[4, 3, 2, 3])[0]
        elif q.kind == "ranking":
            order = list(range(len(q.options)))
            rng.shuffle(order)
            out[str(q.pk)] = order
        elif q.kind == "scale":
            out[str(q.pk)] = rng.choice([3, 4, 4, 5, 5])
        elif q.kind == "multiple":
            out[str(q.pk)] = rng.sample(range(len(q.options)), 2)
        elif q.show_if_id is None or out.get(str(q.show_if_id)) == q.show_if_option:
            out[str(q.pk)] = rng.choice(["晚上车位不够", "希望规划临时车位", ""])
    return out


def load_demo(*, progress=None) -> dict | None:
    with transaction.atomic(), translation.override(settings.LANGUAGE_CODE):
        if is_loaded():
            return None
        cast = people_demo.cast(limit=120)
        if cast is None or not cast.residents:
            return None
        rng = random.Random(SEED)
        today = timezone.localdate()
        staff, community = cast.staff, cast.community
        demands = services.create_survey(
            user=staff,
            place_id=community.pk,
            title=f"{today.year}年社区居民需求调查",
            description="您的回答决定今年优先办理哪些实事，每户填写一份。",
            audience="household",
            opens_on=today - datetime.timedelta(days=7),
            closes_on=today + datetime.timedelta(days=21),
            questions=DEMANDS,
        )
        services.open_survey(user=staff, survey=demands)
        answered = 0
        online = cast.residents[::2][:40]
        for user, _household in online:
            services.submit_response(user=user, survey=demands, answers=_answers(demands, rng))
            answered += 1
        done = {h.pk for _u, h in online}
        on_paper = [h for _u, h in cast.residents[1::2] if h.pk not in done][:5]
        for household in on_paper:
            services.enter_paper(
                user=staff,
                survey=demands,
                answers=_answers(demands, rng),
                household_id=household.pk,
            )
            answered += 1
        last = services.create_survey(
            user=staff,
            place_id=community.pk,
            title="上季度社区服务满意度调查",
            audience="person",
            anonymous=True,
            opens_on=today - datetime.timedelta(days=30),
            closes_on=today,
            questions=SATISFACTION,
        )
        services.open_survey(user=staff, survey=last)
        for user, _household in cast.residents[1::3][:25]:
            services.submit_response(user=user, survey=last, answers=_answers(last, rng))
            answered += 1
        services.close_survey(user=staff, survey=last)
        needs = services.make_needs(user=staff, survey=demands, top=2)
        counts = {"surveys": 2, "survey_responses": answered, "needs_from_surveys": len(needs)}
        audit.record(actor=None, verb=MARKER, obj=community, data=counts)
    if progress:
        progress("surveys", f"{answered} responses")
    return counts
