import pytest
from django.urls import reverse

from linju.core.models import AuditEvent
from linju.surveys import services
from linju.surveys.models import Response, Survey

from .conftest import answers_for, make_survey

pytestmark = pytest.mark.django_db


def test_home_lists_for_staff_and_residents(client, city, survey, django_assert_max_num_queries):
    make_survey(city, place="C2")
    client.force_login(city.users["community_staff"])
    for _ in range(3):
        make_survey(city)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("surveys:home")).content.decode()
    assert page.count("Demands 2026") == 4
    client.force_login(city.users["owner"])
    page = client.get(reverse("surveys:home")).content.decode()
    assert "Demands 2026" in page
    client.force_login(city.users["owner_2"])
    page = client.get(reverse("surveys:home")).content.decode()
    assert page.count("Demands 2026") == 1  # only C2's


def test_builder_creates_a_draft(client, city):
    client.force_login(city.users["community_staff"])
    assert client.get(reverse("surveys:new")).status_code == 200
    data = {
        "place": city.places["C1"].pk,
        "title": "Elevator",
        "audience": "household",
        "opens_on": "2026-01-01",
        "closes_on": "2026-03-01",
        "q1_kind": "single",
        "q1_text": "Install?",
        "q1_options": "Yes\nNo",
        "q1_required": "on",
        "q2_kind": "text",
        "q2_text": "Why not?",
        "q2_show_if": "1",
        "q2_show_if_option": "2",
    }
    r = client.post(reverse("surveys:new"), data)
    survey = Survey.objects.get(title="Elevator")
    assert r.status_code == 302 and survey.status == "draft"
    q2 = survey.questions.get(position=2)
    assert q2.show_if.position == 1 and q2.show_if_option == 1


def test_builder_names_the_row(client, city):
    client.force_login(city.users["community_staff"])
    data = {
        "place": city.places["C1"].pk,
        "title": "Elevator",
        "audience": "household",
        "opens_on": "2026-01-01",
        "closes_on": "2026-03-01",
        "q3_kind": "single",
        "q3_text": "Install?",
        "q3_options": "Only one",
    }
    r = client.post(reverse("surveys:new"), data)
    assert r.status_code == 200
    assert "Give 2 to 20 options." in str(r.context["form"].errors["q3_options"])
    r = client.post(reverse("surveys:new"), {**data, "q3_kind": "", "q3_text": ""})
    assert "Add at least one question." in str(r.context["form"].errors["q1_text"])
    assert not Survey.objects.exists()


def test_resident_answers_and_condition(client, city, survey):
    q1, q2, q3, *_ = survey.questions.order_by("position")
    client.force_login(city.users["owner"])
    url = reverse("surveys:detail", args=[survey.pk])
    page = client.get(url).content.decode()
    assert "Most urgent?" in page and "Only if you answered question 1" in page
    # "Parking" shows question 3, which is then required.
    r = client.post(url, {f"q{q1.pk}": "0", f"q{q2.pk}_1": "2", f"q{q2.pk}_2": "0"})
    assert r.status_code == 200
    assert "Answer this question." in str(r.context["form"].errors[f"q{q3.pk}"])
    r = client.post(url, {f"q{q1.pk}": "1", f"q{q2.pk}_1": "2", f"q{q3.pk}": "dropped"})
    assert r.status_code == 302
    response = Response.objects.get()
    assert [a.question_id for a in response.answers.order_by("question__position")] == [
        q1.pk,
        q2.pk,
    ]
    assert "You have answered this survey" in client.get(url).content.decode()


def test_staff_open_close_and_results(client, city):
    survey = make_survey(city, open_it=False)
    client.force_login(city.users["community_staff"])
    url = reverse("surveys:detail", args=[survey.pk])
    assert client.post(url, {"action": "open"}).status_code == 302
    r = client.post(url, {"action": "open"})
    assert "Only a draft can be opened." in r.content.decode()
    services.submit_response(user=city.users["owner"], survey=survey, answers=answers_for(survey))
    r = client.get(reverse("surveys:results", args=[survey.pk]))
    page = r.content.decode()
    assert "<meter" in page and "Coverage by building" in page and "Garden" in page
    r = client.post(reverse("surveys:results", args=[survey.pk]), {"top": "2"})
    assert r.status_code == 302
    assert AuditEvent.objects.filter(verb="projects.need_create").count() == 2
    assert client.post(url, {"action": "close"}).status_code == 302


def test_results_refused_to_residents(client, city, survey):
    client.force_login(city.users["owner"])
    assert client.get(reverse("surveys:results", args=[survey.pk])).status_code == 403
    client.force_login(city.users["owner_2"])
    assert client.get(reverse("surveys:detail", args=[survey.pk])).status_code == 404


def test_paper_entry_page(client, city, survey):
    q1, q2, *_ = survey.questions.order_by("position")
    client.force_login(city.users["community_staff"])
    url = reverse("surveys:paper", args=[survey.pk])
    assert client.get(url).status_code == 200
    r = client.post(
        url, {"household": city.households["H201"].pk, f"q{q1.pk}": "1", f"q{q2.pk}_1": "0"}
    )
    assert r.status_code == 302
    assert Response.objects.get().paper


def test_export(client, city):
    import io

    from openpyxl import load_workbook

    survey = make_survey(city, anonymous=True, place="B1")
    services.submit_response(
        user=city.users["owner"], survey=survey, answers=answers_for(survey, text="=1+1")
    )
    client.force_login(city.users["community_staff"])
    r = client.get(reverse("surveys:export", args=[survey.pk]))
    book = load_workbook(io.BytesIO(b"".join(r.streaming_content)))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[1][:3] == ("Submitted", "Paper", "Household")
    assert "Respondent" not in rows[1]
    assert "=1+1" in rows[2] and "Garden > Gym > Library" in rows[2]
    client.force_login(city.users["grid_worker"])
    assert client.get(reverse("surveys:export", args=[survey.pk])).status_code == 403
