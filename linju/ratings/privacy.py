"""What ratings holds about a person, for the PIPL download and account deletion.

Score sheets are governance records (the month's ranking and its red flags are computed from
them, and a published ranking may be checked later): they stay, with their notes and evidence
photos, pointing at the anonymised account; the download lists them and says so. Comments on
rubric drafts lose their text (their count stays); residents' evaluations keep their marks
(the app evaluated keeps the comment and erases it); panel seats end; the three heads' duty
notes are cleared. Awards are the property company's list (a ledger): they stay with the
household and no longer name the person. In a star rating the person's name is taken off the
rated rows (party membership is sensitive; people deletes it)."""

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from linju.people.models import ResidencyStatus

from .models import (
    Appraisal,
    Award,
    HeadDuty,
    Panellist,
    RubricComment,
    Sheet,
    Target,
)
from .rules import PUBLIC_STATUSES


def export(user) -> dict:
    sheets = (
        Sheet.objects.filter(panellist=user)
        .select_related("round__contest", "target")
        .prefetch_related("entries__item")
        .order_by("round__period_start", "round_id", "target__position")
    )
    return {
        "score_sheets_kept": _(
            "Score sheets are the record of a ranking: they are kept when the account is "
            "deleted, without your name."
        ),
        "score_sheets": [
            {
                "round": str(s.round),
                "target": s.target.label,
                "total": str(s.total),
                "vetoed": s.vetoed,
                "note": s.note,
                "submitted_at": s.submitted_at and s.submitted_at.isoformat(),
                "marks": [
                    {
                        "item": e.item.title,
                        "points": str(e.points),
                        "exempt": e.exempt,
                        "vetoed": e.vetoed,
                        "note": e.note,
                        "photo": bool(e.photo),
                    }
                    for e in s.entries.all()
                ],
            }
            for s in sheets
        ],
        "rubric_comments": [
            {
                "rubric": str(c.rubric),
                "item": c.item.title if c.item else None,
                "text": c.text,
                "at": c.created_at.isoformat(),
            }
            for c in RubricComment.objects.filter(user=user).select_related("rubric", "item")
        ],
        "panel_seats": [
            {
                "contest": p.contest.name,
                "party": p.get_party_display(),
                "since": p.since.isoformat(),
                "until": p.until and p.until.isoformat(),
            }
            for p in Panellist.objects.filter(user=user).select_related("contest")
        ],
        "awards": [
            {
                "contest": a.contest.name,
                "year": a.year,
                "why": a.get_kind_display(),
                "household": a.household_id,
                "flags": a.flags,
                "percent": str(a.percent),
                "amount_fen": a.amount_fen,
            }
            for a in Award.objects.filter(
                Q(user=user)
                | Q(
                    household__in=user.residencies.filter(status=ResidencyStatus.VERIFIED).values(
                        "household_id"
                    )
                )
            )
            .select_related("contest")
            .order_by("year", "contest_id", "kind", "household_id")
        ],
        "head_duties": [
            {
                "contest": d.contest.name,
                "year": d.year,
                "fulfilled": d.fulfilled,
                "note": d.note,
            }
            for d in HeadDuty.objects.filter(user=user).select_related("contest")
        ],
        "star_ratings": [
            {"round": str(t.round), "total": str(t.total), "stars": t.stars, "rank": t.rank}
            for t in Target.objects.filter(
                member=user, round__status__in=PUBLIC_STATUSES
            ).select_related("round__contest")
        ],
        "evaluations": [
            {
                "subject": a.subject,
                "marks": {s.item.title: str(s.points) for s in a.scores.all()},
                "at": a.created_at.isoformat(),
            }
            for a in Appraisal.objects.filter(user=user).prefetch_related("scores__item")
        ],
    }


def erase(user) -> None:
    RubricComment.objects.filter(user=user).update(text="")
    Panellist.objects.filter(user=user, until__isnull=True).update(until=timezone.localdate())
    HeadDuty.objects.filter(user=user).update(note="")
    Award.objects.filter(user=user).update(user=None)
    Target.objects.filter(member=user).update(label=_("Former party member"))
