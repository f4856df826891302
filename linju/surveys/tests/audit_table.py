"""Surveys' part of the audit coverage table (linju/core/tests/test_audit_coverage.py), with
the scenarios of the audited services."""

from linju.core.tests.audit_kinds import CLEAN, ERASE, READ, audited, exempt
from linju.core.tests.audit_scenarios import Case, scenario
from linju.surveys import services

S = "linju.surveys.services."

TABLE = {
    S + "create_survey": audited("surveys.create"),
    S + "open_survey": audited("surveys.open"),
    S + "close_survey": audited("surveys.close"),
    S + "submit_response": audited("surveys.respond"),
    S + "enter_paper": audited("surveys.paper"),
    S + "make_needs": audited("surveys.needs"),
    S + "shown": exempt(CLEAN),
    S + "clean_answers": exempt(CLEAN),
    "linju.surveys.privacy.export": exempt(READ),
    "linju.surveys.privacy.erase": exempt(ERASE, "linju.people.services.delete_account"),
}


def _survey(c, open_it=True):
    from .conftest import make_survey

    return make_survey(c.city, open_it=open_it)


def _answers(survey):
    from .conftest import answers_for

    return answers_for(survey)


@scenario(S + "create_survey")
def _(c):
    from .conftest import QUESTIONS

    staff = c.u["community_staff"]
    return Case(
        act=lambda: services.create_survey(
            user=staff,
            place_id=c.p["C1"].pk,
            title="t",
            audience="person",
            opens_on="2026-01-01",
            closes_on="2026-02-01",
            questions=QUESTIONS,
        ),
        actor=staff,
        obj=lambda s: s,
        within=c.p["C1"],
    )


@scenario(S + "open_survey")
def _(c):
    survey, staff = _survey(c, open_it=False), c.u["community_staff"]
    return Case(
        act=lambda: services.open_survey(user=staff, survey=survey),
        actor=staff,
        obj=survey,
        within=c.p["C1"],
    )


@scenario(S + "close_survey")
def _(c):
    survey, staff = _survey(c), c.u["community_staff"]
    return Case(
        act=lambda: services.close_survey(user=staff, survey=survey),
        actor=staff,
        obj=survey,
        within=c.p["C1"],
    )


@scenario(S + "submit_response")
def _(c):
    survey, owner = _survey(c), c.u["owner"]
    return Case(
        act=lambda: services.submit_response(user=owner, survey=survey, answers=_answers(survey)),
        actor=owner,
        obj=survey,
        within=c.p["C1"],
    )


@scenario(S + "enter_paper")
def _(c):
    survey, staff = _survey(c), c.u["community_staff"]
    return Case(
        act=lambda: services.enter_paper(user=staff, survey=survey, answers=_answers(survey)),
        actor=staff,
        obj=survey,
        within=c.p["C1"],
    )


@scenario(S + "make_needs")
def _(c):
    survey, staff = _survey(c), c.u["community_staff"]
    services.submit_response(user=c.u["owner"], survey=survey, answers=_answers(survey))
    return Case(
        act=lambda: services.make_needs(user=staff, survey=survey, top=1),
        actor=staff,
        obj=survey,
        within=c.p["C1"],
    )
