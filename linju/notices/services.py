"""Every write of the notice board (seeds 002, 003): draft, edit and publish a notice (the
privacy guard of good deeds and uncivil behaviour applies on publishing), pin it, withdraw it,
attach files; a reader's receipt; objections against a public notice and their answers; and
`publish_result`, through which other modules put their results (ballots, contest rankings,
project accounts) on the board. Each function is one transaction, checks its permission
inside, records its audit event and notifies after commit."""

import datetime as dt
from urllib.parse import urlsplit

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from linju.core import audit
from linju.core.cleaning import as_id, clean_text
from linju.core.errors import Conflict, Invalid, NotFound
from linju.core.notifications import notify, notify_many
from linju.core.uploads import DOCUMENT, clean, served_type
from linju.people.models import Residency, ResidencyStatus
from linju.places.models import Place, PlaceKind

from . import guard, rules
from .models import (
    Attachment,
    Notice,
    NoticeKind,
    NoticeStatus,
    Objection,
    PrivacyCheck,
    Receipt,
)

KIND = "notices.notice"
MAX_ATTACHMENTS = 9
# Residents post nothing here; staff publish at a place of the tree (never a household).
SCOPE_KINDS = (
    PlaceKind.DISTRICT,
    PlaceKind.SUBDISTRICT,
    PlaceKind.COMMUNITY,
    PlaceKind.ESTATE,
    PlaceKind.BUILDING,
    PlaceKind.UNIT,
)


def _url(notice) -> str:
    return reverse("notices:notice", args=[notice.pk])


def _place(place_id) -> Place:
    place = Place.objects.filter(pk=as_id(place_id)).first()
    if place is None or place.kind not in SCOPE_KINDS:
        raise Invalid({"place": _("Choose the place whose board shows the notice.")})
    return place


def _fields(*, kind, title, body, disclosure_ends_on, privacy, consent_note, link) -> dict:
    if kind not in NoticeKind.values or kind == NoticeKind.RESULT:
        raise Invalid({"kind": _("Choose the kind of notice.")})
    if privacy not in PrivacyCheck.values:
        raise Invalid({"privacy": _("Choose a privacy check.")})
    ends = disclosure_ends_on
    if isinstance(ends, str) and ends.strip():
        try:
            ends = dt.date.fromisoformat(ends.strip())
        except ValueError:
            raise Invalid({"disclosure_ends_on": _("Give a date.")}) from None
    if kind == NoticeKind.DISCLOSURE:
        if not isinstance(ends, dt.date):
            raise Invalid(
                {"disclosure_ends_on": _("A public notice states when its disclosure ends.")}
            )
    else:
        ends = None
    return {
        "kind": kind,
        "title": clean_text(
            title, field="title", max_length=120, required=_("Give the notice a title.")
        ),
        "body": clean_text(body, field="body", max_length=10000, required=_("Write the notice.")),
        "disclosure_ends_on": ends,
        "privacy": privacy if kind in (NoticeKind.GOOD_DEED, NoticeKind.UNCIVIL) else "",
        "consent_note": clean_text(consent_note, field="consent_note", max_length=300),
        "link": _link(link),
    }


def _link(value) -> str:
    """A link to the record a notice speaks of: a path of this site or a web address, never a
    `javascript:` one (it is text a publisher types, shown as a link to every reader)."""
    link = clean_text(value, field="link", max_length=200)
    parts = urlsplit(link)
    site_path = link.startswith("/") and not link.startswith("//") and not parts.scheme
    if link and not site_path and not (parts.scheme in ("http", "https") and parts.netloc):
        raise Invalid({"link": _("Give a path of this site or an http(s) address.")})
    return link


def _locked(user, notice_id) -> Notice:
    notice = Notice.objects.select_for_update().filter(pk=as_id(notice_id)).first()
    if notice is None or not rules.can_read(user, notice):
        raise NotFound(_("Not found."))
    rules.require(rules.can_publish(user, notice))
    return notice


def _check_publishable(notice, *, check_end=True) -> None:
    """The disclosure date (unless `check_end` is off: correcting a typo in a 公示 whose period
    has run keeps its recorded end) and the privacy guard."""
    today = timezone.localdate()
    if check_end and notice.kind == NoticeKind.DISCLOSURE and notice.disclosure_ends_on < today:
        raise Invalid({"disclosure_ends_on": _("The disclosure period cannot end in the past.")})
    guard.check(
        kind=notice.kind,
        privacy=notice.privacy,
        consent_note=notice.consent_note,
        title=notice.title,
        body=notice.body,
        path=notice.path,
    )


def _audience(notice) -> list[int]:
    """The verified residents living in the notice's scope (told of important notices)."""
    return list(
        Residency.objects.filter(
            status=ResidencyStatus.VERIFIED, household__path__startswith=notice.path
        )
        .values_list("user_id", flat=True)
        .distinct()
    )


def create_notice(
    *,
    user,
    place_id,
    kind: str,
    title: str,
    body: str,
    important: bool = False,
    pinned: bool = False,
    disclosure_ends_on=None,
    privacy: str = "",
    consent_note: str = "",
    link: str = "",
    publish: bool = False,
) -> Notice:
    """A draft notice on the board of `place_id`; with `publish`, published at once."""
    with transaction.atomic():
        place = _place(place_id)
        rules.require(rules.can_publish(user, place))
        fields = _fields(
            kind=kind,
            title=title,
            body=body,
            disclosure_ends_on=disclosure_ends_on,
            privacy=privacy,
            consent_note=consent_note,
            link=link,
        )
        notice = Notice.objects.create(
            place=place,
            path=place.path,
            author=user,
            important=bool(important),
            pinned=bool(pinned),
            **fields,
        )
        audit.record(actor=user, verb="notices.create", obj=notice, data={"kind": kind})
        if publish:
            _publish(user, notice)
        return notice


def update_notice(
    *,
    user,
    notice_id,
    kind: str,
    title: str,
    body: str,
    important: bool = False,
    disclosure_ends_on=None,
    privacy: str = "",
    consent_note: str = "",
    link: str = "",
) -> Notice:
    """Correct a notice. A published one is corrected in place (the audit keeps the old text);
    the privacy guard is checked again."""
    with transaction.atomic():
        notice = _locked(user, notice_id)
        if notice.kind == NoticeKind.RESULT:
            raise Conflict(_("A published result is corrected in its own module."), code="result")
        if notice.status == NoticeStatus.WITHDRAWN:
            raise Conflict(_("This notice was withdrawn."), code="withdrawn")
        before = {"title": notice.title, "body": notice.body}
        old_end = notice.disclosure_ends_on
        fields = _fields(
            kind=kind,
            title=title,
            body=body,
            disclosure_ends_on=disclosure_ends_on,
            privacy=privacy,
            consent_note=consent_note,
            link=link,
        )
        for name, value in fields.items():
            setattr(notice, name, value)
        notice.important = bool(important)
        if notice.is_published:
            _check_publishable(notice, check_end=notice.disclosure_ends_on != old_end)
        notice.save()
        audit.record(actor=user, verb="notices.update", obj=notice, data={"before": before})
        return notice


def _publish(user, notice) -> None:
    if notice.status != NoticeStatus.DRAFT:
        raise Conflict(_("This notice is not a draft."), code="not_draft")
    _check_publishable(notice)
    notice.status = NoticeStatus.PUBLISHED
    notice.published_at = timezone.now()
    notice.save(update_fields=["status", "published_at"])
    audit.record(actor=user, verb="notices.publish", obj=notice, data={"kind": notice.kind})
    if notice.important:
        readers = [uid for uid in _audience(notice) if uid != user.pk]
        title, url = notice.title, _url(notice)
        transaction.on_commit(
            lambda: notify_many(
                messages=[{"recipients": readers, "title": title, "url": url}], kind=KIND
            )
        )


def publish_notice(*, user, notice_id) -> Notice:
    """Put a draft up on the board (the privacy guard and the disclosure date are checked)."""
    with transaction.atomic():
        notice = _locked(user, notice_id)
        _publish(user, notice)
        return notice


def set_pinned(*, user, notice_id, pinned: bool) -> Notice:
    with transaction.atomic():
        notice = _locked(user, notice_id)
        notice.pinned = bool(pinned)
        notice.save(update_fields=["pinned"])
        audit.record(actor=user, verb="notices.pin", obj=notice, data={"pinned": notice.pinned})
        return notice


def withdraw_notice(*, user, notice_id, reason: str) -> Notice:
    """Take a notice down (a mistake, a consent withdrawn); the record stays for the audit."""
    with transaction.atomic():
        notice = _locked(user, notice_id)
        if notice.status == NoticeStatus.WITHDRAWN:
            raise Conflict(_("This notice was already withdrawn."), code="withdrawn")
        notice.withdraw_reason = clean_text(
            reason, field="reason", max_length=300, required=_("Say why it is withdrawn.")
        )
        notice.status = NoticeStatus.WITHDRAWN
        notice.withdrawn_at = timezone.now()
        notice.pinned = False
        notice.save(update_fields=["withdraw_reason", "status", "withdrawn_at", "pinned"])
        audit.record(
            actor=user,
            verb="notices.withdraw",
            obj=notice,
            data={"reason": notice.withdraw_reason},
        )
        return notice


def add_attachment(*, user, notice_id, upload) -> Attachment:
    """A photo or document on the notice (cleaned by core.uploads: PDF, image, Office, text)."""
    with transaction.atomic():
        notice = _locked(user, notice_id)
        if notice.status == NoticeStatus.WITHDRAWN:
            raise Conflict(_("This notice was withdrawn."), code="withdrawn")
        if notice.attachments.count() >= MAX_ATTACHMENTS:
            raise Invalid({"file": _("At most %(n)d files per notice.") % {"n": MAX_ATTACHMENTS}})
        if upload is None:
            raise Invalid({"file": _("Choose a file.")})
        stored = clean(upload, use=DOCUMENT, field="file")
        name = clean_text(getattr(upload, "name", "") or "file", field="file", max_length=120)
        attachment = Attachment(notice=notice, name=name, is_image=served_type(stored.name)[1])
        attachment.file.save(stored.name, stored, save=False)
        attachment.save()
        audit.record(
            actor=user, verb="notices.attach", obj=notice, data={"attachment": attachment.pk}
        )
        return attachment


def remove_attachment(*, user, attachment_id) -> None:
    with transaction.atomic():
        attachment = Attachment.objects.filter(pk=as_id(attachment_id)).first()
        if attachment is None:
            raise NotFound(_("Not found."))
        notice = _locked(user, attachment.notice_id)
        name = attachment.file.name
        attachment.delete()
        audit.record(actor=user, verb="notices.detach", obj=notice, data={"file": name})
        storage = attachment.file.storage
        transaction.on_commit(lambda: storage.delete(name), robust=True)


def mark_read(*, user, notice) -> bool:
    """The reader's receipt, written once (the first opening counts); True when new. Safe
    under concurrent openings: the unique constraint settles the race."""
    if not getattr(user, "is_authenticated", False) or not notice.is_published:
        return False
    try:
        with transaction.atomic():
            Receipt.objects.create(notice=notice, user=user)
    except IntegrityError:
        return False
    return True


def _tell_later(user_id, title, notice) -> None:
    """One person hears of the notice (`title` holds "%(title)s") once the write commits."""
    text, url = title % {"title": notice.title}, _url(notice)
    transaction.on_commit(lambda: notify(recipients=[user_id], kind=KIND, title=text, url=url))


def raise_objection(*, user, notice_id, text: str) -> Objection:
    """公示异议: a resident of the scope objects while the disclosure period runs; the
    publishers of the scope are told."""
    with transaction.atomic():
        notice = Notice.objects.filter(pk=as_id(notice_id)).first()
        if notice is None or not rules.can_read(user, notice):
            raise NotFound(_("Not found."))
        if notice.kind != NoticeKind.DISCLOSURE:
            raise Conflict(_("Only a public notice takes objections."), code="not_disclosure")
        if not notice.objections_open():
            raise Conflict(_("The disclosure period is over."), code="closed")
        rules.require(
            rules.lives_under(user, notice),
            _("Objections come from the residents of the notice's scope."),
        )
        objection = Objection.objects.create(
            notice=notice,
            author=user,
            text=clean_text(
                text, field="text", max_length=2000, required=_("Write the objection.")
            ),
        )
        audit.record(actor=user, verb="notices.object", obj=notice, data={"id": objection.pk})
        if notice.author_id:
            _tell_later(notice.author_id, _("An objection to: %(title)s"), notice)
        return objection


def answer_objection(*, user, objection_id, answer: str) -> Objection:
    """The publisher's answer, shown to the objector (and with the notice)."""
    with transaction.atomic():
        objection = Objection.objects.select_for_update().filter(pk=as_id(objection_id)).first()
        if objection is None:
            raise NotFound(_("Not found."))
        notice = _locked(user, objection.notice_id)
        objection.answer = clean_text(
            answer, field="answer", max_length=2000, required=_("Write the answer.")
        )
        objection.answered_by = user
        objection.answered_at = timezone.now()
        objection.save(update_fields=["answer", "answered_by", "answered_at"])
        audit.record(actor=user, verb="notices.answer", obj=notice, data={"id": objection.pk})
        _tell_later(objection.author_id, _("Your objection was answered: %(title)s"), notice)
        return objection


def publish_result(
    *, user, place, title: str, body: str, source: str, source_app: str, link: str = ""
) -> Notice:
    """A result another module publishes (a ballot's result, a contest ranking, a topic's
    decision, a project's account) on the board of `place`, once per `source` (e.g.
    "deliberation.publication:12"): publishing the same source again revises that notice (a
    corrected ranking replaces the old one). Called inside the caller's transaction, whose
    permission check covers it."""
    with transaction.atomic():
        fields = {
            "place": place,
            "path": place.path,
            "title": str(title)[:120],
            "body": str(body)[:10000],
            "source_app": source_app,
            "link": link[:200],
            "author": user,
            "status": NoticeStatus.PUBLISHED,
            "published_at": timezone.now(),
        }
        notice, created = Notice.objects.update_or_create(
            source=source, defaults=fields, create_defaults={**fields, "kind": NoticeKind.RESULT}
        )
        if not created:
            # The corrected text is news: whoever read the old one sees it unread again.
            notice.receipts.all().delete()
        audit.record(
            actor=user,
            verb="notices.result",
            obj=notice,
            data={"source": source, "revised": not created},
        )
        return notice
