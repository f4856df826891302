"""Deliberation's settings: resident representatives (居民代表) and support thresholds (附议门槛).

Services (errors naming the field, who may act inside and outside the scope, one live term per
person and community with the database constraint as last guard, a threshold change never
moving a topic already proposed), the two staff pages (render, act, errors on their field,
masking, constant query counts) and the API (422 field paths, 403, 404, 409, scoped lists)."""

import re
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from linju.core.cleaning import violated
from linju.core.errors import Conflict, Forbidden, Invalid, NotFound
from linju.core.models import AuditEvent
from linju.core.tests.test_api import API, api_client, assert_error, post
from linju.deliberation import electorate
from linju.deliberation import services_settings as services
from linju.deliberation.models import Representative, SupportRule
from linju.deliberation.services_topics import propose_topic, support_threshold
from linju.people.models import Residency, ResidencyStatus
from linju.reports.tests.test_concurrency import pg_city, race

__all__ = ["pg_city"]

pytestmark = pytest.mark.django_db
S = "/deliberation/settings"
TODAY = timezone.localdate
# Roles that organise nowhere: every one of them is refused.
NOT_ORGANISERS = [
    "unit_head",
    "building_head",
    "floor_head",
    "grid_worker",
    "property_manager",
    "owners_committee",
    "partner",
    "owner",
    "tenant",
    "party_liaison",
    "newcomer",
]


def appoint(city, who="owner", by="community_staff", community="C1", **kw):
    return services.appoint_representative(
        user=city.users[by],
        community_id=city.places[community].pk,
        user_id=city.users[who].pk,
        **kw,
    )


def set_rule(city, place="C1", by="community_staff", **kw):
    return services.set_support_rule(user=city.users[by], place_id=city.places[place].pk, **kw)


def fields_of(exc_info) -> set[str]:
    return set(exc_info.value.errors)


# --- Representatives: services --------------------------------------------------------------------


def test_appoint_a_verified_resident(city):
    rep = appoint(city)
    assert (rep.community, rep.user, rep.since, rep.until) == (
        city.places["C1"],
        city.users["owner"],
        TODAY(),
        None,
    )
    event = AuditEvent.objects.get(verb="deliberation.representative_appoint")
    assert event.scope_path == city.places["C1"].path
    assert event.data == {"user": city.users["owner"].pk, "since": TODAY().isoformat()}
    # Invited to the representatives' meeting and its ballots, in the community and below.
    assert set(
        electorate.representative_ids(city.places["U1"]).values_list("user_id", flat=True)
    ) == {city.users["owner"].pk}


@pytest.mark.parametrize(
    "change, field",
    [
        ({"community_id": "x"}, "community_id"),
        ({"community_id": 10**30}, "community_id"),
        ({"community_id": "E1"}, "community_id"),  # an estate is not a community
        ({"user_id": None}, "user_id"),
        ({"user_id": "newcomer"}, "user_id"),  # lives nowhere
        ({"user_id": "owner_2"}, "user_id"),  # lives in C2
        ({"since": "31/12/2024"}, "since"),
        ({"since": "2024-02-30"}, "since"),
    ],
)
def test_appoint_names_the_wrong_field(city, change, field):
    kw = {
        "user": city.users["community_staff"],
        "community_id": city.places["C1"].pk,
        "user_id": city.users["owner"].pk,
    }
    for key, value in change.items():
        if key == "community_id" and value in city.places:
            value = city.places[value].pk
        if key == "user_id" and value in city.users:
            value = city.users[value].pk
        kw[key] = value
    with pytest.raises(Invalid) as exc:
        services.appoint_representative(**kw)
    assert fields_of(exc) == {field}
    assert not Representative.objects.exists()


def test_only_verified_residents(city):
    Residency.objects.filter(user=city.users["tenant"]).update(status=ResidencyStatus.PENDING)
    with pytest.raises(Invalid) as exc:
        appoint(city, "tenant")
    assert fields_of(exc) == {"user_id"}
    city.users["owner"].is_active = False
    city.users["owner"].save()
    with pytest.raises(Invalid):
        appoint(city, "owner")


@pytest.mark.parametrize("key", [*NOT_ORGANISERS, "community_staff_2"])
def test_appointing_outside_the_scope_is_refused(city, key):
    with pytest.raises(Forbidden):
        appoint(city, by=key)
    assert not Representative.objects.exists()


def test_organisers_of_the_scope_appoint(city):
    appoint(city, "owner", by="community_staff")
    appoint(city, "owner_2", by="community_staff_2", community="C2")
    appoint(city, "tenant", by="subdistrict_admin")
    assert Representative.objects.count() == 3


def test_one_live_term_per_person_and_community(city):
    first = appoint(city)
    with pytest.raises(Conflict) as exc:
        appoint(city, by="subdistrict_admin")
    assert exc.value.code == "already_serving" and exc.value.field == "user_id"
    services.end_representative(
        user=city.users["community_staff"], representative_id=first.pk, until=TODAY()
    )
    # Their last day is today: a new term overlapping it is refused, one from tomorrow is not.
    with pytest.raises(Conflict):
        appoint(city)
    again = appoint(city, since=TODAY() + timedelta(days=1))
    assert Representative.objects.filter(until__isnull=True).get() == again


def test_the_database_keeps_one_live_term(city):
    """The unique constraint is the last guard; `violated` recognises it by name (PostgreSQL)
    or by the row it guards (SQLite), never by the message."""
    rep = appoint(city)
    with pytest.raises(IntegrityError) as exc, transaction.atomic():
        Representative.objects.create(community=rep.community, user=rep.user)
    assert violated(
        exc.value,
        services.ONE_LIVE_TERM,
        still_there=lambda: Representative.objects.filter(until__isnull=True).exists(),
    )
    assert not violated(exc.value, "another_constraint", still_there=lambda: False)


def test_end_a_term(city):
    rep = appoint(city, since=TODAY() - timedelta(days=30))
    ended = services.end_representative(
        user=city.users["subdistrict_admin"], representative_id=rep.pk
    )
    assert ended.until == TODAY()
    event = AuditEvent.objects.get(verb="deliberation.representative_end")
    assert event.data["until"] == TODAY().isoformat()
    # Still serving today (their last day), gone tomorrow.
    ids = electorate.representative_ids(city.places["C1"], on=TODAY() + timedelta(days=1))
    assert not ids.exists()
    with pytest.raises(Conflict) as exc:
        services.end_representative(user=city.users["community_staff"], representative_id=rep.pk)
    assert exc.value.code == "already_ended"


def test_end_names_the_wrong_field_and_checks_the_scope(city):
    rep = appoint(city, since=TODAY())
    staff = city.users["community_staff"]
    with pytest.raises(Invalid) as exc:
        services.end_representative(
            user=staff, representative_id=rep.pk, until=TODAY() - timedelta(days=1)
        )
    assert fields_of(exc) == {"until"}
    with pytest.raises(Invalid) as exc:
        services.end_representative(user=staff, representative_id=rep.pk, until="soon")
    assert fields_of(exc) == {"until"}
    with pytest.raises(Invalid) as exc:
        services.end_representative(user=staff, representative_id=rep.pk + 1000)
    assert fields_of(exc) == {"representative_id"}
    for key in ("community_staff_2", "grid_worker", "owner"):
        with pytest.raises(Forbidden):
            services.end_representative(user=city.users[key], representative_id=rep.pk)
    rep.refresh_from_db()
    assert rep.until is None


def test_two_staff_appoint_the_same_person_at_once(pg_city):
    """Both pass the Python check; the constraint lets one in and the other gets the 409."""
    results = race(
        lambda: appoint(pg_city, by="community_staff"),
        lambda: appoint(pg_city, by="subdistrict_admin"),
    )
    wins = [r for r in results if isinstance(r, Representative)]
    losses = [r for r in results if isinstance(r, Conflict)]
    assert len(wins) == 1 and len(losses) == 1, results
    assert losses[0].code == "already_serving"
    assert Representative.objects.count() == 1


def test_two_staff_set_a_rule_at_once(pg_city):
    """The place's row is locked first: the second waits and updates the first's rule."""
    results = race(
        lambda: set_rule(pg_city, "E1", by="community_staff", households=4),
        lambda: set_rule(pg_city, "E1", by="subdistrict_admin", percent=20),
    )
    assert all(isinstance(r, SupportRule) for r in results), results
    assert SupportRule.objects.count() == 1
    assert AuditEvent.objects.filter(verb="deliberation.support_rule_set").count() == 2


# --- Support thresholds: services -----------------------------------------------------------------


def test_set_and_change_a_rule(city):
    rule = set_rule(city, "E1", households=3)
    assert (rule.place, rule.households, rule.percent) == (city.places["E1"], 3, None)
    same = set_rule(city, "E1", percent=50)
    assert same.pk == rule.pk and (same.households, same.percent) == (None, 50)
    events = list(AuditEvent.objects.filter(verb="deliberation.support_rule_set").order_by("pk"))
    assert [e.data for e in events] == [
        {"before": None, "after": {"households": 3, "percent": None}},
        {
            "before": {"households": 3, "percent": None},
            "after": {"households": None, "percent": 50},
        },
    ]
    assert events[0].scope_path == city.places["E1"].path
    for place in ("U1", "B1", "C1"):
        set_rule(city, place, households="2", percent=10)
    assert SupportRule.objects.count() == 4


@pytest.mark.parametrize(
    "kw, fields",
    [
        ({}, {"households", "percent"}),
        ({"households": None, "percent": ""}, {"households", "percent"}),
        ({"households": 0}, {"households"}),
        ({"households": -5}, {"households"}),
        ({"households": "many"}, {"households"}),
        ({"households": 2.5}, {"households"}),
        ({"households": True}, {"households"}),
        ({"households": 10**7}, {"households"}),
        ({"percent": 0}, {"percent"}),
        ({"percent": 101}, {"percent"}),
        ({"percent": "5%"}, {"percent"}),
        ({"households": 5, "place_id": "x"}, {"place_id"}),
        ({"households": 5, "place_id": "S"}, {"place_id"}),  # a subdistrict takes none
        ({"households": 5, "place_id": "D"}, {"place_id"}),
    ],
)
def test_set_names_the_wrong_field(city, kw, fields):
    kw = dict(kw)
    place_id = kw.pop("place_id", city.places["C1"].pk)
    if place_id in city.places:
        place_id = city.places[place_id].pk
    with pytest.raises(Invalid) as exc:
        services.set_support_rule(user=city.users["subdistrict_admin"], place_id=place_id, **kw)
    assert fields_of(exc) == fields
    assert not SupportRule.objects.exists()


@pytest.mark.parametrize("key", [*NOT_ORGANISERS, "community_staff_2"])
def test_rules_outside_the_scope_are_refused(city, key):
    with pytest.raises(Forbidden):
        set_rule(city, "B1", by=key, households=2)
    SupportRule.objects.create(place=city.places["B1"], households=4)
    with pytest.raises(Forbidden):
        services.clear_support_rule(user=city.users[key], place_id=city.places["B1"].pk)
    assert SupportRule.objects.get().households == 4


def test_clear_a_rule(city):
    set_rule(city, "B1", households=2)
    services.clear_support_rule(user=city.users["community_staff"], place_id=city.places["B1"].pk)
    assert not SupportRule.objects.exists()
    event = AuditEvent.objects.get(verb="deliberation.support_rule_clear")
    assert event.data == {"before": {"households": 2, "percent": None}}
    with pytest.raises(NotFound) as exc:
        services.clear_support_rule(
            user=city.users["community_staff"], place_id=city.places["B1"].pk
        )
    assert exc.value.code == "no_rule" and exc.value.field == "place_id"


def test_a_new_threshold_does_not_move_a_topic_already_proposed(city):
    """Thresholds are frozen at proposal: only topics proposed afterwards get the new one."""
    set_rule(city, "E1", households=2)
    before = propose_topic(
        user=city.users["owner"], place_id=city.places["E1"].pk, title="绿化", body="补种"
    )
    assert before.support_needed == 2
    set_rule(city, "E1", households=3)
    assert support_threshold(city.places["E1"]) == 3
    before.refresh_from_db()
    assert before.support_needed == 2
    after = propose_topic(
        user=city.users["owner"], place_id=city.places["E1"].pk, title="停车", body="划线"
    )
    assert after.support_needed == 3
    services.clear_support_rule(user=city.users["community_staff"], place_id=city.places["E1"].pk)
    before.refresh_from_db()
    after.refresh_from_db()
    assert (before.support_needed, after.support_needed) == (2, 3)


# --- Pages ----------------------------------------------------------------------------------------


def url(name):
    return reverse(f"deliberation:{name}")


def login(client, city, key):
    client.force_login(city.users[key])
    return client


def page(client, target, status=200) -> str:
    response = client.get(target)
    assert response.status_code == status, (target, response.status_code)
    return response.content.decode()


def field_errors(html) -> set[str]:
    return set(re.findall(r'class="error" data-field="([^"]+)"', html))


def queries_of(client, target) -> int:
    client.get(target)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(target)
    assert response.status_code == 200, target
    return len(ctx)


def test_urls():
    assert url("representatives") == "/deliberation/desk/representatives/"
    assert url("support_rules") == "/deliberation/desk/support-rules/"


def test_pages_need_a_login(client, db):
    for name in ("representatives", "support_rules"):
        response = client.get(url(name))
        assert response.status_code == 302 and "login" in response["Location"]


@pytest.mark.parametrize("key", NOT_ORGANISERS)
def test_pages_refuse_other_roles(client, city, key):
    login(client, city, key)
    for name in ("representatives", "support_rules"):
        page(client, url(name), 403)


def test_representatives_page_shows_my_communities(client, city):
    appoint(city)
    appoint(city, "owner_2", by="community_staff_2", community="C2")
    html = page(login(client, city, "community_staff"), url("representatives"))
    assert f'data-community="{city.places["C1"].pk}"' in html
    assert f'data-community="{city.places["C2"].pk}"' not in html
    assert "张owner明" in html and "张owner_2明" not in html
    html = page(login(client, city, "subdistrict_admin"), url("representatives"))
    assert html.count("data-community=") == 2 and "张owner_2明" in html


def test_names_are_masked_outside_the_personal_data_scope(client, city):
    appoint(city)
    # The person's residency was rejected later: C1's staff no longer handle their data.
    Residency.objects.filter(user=city.users["owner"]).update(status=ResidencyStatus.REJECTED)
    html = page(login(client, city, "community_staff"), url("representatives"))
    assert "张owner明" not in html and "张*****明" in html
    assert city.users["owner"].mobile not in html


def test_pick_a_resident_and_appoint(client, city):
    login(client, city, "community_staff")
    c1 = city.places["C1"].pk
    html = page(client, f"{url('representatives')}?community={c1}&q=张")
    found = set(re.findall(r'data-candidate="(\d+)"', html))
    assert found == {str(city.users["owner"].pk), str(city.users["tenant"].pk)}
    mobile = city.users["tenant"].mobile
    html = page(client, f"{url('representatives')}?community={c1}&q={mobile[-5:]}")
    assert set(re.findall(r'data-candidate="(\d+)"', html)) == {str(city.users["tenant"].pk)}
    # A community of someone else's page finds nobody.
    html = page(client, f"{url('representatives')}?community={city.places['C2'].pk}&q=张")
    assert "data-candidate=" not in html and 'data-testid="search-errors"' in html

    target = f"{url('representatives')}?{urlencode({'community': c1, 'q': '张'})}"
    response = client.post(
        target,
        {"action": "appoint", "community_id": c1, "user_id": city.users["owner"].pk, "since": ""},
    )
    assert response.status_code == 302
    assert response["Location"].startswith(target) and response["Location"].endswith(
        f"#community-{c1}"
    )
    rep = Representative.objects.get()
    assert rep.user == city.users["owner"] and rep.since == TODAY()
    html = page(client, target)
    assert f'data-representative="{rep.pk}"' in html
    assert 'data-testid="serving"' in html


def test_appoint_errors_on_the_page(client, city):
    login(client, city, "community_staff")
    c1 = city.places["C1"].pk
    data = {"action": "appoint", "community_id": c1, "user_id": city.users["newcomer"].pk}
    html = client.post(url("representatives"), data).content.decode()
    assert 'data-testid="appoint-errors"' in html
    assert not Representative.objects.exists()
    data.update(user_id=city.users["owner"].pk, since="not a date")
    html = client.post(url("representatives"), data).content.decode()
    assert "since" in field_errors(html)
    appoint(city)
    data.update(since="")
    html = client.post(url("representatives"), data).content.decode()
    assert 'data-testid="appoint-errors"' in html and Representative.objects.count() == 1
    # Another community's staff: refused.
    login(client, city, "community_staff_2")
    data.update(user_id=city.users["tenant"].pk)
    assert client.post(url("representatives"), data).status_code == 403


def test_end_a_term_on_the_page(client, city):
    rep = appoint(city, since=TODAY() - timedelta(days=3))
    login(client, city, "community_staff")
    data = {"action": "end", "representative_id": rep.pk, "until": TODAY() - timedelta(days=9)}
    html = client.post(url("representatives"), data).content.decode()
    assert "until" in field_errors(html)
    data["until"] = ""
    assert client.post(url("representatives"), data).status_code == 302
    rep.refresh_from_db()
    assert rep.until == TODAY()
    login(client, city, "community_staff_2")
    assert client.post(url("representatives"), data).status_code == 403


def test_representatives_page_queries_do_not_grow(client, city):
    login(client, city, "subdistrict_admin")
    appoint(city)
    few = queries_of(client, url("representatives"))
    appoint(city, "tenant")
    appoint(city, "party_liaison")
    past = appoint(
        city, "owner_2", by="subdistrict_admin", community="C2", since=TODAY() - timedelta(days=30)
    )
    services.end_representative(
        user=city.users["subdistrict_admin"],
        representative_id=past.pk,
        until=TODAY() - timedelta(days=1),
    )
    appoint(city, "owner_2", by="subdistrict_admin", community="C2")
    html = page(client, url("representatives"))
    assert 'data-testid="past"' in html and html.count("data-representative=") == 5
    assert queries_of(client, url("representatives")) == few


def test_support_rules_page(client, city):
    set_rule(city, "E1", households=1, percent=50)
    set_rule(city, "C2", by="community_staff_2", households=9)
    login(client, city, "community_staff")
    html = page(client, url("support_rules"))
    assert f'data-place="{city.places["E1"].pk}"' in html
    assert f'data-place="{city.places["C2"].pk}"' not in html
    assert 'data-testid="frozen"' in html
    # E1 counts 3 households: 50% is 2 (rounded up), more than 1.
    assert re.search(r'data-testid="threshold">\s*2\D', html)
    html = page(client, f"{url('support_rules')}?place={city.places['E1'].pk}")
    assert re.search(r'name="percent"[^>]*value="50"', html)


def test_set_and_clear_on_the_page(client, city):
    login(client, city, "community_staff")
    b1 = city.places["B1"].pk
    response = client.post(
        url("support_rules"), {"action": "set", "place_id": b1, "households": "2", "percent": ""}
    )
    assert response.status_code == 302
    assert SupportRule.objects.get(place_id=b1).households == 2
    html = client.post(
        url("support_rules"), {"action": "set", "place_id": b1, "percent": "150"}
    ).content.decode()
    assert field_errors(html) == {"percent"}
    html = client.post(url("support_rules"), {"action": "set", "place_id": b1}).content.decode()
    assert field_errors(html) == {"households", "percent"}
    html = client.post(
        url("support_rules"),
        {"action": "set", "place_id": city.places["S"].pk, "households": 3},
    ).content.decode()
    assert field_errors(html) == {"place_id"}
    response = client.post(url("support_rules"), {"action": "clear", "place_id": b1})
    assert response.status_code == 302 and not SupportRule.objects.exists()
    html = client.post(url("support_rules"), {"action": "clear", "place_id": b1}).content.decode()
    assert 'data-testid="clear-errors"' in html
    # Outside the scope: refused, nothing saved.
    data = {"action": "set", "place_id": city.places["B3"].pk, "households": 2}
    assert client.post(url("support_rules"), data).status_code == 403
    assert not SupportRule.objects.exists()


def test_support_rules_page_costs_the_same_for_any_number_of_rules(client, city):
    """Every row's households are counted in one query; its threshold is arithmetic
    (services_topics.threshold_of, where the rule lives)."""
    login(client, city, "subdistrict_admin")
    set_rule(city, "C1", households=3)
    one = queries_of(client, url("support_rules"))
    for place in ("E1", "B1", "U1"):
        set_rule(city, place, households=2)
    assert queries_of(client, url("support_rules")) == one


# --- API ------------------------------------------------------------------------------------------


def as_(city, key):
    return api_client(city.users[key])


def test_openapi_documents_every_route(client, db):
    paths = client.get(API + "/openapi.json").json()["paths"]
    base = "/api/v1/deliberation/settings"
    expected = {
        f"{base}/representatives": {"get", "post"},
        f"{base}/representatives/{{representative_id}}/end": {"post"},
        f"{base}/support-rules": {"get"},
        f"{base}/support-rules/{{place_id}}": {"get", "put", "delete"},
    }
    for route, methods in expected.items():
        assert set(paths[route]) == methods, route
        for op in paths[route].values():
            assert op["summary"] and op["description"]


def test_anonymous_gets_401(client, db):
    for path in ("/representatives", "/support-rules", "/support-rules/1"):
        assert_error(client.get(API + S + path), 401, "unauthenticated")


def test_api_appoint_list_and_end(city):
    staff = as_(city, "community_staff")
    body = {"community_id": city.places["C1"].pk, "user_id": city.users["owner"].pk}
    response = post(staff, S + "/representatives", body)
    assert response.status_code == 201, response.content
    rep = response.json()
    assert rep["status"] == "serving" and rep["person"]["name"] == "张owner明"
    assert rep["since"] == TODAY().isoformat() and rep["until"] is None
    assert_error(post(staff, S + "/representatives", body), 409, "already_serving", "user_id")
    appoint(city, "owner_2", by="community_staff_2", community="C2")

    listed = staff.get(API + S + "/representatives").json()
    assert listed["count"] == 1 and not listed["capped"]
    assert [r["id"] for r in listed["items"]] == [rep["id"]]
    everyone = as_(city, "subdistrict_admin").get(API + S + "/representatives").json()
    assert everyone["count"] == 2
    c2 = city.places["C2"].pk
    only = as_(city, "subdistrict_admin").get(f"{API}{S}/representatives?community={c2}")
    assert [r["community"]["id"] for r in only.json()["items"]] == [c2]

    ended = post(staff, f"{S}/representatives/{rep['id']}/end", {})
    assert ended.status_code == 200 and ended.json()["until"] == TODAY().isoformat()
    assert staff.get(API + S + "/representatives?serving=true").json()["count"] == 1
    assert_error(post(staff, f"{S}/representatives/{rep['id']}/end", {}), 409, "already_ended")


@pytest.mark.parametrize(
    "change, field",
    [
        ({"user_id": "newcomer"}, "user_id"),
        ({"community_id": "E1"}, "community_id"),
        ({"user_id": 0}, "user_id"),
        ({"since": "tomorrow"}, "since"),
        ({"community_id": None}, "community_id"),
    ],
)
def test_api_appoint_422_names_the_field(city, change, field):
    body = {"community_id": city.places["C1"].pk, "user_id": city.users["owner"].pk}
    for key, value in change.items():
        if key == "community_id" and value in city.places:
            value = city.places[value].pk
        if key == "user_id" and value in city.users:
            value = city.users[value].pk
        body[key] = value
    assert_error(
        post(as_(city, "community_staff"), S + "/representatives", body), 422, "invalid", field
    )
    assert not Representative.objects.exists()


def test_api_representatives_refusals(city):
    body = {"community_id": city.places["C1"].pk, "user_id": city.users["owner"].pk}
    for key in ("community_staff_2", "grid_worker", "owner"):
        assert_error(post(as_(city, key), S + "/representatives", body), 403, "forbidden")
    for key in ("grid_worker", "owner", "newcomer"):
        assert_error(as_(city, key).get(API + S + "/representatives"), 403, "forbidden")
    rep = appoint(city)
    assert_error(
        post(as_(city, "community_staff_2"), f"{S}/representatives/{rep.pk}/end", {}),
        403,
        "forbidden",
    )
    staff = as_(city, "community_staff")
    assert_error(post(staff, f"{S}/representatives/{rep.pk + 99}/end", {}), 404, "not_found")
    before = (TODAY() - timedelta(days=1)).isoformat()
    assert_error(
        post(staff, f"{S}/representatives/{rep.pk}/end", {"until": before}), 422, "invalid", "until"
    )
    # Scoped: C2's staff see none of C1's terms.
    assert as_(city, "community_staff_2").get(API + S + "/representatives").json()["count"] == 0


def test_api_support_rules(city):
    staff = as_(city, "community_staff")
    e1 = city.places["E1"].pk
    assert_error(staff.get(f"{API}{S}/support-rules/{e1}"), 404, "not_found")
    response = post(staff, f"{S}/support-rules/{e1}", {"households": 1, "percent": 50}, "put")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["place"]["id"] == e1 and body["place"]["kind"] == "estate"
    assert (body["households"], body["percent"]) == (1, 50)
    assert (body["scope_households"], body["threshold"]) == (3, 2)
    assert staff.get(f"{API}{S}/support-rules/{e1}").json() == body
    set_rule(city, "C2", by="community_staff_2", households=9)
    listed = staff.get(API + S + "/support-rules").json()
    assert [r["place"]["id"] for r in listed["items"]] == [e1]
    assert as_(city, "subdistrict_admin").get(API + S + "/support-rules").json()["count"] == 2

    deleted = staff.delete(f"{API}{S}/support-rules/{e1}")
    assert deleted.status_code == 204 and not SupportRule.objects.filter(place_id=e1).exists()
    assert_error(staff.delete(f"{API}{S}/support-rules/{e1}"), 404, "no_rule", "place_id")


@pytest.mark.parametrize(
    "body, fields",
    [
        ({"percent": 101}, {"percent"}),
        ({"percent": 0}, {"percent"}),
        ({"households": 0}, {"households"}),
        ({"households": "x"}, {"households"}),
        ({}, {"households", "percent"}),
    ],
)
def test_api_support_rule_422_names_the_field(city, body, fields):
    staff = as_(city, "community_staff")
    response = post(staff, f"{S}/support-rules/{city.places['B1'].pk}", body, "put")
    errors = assert_error(response, 422, "invalid")["errors"]
    assert {e["field"] for e in errors} == fields
    assert not SupportRule.objects.exists()


def test_api_support_rule_refusals(city):
    b1 = city.places["B1"].pk
    for key in ("community_staff_2", "grid_worker", "owner"):
        client = as_(city, key)
        assert_error(
            post(client, f"{S}/support-rules/{b1}", {"households": 2}, "put"), 403, "forbidden"
        )
        assert_error(client.get(f"{API}{S}/support-rules/{b1}"), 403, "forbidden")
        assert_error(client.delete(f"{API}{S}/support-rules/{b1}"), 403, "forbidden")
    for key in ("grid_worker", "owner"):
        assert_error(as_(city, key).get(API + S + "/support-rules"), 403, "forbidden")
    staff = as_(city, "community_staff")
    for missing in (city.places["S"].pk, 10**9):
        assert_error(
            post(staff, f"{S}/support-rules/{missing}", {"households": 2}, "put"), 404, "not_found"
        )
    assert not SupportRule.objects.exists()


def test_api_lists_queries(city):
    client = as_(city, "subdistrict_admin")

    def count(path):
        client.get(API + path)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(API + path)
        assert response.status_code == 200
        return len(ctx)

    appoint(city)
    one = count(S + "/representatives")
    appoint(city, "tenant")
    appoint(city, "owner_2", by="subdistrict_admin", community="C2")
    assert count(S + "/representatives") == one

    set_rule(city, "C1", households=3)
    rules_one = count(S + "/support-rules")
    set_rule(city, "E1", households=3)
    set_rule(city, "C2", by="subdistrict_admin", households=3)
    assert count(S + "/support-rules") == rules_one
