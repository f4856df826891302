"""The back office of last resort: every notices model opens in the admin for a superuser; read
receipts are shown but never added or changed there; a repair of a notice is audited in the
notice's scope."""

import pytest
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from linju.core.models import AuditEvent
from linju.core.testing import log_in_to_admin
from linju.notices import services
from linju.notices.models import (
    Attachment,
    IssueItem,
    Newsletter,
    NewsletterIssue,
    Notice,
    Objection,
    Receipt,
)
from linju.people.models import PartyOrganisation, User

from .conftest import notice

pytestmark = pytest.mark.django_db
MODELS = [Notice, Attachment, Receipt, Objection, Newsletter, NewsletterIssue, IssueItem]
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def superuser_client(client, city, settings, tmp_path):
    """A superuser in the admin, and one row of every notices table."""
    settings.MEDIA_ROOT = tmp_path / "media"
    root = User.objects.create_superuser("13700000000", "pass-Word-9", name="root")
    log_in_to_admin(client, root)
    u = city.users
    d = notice(city, kind="disclosure", title="公示: 车棚改造")
    services.add_attachment(
        user=u["community_staff"], notice_id=d.pk, upload=SimpleUploadedFile("a.pdf", PDF)
    )
    services.mark_read(user=u["owner"], notice=d)
    services.raise_objection(user=u["owner"], notice_id=d.pk, text="预算偏高")
    paper = Newsletter.objects.create(
        place=city.places["C1"],
        path=city.places["C1"].path,
        name="睦邻服务报",
        organisation=PartyOrganisation.objects.get(name="C1 committee"),
    )
    issue = NewsletterIssue.objects.create(
        newsletter=paper, year=2026, quarter=4, number=1, editor=u["party_liaison"]
    )
    IssueItem.objects.create(issue=issue, section="good_deeds", title="拾金不昧")
    return client


def test_every_model_is_registered_and_audited():
    from linju.core.admin_audit import AuditedAdmin

    for model in MODELS:
        assert isinstance(admin.site._registry[model], AuditedAdmin), model


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_pages_open(superuser_client, model):
    assert superuser_client.get(url(model, "changelist")).status_code == 200
    assert superuser_client.get(url(model, "changelist"), {"q": "1"}).status_code == 200
    expected = 403 if model is Receipt else 200
    assert superuser_client.get(url(model, "add")).status_code == expected
    obj = model._default_manager.first()
    assert superuser_client.get(url(model, "change", obj.pk)).status_code == 200


def test_list_filters_open(superuser_client):
    r = superuser_client.get(url(Notice, "changelist"), {"kind__exact": "disclosure"})
    assert r.status_code == 200 and "公示: 车棚改造" in r.content.decode()
    r = superuser_client.get(url(Notice, "changelist"), {"kind__exact": "uncivil"})
    assert "公示: 车棚改造" not in r.content.decode()


def test_receipts_are_read_only(superuser_client, city):
    receipt = Receipt.objects.get()
    other = Notice.objects.get()
    r = superuser_client.post(
        url(Receipt, "change", receipt.pk), {"notice": other.pk, "user": city.users["tenant"].pk}
    )
    assert r.status_code == 403
    receipt.refresh_from_db()
    assert receipt.user == city.users["owner"]


def test_the_notice_page_shows_its_attachments_inline(superuser_client):
    n = Notice.objects.get()
    body = superuser_client.get(url(Notice, "change", n.pk)).content.decode()
    assert "attachments-0-name" in body and "a.pdf" in body


def test_deleting_an_objection_is_audited_in_the_notices_scope(superuser_client, city):
    objection = Objection.objects.get()
    r = superuser_client.post(url(Objection, "delete", objection.pk), {"post": "yes"})
    assert r.status_code == 302
    event = AuditEvent.objects.get(verb="admin.delete", object_id=str(objection.pk))
    assert event.scope_path == city.places["C1"].path
