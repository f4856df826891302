"""Admin for repairs (DESIGN §3: the back office of last resort). The two ledgers and the
accounts that cache their balances are append-only (DESIGN §4 Ledgers): written only by
`ledger.post_points` / `post_hours` inside a service, with idempotency keys and under CHECK
constraints; here they are shown read-only. A wrong entry is repaired by an adjustment with
its reason at the points desk (`services.adjust_points`), never by editing a row. A
redemption's status moves at the shop's desk (collect, cancel with refund and restock), which
keeps stock and points together: shown read-only too. Earning rules, expiry policies and the
love supermarket's items can be repaired here (an item's stock is better changed by a restock
with its reason at the desk, which is audited)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from linju.core.admin_audit import AuditedAdmin

from .models import (
    Account,
    EarningRule,
    ExpiryPolicy,
    HoursEntry,
    PointsEntry,
    Redemption,
    StoreItem,
)

LEDGER_HELP = _(
    "Append-only ledger: entries are never added, changed or deleted here. To repair a "
    "balance, post an adjustment with its reason at the points desk."
)
REDEMPTION_HELP = _(
    "Redemptions change status at the desk of the love supermarket (hand out, or cancel with "
    "the points refunded and the stock returned), never here."
)


class ReadOnlyAdmin(AuditedAdmin):
    """Viewed here, never added, changed or deleted; `help_text` says where the change is
    made instead (on the list and on each record's page)."""

    help_text = LEDGER_HELP
    show_full_result_count = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_fieldsets(self, request, obj=None):
        fields = self.get_fields(request, obj)
        return [(None, {"fields": fields, "description": self.help_text})]

    def changelist_view(self, request, extra_context=None):
        return super().changelist_view(
            request, {"subtitle": self.help_text, **(extra_context or {})}
        )


@admin.register(Account)
class AccountAdmin(ReadOnlyAdmin):
    list_display = ["user", "points", "minutes", "updated_at"]
    search_fields = ["=user__id", "=user__mobile"]
    raw_id_fields = ["user"]


@admin.register(PointsEntry)
class PointsEntryAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "user", "amount", "balance", "kind", "place", "reason"]
    list_filter = ["kind"]
    search_fields = ["=user__id", "=user__mobile", "=key", "ref"]
    date_hierarchy = "created_at"
    raw_id_fields = ["user", "place", "created_by"]
    list_select_related = ["user", "place"]


@admin.register(HoursEntry)
class HoursEntryAdmin(ReadOnlyAdmin):
    list_display = ["served_on", "user", "minutes", "total", "what", "place"]
    search_fields = ["=user__id", "=user__mobile", "=key", "what"]
    date_hierarchy = "served_on"
    raw_id_fields = ["user", "place", "created_by"]
    list_select_related = ["user", "place"]


@admin.register(EarningRule)
class EarningRuleAdmin(AuditedAdmin):
    list_display = [
        "place",
        "kind",
        "points",
        "max_hours_per_event",
        "max_per_day",
        "max_per_month",
        "active",
    ]
    list_filter = ["kind", "active"]
    raw_id_fields = ["place", "updated_by"]
    readonly_fields = ["path"]


@admin.register(ExpiryPolicy)
class ExpiryPolicyAdmin(AuditedAdmin):
    list_display = ["place", "months", "updated_at"]
    raw_id_fields = ["place", "updated_by"]
    readonly_fields = ["path"]


@admin.register(StoreItem)
class StoreItemAdmin(AuditedAdmin):
    list_display = ["name", "place", "cost", "stock", "per_person", "donor", "active"]
    list_filter = ["active"]
    search_fields = ["=id", "name", "donor"]
    raw_id_fields = ["place", "created_by"]
    readonly_fields = ["path"]
    show_full_result_count = False

    def has_delete_permission(self, request, obj=None):
        # Redemptions point at their item: take it off the shelf instead.
        return False


@admin.register(Redemption)
class RedemptionAdmin(ReadOnlyAdmin):
    help_text = REDEMPTION_HELP
    list_display = ["created_at", "item", "user", "quantity", "points", "status"]
    list_filter = ["status"]
    search_fields = ["=id", "=user__mobile", "=code", "item__name"]
    date_hierarchy = "created_at"
    raw_id_fields = ["item", "user", "collected_by", "cancelled_by"]
    list_select_related = ["item", "user"]
