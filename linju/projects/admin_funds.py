"""Django admin for crowdfunding, read-mostly: money moves only through services_funds (the
ledger and its audit events), so the admin adds and deletes nothing here, and the account's
entries are read-only."""

from django.contrib import admin

from linju.core.admin_audit import AuditedAdmin

from .models import Campaign, Expense, FundEntry, Payment, Pledge


class ReadMostly(AuditedAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Campaign)
class CampaignAdmin(ReadMostly):
    list_display = ["title", "place", "status", "goal_fen", "income_fen", "balance_fen"]
    list_filter = ["status"]
    search_fields = ["title"]
    readonly_fields = [
        "project", "place", "treasurer", "approvers", "pledged_fen", "income_fen",
        "expense_fen", "refund_fen", "balance_fen", "status", "goal_fen", "confirm_above_fen",
        "two_approvals_above_fen", "surplus", "created_by", "created_at", "closed_at",
    ]  # fmt: skip


@admin.register(Pledge)
class PledgeAdmin(ReadMostly):
    list_display = ["campaign", "household", "amount_fen", "status"]
    readonly_fields = ["campaign", "household", "user", "amount_fen", "status", "created_at"]


@admin.register(Payment)
class PaymentAdmin(ReadMostly):
    list_display = ["campaign", "household", "amount_fen", "status", "paid_on"]
    list_filter = ["status"]
    readonly_fields = [
        "campaign", "household", "pledge", "amount_fen", "method", "paid_on", "status", "key",
        "refunded_fen", "recorded_by", "recorded_at", "confirmed_by", "confirmed_at",
    ]  # fmt: skip


@admin.register(Expense)
class ExpenseAdmin(ReadMostly):
    list_display = ["campaign", "payee", "amount_fen", "status"]
    list_filter = ["status"]
    readonly_fields = [
        "campaign", "amount_fen", "status", "approvals_needed", "requested_by", "requested_at",
        "decided_at", "receipt",
    ]  # fmt: skip


@admin.register(FundEntry)
class FundEntryAdmin(ReadMostly):
    list_display = ["campaign", "created_at", "kind", "amount_fen", "balance_fen"]
    list_filter = ["kind"]

    def has_change_permission(self, request, obj=None):
        return False
