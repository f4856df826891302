from django.conf import settings

from . import access
from .notifications import unread_count


def shell(request):
    """What the page shell needs on every page: unread count, elder mode, staff entry."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"elder_mode": request.COOKIES.get("elder") == "1"}
    match = getattr(request, "resolver_match", None)
    return {
        # PIPL art. 14: people who arrived by the roster (or before the notice changed) have
        # not agreed to this version; remind them everywhere but on the notice itself.
        "consent_reminder": user.privacy_consent_version != settings.PRIVACY_NOTICE_VERSION
        and not (match and match.url_name == "privacy"),
        "unread_count": unread_count(user),
        "elder_mode": user.elder_mode or request.COOKIES.get("elder") == "1",
        "is_staff_member": bool(access.staff_roles_of(user)) or user.is_superuser,
    }
