"""People: users, residencies (居民与户的关系), scoped roles, and the party organisation overlay
(社区党委 → 网格党支部 → 楼栋党小组 → 党员中心户), as seeds 001–003 describe."""

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from linju.places.models import Grid, Household, Place
from linju.places.paths import PathField

from .roles import GRANTABLE_ROLES

mobile_validator = RegexValidator(
    r"^1[3-9]\d{9}$", _("Enter a mainland mobile number of 11 digits starting with 1.")
)


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, mobile, password=None, **extra):
        if not mobile:
            raise ValueError("mobile is required")
        user = self.model(mobile=mobile, **extra)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_superuser(self, mobile, password=None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(mobile, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in with a mobile number. `is_staff` only opens Django admin."""

    # Unique by constraint (see Meta), which keeps PostgreSQL to one index on it.
    mobile = models.CharField(_("mobile number"), max_length=11, validators=[mobile_validator])
    name = models.CharField(_("name"), max_length=50, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("admin site access"), default=False)
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)
    privacy_consent_at = models.DateTimeField(_("privacy consent given"), null=True, blank=True)
    privacy_consent_version = models.CharField(max_length=20, blank=True)
    elder_mode = models.BooleanField(_("elder mode"), default=False)
    language = models.CharField(_("language"), max_length=10, blank=True)
    # Raised by "log out everywhere else": every session signed with an older value ends.
    session_generation = models.PositiveIntegerField(default=0, editable=False)

    objects = UserManager()

    USERNAME_FIELD = "mobile"
    REQUIRED_FIELDS = ["name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [models.UniqueConstraint(fields=["mobile"], name="user_unique_mobile")]

    def __str__(self):
        return self.name or self.mobile

    @property
    def scope_path(self):
        """Where the person lives, for audit; "" (the root) for people with no household."""
        live = self.residencies.filter(status=ResidencyStatus.VERIFIED).first()
        return live.household.path if live else ""

    def _get_session_auth_hash(self, secret=None):
        """Django signs a session with the password's hash; the generation joins it so a person
        can end their other sessions without changing the password. At 0 the value is Django's
        own, so sessions made before the field existed stay valid."""
        key_salt = "django.contrib.auth.models.AbstractBaseUser.get_session_auth_hash"
        value = self.password
        if self.session_generation:
            value = f"{value}#{self.session_generation}"
        return salted_hmac(key_salt, value, secret=secret, algorithm="sha256").hexdigest()

    def get_full_name(self):
        return self.name

    def get_short_name(self):
        return self.name


class Relation(models.TextChoices):
    OWNER = "owner", _("Owner")
    CO_OWNER = "co_owner", _("Co-owner")
    TENANT = "tenant", _("Tenant")
    FAMILY = "family", _("Family member")


OWNER_RELATIONS = (Relation.OWNER, Relation.CO_OWNER)


class ResidencyStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for verification")
    VERIFIED = "verified", _("Verified")
    REJECTED = "rejected", _("Rejected")
    ENDED = "ended", _("Ended")


class Residency(models.Model):
    """A user's link to a household. Owners' rights (votes) need a verified residency."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="residencies", verbose_name=_("user")
    )
    # Indexed by (household, status) in Meta, which also serves lookups by household alone.
    household = models.ForeignKey(
        Household,
        on_delete=models.PROTECT,
        related_name="residencies",
        verbose_name=_("household"),
        db_index=False,
    )
    relation = models.CharField(_("relation"), max_length=16, choices=Relation.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=ResidencyStatus.choices, default=ResidencyStatus.PENDING
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    source = models.CharField(max_length=16, default="request")  # request | invite | roster
    requested_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", db_index=False
    )

    class Meta:
        verbose_name = _("residency")
        verbose_name_plural = _("residencies")
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "household"],
                condition=Q(status__in=["pending", "verified"]),
                name="residency_one_live_per_household",
            ),
        ]
        indexes = [
            models.Index(fields=["household", "status"], name="residency_household_status"),
            # The verification queue reads only pending rows; a partial index stays tiny and
            # costs the roster import's verified rows nothing.
            models.Index(
                fields=["requested_at"], condition=Q(status="pending"), name="residency_pending"
            ),
        ]

    def __str__(self):
        return f"{self.user} @ {self.household_id} ({self.relation})"

    @property
    def scope_path(self):
        return self.household.path

    @property
    def is_owner(self):
        return self.relation in OWNER_RELATIONS and self.status == ResidencyStatus.VERIFIED


class RoleGrantQuerySet(models.QuerySet):
    def fill_scope_paths(self) -> int:
        """Set scope_path in SQL, for grants made by bulk_create (which skips save())."""
        place_path = Place.objects.filter(pk=OuterRef("place_id")).values("path")
        grid_path = Grid.objects.filter(pk=OuterRef("grid_id")).values("community__path")
        return self.update(scope_path=Coalesce(Subquery(place_path), Subquery(grid_path)))


class RoleGrant(models.Model):
    """A staff role bound to a scope: a place of the tree or a grid. Revoked grants stay."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="role_grants", verbose_name=_("user")
    )
    role = models.CharField(
        _("role"), max_length=24, choices=[(r.value, r.label) for r in GRANTABLE_ROLES]
    )
    place = models.ForeignKey(
        Place,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="role_grants",
        verbose_name=_("place"),
    )
    grid = models.ForeignKey(
        Grid,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="role_grants",
        verbose_name=_("grid"),
    )
    granted_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    granted_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The place's path, or the grid's community's: "grants inside a scope" is one indexed
    # prefix scan, like households', instead of an OR across two joins the planner misjudges.
    scope_path = PathField(max_length=255, editable=False, default="")

    objects = RoleGrantQuerySet.as_manager()

    class Meta:
        verbose_name = _("role grant")
        verbose_name_plural = _("role grants")
        ordering = ["-granted_at"]
        indexes = [models.Index(fields=["scope_path"], name="rolegrant_scope_path")]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(place__isnull=False, grid__isnull=True)
                    | Q(place__isnull=True, grid__isnull=False)
                ),
                name="rolegrant_one_scope",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "place"],
                condition=Q(revoked_at__isnull=True, place__isnull=False),
                name="rolegrant_unique_live_place",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "grid"],
                condition=Q(revoked_at__isnull=True, grid__isnull=False),
                name="rolegrant_unique_live_grid",
            ),
        ]

    def __str__(self):
        return f"{self.user} · {self.get_role_display()} · {self.scope}"

    def save(self, *args, **kwargs):
        self.set_scope_path()
        super().save(*args, **kwargs)

    def set_scope_path(self) -> None:
        """The place's path, or the grid's community's (access checks need it before saving)."""
        self.scope_path = self.place.path if self.place_id else self.grid.community.path

    @property
    def scope(self):
        return self.place or self.grid

    @property
    def active(self):
        return self.revoked_at is None


class PartyOrgKind(models.TextChoices):
    COMMITTEE = "committee", _("Community party committee")
    BRANCH = "branch", _("Grid party branch")
    GROUP = "group", _("Building party group")


class PartyOrganisation(models.Model):
    """社区党委 / 网格党支部 / 楼栋党小组: the party overlay on the tree (seeds 001, 003)."""

    kind = models.CharField(_("kind"), max_length=16, choices=PartyOrgKind.choices)
    name = models.CharField(_("name"), max_length=100)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent"),
    )
    place = models.ForeignKey(
        Place, on_delete=models.PROTECT, related_name="party_organisations", verbose_name=_("place")
    )
    grid = models.ForeignKey(
        Grid,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="party_organisations",
        verbose_name=_("grid"),
    )
    members = models.ManyToManyField(
        User, through="PartyMembership", related_name="party_organisations"
    )

    class Meta:
        verbose_name = _("party organisation")
        verbose_name_plural = _("party organisations")
        ordering = ["place__path", "kind"]

    def __str__(self):
        return self.name

    @property
    def scope_path(self):
        return self.place.path


class PartyMembership(models.Model):
    organisation = models.ForeignKey(
        PartyOrganisation, on_delete=models.CASCADE, related_name="memberships"
    )
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="party_memberships")
    position = models.CharField(_("position"), max_length=30, blank=True)  # 书记, 委员, 组长…
    joined_at = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name = _("party membership")
        verbose_name_plural = _("party memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "user"], name="party_membership_unique"
            ),
        ]

    def __str__(self):
        return f"{self.user} · {self.organisation}"


class LiaisonHousehold(models.Model):
    """党员中心户: a party member's household that serves the households linked to it."""

    member = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="liaisons", verbose_name=_("party member")
    )
    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="+", verbose_name=_("liaison household")
    )
    organisation = models.ForeignKey(
        PartyOrganisation,
        on_delete=models.PROTECT,
        related_name="liaisons",
        verbose_name=_("party organisation"),
    )
    served = models.ManyToManyField(
        Household, related_name="liaisons", blank=True, verbose_name=_("households served")
    )

    class Meta:
        verbose_name = _("liaison household")
        verbose_name_plural = _("liaison households")
        constraints = [
            models.UniqueConstraint(fields=["household"], name="liaison_household_unique"),
        ]

    def __str__(self):
        return f"{self.member} · {self.household}"

    @property
    def scope_path(self):
        return self.household.path


class SmsCode(models.Model):
    """A one-time code sent to a mobile number; only its hash is kept."""

    mobile = models.CharField(max_length=11, db_index=True)
    purpose = models.CharField(max_length=16)  # login | signup
    code_hash = models.CharField(max_length=128)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)
    # A keyed digest of the requesting address (core.net.client_key), for the per-address limit.
    client_key = models.CharField(max_length=16, blank=True, default="")

    class Meta:
        indexes = [
            models.Index(fields=["mobile", "purpose", "-created_at"], name="smscode_lookup"),
            models.Index(fields=["client_key", "-created_at"], name="smscode_client"),
        ]

    def __str__(self):
        return f"{self.purpose} code for {self.mobile}"
