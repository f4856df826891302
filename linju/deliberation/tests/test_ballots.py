"""Ballots through their services (seed 002): the frozen electorate's headcount and area rules,
one vote per elector and its change rules, proxy and paper votes, secret ballots, closing with
the rule's arithmetic, publishing, and every validation naming its field."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from linju.core.errors import Conflict, Forbidden, Invalid
from linju.core.models import AuditEvent, Notification
from linju.deliberation import services_ballots as services
from linju.deliberation.models import (
    Ballot,
    BallotStatus,
    Elector,
    ElectorMember,
    Publication,
    Representative,
    Vote,
    VoteMethod,
)
from linju.people.models import PartyMembership, Relation, Residency, ResidencyStatus, User

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def sheet(name="sheet.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def soon(days=7):
    return timezone.now() + timedelta(days=days)


def later(days=8):
    """A moment after the default closing time, for closing."""
    return time_machine.travel(timezone.now() + timedelta(days=days), tick=False)


def make(city, place="E1", *, user="community_staff", **kw):
    """A draft ballot (owners, ordinary rule, 同意/反对/弃权) in `place`."""
    kw.setdefault("title", "更换小区大门")
    kw.setdefault("electorate", "owners")
    kw.setdefault("rule", "ordinary")
    kw.setdefault("closes_at", soon())
    return services.create_ballot(user=city.users[user], place_id=city.places[place].pk, **kw)


def opened(city, place="E1", **kw):
    ballot = make(city, place, **kw)
    return services.open_ballot(user=city.users["community_staff"], ballot=ballot)


def option(ballot, order):
    return ballot.options.get(order=order)


def live(user, household, relation=Relation.OWNER):
    return Residency.objects.create(
        user=user,
        household=household,
        relation=relation,
        status=ResidencyStatus.VERIFIED,
        source="roster",
    )


def person(mobile, name="王小二"):
    return User.objects.create_user(mobile, "pass-Word-9", name=name)


def elector_of(ballot, household):
    return next(e for e in Elector.objects.filter(ballot=ballot) if household.pk in e.household_ids)


def field_of(exc_info):
    return set(exc_info.value.errors)


# --- The frozen electorate ------------------------------------------------------------------------


def test_owners_each_unit_counts_once_with_its_area(city):
    ballot = opened(city)
    electors = list(Elector.objects.filter(ballot=ballot))
    # E1 holds H101 (an owner), H102 (a tenant only) and H201 (a liaison's family only): the
    # two without a verified owner count by themselves.
    assert len(electors) == ballot.electorate_heads == 3
    assert ballot.electorate_area == Decimal("265.50")
    h101 = elector_of(ballot, city.households["H101"])
    assert list(h101.members.values_list("user_id", flat=True)) == [city.users["owner"].pk]
    assert not elector_of(ballot, city.households["H102"]).members.exists()


def test_co_owners_of_a_unit_count_once(city):
    spouse = person("13700000001", "李小红")
    live(spouse, city.households["H101"], Relation.CO_OWNER)
    ballot = opened(city)
    assert ballot.electorate_heads == 3
    h101 = elector_of(ballot, city.households["H101"])
    assert set(h101.members.values_list("user_id", flat=True)) == {
        city.users["owner"].pk,
        spouse.pk,
    }
    assert h101.area == Decimal("88.50")


def test_one_owners_several_units_count_once_with_summed_area(city):
    live(city.users["owner"], city.households["H201"])
    ballot = opened(city)
    assert ballot.electorate_heads == 2
    group = elector_of(ballot, city.households["H101"])
    assert sorted(group.household_ids) == sorted(
        [city.households["H101"].pk, city.households["H201"].pk]
    )
    assert group.area == Decimal("177.00")
    assert ballot.electorate_area == Decimal("265.50")


def test_the_roster_mobile_joins_an_unclaimed_unit_to_its_owner(city):
    h102 = city.households["H102"]
    h102.owner_mobile = city.users["owner"].mobile
    h102.save()
    h201 = city.households["H201"]
    h201.owner_mobile, h201.owner_name = "13911112222", "赵大海"
    h201.save()
    ballot = opened(city)
    assert ballot.electorate_heads == 2
    assert elector_of(ballot, h102) == elector_of(ballot, city.households["H101"])
    # The roster's own owner counts once, known by mobile; their name is masked in the label.
    assert "赵*海" in elector_of(ballot, h201).label


def test_a_co_owner_chain_joins_everything_it_touches(city):
    """A owns H101 with B; B owns H201: one owner group of two units (transitive)."""
    b = person("13700000002")
    live(b, city.households["H101"], Relation.CO_OWNER)
    live(b, city.households["H201"])
    ballot = opened(city)
    assert ballot.electorate_heads == 2
    assert elector_of(ballot, city.households["H201"]).area == Decimal("177.00")


def test_the_developers_unsold_units_count_once_together(city):
    from linju.places.models import Household

    Household.objects.filter(
        pk__in=[city.households["H102"].pk, city.households["H201"].pk]
    ).update(developer_held=True, area=Decimal("100.25"))
    ballot = opened(city)
    developer = Elector.objects.get(ballot=ballot, key="developer")
    assert developer.area == Decimal("200.50")
    assert ballot.electorate_heads == 2
    assert ballot.electorate_area == Decimal("289.00")
    assert not developer.members.exists()


def test_households_electorate_is_one_per_household_with_its_residents(city):
    ballot = opened(city, electorate="households", rule="simple")
    assert ballot.electorate_heads == 3
    members = {
        e.household_ids[0]: set(e.members.values_list("user_id", flat=True))
        for e in Elector.objects.filter(ballot=ballot)
    }
    assert members[city.households["H102"].pk] == {city.users["tenant"].pk}
    assert members[city.households["H201"].pk] == {city.users["party_liaison"].pk}


def test_households_electorate_leaves_out_the_developers_unsold_units(city):
    from linju.places.models import Household

    Household.objects.create(
        unit=city.places["U1"], room="103", floor=1, area=90, developer_held=True
    )
    ballot = opened(city, electorate="households", rule="simple")
    assert ballot.electorate_heads == 3


def test_representatives_of_the_community_containing_the_scope(city):
    c1 = city.places["C1"]
    Representative.objects.create(community=c1, user=city.users["newcomer"])
    Representative.objects.create(community=c1, user=city.users["owner"])
    # Served until yesterday: no longer a representative (the same rule invites meetings).
    Representative.objects.create(
        community=c1,
        user=city.users["tenant"],
        since=timezone.localdate() - timedelta(days=400),
        until=timezone.localdate() - timedelta(days=1),
    )
    Representative.objects.create(community=city.places["C2"], user=city.users["owner_2"])
    ballot = opened(city, "E1", electorate="representatives", rule="simple")
    users = set(ElectorMember.objects.filter(ballot=ballot).values_list("user_id", flat=True))
    assert users == {city.users["newcomer"].pk, city.users["owner"].pk}


def test_party_members_of_the_community_containing_the_scope(city):
    from linju.people.models import PartyOrganisation, PartyOrgKind

    group = PartyOrganisation.objects.create(
        kind=PartyOrgKind.GROUP, name="B1 group", place=city.places["B1"]
    )
    PartyMembership.objects.create(organisation=group, user=city.users["owner"])
    # Every organisation of C1 (the committee, the B1 group): the party members' meeting of the
    # community and its ballots have one membership, wherever in C1 the ballot is scoped.
    ballot = opened(city, "B2", electorate="party_members", rule="simple")
    users = set(ElectorMember.objects.filter(ballot=ballot).values_list("user_id", flat=True))
    assert users == {city.users["party_liaison"].pk, city.users["owner"].pk}
    ballot = services.open_ballot(
        user=city.users["community_staff_2"],
        ballot=make(
            city, "E2", user="community_staff_2", electorate="party_members", rule="simple"
        ),
    )
    users = set(ElectorMember.objects.filter(ballot=ballot).values_list("user_id", flat=True))
    assert users == {city.users["party_liaison_2"].pk}


def test_the_electorate_is_frozen_at_opening(city):
    ballot = opened(city)
    live(person("13700000003"), city.households["H102"])
    assert Elector.objects.filter(ballot=ballot).count() == 3
    ballot.refresh_from_db()
    assert ballot.electorate_heads == 3


def test_elevator_marks_the_affected_owners(city):
    h101, h102 = city.households["H101"], city.households["H102"]
    ballot = opened(city, "U1", rule="elevator", affected_household_ids=[h102.pk])
    assert ballot.electorate_heads == 2
    assert elector_of(ballot, h102).affected and not elector_of(ballot, h101).affected


def test_an_empty_electorate_cannot_open(city):
    ballot = make(city, "C2", user="community_staff_2", electorate="representatives", rule="simple")
    with pytest.raises(Conflict) as exc:
        services.open_ballot(user=city.users["community_staff_2"], ballot=ballot)
    assert exc.value.code == "empty_electorate"
    ballot.refresh_from_db()
    assert (
        ballot.status == BallotStatus.DRAFT and not Elector.objects.filter(ballot=ballot).exists()
    )


# --- Creating: validations name their field -------------------------------------------------------


@pytest.mark.parametrize(
    ("place", "kw", "fields"),
    [
        ("C1", {}, {"place"}),  # owners vote in an estate, building or unit
        ("E1", {"electorate": "households"}, {"electorate"}),  # art. 278 counts owners
        ("E1", {"rule": "elevator"}, {"place", "affected_households"}),
        ("E1", {"closes_at": timezone.now() - timedelta(hours=1)}, {"closes_at"}),
        ("E1", {"opens_at": soon(9)}, {"closes_at"}),
        ("E1", {"options": [{"label": "同意", "approves": True}]}, {"options"}),
        ("E1", {"options": [{"label": "甲"}, {"label": "乙"}]}, {"options"}),
        ("E1", {"options": [{"label": "甲", "approves": True}, {"label": ""}]}, {"options.1"}),
        ("E1", {"title": ""}, {"title"}),
        ("E1", {"rule": "bogus", "electorate": "bogus"}, {"rule", "electorate"}),
        (
            "E1",
            {"rule": "custom", "approval_numerator": 3, "approval_denominator": 2},
            {"approval_numerator"},
        ),
        (
            "E1",
            {"rule": "custom", "approval_numerator": 1, "approval_denominator": 1},
            {"approval_numerator"},  # "more than all" can never pass
        ),
        (
            "E1",
            {"rule": "custom", "participation_numerator": 2, "participation_denominator": 0},
            {"participation_numerator"},
        ),
        (
            "C1",
            {"rule": "custom", "electorate": "representatives", "weigh_area": True},
            {"weigh_area"},
        ),
    ],
)
def test_create_refuses_with_the_field(city, place, kw, fields):
    with pytest.raises(Invalid) as exc:
        make(city, place, **kw)
    assert field_of(exc) == fields
    assert not Ballot.objects.exists()


def test_elevator_needs_affected_households_inside_the_unit(city):
    with pytest.raises(Invalid) as exc:
        make(city, "U1", rule="elevator", affected_household_ids=[city.households["H201"].pk])
    assert field_of(exc) == {"affected_households"}


def test_default_options_and_candidates(city):
    with translation.override("en"):
        ballot = make(city)
    labels = [(o.label, o.approves) for o in ballot.options.order_by("order")]
    assert labels == [("Approve", True), ("Against", False), ("Abstain", False)]
    choice = make(
        city, electorate="households", rule="simple", options=["甲方案", "乙方案", "丙方案"]
    )
    assert not choice.options.filter(approves=True).exists()


def test_only_ballot_runners_of_the_scope_create(city):
    for key in ("grid_worker", "property_manager", "owners_committee_2", "community_staff_2"):
        with pytest.raises(Forbidden):
            make(city, user=key)
    assert make(city, user="owners_committee").pk


def test_update_while_draft_only(city):
    ballot = make(city)
    staff = city.users["community_staff"]
    services.update_ballot(user=staff, ballot=ballot, title="新问题", secret=True)
    ballot.refresh_from_db()
    assert ballot.title == "新问题" and ballot.secret and ballot.options.count() == 3
    with pytest.raises(Invalid) as exc:
        services.update_ballot(user=staff, ballot=ballot, rule="special", electorate="households")
    assert field_of(exc) == {"electorate"}
    services.open_ballot(user=staff, ballot=ballot)
    with pytest.raises(Conflict) as conflict:
        services.update_ballot(user=staff, ballot=ballot, title="再改")
    assert conflict.value.code == "wrong_status"


# --- Votes ----------------------------------------------------------------------------------------


def test_one_vote_per_elector_a_change_replaces_it(city):
    spouse = person("13700000004")
    live(spouse, city.households["H101"], Relation.CO_OWNER)
    ballot = opened(city)
    owner = city.users["owner"]
    services.cast_vote(user=owner, ballot=ballot, option_id=option(ballot, 0).pk)
    services.cast_vote(user=owner, ballot=ballot, option_id=option(ballot, 0).pk)
    vote = services.cast_vote(user=spouse, ballot=ballot, option_id=option(ballot, 1).pk)
    assert Vote.objects.filter(ballot=ballot).count() == 1
    vote.refresh_from_db()
    assert vote.option == option(ballot, 1) and vote.cast_by == spouse and vote.changed_at
    verbs = list(
        AuditEvent.objects.filter(verb__startswith="ballot.vote").values_list("verb", flat=True)
    )
    assert sorted(verbs) == ["ballot.vote", "ballot.vote_change"]


def test_a_final_vote_cannot_change(city):
    ballot = opened(city, changeable=False)
    owner = city.users["owner"]
    services.cast_vote(user=owner, ballot=ballot, option_id=option(ballot, 0).pk)
    with pytest.raises(Conflict) as exc:
        services.cast_vote(user=owner, ballot=ballot, option_id=option(ballot, 1).pk)
    assert exc.value.code == "already_voted"
    assert Vote.objects.get(ballot=ballot).option == option(ballot, 0)


def test_only_the_electorate_votes_and_only_while_open(city):
    ballot = make(city)
    with pytest.raises(Conflict) as exc:
        services.cast_vote(user=city.users["owner"], ballot=ballot, option_id=option(ballot, 0).pk)
    assert exc.value.code == "not_open"
    services.open_ballot(user=city.users["community_staff"], ballot=ballot)
    for key in ("tenant", "owner_2", "community_staff", "newcomer"):
        with pytest.raises(Forbidden) as refused:
            services.cast_vote(user=city.users[key], ballot=ballot, option_id=option(ballot, 0).pk)
        assert refused.value.code == "not_elector"
    with pytest.raises(Invalid) as bad:
        services.cast_vote(user=city.users["owner"], ballot=ballot, option_id=999999)
    assert field_of(bad) == {"option"}
    with later(), pytest.raises(Conflict) as ended:
        services.cast_vote(user=city.users["owner"], ballot=ballot, option_id=option(ballot, 0).pk)
    assert ended.value.code == "voting_ended"
    assert not Vote.objects.exists()


def test_a_resident_of_two_households_chooses_which_to_vote_for(city):
    tenant = city.users["tenant"]
    live(tenant, city.households["H201"], Relation.FAMILY)
    ballot = opened(city, electorate="households", rule="simple")
    with pytest.raises(Invalid) as exc:
        services.cast_vote(user=tenant, ballot=ballot, option_id=option(ballot, 0).pk)
    assert field_of(exc) == {"elector"}
    h201 = elector_of(ballot, city.households["H201"])
    services.cast_vote(
        user=tenant, ballot=ballot, option_id=option(ballot, 0).pk, elector_id=h201.pk
    )
    assert Vote.objects.get(ballot=ballot).elector == h201


def test_proxy_needs_a_name_and_the_written_authorisation(city, media):
    ballot = opened(city)
    staff = city.users["community_staff"]
    h102 = elector_of(ballot, city.households["H102"])
    args = {
        "user": staff,
        "ballot": ballot,
        "elector_id": h102.pk,
        "option_id": option(ballot, 0).pk,
    }
    with pytest.raises(Invalid) as exc:
        services.record_proxy_vote(**args, proxy_name="王代理", authorisation=None)
    assert field_of(exc) == {"authorisation"}
    with pytest.raises(Invalid) as exc:
        services.record_proxy_vote(**args, proxy_name="", authorisation=sheet())
    assert field_of(exc) == {"proxy_name"}
    with pytest.raises(Invalid) as exc:
        bad = SimpleUploadedFile("x.pdf", b"not a document", content_type="application/pdf")
        services.record_proxy_vote(**args, proxy_name="王代理", authorisation=bad)
    assert field_of(exc) == {"authorisation"}
    with pytest.raises(Forbidden):
        services.record_proxy_vote(
            **{**args, "user": city.users["grid_worker"]},
            proxy_name="王代理",
            authorisation=sheet(),
        )
    vote = services.record_proxy_vote(**args, proxy_name="王代理", authorisation=sheet())
    assert vote.method == VoteMethod.PROXY and vote.counted and vote.authorisation
    assert services.tally(ballot)[option(ballot, 0).pk].heads == 1
    with pytest.raises(Conflict) as again:
        services.record_proxy_vote(**args, proxy_name="李代理", authorisation=sheet())
    assert again.value.code == "already_voted"


def test_a_staff_recorded_vote_is_not_changed_online(city, media):
    ballot = opened(city)
    h101 = elector_of(ballot, city.households["H101"])
    services.record_proxy_vote(
        user=city.users["owners_committee"],
        ballot=ballot,
        elector_id=h101.pk,
        option_id=option(ballot, 0).pk,
        proxy_name="王代理",
        authorisation=sheet(),
    )
    with pytest.raises(Conflict) as exc:
        services.cast_vote(user=city.users["owner"], ballot=ballot, option_id=option(ballot, 1).pk)
    assert exc.value.code == "recorded_by_staff"


def test_paper_ballots_count_after_a_second_person_confirms(city, media):
    ballot = opened(city)
    a, b = city.users["community_staff"], city.users["owners_committee"]
    h102 = elector_of(ballot, city.households["H102"])
    with pytest.raises(Invalid) as exc:
        services.enter_paper_vote(
            user=a, ballot=ballot, elector_id=h102.pk, option_id=option(ballot, 1).pk, scan=None
        )
    assert field_of(exc) == {"scan"}
    vote = services.enter_paper_vote(
        user=a, ballot=ballot, elector_id=h102.pk, option_id=option(ballot, 1).pk, scan=sheet()
    )
    assert not vote.counted and services.tally(ballot) == {}
    with pytest.raises(Conflict) as same:
        services.confirm_paper_vote(user=a, ballot=ballot, vote_id=vote.pk)
    assert same.value.code == "second_person_needed"
    with pytest.raises(Conflict) as same:
        services.reject_paper_vote(user=a, ballot=ballot, vote_id=vote.pk)
    assert same.value.code == "second_person_needed"
    services.confirm_paper_vote(user=b, ballot=ballot, vote_id=vote.pk)
    assert services.tally(ballot)[option(ballot, 1).pk].heads == 1
    with pytest.raises(Conflict) as twice:
        services.confirm_paper_vote(
            user=city.users["subdistrict_admin"], ballot=ballot, vote_id=vote.pk
        )
    assert twice.value.code == "already_confirmed"


def test_a_rejected_paper_entry_is_removed_and_can_be_entered_again(city, media):
    ballot = opened(city)
    a, b = city.users["community_staff"], city.users["owners_committee"]
    h102 = elector_of(ballot, city.households["H102"])
    args = {"ballot": ballot, "elector_id": h102.pk, "option_id": option(ballot, 1).pk}
    vote = services.enter_paper_vote(user=a, **args, scan=sheet())
    with pytest.raises(Conflict) as exc:
        services.enter_paper_vote(user=b, **args, scan=sheet())
    assert exc.value.code == "already_voted" and exc.value.field == "elector"
    services.reject_paper_vote(user=b, ballot=ballot, vote_id=vote.pk, reason="勾选的是反对")
    assert not Vote.objects.exists()
    again = services.enter_paper_vote(
        user=a, **{**args, "option_id": option(ballot, 0).pk}, scan=sheet()
    )
    assert again.option == option(ballot, 0)


# --- Secret ballots -------------------------------------------------------------------------------


def test_secret_ballots_keep_choices_out_of_the_audit(city, media):
    ballot = opened(city, secret=True)
    services.cast_vote(user=city.users["owner"], ballot=ballot, option_id=option(ballot, 1).pk)
    services.cast_vote(user=city.users["owner"], ballot=ballot, option_id=option(ballot, 0).pk)
    h102 = elector_of(ballot, city.households["H102"])
    vote = services.enter_paper_vote(
        user=city.users["community_staff"],
        ballot=ballot,
        elector_id=h102.pk,
        option_id=option(ballot, 2).pk,
        scan=sheet(),
    )
    services.confirm_paper_vote(user=city.users["owners_committee"], ballot=ballot, vote_id=vote.pk)
    events = AuditEvent.objects.filter(verb__startswith="ballot.", object_id=str(ballot.pk))
    verbs = set(events.values_list("verb", flat=True))
    assert {
        "ballot.vote",
        "ballot.vote_change",
        "ballot.paper_enter",
        "ballot.paper_confirm",
    } <= verbs
    for event in events:
        assert "option" not in event.data, event.verb
    # An open ballot's audit names the choice.
    plain = opened(city, "B2", electorate="households", rule="simple")
    services.cast_vote(
        user=city.users["party_liaison"], ballot=plain, option_id=option(plain, 0).pk
    )
    event = AuditEvent.objects.filter(verb="ballot.vote", object_id=str(plain.pk)).get()
    assert event.data["option"] == option(plain, 0).pk


# --- Closing, the sweep, publishing ---------------------------------------------------------------


def test_close_needs_the_closing_time_and_stores_the_arithmetic(city, media):
    ballot = opened(city)
    staff = city.users["community_staff"]
    services.cast_vote(user=city.users["owner"], ballot=ballot, option_id=option(ballot, 0).pk)
    h102 = elector_of(ballot, city.households["H102"])
    services.record_proxy_vote(
        user=staff,
        ballot=ballot,
        elector_id=h102.pk,
        option_id=option(ballot, 0).pk,
        proxy_name="王代理",
        authorisation=sheet(),
    )
    h201 = elector_of(ballot, city.households["H201"])
    services.enter_paper_vote(
        user=staff, ballot=ballot, elector_id=h201.pk, option_id=option(ballot, 1).pk, scan=sheet()
    )
    with pytest.raises(Conflict) as early:
        services.close_ballot(user=staff, ballot=ballot)
    assert early.value.code == "not_due"
    with later():
        with pytest.raises(Forbidden):
            services.close_ballot(user=city.users["property_manager"], ballot=ballot)
        services.close_ballot(user=staff, ballot=ballot)
    ballot.refresh_from_db()
    assert ballot.status == BallotStatus.CLOSED and ballot.closed_at
    # 2 of 3 owners (177.00 of 265.50 m²) took part: exactly 2/3 both ways; both approved.
    assert ballot.passed is True
    result = ballot.result
    assert result["unconfirmed_paper"] == 1
    assert [(x["measure"], x["numerator"], x["denominator"], x["ok"]) for x in result["lines"]] == [
        ("participating_area", "177.00", "265.50", True),
        ("participating_heads", "2", "3", True),
        ("approving_area", "177.00", "177.00", True),
        ("approving_heads", "2", "2", True),
    ]
    with pytest.raises(Conflict):
        services.close_ballot(user=staff, ballot=ballot)


def test_the_elevator_fails_without_an_affected_owners_consent(city):
    h101, h102 = city.households["H101"], city.households["H102"]
    h102.owner_mobile = "13911113333"
    h102.save()
    neighbour = person("13911113333")
    live(neighbour, h102)
    ballot = opened(city, "U1", rule="elevator", affected_household_ids=[h102.pk])
    services.cast_vote(user=city.users["owner"], ballot=ballot, option_id=option(ballot, 0).pk)
    services.cast_vote(user=neighbour, ballot=ballot, option_id=option(ballot, 1).pk)
    with later():
        services.close_ballot(user=city.users["community_staff"], ballot=ballot)
    ballot.refresh_from_db()
    lines = {x["measure"]: x for x in ballot.result["lines"]}
    assert lines["affected_consent"]["numerator"] == "0" and not lines["affected_consent"]["ok"]
    assert ballot.passed is False
    assert ballot.result["affected_households"] == [h102.pk]
    assert h101.pk  # the other owner's approval alone is one of two: not more than half either


def test_close_due_closes_each_due_ballot_once(city):
    due = opened(city)
    not_yet = opened(city, "B2", electorate="households", rule="simple", closes_at=soon(30))
    draft = make(city, "B1", electorate="households", rule="simple")
    services.cast_vote(user=city.users["owner"], ballot=due, option_id=option(due, 0).pk)
    # Closing time passed, but paper sheets handed in on time may still be entered for 48 h.
    entry_ends = due.closes_at + services.paper_entry_time()
    assert services.close_due(now=entry_ends - timedelta(seconds=1)) == 0
    now = entry_ends
    assert services.close_due(now=now) == 1
    assert services.close_due(now=now) == 0
    statuses = dict(Ballot.objects.values_list("pk", "status"))
    assert statuses == {
        due.pk: BallotStatus.CLOSED,
        not_yet.pk: BallotStatus.OPEN,
        draft.pk: BallotStatus.DRAFT,
    }
    assert AuditEvent.objects.filter(verb="ballot.close", actor=None).count() == 1


def test_open_due_opens_scheduled_drafts(city):
    ballot = make(city, opens_at=timezone.now() + timedelta(hours=1))
    assert services.open_due(now=timezone.now()) == 0
    assert services.open_due(now=timezone.now() + timedelta(hours=2)) == 1
    ballot.refresh_from_db()
    assert ballot.status == BallotStatus.OPEN and ballot.electorate_heads == 3


def test_publish_puts_the_arithmetic_on_the_notice_board_and_tells_the_electorate(
    city, django_capture_on_commit_callbacks
):
    spouse = person("13700000005")
    live(spouse, city.households["H101"], Relation.CO_OWNER)
    with django_capture_on_commit_callbacks(execute=True):
        ballot = opened(city)
    told = set(
        Notification.objects.filter(kind="deliberation.ballot").values_list(
            "recipient_id", flat=True
        )
    )
    assert told == {city.users["owner"].pk, spouse.pk}
    services.cast_vote(user=spouse, ballot=ballot, option_id=option(ballot, 0).pk)
    staff = city.users["owners_committee"]
    with pytest.raises(Conflict):
        services.publish_result(user=staff, ballot=ballot)
    with later():
        services.close_ballot(user=staff, ballot=ballot)
    with django_capture_on_commit_callbacks(execute=True):
        publication = services.publish_result(user=staff, ballot=ballot)
    ballot.refresh_from_db()
    assert ballot.status == BallotStatus.PUBLISHED and ballot.passed is False
    assert publication.kind == Publication.Kind.BALLOT and publication.ballot == ballot
    assert publication.path == ballot.path
    # 1 of 3 owners took part: the headcount line shows the arithmetic and fails.
    assert "1 / 3 = 33.33% ≥ 2/3 ✗" in publication.body
    assert "88.50 / 265.50 m² = 33.33% ≥ 2/3 ✗" in publication.body
    assert Notification.objects.filter(kind="deliberation.ballot").count() == 4
    with pytest.raises(Conflict):
        services.publish_result(user=staff, ballot=ballot)


def test_the_tally_is_one_query(city, django_assert_num_queries):
    ballot = opened(city)
    services.cast_vote(user=city.users["owner"], ballot=ballot, option_id=option(ballot, 0).pk)
    with django_assert_num_queries(1):
        counts = services.tally(ballot)
    assert counts == {option(ballot, 0).pk: services.OptionCount(1, Decimal("88.50"), 0)}
