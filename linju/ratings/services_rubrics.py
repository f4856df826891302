"""Every write on rubrics (seed 001: 制定评分细则, then 召集居民集中讨论, 精益求精完善评分细则):
a scope copies a template or an earlier version into a draft, edits its items, puts it to the
residents (comments on the rubric page, and a deliberation topic for the 共建议事会), and adopts
it. An adopted version never changes; the contests that used an earlier version of the same
rubric move to the new one, while their past rounds keep the version they were scored with."""

import itertools
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from linju.core import audit
from linju.core.cleaning import as_id, clean_text, constraint_name
from linju.core.errors import Conflict, Invalid, NotFound
from linju.deliberation.models import TopicSource
from linju.deliberation.services_topics import propose_topic
from linju.places.models import Place

from . import rules
from .models import (
    Contest,
    ItemKind,
    Purpose,
    Rubric,
    RubricComment,
    RubricItem,
    RubricStatus,
    StarBand,
)
from .scoring import STEP, as_points

SCOPE_KINDS = ("estate", "community")  # where deliberation can take up a draft
MAX_ITEMS = 40


def _locked(rubric) -> Rubric:
    return Rubric.objects.select_for_update().get(pk=rubric.pk)


def _draft(rubric) -> Rubric:
    rubric = _locked(rubric)
    if not rubric.editable:
        raise Conflict(_("An adopted rubric cannot change: make a new version."), code="adopted")
    return rubric


def _place(place_id) -> Place:
    place = Place.objects.filter(pk=as_id(place_id), kind__in=SCOPE_KINDS).first()
    if place is None:
        raise Invalid({"place": _("Choose an estate or a community.")})
    return place


@transaction.atomic
def create_rubric(*, user, place_id, purpose: str, name: str, description: str = "") -> Rubric:
    """An empty draft in a scope."""
    place = _place(place_id)
    rules.require(rules.can_manage(user, place))
    if purpose not in Purpose.values:
        raise Invalid({"purpose": _("Choose what the rubric is for.")})
    name = clean_text(name, field="name", max_length=100, required=_("Name the rubric."))
    description = clean_text(description, field="description", max_length=5000)
    rubric = Rubric.objects.create(
        purpose=purpose,
        code=f"p{place.pk}-{timezone.now():%Y%m%d%H%M%S%f}",
        name=name,
        description=description,
        place=place,
        created_by=user,
    )
    audit.record(actor=user, verb="ratings.rubric_create", obj=rubric)
    return rubric


@transaction.atomic
def copy_rubric(*, user, rubric, place_id=None) -> Rubric:
    """A new draft from a template (into the scope `place_id`) or a new version of one of the
    scope's rubrics (same code, next version number)."""
    # Locked: two copies of one source at once would both take the next version number.
    source = Rubric.objects.select_for_update().filter(pk=as_id(rubric)).first()
    if source is None:
        raise NotFound(_("No such rubric."))
    if source.place_id is None:
        place = _place(place_id)
        code = f"p{place.pk}-{source.code}"
    else:
        place = source.place
        code = source.code
    rules.require(rules.can_manage(user, place))
    version = (Rubric.objects.filter(code=code).aggregate(v=Max("version"))["v"] or 0) + 1
    try:
        with transaction.atomic():
            copy = Rubric.objects.create(
                purpose=source.purpose,
                code=code,
                version=version,
                name=source.name,
                description=source.description,
                place=place,
                based_on=source,
                created_by=user,
            )
    except IntegrityError as exc:
        # Another version of the same rubric was made at the same instant from another source.
        if constraint_name(exc) in (None, "rubric_version_once"):
            raise Conflict(
                _("A new version was made just now: reload."), code="duplicate"
            ) from None
        raise
    RubricItem.objects.bulk_create(
        RubricItem(
            rubric=copy,
            **{
                f: getattr(item, f)
                for f in (
                    "position",
                    "code",
                    "title",
                    "description",
                    "kind",
                    "max_points",
                    "exemptions",
                    "evidence_required",
                    "tiebreak",
                )
            },
        )
        for item in source.items.all()
    )
    StarBand.objects.bulk_create(
        StarBand(rubric=copy, min_score=b.min_score, stars=b.stars) for b in source.bands.all()
    )
    audit.record(
        actor=user, verb="ratings.rubric_copy", obj=copy, data={"from": source.pk, "v": version}
    )
    return copy


@transaction.atomic
def update_rubric(*, user, rubric, name=None, description=None) -> Rubric:
    """Rename or describe a draft; what is None stays as it is."""
    rubric = _draft(rubric)
    rules.require(rules.can_manage(user, rubric))
    if name is not None:
        rubric.name = clean_text(name, field="name", max_length=100, required=_("Name the rubric."))
    if description is not None:
        rubric.description = clean_text(description, field="description", max_length=5000)
    rubric.save(update_fields=["name", "description"])
    changed = [f for f, v in (("name", name), ("description", description)) if v is not None]
    audit.record(actor=user, verb="ratings.rubric_update", obj=rubric, data={"fields": changed})
    return rubric


def _clean_item(rubric, data) -> dict:
    code = clean_text(data.get("code"), field="code", max_length=40, required=_("Give a code."))
    if not code.replace("-", "").replace("_", "").isalnum() or not code.isascii():
        raise Invalid({"code": _("Use letters, digits, - and _ only.")})
    kind = data.get("kind")
    if kind not in ItemKind.values:
        raise Invalid({"kind": _("Choose the kind of item.")})
    max_points = as_points(data.get("max_points"), field="max_points")
    if max_points < 0 or max_points > 1000 or max_points % STEP:
        raise Invalid({"max_points": _("Give 0 to 1000 points, in whole or half points.")})
    if kind == ItemKind.VETO:
        max_points = Decimal(0)
    elif max_points == 0:
        raise Invalid({"max_points": _("An item that is not a veto needs points.")})
    tiebreak = bool(data.get("tiebreak"))
    if tiebreak and kind != ItemKind.SCORE:
        raise Invalid({"tiebreak": _("Only a scored item can break ties.")})
    if rubric.purpose == Purpose.EVALUATION and kind != ItemKind.SCORE:
        raise Invalid({"kind": _("Residents' evaluations only have scored items.")})
    return {
        "code": code,
        "kind": kind,
        "max_points": max_points,
        "tiebreak": tiebreak,
        "title": clean_text(
            data.get("title"), field="title", max_length=100, required=_("Give a title.")
        ),
        "description": clean_text(data.get("description"), field="description", max_length=2000),
        "exemptions": clean_text(data.get("exemptions"), field="exemptions", max_length=1000),
        "evidence_required": bool(data.get("evidence_required")),
        "position": _position(data.get("position")),
    }


def _position(value) -> int:
    try:
        return max(0, min(int(value or 0), 999))
    except (TypeError, ValueError):
        raise Invalid({"position": _("Enter a whole number.")}) from None


@transaction.atomic
def save_item(*, user, rubric, item_id=None, **data) -> RubricItem:
    """Add an item to a draft, or change one (`item_id`)."""
    rubric = _draft(rubric)
    rules.require(rules.can_manage(user, rubric))
    fields = _clean_item(rubric, data)
    if item_id is not None:
        item = rubric.items.filter(pk=as_id(item_id)).first()
        if item is None:
            raise NotFound(_("No such item."))
    else:
        if rubric.items.count() >= MAX_ITEMS:
            raise Invalid({"code": _("A rubric has at most %(n)d items.") % {"n": MAX_ITEMS}})
        item = RubricItem(rubric=rubric)
    if fields["tiebreak"]:
        rubric.items.exclude(pk=item.pk).filter(tiebreak=True).update(tiebreak=False)
    for name, value in fields.items():
        setattr(item, name, value)
    try:
        with transaction.atomic():
            item.save()
    except IntegrityError as exc:
        if constraint_name(exc) in (None, "rubric_item_code_once"):
            raise Invalid({"code": _("Another item has this code.")}) from None
        raise
    audit.record(actor=user, verb="ratings.rubric_item", obj=rubric, data={"item": item.code})
    return item


@transaction.atomic
def delete_item(*, user, item) -> None:
    rubric = _draft(item.rubric)
    rules.require(rules.can_manage(user, rubric))
    audit.record(
        actor=user, verb="ratings.rubric_item_delete", obj=rubric, data={"item": item.code}
    )
    item.delete()


@transaction.atomic
def set_bands(*, user, rubric, bands) -> list[StarBand]:
    """星级 bands of a star rating: [(min_score, stars)], stars 1–5, higher stars need more."""
    rubric = _draft(rubric)
    rules.require(rules.can_manage(user, rubric))
    if rubric.purpose != Purpose.STARS:
        raise Invalid({"bands": _("Only a star rating has star bands.")})
    cleaned = []
    for i, band in enumerate(bands):
        minimum = as_points(band.get("min_score"), field=f"bands.{i}.min_score")
        if minimum < 0 or minimum % STEP:
            raise Invalid({f"bands.{i}.min_score": _("Give 0 or more, in whole or half points.")})
        try:
            stars = int(band.get("stars"))
        except (TypeError, ValueError):
            stars = 0
        if not 1 <= stars <= 5:
            raise Invalid({f"bands.{i}.stars": _("Give 1 to 5 stars.")})
        cleaned.append((minimum, stars))
    if len({s for _m, s in cleaned}) != len(cleaned):
        raise Invalid({"bands": _("Each number of stars once.")})
    ordered = sorted(cleaned, key=lambda b: b[1])
    if any(a[0] >= b[0] for a, b in itertools.pairwise(ordered)):
        raise Invalid({"bands": _("More stars need a higher score.")})
    rubric.bands.all().delete()
    made = StarBand.objects.bulk_create(
        StarBand(rubric=rubric, min_score=m, stars=s) for m, s in cleaned
    )
    audit.record(actor=user, verb="ratings.rubric_bands", obj=rubric, data={"bands": len(made)})
    return made


@transaction.atomic
def put_to_residents(*, user, rubric, raise_topic: bool = True) -> Rubric:
    """Open a draft for residents' comments; with `raise_topic`, also raise it as a topic in
    deliberation, so the rules go through the scope's deliberation meeting (共建议事会)."""
    rubric = _draft(rubric)
    rules.require(rules.can_manage(user, rubric))
    if not rubric.items.exists():
        raise Conflict(_("Add the rubric's items first."), code="no_items")
    rubric.comments_open = True
    if raise_topic and rubric.topic_id is None:
        rubric.topic = propose_topic(
            user=user,
            place_id=rubric.place_id,
            title=(_("Rubric draft: %(name)s") % {"name": rubric.name})[:120],
            body=_rubric_text(rubric),
            source=TopicSource.STAFF,
            source_ref=f"rubric:{rubric.pk}",
        )
    rubric.save(update_fields=["comments_open", "topic"])
    audit.record(actor=user, verb="ratings.rubric_consult", obj=rubric)
    return rubric


def _rubric_text(rubric) -> str:
    lines = [rubric.description, ""] if rubric.description else []
    for item in rubric.items.all():
        points = "" if item.kind == ItemKind.VETO else f" ({item.max_points:g})"
        line = f"- {item.title}{points}: {item.get_kind_display()}"
        if item.exemptions:
            line += " — " + _("exempt: %(text)s") % {"text": item.exemptions}
        lines.append(line)
    return "\n".join(lines)[:5000]


@transaction.atomic
def comment_rubric(*, user, rubric, text: str, item_id=None) -> RubricComment:
    rubric = Rubric.objects.get(pk=rubric.pk)
    rules.require(rules.can_comment(user, rubric), _("This rubric is not open for comments."))
    text = clean_text(text, field="text", max_length=2000, required=_("Write your comment."))
    item = None
    if item_id not in (None, ""):
        item = rubric.items.filter(pk=as_id(item_id)).first()
        if item is None:
            raise Invalid({"item": _("Choose an item of this rubric.")})
    comment = RubricComment.objects.create(rubric=rubric, item=item, user=user, text=text)
    audit.record(actor=user, verb="ratings.rubric_comment", obj=rubric, data={"id": comment.pk})
    return comment


def check_complete(rubric) -> None:
    """What adoption needs: items, a scored item for contests, bands for star ratings."""
    items = list(rubric.items.all())
    if not items:
        raise Conflict(_("Add the rubric's items first."), code="no_items")
    if rubric.purpose != Purpose.EVALUATION and not any(i.kind == ItemKind.SCORE for i in items):
        raise Conflict(_("A rubric needs at least one scored item."), code="no_scored_item")
    if rubric.purpose == Purpose.STARS and not rubric.bands.exists():
        raise Conflict(_("Set the star bands first."), code="no_bands")


@transaction.atomic
def adopt_rubric(*, user, rubric) -> Rubric:
    """Adopt a draft: it is frozen; earlier adopted versions retire and the contests that used
    them move to this one (their past rounds keep what they were scored with)."""
    rubric = _draft(rubric)
    rules.require(rules.can_manage(user, rubric))
    check_complete(rubric)
    adopted = Rubric.objects.filter(code=rubric.code, status=RubricStatus.ADOPTED)
    if adopted.filter(version__gt=rubric.version).exists():
        raise Conflict(
            _("A later version of this rubric is in use: make a new version from it."),
            code="superseded",
        )
    now = timezone.now()
    older = adopted.filter(version__lt=rubric.version)
    moved = Contest.objects.filter(rubric__in=older).update(rubric=rubric)
    older.update(status=RubricStatus.RETIRED)
    rubric.status = RubricStatus.ADOPTED
    rubric.comments_open = False
    rubric.adopted_at, rubric.adopted_by = now, user
    rubric.save(update_fields=["status", "comments_open", "adopted_at", "adopted_by"])
    audit.record(actor=user, verb="ratings.rubric_adopt", obj=rubric, data={"contests": moved})
    return rubric
