"""Who may do what in ratings (seed 001): community staff run contests and rubrics; the panel's
four parties score; staff of the scope follow the scoring; residents see published rankings
of where they live and comment on rubric drafts put to them. Permissions are registered with
core.access; the predicates below combine them with an object's state, in one place."""

from django.utils.translation import gettext as _

from linju.core import access
from linju.core.errors import Forbidden
from linju.deliberation.rules import covers_home
from linju.people.roles import Role

from .models import Purpose, RoundStatus, Target

MANAGERS = [Role.COMMUNITY_STAFF, Role.SUBDISTRICT_ADMIN]
VIEWERS = [r for r in access.STAFF_ROLES]

# Follow every round of the scope as it is scored: progress, late panellists, sheets.
access.register("ratings.view", VIEWERS)
# Rubrics, contests, panels, rounds, corrections, publishing, the year's awards.
access.register("ratings.manage", MANAGERS)

PUBLIC_STATUSES = (RoundStatus.PUBLISHED, RoundStatus.LOCKED)


def can_manage(user, obj) -> bool:
    return access.can(user, "ratings.manage", obj)


def can_follow(user, obj) -> bool:
    """Staff of the scope see rounds while they are scored, sheets and late panellists."""
    return access.can(user, "ratings.view", obj)


def is_rated(user, contest) -> bool:
    """A party member rated in one of the star rating's rounds."""
    return (
        bool(getattr(user, "pk", None))
        and Target.objects.filter(round__contest=contest, member=user).exists()
    )


def can_see_contest(user, contest) -> bool:
    """A unit contest is public to the residents of its scope. A star rating names party
    members, and party membership is sensitive personal information (PIPL art. 28): only its
    staff and the members it rates see it."""
    if can_follow(user, contest):
        return True
    if contest.purpose == Purpose.STARS:
        return is_rated(user, contest)
    return covers_home(user, contest)


def can_see_results(user, round_) -> bool:
    """A published round's ranking, for whoever may see its contest; staff of the scope see it
    from the first ranking on."""
    if round_.status in PUBLIC_STATUSES:
        return can_see_contest(user, round_.contest)
    return can_follow(user, round_)


def is_panellist(user, round_) -> bool:
    """Scoring is a seat on the round's panel as it was frozen when the round opened."""
    return bool(getattr(user, "pk", None)) and round_.panel.filter(user=user).exists()


def require_panellist(user, round_) -> None:
    if not is_panellist(user, round_):
        raise Forbidden(_("You are not on this round's panel."), code="not_panellist")


def can_see_evidence(user, entry) -> bool:
    """An evidence photo (a corridor, a charging cable, a neighbour's pram) is for the panellist
    who took it and staff of the scope, never public."""
    return entry.sheet.panellist_id == user.pk or can_follow(user, entry.sheet.round)


def can_comment(user, rubric) -> bool:
    """A draft put to the residents: those who live in its scope comment, staff too."""
    return bool(
        rubric.editable
        and rubric.comments_open
        and rubric.place_id
        and (covers_home(user, rubric) or can_follow(user, rubric))
    )


def may_use_desk(user) -> bool:
    return getattr(user, "is_superuser", False) or access.has_anywhere(user, "ratings.view")


def require(allowed: bool, message=None) -> None:
    if not allowed:
        raise Forbidden(message or _("You may not do this here."), code="forbidden")
