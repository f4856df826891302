"""PIPL: what co-creation holds about a person in their data download (needs supported,
resources offered, project ratings, pledges, partners they act for), and what deleting the
account does — supports keep counting, ratings keep their stars without the comment, their
offers are withdrawn, their tasks wait for a new owner, they stop acting for the partner, and
the household's pledge stays the household's but shows no name on the public account."""

import json

import pytest

from linju.core import privacy as core_privacy
from linju.people.services import delete_account
from linju.projects import services_funds as funds
from linju.projects import services_lists as lists
from linju.projects import services_projects as work
from linju.projects.models import (
    NeedSupport,
    Partner,
    Pledge,
    ProjectRating,
    ProjectStage,
    ProjectTask,
    Resource,
)
from linju.ratings import evaluations

from .fixtures_funds import fund_fixture  # noqa: F401  (the fixture)
from .fixtures_work import need as make_need

pytestmark = pytest.mark.django_db


@pytest.fixture
def story(city, fund):
    owner, staff = city.users["owner"], city.users["community_staff"]
    need = make_need(city, "E1", title="缺少晾晒架")
    lists.support_need(user=owner, need=need)
    offer = lists.create_resource(
        user=owner, place_id=city.places["B1"].pk, title="会修水电", kind="expertise", quantity=5
    )
    funds.pledge(user=owner, campaign=fund.campaign, amount_fen=20_000, show_name=True)
    partner = Partner.objects.create(place=city.places["C1"], name="幸福物业", kind="enterprise")
    partner.members.add(city.users["partner"])
    project = fund.project
    task = work.add_task(user=staff, project_id=project.pk, title="买灯", owner_id=owner.pk)
    work.complete_task(user=staff, task_id=task.pk)
    work.add_task(user=staff, project_id=project.pk, title="装灯", owner_id=owner.pk)
    rated = work.create_project(
        user=staff,
        place_id=city.places["E1"].pk,
        title="晾晒架",
        summary="装晾晒架",
        need_ids=[need.pk],
    )
    rated.stage = ProjectStage.COMPLETED
    rated.save(update_fields=["stage"])
    scores = {i.code: 1 for i in evaluations.items_for(rated.path)}
    work.evaluate(user=owner, project_id=rated.pk, stars=4, comment="很好用", scores=scores)
    return owner, need, offer, partner, rated


def test_the_download_lists_what_co_creation_holds(city, story):
    owner, need, offer, _partner, rated = story
    data = json.loads(json.dumps(core_privacy.export(owner), default=str))["projects"]
    assert [n["need"] for n in data["supported_needs"]] == [need.pk]
    assert [(r["id"], r["title"], r["status"]) for r in data["offered_resources"]] == [
        (offer.pk, "会修水电", "available")
    ]
    assert [(r["project"], r["stars"], r["comment"]) for r in data["project_ratings"]] == [
        (rated.pk, 4, "很好用")
    ]
    assert [(p["amount_fen"], p["show_name"], p["status"]) for p in data["pledges"]] == [
        (20_000, True, "live")
    ]
    partner_data = core_privacy.export(city.users["partner"])["projects"]
    assert partner_data["partners"] == ["幸福物业"]


def test_deleting_the_account_keeps_the_community_record(city, story):
    owner, need, offer, partner, rated = story
    delete_account(user=owner, password="pass-Word-9")
    delete_account(user=city.users["partner"], password="pass-Word-9")
    need.refresh_from_db()
    assert need.support_count == 1 and NeedSupport.objects.filter(need=need).count() == 1
    offer.refresh_from_db()
    assert offer.status == "withdrawn"
    rating = ProjectRating.objects.get(project=rated)
    assert (rating.stars, rating.comment) == (4, "")
    rated.refresh_from_db()
    assert (rated.rating_count, rated.rating_sum) == (1, 4)
    assert not ProjectTask.objects.filter(owner__isnull=False, title="装灯").exists()
    pledge = Pledge.objects.get()
    assert (pledge.status, pledge.amount_fen, pledge.show_name) == ("live", 20_000, False)
    assert not partner.members.exists()
    assert Resource.objects.filter(pk=offer.pk).exists()
