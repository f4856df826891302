"""Household roster import: parsing, validation, idempotent upsert, access, page, API, command."""

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import Workbook

from linju.core import access
from linju.core.errors import Forbidden
from linju.core.models import AuditEvent
from linju.people.models import Residency, User
from linju.people.roster import RosterInvalid, import_roster
from linju.places.models import Household, Place, path_segment

EN = ["estate", "building", "unit", "room", "floor", "area", "owner name", "mobile"]
ZH = ["小区", "楼栋", "单元", "房号", "楼层", "建筑面积（㎡）", "业主姓名", "手机号"]
ROWS = [
    ["阳光花园", "1栋", "1单元", "101", "1", "88.5", "王小明", "13900000001"],
    ["阳光花园", "1栋", "1单元", "102", "1", "92.25", "李红", "13900000002"],
    ["阳光花园", "1栋", "2单元", "201", "2", "120", "王小明", "13900000001"],
    ["翠湖苑", "3号楼", "1单元", "1501", "15", "45.60", "", ""],
]


def csv_bytes(rows, header=EN, encoding="utf-8"):
    lines = [",".join(header), *(",".join(r) for r in rows)]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def xlsx_bytes(rows, header=ZH, title=None):
    book = Workbook()
    sheet = book.active
    if title:
        sheet.append([title])
    sheet.append(header)
    for r in rows:
        # Typed cells, as Excel stores them: numbers for room, floor, area and mobile.
        typed = list(r)
        for i in (3, 4, 7):
            typed[i] = int(r[i]) if r[i] else None
        typed[5] = float(r[5])
        sheet.append(typed)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def run(city, data, name="roster.csv", actor="community_staff", community="C1"):
    return import_roster(
        actor=city.users[actor] if actor else None,
        community_id=city.places[community].pk,
        file=io.BytesIO(data),
        filename=name,
    )


def snapshot():
    return (
        list(Place.objects.order_by("id").values_list()),
        list(Household.objects.order_by("id").values_list()),
        list(User.objects.order_by("id").values_list()),
        list(Residency.objects.order_by("id").values_list()),
    )


def test_csv_import_builds_tree_households_and_owners(city):
    result = run(city, csv_bytes(ROWS))
    assert result.as_dict() == {
        "rows": 4,
        "households_created": 4,
        "households_updated": 0,
        "households_unchanged": 0,
        "estates_created": 2,
        "buildings_created": 2,
        "units_created": 3,
        "residencies_created": 0,
    }
    c1 = city.places["C1"]
    estate = Place.objects.get(parent=c1, name="阳光花园")
    assert (estate.kind, estate.code, estate.path) == (
        "estate",
        "阳光花园",
        c1.path + path_segment(estate.pk),
    )
    unit = Place.objects.get(parent__parent=estate, name="2单元")
    assert unit.kind == "unit" and unit.path == unit.parent.path + path_segment(unit.pk)
    hh = Household.objects.get(unit__parent__name="3号楼", room="1501")
    assert (hh.floor, hh.area) == (15, Decimal("45.60"))
    assert hh.path == hh.unit.path + "h" + path_segment(hh.pk)
    codes = list(Household.objects.values_list("invite_code", flat=True))
    assert len(set(codes)) == len(codes) and all(len(c) == 8 for c in codes)
    # No account for anyone who has not signed up and consented (PIPL): the roster's owner
    # stays on the household until then.
    assert not User.objects.filter(mobile__in=["13900000001", "13900000002"]).exists()
    owned = Household.objects.filter(owner_mobile="13900000001", owner_name="王小明")
    assert sorted(owned.values_list("room", flat=True)) == ["101", "201"]
    assert (hh.owner_name, hh.owner_mobile) == ("", "")
    assert not hh.residencies.exists()
    event = AuditEvent.objects.get(verb="people.roster_import")
    assert event.actor == city.users["community_staff"] and event.object_id == str(c1.pk)
    assert event.data["households_created"] == 4 and event.data["file"] == "roster.csv"
    assert len(event.data["sha256"]) == 64


def test_existing_places_households_and_users_are_reused(city):
    owner = city.users["owner"]  # verified owner of H101 (E1 › B1 › U1 › 101)
    rows = [
        ["E1", "B1", "U1", "101", "1", "99.00", "改了名字", owner.mobile],
        ["E1", "B1", "U1", "102", "1", "88.50", "", ""],
    ]
    result = run(city, csv_bytes(rows))
    assert (result.households_created, result.households_updated) == (0, 1)
    assert result.households_unchanged == 1
    assert (result.estates_created, result.units_created) == (0, 0)
    assert result.residencies_created == 0  # already a live residency there
    city.households["H101"].refresh_from_db()
    assert city.households["H101"].area == Decimal("99.00")
    owner.refresh_from_db()
    assert owner.name == "张owner明"  # an existing user's name is not overwritten


def test_xlsx_with_chinese_headers_title_row_and_typed_cells(city):
    result = run(city, xlsx_bytes(ROWS, title="阳光社区户籍台账"), name="台账.xlsx")
    assert (result.rows, result.households_created, result.residencies_created) == (4, 4, 0)
    hh = Household.objects.get(room="102", unit__name="1单元", unit__parent__name="1栋")
    assert hh.area == Decimal("92.25")
    assert (hh.owner_name, hh.owner_mobile) == ("李红", "13900000002")


def test_gb18030_csv_and_chinese_headers(city):
    result = run(city, csv_bytes(ROWS, header=ZH, encoding="gb18030"))
    assert result.households_created == 4
    assert Place.objects.filter(name="翠湖苑", kind="estate").exists()


def test_reimport_changes_nothing(city):
    data = xlsx_bytes(ROWS)
    run(city, data, name="r.xlsx")
    before = snapshot()
    result = run(city, data, name="r.xlsx")
    assert result.as_dict() == {
        "rows": 4,
        "households_created": 0,
        "households_updated": 0,
        "households_unchanged": 4,
        "estates_created": 0,
        "buildings_created": 0,
        "units_created": 0,
        "residencies_created": 0,
    }
    assert snapshot() == before
    rows = [r[:] for r in ROWS]
    rows[1][5] = "93"
    assert run(city, csv_bytes(rows)).households_updated == 1


def test_bad_file_is_rejected_whole_with_every_row_and_column(city):
    rows = [
        ["阳光花园", "1栋", "1单元", "101", "1", "88.5", "王小明", "13900000001"],
        ["阳光花园", "1栋", "1单元", "102", "一楼", "88.5", "李红", "1390000"],
        ["阳光花园", "1栋", "1单元", "103", "1", "-3", "赵四", "13900000004"],
        ["阳光花园", "1栋", "1单元", "101", "1", "88.5", "", ""],
        ["", "1栋", "1单元", "104", "1", "88.123", "钱五", ""],
        ["阳光花园", "1栋", "1单元", "105", "1", "70", "王大明", "13900000001"],
    ]
    before = snapshot()
    with pytest.raises(RosterInvalid) as caught:
        run(city, csv_bytes(rows))
    found = {(p.row, p.field) for p in caught.value.problems}
    assert found == {
        (3, "floor"),
        (3, "mobile"),
        (4, "area"),
        (5, "room"),  # duplicate of row 2
        (6, "estate"),
        (6, "area"),
        (6, "mobile"),  # a name without a mobile
        (2, "mobile"),  # 13900000001 with two names
        (7, "mobile"),
    }
    assert "101" in caught.value.errors["rows.5.room"][0]
    assert snapshot() == before
    assert not AuditEvent.objects.filter(verb="people.roster_import").exists()


def test_missing_column_and_unreadable_files(city):
    with pytest.raises(RosterInvalid) as caught:
        run(city, csv_bytes([r[:7] for r in ROWS], header=EN[:7]))
    assert [(p.row, p.field) for p in caught.value.problems] == [(1, "mobile")]
    with pytest.raises(RosterInvalid) as caught:
        run(city, b"PK\x03\x04 not really a zip", name="x.xlsx")
    assert caught.value.problems[0].field == "file"
    with pytest.raises(RosterInvalid):
        run(city, b"")
    assert not Household.objects.filter(room="1501").exists()


def test_access(city):
    data = csv_bytes(ROWS)
    for actor in ("community_staff_2", "owner", "grid_worker", "unit_head"):
        with pytest.raises(Forbidden):
            run(city, data, actor=actor)
    assert not Place.objects.filter(name="阳光花园").exists()
    assert run(city, data, actor="subdistrict_admin").households_created == 4
    assert run(city, data, actor="community_staff_2", community="C2").households_created == 4


def test_query_count_does_not_grow_with_rows(city):
    def queries(rows):
        with CaptureQueriesContext(connection) as ctx:
            run(city, csv_bytes(rows))
        return len(ctx.captured_queries)

    access.scope(city.users["community_staff"], "people.import_roster")  # cached per user

    many = [
        ["大院", f"{b}栋", f"{u}单元", f"{f}0{r}", str(f), "60", f"住户{b}{u}{f}{r}",
         f"1370{b}{u}{f:02d}{r:03d}"]
        for b in range(1, 4) for u in range(1, 3) for f in range(1, 6) for r in range(1, 3)
    ]  # fmt: skip
    assert queries(ROWS[:1]) == queries(many) < 60


@pytest.fixture
def staff_client(client, city):
    client.force_login(city.users["community_staff"])
    return client


def test_page_upload_errors_and_templates(staff_client, city):
    url = reverse("people:roster_import")
    page = staff_client.get(url)
    assert page.status_code == 200
    options = list(page.context["form"].fields["community"].queryset)
    assert options == [city.places["C1"]]
    upload = SimpleUploadedFile("roster.csv", csv_bytes(ROWS), content_type="text/csv")
    page = staff_client.post(url, {"community": city.places["C1"].pk, "file": upload})
    assert page.status_code == 200
    assert page.context["result"].households_created == 4
    assert b'data-count="households_created">4<' in page.content
    bad = [r[:] for r in ROWS]
    bad[2][7] = "12345"
    upload = SimpleUploadedFile("bad.csv", csv_bytes(bad), content_type="text/csv")
    page = staff_client.post(url, {"community": city.places["C1"].pk, "file": upload})
    assert page.status_code == 422
    assert [(p.row, p.field) for p in page.context["problems"]] == [(4, "mobile")]
    assert b'data-row="4" data-field="mobile"' in page.content
    # A community outside the staff member's scope is not a valid choice.
    upload = SimpleUploadedFile("roster.csv", csv_bytes(ROWS), content_type="text/csv")
    page = staff_client.post(url, {"community": city.places["C2"].pk, "file": upload})
    assert page.status_code == 200 and page.context["form"].errors["community"]
    assert (
        not Household.objects.filter(unit__parent__parent__parent=city.places["C2"])
        .exclude(pk=city.households["H301"].pk)
        .exists()
    )
    csv_template = staff_client.get(reverse("people:roster_template_csv"))
    assert csv_template.content.decode("utf-8-sig").startswith("小区,楼栋,单元")
    xlsx_template = staff_client.get(reverse("people:roster_template_xlsx"))
    assert xlsx_template.content.startswith(b"PK")


def test_page_refuses_residents(client, city):
    client.force_login(city.users["owner"])
    assert client.get(reverse("people:roster_import")).status_code == 403


def test_api_import_and_errors(staff_client, city):
    url = "/api/v1/people/roster/"
    upload = SimpleUploadedFile("r.xlsx", xlsx_bytes(ROWS))
    response = staff_client.post(url, {"community": city.places["C1"].pk, "file": upload})
    assert response.status_code == 200, response.content
    assert response.json()["households_created"] == 4
    bad = [r[:] for r in ROWS]
    bad[0][4] = "1.5"
    upload = SimpleUploadedFile("r.csv", csv_bytes(bad))
    response = staff_client.post(url, {"community": city.places["C1"].pk, "file": upload})
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid"
    assert [e["field"] for e in body["errors"]] == ["rows.2.floor"]
    upload = SimpleUploadedFile("r.csv", csv_bytes(ROWS))
    response = staff_client.post(url, {"community": city.places["C2"].pk, "file": upload})
    assert response.status_code == 403


def test_command(city, tmp_path, capsys):
    path = tmp_path / "roster.csv"
    path.write_bytes(csv_bytes(ROWS))
    out = io.StringIO()
    call_command("import_roster", str(path), "--community", "C1", stdout=out)
    assert "households created: 4" in out.getvalue()
    call_command(
        "import_roster",
        str(path),
        "--community",
        str(city.places["C1"].pk),
        "--actor",
        city.users["community_staff"].mobile,
        stdout=out,
    )
    assert "households unchanged: 4" in out.getvalue()
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes([[*r[:4], "x", *r[5:]] for r in ROWS]))
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_roster", str(bad), "--community", "C1", stdout=out, stderr=err)
    assert err.getvalue().count("row ") == 4
    with pytest.raises(CommandError):
        call_command(
            "import_roster",
            str(path),
            "--community",
            "C2",
            "--actor",
            city.users["community_staff"].mobile,
        )


def test_an_existing_account_becomes_the_verified_owner(city):
    newcomer = city.users["newcomer"]
    rows = [["E1", "B2", "U2", "201", "2", "70", newcomer.name, newcomer.mobile]]
    result = run(city, csv_bytes(rows))
    assert result.residencies_created == 1
    residency = newcomer.residencies.get()
    assert (residency.household, residency.relation, residency.status, residency.source) == (
        city.households["H201"],
        "owner",
        "verified",
        "roster",
    )


def test_signing_up_with_a_roster_mobile_verifies_the_owner(
    city, sms_outbox, django_capture_on_commit_callbacks
):
    import re

    from linju.people import services

    run(city, csv_bytes(ROWS))
    with django_capture_on_commit_callbacks(execute=True):
        services.send_code(mobile="13900000001", purpose="signup")
    code = re.search(r"\d{6}", sms_outbox[-1][1]).group()
    user = services.sign_up(
        mobile="13900000001", name="王小明", password="Quiet-Garden-42", code=code, consent=True
    )
    homes = user.residencies.filter(relation="owner", status="verified", source="roster")
    assert sorted(homes.values_list("household__room", flat=True)) == ["101", "201"]
    assert access.role_scopes(user)["owner"]
    assert AuditEvent.objects.filter(verb="residency.verify", actor=user).count() == 2
