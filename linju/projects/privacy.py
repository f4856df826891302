"""What co-creation holds about a person, for the PIPL download and account deletion.

Projects, needs, partners and public accounts are the community's record and stay. On deletion
the person's supports keep counting (like deliberation's), ratings keep their stars but lose
their comment, resources the person offered are withdrawn (nobody can take them up any more),
tasks they owned wait for a new owner, they stop acting for any partner, and the pledges they
made for a household stay the household's but no longer show a name on the public account."""

from .models import (
    NeedSupport,
    Partner,
    Pledge,
    ProjectRating,
    ProjectTask,
    Resource,
    ResourceStatus,
)


def export(user) -> dict:
    return {
        "supported_needs": [
            {"need": s.need_id, "title": s.need.title, "at": s.created_at.isoformat()}
            for s in NeedSupport.objects.filter(user=user).select_related("need").order_by("id")
        ],
        "offered_resources": [
            {
                "id": r.pk,
                "title": r.title,
                "kind": r.kind,
                "quantity": r.quantity,
                "unit": r.unit,
                "status": r.status,
            }
            for r in Resource.objects.filter(offered_by=user).order_by("id")
        ],
        "project_ratings": [
            {
                "project": r.project_id,
                "stars": r.stars,
                "comment": r.comment,
                "at": r.created_at.isoformat(),
            }
            for r in ProjectRating.objects.filter(user=user).order_by("id")
        ],
        "pledges": [
            {
                "campaign": p.campaign_id,
                "household": p.household_id,
                "amount_fen": p.amount_fen,
                "show_name": p.show_name,
                "status": p.status,
                "at": p.created_at.isoformat(),
            }
            for p in Pledge.objects.filter(user=user).order_by("id")
        ],
        "partners": sorted(Partner.objects.filter(members=user).values_list("name", flat=True)),
    }


def erase(user) -> None:
    ProjectRating.objects.filter(user=user).update(comment="")
    Resource.objects.filter(offered_by=user, status=ResourceStatus.AVAILABLE).update(
        status=ResourceStatus.WITHDRAWN
    )
    ProjectTask.objects.filter(owner=user).update(owner=None)
    Pledge.objects.filter(user=user, show_name=True).update(show_name=False)
    for partner in Partner.objects.filter(members=user):
        partner.members.remove(user)
