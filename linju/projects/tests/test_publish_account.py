"""A campaign's public account on the notice board (services_publish.publish_account): a
published result of the campaign's scope, linking to the public account; publishing again
revises the same notice; only the fund's managers and its treasurer may; the desk's button and
the API route."""

import pytest

from linju.core.errors import Forbidden, NotFound
from linju.core.models import AuditEvent
from linju.notices import queries as notice_queries
from linju.notices.models import Notice
from linju.projects import services_publish

from .fixtures_funds import fund_fixture, pay  # noqa: F401  (the `fund` fixture)

pytestmark = pytest.mark.django_db


def test_the_account_goes_on_the_board_and_is_revised(fund):
    notice = services_publish.publish_account(user=fund.manager, campaign_id=fund.campaign.pk)
    assert notice.kind == "result" and notice.status == "published"
    assert notice.source == f"projects.campaign:{fund.campaign.pk}"
    assert notice.source_app == "projects"
    assert notice.link == f"/projects/funds/{fund.campaign.pk}/account/"
    assert notice.path == fund.campaign.path
    assert "0.00" in notice.body
    pay(fund, amount=12_345)
    again = services_publish.publish_account(user=fund.treasurer, campaign_id=fund.campaign.pk)
    assert again.pk == notice.pk and Notice.objects.count() == 1
    assert "123.45" in again.body
    owner = fund.city.users["owner"]
    assert [n.pk for n in notice_queries.board(owner)] == [notice.pk]
    assert not list(notice_queries.board(fund.city.users["owner_2"]))
    events = AuditEvent.objects.filter(verb="projects.account_publish")
    assert events.count() == 2 and events.first().object_id == str(fund.campaign.pk)


@pytest.mark.parametrize("who", ["owners_committee", "building_head", "owner", "community_staff_2"])
def test_others_may_not(fund, who):
    with pytest.raises(Forbidden):
        services_publish.publish_account(user=fund.city.users[who], campaign_id=fund.campaign.pk)
    assert not Notice.objects.exists()


def test_an_unknown_campaign(fund):
    with pytest.raises(NotFound):
        services_publish.publish_account(user=fund.manager, campaign_id="nope")


def test_the_desk_button(client, fund):
    url = f"/projects/funds/desk/{fund.campaign.pk}/"
    client.force_login(fund.manager)
    assert 'data-testid="publish-account"' in client.get(url).text
    done = client.post(f"{url}publish/", follow=True)
    assert "The public account is on the notice board." in done.text
    assert Notice.objects.filter(source=f"projects.campaign:{fund.campaign.pk}").exists()
    client.force_login(fund.approver)
    assert 'data-testid="publish-account"' not in client.get(url).text
    assert client.post(f"{url}publish/").status_code == 403
    assert client.get(f"{url}publish/").status_code == 405


def test_the_api_route(client, fund):
    url = f"/api/v1/projects/campaigns/{fund.campaign.pk}/publish"
    client.force_login(fund.treasurer)
    done = client.post(url)
    assert done.status_code == 200
    assert done.json()["link"] == f"/projects/funds/{fund.campaign.pk}/account/"
    client.force_login(fund.approver)
    assert client.post(url).status_code == 403
    client.force_login(fund.city.users["owner"])
    assert client.post(url).status_code == 404
