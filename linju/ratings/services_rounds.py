"""Every write on contests and their rounds (seed 001: 召集社区、物业、业委会、居民四方代表, 每月对
小区内所有楼栋进行积分排名, 得分最高的三个单元获得流动红旗; seed 002: 党员星级评定).

A round goes open → scoring → review → published → locked. Opening freezes the rubric
version, the settings, the panel and the targets; panellists score while it is scoring (one
sheet per target, changeable until scoring closes); closing ranks it; corrections in review
need a reason and are kept; publishing re-ranks, hands out the flags (or stars) and puts the
ranking on the notice board; locking (by staff, or by the sweep once the objection days are
over) makes it final. Each function locks the round first."""

import calendar
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from linju.core import access, audit
from linju.core.cleaning import as_id, clean_text, constraint_name
from linju.core.errors import Conflict, Invalid, NotFound
from linju.core.masking import staff_label
from linju.core.notifications import notify, notify_many
from linju.core.uploads import clean_photo
from linju.deliberation.models import Publication, Representative
from linju.deliberation.publishing import publish, revise
from linju.people.models import (
    PartyMembership,
    PartyOrganisation,
    Residency,
    ResidencyStatus,
    User,
)
from linju.people.roles import Role
from linju.places.models import Place
from linju.places.queries import place_labels
from linju.points import services as points_services

from . import rules, scoring
from .models import (
    CONTEST_PARTIES,
    Aggregation,
    Contest,
    Correction,
    Entry,
    Panellist,
    Party,
    Period,
    Purpose,
    Round,
    RoundPanellist,
    RoundStatus,
    Rubric,
    RubricStatus,
    Sheet,
    Target,
    TargetKind,
)
from .ranking import rank_round

CONTEST_SCOPES = {
    TargetKind.UNIT: ("estate", "community"),
    TargetKind.BUILDING: ("estate", "community"),
}
# The role a panellist needs, at a scope containing the contest, to sit for a party.
PARTY_ROLES = {
    Party.COMMUNITY: (Role.COMMUNITY_STAFF, Role.SUBDISTRICT_ADMIN),
    Party.PROPERTY: (Role.PROPERTY_MANAGER,),
    Party.OWNERS_COMMITTEE: (Role.OWNERS_COMMITTEE,),
    Party.PARTY_BRANCH: (Role.COMMUNITY_STAFF, Role.SUBDISTRICT_ADMIN),
}
SETTINGS = (
    "aggregation",
    "trim",
    "flags",
    "scoring_days",
    "award_places",
    "award_percent",
    "head_percent",
    "head_bonus_percent",
    "fee_fen_per_sqm_month",
)


def objection_days() -> int:
    """Days a published ranking stays open to corrections before the sweep locks it."""
    return settings.RATING_OBJECTION_DAYS


def _url(round_) -> str:
    return reverse("ratings:round", args=[round_.pk])


# --- Contests and panels ---------------------------------------------------------------------


def _clean_settings(data) -> dict:
    out = {}
    for name in SETTINGS:
        if name not in data or data[name] in (None, ""):
            continue
        value = data[name]
        if name == "aggregation":
            if value not in Aggregation.values:
                raise Invalid({name: _("Choose how the panel's marks are combined.")})
            out[name] = value
            continue
        number = scoring.as_points(value, field=name)
        limits = {
            "trim": (0, 3),
            "flags": (0, 20),
            "scoring_days": (1, 31),
            "award_places": (0, 20),
            "fee_fen_per_sqm_month": (0, 100_000),
        }
        low, high = limits.get(name, (0, 100))
        if not low <= number <= high:
            raise Invalid(
                {name: _("Give a value from %(low)s to %(high)s.") % {"low": low, "high": high}}
            )
        out[name] = number if name.endswith("percent") else int(number)
    return out


def _adopted(rubric_id, purpose, place) -> Rubric:
    """An adopted rubric for this purpose: a template, or one of the place's scope or above."""
    rubric = Rubric.objects.filter(pk=as_id(rubric_id), status=RubricStatus.ADOPTED).first()
    if rubric is None or rubric.purpose != purpose:
        raise Invalid({"rubric": _("Choose an adopted rubric made for this.")})
    if rubric.place_id and not place.path.startswith(rubric.path):
        raise Invalid({"rubric": _("This rubric belongs to another scope.")})
    return rubric


@transaction.atomic
def create_contest(
    *,
    user,
    place_id,
    name: str,
    rubric_id,
    purpose: str = Purpose.CONTEST,
    target_kind: str = TargetKind.UNIT,
    party_organisation_id=None,
    **options,
) -> Contest:
    """A civilised-unit contest of an estate or community (monthly, units or buildings), or a
    party organisation's star rating (yearly, its members)."""
    name = clean_text(name, field="name", max_length=100, required=_("Name the contest."))
    if purpose == Purpose.CONTEST:
        if target_kind not in CONTEST_SCOPES:
            raise Invalid({"target_kind": _("A contest rates units or buildings.")})
        place = Place.objects.filter(
            pk=as_id(place_id), kind__in=CONTEST_SCOPES[target_kind]
        ).first()
        if place is None:
            raise Invalid({"place": _("Choose an estate or a community.")})
        org, period = None, Period.MONTH
    elif purpose == Purpose.STARS:
        org = (
            PartyOrganisation.objects.select_related("place")
            .filter(pk=as_id(party_organisation_id))
            .first()
        )
        if org is None:
            raise Invalid({"party_organisation": _("Choose the party organisation.")})
        place, target_kind, period = org.place, TargetKind.PARTY_MEMBER, Period.YEAR
    else:
        raise Invalid({"purpose": _("Choose a contest or a star rating.")})
    rules.require(rules.can_manage(user, place))
    rubric = _adopted(rubric_id, purpose, place)
    contest = Contest.objects.create(
        place=place,
        path=place.path,
        purpose=purpose,
        name=name,
        target_kind=target_kind,
        period=period,
        rubric=rubric,
        party_organisation=org,
        created_by=user,
        **_clean_settings(options),
    )
    audit.record(actor=user, verb="ratings.contest_create", obj=contest)
    return contest


@transaction.atomic
def update_contest(*, user, contest, name=None, rubric_id=None, active=None, **options) -> Contest:
    contest = Contest.objects.select_for_update().get(pk=contest.pk)
    rules.require(rules.can_manage(user, contest))
    if name is not None:
        contest.name = clean_text(
            name, field="name", max_length=100, required=_("Name the contest.")
        )
    if rubric_id not in (None, ""):
        contest.rubric = _adopted(rubric_id, contest.purpose, contest.place)
    if active is not None:
        contest.active = bool(active)
    changed = _clean_settings(options)
    for field, value in changed.items():
        setattr(contest, field, value)
    contest.save()
    audit.record(
        actor=user,
        verb="ratings.contest_update",
        obj=contest,
        data={k: str(v) for k, v in changed.items()},
    )
    return contest


def may_sit_for(person, contest, party) -> bool:
    """Seed 001's four parties: community staff, the property company, the owners' committee and
    resident representatives (or residents) of the contest's scope; star ratings are scored by
    the branch's members and community staff."""
    scopes = access.role_scopes(person)
    if party == Party.RESIDENTS:
        if rules.covers_home(person, contest):
            return True
        community = (
            contest.place
            if contest.place.kind == "community"
            else contest.place.ancestor_of_kind("community")
        )
        return Representative.objects.filter(community=community, user=person, until=None).exists()
    member = PartyMembership.objects.filter(
        organisation_id=contest.party_organisation_id, user=person
    )
    if party == Party.PARTY_BRANCH and contest.party_organisation_id and member.exists():
        return True
    roles = PARTY_ROLES.get(party, ())
    return any(
        contest.path.startswith(p) or p.startswith(contest.path)
        for role in roles
        for p in scopes.get(role, ())
    )


@transaction.atomic
def add_panellist(*, user, contest, party: str, person_id=None, mobile=None) -> Panellist:
    """Seat a person (by id, or by the mobile number of their account) for a party."""
    contest = Contest.objects.select_for_update().get(pk=contest.pk)
    rules.require(rules.can_manage(user, contest))
    allowed = (
        CONTEST_PARTIES
        if contest.purpose == Purpose.CONTEST
        else [Party.PARTY_BRANCH, Party.COMMUNITY]
    )
    if party not in allowed:
        raise Invalid({"party": _("Choose the party this person sits for.")})
    if mobile is not None:
        person = User.objects.filter(mobile=str(mobile).strip(), is_active=True).first()
        if person is None:
            raise Invalid({"mobile": _("Nobody with this mobile number has an account.")})
    else:
        person = User.objects.filter(pk=as_id(person_id), is_active=True).first()
        if person is None:
            raise Invalid({"person": _("Choose a person.")})
    if not may_sit_for(person, contest, party):
        raise Invalid({"person": _("This person does not belong to that party here.")})
    try:
        with transaction.atomic():
            seat = Panellist.objects.create(contest=contest, user=person, party=party)
    except IntegrityError as exc:
        if constraint_name(exc) in (None, "panellist_once"):
            raise Conflict(_("This person is on the panel already."), code="duplicate") from None
        raise
    audit.record(
        actor=user, verb="ratings.panel_add", obj=contest, data={"user": person.pk, "party": party}
    )
    return seat


@transaction.atomic
def end_panellist(*, user, panellist) -> Panellist:
    seat = (
        Panellist.objects.select_for_update(of=("self",))
        .select_related("contest")
        .get(pk=panellist.pk)
    )
    rules.require(rules.can_manage(user, seat.contest))
    if seat.until is None:
        seat.until = timezone.localdate()
        seat.save(update_fields=["until"])
        audit.record(
            actor=user, verb="ratings.panel_end", obj=seat.contest, data={"user": seat.user_id}
        )
    return seat


# --- Rounds ------------------------------------------------------------------------------------


def parse_period(value, period) -> date:
    """ "2026-11" (a month) or "2026" (a year), or a date: the period's first day."""
    if isinstance(value, date):
        day = value
    else:
        text = str(value or "").strip()
        try:
            if period == Period.YEAR:
                day = date(int(text[:4]), 1, 1)
            else:
                year, month = text[:7].split("-")
                day = date(int(year), int(month), 1)
        except (ValueError, TypeError):
            raise Invalid(
                {"period": _("Give the month as YYYY-MM (or the year as YYYY).")}
            ) from None
    return day.replace(month=1, day=1) if period == Period.YEAR else day.replace(day=1)


def period_end(contest_period, start: date) -> date:
    if contest_period == Period.YEAR:
        return date(start.year, 12, 31)
    return start.replace(day=calendar.monthrange(start.year, start.month)[1])


def _targets(contest):
    """(place, member, label) of everything the contest rates, in the panel's walking order."""
    if contest.target_kind == TargetKind.PARTY_MEMBER:
        members = (
            User.objects.filter(
                party_memberships__organisation__in=_organisation_tree(
                    contest.party_organisation_id
                ),
                is_active=True,
            )
            .distinct()
            .order_by("name", "pk")
        )
        return [(None, m, staff_label(m)) for m in members]
    places = list(
        Place.objects.filter(kind=contest.target_kind, path__startswith=contest.path).order_by(
            "path"
        )
    )
    labels = place_labels(places)
    return [(p, None, labels[p.pk]) for p in places]


def _organisation_tree(org_id) -> list[int]:
    ids, frontier = [org_id], [org_id]
    while frontier:
        frontier = list(
            PartyOrganisation.objects.filter(parent_id__in=frontier).values_list("pk", flat=True)
        )
        ids.extend(frontier)
    return ids


@transaction.atomic
def open_round(*, user, contest, period) -> Round:
    """Open a month's (or year's) round: freeze rubric, settings, panel and targets."""
    contest = (
        Contest.objects.select_for_update(of=("self",)).select_related("rubric").get(pk=contest.pk)
    )
    rules.require(rules.can_manage(user, contest))
    if not contest.active:
        raise Conflict(_("This contest is not in use."), code="inactive")
    start = parse_period(period, contest.period)
    today = timezone.localdate()
    if start > today:
        raise Invalid({"period": _("This period has not begun.")})
    seats = list(contest.panellists.filter(until=None))
    if contest.purpose == Purpose.CONTEST:
        missing = [Party(p).label for p in CONTEST_PARTIES if p not in {s.party for s in seats}]
        if missing:
            raise Conflict(
                _("The panel needs all four parties; missing: %(parties)s.")
                % {"parties": "、".join(str(m) for m in missing)},
                code="panel_incomplete",
            )
    elif not seats:
        raise Conflict(_("Name the panel first."), code="panel_incomplete")
    targets = _targets(contest)
    if not targets:
        raise Conflict(_("There is nothing to rate in this scope."), code="no_targets")
    try:
        with transaction.atomic():
            round_ = Round.objects.create(
                contest=contest,
                place_id=contest.place_id,
                path=contest.path,
                period_start=start,
                rubric=contest.rubric,
                due_on=max(today, period_end(contest.period, start))
                + timedelta(days=contest.scoring_days),
                aggregation=contest.aggregation,
                trim=contest.trim,
                flags=contest.flags,
                opened_by=user,
            )
    except IntegrityError as exc:
        if constraint_name(exc) in (None, "round_once"):
            raise Conflict(_("This period has a round already."), code="duplicate") from None
        raise
    RoundPanellist.objects.bulk_create(
        RoundPanellist(round=round_, user_id=s.user_id, party=s.party) for s in seats
    )
    Target.objects.bulk_create(
        (
            Target(round=round_, place=place, member=member, label=label[:160], position=i)
            for i, (place, member, label) in enumerate(targets)
        ),
        batch_size=2000,
    )
    audit.record(
        actor=user,
        verb="ratings.round_open",
        obj=round_,
        data={"period": str(start), "targets": len(targets), "rubric": contest.rubric_id},
    )
    return round_


def _locked(round_) -> Round:
    # Only the round's row: the contest and the rubric are shared by many rounds.
    return (
        Round.objects.select_for_update(of=("self",))
        .select_related("contest", "rubric")
        .get(pk=round_.pk)
    )


def _expect(round_, *statuses) -> None:
    if round_.status not in statuses:
        raise Conflict(
            _("This round is %(status)s.") % {"status": round_.get_status_display()},
            code="wrong_status",
        )


@transaction.atomic
def start_scoring(*, user, round_) -> Round:
    round_ = _locked(round_)
    rules.require(rules.can_manage(user, round_))
    _expect(round_, RoundStatus.OPEN)
    round_.status, round_.scoring_at = RoundStatus.SCORING, timezone.now()
    round_.save(update_fields=["status", "scoring_at"])
    audit.record(actor=user, verb="ratings.round_scoring", obj=round_)
    panel = list(round_.panel.values_list("user_id", flat=True))
    title = _("%(round)s: please score by %(due)s") % {"round": str(round_), "due": round_.due_on}
    url = reverse("ratings:score", args=[round_.pk])
    transaction.on_commit(
        lambda: notify(recipients=panel, kind="ratings.panel", title=title, url=url)
    )
    return round_


@transaction.atomic
def save_sheet(*, user, round_, target_id, marks, note: str = "") -> Sheet:
    """A panellist's sheet for one target: a mark for every item of the round's rubric, keyed by
    the item's code: {"points", "exempt", "vetoed", "note", "photo"} (an uploaded photo, or
    "keep" the one saved before). Saving again while scoring replaces the marks."""
    # Locked so that a sheet cannot land after scoring closed; a save takes milliseconds.
    round_ = _locked(round_)
    rules.require_panellist(user, round_)
    _expect(round_, RoundStatus.SCORING)
    target = round_.targets.filter(pk=as_id(target_id)).first()
    if target is None:
        raise Invalid({"target": _("Choose a target of this round.")})
    note = clean_text(note, field="note", max_length=500)
    items = list(round_.rubric.items.all())
    sheet = Sheet.objects.select_for_update().filter(target=target, panellist=user).first()
    before = {e.item_id: e for e in sheet.entries.all()} if sheet else {}
    marks = marks or {}
    unknown = set(marks) - {i.code for i in items}
    if unknown:
        raise Invalid({f"marks.{sorted(unknown)[0]}": _("This rubric has no such item.")})
    cleaned = []
    for item in items:
        field = f"marks.{item.code}"
        mark = marks.get(item.code)
        if mark is None:
            raise Invalid({field: _("Mark every item.")})
        old = before.get(item.pk)
        photo = mark.get("photo")
        keep = photo == "keep" and old is not None and bool(old.photo)
        fresh = photo and photo != "keep" and not keep
        upload = clean_photo(photo, field=f"{field}.photo") if fresh else None
        exempt, vetoed = bool(mark.get("exempt")), bool(mark.get("vetoed"))
        points = scoring.clean_mark(
            item,
            points=mark.get("points"),
            exempt=exempt,
            vetoed=vetoed,
            has_photo=keep or upload is not None,
            field=field,
        )
        text = clean_text(mark.get("note"), field=f"{field}.note", max_length=500)
        cleaned.append((item, points, exempt, vetoed, text, upload, keep, old))
    now = timezone.now()
    if sheet is None:
        try:
            with transaction.atomic():
                sheet = Sheet.objects.create(
                    round=round_, target=target, panellist=user, submitted_at=now
                )
        except IntegrityError as exc:
            if constraint_name(exc) in (None, "sheet_once"):
                raise Conflict(
                    _("You saved this sheet at the same time elsewhere; reload."), code="duplicate"
                ) from None
            raise
    rows, replaced = [], []
    for item, points, exempt, vetoed, text, upload, keep, old in cleaned:
        entry = old or Entry(sheet=sheet, item=item)
        value, lost = scoring.effect(item, points=points, exempt=exempt)
        entry.points, entry.exempt, entry.vetoed, entry.note = points, exempt, vetoed, text
        entry.value, entry.lost = value, lost
        if old is not None and old.photo and not keep:
            replaced.append(old.photo.name)
        if upload is not None:
            entry.photo.save(upload.name, upload, save=False)
        elif not keep:
            entry.photo = ""
        entry.save()
        rows.append((item, value, lost, vetoed))
    if replaced:
        # A replaced or dropped photo goes once the new marks are stored, not before.
        storage = Entry._meta.get_field("photo").storage
        transaction.on_commit(lambda: [storage.delete(name) for name in replaced])
    _store_totals(sheet, rows, note=note, at=now)
    audit.record(
        actor=user,
        verb="ratings.sheet_save",
        obj=round_,
        data={"target": target.pk, "total": str(sheet.total), "vetoed": sheet.vetoed},
    )
    return sheet


def _store_totals(sheet, rows, *, note=None, at=None) -> None:
    totals = scoring.sheet_totals(rows)
    for name, value in totals.items():
        setattr(sheet, name, value)
    fields = [*totals, "updated_at"]
    sheet.updated_at = at or timezone.now()
    if note is not None:
        sheet.note = note
        fields.append("note")
    sheet.save(update_fields=fields)


def _rank(round_) -> None:
    rank_round(round_)
    round_.ranked_at = timezone.now()
    round_.save(update_fields=["ranked_at"])


@transaction.atomic
def close_scoring(*, user, round_) -> Round:
    """Scoring ends: the round is ranked and goes to review; who did not finish is listed."""
    round_ = _locked(round_)
    rules.require(rules.can_manage(user, round_))
    _expect(round_, RoundStatus.SCORING)
    round_.status, round_.review_at = RoundStatus.REVIEW, timezone.now()
    round_.save(update_fields=["status", "review_at"])
    _rank(round_)
    audit.record(actor=user, verb="ratings.round_review", obj=round_)
    return round_


@transaction.atomic
def correct_entry(*, user, entry, reason: str, points=None, exempt=None, vetoed=None) -> Correction:
    """A correction in review (e.g. a deduction for a pram, which is exempt): the reason is
    required, the mark's previous state is kept, the round is ranked again."""
    entry = Entry.objects.select_related("sheet__round", "item").filter(pk=as_id(entry)).first()
    if entry is None:
        raise NotFound(_("No such mark."))
    round_ = _locked(entry.sheet.round)
    rules.require(rules.can_manage(user, round_))
    _expect(round_, RoundStatus.REVIEW)
    reason = clean_text(
        reason, field="reason", max_length=500, required=_("Say why the mark changes.")
    )
    entry = Entry.objects.select_for_update(of=("self",)).select_related("item").get(pk=entry.pk)
    before = _state(entry)
    new_exempt = entry.exempt if exempt is None else bool(exempt)
    new_vetoed = entry.vetoed if vetoed is None else bool(vetoed)
    new_points = scoring.clean_mark(
        entry.item,
        points=entry.points if points in (None, "") else points,
        exempt=new_exempt,
        vetoed=new_vetoed,
        # The evidence rule binds panellists; a correction is justified by its reason.
        has_photo=True,
        field="mark",
    )
    entry.points, entry.exempt, entry.vetoed = new_points, new_exempt, new_vetoed
    entry.value, entry.lost = scoring.effect(entry.item, points=new_points, exempt=new_exempt)
    after = _state(entry)
    if after == before:
        raise Invalid({"points": _("Nothing changes.")})
    entry.save(update_fields=["points", "exempt", "vetoed", "value", "lost"])
    sheet = Sheet.objects.select_for_update().get(pk=entry.sheet_id)
    rows = [(e.item, e.value, e.lost, e.vetoed) for e in sheet.entries.select_related("item")]
    _store_totals(sheet, rows)
    correction = Correction.objects.create(
        round=round_, entry=entry, before=before, after=after, reason=reason, corrected_by=user
    )
    _rank(round_)
    audit.record(
        actor=user,
        verb="ratings.correct",
        obj=round_,
        data={"entry": entry.pk, "before": before, "after": after, "reason": reason},
    )
    return correction


def _state(entry) -> dict:
    # As stored (one decimal), whether the value came from the database or from the request.
    points = Decimal(entry.points).quantize(Decimal("0.1"))
    return {"points": str(points), "exempt": entry.exempt, "vetoed": entry.vetoed}


@transaction.atomic
def publish_round(*, user, round_) -> Round:
    """The ranking goes public: ranked a last time, flags (or stars) handed out, a notice on the
    scope's board, the panel and the flag holders' residents told."""
    round_ = _locked(round_)
    rules.require(rules.can_manage(user, round_))
    _expect(round_, RoundStatus.REVIEW)
    unscored = round_.targets.filter(scoresheets__isnull=True)
    if unscored.exists():
        raise Conflict(
            _("%(n)d targets have no sheet yet: score them or wait for the panel.")
            % {"n": unscored.count()},
            code="unscored",
        )
    _rank(round_)
    now = timezone.now()
    round_.status, round_.published_at, round_.published_by = RoundStatus.PUBLISHED, now, user
    round_.save(update_fields=["status", "published_at", "published_by"])
    title = _("%(round)s: the ranking") % {"round": str(round_)}
    if round_.notice_id:
        # Published again after an objection: the board shows the corrected ranking only.
        revise(user=user, publication_id=round_.notice_id, title=title, body=notice_text(round_))
    else:
        round_.notice = publish(
            user=user,
            kind=Publication.Kind.RATING,
            place=round_.place,
            title=title,
            body=notice_text(round_),
        )
        round_.save(update_fields=["notice"])
    audit.record(actor=user, verb="ratings.round_publish", obj=round_)
    if round_.contest.purpose == Purpose.CONTEST:
        # The flag's bonus points for the residents of the units holding it (once a round).
        points_services.credit_flag(
            round_, round_.targets.filter(flag=True).select_related("place")
        )
    messages = _published_messages(round_)
    transaction.on_commit(lambda: notify_many(messages=messages, kind="ratings.result"))
    return round_


def _published_messages(round_) -> list[dict]:
    """Who hears of a published round: the panel; the residents of each unit holding the red
    flag (流动红旗); each rated party member, with their stars."""
    url = _url(round_)
    messages = [
        {
            "recipients": list(round_.panel.values_list("user_id", flat=True)),
            "title": _("%(round)s: the ranking is published") % {"round": str(round_)},
            "url": url,
        }
    ]
    if round_.contest.purpose == Purpose.CONTEST:
        for target in round_.targets.filter(flag=True).select_related("place"):
            residents = Residency.objects.filter(
                household__path__startswith=target.place.path, status=ResidencyStatus.VERIFIED
            ).values_list("user_id", flat=True)
            messages.append(
                {
                    "recipients": list(residents),
                    "title": _("%(place)s holds the red flag for %(period)s")
                    % {"place": target.label, "period": round_.period_label},
                    "url": url,
                }
            )
    else:
        for target in round_.targets.filter(member__isnull=False, stars__isnull=False):
            messages.append(
                {
                    "recipients": [target.member_id],
                    "title": _("Your star rating for %(period)s: %(stars)s ★")
                    % {"period": round_.period_label, "stars": target.stars},
                    "url": url,
                }
            )
    return [m for m in messages if m["recipients"]]


def notice_text(round_) -> str:
    """The notice: the flag holders, then every ranked unit; for a star rating, how many members
    reached each number of stars — names stay off the board (party membership is sensitive;
    each member is told their own stars)."""
    top = round_.targets.filter(rank__isnull=False).order_by("rank", "position")
    if round_.contest.purpose == Purpose.STARS:
        counts = dict(
            top.order_by().values("stars").annotate(n=Count("id")).values_list("stars", "n")
        )
        return "\n".join(
            _("%(stars)s ★: %(n)d members") % {"stars": stars, "n": counts[stars]}
            for stars in sorted((s for s in counts if s), reverse=True)
        ) or _("No member reached a star band.")
    flagged = list(top.filter(flag=True).values_list("label", flat=True))
    lines = [_("Red flags: %(names)s") % {"names": "、".join(flagged) or "—"}]
    for t in top[:200]:
        veto = " " + _("(vetoed)") if t.vetoed else ""
        lines.append(f"{t.rank}. {t.label} {t.total}{veto}")
    count = top.count()
    if count > 200:
        lines.append(_("… and %(n)d more on the ranking page.") % {"n": count - 200})
    return "\n".join(lines)


@transaction.atomic
def reopen_review(*, user, round_, reason: str) -> Round:
    """An objection upheld before the round is locked: back to review, with the reason."""
    round_ = _locked(round_)
    rules.require(rules.can_manage(user, round_))
    _expect(round_, RoundStatus.PUBLISHED)
    reason = clean_text(
        reason, field="reason", max_length=500, required=_("Say why the round reopens.")
    )
    round_.status = RoundStatus.REVIEW
    round_.save(update_fields=["status"])
    audit.record(actor=user, verb="ratings.round_reopen", obj=round_, data={"reason": reason})
    return round_


@transaction.atomic
def lock_round(*, user, round_) -> Round:
    round_ = _locked(round_)
    if user is not None:
        rules.require(rules.can_manage(user, round_))
    _expect(round_, RoundStatus.PUBLISHED)
    round_.status, round_.locked_at = RoundStatus.LOCKED, timezone.now()
    round_.save(update_fields=["status", "locked_at"])
    audit.record(actor=user, verb="ratings.round_lock", obj=round_)
    return round_


# --- The sweep ------------------------------------------------------------------------------------


def remind_late_panellists(*, now=None) -> int:
    """Once a round's scoring is overdue, each panellist with targets left hears of it (once:
    each round is claimed by setting `reminded_at` first, so two sweeps never both remind)."""
    from .queries import late_panellists

    now = now or timezone.now()
    today = timezone.localdate(now)
    told = 0
    due = Round.objects.filter(status=RoundStatus.SCORING, due_on__lt=today, reminded_at=None)
    for round_ in due.select_related("contest"):
        with transaction.atomic():
            if not Round.objects.filter(pk=round_.pk, reminded_at=None).update(reminded_at=now):
                continue
            late = late_panellists(round_)
            if not late:
                continue
            title = _("%(round)s: scoring was due on %(due)s") % {
                "round": str(round_),
                "due": round_.due_on,
            }
            messages = [
                {
                    "recipients": [p["user_id"] for p in late],
                    "title": title,
                    "url": reverse("ratings:score", args=[round_.pk]),
                }
            ]
            transaction.on_commit(lambda m=messages: notify_many(messages=m, kind="ratings.panel"))
            told += len(late)
    return told


def lock_due_rounds(*, now=None) -> int:
    """Published rounds whose objection days are over become final; one reopened meanwhile is
    left alone."""
    now = now or timezone.now()
    due = Round.objects.filter(
        status=RoundStatus.PUBLISHED, published_at__lt=now - timedelta(days=objection_days())
    )
    locked = 0
    for round_ in due:
        try:
            lock_round(user=None, round_=round_)
        except Conflict:
            continue
        locked += 1
    return locked
