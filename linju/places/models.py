"""The governance tree (区 → 街道 → 社区 → 小区 → 楼栋 → 单元) and the grid overlay (网格).

Seeds 002 and 003 organise a community as subdistrict → community → grid → building → unit →
household. Every place carries a materialised path, so "everything under this place" is one
indexed prefix query (`path__startswith`), never recursion in Python.
"""

import itertools

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .paths import PathField

PATH_WIDTH = 10  # zero-padded id per path segment keeps prefix queries exact


def path_segment(pk: int) -> str:
    return f"{pk:0{PATH_WIDTH}d}/"


class PlaceKind(models.TextChoices):
    DISTRICT = "district", _("District")
    SUBDISTRICT = "subdistrict", _("Subdistrict")
    COMMUNITY = "community", _("Community")
    ESTATE = "estate", _("Estate")
    BUILDING = "building", _("Building")
    UNIT = "unit", _("Unit")


KIND_ORDER = [k.value for k in PlaceKind]
PARENT_KIND = {child: parent for parent, child in itertools.pairwise(KIND_ORDER)}


class Place(models.Model):
    """One node of the governance tree; its kind fixes its depth."""

    kind = models.CharField(_("kind"), max_length=16, choices=PlaceKind.choices)
    name = models.CharField(_("name"), max_length=100)
    code = models.CharField(_("code"), max_length=40)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent"),
    )
    # "0000000001/0000000007/": ancestors' ids then its own; set once the row has an id.
    path = PathField(max_length=255, editable=False, default="")

    class Meta:
        verbose_name = _("place")
        verbose_name_plural = _("places")
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "code"], name="place_unique_code_in_parent"),
            models.UniqueConstraint(
                fields=["code"],
                condition=models.Q(parent__isnull=True),
                name="place_unique_root_code",
            ),
        ]
        indexes = [
            models.Index(fields=["path"], name="place_path"),
            models.Index(fields=["kind", "path"], name="place_kind_path"),
            models.Index(fields=["parent", "name"], name="place_parent_name"),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        expected = (self.parent.path if self.parent_id else "") + path_segment(self.pk)
        if self.path != expected:
            self.path = expected
            type(self).objects.filter(pk=self.pk).update(path=expected)

    def descendants(self, include_self=True):
        qs = Place.objects.filter(path__startswith=self.path)
        return qs if include_self else qs.exclude(pk=self.pk)

    def ancestors(self, include_self=True):
        ids = [int(seg) for seg in self.path.strip("/").split("/") if seg]
        if not include_self:
            ids = ids[:-1]
        return Place.objects.filter(pk__in=ids).order_by("path")

    def ancestor_of_kind(self, kind):
        return self.ancestors().filter(kind=kind).first()

    @property
    def full_name(self):
        return " ".join(
            p.name for p in self.ancestors() if p.kind not in ("district", "subdistrict")
        )


class Scoped(models.Model):
    """A row bound to a scope place; `path` copies the place's path for prefix filters."""

    place = models.ForeignKey(
        Place, on_delete=models.PROTECT, related_name="+", verbose_name=_("scope")
    )
    path = PathField(max_length=255, editable=False, default="")

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.place_id and not self.path:
            self.path = self.place.path
        super().save(*args, **kwargs)

    @property
    def scope_path(self):
        return self.path


class Grid(models.Model):
    """网格: a management overlay inside one community covering a set of buildings."""

    community = models.ForeignKey(
        Place,
        on_delete=models.PROTECT,
        related_name="grids",
        verbose_name=_("community"),
        limit_choices_to={"kind": PlaceKind.COMMUNITY},
    )
    name = models.CharField(_("name"), max_length=100)
    code = models.CharField(_("code"), max_length=40)
    buildings = models.ManyToManyField(
        Place,
        related_name="grid_set",
        blank=True,
        verbose_name=_("buildings"),
        limit_choices_to={"kind": PlaceKind.BUILDING},
    )

    class Meta:
        verbose_name = _("grid")
        verbose_name_plural = _("grids")
        ordering = ["community_id", "code"]
        constraints = [
            models.UniqueConstraint(fields=["community", "code"], name="grid_unique_code"),
        ]

    def __str__(self):
        return self.name

    @property
    def scope_path(self):
        return self.community.path

    def building_paths(self):
        return list(self.buildings.values_list("path", flat=True))


class Household(models.Model):
    """户: a dwelling under a unit. Its exclusive floor area weighs owners' votes (seed 002)."""

    unit = models.ForeignKey(
        Place,
        on_delete=models.PROTECT,
        related_name="households",
        verbose_name=_("unit"),
        db_index=False,  # the unique (unit, room) index serves lookups by unit
        limit_choices_to={"kind": PlaceKind.UNIT},
    )
    room = models.CharField(_("room"), max_length=20)
    floor = models.SmallIntegerField(_("floor"))
    area = models.DecimalField(
        _("exclusive floor area (m²)"),
        max_digits=8,
        decimal_places=2,
        validators=[MinValueValidator(0)],
    )
    # The unit's path plus the household's own segment: scope filters need no join, and a
    # resident's scope (their household) is a prefix like any other. Indexed in Meta.
    path = PathField(max_length=255, editable=False, default="")
    # Unique by constraint, not unique=True: on PostgreSQL that would add a second, pattern-ops
    # index that exact lookups never use and every roster import must maintain.
    invite_code = models.CharField(_("invite code"), max_length=12)
    # The owner as the community's roster (台账) names them. An account is made only when the
    # person signs up (and consents, PIPL); sign-up with this mobile then verifies ownership.
    owner_name = models.CharField(_("owner on the roster"), max_length=50, blank=True)
    owner_mobile = models.CharField(_("owner's mobile on the roster"), max_length=11, blank=True)
    # Unsold units still held by the developer: in owners' ballots they count once together
    # (one head), with their areas summed (Civil Code interpretation on building ownership).
    # A database default too: the roster import and the bench generator write rows by COPY.
    developer_held = models.BooleanField(
        _("unsold, held by the developer"), default=False, db_default=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        ordering = ["path", "room"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "room"], name="household_unique_room"),
            models.UniqueConstraint(fields=["invite_code"], name="household_unique_invite_code"),
            models.CheckConstraint(condition=models.Q(area__gte=0), name="household_area_nonneg"),
        ]
        indexes = [
            # One index for prefix scans (LIKE 'path%') and tree order (see PathField).
            models.Index(fields=["path"], name="household_path"),
            # Sign-up looks up the households whose roster names the new account's mobile.
            models.Index(
                fields=["owner_mobile"],
                name="household_owner_mobile",
                condition=~Q(owner_mobile=""),
            ),
        ]

    def __str__(self):
        return f"{self.unit.full_name} {self.room}"

    def save(self, *args, **kwargs):
        if not self.invite_code:
            from linju.places.codes import new_invite_code

            self.invite_code = new_invite_code()
        super().save(*args, **kwargs)
        expected = self.unit.path + "h" + path_segment(self.pk)
        if self.path != expected:
            self.path = expected
            type(self).objects.filter(pk=self.pk).update(path=expected)

    @property
    def estate(self):
        return self.unit.ancestor_of_kind(PlaceKind.ESTATE)
