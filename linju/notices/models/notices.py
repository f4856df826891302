"""The notice board of a scope (seed 002: 公示, 好人好事和不文明现象曝光; seed 003: 楼院里的好人好事
在报上宣传, 不文明现象也在报上曝光): announcements, public notices with a disclosure period and an
objections channel, good deeds, uncivil behaviour, and the results other modules publish
(ballots, contest rankings, project accounts). Important notices keep read receipts so staff
see, building by building, which households have not read them yet."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linju.core.uploads import stored_name
from linju.places.models import Scoped

User = settings.AUTH_USER_MODEL


class NoticeKind(models.TextChoices):
    ANNOUNCEMENT = "announcement", _("Announcement")
    DISCLOSURE = "disclosure", _("Public notice (公示)")
    GOOD_DEED = "good_deed", _("Good deeds")
    UNCIVIL = "uncivil", _("Uncivil behaviour")
    RESULT = "result", _("Published result")


# Kinds that show people: published only under the privacy guard (guard.py).
PEOPLE_KINDS = (NoticeKind.GOOD_DEED, NoticeKind.UNCIVIL)


class NoticeStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class PrivacyCheck(models.TextChoices):
    """What the author vouches for before a good deed or uncivil behaviour goes up."""

    NONE = "", _("Not checked")
    NOBODY = "nobody", _("No private person can be identified (no names, faces, numbers)")
    CONSENTED = "consented", _("The persons named or shown consented")


def attachment_path(instance, filename):
    """A random stored name: media may be served without a login check (see
    deliberation.models.private_path)."""
    return stored_name("notices", filename)


class Notice(Scoped):
    """One notice on the board of its scope (a community, an estate, a building…): residents
    whose home lies in the scope and staff whose scope holds it see it once published."""

    kind = models.CharField(_("kind"), max_length=16, choices=NoticeKind.choices)
    title = models.CharField(_("title"), max_length=120)
    body = models.TextField(_("text"), max_length=10000)
    status = models.CharField(
        _("status"), max_length=10, choices=NoticeStatus.choices, default=NoticeStatus.DRAFT
    )
    important = models.BooleanField(
        _("important (keep read receipts)"),
        default=False,
        help_text=_("Residents confirm reading it; staff see who has not read it yet."),
    )
    pinned = models.BooleanField(_("pinned"), default=False)
    disclosure_ends_on = models.DateField(_("disclosure period ends on"), null=True, blank=True)
    privacy = models.CharField(
        _("privacy check"), max_length=10, choices=PrivacyCheck.choices, blank=True, default=""
    )
    consent_note = models.CharField(
        _("consent"),
        max_length=300,
        blank=True,
        help_text=_("Who consented, when and how (for instance: signed consent of 2026-11-02)."),
    )
    # Results of other modules: where they come from, once per source (idempotent publishing).
    source = models.CharField(max_length=64, blank=True, default="", editable=False)
    source_app = models.CharField(max_length=32, blank=True, default="", editable=False)
    link = models.CharField(_("link"), max_length=200, blank=True, default="")
    author = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdraw_reason = models.CharField(_("reason for withdrawing"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        ordering = ["-pinned", "-published_at", "-id"]
        indexes = [
            models.Index(fields=["path", "status", "published_at"], name="notice_path_status"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["source"], condition=~Q(source=""), name="notice_source_once"
            ),
            # A 公示 states how long it stays up: the objections channel closes then.
            models.CheckConstraint(
                condition=~Q(kind="disclosure", disclosure_ends_on__isnull=True)
                | Q(status="draft"),
                name="notice_disclosure_has_end",
            ),
            # Good deeds and uncivil behaviour go up only under the privacy guard.
            models.CheckConstraint(
                condition=~Q(kind__in=["good_deed", "uncivil"], privacy="") | Q(status="draft"),
                name="notice_people_privacy_checked",
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def is_published(self) -> bool:
        return self.status == NoticeStatus.PUBLISHED

    def objections_open(self, today=None) -> bool:
        """A public notice takes objections until the last day of its disclosure period."""
        today = today or timezone.localdate()
        return (
            self.kind == NoticeKind.DISCLOSURE
            and self.is_published
            and self.disclosure_ends_on is not None
            and today <= self.disclosure_ends_on
        )


class Attachment(models.Model):
    """A photo or document pinned to a notice; served only to those who see the notice."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to=attachment_path)
    name = models.CharField(_("name"), max_length=120)
    is_image = models.BooleanField(default=False)
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["notice_id", "id"]

    def __str__(self):
        return self.name

    @property
    def scope_path(self):
        return self.notice.path


class Receipt(models.Model):
    """已读回执: the first time a person opened a notice."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="receipts")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notice_receipts")
    read_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("read receipt")
        verbose_name_plural = _("read receipts")
        constraints = [
            models.UniqueConstraint(fields=["notice", "user"], name="notice_receipt_once"),
        ]
        indexes = [models.Index(fields=["user", "notice"], name="notice_receipt_user")]

    def __str__(self):
        return f"{self.notice_id} · {self.user_id}"

    @property
    def scope_path(self):
        return self.notice.path


class Objection(models.Model):
    """公示异议: what a resident raises against a public notice during its disclosure period,
    answered by the staff who published it."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="objections")
    author = models.ForeignKey(User, on_delete=models.PROTECT, related_name="notice_objections")
    text = models.TextField(_("objection"), max_length=2000)
    created_at = models.DateTimeField(default=timezone.now)
    answer = models.TextField(_("answer"), max_length=2000, blank=True)
    answered_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("objection")
        verbose_name_plural = _("objections")
        ordering = ["created_at", "id"]

    def __str__(self):
        return self.text[:50]

    @property
    def scope_path(self):
        return self.notice.path
