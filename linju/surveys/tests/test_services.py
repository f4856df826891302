import pytest

from linju.core.errors import Conflict, Forbidden, Invalid
from linju.core.models import AuditEvent
from linju.surveys import queries, services
from linju.surveys.models import Response

from .conftest import QUESTIONS, answers_for, make_survey

pytestmark = pytest.mark.django_db


def test_create_needs_a_manager(city):
    with pytest.raises(Forbidden):
        services.create_survey(
            user=city.users["grid_worker"],
            place_id=city.places["C1"].pk,
            title="x",
            audience="person",
            opens_on="2026-01-01",
            closes_on="2026-02-01",
            questions=QUESTIONS,
        )


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": ""}, "title"),
        ({"audience": "x"}, "audience"),
        ({"opens_on": "nope"}, "opens_on"),
        ({"closes_on": "2025-01-01"}, "closes_on"),
        ({"questions": []}, "questions"),
        ({"questions": [{"kind": "single", "text": "a", "options": ["x"]}]}, "questions.0.options"),
        ({"questions": [{"kind": "bad", "text": "a"}]}, "questions.0.kind"),
        (
            {"questions": [{"kind": "text", "text": "a", "show_if": 1, "show_if_option": 1}]},
            "questions.0.show_if",
        ),
        (
            {"questions": [QUESTIONS[0], {"kind": "text", "text": "b", "show_if": 1}]},
            "questions.1.show_if_option",
        ),
    ],
)
def test_create_names_the_field(city, change, field):
    data = {
        "title": "t",
        "audience": "person",
        "opens_on": "2026-01-01",
        "closes_on": "2026-02-01",
        "questions": QUESTIONS,
        **change,
    }
    with pytest.raises(Invalid) as exc:
        services.create_survey(
            user=city.users["community_staff"], place_id=city.places["C1"].pk, **data
        )
    assert field in exc.value.errors


def test_condition_applied_on_server(city, survey):
    owner = city.users["owner"]
    # Not "Parking": question 3 is hidden, not required, and its answer dropped.
    r = services.submit_response(
        user=owner, survey=survey, answers=answers_for(survey, first=1, text="ignored")
    )
    assert r.answers.count() == 2
    assert r.household == city.households["H101"]
    ev = AuditEvent.objects.get(verb="surveys.respond")
    assert ev.actor == owner


def test_shown_question_is_required(city, survey):
    answers = answers_for(survey, first=0, text="")
    with pytest.raises(Invalid) as exc:
        services.submit_response(user=city.users["owner"], survey=survey, answers=answers)
    q3 = survey.questions.get(position=3)
    assert f"answers.{q3.pk}" in exc.value.errors
    assert not Response.objects.exists()


def test_bad_answers_name_the_question(city, survey):
    q1, q2 = survey.questions.order_by("position")[:2]
    for bad in ({str(q1.pk): 7}, {str(q1.pk): 0, str(q2.pk): [0, 0]}):
        with pytest.raises(Invalid):
            services.submit_response(user=city.users["owner"], survey=survey, answers=bad)


def test_once_per_household(city, survey):
    services.submit_response(user=city.users["owner"], survey=survey, answers=answers_for(survey))
    tenant = city.users["tenant"]  # H102: another household
    services.submit_response(user=tenant, survey=survey, answers=answers_for(survey))
    with pytest.raises(Conflict) as exc:
        services.submit_response(
            user=city.users["owner"], survey=survey, answers=answers_for(survey)
        )
    assert exc.value.code == "answered"


def test_outsiders_and_closed(city, survey):
    with pytest.raises(Forbidden):
        services.submit_response(
            user=city.users["owner_2"], survey=survey, answers=answers_for(survey)
        )
    services.close_survey(user=city.users["community_staff"], survey=survey)
    with pytest.raises(Conflict):
        services.submit_response(
            user=city.users["owner"], survey=survey, answers=answers_for(survey)
        )


def test_draft_is_not_open(city):
    survey = make_survey(city, open_it=False)
    with pytest.raises(Conflict):
        services.submit_response(
            user=city.users["owner"], survey=survey, answers=answers_for(survey)
        )


def test_paper_entry_and_anonymous(city):
    survey = make_survey(city, anonymous=True, audience="person", place="B1")
    worker = city.users["grid_worker"]
    r1 = services.enter_paper(user=worker, survey=survey, answers=answers_for(survey))
    r2 = services.enter_paper(
        user=worker,
        survey=survey,
        answers=answers_for(survey),
        household_id=city.households["H102"].pk,
    )
    assert r1.paper and r2.paper and r2.household == city.households["H102"]
    with pytest.raises(Invalid) as exc:
        services.enter_paper(
            user=worker,
            survey=survey,
            answers=answers_for(survey),
            household_id=city.households["H301"].pk,
        )
    assert "household" in exc.value.errors
    with pytest.raises(Forbidden):
        services.enter_paper(user=city.users["owner"], survey=survey, answers=answers_for(survey))
    r3 = services.submit_response(
        user=city.users["owner"], survey=survey, answers=answers_for(survey)
    )
    assert r3.respondent is None


def test_results_coverage_and_borda(city, survey):
    services.submit_response(
        user=city.users["owner"], survey=survey, answers=answers_for(survey, ranking=(1, 0, 2))
    )
    services.submit_response(
        user=city.users["tenant"],
        survey=survey,
        answers=answers_for(survey, first=1, ranking=(1, 2, 0)),
    )
    res = queries.results(survey)
    assert [r["count"] for r in res[0]["rows"]] == [1, 1, 0]
    assert res[0]["rows"][0]["percent"] == 50
    demands = queries.demands(survey)
    # Borda with 3 options: Gym 2+2 = 4, Garden 1+0, Library 0+1.
    assert demands[0]["option"] == "Gym" and demands[0]["score"] == 4
    cov = {c["building"].name: (c["answered"], c["households"]) for c in queries.coverage(survey)}
    assert cov == {"B1": (2, 2), "B2": (0, 1)}


def test_make_needs(city, survey):
    from linju.projects.models import Need

    staff = city.users["community_staff"]
    with pytest.raises(Conflict):
        services.make_needs(user=staff, survey=survey)
    services.submit_response(user=city.users["owner"], survey=survey, answers=answers_for(survey))
    with pytest.raises(Forbidden):
        services.make_needs(user=city.users["grid_worker"], survey=survey)
    with pytest.raises(Invalid):
        services.make_needs(user=staff, survey=survey, top=0)
    needs = services.make_needs(user=staff, survey=survey, top=2)
    assert len(needs) == 2
    assert Need.objects.filter(source="survey", source_ref=f"survey:{survey.pk}").count() == 2
    assert AuditEvent.objects.filter(verb="surveys.needs").exists()
