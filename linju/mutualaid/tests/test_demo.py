"""The demo of mutual aid (linju.mutualaid.demo), loaded on the people demo at a small scale:
wishes claimed and fulfilled with thanks, books lent and returned; a second run changes
nothing."""

from linju.core.models import AuditEvent
from linju.mutualaid import demo
from linju.people import demo as people_demo


def test_nothing_without_the_demo_community(db):
    assert demo.load_demo() is None


def test_the_demo_loads_once(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    people_demo.load_demo(scale=0.05)
    made = demo.load_demo()
    assert made and all(n > 0 for n in made.values())
    from linju.mutualaid.models import Loan, Post

    fulfilled = Post.objects.get(status="fulfilled")
    assert fulfilled.thanks and fulfilled.claimant_id
    assert Post.objects.filter(status="claimed").count() == 1
    assert set(Loan.objects.values_list("status", flat=True)) == {"handed", "returned"}
    events = AuditEvent.objects.count()
    assert demo.load_demo() is None
    assert AuditEvent.objects.count() == events
