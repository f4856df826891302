"""What snap-and-report holds about a person, for the PIPL download and account deletion.
Reports stay when their reporter leaves (they are the community's record and its figures), but
no longer carry contact details and never show a name again."""

from .models import Report, Supporter


def export(user) -> list[dict]:
    backed = set(Supporter.objects.filter(user=user).values_list("report_id", flat=True))
    rows = Report.objects.filter(reporter=user).select_related("category", "place")
    return [
        {
            "id": r.pk,
            "category": r.category.name,
            "place": r.place.name,
            "title": r.title,
            "description": r.description,
            "status": r.status,
            "reported_at": r.created_at.isoformat(),
            "hide_name": r.hide_name,
            "contact": {
                "name": r.contact_name,
                "phone": r.contact_phone,
                "email": r.contact_email,
            },
            "reply": r.reply,
            "rating": r.rating,
            "rating_comment": r.rating_comment,
        }
        for r in rows
    ] + [{"id": report_id, "me_too": True} for report_id in sorted(backed)]


def erase(user) -> None:
    Report.objects.filter(reporter=user).update(
        contact_name="", contact_phone="", contact_email="", hide_name=True
    )
