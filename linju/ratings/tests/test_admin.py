"""The back office of last resort: every ratings model opens in the admin for a superuser, an
adopted rubric's items cannot change there, corrections and awards are read-only."""

from decimal import Decimal

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse

from linju.core.testing import log_in_to_admin
from linju.people.models import User
from linju.places.models import Household
from linju.ratings import defaults
from linju.ratings.admin import RubricItemInline
from linju.ratings.models import (
    Appraisal,
    AppraisalScore,
    Award,
    AwardKind,
    Contest,
    Correction,
    HeadDuty,
    Round,
    RoundStatus,
    Rubric,
    RubricComment,
    RubricItem,
    Sheet,
    Target,
)
from linju.ratings.services_rounds import (
    close_scoring,
    correct_entry,
    open_round,
    start_scoring,
)
from linju.ratings.services_rubrics import comment_rubric, copy_rubric, put_to_residents

from .conftest import score

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser(client):
    user = User.objects.create_superuser(mobile="13800009999", password="x-admin-pass-1")
    log_in_to_admin(client, user)
    return user


@pytest.fixture
def records(contested):
    """One of every ratings record: a round in review with a correction, a draft put to the
    residents with a comment, a head's duty, an award and a residents' evaluation."""
    c, city = contested, contested.city
    round_ = open_round(user=c.manager, contest=c.contest, period="2026-10")
    start_scoring(user=c.manager, round_=round_)
    targets = list(round_.targets.all()[:2])
    for judge in c.panel:
        for target in targets:
            score(round_, judge, target, disputes=18)
    close_scoring(user=c.manager, round_=round_)
    entry = targets[0].scoresheets.first().entries.get(item__code="disputes")
    correct_entry(user=c.manager, entry=entry, points=20, reason="核实无纠纷")
    draft = copy_rubric(user=c.manager, rubric=c.rubric)
    put_to_residents(user=c.manager, rubric=draft, raise_topic=False)
    comment_rubric(user=city.users["owner"], rubric=draft, text="建议加一项垃圾分类")
    HeadDuty.objects.create(
        contest=c.contest, year=2025, user=city.users["unit_head"], decided_by=c.manager
    )
    household = Household.objects.filter(unit=c.units[0]).first()
    Award.objects.create(
        contest=c.contest,
        year=2025,
        kind=AwardKind.FLAGS,
        household=household,
        unit=c.units[0],
        flags=5,
        rank=1,
        percent=Decimal(10),
        area=household.area,
        amount_fen=1200,
    )
    evaluation = defaults.template(defaults.EVALUATION)
    appraisal = Appraisal.objects.create(
        subject="deliberation.topic:1",
        rubric=evaluation,
        user=city.users["owner"],
    )
    AppraisalScore.objects.create(
        appraisal=appraisal, item=evaluation.items.first(), points=Decimal(4)
    )
    return round_, draft


MODELS = [
    Rubric,
    RubricComment,
    Contest,
    Round,
    Target,
    Sheet,
    Correction,
    HeadDuty,
    Award,
    Appraisal,
]


def test_every_model_has_a_changelist_and_a_change_page(client, superuser, records):
    for model in MODELS:
        assert admin.site.is_registered(model), model
        name = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        listing = client.get(reverse(f"{name}_changelist"))
        assert listing.status_code == 200, model
        obj = model.objects.order_by("pk").first()
        page = client.get(reverse(f"{name}_change", args=[obj.pk]))
        assert page.status_code == 200, model
    # The round's page shows its targets and panel inline; the sheet's, its marks.
    round_, _draft = records
    page = client.get(reverse("admin:ratings_round_change", args=[round_.pk]))
    assert round_.targets.first().label in page.content.decode()


def test_an_adopted_rubrics_items_cannot_change_in_admin(client, superuser, contested, records):
    _round, draft = records
    adopted = Rubric.objects.get(pk=contested.rubric.pk)
    request = RequestFactory().get("/")
    request.user = superuser
    inline = RubricItemInline(Rubric, admin.site)
    assert not inline.has_change_permission(request, adopted)
    assert not inline.has_delete_permission(request, adopted)
    assert not inline.has_add_permission(request, adopted)
    assert inline.has_change_permission(request, draft)
    assert inline.has_add_permission(request, draft)

    url = reverse("admin:ratings_rubric_change", args=[adopted.pk])
    page = client.get(url)
    assert page.status_code == 200
    # The items are shown, not offered as fields.
    assert 'name="items-0-title"' not in page.content.decode()
    assert adopted.items.first().title in page.content.decode()
    hygiene = adopted.items.get(code="hygiene")
    post = {
        "name": "改名",
        "topic": "",
        "comments_open": "",
        "created_by": "",
        "created_at_0": "2026-01-01",
        "created_at_1": "10:00:00",
        "items-TOTAL_FORMS": "1",
        "items-INITIAL_FORMS": "1",
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "1000",
        "items-0-id": str(hygiene.pk),
        "items-0-rubric": str(adopted.pk),
        "items-0-title": "改过的标题",
        "items-0-max_points": "50",
        "items-0-DELETE": "on",
        "bands-TOTAL_FORMS": "0",
        "bands-INITIAL_FORMS": "0",
        "bands-MIN_NUM_FORMS": "0",
        "bands-MAX_NUM_FORMS": "1000",
    }
    client.post(url, post)
    hygiene.refresh_from_db()
    assert (hygiene.title, hygiene.max_points) == ("环境卫生", Decimal("20.0"))
    adopted.refresh_from_db()
    assert adopted.name != "改名"
    assert RubricItem.objects.filter(rubric=adopted).count() == len(defaults.CONTEST_ITEMS)
    # An adopted rubric is not deleted here either (its rounds point at it).
    delete = client.post(reverse("admin:ratings_rubric_delete", args=[adopted.pk]), {"post": "yes"})
    assert delete.status_code == 403
    assert Rubric.objects.filter(pk=adopted.pk).exists()


def test_a_drafts_items_can_be_repaired(client, superuser, records):
    _round, draft = records
    request = RequestFactory().get("/")
    request.user = superuser
    inline = RubricItemInline(Rubric, admin.site)
    assert inline.has_delete_permission(request, draft)
    page = client.get(reverse("admin:ratings_rubric_change", args=[draft.pk]))
    assert 'name="items-0-title"' in page.content.decode()


def test_corrections_and_awards_are_read_only(client, superuser, records):
    correction, award = Correction.objects.get(), Award.objects.get()
    for obj, name in ((correction, "correction"), (award, "award")):
        assert client.get(reverse(f"admin:ratings_{name}_add")).status_code == 403
        url = reverse(f"admin:ratings_{name}_delete", args=[obj.pk])
        assert client.post(url, {"post": "yes"}).status_code == 403
        page = client.get(reverse(f"admin:ratings_{name}_change", args=[obj.pk]))
        assert page.status_code == 200
        assert 'type="submit" value="Save"' not in page.content.decode()
    correction.refresh_from_db()
    assert correction.reason == "核实无纠纷"
    assert Round.objects.get().status == RoundStatus.REVIEW
