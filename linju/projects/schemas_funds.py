"""Schemas of the crowdfunding API (/api/v1/projects/campaigns…). Money is in integer fen."""

from datetime import date, datetime

from ninja import Field, Schema


class Person(Schema):
    id: int
    name: str


class CampaignIn(Schema):
    project: int = Field(description="The project (approved or raising funds).")
    title: str = Field(max_length=120)
    goal_fen: int
    deadline: date = Field(description="The last day of pledges.")
    treasurer: int = Field(description="A person of the scope's staff or owners' committee.")
    approvers: list[int] = Field(description="At least one; staff or owners' committee.")
    confirm_above_fen: int = 100_000
    two_approvals_above_fen: int = 200_000
    surplus: str = Field("keep", description="`keep` or `refund` (latest payments first).")
    rules_text: str = ""


class RulesIn(Schema):
    treasurer: int
    approvers: list[int]
    confirm_above_fen: int
    two_approvals_above_fen: int
    surplus: str
    rules_text: str = ""


class CampaignOut(Schema):
    id: int
    title: str
    project: int
    project_title: str
    place: str
    status: str
    goal_fen: int
    deadline: date
    pledged_fen: int
    income_fen: int
    expense_fen: int
    refund_fen: int
    balance_fen: int
    surplus: str
    confirm_above_fen: int
    two_approvals_above_fen: int
    rules_text: str
    treasurer: str
    approvers: list[str]
    cancel_reason: str


class EntryOut(Schema):
    id: int
    created_at: datetime
    kind: str
    kind_label: str
    amount_fen: int
    balance_fen: int
    household: str
    note: str
    recorded_by: str
    approved_by: str | None


class PledgeIn(Schema):
    amount_fen: int
    show_name: bool = False
    household: int | None = Field(None, description="Needed when you live in several.")


class WithdrawIn(Schema):
    household: int | None = None


class PledgeOut(Schema):
    id: int
    household: int
    household_name: str
    amount_fen: int
    show_name: bool
    status: str
    created_at: datetime


class PaymentIn(Schema):
    household: int
    amount_fen: int
    method: str = Field(description="`cash`, `transfer` or `qr`.")
    paid_on: date
    reference: str = ""
    key: str = Field("", max_length=64, description="Or the `Idempotency-Key` header.")


class PaymentOut(Schema):
    id: int
    household: int
    household_name: str
    amount_fen: int
    method: str
    reference: str
    paid_on: date
    status: str
    refunded_fen: int
    recorded_by: str
    confirmed_by: str | None
    reject_reason: str


class MineOut(Schema):
    pledges: list[PledgeOut]
    payments: list[PaymentOut]


class FundReasonIn(Schema):
    reason: str = ""


class ExpenseIn(Schema):
    payee: str
    purpose: str
    amount_fen: int
    spent_on: date


class ExpenseOut(Schema):
    id: int
    payee: str
    purpose: str
    amount_fen: int
    spent_on: date
    status: str
    approvals_needed: int
    approvals: list[str]
    requested_by: str
    receipt_url: str | None
    reject_reason: str


class CampaignNoticeOut(Schema):
    """The notice-board result that shows a campaign's public account."""

    notice: int = Field(description="The notice's id on the board (/api/v1/notices/…).")
    title: str
    link: str = Field(description="The public account page.")
    published_at: datetime
