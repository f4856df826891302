"""A talent invited to help with a co-creation project (楼组达人库 × 共同缔造: 出力): staff choose a
live project of their scope; the invitation carries its title and links to it; a project
outside the scope, or finished, is refused on `project_id` (service, API and desk page)."""

import pytest

from linju.activities import services_talents as talents
from linju.activities.models import Invitation
from linju.core.errors import Invalid
from linju.core.tests.test_api import api_client, assert_error, post
from linju.projects.models import ProjectStage
from linju.projects.tests.fixtures_work import make_project, need

pytestmark = pytest.mark.django_db


@pytest.fixture
def talent(hood):
    return talents.set_talent(
        user=hood.leader, skill="repairs", note="水电维修", visibility="neighbours"
    )


def test_invited_to_a_project_of_the_scope(hood, talent):
    city = hood.city
    project = make_project(city, title="楼道灯改造", needs=[need(city)])
    sent = talents.invite(
        user=hood.staff, talent_id=talent.pk, message="请帮忙看看线路", project_id=project.pk
    )
    assert (sent.co_project, sent.project) == (project, "楼道灯改造")
    # Its own words win over the title.
    named = talents.invite(
        user=hood.staff,
        talent_id=talent.pk,
        message="再来一次",
        project_id=project.pk,
        project="楼道灯改造·二期",
    )
    assert named.project == "楼道灯改造·二期"

    elsewhere = make_project(
        city, place="E2", user="community_staff_2", title="C2 的项目", needs=[need(city, "B3")]
    )
    with pytest.raises(Invalid) as refused:
        talents.invite(user=hood.staff, talent_id=talent.pk, message="x", project_id=elsewhere.pk)
    assert "project_id" in refused.value.errors
    project.stage = ProjectStage.COMPLETED
    project.save(update_fields=["stage"])
    with pytest.raises(Invalid) as finished:
        talents.invite(user=hood.staff, talent_id=talent.pk, message="x", project_id=project.pk)
    assert "project_id" in finished.value.errors
    assert Invitation.objects.filter(co_project__isnull=False).count() == 2


def test_the_api_and_the_pages_name_the_project(hood, talent, client):
    city = hood.city
    project = make_project(city, title="楼道灯改造", needs=[need(city)])
    staff = api_client(hood.staff)
    url = f"/activities/talents/{talent.pk}/invitations"
    r = post(staff, url, {"message": "请帮忙", "project_id": project.pk})
    assert r.status_code == 201, r.content
    assert (r.json()["project_id"], r.json()["project"]) == (project.pk, "楼道灯改造")
    assert_error(
        post(staff, url, {"message": "x", "project_id": 10**9}), 422, "invalid", "project_id"
    )

    # The talent's page links the invitation to the project's public page.
    client.force_login(hood.leader)
    page = client.get("/activities/talents/").content.decode()
    assert f'href="/projects/{project.pk}/"' in page

    # The desk's invite form offers the project and names a wrong one on its field.
    client.force_login(hood.staff)
    desk = client.get("/activities/desk/talents/").content.decode()
    assert f'value="{project.pk}"' in desk and "楼道灯改造" in desk
    response = client.post(
        "/activities/desk/talents/",
        {"talent": talent.pk, "message": "请来", "project_id": 10**9, "project": ""},
    )
    assert response.status_code == 200
    assert 'data-field="project_id"' in response.content.decode()
