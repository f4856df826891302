"""评分细则 (seed 001: 制定评分细则, 召集居民集中讨论, 精益求精完善评分细则): a scope copies a
template, edits the draft, puts it to its residents (comments and a deliberation topic) and
adopts it; an adopted version never changes, a new version replaces it in the contests while
past rounds keep the version they were scored with."""

import pytest

from linju.core.errors import Conflict, Forbidden, Invalid
from linju.core.models import AuditEvent
from linju.deliberation.models import Topic, TopicSource
from linju.ratings import defaults
from linju.ratings.models import RubricComment, RubricStatus
from linju.ratings.services_rounds import open_round
from linju.ratings.services_rubrics import (
    adopt_rubric,
    comment_rubric,
    copy_rubric,
    create_rubric,
    delete_item,
    put_to_residents,
    save_item,
    set_bands,
    update_rubric,
)

pytestmark = pytest.mark.django_db

ITEM_FIELDS = (
    "position",
    "code",
    "title",
    "description",
    "kind",
    "max_points",
    "exemptions",
    "evidence_required",
    "tiebreak",
)


def item_rows(rubric):
    return [tuple(getattr(i, f) for f in ITEM_FIELDS) for i in rubric.items.order_by("position")]


def good_item(**changes):
    data = {"code": "greening", "title": "绿化", "kind": "score", "max_points": "10"}
    data.update(changes)
    return data


@pytest.fixture
def draft(city):
    """The contest template copied into E1, not adopted yet."""
    return copy_rubric(
        user=city.users["community_staff"],
        rubric=defaults.template(defaults.CONTEST),
        place_id=city.places["E1"].pk,
    )


def test_copying_a_template_makes_a_draft_of_the_estate(city, draft):
    template = defaults.template(defaults.CONTEST)
    e1 = city.places["E1"]
    assert (draft.place, draft.path, draft.version) == (e1, e1.path, 1)
    assert draft.code != template.code and draft.code.endswith(template.code)
    assert (draft.status, draft.based_on, draft.purpose) == (
        RubricStatus.DRAFT,
        template,
        template.purpose,
    )
    assert item_rows(draft) == item_rows(template)
    assert draft.items.filter(tiebreak=True).get().code == "hygiene"
    stars = copy_rubric(
        user=city.users["community_staff"],
        rubric=defaults.template(defaults.STARS),
        place_id=city.places["C1"].pk,
    )
    assert sorted((b.min_score, b.stars) for b in stars.bands.all()) == sorted(
        (b.min_score, b.stars) for b in defaults.template(defaults.STARS).bands.all()
    )
    assert AuditEvent.objects.filter(verb="ratings.rubric_copy").count() == 2


def test_only_managers_of_the_scope_copy_and_only_into_an_estate_or_community(city):
    template = defaults.template(defaults.CONTEST)
    for who in ("property_manager", "owners_committee", "unit_head", "owner", "community_staff_2"):
        with pytest.raises(Forbidden):
            copy_rubric(user=city.users[who], rubric=template, place_id=city.places["E1"].pk)
    with pytest.raises(Invalid) as err:
        copy_rubric(
            user=city.users["community_staff"], rubric=template, place_id=city.places["U1"].pk
        )
    assert "place" in err.value.errors


def test_a_new_version_of_an_adopted_rubric_keeps_its_code(contested):
    adopted = contested.rubric
    v2 = copy_rubric(user=contested.manager, rubric=adopted)
    assert (v2.code, v2.version, v2.status, v2.place) == (
        adopted.code,
        2,
        RubricStatus.DRAFT,
        adopted.place,
    )
    assert item_rows(v2) == item_rows(adopted)
    assert copy_rubric(user=contested.manager, rubric=v2).version == 3


def test_only_a_draft_changes(contested):
    adopted = contested.rubric
    item = adopted.items.get(code="hygiene")
    attempts = [
        lambda: save_item(user=contested.manager, rubric=adopted, **good_item()),
        lambda: save_item(
            user=contested.manager, rubric=adopted, item_id=item.pk, **good_item(code="hygiene")
        ),
        lambda: delete_item(user=contested.manager, item=item),
        lambda: update_rubric(user=contested.manager, rubric=adopted, name="改名"),
        lambda: put_to_residents(user=contested.manager, rubric=adopted),
        lambda: adopt_rubric(user=contested.manager, rubric=adopted),
    ]
    for attempt in attempts:
        with pytest.raises(Conflict) as err:
            attempt()
        assert err.value.code == "adopted"
    assert adopted.items.count() == len(defaults.CONTEST_ITEMS)
    adopted.refresh_from_db()
    assert adopted.name != "改名"


def test_items_are_checked_field_by_field(city, draft):
    manager = city.users["community_staff"]
    cases = [
        ({"code": ""}, "code"),
        ({"code": "two words"}, "code"),
        ({"code": "卫生"}, "code"),
        ({"code": "hygiene"}, "code"),  # the draft has it already
        ({"kind": "praise"}, "kind"),
        ({"kind": ""}, "kind"),
        ({"max_points": "-1"}, "max_points"),
        ({"max_points": "1000.5"}, "max_points"),
        ({"max_points": "2.3"}, "max_points"),
        ({"max_points": "many"}, "max_points"),
        ({"max_points": "0"}, "max_points"),  # a scored item needs points
        ({"kind": "deduction", "tiebreak": True}, "tiebreak"),
        ({"kind": "bonus", "tiebreak": True}, "tiebreak"),
        ({"title": ""}, "title"),
    ]
    before = item_rows(draft)
    for changes, field in cases:
        with pytest.raises(Invalid) as err:
            save_item(user=manager, rubric=draft, **good_item(**changes))
        assert field in err.value.errors, (changes, err.value.errors)
    assert item_rows(draft) == before
    veto = save_item(
        user=manager, rubric=draft, **good_item(code="fire-door", kind="veto", max_points="7")
    )
    assert veto.max_points == 0  # a veto scores nothing
    with pytest.raises(Forbidden):
        save_item(user=city.users["property_manager"], rubric=draft, **good_item())


def test_an_item_changes_in_place_and_its_code_stays_unique(city, draft):
    manager = city.users["community_staff"]
    hygiene = draft.items.get(code="hygiene")
    changed = save_item(
        user=manager,
        rubric=draft,
        item_id=hygiene.pk,
        **good_item(code="hygiene", title="楼道卫生", max_points="25", tiebreak=True),
    )
    assert changed.pk == hygiene.pk
    hygiene.refresh_from_db()
    assert (hygiene.title, hygiene.max_points) == ("楼道卫生", 25)
    with pytest.raises(Invalid) as err:
        save_item(user=manager, rubric=draft, item_id=hygiene.pk, **good_item(code="family"))
    assert "code" in err.value.errors
    assert draft.items.filter(code="hygiene").exists()


def test_one_item_breaks_ties_at_most(city, draft):
    manager = city.users["community_staff"]
    assert draft.items.filter(tiebreak=True).count() == 1
    greening = save_item(user=manager, rubric=draft, **good_item(tiebreak=True))
    assert list(draft.items.filter(tiebreak=True)) == [greening]
    civility = draft.items.get(code="civility")
    save_item(
        user=manager,
        rubric=draft,
        item_id=civility.pk,
        **good_item(code="civility", max_points="20", tiebreak=True),
    )
    assert list(draft.items.filter(tiebreak=True).values_list("code", flat=True)) == ["civility"]


def test_putting_a_draft_to_the_residents_raises_a_topic_and_opens_comments(city, draft):
    manager = city.users["community_staff"]
    put_to_residents(user=manager, rubric=draft)
    draft.refresh_from_db()
    topic = Topic.objects.get(pk=draft.topic_id)
    assert (topic.source, topic.source_ref) == (TopicSource.STAFF, f"rubric:{draft.pk}")
    assert (topic.place_id, topic.path) == (draft.place_id, draft.path)
    assert "环境卫生" in topic.body
    assert draft.comments_open
    # Putting it again does not raise a second topic.
    put_to_residents(user=manager, rubric=draft)
    assert Topic.objects.filter(source_ref=f"rubric:{draft.pk}").count() == 1

    hygiene = draft.items.get(code="hygiene")
    comment_rubric(user=city.users["owner"], rubric=draft, text="电动车停放也应算进来")
    on_item = comment_rubric(
        user=city.users["tenant"], rubric=draft, text="婴儿车不算杂物，很好", item_id=hygiene.pk
    )
    assert on_item.item == hygiene
    comment_rubric(user=city.users["party_liaison"], rubric=draft, text="同意")
    for elsewhere in ("owner_2", "party_liaison_2", "newcomer", "community_staff_2"):
        with pytest.raises(Forbidden):
            comment_rubric(user=city.users[elsewhere], rubric=draft, text="我也说两句")
    other = defaults.template(defaults.STARS).items.first()
    with pytest.raises(Invalid) as err:
        comment_rubric(user=city.users["owner"], rubric=draft, text="x", item_id=other.pk)
    assert "item" in err.value.errors
    with pytest.raises(Invalid) as err:
        comment_rubric(user=city.users["owner"], rubric=draft, text="   ")
    assert "text" in err.value.errors
    assert RubricComment.objects.filter(rubric=draft).count() == 3

    adopt_rubric(user=manager, rubric=draft)
    draft.refresh_from_db()
    assert not draft.comments_open
    with pytest.raises(Forbidden):
        comment_rubric(user=city.users["owner"], rubric=draft, text="晚了")
    assert RubricComment.objects.filter(rubric=draft).count() == 3


def test_residents_cannot_comment_before_the_draft_is_put_to_them(city, draft):
    with pytest.raises(Forbidden):
        comment_rubric(user=city.users["owner"], rubric=draft, text="先说一句")
    empty = create_rubric(
        user=city.users["community_staff"],
        place_id=city.places["E1"].pk,
        purpose="contest",
        name="空的",
    )
    with pytest.raises(Conflict) as err:
        put_to_residents(user=city.users["community_staff"], rubric=empty)
    assert err.value.code == "no_items"
    with pytest.raises(Forbidden):
        put_to_residents(user=city.users["property_manager"], rubric=draft)


def test_adopting_a_version_retires_the_older_and_moves_the_contests(contested):
    manager, contest, v1 = contested.manager, contested.contest, contested.rubric
    past = open_round(user=manager, contest=contest, period="2026-10")
    v2 = copy_rubric(user=manager, rubric=v1)
    save_item(user=manager, rubric=v2, **good_item())
    adopt_rubric(user=manager, rubric=v2)
    v1.refresh_from_db()
    v2.refresh_from_db()
    contest.refresh_from_db()
    past.refresh_from_db()
    assert (v1.status, v2.status) == (RubricStatus.RETIRED, RubricStatus.ADOPTED)
    assert (v2.adopted_by, v2.comments_open) == (manager, False)
    assert contest.rubric == v2
    assert past.rubric == v1  # the month scored with v1 keeps it
    later = open_round(user=manager, contest=contest, period="2026-11")
    assert later.rubric == v2
    assert later.rubric.items.filter(code="greening").exists()
    event = AuditEvent.objects.filter(verb="ratings.rubric_adopt").latest("id")
    assert event.data == {"contests": 1}
    # A template adopted elsewhere is not retired by the estate's versions.
    assert defaults.template(defaults.CONTEST).status == RubricStatus.ADOPTED


def test_adoption_needs_a_complete_rubric(city):
    manager = city.users["community_staff"]
    e1 = city.places["E1"].pk

    def adopting(rubric):
        with pytest.raises(Conflict) as err:
            adopt_rubric(user=manager, rubric=rubric)
        rubric.refresh_from_db()
        assert rubric.status == RubricStatus.DRAFT
        return err.value.code

    empty = create_rubric(user=manager, place_id=e1, purpose="contest", name="空")
    assert adopting(empty) == "no_items"
    only_deductions = create_rubric(user=manager, place_id=e1, purpose="contest", name="只扣分")
    save_item(user=manager, rubric=only_deductions, **good_item(code="mess", kind="deduction"))
    assert adopting(only_deductions) == "no_scored_item"
    stars = create_rubric(user=manager, place_id=city.places["C1"].pk, purpose="stars", name="星级")
    save_item(user=manager, rubric=stars, **good_item(code="study", max_points="100"))
    assert adopting(stars) == "no_bands"
    set_bands(user=manager, rubric=stars, bands=[{"min_score": "90", "stars": 5}])
    adopt_rubric(user=manager, rubric=stars)
    stars.refresh_from_db()
    assert stars.status == RubricStatus.ADOPTED


def test_star_bands_are_checked(city):
    manager = city.users["community_staff"]
    stars = copy_rubric(
        user=manager, rubric=defaults.template(defaults.STARS), place_id=city.places["C1"].pk
    )
    cases = [
        ([{"min_score": "90", "stars": 6}], "bands.0.stars"),
        ([{"min_score": "x", "stars": 5}], "bands.0.min_score"),
        ([{"min_score": "90", "stars": 5}, {"min_score": "80", "stars": 5}], "bands"),
        ([{"min_score": "80", "stars": 5}, {"min_score": "90", "stars": 4}], "bands"),
    ]
    for bands, field in cases:
        with pytest.raises(Invalid) as err:
            set_bands(user=manager, rubric=stars, bands=bands)
        assert field in err.value.errors, (bands, err.value.errors)
    assert stars.bands.count() == 5
    draft = copy_rubric(
        user=manager, rubric=defaults.template(defaults.CONTEST), place_id=city.places["E1"].pk
    )
    with pytest.raises(Invalid) as err:
        set_bands(user=manager, rubric=draft, bands=[{"min_score": "90", "stars": 5}])
    assert "bands" in err.value.errors
