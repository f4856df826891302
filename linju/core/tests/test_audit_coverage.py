"""Audit coverage (DESIGN §4 Audit, issue 8 §6): every write of governance weight leaves an
append-only audit event.

The services are listed by introspection — every public function defined in a `services*` or
`privacy` module of a Linju app, and in the other modules that write governance records
(OTHER_WRITERS) — and each must be classified in TABLE: audited, with the verbs its event uses,
or exempt, with the reason. Each audited service is then called for real (a scenario in
audit_scenarios.py) and must write, in that call, an event with its verb, its actor, its object
and a scope inside the object's place. docs/audit.md describes the table."""

import importlib
import inspect
import pkgutil
import re
from pathlib import Path

import pytest
from django.apps import apps

from linju.activities.tests.conftest import hood  # noqa: F401  (fixtures for the scenarios)
from linju.core.models import AuditEvent
from linju.reports.tests.conftest import media  # noqa: F401

from .audit_kinds import CALLER, CLEAN, ERASE, READ, Audited, Exempt, audited, exempt
from .audit_scenarios import SCENARIOS, Ctx

pytestmark = pytest.mark.django_db

# Modules that write governance records without being called services.
OTHER_WRITERS = (
    "linju.core.tokens",
    "linju.deliberation.electorate",
    "linju.deliberation.publishing",
    "linju.people.roster",
    "linju.points.earning",
    "linju.points.ledger",
    "linju.projects.ledger",
    "linju.ratings.evaluations",
    "linju.ratings.ranking",
)
# Modules that write audit events or ledger entries and hold no service.
NOT_SERVICES = {
    "demo": "demo data loaders: they drive the services, and mark a loaded demo with an event",
    "admin_audit": "Django admin's repairs (AuditedAdmin); tested in core/tests/test_admin.py",
}


A = "linju.activities."
C = "linju.core."
D = "linju.deliberation."
PE = "linju.people."
PL = "linju.places."
PO = "linju.points."
RA = "linju.ratings."
RE = "linju.reports."

TABLE = {
    # --- places
    PL + "services.create_place": audited("place.create"),
    PL + "services.create_grid": audited("grid.create"),
    PL + "services.create_household": audited("household.create"),
    PL + "services.parse_area": exempt(CLEAN),
    # --- people: accounts, residencies, roles, the party overlay, the roster
    PE + "services.clean_mobile": exempt(CLEAN),
    PE + "services.send_code": exempt(
        "authentication: a one-time code, kept (hashed, rate limited) as an SmsCode row"
    ),
    PE + "services.login_with_code": exempt(
        "authentication: logins and failures are django-axes' access logs"
    ),
    PE + "services.verify_with_code": exempt(
        "authentication: the second factor of the admin step-up spends a one-time code"
    ),
    PE + "services.sign_up": audited("account.signup"),
    PE + "services.give_consent": audited("account.consent"),
    PE + "services.update_preferences": exempt("a personal preference (elder mode, language)"),
    PE + "services.change_password": audited("account.password_change"),
    PE + "services.end_other_sessions": audited("account.sessions_end"),
    PE + "services.login_history": exempt(READ),
    PE + "services.verifiers_for": exempt(READ),
    PE + "services.request_residency": audited("residency.request"),
    PE + "services.request_residency_by_invite": audited("residency.request"),
    PE + "services.decide_residency": audited("residency.verify", "residency.reject"),
    PE + "services.end_residency": audited("residency.end"),
    PE + "services.grant_role": audited("role.grant"),
    PE + "services.revoke_role": audited("role.revoke"),
    PE + "services.export_personal_data": exempt("a read: the person's own data download"),
    PE + "services.delete_account": audited("account.delete"),
    PE + "services.person_by_mobile": exempt(READ),
    PE + "services.create_party_organisation": audited("party.organisation_create"),
    PE + "services.add_party_member": audited("party.member_add"),
    PE + "services.remove_party_member": audited("party.member_remove"),
    PE + "services.set_liaison_household": audited("party.liaison_set"),
    PE + "services.link_served_households": audited("party.served_link"),
    PE + "services.end_liaison_household": audited("party.liaison_end"),
    PE + "roster.import_roster": audited("people.roster_import"),
    PE + "roster.invite_codes": exempt("generates random codes; writes nothing"),
    PE + "roster.template_csv": exempt(READ),
    PE + "roster.template_xlsx": exempt(READ),
    # --- core: API tokens and the PIPL hooks
    C + "tokens.create_token": audited("token.create"),
    C + "tokens.revoke_token": audited("token.revoke"),
    C + "tokens.user_for_key": exempt("authentication: looks a token up (and stamps last use)"),
    C + "privacy.register": exempt("wiring at start-up: an app names its export and erase"),
    C + "privacy.export": exempt(READ),
    C + "privacy.erase": exempt(ERASE, PE + "services.delete_account"),
    A + "privacy.export": exempt(READ),
    A + "privacy.erase": exempt(ERASE, PE + "services.delete_account"),
    D + "privacy.export": exempt(READ),
    D + "privacy.erase": exempt(ERASE, PE + "services.delete_account"),
    PO + "privacy.export": exempt(READ),
    PO + "privacy.erase": exempt(ERASE, PE + "services.delete_account"),
    RA + "privacy.export": exempt(READ),
    RA + "privacy.erase": exempt(ERASE, PE + "services.delete_account"),
    RE + "privacy.export": exempt(READ),
    RE + "privacy.erase": exempt(ERASE, PE + "services.delete_account"),
    # --- reports
    RE + "services.submit_report": audited("report.submit"),
    RE + "services.support_report": audited("report.support"),
    RE + "services.accept_report": audited("report.accept"),
    RE + "services.reject_report": audited("report.reject"),
    RE + "services.dispatch_report": audited("report.dispatch"),
    RE + "services.bulk_dispatch": audited("report.dispatch"),
    RE + "services.start_work": audited("report.start"),
    RE + "services.resolve_report": audited("report.resolve"),
    RE + "services.confirm_report": audited("report.confirm"),
    RE + "services.reopen_report": audited("report.reopen"),
    RE + "services.rate_report": audited("report.rate"),
    RE + "services.escalate_report": audited("report.escalated"),
    RE + "services.extend_deadline": audited("report.extend"),
    RE + "services.sweep_overdue": audited("report.auto_escalated"),
    RE + "services.close_unconfirmed": audited("report.auto_closed"),
    RE + "services.merge_report": audited("report.merge"),
    RE + "services.open_joint_case": audited("report.joint"),
    RE + "services.post_message": exempt(
        "a message in a joint case's thread: the Message row keeps author, role and time; "
        "the report does not change"
    ),
    RE + "services.add_note": exempt(
        "a note on the timeline: the Step row keeps who and when; the report does not change"
    ),
    RE + "services.save_category": audited("report.category.save"),
    RE + "services.save_attribute": audited("report.category.attribute"),
    RE + "services.delete_attribute": audited("report.category.attribute_delete"),
    # --- deliberation: topics
    D + "services_topics.topic_url": exempt(READ),
    D + "services_topics.desk_url": exempt(READ),
    D + "services_topics.organisers_of": exempt(READ),
    D + "services_topics.scope_households": exempt(READ),
    D + "services_topics.support_rule_for": exempt(READ),
    D + "services_topics.support_threshold": exempt(READ),
    D + "services_topics.threshold_of": exempt("arithmetic; writes nothing"),
    D + "services_topics.propose_topic": audited("deliberation.propose"),
    D + "services_topics.support_topic": audited("deliberation.support"),
    D + "services_topics.unsupport_topic": audited("deliberation.unsupport"),
    D + "services_topics.withdraw_topic": audited("deliberation.withdraw"),
    D + "services_topics.decline_topic": audited("deliberation.decline"),
    D + "services_topics.put_on_agenda": audited("deliberation.agenda"),
    D + "services_topics.start_procedure": audited("deliberation.start_procedure"),
    D + "services_topics.complete_stage": audited("deliberation.complete_stage"),
    D + "services_topics.record_topic_decision": audited("deliberation.decide"),
    D + "services_topics.rate_topic": audited("deliberation.rate"),
    D + "services_topics.subject_of": exempt(READ),
    D + "services_topics.close_evaluation": audited("deliberation.close_evaluation"),
    D + "services_topics.close_due_evaluations": audited("deliberation.evaluation_closed"),
    D + "services_topics.may_assign": exempt(READ),
    D + "services_topics.may_own": exempt(READ),
    D + "services_topics.add_task": audited("deliberation.add_task"),
    D + "services_topics.update_task": audited("deliberation.update_task"),
    D + "services_topics.cancel_task": audited("deliberation.cancel_task"),
    D + "services_topics.flag_overdue_tasks": audited("deliberation.task_overdue"),
    D + "publishing.publish": audited("deliberation.publish"),
    D + "publishing.record_decision": audited("deliberation.decide"),
    D + "publishing.topic_followers": exempt(READ),
    D + "publishing.revise": exempt(CALLER, "linju.ratings.services_rounds.publish_round"),
    # --- deliberation: meetings
    D + "services_meetings.meeting_url": exempt(READ),
    D + "services_meetings.needed_for": exempt("arithmetic; writes nothing"),
    D + "services_meetings.quorum": exempt(READ),
    D + "services_meetings.quorum_of": exempt("arithmetic; writes nothing"),
    D + "services_meetings.create_meeting": audited("deliberation.meeting.create"),
    D + "services_meetings.update_meeting": audited("deliberation.meeting.update"),
    D + "services_meetings.topics_for": exempt(READ),
    D + "services_meetings.set_agenda": audited("deliberation.meeting.agenda"),
    D + "services_meetings.add_topic": audited("deliberation.meeting.agenda"),
    D + "services_meetings.remove_topic": audited("deliberation.meeting.agenda"),
    D + "services_meetings.role_holders": exempt(READ),
    D + "services_meetings.scope_members": exempt(READ),
    D + "services_meetings.invite": audited("deliberation.meeting.invite"),
    D + "services_meetings.notice_text": exempt(READ),
    D + "services_meetings.earliest_start": exempt("arithmetic; writes nothing"),
    D + "services_meetings.send_notice": audited("deliberation.meeting.notice"),
    D + "services_meetings.rsvp": exempt(
        "the invitee's own yes/no/maybe, kept on the invitation with its time; attendance, "
        "which counts for the quorum, is audited at check-in"
    ),
    D + "services_meetings.is_open_kind": exempt(READ),
    D + "services_meetings.lives_in_scope": exempt(READ),
    D + "services_meetings.checkin_problem": exempt(READ),
    D + "services_meetings.check_in": audited("deliberation.meeting.check_in"),
    D + "services_meetings.check_in_by_host": audited("deliberation.meeting.host_check_in"),
    D + "services_meetings.rotate_token": audited("deliberation.meeting.rotate_token"),
    D + "services_meetings.record_minutes": audited("deliberation.meeting.minutes"),
    D + "services_meetings.cancel": audited("deliberation.meeting.cancel"),
    D + "services_meetings.may_manage_kinds": exempt(READ),
    D + "services_meetings.save_kind": audited("deliberation.meeting_kind.save"),
    # --- deliberation: ballots and the electorate
    D + "services_ballots.clean_document": exempt(CLEAN),
    D + "services_ballots.default_options": exempt(READ),
    D + "services_ballots.affected_households": exempt(READ),
    D + "services_ballots.create_ballot": audited("ballot.create"),
    D + "services_ballots.update_ballot": audited("ballot.update"),
    D + "services_ballots.open_ballot": audited("ballot.open"),
    D + "services_ballots.open_due": audited("ballot.open"),
    D + "services_ballots.cast_vote": audited("ballot.vote", "ballot.vote_change"),
    D + "services_ballots.record_proxy_vote": audited("ballot.proxy_vote"),
    D + "services_ballots.enter_paper_vote": audited("ballot.paper_enter"),
    D + "services_ballots.confirm_paper_vote": audited("ballot.paper_confirm"),
    D + "services_ballots.reject_paper_vote": audited("ballot.paper_reject"),
    D + "services_ballots.tally": exempt(READ),
    D + "services_ballots.totals": exempt(READ),
    D + "services_ballots.evaluate": exempt(READ),
    D + "services_ballots.close_ballot": audited("ballot.close"),
    D + "services_ballots.paper_entry_time": exempt(READ),
    D + "services_ballots.close_due": audited("ballot.close"),
    D + "services_ballots.result_text": exempt(READ),
    D + "services_ballots.publish_result": audited("ballot.publish"),
    D + "electorate.freeze": exempt(
        CALLER + " (ballot.open, with the electorate's heads and area)",
        D + "services_ballots.open_ballot",
        D + "services_ballots.open_due",
    ),
    D + "electorate.owner_electors": exempt(READ),
    D + "electorate.household_electors": exempt(READ),
    D + "electorate.representative_electors": exempt(READ),
    D + "electorate.party_member_electors": exempt(READ),
    D + "electorate.living_households": exempt(READ),
    D + "electorate.living_households_under": exempt(READ),
    D + "electorate.community_of": exempt(READ),
    D + "electorate.representative_ids": exempt(READ),
    D + "electorate.party_member_ids": exempt(READ),
    # --- deliberation: settings
    D + "services_settings.is_verified_resident": exempt(READ),
    D + "services_settings.appoint_representative": audited("deliberation.representative_appoint"),
    D + "services_settings.end_representative": audited("deliberation.representative_end"),
    D + "services_settings.set_support_rule": audited("deliberation.support_rule_set"),
    D + "services_settings.clear_support_rule": audited("deliberation.support_rule_clear"),
    # --- ratings
    RA + "services_rubrics.create_rubric": audited("ratings.rubric_create"),
    RA + "services_rubrics.copy_rubric": audited("ratings.rubric_copy"),
    RA + "services_rubrics.update_rubric": audited("ratings.rubric_update"),
    RA + "services_rubrics.save_item": audited("ratings.rubric_item"),
    RA + "services_rubrics.delete_item": audited("ratings.rubric_item_delete"),
    RA + "services_rubrics.set_bands": audited("ratings.rubric_bands"),
    RA + "services_rubrics.put_to_residents": audited("ratings.rubric_consult"),
    RA + "services_rubrics.comment_rubric": audited("ratings.rubric_comment"),
    RA + "services_rubrics.check_complete": exempt(READ),
    RA + "services_rubrics.adopt_rubric": audited("ratings.rubric_adopt"),
    RA + "services_rounds.objection_days": exempt(READ),
    RA + "services_rounds.create_contest": audited("ratings.contest_create"),
    RA + "services_rounds.update_contest": audited("ratings.contest_update"),
    RA + "services_rounds.may_sit_for": exempt(READ),
    RA + "services_rounds.add_panellist": audited("ratings.panel_add"),
    RA + "services_rounds.end_panellist": audited("ratings.panel_end"),
    RA + "services_rounds.parse_period": exempt(CLEAN),
    RA + "services_rounds.period_end": exempt("arithmetic; writes nothing"),
    RA + "services_rounds.open_round": audited("ratings.round_open"),
    RA + "services_rounds.start_scoring": audited("ratings.round_scoring"),
    RA + "services_rounds.save_sheet": audited("ratings.sheet_save"),
    RA + "services_rounds.close_scoring": audited("ratings.round_review"),
    RA + "services_rounds.correct_entry": audited("ratings.correct"),
    RA + "services_rounds.publish_round": audited("ratings.round_publish"),
    RA + "services_rounds.notice_text": exempt(READ),
    RA + "services_rounds.reopen_review": audited("ratings.round_reopen"),
    RA + "services_rounds.lock_round": audited("ratings.round_lock"),
    RA + "services_rounds.remind_late_panellists": exempt(
        "a notification: late panellists are reminded once (the round's reminded_at)"
    ),
    RA + "services_rounds.lock_due_rounds": audited("ratings.round_lock"),
    RA + "services_awards.clean_year": exempt(CLEAN),
    RA + "services_awards.flag_table": exempt(READ),
    RA + "services_awards.heads_of_year": exempt(READ),
    RA + "services_awards.draft_awards": exempt(
        "a read: the unsaved preview confirm_awards writes"
    ),
    RA + "services_awards.set_head_duty": audited("ratings.head_duty"),
    RA + "services_awards.confirm_awards": audited("ratings.awards_confirm"),
    RA + "ranking.rank_round": exempt(
        CALLER,
        RA + "services_rounds.close_scoring",
        RA + "services_rounds.correct_entry",
        RA + "services_rounds.publish_round",
    ),
    RA + "evaluations.rubric_for": exempt(READ),
    RA + "evaluations.items_for": exempt(READ),
    RA + "evaluations.record": exempt(
        CALLER + " (deliberation.rate)", D + "services_topics.rate_topic"
    ),
    RA + "evaluations.summary": exempt(READ),
    # --- points: the ledgers, earning, the love supermarket
    PO + "ledger.locked_account": exempt("takes the account's lock (creating the row once)"),
    PO + "ledger.post_points": exempt(
        CALLER,
        PO + "services.adjust_points",
        PO + "services.record_service",
        PO + "services.expire_points",
        PO + "services_store.redeem",
        PO + "services_store.cancel",
    ),
    PO + "ledger.post_hours": exempt(
        CALLER,
        PO + "services.record_service",
        A + "services_teams.decide_service",
        A + "services_activities.confirm_attendance",
    ),
    PO + "earning.rules_at": exempt(READ),
    PO + "earning.rule_for": exempt(READ),
    PO + "earning.points_for": exempt("arithmetic; writes nothing"),
    PO + "earning.capped": exempt(READ),
    PO + "earning.earn": exempt(
        CALLER,
        PO + "services.record_service",
        A + "services_activities.confirm_attendance",
        RE + "services.accept_report",
        RA + "services_rounds.publish_round",
    ),
    PO + "services.clean_key": exempt(CLEAN),
    PO + "services.community_of": exempt(READ),
    PO + "services.clean_service": exempt(CLEAN),
    PO + "services.credit_service": exempt(
        CALLER + " (the hours and points it posts are in the event's data)",
        PO + "services.record_service",
        A + "services_teams.decide_service",
        A + "services_activities.confirm_attendance",
    ),
    PO + "services.credit_report": exempt(
        CALLER + " (report.accept; the entry's ref names the report)",
        RE + "services.accept_report",
        RE + "services.dispatch_report",
        RE + "services.bulk_dispatch",
    ),
    PO + "services.credit_flag": exempt(
        CALLER + " (ratings.round_publish; each entry's ref names the round)",
        RA + "services_rounds.publish_round",
    ),
    PO + "services.record_service": audited("points.service"),
    PO + "services.adjust_points": audited("points.adjust"),
    PO + "services.set_rule": audited("points.rule"),
    PO + "services.set_expiry": audited("points.expiry"),
    PO + "services.expire_points": audited("points.expire"),
    PO + "services_store.create_item": audited("points.item_create"),
    PO + "services_store.update_item": audited("points.item_update"),
    PO + "services_store.restock": audited("points.restock"),
    PO + "services_store.redeem": audited("points.redeem"),
    PO + "services_store.find_by_code": exempt(READ),
    PO + "services_store.collect": audited("points.collect"),
    PO + "services_store.cancel": audited("points.cancel"),
    # --- activities
    A + "services_activities.create_activity": audited("activities.create"),
    A + "services_activities.update_activity": audited("activities.update"),
    A + "services_activities.cancel_activity": audited("activities.cancel"),
    A + "services_activities.sign_up": audited("activities.sign_up"),
    A + "services_activities.cancel_sign_up": audited("activities.cancel_sign_up"),
    A + "services_activities.check_in": audited("activities.check_in"),
    A + "services_activities.check_in_person": audited("activities.check_in"),
    A + "services_activities.confirm_attendance": audited("activities.confirm"),
    A + "services_activities.add_photos": audited("activities.photos"),
    A + "services_activities.delete_photo": audited("activities.photo_delete"),
    A + "services_talents.set_talent": audited("activities.talent"),
    A + "services_talents.remove_talent": audited("activities.talent_remove"),
    A + "services_talents.invite": audited("activities.invite"),
    A + "services_talents.answer": audited("activities.answer"),
    A + "services_teams.create_team": audited("activities.team_create"),
    A + "services_teams.update_team": audited("activities.team_update"),
    A + "services_teams.join_team": audited("activities.team_join"),
    A + "services_teams.add_team_member": audited("activities.team_member"),
    A + "services_teams.leave_team": audited("activities.team_leave"),
    A + "services_teams.submit_service": audited("activities.service_submit"),
    A + "services_teams.decide_service": audited(
        "activities.service_confirm", "activities.service_reject"
    ),
    A + "services_teams.create_group": audited("activities.group_create"),
    A + "services_teams.update_group": audited("activities.group_update"),
    A + "services_teams.join_group": audited("activities.group_join"),
    A + "services_teams.add_group_member": audited("activities.group_member"),
    A + "services_teams.leave_group": audited("activities.group_leave"),
}

# Apps whose table and scenarios live beside their own tests: "<module>" with TABLE (and its
# scenarios registered with audit_scenarios.scenario when imported).
APP_TABLES = (
    "linju.projects.tests.audit_table",
    "linju.surveys.tests.audit_table",
    "linju.services.tests.audit_table",
    "linju.mutualaid.tests.audit_table",
    "linju.notices.tests.audit_table",
    "linju.notices.tests.audit_table_newsletter",
)
for _module in APP_TABLES:
    _part = importlib.import_module(_module).TABLE
    assert not set(_part) & set(TABLE), f"{_module} repeats entries of TABLE"
    TABLE.update(_part)

GOVERNANCE = sorted(name for name, kind in TABLE.items() if isinstance(kind, Audited))
HOW_TO_CLASSIFY = (
    "Classify it in TABLE of linju/core/tests/test_audit_coverage.py: audited('<verb>') if it "
    "changes something of governance weight (and write that event inside its transaction, "
    "with a scenario in audit_scenarios.py), or exempt('<why>') — a read, input cleaning, a "
    "personal preference, a notification, or exempt(CALLER, '<the audited caller>')."
)


def service_modules() -> list[str]:
    """The `services*` and `privacy` modules of every Linju app, and OTHER_WRITERS."""
    found = []
    for config in apps.get_app_configs():
        if config.name.startswith("linju."):
            for module in pkgutil.iter_modules([config.path]):
                if module.name.startswith("services") or module.name == "privacy":
                    found.append(f"{config.name}.{module.name}")
    return sorted([*found, *OTHER_WRITERS])


def listed_services() -> dict:
    """{dotted name: function} of every public function those modules define (not import)."""
    listed = {}
    for name in service_modules():
        module = importlib.import_module(name)
        for attr, fn in inspect.getmembers(module, inspect.isfunction):
            if not attr.startswith("_") and fn.__module__ == name:
                listed[f"{name}.{attr}"] = fn
    return listed


# A module that writes audit events or ledger entries holds services.
WRITES = re.compile(
    r"\baudit\.record\(|(?<!class )\bAuditEvent\(|\bpost_(points|hours)\("
    r"|\bFundEntry\.objects\.create\("
)


def test_every_listed_service_is_classified():
    listed = listed_services()
    assert len(listed) > 200  # the introspection found the apps' modules
    missing = sorted(set(listed) - set(TABLE))
    assert not missing, f"Not classified for audit: {', '.join(missing)}. {HOW_TO_CLASSIFY}"
    gone = sorted(set(TABLE) - set(listed))
    assert not gone, f"Classified but no longer a listed service (remove them): {gone}"


def test_modules_that_write_audit_events_are_listed():
    listed = set(service_modules())
    unlisted = []
    for config in apps.get_app_configs():
        if not config.name.startswith("linju."):
            continue
        for path in Path(config.path).rglob("*.py"):
            parts = path.relative_to(config.path).with_suffix("").parts
            if {"tests", "migrations"} & set(parts) or parts[-1] in NOT_SERVICES:
                continue
            module = ".".join([config.name, *parts])
            if module not in listed and WRITES.search(path.read_text()):
                unlisted.append(module)
    assert not unlisted, (
        f"{unlisted} write audit events or ledger entries: add them to OTHER_WRITERS in "
        "linju/core/tests/test_audit_coverage.py and classify their functions."
    )


def test_exempt_callers_are_audited_services():
    for name, kind in TABLE.items():
        if isinstance(kind, Exempt):
            assert kind.reason, name
            for caller in kind.callers:
                assert isinstance(TABLE.get(caller), Audited), (
                    f"{name} says {caller} audits it, but {caller} is not an audited service"
                )


def test_every_audited_service_has_a_scenario():
    missing = sorted(set(GOVERNANCE) - set(SCENARIOS))
    assert not missing, f"Audited services without a scenario in audit_scenarios.py: {missing}"
    stray = sorted(set(SCENARIOS) - set(GOVERNANCE))
    assert not stray, f"Scenarios of services not classified as audited: {stray}"


def _expected(value, result):
    return value(result) if callable(value) else value


@pytest.mark.parametrize("name", GOVERNANCE)
def test_governance_service_writes_its_event(name, city, request):
    case = SCENARIOS[name](Ctx(city=city, fixture=request.getfixturevalue))
    last = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    result = case.act()
    actor = _expected(case.actor, result)
    obj = _expected(case.obj, result)
    within = _expected(case.within, result)
    written = list(AuditEvent.objects.filter(pk__gt=last).order_by("pk"))
    verbs = TABLE[name].verbs
    mine = [
        e
        for e in written
        if e.verb in verbs and e.object_type == obj._meta.label_lower and e.object_id == str(obj.pk)
    ]
    assert mine, (
        f"{name} wrote no {' or '.join(verbs)} event on {obj._meta.label_lower} #{obj.pk}; "
        f"it wrote {[(e.verb, e.object_type, e.object_id) for e in written]}"
    )
    event = mine[0]
    assert event.actor_id == getattr(actor, "pk", None), f"{name}: the event's actor"
    if within is None:
        assert event.scope_path == "", f"{name}: a city-wide object's event has the root scope"
    else:
        assert event.scope_path.startswith(within.path), (
            f"{name}: scope {event.scope_path!r} is not inside {within} ({within.path})"
        )
