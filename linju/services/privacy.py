"""The person's assisted-service requests (帮办代办) in their data export, and what account
deletion removes: the free-text notes they wrote on their requests (the requests stay, as the
staff's record of work done, tied to the anonymised account)."""

from .models import ServiceRequest


def export(user) -> list[dict]:
    rows = ServiceRequest.objects.filter(requester=user).select_related("item", "slot")
    return [
        {
            "item": r.item.name,
            "status": r.status,
            "note": r.note,
            "slot": str(r.slot) if r.slot_id else "",
            "created_at": r.created_at.isoformat(),
        }
        for r in rows.order_by("pk")
    ]


def erase(user) -> None:
    ServiceRequest.objects.filter(requester=user).update(note="")
