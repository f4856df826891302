"""What points holds about a person, for the PIPL download and account deletion (DESIGN §4:
"ledgers keep anonymised rows").

The download lists the person's balances, every points and service-hours entry and every
redemption. On deletion the two ledgers stay as they are (append-only: their rows and the
community's totals must not change; they point at the anonymised account, and the account's
balance stays with them), and redemptions still waiting to be collected are cancelled as the
person would cancel them (`services_store.cancel`): the points come back to the account, the
stock to the shelf, and no pickup code stays valid for an account nobody can use. Collected
and cancelled redemptions are the shop's records and stay. Nothing else personal is stored by
this app (entries' reasons and services' descriptions are written by staff about the service,
not about the person)."""

from django.utils.translation import gettext as _

from . import services_store
from .models import Account, HoursEntry, PointsEntry, Redemption, RedemptionStatus


def export(user) -> dict:
    account = Account.objects.filter(user=user).first()
    return {
        "ledgers_kept": _(
            "Points and service hours are ledgers: their entries are kept when the account is "
            "deleted, without your name."
        ),
        "balance": {
            "points": account.points if account else 0,
            "service_minutes": account.minutes if account else 0,
        },
        "points_entries": [
            {
                "at": e.created_at.isoformat(),
                "amount": e.amount,
                "balance": e.balance,
                "kind": str(e.get_kind_display()),
                "community": e.place.name,
                "for": e.ref,
                "reason": e.reason,
            }
            for e in PointsEntry.objects.filter(user=user)
            .select_related("place")
            .order_by("created_at", "id")
        ],
        "hours_entries": [
            {
                "served_on": e.served_on.isoformat(),
                "minutes": e.minutes,
                "total": e.total,
                "service": e.what,
                "community": e.place.name,
                "recorded_at": e.created_at.isoformat(),
            }
            for e in HoursEntry.objects.filter(user=user)
            .select_related("place")
            .order_by("served_on", "id")
        ],
        "redemptions": [
            {
                "at": r.created_at.isoformat(),
                "item": r.item.name,
                "quantity": r.quantity,
                "points": r.points,
                "status": str(r.get_status_display()),
                "collected_at": r.collected_at and r.collected_at.isoformat(),
                "cancelled_at": r.cancelled_at and r.cancelled_at.isoformat(),
                "cancel_reason": r.cancel_reason,
            }
            for r in Redemption.objects.filter(user=user)
            .select_related("item")
            .order_by("created_at", "id")
        ],
    }


def erase(user) -> None:
    waiting = Redemption.objects.filter(user=user, status=RedemptionStatus.RESERVED).order_by("pk")
    for redemption in waiting:
        services_store.cancel(user=user, redemption=redemption, reason=_("Account deleted"))
