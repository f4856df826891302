"""The demo notice board and newsletter (linju.notices.demo), loaded on the people and
deliberation demos at a small scale: a pinned important notice read by part of the households,
a public notice still open with one objection answered and one waiting, a good deed with its
consent, uncivil behaviour naming nobody, a withdrawn notice and a draft; deliberation's
results on the board with their own dates; two published issues of the paper by two members
and this quarter's draft edited by the next one in the rota; a second run changes nothing."""

import pytest
from django.utils import timezone

from linju.core.models import AuditEvent
from linju.deliberation import demo as deliberation_demo
from linju.deliberation.models import Publication
from linju.notices import demo, guard, queries, queries_newsletter
from linju.notices.models import (
    IssueStatus,
    Newsletter,
    NewsletterIssue,
    Notice,
    NoticeKind,
    NoticeStatus,
    Objection,
    Receipt,
)
from linju.people import demo as people_demo
from linju.people.models import User
from linju.people.roles import Role

SMALL = 0.1


def test_nothing_without_the_demo_community(db):
    assert demo.load_demo() is None
    assert not Notice.objects.exists()


@pytest.fixture
def loaded(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    people_demo.load_demo(scale=SMALL)
    deliberation_demo.load_demo()
    return demo.load_demo()


def _published(**kw):
    return Notice.objects.filter(status=NoticeStatus.PUBLISHED, **kw)


def test_the_board_tells_its_story(loaded):
    assert loaded and all(n > 0 for n in loaded.values())
    water = _published(kind=NoticeKind.ANNOUNCEMENT, important=True, pinned=True).get()
    rows = queries.coverage(water)
    total = queries.coverage_total(rows)
    assert 0 < total["read"] < total["households"]
    assert len({r["percent"] for r in rows}) == len(rows) > 1  # buildings at different rates
    assert all(water.published_at <= r.read_at <= timezone.now() for r in water.receipts.all())
    # The demo logins have not read it: whoever tries the demo sees it unread first.
    resident = User.objects.get(mobile=people_demo.DEMO_MOBILE[Role.RESIDENT])
    assert not water.receipts.filter(user=resident).exists()
    assert queries.board(resident).first() == water

    budget = _published(kind=NoticeKind.DISCLOSURE).get()
    assert budget.objections_open() and budget.attachments.count() == 1
    assert Objection.objects.filter(notice=budget, answered_at__isnull=False).count() == 1
    assert Objection.objects.filter(notice=budget, answered_at__isnull=True).count() == 1

    named = _published(kind=NoticeKind.GOOD_DEED, privacy="consented").order_by("-pk").first()
    assert named.consent_note.split("本人同意")[0] in named.title
    for notice in _published(kind__in=[NoticeKind.GOOD_DEED, NoticeKind.UNCIVIL]):
        guard.check(
            kind=notice.kind,
            privacy=notice.privacy,
            consent_note=notice.consent_note,
            title=notice.title,
            body=notice.body,
            path=notice.path,
        )
    assert _published(kind=NoticeKind.UNCIVIL, privacy="nobody").count() == 2
    assert Notice.objects.filter(status=NoticeStatus.WITHDRAWN).exclude(withdraw_reason="")
    assert Notice.objects.filter(status=NoticeStatus.DRAFT).count() == 1


def test_results_come_from_deliberation_with_their_dates(loaded):
    results = Notice.objects.filter(kind=NoticeKind.RESULT, source_app="deliberation")
    assert results.count() == Publication.objects.exclude(kind="rating").count() > 0
    for pub in Publication.objects.all():
        notice = Notice.objects.get(source=f"deliberation.publication:{pub.pk}")
        assert notice.published_at == pub.published_at


def test_the_paper_rotates_among_the_branch(loaded):
    paper = Newsletter.objects.get(name=demo.PAPER)
    published = list(paper.issues.filter(status=IssueStatus.PUBLISHED).order_by("number"))
    assert [i.number for i in published] == [1, 2]
    assert all(i.foreword and i.published_at for i in published)
    assert published[0].editor_id != published[1].editor_id
    assert all(i.items.exists() for i in published)
    for issue in published:
        start, end = queries_newsletter.quarter_bounds(issue.year, issue.quarter)
        assert start <= issue.published_at < end
    draft = paper.issues.get(status=IssueStatus.DRAFT)
    assert (draft.year, draft.quarter) == queries_newsletter.current_quarter()
    assert draft.number == 3 and not draft.foreword
    rota = queries_newsletter.rota(paper)
    ids = [m.pk for m in rota]
    assert draft.editor_id == ids[(ids.index(published[1].editor_id) + 1) % len(ids)]
    liaison = User.objects.get(mobile=people_demo.DEMO_MOBILE[Role.PARTY_LIAISON])
    assert draft.editor == liaison
    assert draft.items.filter(section="good_deeds").exists()


def test_a_second_run_changes_nothing(loaded):
    counts = (
        AuditEvent.objects.count(),
        Notice.objects.count(),
        Receipt.objects.count(),
        NewsletterIssue.objects.count(),
    )
    assert demo.load_demo() is None
    assert counts == (
        AuditEvent.objects.count(),
        Notice.objects.count(),
        Receipt.objects.count(),
        NewsletterIssue.objects.count(),
    )
