"""API shapes of the notice board (公示, 通知公告, 好人好事, 不文明行为曝光, results of other
modules). Names start with Notice: schema names are unique across the project."""

import datetime as dt
from typing import Literal

from ninja import Field, Schema

from linju.core.schemas import Id, LocalDateTime, Text

# What staff write; results (`result`) are put up by the modules they come from.
WrittenKind = Literal["announcement", "disclosure", "good_deed", "uncivil"]
Privacy = Literal["", "nobody", "consented"]


class NoticePlaceOut(Schema):
    id: int
    name: str


class NoticeAttachmentOut(Schema):
    id: int
    name: str
    is_image: bool
    url: str = Field(description="The file, for those who may read the notice.")


class NoticeOut(Schema):
    id: int
    kind: str = Field(
        description="`announcement`, `disclosure` (公示), `good_deed`, `uncivil` or `result`."
    )
    kind_label: str
    title: str
    body: str
    status: str = Field(description="`draft`, `published` or `withdrawn`.")
    status_label: str
    place: NoticePlaceOut = Field(description="The scope whose board shows it.")
    important: bool = Field(description="Readers confirm reading it (read receipts).")
    pinned: bool
    disclosure_ends_on: dt.date | None = Field(description="Last day of a 公示's period.")
    objections_open: bool = Field(description="A 公示 inside its period takes objections.")
    link: str
    source_app: str = Field(description="For a result: the module that published it.")
    published_at: LocalDateTime | None
    withdrawn_at: LocalDateTime | None
    withdraw_reason: str
    is_read: bool = Field(description="The caller has opened it (their read receipt).")
    attachments: list[NoticeAttachmentOut]


class NoticeManagedOut(NoticeOut):
    """A notice as its publishers see it on the desk."""

    privacy: str = Field(description="`nobody` or `consented` for good deeds and uncivil.")
    consent_note: str
    created_at: LocalDateTime
    readers: int = Field(description="People who opened it.")
    open_objections: int = Field(description="Objections not answered yet.")


class NoticeBoardFilter(Schema):
    kind: Literal["announcement", "disclosure", "good_deed", "uncivil", "result"] | None = None
    unread: bool = Field(False, description="Only the notices the caller has not opened.")


class NoticeManageFilter(Schema):
    kind: Literal["announcement", "disclosure", "good_deed", "uncivil", "result"] | None = None
    status: Literal["draft", "published", "withdrawn"] | None = None


class NoticeIn(Schema):
    place: Id = Field(description="The place whose board shows it (community … unit).")
    kind: WrittenKind
    title: Text = Field(max_length=120)
    body: Text = Field(max_length=10000)
    important: bool = False
    pinned: bool = False
    disclosure_ends_on: dt.date | None = Field(None, description="Required for a 公示.")
    privacy: Privacy = Field("", description="Required for good deeds and uncivil behaviour.")
    consent_note: Text = Field("", max_length=300, description="Who consented, when and how.")
    link: Text = Field("", max_length=200)
    publish: bool = Field(False, description="Publish at once instead of keeping a draft.")


class NoticePatch(Schema):
    """Only the fields sent change; the others keep their values."""

    kind: WrittenKind | None = None
    title: Text | None = Field(None, max_length=120)
    body: Text | None = Field(None, max_length=10000)
    important: bool | None = None
    disclosure_ends_on: dt.date | None = None
    privacy: Privacy | None = None
    consent_note: Text | None = Field(None, max_length=300)
    link: Text | None = Field(None, max_length=200)


class NoticePinIn(Schema):
    pinned: bool


class NoticeWithdrawIn(Schema):
    reason: Text = Field(max_length=300)


class NoticeReadOut(Schema):
    id: int
    is_read: bool
    new: bool = Field(description="This call wrote the receipt (the first opening).")


class NoticeObjectionIn(Schema):
    text: Text = Field(max_length=2000)


class NoticeAnswerIn(Schema):
    answer: Text = Field(max_length=2000)


class NoticeObjectionOut(Schema):
    id: int
    notice: int
    text: str
    author: str = Field(description="The objector's name, for the publishers; else empty.")
    mine: bool
    created_at: LocalDateTime
    answer: str
    answered_at: LocalDateTime | None


class NoticeCoverageRowOut(Schema):
    building_id: int
    building: str
    households: int
    read: int = Field(description="Households where someone opened the notice.")
    percent: int


class NoticeCoverageTotalOut(Schema):
    households: int
    read: int
    percent: int


class NoticeCoverageOut(Schema):
    notice: int
    important: bool
    total: NoticeCoverageTotalOut
    buildings: list[NoticeCoverageRowOut] = Field(description="Least covered first.")
