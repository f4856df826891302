"""Ratings (seeds 001, 002): the civilised-unit contest (文明单元评比, 红"栋"力) with its rotating
red flag (流动红旗) and the year's property-fee subsidy, the party members' star rating (星级评定),
and residents' evaluations of what was carried out (群众评价) — one engine for all three.

A rubric (评分细则) is data and versioned: its items score up to a maximum, deduct, add a bonus
or veto (一票否决), with exemptions the panel must respect (轮椅、婴儿车不算楼道杂物). A contest
rates the units (or buildings, or party members) of its scope in rounds, one a month or a year;
each round keeps the rubric version it was scored with. Panellists fill one sheet per target;
the ranking is computed from the sheets in one statement (`ranking.py`)."""

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
POINTS = {"max_digits": 6, "decimal_places": 1}
RESULT = {"max_digits": 8, "decimal_places": 2}


def evidence_path(instance, filename):
    """A random name: media may be served without a login check (see deliberation)."""
    return stored_name("ratings", filename)


class Purpose(models.TextChoices):
    CONTEST = "contest", _("Civilised-unit contest")
    STARS = "stars", _("Party member star rating")
    EVALUATION = "evaluation", _("Residents' evaluation")


# ---------------------------------------------------------------------------------------------
# Rubrics


class RubricStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ADOPTED = "adopted", _("Adopted")
    RETIRED = "retired", _("Retired")


class Rubric(Scoped):
    """评分细则: one version of a rubric. Versions of one rubric share `code`; a draft is edited
    (and may be put to the residents), an adopted version never changes again, so every round
    scored with it can be read as it was. A rubric without a place is a template every scope
    may copy."""

    purpose = models.CharField(_("purpose"), max_length=16, choices=Purpose.choices)
    code = models.SlugField(_("code"), max_length=60)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), max_length=5000, blank=True)
    place = models.ForeignKey(
        Place,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("scope"),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=RubricStatus.choices, default=RubricStatus.DRAFT
    )
    based_on = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The deliberation topic that puts the draft to the residents (seed 001: 共建议事会).
    topic = models.ForeignKey(
        "deliberation.Topic",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("topic"),
    )
    comments_open = models.BooleanField(_("residents may comment"), default=False)
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    adopted_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    adopted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("rubric")
        verbose_name_plural = _("rubrics")
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="rubric_version_once"),
        ]
        indexes = [models.Index(fields=["path", "status"], name="rubric_path")]

    def __str__(self):
        return f"{self.name} v{self.version}"

    @property
    def editable(self) -> bool:
        return self.status == RubricStatus.DRAFT


class ItemKind(models.TextChoices):
    SCORE = "score", _("Scored up to a maximum")
    DEDUCTION = "deduction", _("Deduction")
    BONUS = "bonus", _("Bonus")
    VETO = "veto", _("Veto (一票否决)")


class RubricItem(models.Model):
    """One line of a rubric: what is judged, how many points, what is exempt."""

    rubric = models.ForeignKey(Rubric, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    code = models.SlugField(_("code"), max_length=40)
    title = models.CharField(_("title"), max_length=100)
    description = models.TextField(_("what is judged"), max_length=2000, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=ItemKind.choices)
    max_points = models.DecimalField(_("maximum points"), **POINTS, default=0)
    exemptions = models.TextField(_("exemptions"), max_length=1000, blank=True)
    evidence_required = models.BooleanField(_("evidence photo required"), default=False)
    # Ties are broken by fewer deductions, then by the higher score of this item (hygiene).
    tiebreak = models.BooleanField(_("breaks ties"), default=False)

    class Meta:
        verbose_name = _("rubric item")
        verbose_name_plural = _("rubric items")
        ordering = ["rubric_id", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["rubric", "code"], name="rubric_item_code_once"),
            models.UniqueConstraint(
                fields=["rubric"], condition=Q(tiebreak=True), name="rubric_one_tiebreak"
            ),
            models.CheckConstraint(condition=Q(max_points__gte=0), name="rubric_item_max"),
        ]

    def __str__(self):
        return self.title


class StarBand(models.Model):
    """星级: from this score up, this many stars (the party members' star rating)."""

    rubric = models.ForeignKey(Rubric, on_delete=models.CASCADE, related_name="bands")
    min_score = models.DecimalField(_("from score"), **POINTS)
    stars = models.PositiveSmallIntegerField(_("stars"))

    class Meta:
        verbose_name = _("star band")
        verbose_name_plural = _("star bands")
        ordering = ["rubric_id", "-min_score"]
        constraints = [
            models.UniqueConstraint(fields=["rubric", "stars"], name="star_band_once"),
            models.CheckConstraint(condition=Q(stars__gte=1, stars__lte=5), name="star_band_1_5"),
        ]

    def __str__(self):
        return f"{self.min_score}+ → {self.stars}★"


class RubricComment(models.Model):
    """A resident's comment on a draft rubric (seed 001: residents improved the rules)."""

    rubric = models.ForeignKey(Rubric, on_delete=models.CASCADE, related_name="comments")
    item = models.ForeignKey(
        RubricItem,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="comments",
        verbose_name=_("item"),
    )
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    text = models.TextField(_("comment"), max_length=2000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("rubric comment")
        verbose_name_plural = _("rubric comments")
        ordering = ["created_at", "id"]

    def __str__(self):
        return self.text[:40]


# ---------------------------------------------------------------------------------------------
# Contests


class TargetKind(models.TextChoices):
    UNIT = "unit", _("Units")
    BUILDING = "building", _("Buildings")
    PARTY_MEMBER = "party_member", _("Party members")


class Period(models.TextChoices):
    MONTH = "month", _("Monthly")
    YEAR = "year", _("Yearly")


class Aggregation(models.TextChoices):
    MEAN = "mean", _("Mean of the panellists")
    TRIMMED = "trimmed", _("Trimmed mean (highest and lowest dropped)")


class Party(models.TextChoices):
    """The four parties of seed 001's panel (社区、物业、业委会、居民代表); star ratings are
    scored by the party branch."""

    COMMUNITY = "community", _("Community")
    PROPERTY = "property", _("Property company")
    OWNERS_COMMITTEE = "owners_committee", _("Owners' committee")
    RESIDENTS = "residents", _("Resident representatives")
    PARTY_BRANCH = "party_branch", _("Party branch")


CONTEST_PARTIES = [Party.COMMUNITY, Party.PROPERTY, Party.OWNERS_COMMITTEE, Party.RESIDENTS]


class Contest(Scoped):
    """A standing rating in a scope: an estate's (or community's) civilised-unit contest, or a
    party organisation's yearly star rating. Rounds copy its settings when they open."""

    purpose = models.CharField(_("purpose"), max_length=16, choices=Purpose.choices)
    name = models.CharField(_("name"), max_length=100)
    target_kind = models.CharField(_("rates"), max_length=16, choices=TargetKind.choices)
    period = models.CharField(_("period"), max_length=8, choices=Period.choices)
    rubric = models.ForeignKey(
        Rubric, on_delete=models.PROTECT, related_name="contests", verbose_name=_("rubric")
    )
    party_organisation = models.ForeignKey(
        "people.PartyOrganisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("party organisation"),
    )
    aggregation = models.CharField(
        _("aggregation"), max_length=16, choices=Aggregation.choices, default=Aggregation.MEAN
    )
    trim = models.PositiveSmallIntegerField(_("dropped at each end"), default=1)
    flags = models.PositiveSmallIntegerField(_("red flags a month"), default=3)
    scoring_days = models.PositiveSmallIntegerField(_("days to score"), default=7)
    # The year's awards (年底按流动红旗次数前三名给予物业费补贴).
    award_places = models.PositiveSmallIntegerField(_("units awarded a year"), default=3)
    award_percent = models.DecimalField(
        _("property-fee subsidy for awarded units (%)"), max_digits=5, decimal_places=2, default=10
    )
    head_percent = models.DecimalField(
        _("property-fee subsidy for the three heads (%)"),
        max_digits=5,
        decimal_places=2,
        default=10,
    )
    head_bonus_percent = models.DecimalField(
        _("more for heads who fulfilled their duties (%)"),
        max_digits=5,
        decimal_places=2,
        default=10,
    )
    fee_fen_per_sqm_month = models.PositiveIntegerField(
        _("property fee (fen per m² a month)"), default=0
    )
    active = models.BooleanField(_("in use"), default=True)
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("contest")
        verbose_name_plural = _("contests")
        ordering = ["path", "name"]
        indexes = [models.Index(fields=["path"], name="contest_path")]
        constraints = [
            models.CheckConstraint(
                condition=Q(award_percent__lte=100, head_percent__lte=100),
                name="contest_award_percent",
            ),
        ]

    def __str__(self):
        return self.name


class Panellist(models.Model):
    """A member of the contest's panel and the party they sit for."""

    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="panellists")
    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="panel_seats", verbose_name=_("person")
    )
    party = models.CharField(_("party"), max_length=20, choices=Party.choices)
    since = models.DateField(_("since"), default=timezone.localdate)
    until = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        verbose_name = _("panellist")
        verbose_name_plural = _("panellists")
        ordering = ["contest_id", "party", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["contest", "user"], condition=Q(until__isnull=True), name="panellist_once"
            )
        ]

    def __str__(self):
        return f"{self.user} ({self.get_party_display()})"


class RoundStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("round status", "Open")
    SCORING = "scoring", _("Scoring")
    REVIEW = "review", _("In review")
    PUBLISHED = "published", pgettext_lazy("round status", "Published")
    LOCKED = "locked", _("Locked")


class Round(Scoped):
    """One month (or year) of a contest. Its rubric version, panel, targets and settings are
    frozen when it opens, so later changes to the contest never rewrite a past month."""

    contest = models.ForeignKey(Contest, on_delete=models.PROTECT, related_name="rounds")
    period_start = models.DateField(_("period"))
    rubric = models.ForeignKey(Rubric, on_delete=models.PROTECT, related_name="rounds")
    status = models.CharField(
        _("status"), max_length=16, choices=RoundStatus.choices, default=RoundStatus.OPEN
    )
    due_on = models.DateField(_("scoring due"))
    aggregation = models.CharField(max_length=16, choices=Aggregation.choices)
    trim = models.PositiveSmallIntegerField(default=1)
    flags = models.PositiveSmallIntegerField(default=3)
    opened_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    opened_at = models.DateTimeField(default=timezone.now)
    scoring_at = models.DateTimeField(null=True, blank=True)
    review_at = models.DateTimeField(null=True, blank=True)
    ranked_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    locked_at = models.DateTimeField(null=True, blank=True)
    # The ranking's public notice (公示); publishing again after a reopen replaces its text.
    notice = models.ForeignKey(
        "deliberation.Publication",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("round")
        verbose_name_plural = _("rounds")
        ordering = ["-period_start", "contest_id"]
        constraints = [
            models.UniqueConstraint(fields=["contest", "period_start"], name="round_once"),
        ]
        indexes = [
            models.Index(fields=["path", "period_start"], name="round_path"),
            models.Index(fields=["status", "due_on"], name="round_due"),
        ]

    def __str__(self):
        return f"{self.contest} {self.period_label}"

    @property
    def period_label(self) -> str:
        if self.contest.period == Period.YEAR:
            return f"{self.period_start:%Y}"
        return f"{self.period_start:%Y-%m}"


class RoundPanellist(models.Model):
    """Who scores this round, as the panel stood when it opened."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="panel")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    party = models.CharField(_("party"), max_length=20, choices=Party.choices)

    class Meta:
        verbose_name = _("round panellist")
        verbose_name_plural = _("round panellists")
        ordering = ["round_id", "party", "id"]
        constraints = [
            models.UniqueConstraint(fields=["round", "user"], name="round_panellist_once"),
        ]

    def __str__(self):
        return f"{self.round_id}: {self.user_id}"


class Target(models.Model):
    """A unit, building or party member rated in a round, with its computed result."""

    # Indexes are few on purpose, and none holds a column the ranking writes: ranking rewrites
    # every target of a round, and PostgreSQL can then put each new row version on the same
    # page without touching any index (a HOT update; the table keeps half of each page free
    # for it, migration 0003). A ranking page sorts one round's targets without an index.
    round = models.ForeignKey(
        Round, on_delete=models.CASCADE, related_name="targets", db_index=False
    )
    place = models.ForeignKey(
        Place, on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )
    member = models.ForeignKey(
        User, on_delete=models.CASCADE, null=True, blank=True, related_name="+", db_index=False
    )
    label = models.CharField(_("name"), max_length=160)
    position = models.PositiveIntegerField(default=0)  # the order panellists walk through
    sheets = models.PositiveSmallIntegerField(_("sheets"), default=0)
    total = models.DecimalField(_("total"), **RESULT, null=True, blank=True)
    lost = models.DecimalField(_("points deducted"), **RESULT, null=True, blank=True)
    tiebreak = models.DecimalField(**RESULT, null=True, blank=True)
    vetoed = models.BooleanField(_("vetoed"), default=False)
    rank = models.PositiveIntegerField(_("rank"), null=True, blank=True)
    flag = models.BooleanField(_("red flag"), default=False)
    stars = models.PositiveSmallIntegerField(_("stars"), null=True, blank=True)

    class Meta:
        verbose_name = _("rated target")
        verbose_name_plural = _("rated targets")
        ordering = ["round_id", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "place"],
                condition=Q(place__isnull=False),
                name="target_place_once",
            ),
            models.UniqueConstraint(
                fields=["round", "member"],
                condition=Q(member__isnull=False),
                name="target_member_once",
            ),
            models.CheckConstraint(
                condition=Q(place__isnull=False) | Q(member__isnull=False), name="target_what"
            ),
        ]
        indexes = [
            models.Index(
                fields=["place", "round"],
                condition=Q(place__isnull=False),
                name="target_place_history",
            ),
            models.Index(
                fields=["member"], condition=Q(member__isnull=False), name="target_member"
            ),
        ]

    def __str__(self):
        return self.label


class Sheet(models.Model):
    """One panellist's scoring of one target (one screen on their phone). Its totals are kept
    on the row (`scoring.sheet_totals`): the monthly ranking reads sheets, not entries."""

    round = models.ForeignKey(
        Round, on_delete=models.CASCADE, related_name="sheets", db_index=False
    )
    target = models.ForeignKey(
        Target, on_delete=models.CASCADE, related_name="scoresheets", db_index=False
    )
    panellist = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    note = models.CharField(_("note"), max_length=500, blank=True)
    total = models.DecimalField(**POINTS, default=0)
    lost = models.DecimalField(**POINTS, default=0)
    tiebreak = models.DecimalField(**POINTS, default=0)
    vetoed = models.BooleanField(default=False)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("score sheet")
        verbose_name_plural = _("score sheets")
        ordering = ["round_id", "target_id", "panellist_id"]
        constraints = [
            models.UniqueConstraint(fields=["target", "panellist"], name="sheet_once"),
        ]
        indexes = [models.Index(fields=["round", "panellist"], name="sheet_round_panellist")]

    def __str__(self):
        return f"{self.target} / {self.panellist_id}"


class Entry(models.Model):
    """A panellist's mark for one item: the points given (scored, deducted or added), whether
    what was seen is exempt (then nothing counts against the target), whether the veto applies,
    a note and the evidence photo. `value` (signed, as it enters the total) and `lost` (points
    lost) are derived by `scoring.effect` when the entry is saved."""

    sheet = models.ForeignKey(
        Sheet, on_delete=models.CASCADE, related_name="entries", db_index=False
    )
    item = models.ForeignKey(RubricItem, on_delete=models.PROTECT, related_name="+")
    points = models.DecimalField(_("points"), **POINTS, default=0)
    exempt = models.BooleanField(_("exempt"), default=False)
    vetoed = models.BooleanField(_("veto applies"), default=False)
    note = models.CharField(_("note"), max_length=500, blank=True)
    photo = models.ImageField(_("evidence photo"), upload_to=evidence_path, blank=True)
    value = models.DecimalField(**POINTS, default=0)
    lost = models.DecimalField(**POINTS, default=0)

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        ordering = ["sheet_id", "item_id"]
        constraints = [
            models.UniqueConstraint(fields=["sheet", "item"], name="entry_once"),
        ]

    def __str__(self):
        return f"{self.item_id}: {self.points}"


class Correction(models.Model):
    """A change to a panellist's mark in review: what it was, what it became, who and why."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="corrections")
    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="corrections")
    before = models.JSONField()
    after = models.JSONField()
    reason = models.CharField(_("reason"), max_length=500)
    corrected_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    corrected_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("correction")
        verbose_name_plural = _("corrections")
        ordering = ["-corrected_at"]

    def __str__(self):
        return self.reason[:40]


# ---------------------------------------------------------------------------------------------
# The year's awards


class HeadDuty(models.Model):
    """Whether one of a unit's three heads (三长) fulfilled their duties this year; those who
    did get the contest's higher subsidy (seed 001: 10% more)."""

    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="head_duties")
    year = models.PositiveSmallIntegerField(_("year"))
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    fulfilled = models.BooleanField(_("duties fulfilled"), default=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    decided_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("head's duties")
        verbose_name_plural = _("heads' duties")
        constraints = [
            models.UniqueConstraint(fields=["contest", "year", "user"], name="head_duty_once"),
        ]

    def __str__(self):
        return f"{self.year} {self.user_id}"


class AwardKind(models.TextChoices):
    FLAGS = "flags", _("Red flags of the year")
    HEAD = "head", _("Three heads")


class Award(models.Model):
    """One household's subsidy for the year, as confirmed: the list the property company
    receives (XLSX), with the amount in fen."""

    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="awards")
    year = models.PositiveSmallIntegerField(_("year"))
    kind = models.CharField(_("why"), max_length=8, choices=AwardKind.choices)
    household = models.ForeignKey(
        "places.Household", on_delete=models.PROTECT, related_name="+", verbose_name=_("household")
    )
    unit = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    flags = models.PositiveSmallIntegerField(_("red flags"), default=0)
    rank = models.PositiveSmallIntegerField(_("rank"), null=True, blank=True)
    percent = models.DecimalField(_("subsidy (%)"), max_digits=5, decimal_places=2)
    area = models.DecimalField(_("area (m²)"), max_digits=8, decimal_places=2)
    amount_fen = models.PositiveBigIntegerField(_("amount (fen)"))
    confirmed_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    confirmed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("award")
        verbose_name_plural = _("awards")
        ordering = ["contest_id", "year", "kind", "unit_id", "household_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["contest", "year", "kind", "household"], name="award_once"
            ),
        ]

    def __str__(self):
        return f"{self.year} {self.household_id} {self.percent}%"


# ---------------------------------------------------------------------------------------------
# Residents' evaluations (群众评价) of what was carried out


class Appraisal(models.Model):
    """群众评价, item by item: a resident's marks on an evaluation rubric (satisfaction, effect,
    timeliness, openness…) for something carried out in their scope — a deliberation topic's
    result, a co-creation project. `subject` names the thing ("deliberation.topic:12"); the app it
    belongs to keeps the overall rating and comment and decides who may evaluate
    (`evaluations.record`)."""

    subject = models.CharField(max_length=60)
    rubric = models.ForeignKey(Rubric, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    path = PathField(max_length=255, editable=False, default="")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("resident evaluation")
        verbose_name_plural = _("resident evaluations")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["subject", "user"], name="appraisal_once"),
        ]

    def __str__(self):
        return self.subject


class AppraisalScore(models.Model):
    appraisal = models.ForeignKey(Appraisal, on_delete=models.CASCADE, related_name="scores")
    item = models.ForeignKey(RubricItem, on_delete=models.PROTECT, related_name="+")
    points = models.DecimalField(_("points"), **POINTS)

    class Meta:
        verbose_name = _("evaluation score")
        verbose_name_plural = _("evaluation scores")
        constraints = [
            models.UniqueConstraint(fields=["appraisal", "item"], name="appraisal_score_once"),
        ]

    def __str__(self):
        return f"{self.item_id}: {self.points}"
