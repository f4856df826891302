"""Volunteer teams, activities, interest groups and the talent pool (seeds 000, 002, 004).

- 志愿服务队伍 (seed 002: 文明劝导、环境保护等各类志愿服务队伍): teams with leaders and members;
  a member's service is recorded, the team's leader confirms it, and only then does it go on
  the person's service record and earn points (through `points`' ledgers).
- 月月有活动、人人有展示 (seed 000): activities of a building group, an estate or a community,
  each with a kind, a time, a capacity and a wait list; residents sign up, check in at the venue
  by scanning the activity's QR code, and the organiser confirms who came, which credits the
  activity's points (and, for volunteer service, its hours).
- 兴趣导向型引力场 (seed 000): interest groups residents join.
- 楼组达人库 (seed 000): residents list their skills and say who may see them; staff search the
  pool and invite a talent to an activity or a project."""

import os
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from linju.core.uploads import stored_name
from linju.places.models import Scoped

User = settings.AUTH_USER_MODEL


def activity_photo_path(instance, filename):
    """A random name (see deliberation.models.private_path)."""
    return stored_name("activities/photos", filename)


def new_check_in_code() -> str:
    return secrets.token_urlsafe(12)


class MemberRole(models.TextChoices):
    LEADER = "leader", _("Leader")
    MEMBER = "member", _("Member")


# ---------------------------------------------------------------------------------------------
# Volunteer teams


class TeamKind(models.TextChoices):
    CIVILITY = "civility", _("Civility guides")
    ENVIRONMENT = "environment", _("Environment")
    SAFETY = "safety", _("Safety patrol")
    OTHER = "other", _("Other")


class Team(Scoped):
    """志愿服务队: a volunteer team of a community (or of an estate or building inside it)."""

    name = models.CharField(_("name"), max_length=60)
    kind = models.CharField(_("kind"), max_length=16, choices=TeamKind.choices)
    description = models.TextField(_("description"), max_length=2000, blank=True)
    open_to_join = models.BooleanField(_("residents may join themselves"), default=True)
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("volunteer team")
        verbose_name_plural = _("volunteer teams")
        ordering = ["path", "name"]
        constraints = [
            models.UniqueConstraint(fields=["place", "name"], name="team_name_once_in_place")
        ]

    def __str__(self):
        return self.name


class TeamMember(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="team_memberships")
    role = models.CharField(
        _("role"), max_length=8, choices=MemberRole.choices, default=MemberRole.MEMBER
    )
    joined_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("team member")
        verbose_name_plural = _("team members")
        ordering = ["team", "role", "joined_at"]
        constraints = [
            models.UniqueConstraint(fields=["team", "user"], name="team_member_once"),
        ]

    def __str__(self):
        return f"{self.team_id}: {self.user_id}"

    @property
    def scope_path(self):
        return self.team.path


class ServiceStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Waiting for the leader")
    CONFIRMED = "confirmed", _("Confirmed")
    REJECTED = "rejected", _("Not confirmed")


class ServiceRecord(Scoped):
    """One stretch of a member's service for a team (巡逻, 文明劝导, 清洁…). Submitted by the member
    or the leader; once the leader (or community staff) confirms it, the time goes on the
    volunteer's record and earns points, once (ledger key `team-service:<id>`)."""

    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="services")
    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="team_services")
    served_on = models.DateField(_("served on"))
    minutes = models.PositiveIntegerField(pgettext_lazy("service time", "minutes"))
    what = models.CharField(_("service"), max_length=200)
    status = models.CharField(
        _("status"), max_length=10, choices=ServiceStatus.choices, default=ServiceStatus.SUBMITTED
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    submitted_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    points = models.IntegerField(pgettext_lazy("volunteer points", "points"), default=0)
    # The sweep reminds the team's leaders once of service left waiting.
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("team service record")
        verbose_name_plural = _("team service records")
        ordering = ["-served_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(minutes__gte=1, minutes__lte=720), name="team_service_minutes"
            ),
        ]
        indexes = [models.Index(fields=["team", "status"], name="team_service_status")]

    def __str__(self):
        return f"{self.user_id} {self.served_on} {self.minutes} min"

    @property
    def ledger_key(self):
        return f"team-service:{self.pk}"


# ---------------------------------------------------------------------------------------------
# Interest groups


class InterestGroup(Scoped):
    """兴趣小组: a group residents join (choir, calligraphy, square dance, pet owners…)."""

    name = models.CharField(_("name"), max_length=60)
    description = models.TextField(_("description"), max_length=2000, blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("interest group")
        verbose_name_plural = _("interest groups")
        ordering = ["path", "name"]
        constraints = [
            models.UniqueConstraint(fields=["place", "name"], name="group_name_once_in_place")
        ]

    def __str__(self):
        return self.name


class GroupMember(models.Model):
    group = models.ForeignKey(InterestGroup, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="group_memberships")
    role = models.CharField(
        _("role"), max_length=8, choices=MemberRole.choices, default=MemberRole.MEMBER
    )
    joined_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("group member")
        verbose_name_plural = _("group members")
        ordering = ["group", "role", "joined_at"]
        constraints = [
            models.UniqueConstraint(fields=["group", "user"], name="group_member_once"),
        ]

    def __str__(self):
        return f"{self.group_id}: {self.user_id}"

    @property
    def scope_path(self):
        return self.group.path


# ---------------------------------------------------------------------------------------------
# Activities


class ActivityKind(models.TextChoices):
    CULTURE = "culture", _("Culture")
    FESTIVAL = "festival", _("Festival")
    PARENT_CHILD = "parent_child", _("Parent and child")
    VOLUNTEER = "volunteer", _("Volunteer service")
    TRAINING = "training", _("Training")
    OTHER = "other", _("Other")


class ActivityStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("activity", "Open")
    CANCELLED = "cancelled", pgettext_lazy("activity", "Cancelled")


class Activity(Scoped):
    """An activity of a building group, an estate or a community (月月有活动). `capacity` 0 means
    no limit; sign-ups beyond it wait in order. `service_minutes` is what a confirmed
    participant of a volunteer-service activity gets on their service record."""

    title = models.CharField(_("title"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=ActivityKind.choices)
    description = models.TextField(_("description"), max_length=4000, blank=True)
    venue = models.CharField(_("venue"), max_length=120)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    capacity = models.PositiveIntegerField(_("places (0: no limit)"), default=0)
    signed = models.PositiveIntegerField(_("signed up"), default=0)
    service_minutes = models.PositiveIntegerField(_("service minutes credited"), default=0)
    team = models.ForeignKey(
        Team,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="activities",
        verbose_name=_("volunteer team"),
    )
    group = models.ForeignKey(
        InterestGroup,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="activities",
        verbose_name=_("interest group"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ActivityStatus.choices, default=ActivityStatus.OPEN
    )
    check_in_code = models.CharField(max_length=32, default=new_check_in_code, unique=True)
    # The sweep reminds those signed up the day before, once.
    reminded_at = models.DateTimeField(null=True, blank=True)
    organiser = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="organised_activities",
        verbose_name=_("organiser"),
    )
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="activity_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(capacity=0) | Q(signed__lte=models.F("capacity")),
                name="activity_not_overbooked",
            ),
            models.CheckConstraint(
                condition=Q(service_minutes__lte=720), name="activity_service_minutes"
            ),
        ]
        indexes = [
            models.Index(fields=["path", "starts_at"], name="activity_path_time"),
            models.Index(fields=["starts_at"], name="activity_time"),
        ]

    def __str__(self):
        return self.title

    # An activity lasts at most a day: calendars rely on it to skip the past by the start.
    MAX_HOURS = 24

    def clean(self):
        """The admin's guard for what the services check (a repair must not break calendars)."""
        if self.starts_at and self.ends_at:
            if self.ends_at <= self.starts_at:
                raise ValidationError({"ends_at": _("The end comes after the start.")})
            if self.ends_at - self.starts_at > timedelta(hours=self.MAX_HOURS):
                raise ValidationError({"ends_at": _("An activity lasts at most a day.")})

    @property
    def is_full(self) -> bool:
        return bool(self.capacity) and self.signed >= self.capacity


class SignUpStatus(models.TextChoices):
    SIGNED = "signed", _("Signed up")
    WAITING = "waiting", _("On the wait list")
    CANCELLED = "cancelled", pgettext_lazy("sign-up", "Cancelled")


class SignUp(models.Model):
    """A resident's place at an activity (or on its wait list), their check-in at the venue and
    the organiser's confirmation that they took part, which credits points once (ledger key
    `activity:<sign-up id>`)."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="sign_ups")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="activity_sign_ups")
    status = models.CharField(
        _("status"), max_length=10, choices=SignUpStatus.choices, default=SignUpStatus.SIGNED
    )
    signed_at = models.DateTimeField(default=timezone.now)
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    checked_in_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    confirmed_at = models.DateTimeField(_("attendance confirmed at"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    points = models.IntegerField(pgettext_lazy("volunteer points", "points"), default=0)

    class Meta:
        verbose_name = _("sign-up")
        verbose_name_plural = _("sign-ups")
        ordering = ["activity", "signed_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "user"], name="sign_up_once"),
            models.CheckConstraint(
                condition=Q(confirmed_at__isnull=True) | Q(checked_in_at__isnull=False),
                name="sign_up_confirmed_after_check_in",
            ),
        ]
        indexes = [
            models.Index(fields=["user", "status"], name="sign_up_user_status"),
            models.Index(fields=["activity", "status", "signed_at"], name="sign_up_queue"),
        ]

    def __str__(self):
        return f"{self.activity_id}: {self.user_id} ({self.status})"

    @property
    def scope_path(self):
        return self.activity.path

    @property
    def ledger_key(self):
        return f"activity:{self.pk}"


class ActivityPhoto(models.Model):
    """A photo of the activity afterwards (人人有展示), re-encoded without metadata."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="photos")
    photo = models.ImageField(_("photo"), upload_to=activity_photo_path)
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("activity photo")
        verbose_name_plural = _("activity photos")
        ordering = ["created_at", "id"]

    def __str__(self):
        return self.caption or os.path.basename(self.photo.name)

    @property
    def scope_path(self):
        return self.activity.path


# ---------------------------------------------------------------------------------------------
# Talent pool


class Skill(models.TextChoices):
    REPAIRS = "repairs", _("Repairs")
    LEGAL = "legal", _("Legal advice")
    CALLIGRAPHY = "calligraphy", _("Calligraphy and painting")
    HEALTH = "health", _("Health care")
    TEACHING = "teaching", _("Teaching and tutoring")
    DIGITAL = "digital", _("Phones and computers")
    ARTS = "arts", _("Music and dance")
    COOKING = "cooking", _("Cooking")
    PSYCHOLOGY = "psychology", _("Counselling")
    OTHER = "other", _("Other")


class Visibility(models.TextChoices):
    STAFF = "staff", _("Community staff only")
    NEIGHBOURS = "neighbours", _("Residents of my community")


class Talent(Scoped):
    """楼组达人: one skill a resident offers, at their home (`place`: the unit they live in),
    with who may see it. Staff of the scope always may (the pool is theirs to call on)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="talents")
    skill = models.CharField(_("skill"), max_length=16, choices=Skill.choices)
    note = models.CharField(_("what I can do"), max_length=300, blank=True)
    visibility = models.CharField(
        _("who may see it"), max_length=12, choices=Visibility.choices, default=Visibility.STAFF
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("talent")
        verbose_name_plural = _("talent pool")
        ordering = ["skill", "path", "id"]
        constraints = [models.UniqueConstraint(fields=["user", "skill"], name="talent_once")]
        indexes = [models.Index(fields=["skill", "path"], name="talent_skill_path")]

    def __str__(self):
        return f"{self.user_id}: {self.skill}"


class InvitationStatus(models.TextChoices):
    SENT = "sent", _("Sent")
    ACCEPTED = "accepted", pgettext_lazy("invitation", "Accepted")
    DECLINED = "declined", pgettext_lazy("invitation", "Declined")


class Invitation(Scoped):
    """Staff invite a talent to help with an activity or a project; the talent answers."""

    talent = models.ForeignKey(Talent, on_delete=models.CASCADE, related_name="invitations")
    activity = models.ForeignKey(
        Activity,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="invitations",
        verbose_name=_("activity"),
    )
    project = models.CharField(_("project"), max_length=120, blank=True)
    # The co-creation project (共同缔造微项目) it is for, when it is one; `project` then holds
    # its title as it was when the invitation was sent.
    co_project = models.ForeignKey(
        "projects.Project",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="talent_invitations",
        verbose_name=_("co-creation project"),
    )
    message = models.CharField(_("message"), max_length=500)
    status = models.CharField(
        _("status"), max_length=10, choices=InvitationStatus.choices, default=InvitationStatus.SENT
    )
    sent_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    sent_at = models.DateTimeField(default=timezone.now)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-sent_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(activity__isnull=False) | ~Q(project=""),
                name="invitation_to_something",
            ),
        ]

    def __str__(self):
        return f"{self.talent_id}: {self.activity_id or self.project}"
