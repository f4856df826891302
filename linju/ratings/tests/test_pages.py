"""The contest and round pages for every role: home (contests where I live, rounds I score, the
desk link), the desk (contests, rounds by status, a new contest), the contest page (settings,
the panel by mobile number, opening a round, leaderboard and flag history), the round page
(progress with late panellists, the managers' actions, corrections with a reason, the ranking
with its flags), the panellist's one-target screen (errors next to the item, nothing half
saved, save and next) and a unit's history; residents of C2 and anonymous visitors kept out."""

import io
import re
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from linju.ratings.models import Contest, Correction, Panellist, Round, RoundStatus, Sheet
from linju.ratings.services_rounds import (
    close_scoring,
    open_round,
    publish_round,
    start_scoring,
)

from .conftest import score

pytestmark = pytest.mark.django_db


def body(response) -> str:
    return response.content.decode()


def field_errors(html) -> set[str]:
    return set(re.findall(r'class="error" data-field="([^"]+)"', html))


def as_user(client, user):
    client.force_login(user)
    return client


def photo():
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(out, "JPEG")
    return SimpleUploadedFile("evidence.jpg", out.getvalue(), content_type="image/jpeg")


def url(name, *args):
    return reverse(f"ratings:{name}", args=args)


def scoring_round(contested):
    round_ = open_round(user=contested.manager, contest=contested.contest, period="2026-10")
    start_scoring(user=contested.manager, round_=round_)
    return round_


def published_round(contested):
    round_ = scoring_round(contested)
    for target in round_.targets.all():
        for judge in contested.panel:
            score(round_, judge, target)
    first = round_.targets.order_by("position").first()
    for judge in contested.panel:
        score(round_, judge, first, university={"points": "5", "photo": photo()})
    close_scoring(user=contested.manager, round_=round_)
    publish_round(user=contested.manager, round_=round_)
    return round_, first


def sheet_post(round_, **changes):
    """Every item of the round's rubric as the score form posts it, at its defaults."""
    from linju.ratings.scoring import default_points

    data = {"then": "next", "note": ""}
    for item in round_.rubric.items.all():
        if item.kind != "veto":
            data[f"{item.code}__points"] = f"{default_points(item).normalize():f}"
        data[f"{item.code}__note"] = ""
    data.update(changes)
    return data


# --- Who gets in ----------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_log_in(client, contested):
    round_ = scoring_round(contested)
    for name, args in [
        ("home", ()),
        ("desk", ()),
        ("contest", (contested.contest.pk,)),
        ("place", (contested.units[0].pk,)),
        ("round", (round_.pk,)),
        ("score", (round_.pk,)),
    ]:
        response = client.get(url(name, *args))
        assert response.status_code == 302, name
        assert "/accounts/login/" in response["Location"], name


def test_residents_of_another_community_see_nothing_of_e1(client, contested):
    round_, first = published_round(contested)
    as_user(client, contested.city.users["owner_2"])
    assert client.get(url("home")).status_code == 200
    assert contested.contest.name not in body(client.get(url("home")))
    assert client.get(url("desk")).status_code == 403
    assert client.get(url("contest", contested.contest.pk)).status_code == 404
    assert client.get(url("round", round_.pk)).status_code == 404
    assert client.get(url("score", round_.pk)).status_code == 404
    assert client.get(url("place", first.place_id)).status_code == 404
    # Staff of C2 neither.
    as_user(client, contested.city.users["community_staff_2"])
    assert client.get(url("contest", contested.contest.pk)).status_code == 404
    assert client.get(url("round", round_.pk)).status_code == 404


def test_a_resident_of_e1_sees_the_published_ranking_with_its_flags(client, contested):
    round_, first = published_round(contested)
    as_user(client, contested.city.users["tenant"])
    home = body(client.get(url("home")))
    assert contested.contest.name in home
    assert "🚩" in home and first.label in home
    assert 'data-testid="desk-link"' not in home
    page = client.get(url("round", round_.pk))
    assert page.status_code == 200
    html = body(page)
    assert 'data-testid="ranking"' in html and 'data-testid="flag"' in html
    assert 'data-testid="progress"' not in html  # the panel's work is staff's business
    assert 'data-action="lock"' not in html
    assert client.post(url("round", round_.pk), {"action": "lock"}).status_code == 403
    contest_page = body(client.get(url("contest", contested.contest.pk)))
    assert 'data-testid="flag-holder"' in contest_page
    assert 'data-testid="panel-form"' not in contest_page
    assert (
        client.post(url("contest", contested.contest.pk), {"action": "settings"}).status_code == 403
    )
    history = body(client.get(url("place", first.place_id)))
    assert "2026-10" in history and "🚩" in history
    assert client.get(url("desk")).status_code == 403


def test_a_round_being_scored_is_hidden_from_residents(client, contested):
    round_ = scoring_round(contested)
    as_user(client, contested.city.users["tenant"])
    assert client.get(url("round", round_.pk)).status_code == 404


# --- The desk and the contest page ----------------------------------------------------------------


def test_the_desk_creates_a_contest_and_names_the_wrong_field(client, contested):
    city = contested.city
    as_user(client, contested.manager)
    page = body(client.get(url("desk")))
    assert contested.contest.name in page and 'data-testid="contest-form"' in page
    before = Contest.objects.count()
    response = client.post(
        url("desk"),
        {"purpose": "contest", "name": "", "place": city.places["U1"].pk, "rubric": ""},
    )
    assert response.status_code == 200
    assert {"name", "rubric"} <= field_errors(body(response))
    response = client.post(
        url("desk"),
        {
            "purpose": "contest",
            "name": "B栋评比",
            "place": city.places["U1"].pk,  # a unit is not a contest's scope
            "target_kind": "unit",
            "rubric": contested.rubric.pk,
        },
    )
    assert "place" in field_errors(body(response))
    assert Contest.objects.count() == before
    response = client.post(
        url("desk"),
        {
            "purpose": "contest",
            "name": "C1社区评比",
            "place": city.places["C1"].pk,
            "target_kind": "building",
            "rubric": contested.rubric.pk,
        },
    )
    # The rubric was adopted for E1: the community above it cannot use it.
    assert "rubric" in field_errors(body(response))
    response = client.post(
        url("desk"),
        {
            "purpose": "contest",
            "name": "E1楼栋评比",
            "place": city.places["E1"].pk,
            "target_kind": "building",
            "rubric": contested.rubric.pk,
        },
    )
    created = Contest.objects.get(name="E1楼栋评比")
    assert response["Location"] == url("contest", created.pk)
    # A property manager follows but does not create.
    as_user(client, city.users["property_manager"])
    page = body(client.get(url("desk")))
    assert "E1楼栋评比" in page and 'data-testid="contest-form"' not in page
    assert client.post(url("desk"), {"name": "x"}).status_code == 403


def test_the_panel_is_named_by_mobile_and_errors_stay_on_the_form(client, contested):
    city = contested.city
    contest = contested.contest
    as_user(client, contested.manager)
    page = url("contest", contest.pk)
    response = client.post(
        page, {"action": "panel_add", "panel-mobile": "123", "panel-party": "residents"}
    )
    assert "mobile" in field_errors(body(response))
    response = client.post(
        page, {"action": "panel_add", "panel-mobile": "13999999999", "panel-party": "residents"}
    )
    assert "mobile" in field_errors(body(response))
    # Invalid: a C2 owner does not sit for E1's residents.
    response = client.post(
        page,
        {
            "action": "panel_add",
            "panel-mobile": city.users["owner_2"].mobile,
            "panel-party": "residents",
        },
    )
    assert "mobile" in field_errors(body(response))
    # Conflict: already on the panel.
    response = client.post(
        page,
        {
            "action": "panel_add",
            "panel-mobile": city.users["owner"].mobile,
            "panel-party": "residents",
        },
    )
    assert response.status_code == 200 and "mobile" in field_errors(body(response))
    count = Panellist.objects.filter(contest=contest, until=None).count()
    response = client.post(
        page,
        {
            "action": "panel_add",
            "panel-mobile": city.users["tenant"].mobile,
            "panel-party": "residents",
        },
    )
    assert response.status_code == 302
    assert Panellist.objects.filter(contest=contest, until=None).count() == count + 1
    seat = Panellist.objects.get(contest=contest, user=city.users["tenant"])
    client.post(page, {"action": "panel_end", "panellist": seat.pk})
    seat.refresh_from_db()
    assert seat.until is not None


def test_settings_are_saved_or_named_when_wrong(client, contested):
    contest = contested.contest
    as_user(client, contested.manager)
    page = url("contest", contest.pk)
    data = {
        f"settings-{k}": v
        for k, v in {
            "name": contest.name,
            "aggregation": "trimmed",
            "trim": "1",
            "flags": "3",
            "scoring_days": "40",
            "award_places": "3",
            "award_percent": "10",
            "head_percent": "10",
            "head_bonus_percent": "10",
            "fee_fen_per_sqm_month": "120",
            "active": "on",
        }.items()
    }
    data["action"] = "settings"
    response = client.post(page, data)
    assert "scoring_days" in field_errors(body(response))
    contest.refresh_from_db()
    assert contest.aggregation == "mean"  # nothing half saved
    data["settings-scoring_days"] = "10"
    assert client.post(page, data).status_code == 302
    contest.refresh_from_db()
    assert (contest.aggregation, contest.scoring_days, contest.fee_fen_per_sqm_month) == (
        "trimmed",
        10,
        120,
    )


def test_opening_a_round_from_the_contest_page(english, contested):
    client = english
    contest = contested.contest
    as_user(client, contested.manager)
    page = url("contest", contest.pk)
    response = client.post(page, {"action": "open_round", "round-period": "October"})
    assert "period" in field_errors(body(response))
    response = client.post(page, {"action": "open_round", "round-period": "2026-10"})
    round_ = Round.objects.get(contest=contest)
    assert response["Location"] == url("round", round_.pk)
    response = client.post(page, {"action": "open_round", "round-period": "2026-10"})
    assert response.status_code == 200 and "This period has a round already." in body(response)
    assert Round.objects.filter(contest=contest).count() == 1


# --- The round page -------------------------------------------------------------------------------


def test_staff_follow_the_panel_and_see_who_is_late(client, contested):
    round_ = scoring_round(contested)
    score(round_, contested.panel[1], round_.targets.first())
    as_user(client, contested.city.users["property_manager"])
    html = body(client.get(url("round", round_.pk)))
    assert 'data-testid="progress"' in html and "1 / 12" in html
    assert 'data-testid="late"' not in html
    assert 'data-action="close"' not in html  # follows, does not manage
    # The month is over and the days to score have passed.
    Round.objects.filter(pk=round_.pk).update(due_on=date.today() - timedelta(days=2))
    html = body(client.get(url("round", round_.pk)))
    assert html.count('data-testid="late"') == 4
    assert "v1" in html or f"v{round_.rubric.version}" in html


def test_managers_close_correct_with_a_reason_publish_reopen_and_lock(english, contested):
    client = english
    round_ = scoring_round(contested)
    targets = list(round_.targets.order_by("position"))
    for target in targets:
        for judge in contested.panel:
            score(round_, judge, target)
    as_user(client, contested.manager)
    page = url("round", round_.pk)
    assert 'data-action="close"' in body(client.get(page))
    client.post(page, {"action": "close"})
    round_.refresh_from_db()
    assert round_.status == RoundStatus.REVIEW
    html = body(client.get(page, {"target": targets[1].pk}))
    assert 'data-testid="ranking"' in html and 'id="sheets"' in html
    entry = Sheet.objects.get(target=targets[1], panellist=contested.panel[0]).entries.get(
        item__code="hygiene"
    )
    response = client.post(
        page, {"action": "correct", "entry": entry.pk, "points": "18", "reason": ""}
    )
    assert "reason" in field_errors(body(response))
    response = client.post(
        page, {"action": "correct", "entry": entry.pk, "points": "21", "reason": "核实"}
    )
    assert "points" in field_errors(body(response))
    assert not Correction.objects.exists()
    response = client.post(
        page, {"action": "correct", "entry": entry.pk, "points": "10", "reason": "楼道堆放纸箱"}
    )
    assert response.status_code == 302
    assert Correction.objects.get().reason == "楼道堆放纸箱"
    targets[1].refresh_from_db()
    assert targets[1].rank == 12
    client.post(page, {"action": "publish"})
    round_.refresh_from_db()
    assert round_.status == RoundStatus.PUBLISHED
    response = client.post(page, {"action": "reopen", "reopen-reason": ""})
    assert "reason" in field_errors(body(response))
    round_.refresh_from_db()
    assert round_.status == RoundStatus.PUBLISHED
    client.post(page, {"action": "reopen", "reopen-reason": "居民异议"})
    round_.refresh_from_db()
    assert round_.status == RoundStatus.REVIEW
    client.post(page, {"action": "publish"})
    client.post(page, {"action": "lock"})
    round_.refresh_from_db()
    assert round_.status == RoundStatus.LOCKED
    # A wrong step is a message, not an error page.
    response = client.post(page, {"action": "close"}, follow=True)
    assert response.status_code == 200 and "This round is" in body(response)


# --- The panellist's screen -----------------------------------------------------------------------


def test_a_panellist_scores_one_target_per_screen(client, contested):
    round_ = scoring_round(contested)
    judge = contested.city.users["owner"]  # the residents' representative
    as_user(client, judge)
    home = body(client.get(url("home")))
    assert f'data-testid="score-{round_.pk}"' in home and "0 / 12" in home
    page = client.get(url("score", round_.pk))
    html = body(page)
    first = round_.targets.order_by("position").first()
    assert first.label in html and "0 / 12" in html
    assert 'step="0.5"' in html and 'accept="image/*"' in html
    assert "hygiene__exempt" in html and "civility__exempt" not in html
    assert "flying_wire__vetoed" in html and "flying_wire__points" not in html
    assert "轮椅" in html  # the exemption is shown
    # A deduction without its photo, half a point off: named next to the item, nothing saved.
    response = client.post(url("score", round_.pk), sheet_post(round_, hygiene__points="18"))
    assert "hygiene__photo" in field_errors(body(response))
    response = client.post(url("score", round_.pk), sheet_post(round_, hygiene__points="18.3"))
    assert "hygiene__points" in field_errors(body(response))
    assert not Sheet.objects.filter(round=round_).exists()
    data = sheet_post(round_, hygiene__points="18", hygiene__note="楼道堆放杂物")
    data["hygiene__photo"] = photo()
    response = client.post(url("score", round_.pk), data)
    assert response["Location"] == url("score", round_.pk)
    sheet = Sheet.objects.get(round=round_, panellist=judge)
    assert sheet.target == first and str(sheet.total) == "98.0"
    assert sheet.entries.get(item__code="hygiene").photo
    html = body(client.get(url("score", round_.pk)))
    assert "1 / 12" in html and first.label not in re.findall(
        r'data-testid="score-target">([^<]+)<', html
    )
    # Back to the first target: its marks are shown, the photo kept when saved again.
    html = body(client.get(url("score_target", round_.pk, first.pk)))
    assert 'value="18"' in html and "楼道堆放杂物" in html
    response = client.post(
        url("score_target", round_.pk, first.pk),
        sheet_post(round_, hygiene__points="19", then="stay"),
    )
    assert response["Location"] == url("score_target", round_.pk, first.pk)
    sheet.refresh_from_db()
    assert str(sheet.total) == "99.0" and sheet.entries.get(item__code="hygiene").photo


def test_only_the_panel_scores_and_only_while_scoring(client, contested):
    round_ = open_round(user=contested.manager, contest=contested.contest, period="2026-10")
    as_user(client, contested.city.users["owner"])
    assert 'data-testid="score-closed"' in body(client.get(url("score", round_.pk)))
    as_user(client, contested.city.users["subdistrict_admin"])  # staff above E1, not on the panel
    assert client.get(url("score", round_.pk)).status_code == 403


def test_the_desk_panel_counts_rounds(client, contested):
    scoring_round(contested)
    as_user(client, contested.manager)
    html = body(client.get(reverse("core:staff_home")))
    assert 'data-testid="ratings-scoring">1<' in html
    assert 'data-testid="ratings-to-score">12<' in html


def test_evidence_photos_are_private_to_the_panellist_and_staff(client, contested):
    round_, first = published_round(contested)
    entry = first.scoresheets.get(panellist=contested.panel[1]).entries.get(item__code="university")
    link = url("evidence", round_.pk, entry.pk)
    page = body(
        as_user(client, contested.manager).get(url("round", round_.pk) + f"?target={first.pk}")
    )
    assert link in page  # the sheet links the private route, not the media file
    for user, status in [
        (contested.panel[1], 200),  # who took it
        (contested.manager, 200),  # staff of the scope
        (contested.city.users["tenant"], 404),  # a resident who sees the ranking
        (contested.city.users["community_staff_2"], 404),
    ]:
        response = as_user(client, user).get(link)
        assert response.status_code == status, user
        if status == 200:
            assert response["Content-Type"] == "image/jpeg"
            assert response["Cache-Control"] == "private, no-store"


def test_a_units_page_and_its_api_follow_one_rule(client, contested):
    published_round(contested)
    u2 = contested.units[1]
    for key, status in [("tenant", 200), ("property_manager", 200), ("owner_2", 404)]:
        user = contested.city.users[key]
        page = as_user(client, user).get(url("place", u2.pk))
        api = client.get(f"/api/v1/ratings/places/{u2.pk}/history")
        assert (page.status_code, api.status_code) == (status, status), key
    assert as_user(client, contested.manager).get(url("place", 10**9)).status_code == 404


def test_a_nameless_panellist_is_shown_by_a_masked_number(client, contested):
    owner = contested.city.users["owner"]
    owner.name = ""
    owner.save()
    round_ = scoring_round(contested)
    viewer = contested.city.users["property_manager"]  # follows the round, no personal data
    for link in (url("round", round_.pk), url("contest", contested.contest.pk)):
        page = body(as_user(client, viewer).get(link))
        assert owner.mobile not in page
        assert f"{owner.mobile[:3]}****{owner.mobile[-4:]}" in page
