"""Micro-projects and elevator retrofits of community C1 of the test city, made through the real
services (needs and partners as plain rows: the lists part owns their services). Import the
fixtures into a test module."""

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.utils import timezone

from linju.deliberation.models import Ballot, Topic
from linju.projects import services_projects as services
from linju.projects import services_retrofits as retrofits
from linju.projects.models import Need, Partner, Resource


def need(city, place="B1", title="楼道灯坏了", **kw):
    return Need.objects.create(place=city.places[place], title=title, source="visit", **kw)


def topic(city, place="C1", title="加装楼道灯"):
    return Topic.objects.create(place=city.places[place], title=title, body="议一议")


def ballot(place, *, passed=True, status="closed", topic=None, rule="simple"):
    now = timezone.now()
    return Ballot.objects.create(
        place=place,
        title="是否同意",
        topic=topic,
        electorate="households",
        rule=rule,
        closes_at=now,
        closed_at=now,
        status=status,
        passed=passed,
    )


def partner(city, place="C1", name="幸福物业", members=("partner",)):
    p = Partner.objects.create(place=city.places[place], name=name, kind="enterprise")
    p.members.set([city.users[m] for m in members])
    return p


def resource(city, place="C1", quantity=3, **kw):
    return Resource.objects.create(
        place=city.places[place], title="会议室", kind="venue", quantity=quantity, **kw
    )


def make_project(city, *, place="E1", user="community_staff", needs=None, topic_obj=None, **kw):
    kw.setdefault("title", "楼道灯改造")
    kw.setdefault("summary", "给一单元楼道装上声控灯")
    return services.create_project(
        user=city.users[user],
        place_id=city.places[place].pk,
        need_ids=[n.pk for n in (needs or [])],
        topic_id=getattr(topic_obj, "pk", None),
        **kw,
    )


def walk_to(city, project, stage, user="community_staff"):
    """Walk a project along the road up to `stage`, meeting each step's checks."""
    staff = city.users[user]
    order = [
        "deliberated",
        "approved",
        "funding",
        "in_progress",
        "completed",
        "evaluated",
    ]
    project.refresh_from_db()
    for step in order:
        if project.stage == stage:
            break
        if step == "deliberated" and project.topic_id is None:
            t = Topic.objects.create(place=project.place, title="议一议", body="议一议")
            services.update_project(
                user=staff,
                project_id=project.pk,
                title=project.title,
                summary=project.summary,
                topic_id=t.pk,
                lead_id=project.lead_id,
            )
        if step == "funding" and not project.budget_lines.exists():
            services.add_budget_line(
                user=staff, project_id=project.pk, source="government", amount_fen=500000
            )
        project = services.advance(user=staff, project_id=project.pk, to_stage=step)
    return project


def open_retrofit(city, unit="U1", user="community_staff", **kw):
    return retrofits.open_retrofit(user=city.users[user], place_id=city.places[unit].pk, **kw)


def walk_retrofit(city, retrofit, stage, user="community_staff"):
    staff = city.users[user]
    days = {"signed": 30, "construction": 20, "in_use": 1}
    order = ["consent", "signed", "approved", "construction", "in_use"]
    retrofit.refresh_from_db()
    if retrofit.ballot_id is None and stage != "consultation":
        b = ballot(retrofit.place, rule="elevator")
        retrofit = retrofits.update_retrofit(user=staff, retrofit_id=retrofit.pk, ballot_id=b.pk)
    for step in order:
        if retrofit.stage == stage:
            break
        on = timezone.localdate() - timedelta(days=days[step]) if step in days else None
        retrofit = retrofits.advance_retrofit(
            user=staff, retrofit_id=retrofit.pk, to_stage=step, on=on
        )
    return retrofit


@dataclass
class Work:
    city: object
    staff: object
    need: object
    project: object

    def u(self, key):
        return self.city.users[key]

    def p(self, key):
        return self.city.places[key]


@pytest.fixture
def work(city):
    n = need(city)
    project = make_project(city, needs=[n], lead_id=city.users["building_head"].pk)
    return Work(city=city, staff=city.users["community_staff"], need=n, project=project)
