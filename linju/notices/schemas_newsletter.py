"""Schemas of /api/v1/notices/newsletters (names prefixed Newsletter…: unique across the
project)."""

import datetime

from ninja import Field, Schema


class NewsletterOut(Schema):
    id: int
    name: str
    place: int
    place_name: str
    organisation: int
    organisation_name: str
    runs: bool = Field(description="The caller runs it (community staff of its place).")


class NewsletterIn(Schema):
    place: int = Field(description="A community or estate of the caller's scope.")
    name: str
    organisation: int = Field(description="A party organisation at, above or inside the place.")


class NewsletterIssueOut(Schema):
    id: int
    newsletter: int
    year: int
    quarter: int
    number: int
    status: str = Field(description="draft or published.")
    editor: int | None
    editor_name: str
    foreword: str
    published_at: datetime.datetime | None


class NewsletterItemOut(Schema):
    id: int
    section: str = Field(description="good_deeds, projects, contests, notices or uncivil.")
    position: int
    title: str
    summary: str
    link: str
    source: str
    included: bool


class NewsletterIssueDetailOut(NewsletterIssueOut):
    items: list[NewsletterItemOut] = Field(
        description="In the paper's section order, then by position; readers of a published "
        "issue get the included ones only."
    )


class NewsletterStartIn(Schema):
    year: int
    quarter: int = Field(description="1–4.")
    editor: int | None = Field(None, description="A party member; none: the next in the rota.")


class NewsletterItemIn(Schema):
    title: str
    summary: str = ""
    included: bool = True
    position: int = Field(0, description="Order within the section (0–10,000).")


class NewsletterForewordIn(Schema):
    foreword: str
