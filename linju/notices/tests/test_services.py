"""The notice board's services and reads: the privacy guard of good deeds and uncivil
behaviour, the disclosure period and its objections channel, withdrawing, results published by
other modules (deliberation's publishing included), read receipts and their coverage counted
by household, unread-first ordering and who sees what."""

import datetime

import pytest
from django.utils import timezone

from linju.core.errors import Conflict, Forbidden, Invalid, NotFound
from linju.core.models import AuditEvent, Notification
from linju.deliberation import publishing
from linju.deliberation.models import Publication
from linju.notices import queries, services
from linju.notices.models import Notice, NoticeKind, NoticeStatus, Receipt
from linju.people.models import Relation, Residency, ResidencyStatus

from .conftest import notice

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate
DAY = datetime.timedelta(days=1)


def errors(exc_info) -> dict:
    return exc_info.value.errors


# --- The privacy guard -----------------------------------------------------------------------


def test_uncivil_notice_naming_a_resident_is_refused_with_the_name_masked(city):
    name = city.users["owner"].name  # 张owner明 lives in H101, inside C1
    with pytest.raises(Invalid) as exc:
        notice(city, kind="uncivil", title="楼道堆物", body=f"{name}在楼道堆放杂物。")
    message = errors(exc)["body"][0]
    assert "张*****明" in message and name not in message
    assert not Notice.objects.filter(kind="uncivil").exists()  # nothing half-saved


def test_the_guard_runs_again_when_a_draft_is_published(city):
    draft = notice(
        city,
        kind="uncivil",
        title=f"{city.users['tenant'].name}乱扔垃圾",
        body="请注意。",
        publish=False,
    )
    with pytest.raises(Invalid) as exc:
        services.publish_notice(user=city.users["community_staff"], notice_id=draft.pk)
    assert "title" in errors(exc)
    draft.refresh_from_db()
    assert draft.status == NoticeStatus.DRAFT and draft.published_at is None


@pytest.mark.parametrize(
    "title,body,field",
    [
        ("联系 13912345678", "好人好事", "title"),
        ("好人好事", "身份证 11010519491231002X 的居民", "body"),
        ("好人好事", "手机13812345678", "body"),
    ],
)
def test_phone_and_identity_numbers_are_refused(city, title, body, field):
    with pytest.raises(Invalid) as exc:
        notice(city, kind="good_deed", title=title, body=body)
    assert list(errors(exc)) == [field]


def test_a_people_notice_needs_its_privacy_check(city):
    with pytest.raises(Invalid) as exc:
        notice(city, kind="good_deed", privacy="")
    assert "privacy" in errors(exc)
    with pytest.raises(Invalid) as exc:
        notice(city, kind="good_deed", privacy="consented", consent_note="  ")
    assert "consent_note" in errors(exc)


def test_consent_with_a_note_allows_names_and_numbers(city):
    name = city.users["owner"].name
    n = notice(
        city,
        kind="good_deed",
        title=f"{name}拾金不昧",
        body=f"{name}把捡到的钱包交还失主, 联系电话 13912345678。",
        privacy="consented",
        consent_note="本人 2026-11-02 签字同意",
    )
    assert n.status == NoticeStatus.PUBLISHED and n.consent_note == "本人 2026-11-02 签字同意"


def test_an_announcement_is_not_guarded_and_privacy_is_dropped_for_it(city):
    n = notice(city, body=f"请{city.users['owner'].name}到社区领取快递。", privacy="nobody")
    assert n.is_published and n.privacy == ""


def test_correcting_a_published_good_deed_is_guarded_again(city):
    n = notice(city, kind="good_deed", title="好人好事", body="有人帮邻居修好了门锁。")
    with pytest.raises(Invalid) as exc:
        services.update_notice(
            user=city.users["community_staff"],
            notice_id=n.pk,
            kind="good_deed",
            title="好人好事",
            body=f"{city.users['tenant'].name}帮邻居修好了门锁。",
            privacy="nobody",
        )
    assert "body" in errors(exc)
    n.refresh_from_db()
    assert city.users["tenant"].name not in n.body


# --- Public notices (公示) and their objections ----------------------------------------------


def test_a_disclosure_needs_an_end_date_not_in_the_past(city):
    with pytest.raises(Invalid) as exc:
        notice(city, kind="disclosure", disclosure_ends_on=None)
    assert "disclosure_ends_on" in errors(exc)
    with pytest.raises(Invalid) as exc:
        notice(city, kind="disclosure", disclosure_ends_on="2026-13-40")
    assert "disclosure_ends_on" in errors(exc)
    with pytest.raises(Invalid) as exc:
        notice(city, kind="disclosure", disclosure_ends_on=TODAY() - DAY)
    assert "disclosure_ends_on" in errors(exc)
    assert not Notice.objects.exists()
    draft = notice(city, kind="disclosure", disclosure_ends_on=TODAY() - DAY, publish=False)
    with pytest.raises(Invalid) as exc:
        services.publish_notice(user=city.users["community_staff"], notice_id=draft.pk)
    assert "disclosure_ends_on" in errors(exc)
    today = notice(city, kind="disclosure", disclosure_ends_on=TODAY())
    assert today.is_published and today.objections_open()


def test_objections_from_residents_of_the_scope_while_the_period_runs(
    city, disclosure, django_capture_on_commit_callbacks
):
    u = city.users
    with django_capture_on_commit_callbacks(execute=True):
        objection = services.raise_objection(
            user=u["owner"], notice_id=disclosure.pk, text="预算偏高"
        )
    assert objection.text == "预算偏高"
    told = Notification.objects.get(recipient=u["community_staff"], kind="notices.notice")
    assert "公示" in told.title and told.url.endswith(f"/{disclosure.pk}/")
    # Staff of the scope read it but do not live there.
    with pytest.raises(Forbidden):
        services.raise_objection(user=u["building_head"], notice_id=disclosure.pk, text="x")
    # Residents of the other community do not even see it.
    with pytest.raises(NotFound):
        services.raise_objection(user=u["owner_2"], notice_id=disclosure.pk, text="x")
    with pytest.raises(Invalid) as exc:
        services.raise_objection(user=u["tenant"], notice_id=disclosure.pk, text="  ")
    assert "text" in errors(exc)


def test_a_building_notice_takes_objections_from_that_building_only(city):
    d = notice(city, kind="disclosure", place="B1", title="B1 公示")
    u = city.users
    services.raise_objection(user=u["tenant"], notice_id=d.pk, text="有意见")
    with pytest.raises(NotFound):  # H201 lies in B2: the B1 board does not reach it
        services.raise_objection(user=u["party_liaison"], notice_id=d.pk, text="x")


def test_a_public_notice_past_its_period_can_still_be_corrected(city, disclosure):
    """A typo in a 公示 whose period has run is corrected without moving its recorded end;
    moving the end into the past is still refused."""
    ended = TODAY() - DAY
    Notice.objects.filter(pk=disclosure.pk).update(disclosure_ends_on=ended)
    staff = city.users["community_staff"]
    fixed = services.update_notice(
        user=staff,
        notice_id=disclosure.pk,
        kind="disclosure",
        title="公示: 车棚改造预算 (更正)",
        body=disclosure.body,
        disclosure_ends_on=ended,
    )
    assert fixed.title.endswith("(更正)") and fixed.disclosure_ends_on == ended
    with pytest.raises(Invalid) as exc:
        services.update_notice(
            user=staff,
            notice_id=disclosure.pk,
            kind="disclosure",
            title=fixed.title,
            body=fixed.body,
            disclosure_ends_on=ended - DAY,
        )
    assert "disclosure_ends_on" in errors(exc)


def test_a_revised_result_is_unread_again(city):
    staff, owner, c1 = city.users["community_staff"], city.users["owner"], city.places["C1"]
    kw = {"user": staff, "place": c1, "source": "x.rating:1", "source_app": "ratings"}
    first = services.publish_result(title="排名", body="一单元第一", **kw)
    assert services.mark_read(user=owner, notice=first)
    services.publish_result(title="排名 (更正)", body="二单元第一", **kw)
    assert not Receipt.objects.filter(notice=first).exists()
    assert queries.board(owner, unread_only=True).filter(pk=first.pk).exists()


def test_no_objection_after_the_period_nor_on_other_kinds(city, disclosure, announcement):
    u = city.users
    Notice.objects.filter(pk=disclosure.pk).update(disclosure_ends_on=TODAY() - DAY)
    with pytest.raises(Conflict) as exc:
        services.raise_objection(user=u["owner"], notice_id=disclosure.pk, text="晚了")
    assert exc.value.code == "closed"
    with pytest.raises(Conflict) as exc:
        services.raise_objection(user=u["owner"], notice_id=announcement.pk, text="x")
    assert exc.value.code == "not_disclosure"


def test_an_answer_notifies_the_objector(city, disclosure, django_capture_on_commit_callbacks):
    u = city.users
    objection = services.raise_objection(user=u["owner"], notice_id=disclosure.pk, text="预算偏高")
    with pytest.raises(Forbidden):  # a reader who does not publish there
        services.answer_objection(user=u["property_manager"], objection_id=objection.pk, answer="x")
    with pytest.raises(NotFound):
        services.answer_objection(
            user=u["community_staff_2"], objection_id=objection.pk, answer="x"
        )
    with django_capture_on_commit_callbacks(execute=True):
        services.answer_objection(
            user=u["community_staff"], objection_id=objection.pk, answer="已核实, 含材料费。"
        )
    objection.refresh_from_db()
    assert (
        objection.answer == "已核实, 含材料费。" and objection.answered_by == u["community_staff"]
    )
    told = Notification.objects.get(recipient=u["owner"], kind="notices.notice")
    assert "answered" in told.title or "答复" in told.title
    assert queries.objections(u["owner"], disclosure) == [objection]
    assert queries.objections(u["tenant"], disclosure) == []
    assert queries.objections(u["community_staff"], disclosure) == [objection]


# --- Publishing, pinning, withdrawing --------------------------------------------------------


def test_publishing_an_important_notice_tells_its_residents(
    city, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        n = notice(city, place="B1", important=True, title="电梯停运")
    told = set(
        Notification.objects.filter(kind="notices.notice").values_list("recipient", flat=True)
    )
    assert told == {city.users["owner"].pk, city.users["tenant"].pk}
    with pytest.raises(Conflict) as exc:
        services.publish_notice(user=city.users["community_staff"], notice_id=n.pk)
    assert exc.value.code == "not_draft"


def test_only_the_handlers_of_the_scope_publish(city):
    u = city.users
    with pytest.raises(Forbidden):
        notice(city, who="owner")
    with pytest.raises(Forbidden):
        notice(city, who="property_manager", place="E1")
    with pytest.raises(Forbidden):
        notice(city, who="building_head", place="C1")
    with pytest.raises(Invalid) as exc:
        services.create_notice(
            user=u["community_staff"],
            place_id=999999,
            kind="announcement",
            title="t",
            body="b",
        )
    assert "place" in errors(exc)
    assert notice(city, who="building_head", place="B1").is_published


def test_withdraw_takes_it_off_the_board_and_keeps_the_record(city, announcement):
    u = city.users
    services.set_pinned(user=u["community_staff"], notice_id=announcement.pk, pinned=True)
    assert queries.notice_for(u["owner"], announcement.pk) is not None
    with pytest.raises(Invalid) as exc:
        services.withdraw_notice(user=u["community_staff"], notice_id=announcement.pk, reason=" ")
    assert "reason" in errors(exc)
    with pytest.raises(Forbidden):
        services.withdraw_notice(user=u["owner"], notice_id=announcement.pk, reason="x")
    services.withdraw_notice(user=u["community_staff"], notice_id=announcement.pk, reason="发错了")
    announcement.refresh_from_db()
    assert announcement.status == NoticeStatus.WITHDRAWN and not announcement.pinned
    assert announcement.withdraw_reason == "发错了"
    assert queries.notice_for(u["owner"], announcement.pk) is None
    assert announcement not in queries.board(u["owner"])
    assert queries.notice_for(u["community_staff"], announcement.pk) is not None
    with pytest.raises(Conflict) as exc:
        services.withdraw_notice(user=u["community_staff"], notice_id=announcement.pk, reason="x")
    assert exc.value.code == "withdrawn"
    with pytest.raises(Conflict):
        services.update_notice(
            user=u["community_staff"],
            notice_id=announcement.pk,
            kind="announcement",
            title="t",
            body="b",
        )
    verbs = set(
        AuditEvent.objects.filter(object_id=str(announcement.pk)).values_list("verb", flat=True)
    )
    assert {"notices.create", "notices.publish", "notices.pin", "notices.withdraw"} <= verbs


# --- Results of other modules ----------------------------------------------------------------


def test_publish_result_is_once_per_source_and_revises(city):
    staff, c1 = city.users["community_staff"], city.places["C1"]
    first = services.publish_result(
        user=staff, place=c1, title="表决结果", body="通过", source="x.ballot:1", source_app="x"
    )
    again = services.publish_result(
        user=staff,
        place=c1,
        title="表决结果 (更正)",
        body="通过, 票数更正",
        source="x.ballot:1",
        source_app="x",
    )
    assert again.pk == first.pk and again.kind == NoticeKind.RESULT
    assert Notice.objects.filter(source="x.ballot:1").count() == 1
    again.refresh_from_db()
    assert again.title == "表决结果 (更正)" and again.body == "通过, 票数更正"
    events = AuditEvent.objects.filter(verb="notices.result", object_id=str(first.pk))
    assert [e.data["revised"] for e in events.order_by("pk")] == [False, True]
    with pytest.raises(Conflict) as exc:  # corrected in its own module, never by hand
        services.update_notice(
            user=staff, notice_id=first.pk, kind="announcement", title="t", body="b"
        )
    assert exc.value.code == "result"


def test_deliberation_publications_are_on_the_board_corrected_once(city):
    staff, owner = city.users["community_staff"], city.users["owner"]
    pub = publishing.publish(
        user=staff,
        kind=Publication.Kind.RATING,
        place=city.places["C1"],
        title="11月文明单元排名",
        body="第一名 U2",
    )
    on_board = list(queries.board(owner, kind="result"))
    assert [n.title for n in on_board] == ["11月文明单元排名"]
    assert (
        on_board[0].source_app == "ratings"
        and on_board[0].source == f"deliberation.publication:{pub.pk}"
    )
    # A ranking corrected after an objection is published again: the board shows it once,
    # with the corrected text.
    publishing.revise(
        user=staff, publication_id=pub.pk, title="11月文明单元排名 (更正)", body="第一名 U1"
    )
    on_board = list(queries.board(owner, kind="result"))
    assert [(n.title, n.body) for n in on_board] == [("11月文明单元排名 (更正)", "第一名 U1")]
    ballot = publishing.publish(
        user=staff,
        kind=Publication.Kind.BALLOT,
        place=city.places["E1"],
        title="加装电梯表决结果",
        body="通过",
    )
    result = Notice.objects.get(source=f"deliberation.publication:{ballot.pk}")
    assert result.source_app == "deliberation" and result.is_published
    assert queries.notice_for(city.users["owner_2"], result.pk) is None


# --- Read receipts, coverage, ordering and scope ---------------------------------------------


def test_a_receipt_is_written_once_and_only_for_published_notices(city, announcement):
    owner = city.users["owner"]
    assert services.mark_read(user=owner, notice=announcement) is True
    assert services.mark_read(user=owner, notice=announcement) is False
    assert Receipt.objects.filter(notice=announcement, user=owner).count() == 1
    draft = notice(city, publish=False)
    assert services.mark_read(user=owner, notice=draft) is False
    assert not Receipt.objects.filter(notice=draft).exists()


def test_coverage_counts_households_not_people(city):
    u, h = city.users, city.households
    important = notice(city, important=True, title="燃气安全检查")
    # A second person of H101: two readers of one household count once.
    Residency.objects.create(
        user=u["newcomer"],
        household=h["H101"],
        relation=Relation.FAMILY,
        status=ResidencyStatus.VERIFIED,
        source="roster",
    )
    for key in ("owner", "newcomer", "community_staff", "building_head"):
        services.mark_read(user=u[key], notice=important)
    rows = queries.coverage(important)
    by_name = {r["building"].name: (r["households"], r["read"], r["percent"]) for r in rows}
    assert by_name == {"B1": (2, 1, 50), "B2": (1, 0, 0)}
    assert [r["building"].name for r in rows] == ["B2", "B1"]  # least covered first
    assert queries.coverage_total(rows) == {"households": 3, "read": 1, "percent": 33}
    services.mark_read(user=u["party_liaison"], notice=important)
    assert queries.coverage_total(queries.coverage(important))["read"] == 2


def test_unread_first_then_pinned_then_newest(city):
    owner, staff = city.users["owner"], city.users["community_staff"]
    old = notice(city, title="旧通知")
    pinned = notice(city, title="置顶通知", pinned=True)
    new = notice(city, title="新通知")
    services.mark_read(user=owner, notice=pinned)
    assert list(queries.board(owner)) == [new, old, pinned]
    services.set_pinned(user=staff, notice_id=old.pk, pinned=True)
    assert list(queries.board(owner)) == [old, new, pinned]
    assert list(queries.board(owner, unread_only=True)) == [old, new]
    assert queries.unread_count(owner) == 2
    assert [n.is_read for n in queries.board(owner)] == [False, False, True]


def test_scope_visibility(city):
    u = city.users
    c1 = notice(city, title="C1 通知")
    b1 = notice(city, place="B1", title="B1 通知")
    draft = notice(city, title="草稿", publish=False)
    # A C2 resident never sees a C1 notice.
    assert list(queries.board(u["owner_2"])) == []
    assert queries.notice_for(u["owner_2"], c1.pk) is None
    assert queries.notice_for(u["community_staff_2"], c1.pk) is None
    # A community-wide notice reaches the building head (and the unit head below).
    assert c1 in queries.board(u["building_head"])
    assert c1 in queries.board(u["unit_head"])
    # The B1 board reaches B1's residents and staff, not B2's resident nor the estate above.
    assert set(queries.board(u["tenant"])) == {c1, b1}
    assert list(queries.board(u["party_liaison"])) == [c1]
    assert b1 in queries.board(u["unit_head"]) and b1 in queries.board(u["subdistrict_admin"])
    assert b1 in queries.board(u["property_manager"])  # E1 holds B1
    # A draft is its publishers' only.
    assert draft not in queries.board(u["community_staff"])
    assert queries.notice_for(u["owner"], draft.pk) is None
    assert queries.notice_for(u["building_head"], draft.pk) is None
    assert queries.notice_for(u["community_staff"], draft.pk) == draft
    assert draft in queries.managed(u["community_staff"])
    assert b1 in queries.managed(u["building_head"]) and c1 not in queries.managed(
        u["building_head"]
    )
    assert list(queries.board(u["newcomer"])) == []
