"""The demo of services (linju.services.demo), loaded on the people demo at a small scale: it makes
its rows through the services once; a second run changes nothing."""

from linju.core.models import AuditEvent
from linju.people import demo as people_demo
from linju.services import demo


def test_nothing_without_the_demo_community(db):
    assert demo.load_demo() is None


def test_the_demo_loads_once(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    people_demo.load_demo(scale=0.05)
    made = demo.load_demo()
    assert made and all(n > 0 for n in made.values())
    from linju.services.models import DeskSession, ServiceRequest

    statuses = set(ServiceRequest.objects.values_list("status", flat=True))
    assert {"requested", "accepted", "done", "declined"} <= statuses
    assert ServiceRequest.objects.filter(slot__isnull=False).exists()
    assert DeskSession.objects.count() == made["mobile_desk_sittings"]
    events = AuditEvent.objects.count()
    assert demo.load_demo() is None
    assert AuditEvent.objects.count() == events
