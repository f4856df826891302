"""API shapes of the wish wall (心愿墙). Names start with MutualAid: schema names are unique
across the project."""

from typing import Literal

from ninja import Field, Schema

from linju.core.schemas import Id, LocalDateTime, Text


class MutualAidPlaceOut(Schema):
    id: int
    name: str


class MutualAidPostOut(Schema):
    id: int
    kind: str = Field(description="`need` or `offer`.")
    kind_label: str
    title: str
    body: str
    status: str = Field(description="`open`, `claimed`, `fulfilled` or `withdrawn`.")
    status_label: str
    visibility: str = Field(description="`shown`, `flagged` (hidden by flags) or `hidden`.")
    place: MutualAidPlaceOut
    poster: str = Field(description="Masked (张*明) except between the two parties.")
    claimant: str | None
    thanks: str
    mine: bool = Field(description="The caller posted it.")
    claimed_by_me: bool
    created_at: LocalDateTime
    claimed_at: LocalDateTime | None
    fulfilled_at: LocalDateTime | None


class MutualAidFlaggedOut(MutualAidPostOut):
    open_flags: int


class MutualAidPostIn(Schema):
    kind: Literal["need", "offer"]
    title: Text = Field(max_length=100)
    body: Text = Field("", max_length=2000)
    place: Id | None = Field(None, description="The community, for a person with several homes.")


class MutualAidReleaseIn(Schema):
    reason: Text = Field("", max_length=300)


class MutualAidFulfilIn(Schema):
    thanks: Text = Field("", max_length=300, description="A short thank-you note, shown on it.")


class MutualAidFlagIn(Schema):
    reason: Text = Field(max_length=300)


class MutualAidModerateIn(Schema):
    action: Literal["hide", "restore", "dismiss"]
    note: Text = Field("", max_length=300)


class MutualAidFlagOut(Schema):
    id: int
    post: int
    reason: str
    created_at: LocalDateTime


class MutualAidWallFilter(Schema):
    kind: Literal["need", "offer"] | None = None
    status: Literal["open", "claimed", "fulfilled", "withdrawn"] | None = None


class MutualAidUnclaimedFilter(Schema):
    days: int | None = Field(None, ge=0, le=3650, description="Default: the configured days.")


# --- Sharing (闲置共享, 共享图书角) ------------------------------------------------------------


class MutualAidLoanOut(Schema):
    id: int
    borrower: str = Field(description="Masked except between the owner and the borrower.")
    borrowed_by_me: bool
    status: str = Field(description="`requested` or `handed`.")
    requested_at: LocalDateTime
    handed_at: LocalDateTime | None


class MutualAidItemOut(Schema):
    id: int
    kind: str = Field(description="`lend`, `give`, `swap` or `book` (the book corner).")
    kind_label: str
    title: str
    description: str
    status: str = Field(description="`available`, `gone` or `withdrawn`.")
    status_label: str
    visibility: str
    place: MutualAidPlaceOut
    owner: str
    mine: bool
    loan: MutualAidLoanOut | None = Field(description="The active request or loan, if any.")
    created_at: LocalDateTime


class MutualAidFlaggedItemOut(MutualAidItemOut):
    open_flags: int


class MutualAidItemIn(Schema):
    kind: Literal["lend", "give", "swap", "book"]
    title: Text = Field(max_length=100)
    description: Text = Field("", max_length=2000)
    place: Id | None = Field(None, description="The community, for a person with several homes.")


class MutualAidShelfFilter(Schema):
    kind: Literal["lend", "give", "swap", "book"] | None = None
