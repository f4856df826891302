"""The demo of surveys (linju.surveys.demo), loaded on the people demo at a small scale: it makes
its rows through the services once; a second run changes nothing."""

from linju.core.models import AuditEvent
from linju.people import demo as people_demo
from linju.surveys import demo


def test_nothing_without_the_demo_community(db):
    assert demo.load_demo() is None


def test_the_demo_loads_once(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    people_demo.load_demo(scale=0.05)
    made = demo.load_demo()
    assert made and all(n > 0 for n in made.values())
    from linju.projects.models import Need
    from linju.surveys.models import Response, Survey

    assert sorted(Survey.objects.values_list("status", flat=True)) == ["closed", "open"]
    assert Response.objects.filter(paper=True).exists()
    assert made["survey_responses"] == Response.objects.count()
    assert Need.objects.filter(source="survey").count() == made["needs_from_surveys"] == 2
    events = AuditEvent.objects.count()
    assert demo.load_demo() is None
    assert AuditEvent.objects.count() == events
