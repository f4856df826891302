"""The snap-and-report pages (seeds 002/003): every page for the role it serves, refused outside
its scope, form errors that name their field and save nothing, and list pages whose query
count does not grow with their rows."""

import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from linju.core.masking import mask_name
from linju.reports import services
from linju.reports.models import Category, CategoryAttribute, Photo, Report, Status, Supporter

from .conftest import upload

pytestmark = pytest.mark.django_db


def login(client, user):
    client.force_login(user)
    return client


def body(response) -> str:
    return response.content.decode()


def queries_of(client, url) -> tuple[int, str]:
    # The first request after logging in writes the staff session's last-seen time.
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx), body(response)


def small_upload(name="photo.jpg"):
    return upload(name=name, size=(64, 48), exif_gps=False)


def field_errors(html) -> set[str]:
    return set(re.findall(r'class="error" data-field="([^"]+)"', html))


@pytest.fixture
def worked(city, submit):
    """A clutter report in B1 by the owner, accepted and dispatched to the property manager,
    then resolved with a photo."""
    u = city.users
    report = submit(photos=[small_upload()])
    services.dispatch_report(
        user=u["grid_worker"], report=report, handler_id=u["property_manager"].pk
    )
    services.resolve_report(
        user=u["property_manager"], report=report, reply="纸箱已清走", photos=[small_upload()]
    )
    report.refresh_from_db()
    return report


# --- Home tile and staff home ---------------------------------------------------------------------


def test_home_report_tile_is_a_link(client, city):
    page = body(login(client, city.users["owner"]).get("/"))
    assert f'href="{reverse("reports:mine")}"' in page
    assert 'class="tile tile-report"' in page and 'class="tile tile-notices"' in page
    assert f'href="{reverse("notices:board")}"' in page


def test_staff_home_links_the_queue_with_counts(client, city, submit):
    submit()
    submit(place="B2")  # outside G1
    report = submit()
    Report.objects.filter(pk=report.pk).update(due_at="2020-01-01T00:00:00Z")
    page = body(login(client, city.users["grid_worker"]).get(reverse("core:staff_home")))
    assert reverse("reports:queue") in page
    assert re.search(r'data-testid="reports-open">2<', page)
    assert re.search(r'data-testid="reports-overdue">1<', page)
    page = body(login(client, city.users["community_staff"]).get(reverse("core:staff_home")))
    assert re.search(r'data-testid="reports-open">3<', page)
    # A unit head has no report desk of its own beyond viewing: it still sees its scope.
    page = body(login(client, city.users["grid_worker_2"]).get(reverse("core:staff_home")))
    assert re.search(r'data-testid="reports-open">0<', page)


# --- Reporting ------------------------------------------------------------------------------------


def test_new_report_form_prefills_the_home_unit_and_offers_the_estate(client, city):
    page = body(login(client, city.users["owner"]).get(reverse("reports:new")))
    unit = city.places["U1"].pk
    assert re.search(rf'<option value="{unit}" selected>B1 U1</option>', page)
    assert f'<option value="{city.places["B2"].pk}">B2</option>' in page
    assert f'value="{city.places["B3"].pk}"' not in page  # another estate
    assert 'accept="image/*"' in page and 'capture="environment"' in page and "multiple" in page
    # The schematic draws E1's buildings; elevator questions are rendered for its category.
    assert re.search(r'<svg class="schematic pick"', page)
    assert f'data-place="{city.places["B1"].pk}"' in page
    assert 'name="attr__elevator__trapped"' in page and 'name="attr__elevator__elevator"' in page
    assert 'id="screen-1"' in page and 'id="screen-3"' in page


def test_resident_without_household_is_sent_to_link_one(client, city):
    page = body(login(client, city.users["newcomer"]).get(reverse("reports:new")))
    assert reverse("people:bind") in page and 'id="report-form"' not in page


def test_pages_ask_visitors_to_log_in(client, city, worked):
    for url in [
        reverse("reports:mine"),
        reverse("reports:new"),
        reverse("reports:detail", args=[worked.pk]),
        reverse("reports:queue"),
        reverse("reports:desk_report", args=[worked.pk]),
        reverse("reports:figures"),
        reverse("reports:categories"),
    ]:
        response = client.get(url)
        assert response.status_code == 302 and reverse("people:login") in response["Location"]


def post_report(client, city, **data):
    fields = {
        "category": "elevator",
        "place": city.places["U1"].pk,
        "description": "2号电梯门关不上",
        "attr__elevator__elevator": "2号电梯",
        "attr__elevator__trapped": "no",
        "map_x": "0.25",
        "map_y": "0.5",
    }
    fields.update(data)
    return client.post(reverse("reports:new"), {k: v for k, v in fields.items() if v is not None})


def test_submit_with_photos_answers_and_point(client, city, media):
    login(client, city.users["owner"])
    response = post_report(
        client, city, photos=[small_upload(), small_upload("b.jpg")], hide_name="on"
    )
    report = Report.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("reports:detail", args=[report.pk])
    assert report.attributes == {"elevator": "2号电梯", "trapped": "no"}
    assert (report.map_x, report.map_y) == (0.25, 0.5)
    assert report.hide_name and report.place == city.places["U1"]
    assert report.photos.count() == 2
    page = body(client.get(response["Location"]))
    assert "2号电梯门关不上" in page and "无人被困" in page
    assert page.count(reverse("reports:photo", args=[report.photos.first().pk])) >= 1


def test_submit_errors_name_their_fields_and_save_nothing(client, city, media):
    login(client, city.users["owner"])
    # The form's own checks.
    page = body(post_report(client, city, category="", description=""))
    assert {"category", "description"} <= field_errors(page)
    # The service's: a required question of the category (attributes.trapped).
    page = body(post_report(client, city, attr__elevator__trapped=""))
    assert field_errors(page) == {"attr__elevator__trapped"}
    assert 'data-first-screen="2"' in page
    # An unreadable second photo is named by its number (photos.1).
    bad = SimpleUploadedFile("notes.jpg", b"not a photo", content_type="image/jpeg")
    page = body(post_report(client, city, photos=[small_upload(), bad]))
    assert field_errors(page) == {"photos"}
    assert re.search(r'data-field="photos">[^<]*2', page)
    # Half a point, a point off the schematic, a place in another estate.
    page = body(post_report(client, city, map_y=""))
    assert field_errors(page) == {"map_x"}
    page = body(post_report(client, city, map_x="1.5"))
    assert field_errors(page) == {"map_x"}
    page = body(post_report(client, city, place=city.places["B3"].pk))
    assert field_errors(page) == {"place"}
    page = body(post_report(client, city, place=city.households["H101"].pk + 10_000))
    assert field_errors(page) == {"place"}
    assert Report.objects.count() == 0 and Photo.objects.count() == 0


def test_similar_reports_and_me_too(client, city, submit):
    tenants = submit(user_key="tenant", place="B1")
    private = submit(user_key="tenant", place="B1", category="dispute", description="楼上吵架")
    login(client, city.users["owner"])
    url = reverse("reports:similar")
    page = body(client.get(url, {"category": "clutter", "place": city.places["U1"].pk}))
    assert f'data-report="{tenants.pk}"' in page
    assert reverse("reports:support", args=[tenants.pk]) in page
    page = body(client.get(url, {"category": "dispute", "place": city.places["U1"].pk}))
    assert f'data-report="{private.pk}"' not in page and "楼上吵架" not in page
    assert body(client.get(url, {"category": "nope", "place": "x"})).strip() == ""
    # The report form shows the box up front when category and place are known.
    page = body(client.get(reverse("reports:new"), {"category": "clutter"}))
    assert f'data-report="{tenants.pk}"' in page

    response = client.post(reverse("reports:support", args=[tenants.pk]))
    assert response.status_code == 302
    assert Supporter.objects.filter(report=tenants, user=city.users["owner"]).exists()
    page = body(client.get(reverse("reports:detail", args=[tenants.pk])))
    assert 'data-testid="me-too"' not in page and "张tenant明" not in page
    # Backed reports are in "my reports"; a second "me too" is refused politely.
    assert f'data-report="{tenants.pk}"' in body(client.get(reverse("reports:mine")))
    client.post(reverse("reports:support", args=[tenants.pk]))
    assert Supporter.objects.filter(report=tenants).count() == 1
    # Nobody backs a private report of a neighbour.
    assert client.post(reverse("reports:support", args=[private.pk])).status_code == 404


# --- My reports and the reporter's page -----------------------------------------------------------


def test_my_reports_query_count_does_not_grow(client, city, submit):
    for _ in range(2):
        submit()
    login(client, city.users["owner"])
    few, page = queries_of(client, reverse("reports:mine"))
    assert page.count('class="card report-card"') == 2
    for i in range(12):
        report = submit(place="B2" if i % 2 else "U1")
        if i % 3 == 0:
            services.accept_report(user=city.users["community_staff"], report=report)
    submit(user_key="tenant")  # not theirs
    many, page = queries_of(client, reverse("reports:mine"))
    assert page.count('class="card report-card"') == 14
    assert many == few


def test_reporter_confirms_and_rates(client, city, worked):
    login(client, city.users["owner"])
    url = reverse("reports:detail", args=[worked.pk])
    page = body(client.get(url))
    assert "纸箱已清走" in page and 'data-testid="confirm"' in page
    assert 'data-kind="resolved"' in page and 'data-kind="dispatched"' in page
    # The resolution photo is in the timeline, served by the photo view.
    fix = worked.photos.order_by("pk").last()
    assert reverse("reports:photo", args=[fix.pk]) in page
    # A rating off the scale names the field and changes nothing.
    page = body(client.post(reverse("reports:confirm", args=[worked.pk]), {"rating": "9"}))
    assert "rating" in field_errors(page)
    worked.refresh_from_db()
    assert worked.status == Status.RESOLVED
    response = client.post(
        reverse("reports:confirm", args=[worked.pk]), {"rating": "5", "comment": "很及时"}
    )
    assert response.status_code == 302
    worked.refresh_from_db()
    assert worked.status == Status.CLOSED and worked.rating == 5
    page = body(client.get(url))
    assert 'data-testid="confirm"' not in page and "5/5" in page


def test_rating_after_closing_without_one(client, city, worked):
    login(client, city.users["owner"])
    client.post(reverse("reports:confirm", args=[worked.pk]), {})
    worked.refresh_from_db()
    assert worked.status == Status.CLOSED and worked.rating is None
    page = body(client.get(reverse("reports:detail", args=[worked.pk])))
    assert reverse("reports:rate", args=[worked.pk]) in page
    page = body(client.post(reverse("reports:rate", args=[worked.pk]), {}))
    assert "rating" in field_errors(page)
    client.post(reverse("reports:rate", args=[worked.pk]), {"rating": "4"})
    worked.refresh_from_db()
    assert worked.rating == 4
    assert reverse("reports:rate", args=[worked.pk]) not in body(
        client.get(reverse("reports:detail", args=[worked.pk]))
    )


def test_not_solved_needs_a_comment_and_reopens(client, city, worked):
    login(client, city.users["owner"])
    page = body(client.post(reverse("reports:reopen", args=[worked.pk]), {"comment": " "}))
    assert field_errors(page) == {"comment"}
    worked.refresh_from_db()
    assert worked.status == Status.RESOLVED
    client.post(reverse("reports:reopen", args=[worked.pk]), {"comment": "还有两箱"})
    worked.refresh_from_db()
    assert worked.status == Status.REOPENED


def test_only_the_reporter_answers(client, city, worked):
    login(client, city.users["tenant"])
    assert client.post(reverse("reports:confirm", args=[worked.pk])).status_code == 404
    login(client, city.users["grid_worker"])
    assert client.post(reverse("reports:confirm", args=[worked.pk])).status_code == 403
    worked.refresh_from_db()
    assert worked.status == Status.RESOLVED


def test_report_page_by_viewer(client, city, submit, english):
    public = submit(photos=[small_upload()])
    private = submit(category="dispute", description="楼上吵架")
    # A neighbour in another estate sees a public report anonymised, never a private one.
    login(client, city.users["owner_2"])
    page = body(client.get(reverse("reports:detail", args=[public.pk])))
    assert mask_name("张owner明") in page and "张owner明" not in page
    assert 'data-testid="me-too"' in page
    assert client.get(reverse("reports:detail", args=[private.pk])).status_code == 404
    # Staff in scope go to the desk page.
    login(client, city.users["grid_worker"])
    response = client.get(reverse("reports:detail", args=[public.pk]))
    assert response["Location"] == reverse("reports:desk_report", args=[public.pk])
    assert client.get(reverse("reports:detail", args=[999_999])).status_code == 404


# --- Photos ---------------------------------------------------------------------------------------


def test_photo_view_serves_the_file_to_those_who_may_see_it(client, city, submit):
    private = submit(category="dispute", description="楼上吵架", photos=[small_upload()])
    photo = private.photos.get()
    url = reverse("reports:photo", args=[photo.pk])
    for key in ("owner", "grid_worker", "community_staff", "subdistrict_admin"):
        response = login(client, city.users[key]).get(url)
        assert response.status_code == 200, key
        assert response["Content-Type"] == "image/jpeg"
        assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"
    for key in ("owner_2", "tenant", "grid_worker_2", "community_staff_2", "property_manager_2"):
        assert login(client, city.users[key]).get(url).status_code == 404, key
    client.logout()
    response = client.get(url)
    assert response.status_code == 302 and reverse("people:login") in response["Location"]
    assert client.get(reverse("reports:photo", args=[999_999])).status_code == 404


def test_public_photos_show_on_the_public_page_but_internal_ones_do_not(client, city, submit):
    report = submit(photos=[small_upload()])
    note = services.add_note(user=city.users["grid_worker"], report=report, text="内部")
    internal = Photo.objects.create(report=report, step=note, image=small_upload("x.jpg"))
    shown = report.photos.exclude(pk=internal.pk).get()
    assert client.get(reverse("reports:photo", args=[shown.pk])).status_code == 200
    assert client.get(reverse("reports:photo", args=[internal.pk])).status_code == 302
    login(client, city.users["owner_2"])
    assert client.get(reverse("reports:photo", args=[internal.pk])).status_code == 404
    login(client, city.users["grid_worker"])
    assert client.get(reverse("reports:photo", args=[internal.pk])).status_code == 200


# --- The public estate page -----------------------------------------------------------------------


def test_estate_page_is_public_and_anonymised(client, city, submit, english):
    shown = submit(title="楼道纸箱", photos=[small_upload()])
    hidden = submit(user_key="tenant", title="单车堵门", hide_name=True)
    private = submit(category="dispute", title="邻居吵架")
    other = submit(user_key="owner_2", place="B3", title="别处的事")
    services.reject_report(user=city.users["grid_worker"], report=hidden, reason="不属于公共区域")
    url = reverse("reports:estate", args=[city.places["E1"].pk])
    few, page = queries_of(client, url)
    assert f'data-report="{shown.pk}"' in page and f'data-report="{hidden.pk}"' in page
    assert f'data-report="{private.pk}"' not in page and f'data-report="{other.pk}"' not in page
    assert mask_name("张owner明") in page and "张owner明" not in page and "张tenant明" not in page
    assert "A neighbour" in page and "不属于公共区域" in page
    assert reverse("reports:photo", args=[shown.photos.get().pk]) in page
    # Never the household (ids in links may hold "101" on a database whose sequences ran on).
    household = city.households["H101"]
    assert str(household) not in page and f"{household.unit.name} 101" not in page
    for _ in range(8):
        submit(photos=[small_upload()])
    many, page = queries_of(client, url)
    assert many == few
    assert client.get(reverse("reports:estate", args=[city.places["B1"].pk])).status_code == 404


# --- Staff: the queue -----------------------------------------------------------------------------


def test_queue_is_the_scope_of_the_user(client, city, submit):
    b1 = submit()
    b2 = submit(place="B2")
    e2 = submit(user_key="owner_2", place="B3")
    page = body(login(client, city.users["grid_worker"]).get(reverse("reports:queue")))
    assert f'data-report="{b1.pk}"' in page
    assert f'data-report="{b2.pk}"' not in page and f'data-report="{e2.pk}"' not in page
    page = body(login(client, city.users["community_staff"]).get(reverse("reports:queue")))
    assert f'data-report="{b2.pk}"' in page and f'data-report="{e2.pk}"' not in page
    page = body(login(client, city.users["grid_worker_2"]).get(reverse("reports:queue")))
    assert f'data-report="{e2.pk}"' in page and f'data-report="{b1.pk}"' not in page
    for key in ("owner", "tenant", "newcomer", "party_liaison"):
        assert login(client, city.users[key]).get(reverse("reports:queue")).status_code == 403


def test_queue_filters(client, city, submit):
    clutter = submit()
    elevator = submit(
        category="elevator", attributes={"elevator": "1号", "trapped": "yes"}, title="电梯困人"
    )
    done = submit()
    services.reject_report(user=city.users["grid_worker"], report=done, reason="重复")
    Report.objects.filter(pk=clutter.pk).update(due_at="2020-01-01T00:00:00Z")
    login(client, city.users["community_staff"])
    url = reverse("reports:queue")

    def shown(**params):
        page = body(client.get(url, params))
        return {int(i) for i in re.findall(r'<tr data-report="(\d+)"', page)}

    assert shown() == {clutter.pk, elevator.pk}
    assert shown(status="final") == {done.pk}
    assert shown(status="all") == {clutter.pk, elevator.pk, done.pk}
    assert shown(category="elevator") == {elevator.pk}
    assert shown(overdue="on") == {clutter.pk}
    assert shown(q=f"#{elevator.pk}") == {elevator.pk}
    assert shown(q="困人") == {elevator.pk}
    assert shown(level="3") == set()
    assert shown(level="x") == set()  # a bad filter shows nothing, not an error page


def test_queue_query_count_does_not_grow(client, city, submit):
    for _ in range(2):
        submit()
    login(client, city.users["community_staff"])
    few, page = queries_of(client, reverse("reports:queue"))
    for i in range(15):
        report = submit(place=["U1", "B2"][i % 2])
        if i % 3 == 0:
            services.dispatch_report(
                user=city.users["community_staff"],
                report=report,
                handler_id=city.users["property_manager"].pk,
            )
    many, page = queries_of(client, reverse("reports:queue"))
    assert page.count("<tr data-report=") == 17
    assert many == few


def test_bulk_dispatch_to_a_common_handler(client, city, submit):
    first, second = submit(), submit(place="U1")
    login(client, city.users["grid_worker"])
    page = body(client.get(reverse("reports:queue")))
    assert f'name="reports" value="{first.pk}"' in page
    url = reverse("reports:bulk_dispatch")
    page = body(client.get(url, {"reports": [first.pk, second.pk]}))
    manager = city.users["property_manager"]
    assert f'<option value="{manager.pk}">' in page
    assert f'value="{city.users["property_manager_2"].pk}"' not in page
    # A handler not responsible for these places: the error names the field, nothing moves.
    page = body(
        client.post(
            url, {"reports": [first.pk, second.pk], "handler": city.users["property_manager_2"].pk}
        )
    )
    assert "handler" in field_errors(page)
    assert set(Report.objects.values_list("status", flat=True)) == {Status.SUBMITTED}
    response = client.post(url, {"reports": [first.pk, second.pk], "handler": manager.pk})
    assert response.status_code == 302
    assert set(Report.objects.values_list("status", "handler")) == {(Status.DISPATCHED, manager.pk)}


def test_bulk_dispatch_outside_scope_changes_nothing(client, city, submit):
    mine, theirs = submit(), submit(place="B2")
    login(client, city.users["grid_worker"])
    url = reverse("reports:bulk_dispatch")
    # Reports the user cannot see are not even listed.
    response = client.get(url, {"reports": [theirs.pk]})
    assert response.status_code == 302
    page = body(
        client.post(
            url,
            {"reports": [mine.pk, theirs.pk], "handler": city.users["property_manager"].pk},
        )
    )
    assert 'class="errors"' in page
    # At most 100 at a time: the error names the list of reports.
    many = [mine.pk, *range(10_000, 10_100)]
    page = body(client.post(url, {"reports": many, "handler": city.users["property_manager"].pk}))
    assert field_errors(page) == {"reports"}
    assert set(Report.objects.values_list("status", flat=True)) == {Status.SUBMITTED}


# --- Staff: the report page -----------------------------------------------------------------------


def test_desk_report_access(client, city, worked):
    url = reverse("reports:desk_report", args=[worked.pk])
    for key in ("grid_worker", "community_staff", "property_manager", "subdistrict_admin"):
        assert login(client, city.users[key]).get(url).status_code == 200, key
    for key in ("grid_worker_2", "community_staff_2", "property_manager_2", "owner_2", "tenant"):
        assert login(client, city.users[key]).get(url).status_code == 404, key
    response = login(client, city.users["owner"]).get(url)
    assert response["Location"] == reverse("reports:detail", args=[worked.pk])


def test_reporter_details_masked_outside_the_handling_scope(client, city, submit):
    report = submit()
    url = reverse("reports:desk_report", args=[report.pk])
    owner = city.users["owner"]
    masked_mobile = f"{owner.mobile[:3]}****{owner.mobile[-4:]}"
    page = body(login(client, city.users["grid_worker"]).get(url))
    assert "张owner明" in page and owner.mobile in page and "E1 B1 U1 101" in page
    page = body(login(client, city.users["owners_committee"]).get(url))
    assert "张owner明" not in page and "张*****明" in page
    assert owner.mobile not in page and masked_mobile in page and "101" not in page


def test_staff_actions_through_the_page(client, city, submit, media, english):
    u = city.users
    report = submit()
    url = reverse("reports:desk_report", args=[report.pk])
    login(client, u["grid_worker"])
    page = body(client.get(url))
    assert 'data-action="accept"' in page and 'data-action="reject"' in page
    assert 'data-action="resolve"' not in page  # not before it is accepted
    # Reject without a reason: the field is named, nothing changes.
    page = body(client.post(url, {"action": "reject", "reject-reason": ""}))
    assert "reject-reason" in page and "reason" in field_errors(page)
    report.refresh_from_db()
    assert report.status == Status.SUBMITTED
    # Dispatch to the property manager (accepting on the way).
    page = body(client.get(url))
    assert f'<option value="{u["property_manager"].pk}">' in page
    response = client.post(
        url, {"action": "dispatch", "dispatch-handler": u["property_manager"].pk}
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.status, report.handler) == (Status.DISPATCHED, u["property_manager"])
    # An internal note: staff see it, the reporter does not.
    client.post(url, {"action": "note", "note-text": "物业说明天清"})
    # The handler starts and resolves with a photo.
    login(client, u["property_manager"])
    client.post(url, {"action": "start"})
    page = body(client.post(url, {"action": "resolve", "resolve-reply": ""}))
    assert "reply" in field_errors(page)
    response = client.post(
        url,
        {"action": "resolve", "resolve-reply": "已清理", "resolve-photos": [small_upload()]},
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == Status.RESOLVED and report.photos.count() == 1
    page = body(client.get(url))
    assert "物业说明天清" in page and "Internal" in page
    assert "Asia/Shanghai" not in page or "(Asia/Shanghai)" in page
    page = body(login(client, u["owner"]).get(reverse("reports:detail", args=[report.pk])))
    assert "物业说明天清" not in page and "已清理" in page
    # An action the rules do not allow now (a second click) changes nothing.
    login(client, u["grid_worker"])
    response = client.post(url, {"action": "accept"}, follow=True)
    assert "not possible for this report now" in body(response)
    report.refresh_from_db()
    assert report.status == Status.RESOLVED
    assert client.post(url, {"action": "nope"}).status_code == 404


def test_escalate_joint_case_thread_and_merge(client, city, submit):
    u = city.users
    report = submit()
    duplicate = submit(user_key="tenant")
    url = reverse("reports:desk_report", args=[report.pk])
    login(client, u["grid_worker"])
    client.post(url, {"action": "accept"})
    page = body(client.post(url, {"action": "escalate", "escalate-reason": ""}))
    assert "reason" in field_errors(page)
    client.post(url, {"action": "escalate", "escalate-reason": "需要社区协调"})
    report.refresh_from_db()
    assert report.level == 2
    login(client, u["community_staff"])
    client.post(url, {"action": "joint", "joint-note": "三方周五碰头"})
    report.refresh_from_db()
    assert report.joint
    login(client, u["owners_committee"])
    page = body(client.get(url))
    assert 'data-testid="thread"' in page and "三方周五碰头" in page
    client.post(url, {"action": "message", "message-body": "业委会同意出资"})
    assert "业委会同意出资" in body(client.get(url))
    # Merging the tenant's duplicate into it.
    login(client, u["grid_worker"])
    dup_url = reverse("reports:desk_report", args=[duplicate.pk])
    page = body(client.post(dup_url, {"action": "merge", "merge-into": "abc"}))
    assert "into" in field_errors(page)
    page = body(client.post(dup_url, {"action": "merge", "merge-into": "#999999"}))
    assert "into" in field_errors(page)
    client.post(dup_url, {"action": "merge", "merge-into": f"#{report.pk}"})
    duplicate.refresh_from_db()
    assert duplicate.status == Status.MERGED and duplicate.merged_into == report


def test_desk_report_query_count_is_bounded(client, city, worked):
    login(client, city.users["community_staff"])
    url = reverse("reports:desk_report", args=[worked.pk])
    few, _page = queries_of(client, url)
    for i in range(6):
        services.add_note(user=city.users["grid_worker"], report=worked, text=f"第{i}条")
    many, _page = queries_of(client, url)
    assert many == few


# --- Figures and categories -----------------------------------------------------------------------


def test_figures_page(client, city, worked, submit):
    submit(place="B2")
    url = reverse("reports:figures")
    login(client, city.users["community_staff"])
    page = body(client.get(url))
    assert 'data-testid="figures-total"' in page
    assert re.search(r'data-testid="figures-total"><td>[^<]*</td><td>2</td>', page)
    for by in ("month", "place"):
        assert client.get(url, {"by": by}).status_code == 200
    page = body(client.get(url, {"place": city.places["E1"].pk, "category": "clutter"}))
    assert 'data-testid="figures-total"' in page
    page = body(client.get(url, {"since": "2026-05-02", "until": "2026-05-01"}))
    assert "until" in field_errors(page)
    page = body(client.get(url, {"place": city.places["E2"].pk}))
    assert "place" in field_errors(page)
    for key in ("owner", "property_manager"):
        assert login(client, city.users[key]).get(url).status_code == 403, key
    assert login(client, city.users["grid_worker"]).get(url).status_code == 200


def test_categories_pages_for_subdistrict_admins(client, city):
    url = reverse("reports:categories")
    for key in ("community_staff", "grid_worker", "owner"):
        assert login(client, city.users[key]).get(url).status_code == 403, key
    login(client, city.users["subdistrict_admin"])
    assert 'data-category="elevator"' in body(client.get(url))
    new = reverse("reports:category_new")
    data = {
        "code": "graffiti",
        "name": "乱涂乱画",
        "level": "1",
        "handler_role": "property_manager",
        "accept_hours": "24",
        "resolve_hours": "0",
        "is_public": "on",
        "active": "on",
        "sort_order": "20",
    }
    assert "resolve_hours" in field_errors(body(client.post(new, data)))
    duplicate = {**data, "code": "elevator", "resolve_hours": "72"}
    assert field_errors(body(client.post(new, duplicate))) == {"code"}
    assert not Category.objects.filter(code="graffiti").exists()
    response = client.post(new, {**data, "resolve_hours": "72"})
    category = Category.objects.get(code="graffiti")
    assert response["Location"] == reverse("reports:category_edit", args=[category.pk])
    assert category.handler_role == "property_manager" and category.resolve_hours == 72
    # An extra question with choices typed as key=name lines.
    add = reverse("reports:attribute_new", args=[category.pk])
    question = {
        "code": "surface",
        "description": "画在哪里？",
        "datatype": "singlevaluelist",
        "values": "wall=墙面\nbroken line",
        "order": "0",
    }
    assert "values" in field_errors(body(client.post(add, question)))
    assert "values" in field_errors(body(client.post(add, {**question, "values": ""})))
    client.post(add, {**question, "values": "wall=墙面\ndoor=单元门", "required": "on"})
    attribute = CategoryAttribute.objects.get(category=category)
    assert attribute.values == [{"key": "wall", "name": "墙面"}, {"key": "door", "name": "单元门"}]
    edit = reverse("reports:attribute_edit", args=[category.pk, attribute.pk])
    assert "wall=墙面\ndoor=单元门" in body(client.get(edit))
    client.post(edit, {**question, "values": "wall=墙面", "description": "位置？"})
    attribute.refresh_from_db()
    assert attribute.description == "位置？" and attribute.values == [
        {"key": "wall", "name": "墙面"}
    ]
    client.post(reverse("reports:attribute_delete", args=[category.pk, attribute.pk]))
    assert not CategoryAttribute.objects.filter(category=category).exists()
    # The new category and its questions are offered to residents.
    page = body(login(client, city.users["owner"]).get(reverse("reports:new")))
    assert 'value="graffiti"' in page


# --- Demo data ------------------------------------------------------------------------------------


def test_demo_reports_cover_the_workflow_and_load_once(client, media):
    from linju.people import demo as people_demo
    from linju.people.models import User
    from linju.reports import demo

    assert demo.load_demo() is None  # no demo community, no reports
    people_demo.load_demo(scale=0.05)
    counts = demo.load_demo()
    assert counts["reports"] == 13 and counts["photos"] >= 9
    reports = Report.objects.select_related("category")
    assert set(reports.values_list("status", flat=True)) == set(Status.values)
    assert reports.filter(joint=True, messages__isnull=False).exists()
    assert reports.filter(escalations__gte=1, level=3).exists()
    assert reports.filter(category__code="dispute", is_public=False).exists()
    assert reports.filter(status=Status.CLOSED, rating=5).exists()
    assert reports.filter(status=Status.DISPATCHED, handler_role="property_manager").exists()
    overdue = [r for r in reports if r.overdue]
    assert [r.status for r in overdue] == [Status.SUBMITTED]
    for report in reports:  # the timeline runs forward in time, into the past
        times = list(report.steps.order_by("id").values_list("created_at", flat=True))
        assert times == sorted(times) and times[-1] <= report.updated_at
    assert demo.load_demo() is None and Report.objects.count() == 13

    def user(role):
        return User.objects.get(mobile=people_demo.DEMO_MOBILE[role])

    page = body(login(client, user("resident")).get(reverse("reports:mine")))
    assert page.count('class="card report-card"') >= 4
    page = body(login(client, user("grid_worker")).get(reverse("reports:queue")))
    assert 'class="overdue"' in page
    page = body(login(client, user("property_manager")).get(reverse("reports:queue")))
    assert "<tr data-report=" in page
    estate = Report.objects.first().estate
    page = body(client.get(reverse("reports:estate", args=[estate.pk])))
    assert "楼上装修噪音" not in page and "垃圾分类点满溢" in page


def test_more_time_from_the_report_page(client, city, submit):
    """延期 on the staff page: the form names its fields, the timeline says how much more."""
    u = city.users
    report = submit()
    url = reverse("reports:desk_report", args=[report.pk])
    login(client, u["owners_committee"])  # views the estate's reports, decides nothing
    assert 'name="extend-hours"' not in body(client.get(url))
    login(client, u["grid_worker"])
    assert 'name="extend-hours"' in body(client.get(url))
    page = body(client.post(url, {"action": "extend", "extend-hours": "0", "extend-reason": ""}))
    assert {"hours", "reason"} <= set(field_errors(page))
    before = Report.objects.get(pk=report.pk).due_at
    client.post(url, {"action": "extend", "extend-hours": "48", "extend-reason": "等配件"})
    report.refresh_from_db()
    assert report.due_at == before + timedelta(hours=48)
    assert "等配件" in body(client.get(url))
