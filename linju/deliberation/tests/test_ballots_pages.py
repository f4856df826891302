"""The ballot pages: my votes, the ballot page (vote, change, my choice, the published result
with its arithmetic), the staff list, the new-ballot form (errors name their field), and the
staff desk (open, paper entry with its scan, a second person's confirmation, proxy with its
authorisation, close, publish), for every role inside and outside the scope; list pages whose
query count does not grow with their rows; secret ballots showing no choice."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from linju.deliberation import services_ballots as services
from linju.deliberation.models import Ballot, BallotStatus, Publication, Vote

from .test_ballots import PDF, elector_of, make, media, opened, option  # noqa: F401
from .test_ballots_api import ROLES, RUNS_E1, SEES_E1

pytestmark = pytest.mark.django_db


def login(client, user):
    client.force_login(user)
    return client


def body(response) -> str:
    return response.content.decode()


def field_errors(html) -> set[str]:
    return set(re.findall(r'class="error" data-field="([^"]+)"', html))


def pdf():
    return SimpleUploadedFile("sheet.pdf", PDF, content_type="application/pdf")


def later(days=8):
    return time_machine.travel(timezone.now() + timedelta(days=days), tick=False)


def queries_of(client, url) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx)


def desk(ballot):
    return reverse("deliberation:desk_ballot", args=[ballot.pk])


def page(ballot):
    return reverse("deliberation:ballot", args=[ballot.pk])


# --- URLs and logging in ------------------------------------------------------------------------


def test_url_names(city):
    assert reverse("deliberation:my_ballots") == "/deliberation/ballots/"
    assert reverse("deliberation:ballot", args=[3]) == "/deliberation/ballots/3/"
    assert reverse("deliberation:desk_ballots") == "/deliberation/desk/ballots/"
    assert reverse("deliberation:ballot_new") == "/deliberation/desk/ballots/new/"
    assert reverse("deliberation:desk_ballot", args=[3]) == "/deliberation/desk/ballots/3/"


def test_pages_ask_visitors_to_log_in(client, city):
    ballot = opened(city)
    for url in [
        reverse("deliberation:my_ballots"),
        page(ballot),
        reverse("deliberation:desk_ballots"),
        reverse("deliberation:ballot_new"),
        desk(ballot),
        reverse("deliberation:ballot_edit", args=[ballot.pk]),
    ]:
        response = client.get(url)
        assert response.status_code == 302 and reverse("people:login") in response["Location"]


# --- Every role ----------------------------------------------------------------------------------


@pytest.mark.parametrize("key", ROLES)
def test_every_role_on_every_page(client, city, key):
    ballot = opened(city)
    login(client, city.users[key])
    response = client.get(page(ballot))
    assert response.status_code == (200 if key in SEES_E1 else 404)
    response = client.get(desk(ballot))
    staff_in = key in SEES_E1 - {"owner", "tenant", "party_liaison"}
    if staff_in:
        assert response.status_code == 200
        assert ('data-testid="electors"' in body(response)) is (key in RUNS_E1)
    elif key in SEES_E1:
        assert response.status_code == 302 and response["Location"] == page(ballot)
    else:
        assert response.status_code == 404
    listing = client.get(reverse("deliberation:desk_ballots"))
    if listing.status_code == 200:
        assert (f'data-ballot="{ballot.pk}"' in body(listing)) is staff_in
    else:
        assert listing.status_code == 403
        assert key in {"owner", "tenant", "owner_2", "party_liaison", "party_liaison_2"} | {
            "newcomer",
            "partner",
            "partner_2",
        }
    new = client.get(reverse("deliberation:ballot_new"))
    runners = {"community_staff", "owners_committee", "subdistrict_admin"}
    runners |= {"community_staff_2", "owners_committee_2"}
    assert new.status_code == (200 if key in runners else 403)
    # Acting needs running the ballot (runners are told it is too early to close).
    acted = client.post(desk(ballot), {"action": "close"})
    if key in RUNS_E1:
        assert acted.status_code == 200 and '<li class="error">' in body(acted)
    elif staff_in:
        assert acted.status_code == 403
    else:
        assert acted.status_code in (302, 404)
    assert Ballot.objects.get(pk=ballot.pk).status == BallotStatus.OPEN


# --- Residents -----------------------------------------------------------------------------------


def test_vote_change_and_see_my_choice(client, city):
    ballot = opened(city)
    login(client, city.users["owner"])
    mine = body(client.get(reverse("deliberation:my_ballots")))
    assert f'data-ballot="{ballot.pk}"' in mine and 'data-testid="not-voted"' in mine
    html = body(client.get(page(ballot)))
    assert 'data-testid="vote-form"' in html and 'type="radio"' in html
    response = client.post(page(ballot), {"option": option(ballot, 1).pk})
    assert response.status_code == 302
    html = body(client.get(page(ballot)))
    assert re.search(rf'data-testid="my-choice">{re.escape(option(ballot, 1).label)}<', html)
    assert re.search(rf'value="{option(ballot, 1).pk}"[^>]*checked', html)
    client.post(page(ballot), {"option": option(ballot, 0).pk})
    assert Vote.objects.get(ballot=ballot).option == option(ballot, 0)
    assert 'data-testid="voted"' in body(client.get(reverse("deliberation:my_ballots")))
    # A bad choice names the field and saves nothing new.
    response = client.post(page(ballot), {"option": 999999})
    assert response.status_code == 200 and "option" in field_errors(body(response))


def test_non_members_see_the_ballot_without_a_vote_form(client, city):
    ballot = opened(city)
    login(client, city.users["tenant"])
    html = body(client.get(page(ballot)))
    assert 'data-testid="vote-form"' not in html and 'data-testid="turnout"' in html
    assert client.post(page(ballot), {"option": option(ballot, 0).pk}).status_code == 302
    assert not Vote.objects.exists()


def test_my_ballots_query_count_is_bounded(client, city):
    login(client, city.users["owner"])
    opened(city)
    one = queries_of(client, reverse("deliberation:my_ballots"))
    for _ in range(6):
        opened(city)
    assert queries_of(client, reverse("deliberation:my_ballots")) == one


# --- Staff ---------------------------------------------------------------------------------------


def test_desk_list_query_count_is_bounded(client, city):
    login(client, city.users["community_staff"])
    opened(city)
    one = queries_of(client, reverse("deliberation:desk_ballots"))
    for _ in range(6):
        make(city)
    assert queries_of(client, reverse("deliberation:desk_ballots")) == one


def new_ballot(client, city, **fields):
    data = {
        "title": "加装电梯",
        "description": "一单元加装电梯",
        "place": city.places["U1"].pk,
        "electorate": "owners",
        "rule": "elevator",
        "options": "",
        "approving": "1",
        "closes_at": (timezone.localtime() + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M"),
        "changeable": "on",
        "affected_rooms": "102",
        "participation_numerator": "0",
        "participation_denominator": "1",
        "approval_numerator": "1",
        "approval_denominator": "2",
        "approval_strict": "on",
    }
    data.update(fields)
    return client.post(reverse("deliberation:ballot_new"), data)


def test_new_ballot_form(client, city):
    login(client, city.users["community_staff"])
    html = body(client.get(reverse("deliberation:ballot_new")))
    assert (
        f'value="{city.places["U1"].pk}"' in html and f'value="{city.places["U3"].pk}"' not in html
    )
    assert 'type="datetime-local"' in html
    response = new_ballot(client, city)
    ballot = Ballot.objects.get()
    assert response.status_code == 302 and response["Location"] == desk(ballot)
    assert services.affected_households(ballot) == [city.households["H102"].pk]
    assert [o.approves for o in ballot.options.order_by("order")] == [True, False, False]


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        ({"affected_rooms": "999"}, {"affected_rooms"}),
        ({"affected_rooms": ""}, {"affected_rooms"}),
        ({"place": "1", "rule": "ordinary", "affected_rooms": ""}, {"place"}),
        ({"closes_at": "2000-01-01T09:00"}, {"closes_at"}),
        ({"options": "甲\n乙", "approving": "5"}, {"approving"}),
        ({"options": "只有一个"}, {"options"}),
        ({"rule": "special", "electorate": "households", "affected_rooms": ""}, {"electorate"}),
        ({"title": ""}, {"title"}),
    ],
)
def test_new_ballot_errors_name_the_field(client, city, fields, errors):
    login(client, city.users["community_staff"])
    response = new_ballot(client, city, **fields)
    assert response.status_code == 200
    assert errors <= field_errors(body(response)), field_errors(body(response))
    assert not Ballot.objects.exists()


def test_edit_a_draft(client, city):
    ballot = make(city)
    login(client, city.users["community_staff"])
    url = reverse("deliberation:ballot_edit", args=[ballot.pk])
    html = body(client.get(url))
    assert "更换小区大门" in html
    response = new_ballot(
        client, city, place=city.places["E1"].pk, rule="special", title="动用维修资金"
    )
    assert response.status_code == 302
    data = {
        "title": "动用维修资金",
        "place": city.places["E1"].pk,
        "electorate": "owners",
        "rule": "special",
        "options": "同意\n反对",
        "approving": "1",
        "closes_at": (timezone.localtime() + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M"),
    }
    assert client.post(url, data).status_code == 302
    ballot.refresh_from_db()
    assert ballot.rule == "special" and ballot.options.count() == 2
    services.open_ballot(user=city.users["community_staff"], ballot=ballot)
    assert client.get(url).status_code == 403


@pytest.mark.usefixtures("media")
def test_the_desk_from_opening_to_publishing(client, city):
    ballot = make(city)
    a = login(client, city.users["community_staff"])
    html = body(a.get(desk(ballot)))
    assert 'data-action="open"' in html
    assert a.post(desk(ballot), {"action": "open"}).status_code == 302
    ballot.refresh_from_db()
    assert ballot.status == BallotStatus.OPEN and ballot.electorate_heads == 3
    html = body(a.get(desk(ballot)))
    assert 'data-testid="electors"' in html and 'data-testid="live-tally"' in html
    # Find the voter by room, then enter the paper sheet.
    h201 = elector_of(ballot, city.households["H201"])
    html = body(a.get(desk(ballot), {"q": "201"}))
    assert f'data-elector="{h201.pk}"' in html
    assert f'data-elector="{elector_of(ballot, city.households["H101"]).pk}"' not in html
    html = body(a.get(desk(ballot), {"elector": h201.pk}))
    assert 'data-action="paper"' in html and 'name="paper-scan"' in html
    no_scan = a.post(
        desk(ballot),
        {"action": "paper", "paper-elector": h201.pk, "paper-option": option(ballot, 1).pk},
    )
    assert no_scan.status_code == 200 and "scan" in field_errors(body(no_scan))
    entered = a.post(
        desk(ballot),
        {
            "action": "paper",
            "paper-elector": h201.pk,
            "paper-option": option(ballot, 1).pk,
            "paper-scan": pdf(),
        },
    )
    assert entered.status_code == 302
    vote = Vote.objects.get(elector=h201)
    html = body(a.get(desk(ballot)))
    assert f'data-vote="{vote.pk}"' in html and 'data-action="confirm"' not in html
    scan_url = reverse("deliberation:ballot_vote_file", args=[ballot.pk, vote.pk, "scan"])
    assert scan_url in html and a.get(scan_url).status_code == 200
    # The one who entered it cannot confirm it, even by posting.
    a.post(desk(ballot), {"action": "confirm", "confirm-vote": vote.pk})
    assert Vote.objects.get(pk=vote.pk).confirmed_at is None
    # A proxy's vote needs the authorisation.
    h102 = elector_of(ballot, city.households["H102"])
    proxy = {
        "action": "proxy",
        "proxy-elector": h102.pk,
        "proxy-option": option(ballot, 0).pk,
        "proxy-proxy_name": "王代理",
    }
    missing = a.post(desk(ballot), proxy)
    assert missing.status_code == 200 and "authorisation" in field_errors(body(missing))
    assert a.post(desk(ballot), {**proxy, "proxy-authorisation": pdf()}).status_code == 302
    # A second staff member confirms the paper sheet.
    b = login(type(client)(), city.users["owners_committee"])
    assert 'data-action="confirm"' in body(b.get(desk(ballot)))
    assert b.post(desk(ballot), {"action": "confirm", "confirm-vote": vote.pk}).status_code == 302
    assert Vote.objects.get(pk=vote.pk).confirmed_at is not None
    assert 'data-action="close"' not in body(b.get(desk(ballot)))
    with later():
        b = login(type(client)(), city.users["owners_committee"])
        assert b.post(desk(ballot), {"action": "close"}).status_code == 302
        html = body(b.get(desk(ballot)))
        assert 'data-testid="arithmetic"' in html and 'data-action="publish"' in html
        # Residents wait for the publication.
        owner = login(type(client)(), city.users["owner"])
        assert 'data-testid="result"' not in body(owner.get(page(ballot)))
        assert b.post(desk(ballot), {"action": "publish"}).status_code == 302
        html = body(owner.get(page(ballot)))
    assert Publication.objects.filter(ballot=ballot).count() == 1
    # 2 of 3 owners took part (H102 by proxy, H201 on paper): 177.00 of 265.50 m² is 2/3.
    assert "177.00 / 265.50 m² = 66.67% ≥ 2/3 ✓" in html
    assert "2 / 3 = 66.67% ≥ 2/3 ✓" in html
    assert "1 / 2 = 50.00% &gt; 1/2 ✗" in html


@pytest.mark.usefixtures("media")
def test_a_secret_ballot_shows_no_choice_to_staff(client, city):
    ballot = opened(city, secret=True)
    services.cast_vote(user=city.users["owner"], ballot=ballot, option_id=option(ballot, 2).pk)
    login(client, city.users["community_staff"])
    html = body(client.get(desk(ballot)))
    assert 'data-testid="live-tally"' not in html
    row = re.search(
        rf'data-elector="{elector_of(ballot, city.households["H101"]).pk}">(.*?)</tr>', html, re.S
    ).group(1)
    assert "online" in row or "线上" in row
    for o in ballot.options.all():
        assert o.label not in row
    # The voter sees their own.
    login(client, city.users["owner"])
    assert option(ballot, 2).label in body(client.get(page(ballot)))


def test_electors_list_masks_names_outside_the_handling_scope(client, city):
    ballot = opened(city)
    owner = city.users["owner"]
    login(client, city.users["owners_committee"])  # not a handler of personal data
    html = body(client.get(desk(ballot)))
    assert "张*****明" in html and owner.name not in html.replace("张*****明", "")
    login(client, city.users["community_staff"])  # handles C1's households
    assert owner.name in body(client.get(desk(ballot)))


def test_electors_page_query_count_is_bounded(client, city):
    ballot = opened(city)
    login(client, city.users["community_staff"])
    one = queries_of(client, desk(ballot))
    from linju.people.models import Relation, Residency, ResidencyStatus, User

    for i in range(4):
        u = User.objects.create_user(f"1350000000{i}", "pass-Word-9", name=f"共有人{i}")
        Residency.objects.create(
            user=u,
            household=city.households["H102"],
            relation=Relation.CO_OWNER,
            status=ResidencyStatus.VERIFIED,
        )
    other = opened(city)
    assert queries_of(client, desk(other)) == one


def test_a_stage_drafts_its_ballot_with_the_topic_and_the_preset(client, city):
    """四议两公开's party members' review: the topic's desk page links the ballot form with
    the topic, its place and the review's thresholds filled in; the ballot saved belongs to
    the topic, so the stage can use it."""
    from linju.deliberation import services_topics
    from linju.deliberation.models import AgendaItem, Meeting, MeetingKind

    staff = city.users["community_staff"]
    topic = services_topics.propose_topic(
        user=staff, place_id=city.places["C1"].pk, title="长者食堂", body="b", source="party"
    )
    services_topics.put_on_agenda(user=staff, topic=topic)
    services_topics.start_procedure(user=staff, topic=topic, procedure="four_two")
    topic.refresh_from_db()
    for code in ("branch_proposes", "committees_discuss"):
        topic.refresh_from_db()
        stage = topic.procedure.stages.get(code=code)
        if code == "committees_discuss":
            m = Meeting.objects.create(
                kind=MeetingKind.objects.get(code="committees"),
                place=topic.place,
                title="两委会",
                starts_at=timezone.now() - timedelta(days=1),
                venue="社区",
                status="held",
            )
            AgendaItem.objects.create(meeting=m, topic=topic)
        services_topics.complete_stage(user=staff, topic=topic, stage_id=stage.pk, note="提议")
    client.force_login(staff)
    page = client.get(reverse("deliberation:desk_topic", args=[topic.pk])).content.decode()
    link = re.search(r'href="([^"]+)" data-testid="draft-ballot"', page).group(1)
    form = client.get(link.replace("&amp;", "&")).content.decode()
    assert f'<option value="{topic.pk}" selected' in form
    assert '<option value="party_members" selected' in form
    assert '<option value="custom" selected' in form
    assert re.search(r'name="approval_of_electorate"[^>]*checked', form)
    response = client.post(
        reverse("deliberation:ballot_new"),
        {
            "title": "是否同意建设长者食堂",
            "place": topic.place_id,
            "topic": topic.pk,
            "electorate": "party_members",
            "rule": "custom",
            "closes_at": (timezone.localtime() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"),
            "approving": 1,
            "changeable": "on",
            "participation_numerator": 2,
            "participation_denominator": 3,
            "approval_numerator": 1,
            "approval_denominator": 2,
            "approval_strict": "on",
            "approval_of_electorate": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    ballot = Ballot.objects.get(topic=topic)
    assert (ballot.participation_numerator, ballot.approval_of_electorate) == (2, True)
