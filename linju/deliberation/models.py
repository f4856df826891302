"""Deliberation (议事协商, seeds 000, 001, 002): suggestions at any time (建议随时提), topics that
enter the agenda with enough support, procedures whose stages are data (四议两公开, the four-step
consultation, meeting-based deliberation), deliberation meetings of many kinds, owners' ballots
with the Civil Code's double majority, decisions broken down into tasks (分解落实), supervised
(督导), published (公示) and rated by residents (群众评价).

Every object carries the path of its scope place (unit, building, estate or community), so
access checks and lists are prefix scans like everywhere else."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from linju.core.uploads import stored_name
from linju.places.models import Place, Scoped
from linju.places.paths import PathField

User = settings.AUTH_USER_MODEL


def private_path(instance, filename):
    """Stored documents (stage records, proxy authorisations, ballot scans) get a random name:
    media may be served by the web server without a login check, and a guessable name (the
    upload's own, or the first sheet of a month) would be a way around the pages' rules.
    The extension is the one core.uploads.clean gave the cleaned file."""
    return stored_name("deliberation", filename)


# Topics, meetings and ballots sit on one of these places (a household is never a scope).
SCOPE_KINDS = ("unit", "building", "estate", "community")


# ---------------------------------------------------------------------------------------------
# Procedures: ordered stages as data (adhocracy4/Decidim phases; DESIGN §7)


class Need(models.TextChoices):
    """What completing a stage requires; a stage may need several."""

    DOCUMENT = "document", _("A document or written record")
    MEETING_NOTICED = "meeting_noticed", _("A meeting on the topic, its notice sent")
    MEETING = "meeting", _("A held meeting on the topic, with minutes")
    BALLOT = "ballot", _("A passed ballot on the topic")
    DECISION = "decision", _("The decision, recorded")
    TASKS = "tasks", _("The decision's tasks, all done")
    RESULT = "result", _("The result, published for evaluation")
    EVALUATION = "evaluation", _("The residents' evaluation, closed")


class Procedure(models.Model):
    """A way of deciding (议事规程): 四议两公开, 四步协商, 议事会 or one a community defines."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=80)
    description = models.TextField(_("description"), blank=True)
    active = models.BooleanField(_("available for new topics"), default=True)

    class Meta:
        verbose_name = _("procedure")
        verbose_name_plural = _("procedures")
        ordering = ["code"]

    def __str__(self):
        return self.name


class Stage(models.Model):
    """One step of a procedure: who may complete it, what it needs, whether it is published."""

    procedure = models.ForeignKey(
        Procedure, on_delete=models.CASCADE, related_name="stages", verbose_name=_("procedure")
    )
    order = models.PositiveSmallIntegerField(_("order"))
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=80)
    description = models.TextField(_("description"), blank=True)
    # Role codes (people.roles.Role) whose holders at a scope containing the topic complete it.
    completer_roles = models.JSONField(_("who completes it"), default=list)
    needs = models.JSONField(_("what it needs"), default=list, blank=True)
    # The meeting kind (code) the stage expects, when it needs a meeting.
    meeting_kind = models.CharField(_("meeting kind"), max_length=40, blank=True)
    # The completion note goes up on the scope's notice board (公示).
    publishes = models.BooleanField(_("published"), default=False)

    class Meta:
        verbose_name = _("stage")
        verbose_name_plural = _("stages")
        ordering = ["procedure_id", "order"]
        constraints = [
            models.UniqueConstraint(fields=["procedure", "order"], name="stage_unique_order"),
            models.UniqueConstraint(fields=["procedure", "code"], name="stage_unique_code"),
        ]

    def __str__(self):
        return f"{self.procedure} · {self.order}. {self.name}"


class SupportRule(models.Model):
    """How much support puts a topic on the agenda in a scope and below it: a number of
    households, a share of the scope's households, or both (the larger applies; see
    services_topics.support_threshold)."""

    place = models.OneToOneField(
        Place, on_delete=models.CASCADE, related_name="support_rule", verbose_name=_("scope")
    )
    households = models.PositiveIntegerField(_("households"), null=True, blank=True)
    percent = models.PositiveSmallIntegerField(_("percent of households"), null=True, blank=True)

    class Meta:
        verbose_name = _("support threshold")
        verbose_name_plural = _("support thresholds")
        constraints = [
            models.CheckConstraint(
                condition=Q(households__isnull=False) | Q(percent__isnull=False),
                name="supportrule_some_threshold",
            ),
            models.CheckConstraint(
                condition=Q(percent__isnull=True) | Q(percent__gte=1, percent__lte=100),
                name="supportrule_percent_range",
            ),
        ]

    def __str__(self):
        return f"{self.place}: {self.households or '-'} / {self.percent or '-'}%"


# ---------------------------------------------------------------------------------------------
# Topics


class TopicSource(models.TextChoices):
    RESIDENT = "resident", _("A resident")
    STAFF = "staff", _("Community staff")
    PARTY = "party", _("A party branch")
    REPORT = "report", _("A report")
    SURVEY = "survey", _("A survey")


class TopicStatus(models.TextChoices):
    PROPOSED = "proposed", _("Gathering support")
    AGENDA = "agenda", _("On the agenda")
    DELIBERATING = "deliberating", _("Being deliberated")
    EVALUATING = "evaluating", _("Result published, being evaluated")
    CLOSED = "closed", pgettext_lazy("topic status", "Closed")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")


OPEN_TOPIC_STATUSES = [
    TopicStatus.PROPOSED,
    TopicStatus.AGENDA,
    TopicStatus.DELIBERATING,
    TopicStatus.EVALUATING,
]


class Topic(Scoped):
    """议题: a matter raised in a scope, from suggestion to the residents' evaluation."""

    title = models.CharField(_("title"), max_length=120)
    body = models.TextField(_("details"), max_length=5000)
    source = models.CharField(
        _("raised by"), max_length=16, choices=TopicSource.choices, default=TopicSource.RESIDENT
    )
    # What it came from, when not a resident: "report:<token>", "survey:<id>", a branch's name.
    source_ref = models.CharField(_("source reference"), max_length=80, blank=True)
    proposer = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="topics",
        verbose_name=_("proposed by"),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=TopicStatus.choices, default=TopicStatus.PROPOSED
    )
    # Households supporting it (cached count of TopicSupport rows, kept under the topic's lock)
    # and the threshold frozen when it was proposed, so a changed rule moves no goalposts.
    support_count = models.PositiveIntegerField(_("supporting households"), default=0)
    support_needed = models.PositiveIntegerField(_("support needed"), default=1)
    procedure = models.ForeignKey(
        Procedure,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="topics",
        verbose_name=_("procedure"),
    )
    # The next stage to complete; null before the procedure starts and after its last stage.
    current_stage = models.ForeignKey(
        Stage, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    result = models.TextField(_("result"), blank=True)
    decline_reason = models.CharField(_("reason"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("proposed at"), default=timezone.now)
    agenda_at = models.DateTimeField(_("on the agenda since"), null=True, blank=True)
    result_at = models.DateTimeField(_("result published at"), null=True, blank=True)
    evaluation_closes_at = models.DateTimeField(_("evaluation closes at"), null=True, blank=True)
    evaluation_closed_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    rating_count = models.PositiveIntegerField(default=0)
    rating_sum = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["path", "status"], name="topic_path_status"),
            models.Index(fields=["status", "evaluation_closes_at"], name="topic_evaluation"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating_sum__lte=5 * models.F("rating_count")),
                name="topic_rating_sum_range",
            )
        ]

    def __str__(self):
        return self.title

    @property
    def rating_average(self):
        return round(self.rating_sum / self.rating_count, 1) if self.rating_count else None


class TopicSupport(models.Model):
    """附议: one household's support (the first supporter of the household counts it)."""

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="supports")
    household = models.ForeignKey(
        "places.Household", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    user = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("support")
        verbose_name_plural = _("supports")
        constraints = [
            models.UniqueConstraint(
                fields=["topic", "household"], name="topicsupport_one_per_household"
            )
        ]

    def __str__(self):
        return f"{self.topic_id} ← {self.household_id}"


class StageCompletion(models.Model):
    """A completed stage of a topic's procedure: who, when, on what record. Append-only."""

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="completions")
    stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="+")
    completed_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("by")
    )
    completed_at = models.DateTimeField(_("completed at"), default=timezone.now)
    note = models.TextField(_("record"), max_length=5000, blank=True)
    document = models.FileField(_("document"), upload_to=private_path, blank=True)
    meeting = models.ForeignKey(
        "Meeting", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    ballot = models.ForeignKey(
        "Ballot", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("stage completion")
        verbose_name_plural = _("stage completions")
        ordering = ["topic_id", "completed_at"]
        constraints = [
            models.UniqueConstraint(fields=["topic", "stage"], name="completion_once_per_stage")
        ]

    def __str__(self):
        return f"{self.topic_id} · {self.stage_id}"


class Publication(Scoped):
    """公示: what the scope's notice board shows: a stage's record, a decision, a ballot's
    result, a topic's result. The notices app (issue 10) will list these beside its own."""

    class Kind(models.TextChoices):
        STAGE = "stage", _("Procedure step")
        DECISION = "decision", _("Decision")
        BALLOT = "ballot", _("Ballot result")
        RESULT = "result", _("Result")
        MEETING = "meeting", _("Meeting notice")
        RATING = "rating", _("Ranking")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=160)
    body = models.TextField(_("text"))
    topic = models.ForeignKey(
        Topic, on_delete=models.CASCADE, null=True, blank=True, related_name="publications"
    )
    ballot = models.ForeignKey(
        "Ballot", on_delete=models.CASCADE, null=True, blank=True, related_name="publications"
    )
    meeting = models.ForeignKey(
        "Meeting", on_delete=models.CASCADE, null=True, blank=True, related_name="publications"
    )
    published_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    published_at = models.DateTimeField(_("published at"), default=timezone.now)

    class Meta:
        verbose_name = _("public notice")
        verbose_name_plural = _("public notices")
        ordering = ["-published_at"]
        indexes = [models.Index(fields=["path", "published_at"], name="publication_path")]

    def __str__(self):
        return self.title


class Decision(models.Model):
    """决议: what a meeting, ballot or stage decided on a topic; carried out as tasks."""

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="decisions")
    text = models.TextField(_("decision"), max_length=5000)
    meeting = models.ForeignKey(
        "Meeting", on_delete=models.SET_NULL, null=True, blank=True, related_name="decisions"
    )
    ballot = models.ForeignKey(
        "Ballot", on_delete=models.SET_NULL, null=True, blank=True, related_name="decisions"
    )
    decided_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    decided_at = models.DateTimeField(_("decided at"), default=timezone.now)

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering = ["decided_at"]

    def __str__(self):
        return self.text[:60]

    @property
    def scope_path(self):
        return self.topic.path


class TaskStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class Task(models.Model):
    """分解落实: one piece of carrying out a decision, with an owner and a due date; overdue
    tasks are flagged to the supervising role (督导)."""

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="tasks")
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="tasks")
    path = PathField(max_length=255, editable=False, default="")
    title = models.CharField(_("task"), max_length=160)
    owner = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="deliberation_tasks", verbose_name=_("owner")
    )
    due_on = models.DateField(_("due"))
    status = models.CharField(
        _("status"), max_length=12, choices=TaskStatus.choices, default=TaskStatus.OPEN
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    overdue_flagged_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["due_on", "id"]
        indexes = [
            models.Index(fields=["due_on"], condition=Q(status="open"), name="task_open_due"),
            models.Index(fields=["path", "status"], name="task_path_status"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="task_progress_range")
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        if not self.path:
            self.path = self.topic.path
        super().save(*args, **kwargs)

    @property
    def scope_path(self):
        return self.path


class TaskUpdate(models.Model):
    """A progress report on a task (进展)."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="updates")
    author = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    text = models.TextField(_("progress"), max_length=2000)
    progress = models.PositiveSmallIntegerField(_("progress (%)"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="taskupdate_progress")
        ]

    def __str__(self):
        return f"{self.task_id} · {self.progress}%"


class Evaluation(models.Model):
    """群众评价: a resident's rating of a topic's outcome, 1–5 with a comment."""

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="evaluations")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    stars = models.PositiveSmallIntegerField(_("rating"))
    comment = models.CharField(_("comment"), max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["topic", "user"], name="evaluation_one_per_user"),
            models.CheckConstraint(
                condition=Q(stars__gte=1, stars__lte=5), name="evaluation_stars_range"
            ),
        ]

    def __str__(self):
        return f"{self.topic_id} · {self.stars}"


# ---------------------------------------------------------------------------------------------
# Meetings


class MeetingKind(models.Model):
    """议事会, 院子会, 楼栋会, 居民代表会议, 党员大会, 民情恳谈会, 听证会, 业主大会, or one
    staff define; each with the notice it needs."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=60)
    notice_days = models.PositiveSmallIntegerField(_("days of notice"), default=3)
    # Share of invitees who must be present, e.g. 2/3 for a party members' meeting.
    quorum_numerator = models.PositiveSmallIntegerField(_("quorum numerator"), default=0)
    quorum_denominator = models.PositiveSmallIntegerField(_("quorum denominator"), default=1)
    active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("meeting kind")
        verbose_name_plural = _("meeting kinds")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quorum_denominator__gte=1)
                & Q(quorum_numerator__lte=models.F("quorum_denominator")),
                name="meetingkind_quorum_fraction",
            )
        ]

    def __str__(self):
        return self.name


class MeetingStatus(models.TextChoices):
    DRAFT = "draft", _("Being prepared")
    NOTICED = "noticed", _("Notice sent")
    HELD = "held", _("Held")
    CANCELLED = "cancelled", _("Cancelled")


def new_checkin_token() -> str:
    return secrets.token_urlsafe(18)


class Meeting(Scoped):
    """A deliberation meeting: notice, agenda, invitees, RSVP, check-in, quorum, minutes."""

    kind = models.ForeignKey(
        MeetingKind, on_delete=models.PROTECT, related_name="meetings", verbose_name=_("kind")
    )
    title = models.CharField(_("title"), max_length=120)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"), null=True, blank=True)
    venue = models.CharField(_("venue"), max_length=120)
    status = models.CharField(
        _("status"), max_length=12, choices=MeetingStatus.choices, default=MeetingStatus.DRAFT
    )
    topics = models.ManyToManyField(
        Topic, through="AgendaItem", related_name="meetings", verbose_name=_("agenda")
    )
    # Frozen from the kind when the meeting is created; staff may set their own.
    quorum_numerator = models.PositiveSmallIntegerField(_("quorum numerator"), default=0)
    quorum_denominator = models.PositiveSmallIntegerField(_("quorum denominator"), default=1)
    # The QR code on the screen at the door carries this; rotating it ends old codes.
    checkin_token = models.CharField(max_length=32, default=new_checkin_token, editable=False)
    minutes = models.TextField(_("minutes"), blank=True)
    notice_sent_at = models.DateTimeField(null=True, blank=True)
    held_at = models.DateTimeField(null=True, blank=True)
    cancelled_reason = models.CharField(_("reason"), max_length=300, blank=True)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-starts_at"]
        indexes = [models.Index(fields=["path", "starts_at"], name="meeting_path_starts")]
        constraints = [
            models.CheckConstraint(
                condition=Q(quorum_denominator__gte=1)
                & Q(quorum_numerator__lte=models.F("quorum_denominator")),
                name="meeting_quorum_fraction",
            )
        ]

    def __str__(self):
        return self.title


class AgendaItem(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda")
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="agenda_items")
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["meeting_id", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "topic"], name="agenda_topic_once")
        ]

    def __str__(self):
        return f"{self.meeting_id} · {self.topic_id}"


class Rsvp(models.TextChoices):
    NONE = "", _("No answer yet")
    YES = "yes", _("Will attend")
    NO = "no", _("Cannot attend")
    MAYBE = "maybe", _("Maybe")


class Invitee(models.Model):
    """Someone invited to a meeting (by role, scope or list), their answer and check-in."""

    class Via(models.TextChoices):
        ROLE = "role", _("By role")
        SCOPE = "scope", _("Residents of the scope")
        LIST = "list", _("By name")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="invitees")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="meeting_invitations")
    via = models.CharField(max_length=8, choices=Via.choices, default=Via.LIST)
    rsvp = models.CharField(_("answer"), max_length=8, choices=Rsvp.choices, blank=True)
    rsvp_at = models.DateTimeField(null=True, blank=True)
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    # Null when the invitee scanned the code themselves; the staff member who ticked them off
    # the sign-in sheet otherwise.
    checked_in_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("invitee")
        verbose_name_plural = _("invitees")
        ordering = ["meeting_id", "id"]
        constraints = [models.UniqueConstraint(fields=["meeting", "user"], name="invitee_once")]

    def __str__(self):
        return f"{self.meeting_id} · {self.user_id}"


# ---------------------------------------------------------------------------------------------
# Ballots (业主大会表决 and other votes)


class Electorate(models.TextChoices):
    OWNERS = "owners", _("Verified owners (by area and headcount)")
    HOUSEHOLDS = "households", _("Households of the scope")
    REPRESENTATIVES = "representatives", _("Resident representatives")
    PARTY_MEMBERS = "party_members", _("Party members")


class Rule(models.TextChoices):
    """The thresholds; `thresholds.py` holds their arithmetic (one place)."""

    SIMPLE = "simple", _("Simple majority of votes cast")
    ORDINARY = "ordinary", _("Civil Code art. 278: ordinary matters")
    SPECIAL = "special", _("Civil Code art. 278 items 6–8: funds, rebuilding, common parts")
    ELEVATOR = "elevator", _("Elevator retrofit in one unit")
    CUSTOM = "custom", _("Custom thresholds")


class BallotStatus(models.TextChoices):
    DRAFT = "draft", _("Being prepared")
    # "Open" and "Closed" alone are a to-do's and a report's states elsewhere (待办, 已结案).
    OPEN = "open", pgettext_lazy("ballot status", "Open")
    CLOSED = "closed", pgettext_lazy("ballot status", "Closed")
    PUBLISHED = "published", _("Result published")


class Ballot(Scoped):
    """A question put to an electorate frozen when it opens, decided by a rule."""

    title = models.CharField(_("question"), max_length=200)
    description = models.TextField(_("explanation"), blank=True)
    topic = models.ForeignKey(
        Topic, on_delete=models.SET_NULL, null=True, blank=True, related_name="ballots"
    )
    meeting = models.ForeignKey(
        Meeting, on_delete=models.SET_NULL, null=True, blank=True, related_name="ballots"
    )
    electorate = models.CharField(_("who votes"), max_length=16, choices=Electorate.choices)
    rule = models.CharField(_("rule"), max_length=12, choices=Rule.choices)
    # Custom thresholds, as fractions; "at least" unless strict ("more than").
    # participation: share of the electorate (heads and, for owners, area) that must take part.
    participation_numerator = models.PositiveIntegerField(default=0)
    participation_denominator = models.PositiveIntegerField(default=1)
    # approval: share of the base (participants, or the whole electorate) that must approve.
    approval_numerator = models.PositiveIntegerField(default=1)
    approval_denominator = models.PositiveIntegerField(default=2)
    approval_strict = models.BooleanField(default=True)
    approval_of_electorate = models.BooleanField(default=False)
    weigh_area = models.BooleanField(default=False)
    # Elevator retrofits: the households named as directly affected, whose owners must each
    # approve; frozen into Elector.affected when the ballot opens.
    affected_household_ids = models.JSONField(default=list, blank=True)
    secret = models.BooleanField(_("secret ballot"), default=False)
    changeable = models.BooleanField(_("votes may be changed until closing"), default=True)
    status = models.CharField(
        _("status"), max_length=12, choices=BallotStatus.choices, default=BallotStatus.DRAFT
    )
    opens_at = models.DateTimeField(_("opens at"), null=True, blank=True)
    closes_at = models.DateTimeField(_("closes at"))
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # The frozen electorate's totals (the denominators of every rule).
    electorate_heads = models.PositiveIntegerField(default=0)
    electorate_area = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    # The result as computed at closing (thresholds.Result as data), shown with its arithmetic.
    result = models.JSONField(default=dict, blank=True)
    passed = models.BooleanField(null=True, blank=True)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("ballot")
        verbose_name_plural = _("ballots")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["path", "status"], name="ballot_path_status")]
        constraints = [
            models.CheckConstraint(
                condition=Q(participation_denominator__gte=1, approval_denominator__gte=1),
                name="ballot_fractions_defined",
            )
        ]

    def __str__(self):
        return self.title


class BallotOption(models.Model):
    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="options")
    order = models.PositiveSmallIntegerField(default=0)
    label = models.CharField(_("option"), max_length=120)
    # The option the thresholds count as approval (同意); a choice among candidates has none.
    approves = models.BooleanField(_("counts as approval"), default=False)

    class Meta:
        ordering = ["ballot_id", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["ballot", "order"], name="ballotoption_unique_order")
        ]

    def __str__(self):
        return self.label


class Elector(models.Model):
    """One voter of a frozen electorate. For owners: everyone who owns the same units counts
    once (co-owners of a unit; one owner's several units; the developer's unsold units), with
    the units' exclusive area summed."""

    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="electors")
    key = models.CharField(max_length=64)
    label = models.CharField(max_length=200)
    area = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    household_ids = models.JSONField(default=list, blank=True)
    # Elevator retrofits: owners named as directly affected must consent individually.
    affected = models.BooleanField(_("directly affected"), default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["ballot", "key"], name="elector_unique_key")]

    def __str__(self):
        return self.label


class ElectorMember(models.Model):
    """A user who may cast the elector's vote (each verified co-owner, the member themself)."""

    elector = models.ForeignKey(Elector, on_delete=models.CASCADE, related_name="members")
    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+", db_index=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "ballot", "elector"], name="electormember_once")
        ]

    def __str__(self):
        return f"{self.elector_id} · {self.user_id}"


class VoteMethod(models.TextChoices):
    ONLINE = "online", _("Online")
    PROXY = "proxy", _("By proxy, with written authorisation")
    PAPER = "paper", _("Paper ballot")


class Vote(models.Model):
    """One elector's vote; the unique key is the last guard of "one vote per voter". A paper
    ballot counts once a second staff member confirms it against the scanned sheet."""

    # Only the indexes reads use: (ballot, elector) unique, elector; a vote is the busiest
    # write of an owners' assembly, and every index nobody reads slows each one (the option's,
    # the casting and confirming users' were 4 of 7: bench/ballots.py, docs/performance.md).
    ballot = models.ForeignKey(
        Ballot, on_delete=models.CASCADE, related_name="votes", db_index=False
    )
    elector = models.ForeignKey(Elector, on_delete=models.CASCADE, related_name="votes")
    option = models.ForeignKey(
        BallotOption, on_delete=models.PROTECT, related_name="votes", db_index=False
    )
    method = models.CharField(max_length=8, choices=VoteMethod.choices, default=VoteMethod.ONLINE)
    cast_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, related_name="+", db_index=False
    )
    proxy_name = models.CharField(_("proxy's name"), max_length=50, blank=True)
    authorisation = models.FileField(_("written authorisation"), upload_to=private_path, blank=True)
    scan = models.FileField(_("scanned ballot sheet"), upload_to=private_path, blank=True)
    confirmed_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", db_index=False
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    cast_at = models.DateTimeField(default=timezone.now)
    changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        constraints = [
            models.UniqueConstraint(fields=["ballot", "elector"], name="vote_one_per_elector")
        ]

    def __str__(self):
        return f"{self.ballot_id} · {self.elector_id}"

    @property
    def counted(self):
        return self.confirmed_at is not None


class Representative(models.Model):
    """居民代表: a resident representative of a community, for the representatives' meeting
    (居民代表会议) and its ballots."""

    community = models.ForeignKey(
        Place,
        on_delete=models.PROTECT,
        related_name="representatives",
        limit_choices_to={"kind": "community"},
        verbose_name=_("community"),
    )
    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="representations", verbose_name=_("person")
    )
    since = models.DateField(_("since"), default=timezone.localdate)
    until = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        verbose_name = _("resident representative")
        verbose_name_plural = _("resident representatives")
        constraints = [
            models.UniqueConstraint(
                fields=["community", "user"],
                condition=Q(until__isnull=True),
                name="representative_once",
            )
        ]

    def __str__(self):
        return f"{self.user} @ {self.community}"

    @property
    def scope_path(self):
        return self.community.path
