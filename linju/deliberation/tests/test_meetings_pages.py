"""Meeting pages: the resident's meetings, the meeting page with its answer, the page the door's
QR code opens; the staff list, a new meeting, the meeting desk (agenda, invitations, notice,
the door's code, the live quorum, the sign-in sheet, minutes with decisions, cancelling), the
A4 notice and sign-in sheet, and the meeting kinds — each for every role of the city inside and
outside its scope, with form errors naming their field and list pages whose query count does
not grow with their rows."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from linju.core.testing import linked_styles
from linju.deliberation import services_meetings as services
from linju.deliberation.models import (
    AgendaItem,
    Decision,
    Invitee,
    Meeting,
    MeetingKind,
    MeetingStatus,
)

from .test_meetings_services import T0, clock, invite, make_meeting, make_topic, noticed

__all__ = ["clock"]

pytestmark = pytest.mark.django_db
A4 = "@page { size: A4; margin: 15mm }"


def login(client, city, key):
    client.force_login(city.users[key])
    return client


def page(client, url, status=200) -> str:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response.content.decode()


def field_errors(html) -> set[str]:
    return set(re.findall(r'class="error" data-field="([^"]+)"', html))


def queries_of(client, url) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx)


def url(name, *args):
    return reverse(f"deliberation:{name}", args=args)


def act(client, meeting, action, **data):
    fields = {"action": action}
    fields.update({f"{action}-{k}" if k != "raw" else k: v for k, v in data.items()})
    return client.post(url("desk_meeting", meeting.pk), fields)


# --- URLs -----------------------------------------------------------------------------------------


def test_url_names_and_paths():
    assert url("my_meetings") == "/deliberation/meetings/"
    assert url("meeting", 7) == "/deliberation/meetings/7/"
    assert url("checkin", 7, "abc") == "/deliberation/meetings/7/checkin/abc/"
    assert url("desk_meetings") == "/deliberation/desk/meetings/"
    assert url("meeting_new") == "/deliberation/desk/meetings/new/"
    assert url("desk_meeting", 7) == "/deliberation/desk/meetings/7/"
    assert url("meeting_notice_print", 7) == "/deliberation/desk/meetings/7/notice/"
    assert url("meeting_signin_print", 7) == "/deliberation/desk/meetings/7/sign-in/"
    assert url("meeting_kinds") == "/deliberation/desk/meeting-kinds/"


def test_pages_need_a_login(client, db):
    for target in (url("my_meetings"), url("meeting", 1), url("checkin", 1, "x")):
        response = client.get(target)
        assert response.status_code == 302 and "login" in response["Location"]


# --- Access of every role ------------------------------------------------------------------------

# A noticed meeting of building B1 (in C1): (desk pages, resident page, host actions).
ROLES = {
    "unit_head": (404, 404, False),  # U1 lies inside B1, its scope does not cover B1
    "building_head": (200, 200, True),
    "floor_head": (200, 200, False),
    "grid_worker": (200, 200, True),
    "community_staff": (200, 200, True),
    "property_manager": (200, 200, False),
    "owners_committee": (200, 200, True),
    "partner": (404, 404, False),
    "subdistrict_admin": (200, 200, True),
    "owner": (404, 200, False),  # lives in B1, invited
    "tenant": (404, 200, False),  # lives in B1
    "party_liaison": (404, 200, False),  # serves H102 in B1
    "newcomer": (404, 404, False),
    "unit_head_2": (404, 404, False),
    "building_head_2": (404, 404, False),
    "floor_head_2": (404, 404, False),
    "grid_worker_2": (404, 404, False),
    "community_staff_2": (404, 404, False),
    "property_manager_2": (404, 404, False),
    "owners_committee_2": (404, 404, False),
    "partner_2": (404, 404, False),
    "owner_2": (404, 404, False),
    "party_liaison_2": (404, 404, False),
}


# Who reaches the staff list at all: every staff role but partners (deliberation.view).
DESK_USERS = {
    f"{role}{twin}"
    for role in (
        "unit_head",
        "building_head",
        "floor_head",
        "grid_worker",
        "community_staff",
        "property_manager",
        "owners_committee",
        "subdistrict_admin",
    )
    for twin in ("", "_2")
}


def test_every_role_is_listed(city):
    assert set(ROLES) == set(city.users)


@pytest.mark.parametrize("key", sorted(ROLES))
def test_access_of_every_role_inside_and_outside_the_scope(client, city, clock, key):
    meeting = noticed(city, "owner")
    desk, resident, host = ROLES[key]
    login(client, city, key)
    for name in ("desk_meeting", "meeting_notice_print", "meeting_signin_print", "meeting_quorum"):
        page(client, url(name, meeting.pk), desk)
    page(client, url("meeting", meeting.pk), resident)
    door = client.get(url("meeting_door", meeting.pk))
    assert door.status_code == (200 if host else 403 if desk == 200 else 404)
    page(client, url("desk_meetings"), 200 if key in DESK_USERS else 403)
    if desk == 200:
        html = page(client, url("desk_meeting", meeting.pk))
        assert ('data-action="cancel"' in html) is host
        assert ('data-testid="qr"' in html) is host
        response = act(client, meeting, "cancel", reason="试试")
        assert response.status_code == (302 if host else 403)
        expected = MeetingStatus.CANCELLED if host else MeetingStatus.NOTICED
        assert Meeting.objects.get(pk=meeting.pk).status == expected
    else:
        response = act(client, meeting, "cancel", reason="试试")
        assert response.status_code == 404
        assert Meeting.objects.get(pk=meeting.pk).status == MeetingStatus.NOTICED


def test_drafts_are_hidden_from_residents(client, city, clock):
    draft = make_meeting(city)
    invite(city, draft, "owner")
    page(login(client, city, "owner"), url("meeting", draft.pk), 404)
    assert f'data-meeting="{draft.pk}"' not in page(client, url("my_meetings"))


# --- Residents ------------------------------------------------------------------------------------


def test_my_meetings_lists_invitations_and_notices(client, city, clock):
    invited = noticed(city, "owner", title="我受邀的会", days=5)
    near = noticed(city, "tenant", place="E1", title="小区会议", days=4)
    elsewhere = noticed(city, "owner_2", host="community_staff_2", place="E2", title="外区会")
    html = page(login(client, city, "owner"), url("my_meetings"))
    mine = html.split('data-testid="my-meetings"')[1].split("</ul>")[0]
    board = html.split('data-testid="board-meetings"')[1].split("</ul>")[0]
    assert f'data-meeting="{invited.pk}"' in mine and "我受邀的会" in mine
    assert f'data-meeting="{near.pk}"' in board and f'data-meeting="{invited.pk}"' not in board
    assert f'data-meeting="{elsewhere.pk}"' not in html
    assert "C1 E1 B1" in mine


def test_my_meetings_queries_do_not_grow(client, city, clock):
    login(client, city, "owner")
    noticed(city, "owner")
    noticed(city, "tenant", place="E1")
    first = queries_of(client, url("my_meetings"))
    for place in ("U1", "E1", "C1"):
        noticed(city, "owner", place=place)
        noticed(city, "tenant", place=place)
    assert queries_of(client, url("my_meetings")) == first


def test_meeting_page_and_rsvp(client, city, clock):
    meeting = noticed(city, "owner")
    topic = make_topic(city, "B1", "楼道照明")
    services.add_topic(user=city.users["community_staff"], meeting=meeting, topic_id=topic.pk)
    login(client, city, "owner")
    html = page(client, url("meeting", meeting.pk))
    assert "楼道照明" in html and 'data-action="rsvp"' in html
    response = client.post(url("meeting", meeting.pk), {"answer": "maybe"})
    assert response.status_code == 302
    assert Invitee.objects.get(meeting=meeting, user=city.users["owner"]).rsvp == "maybe"
    response = client.post(url("meeting", meeting.pk), {"answer": "perhaps"})
    assert response.status_code == 200 and "answer" in field_errors(response.content.decode())
    # A neighbour sees the notice, without an answer to give.
    html = page(login(client, city, "tenant"), url("meeting", meeting.pk))
    assert 'data-action="rsvp"' not in html and 'data-testid="my-invitation"' not in html
    response = client.post(url("meeting", meeting.pk), {"answer": "yes"})
    assert response.status_code == 302
    assert not Invitee.objects.filter(user=city.users["tenant"]).exists()


def test_held_meeting_shows_minutes_and_decisions(client, city, clock):
    meeting = noticed(city, "owner", days=5)
    topic = make_topic(city, "B1", "加装电梯")
    services.add_topic(user=city.users["community_staff"], meeting=meeting, topic_id=topic.pk)
    clock.move_to(meeting.starts_at)
    services.record_minutes(
        user=city.users["community_staff"],
        meeting=meeting,
        minutes="到会居民讨论了加装电梯。",
        decisions=[{"topic_id": topic.pk, "text": "同意启动意见征集"}],
    )
    html = page(login(client, city, "owner"), url("meeting", meeting.pk))
    assert "到会居民讨论了加装电梯。" in html and "同意启动意见征集" in html


# --- Check-in ---------------------------------------------------------------------------------


def test_check_in_landing_page(client, city, clock):
    meeting = noticed(city, "owner", days=5)
    target = url("checkin", meeting.pk, meeting.checkin_token)
    login(client, city, "owner")
    clock.move_to(meeting.starts_at - timedelta(hours=3))
    html = page(client, target, 409)
    assert 'data-testid="checkin-problem"' in html and 'data-action="check-in"' not in html
    clock.move_to(meeting.starts_at - timedelta(minutes=30))
    login(client, city, "owner")
    html = page(client, target)
    assert 'data-action="check-in"' in html and meeting.title in html
    response = client.post(target)
    assert response.status_code == 302
    assert Invitee.objects.get(meeting=meeting, user=city.users["owner"]).checked_in_at
    html = page(client, target)
    assert 'data-testid="checked-in"' in html
    # A wrong or replaced code: 422, and nothing of the meeting for an outsider.
    html = page(login(client, city, "newcomer"), url("checkin", meeting.pk, "nope"), 422)
    assert meeting.title not in html and 'data-testid="checkin-problem"' in html
    # An uninvited resident of the scope walks in to an open meeting.
    login(client, city, "tenant")
    html = page(client, target)
    assert 'data-action="check-in"' in html
    assert client.post(target).status_code == 302
    assert Invitee.objects.get(meeting=meeting, user=city.users["tenant"]).via == "scope"
    # Someone who lives elsewhere cannot.
    login(client, city, "owner_2")
    assert client.post(target).status_code == 403
    assert not Invitee.objects.filter(user=city.users["owner_2"]).exists()


def test_owners_assembly_turns_away_the_uninvited(client, city, clock):
    MeetingKind.objects.filter(code="owners_assembly").update(notice_days=0)
    meeting = noticed(
        city,
        "unit_head",
        host="owners_committee",
        kind="owners_assembly",
        place="E1",
        days=0,
        starts_at=T0 + timedelta(hours=1),
    )
    login(client, city, "owner")
    html = page(client, url("checkin", meeting.pk, meeting.checkin_token), 403)
    assert 'data-testid="checkin-problem"' in html


# --- Staff: list and new meeting -----------------------------------------------------------------


def test_desk_list_and_its_queries(client, city, clock):
    login(client, city, "community_staff")
    noticed(city, "owner")
    make_meeting(city, host="community_staff_2", place="E2", title="外区会")
    first = queries_of(client, url("desk_meetings"))
    html = page(client, url("desk_meetings"))
    assert "B1 yishihui" in html and "外区会" not in html
    for place in ("B2", "U1", "E1", "C1"):
        invite(city, make_meeting(city, place=place), "owner", "tenant")
    assert queries_of(client, url("desk_meetings")) == first
    html = page(client, url("desk_meetings") + "?status=draft")
    assert html.count("data-meeting=") == 4
    html = page(client, url("desk_meetings") + "?status=bogus")
    assert "data-meeting=" not in html


def test_new_meeting_form(client, city, clock):
    login(client, city, "building_head")
    html = page(client, url("meeting_new"))
    assert f'value="{city.places["B1"].pk}"' in html
    assert f'value="{city.places["E1"].pk}"' not in html  # a building head hosts at B1 and below
    data = {
        "kind": "loudonghui",
        "place": city.places["B1"].pk,
        "title": "楼栋会",
        "starts_at": "2026-05-10T19:30",
        "venue": "一楼大厅",
    }
    response = client.post(url("meeting_new"), {**data, "starts_at": "2026-04-30T19:30"})
    assert response.status_code == 200
    assert "starts_at" in field_errors(response.content.decode())
    response = client.post(url("meeting_new"), {**data, "ends_at": "2026-05-10T19:00"})
    assert "ends_at" in field_errors(response.content.decode())
    response = client.post(url("meeting_new"), {**data, "place": city.places["E1"].pk})
    assert response.status_code == 403
    assert not Meeting.objects.exists()
    response = client.post(url("meeting_new"), data)
    meeting = Meeting.objects.get()
    assert response.status_code == 302 and response["Location"] == url("desk_meeting", meeting.pk)
    # 19:30 in Shanghai is 11:30 UTC.
    assert meeting.starts_at.hour == 11 and meeting.starts_at.minute == 30
    page(login(client, city, "owner"), url("meeting_new"), 403)
    page(login(client, city, "property_manager"), url("meeting_new"), 403)


def test_edit_form(client, city, clock):
    meeting = noticed(city, "owner", days=10)
    login(client, city, "community_staff")
    html = page(client, url("meeting_edit", meeting.pk))
    assert 'value="2026-05-11T09:00"' in html  # local time in the picker
    data = {"title": "改了", "starts_at": "2026-05-02T09:00", "venue": "活动室"}
    response = client.post(url("meeting_edit", meeting.pk), data)
    assert "starts_at" in field_errors(response.content.decode())  # 1 day: too little notice
    # The form posts the (unchanged) quorum too, as a browser does: a noticed meeting saves.
    quorum = {
        "quorum_numerator": meeting.quorum_numerator,
        "quorum_denominator": meeting.quorum_denominator,
    }
    response = client.post(
        url("meeting_edit", meeting.pk), {**data, **quorum, "starts_at": "2026-05-12T09:00"}
    )
    assert response.status_code == 302
    assert Meeting.objects.get(pk=meeting.pk).title == "改了"
    response = client.post(
        url("meeting_edit", meeting.pk),
        {**data, "starts_at": "2026-05-12T09:00", "quorum_numerator": 1, "quorum_denominator": 9},
    )
    assert "quorum_numerator" in field_errors(response.content.decode())
    page(login(client, city, "floor_head"), url("meeting_edit", meeting.pk), 403)


# --- Staff: the meeting desk ---------------------------------------------------------------------


def test_desk_runs_a_meeting_from_draft_to_minutes(client, city, clock):
    login(client, city, "community_staff")
    meeting = make_meeting(city, kind="rep_assembly", place="E1", days=6)
    topic = make_topic(city, "B1", "楼道照明")
    second = make_topic(city, "E1", "停车")
    make_topic(city, "E2", "别处的议题")
    html = page(client, url("desk_meeting", meeting.pk))
    assert "楼道照明" in html and "别处的议题" not in html  # only eligible topics are offered
    assert act(client, meeting, "agenda_add", topic_id=topic.pk).status_code == 302
    assert act(client, meeting, "agenda_add", topic_id=second.pk).status_code == 302
    assert act(client, meeting, "agenda_up", topic=second.pk).status_code == 302
    assert list(AgendaItem.objects.order_by("order").values_list("topic_id", flat=True)) == [
        second.pk,
        topic.pk,
    ]
    assert act(client, meeting, "invite_roles", roles=["building_head"]).status_code == 302
    response = act(client, meeting, "invite_list", mobiles="13999999999")
    assert "mobiles" in field_errors(response.content.decode())
    mobiles = f"{city.users['owner'].mobile}\n{city.users['tenant'].mobile}\n"
    assert act(client, meeting, "invite_list", mobiles=mobiles).status_code == 302
    assert Invitee.objects.filter(meeting=meeting).count() == 3
    # Six days: too late for the representatives' seven; the page says so and sends nothing.
    html = page(client, url("desk_meeting", meeting.pk))
    assert "7" in html.split('id="action-notice"')[1].split("</section>")[0]
    response = act(client, meeting, "notice")
    assert response.status_code == 200 and 'role="alert"' in response.content.decode()
    assert Meeting.objects.get(pk=meeting.pk).status == MeetingStatus.DRAFT
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=T0 + timedelta(days=7))
    assert act(client, meeting, "notice").status_code == 302
    assert Meeting.objects.get(pk=meeting.pk).status == MeetingStatus.NOTICED
    # At the meeting: ticks on the sign-in sheet and the live quorum.
    clock.move_to(T0 + timedelta(days=7))
    client = login(Client(), city, "community_staff")  # a new session: the old one idled out
    for key in ("owner", "tenant"):
        response = act(client, meeting, "tick", user=city.users[key].pk, present="1")
        assert response.status_code == 302 and "#invitees" in response["Location"]
    fragment = page(client, url("meeting_quorum", meeting.pk))
    assert 'hx-trigger="every 5s"' in fragment
    assert f'hx-get="{url("meeting_quorum", meeting.pk)}"' in fragment
    assert '<span data-testid="present">2</span> / 3' in fragment
    html = page(client, url("desk_meeting", meeting.pk))
    assert 'hx-trigger="every 5s"' in html and city.users["community_staff"].name in html
    response = act(client, meeting, "minutes", minutes="纪要", **{f"decision_{topic.pk}": "同意"})
    assert response.status_code == 302, field_errors(response.content.decode())
    assert Decision.objects.get().topic_id == topic.pk
    html = page(client, url("desk_meeting", meeting.pk))
    assert 'data-testid="decision"' in html and "hx-trigger" not in html  # polling stops


def test_desk_minutes_errors_name_the_field(client, city, clock):
    meeting = noticed(
        city, "owner", "tenant", "newcomer", kind="party_assembly", place="C1", days=8
    )
    topic = make_topic(city, "C1")
    services.add_topic(user=city.users["community_staff"], meeting=meeting, topic_id=topic.pk)
    clock.move_to(meeting.starts_at)
    login(client, city, "community_staff")
    response = act(client, meeting, "minutes", minutes="", **{f"decision_{topic.pk}": "x"})
    assert "minutes" in field_errors(response.content.decode())
    response = act(client, meeting, "minutes", minutes="纪要", **{f"decision_{topic.pk}": "同意"})
    assert response.status_code == 200  # no quorum: 0 of 3 present
    assert "errors" in response.content.decode()
    assert Meeting.objects.get(pk=meeting.pk).status == MeetingStatus.NOTICED


def test_door_screen_shows_the_qr_code(client, city, clock):
    meeting = noticed(city, "owner")
    html = page(login(client, city, "building_head"), url("meeting_door", meeting.pk))
    assert "<svg" in html and 'data-testid="qr"' in html
    assert f"http://testserver/deliberation/meetings/{meeting.pk}/checkin/" in html
    assert meeting.checkin_token in html and 'hx-trigger="every 5s"' in html
    old = meeting.checkin_token
    login(client, city, "community_staff")
    assert act(client, meeting, "rotate").status_code == 302
    html = page(client, url("meeting_door", meeting.pk))
    assert old not in html


# --- Print ---------------------------------------------------------------------------------------


def test_print_pages_are_a4(client, city, clock):
    meeting = noticed(city, "owner", "tenant")
    topic = make_topic(city, "B1", "楼道照明")
    services.add_topic(user=city.users["community_staff"], meeting=meeting, topic_id=topic.pk)
    login(client, city, "community_staff")
    notice = page(client, url("meeting_notice_print", meeting.pk))
    assert A4 in linked_styles(notice) and "楼道照明" in notice and "活动室" in notice
    assert "header.top" in linked_styles(notice) and "display: none" in linked_styles(notice)
    sheet = page(client, url("meeting_signin_print", meeting.pk))
    assert A4 in linked_styles(sheet) and 'class="sign"' in sheet
    assert sheet.count("<tr data-invitee=") == 2


def test_sign_in_sheet_masks_names_outside_the_personal_data_scope(client, city, clock):
    meeting = noticed(city, "owner")
    services.invite(user=city.users["community_staff"], meeting=meeting, roles=["building_head"])
    # The grid worker handles B1's households: the owner's name in full.
    sheet = page(login(client, city, "grid_worker"), url("meeting_signin_print", meeting.pk))
    assert "张owner明" in sheet and "E1 B1 U1 101" in sheet
    # The property manager sees the meeting, not the residents' personal data.
    sheet = page(login(client, city, "property_manager"), url("meeting_signin_print", meeting.pk))
    assert "张owner明" not in sheet and "张*****明" in sheet
    # Staff invited by role are named in their official capacity.
    assert city.users["building_head"].name in sheet


def test_sign_in_sheet_queries_do_not_grow(client, city, clock):
    meeting = noticed(city, "owner")
    login(client, city, "community_staff")
    first = queries_of(client, url("meeting_signin_print", meeting.pk))
    invite(city, meeting, "tenant", "party_liaison", "unit_head", "building_head", "newcomer")
    assert queries_of(client, url("meeting_signin_print", meeting.pk)) == first
    first = queries_of(client, url("desk_meeting", meeting.pk))
    invite(city, meeting, "grid_worker", "floor_head")
    assert queries_of(client, url("desk_meeting", meeting.pk)) == first


# --- Kinds ----------------------------------------------------------------------------------------


def test_kinds_pages(client, city):
    for key in ("community_staff", "owner", "unit_head"):
        page(login(client, city, key), url("meeting_kinds"), 403)
    login(client, city, "subdistrict_admin")
    html = page(client, url("meeting_kinds"))
    assert "owners_assembly" in html and html.count("data-kind=") == 9
    data = {
        "code": "xiaozu",
        "name": "楼组会",
        "notice_days": 2,
        "quorum_numerator": 0,
        "quorum_denominator": 1,
        "active": "on",
    }
    response = client.post(url("meeting_kinds"), {**data, "code": "yishihui"})
    assert "code" in field_errors(response.content.decode())
    response = client.post(
        url("meeting_kinds"), {**data, "quorum_numerator": 3, "quorum_denominator": 2}
    )
    assert "quorum_numerator" in field_errors(response.content.decode())
    assert client.post(url("meeting_kinds"), data).status_code == 302
    kind = MeetingKind.objects.get(code="xiaozu")
    html = page(client, url("meeting_kind_edit", kind.pk))
    assert 'value="楼组会"' in html
    response = client.post(url("meeting_kind_edit", kind.pk), {**data, "notice_days": 4})
    assert response.status_code == 302
    assert MeetingKind.objects.get(pk=kind.pk).notice_days == 4
    page(login(client, city, "community_staff"), url("meeting_kind_edit", kind.pk), 403)


def test_a_stage_convenes_its_meeting_with_the_topic_on_the_agenda(client, city, clock):
    """议事会议事's 通知召集 needs a noticed meeting: the topic's desk page opens the meeting form
    with the stage's kind, the topic's place and the topic on the agenda."""
    from linju.deliberation import services_topics

    staff = city.users["community_staff"]
    topic = make_topic(city, "B1", "楼道照明")
    services_topics.start_procedure(user=staff, topic=topic, procedure="meeting")
    topic.refresh_from_db()
    services_topics.complete_stage(user=staff, topic=topic, stage_id=topic.current_stage_id)
    login(client, city, "community_staff")
    desk = page(client, reverse("deliberation:desk_topic", args=[topic.pk]))
    link = re.search(r'href="([^"]+)" data-testid="convene-meeting"', desk).group(1)
    form = page(client, link.replace("&amp;", "&"))
    assert 'data-testid="agenda-topic"' in form and "楼道照明" in form
    assert '<option value="yishihui" selected' in form
    response = client.post(
        reverse("deliberation:meeting_new") + "?" + link.split("?")[1].replace("&amp;", "&"),
        {
            "topic": topic.pk,
            "kind": "yishihui",
            "place": city.places["B1"].pk,
            "title": "议事会：楼道照明",
            "starts_at": "2026-05-10T19:00",
            "venue": "活动室",
            "quorum_numerator": 0,
            "quorum_denominator": 1,
        },
    )
    assert response.status_code == 302
    meeting = Meeting.objects.get(title="议事会：楼道照明")
    assert list(meeting.agenda.values_list("topic_id", flat=True)) == [topic.pk]
