"""Every write on elevator retrofits (既有住宅加装电梯, seed 002: x个单元协议签订, x个单元正在施工,
x个单元已完成安装). Managers (`projects.manage`) open one per unit (one live per unit, which the
database guards), walk it one stage at a time — consultation → consent ballot passed →
agreement signed → approval → construction → in use — and abandon it with a reason. The
consent step needs the unit's owners' ballot (deliberation, affected households each
approving) to have passed; signing, construction and use record their dates. Keyword-only,
one transaction each."""

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linju.core import audit
from linju.core.cleaning import as_id, clean_text, violated
from linju.core.errors import Conflict, Invalid, NotFound
from linju.deliberation.models import Ballot, BallotStatus
from linju.places.models import Place, PlaceKind

from . import rules
from .models import (
    RETROFIT_ORDER,
    ElevatorRetrofit,
    Project,
    ProjectStage,
    RetrofitStage,
    RetrofitStageChange,
)

# The stages whose day is kept on the retrofit (the figures count from them).
DATED = {
    RetrofitStage.SIGNED: "signed_on",
    RetrofitStage.CONSTRUCTION: "construction_started_on",
    RetrofitStage.IN_USE: "in_use_on",
}


def _locked(retrofit_id) -> ElevatorRetrofit:
    retrofit = ElevatorRetrofit.objects.select_for_update().filter(pk=as_id(retrofit_id)).first()
    if retrofit is None:
        raise NotFound(_("No such elevator retrofit."))
    return retrofit


def _project(project_id, unit_path):
    if project_id in (None, ""):
        return None
    project = Project.objects.filter(pk=as_id(project_id)).first()
    if (
        project is None
        or project.stage == ProjectStage.CANCELLED
        or not unit_path.startswith(project.path)
    ):
        raise Invalid({"project": _("Choose a live project whose scope holds the unit.")})
    return project


def _ballot(ballot_id, unit):
    if ballot_id in (None, ""):
        return None
    ballot = Ballot.objects.filter(pk=as_id(ballot_id)).first()
    if ballot is None or ballot.place_id != unit.pk:
        raise Invalid({"ballot": _("Choose the ballot held over this unit.")})
    return ballot


def _day(value, field):
    """A day given for a dated stage: required, a date, not in the future."""
    if value in (None, ""):
        raise Invalid({field: _("Give the date.")})
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, str):
        try:
            value = datetime.date.fromisoformat(value.strip())
        except ValueError:
            value = None
    if not isinstance(value, datetime.date):
        raise Invalid({field: _("Give a date.")})
    if value > timezone.localdate():
        raise Invalid({field: _("This date is in the future.")})
    return value


@transaction.atomic
def open_retrofit(*, user, place_id, project_id=None, ballot_id=None, note="") -> ElevatorRetrofit:
    """加装电梯 for one unit, starting with consulting its owners; at most one live per unit."""
    unit = Place.objects.filter(pk=as_id(place_id), kind=PlaceKind.UNIT).first()
    if unit is None:
        raise Invalid({"place": _("Choose a unit.")})
    rules.require(rules.can_manage(user, unit))
    note = clean_text(note, field="note", max_length=300)
    project = _project(project_id, unit.path)
    ballot = _ballot(ballot_id, unit)
    live = ElevatorRetrofit.objects.filter(place=unit).exclude(stage=RetrofitStage.ABANDONED)
    if live.exists():
        raise Conflict(_("This unit has an elevator retrofit already."), code="retrofit_exists")
    retrofit = ElevatorRetrofit(
        place=unit, project=project, ballot=ballot, note=note, created_by=user
    )
    try:
        with transaction.atomic():
            retrofit.save()
    except IntegrityError as exc:
        if violated(exc, "retrofit_one_live_per_unit", still_there=live.exists):
            raise Conflict(
                _("This unit has an elevator retrofit already."), code="retrofit_exists"
            ) from None
        raise
    RetrofitStageChange.objects.create(
        retrofit=retrofit, to_stage=RetrofitStage.CONSULTATION, on=timezone.localdate(), by=user
    )
    audit.record(
        actor=user,
        verb="projects.retrofit_open",
        obj=retrofit,
        data={"project": getattr(project, "pk", None), "ballot": getattr(ballot, "pk", None)},
    )
    return retrofit


@transaction.atomic
def update_retrofit(
    *, user, retrofit_id, project_id=None, ballot_id=None, note=""
) -> ElevatorRetrofit:
    """Its project, its consent ballot (until consent is recorded) and its note."""
    retrofit = _locked(retrofit_id)
    rules.require(rules.can_manage(user, retrofit))
    if retrofit.stage == RetrofitStage.ABANDONED:
        raise Conflict(_("This retrofit was abandoned."), code="retrofit_abandoned")
    note = clean_text(note, field="note", max_length=300)
    unit = retrofit.place
    project = _project(project_id, unit.path)
    ballot = _ballot(ballot_id, unit)
    if getattr(ballot, "pk", None) != retrofit.ballot_id and (
        retrofit.stage != RetrofitStage.CONSULTATION
    ):
        raise Invalid({"ballot": _("The consent ballot is fixed once consent is recorded.")})
    retrofit.project, retrofit.ballot, retrofit.note = project, ballot, note
    retrofit.save(update_fields=["project", "ballot", "note"])
    audit.record(
        actor=user,
        verb="projects.retrofit_update",
        obj=retrofit,
        data={"project": getattr(project, "pk", None), "ballot": getattr(ballot, "pk", None)},
    )
    return retrofit


def next_stage(stage):
    if stage not in RETROFIT_ORDER:
        return None
    i = RETROFIT_ORDER.index(stage)
    return RETROFIT_ORDER[i + 1] if i + 1 < len(RETROFIT_ORDER) else None


@transaction.atomic
def advance_retrofit(*, user, retrofit_id, to_stage, on=None, note="") -> ElevatorRetrofit:
    """One step, none skipped. `consent` needs the unit's ballot passed; `signed`,
    `construction` and `in_use` need their day (`on`, not in the future, not before the
    previous one)."""
    retrofit = _locked(retrofit_id)
    rules.require(rules.can_manage(user, retrofit))
    note = clean_text(note, field="note", max_length=300)
    if to_stage not in RetrofitStage.values:
        raise Invalid({"stage": _("Choose a stage.")})
    expected = next_stage(retrofit.stage)
    if to_stage != expected:
        if expected is None:
            message = _("This retrofit's road has ended.")
        else:
            message = _("The next stage is “%(next)s”: no stage is skipped.") % {
                "next": RetrofitStage(expected).label
            }
        raise Conflict(message, code="stage_order")
    if to_stage in DATED:
        day = _day(on, "on")
        earlier = [getattr(retrofit, f) for f in DATED.values() if getattr(retrofit, f) is not None]
        if earlier and day < max(earlier):
            raise Invalid({"on": _("This date is before the previous stage's.")})
        setattr(retrofit, DATED[to_stage], day)
    else:
        day = timezone.localdate() if on in (None, "") else _day(on, "on")
    if to_stage == RetrofitStage.CONSENT:
        ballot = retrofit.ballot
        if ballot is None:
            raise Conflict(_("Link the unit's consent ballot first."), code="ballot_missing")
        decided = ballot.status in (BallotStatus.CLOSED, BallotStatus.PUBLISHED)
        if not (decided and ballot.passed and ballot.place_id == retrofit.place_id):
            raise Conflict(_("The consent ballot did not pass."), code="ballot_not_passed")
    old = retrofit.stage
    retrofit.stage, retrofit.stage_changed_at = to_stage, timezone.now()
    retrofit.save()
    RetrofitStageChange.objects.create(
        retrofit=retrofit, from_stage=old, to_stage=to_stage, on=day, note=note, by=user
    )
    audit.record(
        actor=user,
        verb="projects.retrofit_stage",
        obj=retrofit,
        data={"from": old, "to": to_stage, "on": day.isoformat(), "note": note},
    )
    return retrofit


@transaction.atomic
def abandon_retrofit(*, user, retrofit_id, reason) -> ElevatorRetrofit:
    """Given up before the lift is in use, with the reason; the unit may start again."""
    retrofit = _locked(retrofit_id)
    rules.require(rules.can_manage(user, retrofit))
    reason = clean_text(reason, field="reason", max_length=300, required=_("Give the reason."))
    if retrofit.stage in (RetrofitStage.ABANDONED, RetrofitStage.IN_USE):
        raise Conflict(_("Only a retrofit not yet in use may be abandoned."), code="stage_order")
    old = retrofit.stage
    retrofit.stage, retrofit.stage_changed_at = RetrofitStage.ABANDONED, timezone.now()
    retrofit.save(update_fields=["stage", "stage_changed_at"])
    RetrofitStageChange.objects.create(
        retrofit=retrofit,
        from_stage=old,
        to_stage=RetrofitStage.ABANDONED,
        on=timezone.localdate(),
        note=reason,
        by=user,
    )
    audit.record(
        actor=user,
        verb="projects.retrofit_stage",
        obj=retrofit,
        data={"from": old, "to": RetrofitStage.ABANDONED, "note": reason},
    )
    return retrofit
