"""Pages of micro-projects: the public list and project page (anyone, signed in or not), the
evaluation form for residents, the photo served with the upload headers; the desk: creating a
project, its working page's actions with errors on the form naming the field, retrofits with
their figures; query counts of the lists."""

import pytest
from django.urls import reverse

from linju.projects import services_projects as services
from linju.projects.models import Project
from linju.projects.tests.clients import english_client
from linju.reports.tests import conftest as reports_conftest
from linju.reports.tests.conftest import upload

from . import fixtures_work as fx
from .fixtures_work import work as _work

pytestmark = pytest.mark.django_db
work = _work
media = reports_conftest.media


def _client(user=None):
    c = english_client()
    if user is not None:
        c.force_login(user)
    return c


def test_public_list_and_page_for_anyone(work, media, django_assert_max_num_queries):
    services.post_update(
        user=work.staff, project_id=work.project.pk, text="买好了", photos=[upload(size=(64, 48))]
    )
    services.add_budget_line(
        user=work.staff, project_id=work.project.pk, source="government", amount_fen=12345
    )
    anonymous = english_client()
    r = anonymous.get(reverse("projects:home"))
    assert r.status_code == 200 and "楼道灯改造" in r.content.decode()
    for i in range(5):
        fx.make_project(work.city, needs=[fx.need(work.city)], title=f"p{i}")
    with django_assert_max_num_queries(12):
        assert anonymous.get(reverse("projects:home")).status_code == 200
    page = anonymous.get(reverse("projects:project", args=[work.project.pk])).content.decode()
    assert "123.45" in page and "买好了" in page and 'data-testid="road"' in page
    assert "campaign-link" not in page
    photo = work.project.updates.get().photos.get()
    r = anonymous.get(reverse("projects:photo", args=[photo.pk]))
    assert r.status_code == 200 and r["Content-Type"] == "image/jpeg"
    assert r["X-Content-Type-Options"] == "nosniff"
    assert anonymous.get(reverse("projects:project", args=[999999])).status_code == 404


def test_evaluation_page_for_residents(work):
    owner = _client(work.u("owner"))
    url = reverse("projects:evaluate", args=[work.project.pk])
    assert "evaluation-closed" in owner.get(url).content.decode()
    assert _client(work.u("owner_2")).get(url).status_code == 403
    fx.walk_to(work.city, work.project, "completed")
    form = owner.get(url).content.decode()
    assert "evaluation-form" in form
    r = owner.post(url, {"stars": "9"})
    assert r.status_code == 200 and 'data-field="stars"' in r.content.decode()
    scores = {
        "scores.satisfaction": 5,
        "scores.effect": 4,
        "scores.timeliness": 5,
        "scores.openness": 5,
    }
    r = owner.post(url, {"stars": "4", "comment": "好", **scores})
    assert r.status_code == 302
    work.project.refresh_from_db()
    assert work.project.rating_count == 1 and work.project.rating_sum == 4


def test_desk_create_and_act(city):
    staff = _client(city.users["community_staff"])
    need = fx.need(city)
    r = staff.post(
        reverse("projects:desk_project_new"),
        {"place": city.places["E1"].pk, "title": "", "summary": "s", "needs": [need.pk]},
    )
    assert r.status_code == 200 and 'data-field="title"' in r.content.decode()
    r = staff.post(
        reverse("projects:desk_project_new"),
        {"place": city.places["E1"].pk, "title": "装灯", "summary": "s", "needs": [need.pk]},
    )
    assert r.status_code == 302
    project = Project.objects.get(title="装灯")
    url = reverse("projects:desk_project", args=[project.pk])
    assert staff.get(url).status_code == 200
    r = staff.post(url, {"action": "budget", "source": "government", "amount": "12.345"})
    assert r.status_code == 422 and 'data-field="amount"' in r.content.decode()
    r = staff.post(url, {"action": "budget", "source": "government", "amount": "12.50"})
    assert r.status_code == 302 and project.budget_lines.get().amount_fen == 1250
    r = staff.post(url, {"action": "stage", "stage": "deliberated"})
    assert r.status_code == 422 and "topic" in r.content.decode().lower()
    r = staff.post(url, {"action": "cancel", "reason": "不做了"})
    assert r.status_code == 302
    project.refresh_from_db()
    assert project.stage == "cancelled"
    # Staff who see but may not manage are refused; residents have no desk.
    assert (
        _client(city.users["property_manager"])
        .post(url, {"action": "cancel", "reason": "x"})
        .status_code
        == 403
    )
    assert _client(city.users["owner"]).get(url).status_code == 403
    assert _client(city.users["community_staff_2"]).get(url).status_code == 404


def test_retrofit_pages(city, django_assert_max_num_queries):
    staff = _client(city.users["community_staff"])
    url = reverse("projects:retrofits")
    r = staff.post(url, {"place": city.places["U1"].pk})
    assert r.status_code == 302
    r = staff.post(url, {"place": city.places["U1"].pk})
    assert r.status_code == 200 and "errors" in r.content.decode()
    fx.open_retrofit(city, unit="U2")
    with django_assert_max_num_queries(20):
        page = staff.get(url)
    assert 'data-testid="figures"' in page.content.decode()
    retrofit = city.places["U1"]
    from linju.projects.models import ElevatorRetrofit

    pk = ElevatorRetrofit.objects.get(place=retrofit).pk
    detail = reverse("projects:retrofit", args=[pk])
    r = staff.post(detail, {"action": "stage", "stage": "consent"})
    assert r.status_code == 422
    r = staff.post(detail, {"action": "abandon", "reason": "x"})
    assert r.status_code == 302
    assert _client(city.users["owner"]).get(detail).status_code == 403
