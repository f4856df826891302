"""POST /api/v1/people/roster/: import a household roster file (multipart) into a community."""

from django.conf import settings
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Schema
from ninja.files import UploadedFile

from linju.core.api_support import ERRORS
from linju.core.errors import Invalid

from . import services

router = Router(tags=["people"])


class RosterResultOut(Schema):
    rows: int
    households_created: int
    households_updated: int
    households_unchanged: int
    estates_created: int
    buildings_created: int
    units_created: int
    residencies_created: int


@router.post(
    "/",
    response={200: RosterResultOut, **ERRORS},
    summary="Import a household roster (XLSX or CSV)",
    description="All or nothing. On 422 each error's field is `rows.<row>.<column>` "
    "(the header is row 1) or `file`.",
)
def import_roster(request, community: Form[int], file: File[UploadedFile]):
    if file.size > settings.ROSTER_UPLOAD_MAX_BYTES:
        raise Invalid({"file": _("The file is too large.")})
    result = services.import_roster(
        actor=request.auth, community_id=community, file=file, filename=file.name or ""
    )
    return result.as_dict()
