"""The privacy guard of good deeds and uncivil behaviour (seed 002: 好人好事和不文明现象曝光;
DESIGN §6: personal data is masked outside the handling scope). Shaming a neighbour by name on
the board is not co-governance: unless the persons consented, the text must not name a
resident of the scope nor carry a mobile or identity-card number. Faces in photos cannot be
checked by a program: the author vouches for them with the same check."""

import re

from django.utils.translation import gettext as _

from linju.core.errors import Invalid
from linju.core.masking import mask_name
from linju.people.models import ResidencyStatus, User

from .models.notices import PEOPLE_KINDS, PrivacyCheck

MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
ID_CARD = re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)")
MIN_NAME = 2  # a one-character "name" would match half the language


def resident_names(path: str) -> set[str]:
    """The names of the people verifiably living in the scope."""
    names = User.objects.filter(
        residencies__status=ResidencyStatus.VERIFIED,
        residencies__household__path__startswith=path,
    ).values_list("name", flat=True)
    return {n.strip() for n in names if n and len(n.strip()) >= MIN_NAME}


def check(*, kind: str, privacy: str, consent_note: str, title: str, body: str, path: str):
    """Invalid naming the field when a notice that shows people may not go up as it is."""
    if kind not in PEOPLE_KINDS:
        return
    if privacy not in (PrivacyCheck.NOBODY, PrivacyCheck.CONSENTED):
        raise Invalid(
            {"privacy": _("Say whether anyone can be identified, or that they consented.")}
        )
    if privacy == PrivacyCheck.CONSENTED:
        if not consent_note.strip():
            raise Invalid({"consent_note": _("Record who consented, when and how.")})
        return
    for field, text in (("title", title), ("body", body)):
        if MOBILE.search(text) or ID_CARD.search(text):
            raise Invalid(
                {field: _("Remove the phone or identity number: nobody may be identified.")}
            )
    names = resident_names(path)
    for field, text in (("title", title), ("body", body)):
        hit = next((n for n in sorted(names, key=len, reverse=True) if n in text), None)
        if hit:
            raise Invalid(
                {
                    field: _(
                        "The text names a resident (%(name)s). Leave names out, or record "
                        "their consent."
                    )
                    % {"name": mask_name(hit)}
                }
            )
