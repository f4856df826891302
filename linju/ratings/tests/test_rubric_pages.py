"""Rubric pages: the list, a template copied into an estate, a draft's items and bands edited,
put to the residents (with a deliberation topic), commented on by a resident, adopted; a new
version of an adopted rubric; errors shown on the form naming the field; who gets 403 or 404."""

import pytest
from django.urls import reverse

from linju.ratings import defaults
from linju.ratings.models import Rubric, RubricComment, RubricStatus

pytestmark = pytest.mark.django_db


def login(client, user):
    client.force_login(user)
    return client


def url(rubric):
    return reverse("ratings:rubric", args=[rubric.pk])


@pytest.fixture
def draft(city, client):
    """The contest template copied into E1 by community staff, through the page."""
    manager = city.users["community_staff"]
    template = defaults.template(defaults.CONTEST)
    response = login(client, manager).post(
        url(template), {"action": "copy", "place_id": city.places["E1"].pk}
    )
    rubric = Rubric.objects.get(place=city.places["E1"], code=f"p{city.places['E1'].pk}-hongdongli")
    assert response.status_code == 302 and response["Location"] == url(rubric)
    client.logout()
    return rubric


def test_list_shows_templates_and_my_scope(city, client, draft):
    response = login(client, city.users["community_staff"]).get(reverse("ratings:rubrics"))
    assert response.status_code == 200
    body = response.content.decode()
    assert f'data-rubric="{draft.pk}"' in body
    assert f'data-rubric="{defaults.template(defaults.STARS).pk}"' in body
    assert 'data-testid="create"' in body
    # The other community's staff see the templates, not E1's draft, and no draft of theirs.
    client.logout()
    body = login(client, city.users["community_staff_2"]).get(reverse("ratings:rubrics"))
    assert f'data-rubric="{draft.pk}"'.encode() not in body.content
    # A resident: templates only (the draft is not put to them), and no create form.
    client.logout()
    body = login(client, city.users["owner"]).get(reverse("ratings:rubrics")).content.decode()
    assert f'data-rubric="{draft.pk}"' not in body
    assert 'data-testid="create"' not in body


def test_create_a_draft_and_errors_name_the_field(city, client):
    login(client, city.users["community_staff"])
    response = client.post(
        reverse("ratings:rubrics"), {"place_id": city.places["U1"].pk, "purpose": "contest"}
    )
    assert response.status_code == 200
    assert 'data-field="name"' in response.content.decode()
    body = client.post(
        reverse("ratings:rubrics"),
        {"place_id": city.places["U1"].pk, "purpose": "contest", "name": "细则"},
    ).content.decode()
    assert 'data-field="place_id"' in body  # a unit is not an estate or a community
    response = client.post(
        reverse("ratings:rubrics"),
        {"place_id": city.places["E1"].pk, "purpose": "stars", "name": "党员星级"},
    )
    rubric = Rubric.objects.get(name="党员星级")
    assert response["Location"] == url(rubric)
    assert rubric.status == RubricStatus.DRAFT and rubric.place == city.places["E1"]
    # Outside the manager's scope: refused.
    response = client.post(
        reverse("ratings:rubrics"),
        {"place_id": city.places["E2"].pk, "purpose": "contest", "name": "x"},
    )
    assert response.status_code == 403
    client.logout()
    response = login(client, city.users["owner"]).post(
        reverse("ratings:rubrics"),
        {"place_id": city.places["E1"].pk, "purpose": "contest", "name": "x"},
    )
    assert response.status_code == 403


def test_items_are_added_changed_and_deleted(city, client, draft):
    login(client, city.users["community_staff"])
    page = client.get(url(draft)).content.decode()
    assert 'data-item="hygiene"' in page and "轮椅、婴儿车" in page
    new = reverse("ratings:rubric_item_new", args=[draft.pk])
    assert client.get(new).status_code == 200
    # A bad item: the errors name their fields.
    body = client.post(
        new, {"code": "bad code!", "title": "", "kind": "bonus", "max_points": "1"}
    ).content.decode()
    assert 'data-field="title"' in body
    body = client.post(
        new, {"code": "bad code!", "title": "t", "kind": "bonus", "max_points": "1"}
    ).content.decode()
    assert 'data-field="code"' in body
    body = client.post(
        new, {"code": "greening", "title": "绿化", "kind": "score", "max_points": "0"}
    ).content.decode()
    assert 'data-field="max_points"' in body
    body = client.post(
        new,
        {"code": "greening", "title": "绿化", "kind": "bonus", "max_points": "2", "tiebreak": "on"},
    ).content.decode()
    assert 'data-field="tiebreak"' in body
    response = client.post(
        new, {"code": "greening", "title": "绿化", "kind": "bonus", "max_points": "2.5"}
    )
    assert response.status_code == 302
    item = draft.items.get(code="greening")
    assert str(item.max_points) == "2.5"
    # A second item with the same code is refused on the code field.
    body = client.post(
        new, {"code": "greening", "title": "again", "kind": "bonus", "max_points": "1"}
    ).content.decode()
    assert 'data-field="code"' in body
    edit = reverse("ratings:rubric_item", args=[draft.pk, item.pk])
    assert 'value="绿化"' in client.get(edit).content.decode()
    client.post(edit, {"code": "greening", "title": "绿化美化", "kind": "bonus", "max_points": "3"})
    item.refresh_from_db()
    assert item.title == "绿化美化" and item.max_points == 3
    client.post(url(draft), {"action": "delete_item", "item_id": item.pk})
    assert not draft.items.filter(code="greening").exists()
    # Name and description; an empty name names the field.
    body = client.post(url(draft), {"action": "edit", "name": ""}).content.decode()
    assert 'data-field="name"' in body
    client.post(url(draft), {"action": "edit", "name": "新家园细则", "description": "试行"})
    draft.refresh_from_db()
    assert draft.name == "新家园细则"


def test_put_to_residents_comment_and_adopt(city, client, draft):
    login(client, city.users["community_staff"])
    response = client.post(url(draft), {"action": "consult", "raise_topic": "on"})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.comments_open and draft.topic is not None
    page = client.get(url(draft)).content.decode()
    assert reverse("deliberation:topic", args=[draft.topic.pk]) in page
    client.logout()

    # A resident of E1 sees the draft in the list and comments on one item.
    owner = city.users["owner"]
    login(client, owner)
    assert f'data-rubric="{draft.pk}"' in client.get(reverse("ratings:rubrics")).content.decode()
    hygiene = draft.items.get(code="hygiene")
    body = client.post(url(draft), {"action": "comment", "text": " "}).content.decode()
    assert 'data-field="text"' in body
    response = client.post(
        url(draft), {"action": "comment", "text": "电动车也应算杂物", "item_id": hygiene.pk}
    )
    assert response.status_code == 302
    comment = RubricComment.objects.get(rubric=draft)
    assert comment.item == hygiene and comment.user == owner
    # A resident may not edit or adopt.
    assert client.post(url(draft), {"action": "adopt"}).status_code == 403
    assert client.post(url(draft), {"action": "edit", "name": "x"}).status_code == 403
    client.logout()

    # Someone living elsewhere does not see the draft at all.
    login(client, city.users["owner_2"])
    assert client.get(url(draft)).status_code == 404
    assert client.post(url(draft), {"action": "comment", "text": "x"}).status_code == 404
    client.logout()

    # The manager sees the comment with the name, and adopts.
    login(client, city.users["community_staff"])
    page = client.get(url(draft)).content.decode()
    assert "电动车也应算杂物" in page and owner.name in page
    response = client.post(url(draft), {"action": "adopt"})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == RubricStatus.ADOPTED and not draft.comments_open
    # Adopted: the item page refuses, and a new version is started from the page.
    edit = reverse("ratings:rubric_item", args=[draft.pk, hygiene.pk])
    assert client.get(edit).status_code == 302
    response = client.post(url(draft), {"action": "copy"})
    v2 = Rubric.objects.get(code=draft.code, version=2)
    assert response["Location"] == url(v2) and v2.status == RubricStatus.DRAFT
    page = client.get(url(v2)).content.decode()
    assert 'data-testid="versions"' in page and url(draft) in page


def test_adopting_an_empty_draft_shows_why(city, client):
    login(client, city.users["community_staff"])
    client.post(
        reverse("ratings:rubrics"),
        {"place_id": city.places["E1"].pk, "purpose": "contest", "name": "空细则"},
    )
    rubric = Rubric.objects.get(name="空细则")
    response = client.post(url(rubric), {"action": "adopt"})
    assert response.status_code == 200
    assert 'data-testid="action-errors"' in response.content.decode()
    rubric.refresh_from_db()
    assert rubric.status == RubricStatus.DRAFT


def test_star_bands(city, client):
    login(client, city.users["community_staff"])
    client.post(
        url(defaults.template(defaults.STARS)), {"action": "copy", "place_id": city.places["C1"].pk}
    )
    rubric = Rubric.objects.get(place=city.places["C1"], purpose="stars")
    assert 'data-testid="bands-form"' in client.get(url(rubric)).content.decode()
    body = client.post(
        url(rubric), {"action": "bands", "stars_5": "80", "stars_4": "90"}
    ).content.decode()
    assert 'data-testid="bands-errors"' in body
    body = client.post(url(rubric), {"action": "bands", "stars_5": "abc"}).content.decode()
    assert 'data-field="stars_5"' in body
    response = client.post(
        url(rubric), {"action": "bands", "stars_5": "95", "stars_4": "85", "stars_3": "70"}
    )
    assert response.status_code == 302
    assert sorted(rubric.bands.values_list("stars", "min_score")) == [(3, 70), (4, 85), (5, 95)]


def test_outsiders_and_templates(city, client, draft):
    # Staff of the other community: not visible.
    login(client, city.users["community_staff_2"])
    assert client.get(url(draft)).status_code == 404
    client.logout()
    # A property manager of E1 follows ratings but does not manage rubrics.
    login(client, city.users["property_manager"])
    assert client.get(url(draft)).status_code == 200
    assert client.post(url(draft), {"action": "adopt"}).status_code == 403
    assert client.get(reverse("ratings:rubric_item_new", args=[draft.pk])).status_code == 403
    client.logout()
    # Templates: anyone logged in reads them; a resident may not copy one.
    login(client, city.users["newcomer"])
    template = defaults.template(defaults.CONTEST)
    page = client.get(url(template)).content.decode()
    assert 'data-item="flying_wire"' in page and 'data-testid="copy-form"' not in page
    assert client.post(url(template), {"action": "copy", "place_id": 1}).status_code == 403
    client.logout()
    assert client.get(url(template)).status_code == 302  # to the login page
