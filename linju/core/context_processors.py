from . import access
from .notifications import unread_count


def shell(request):
    """What the page shell needs on every page: unread count, elder mode, staff entry."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"elder_mode": request.COOKIES.get("elder") == "1"}
    return {
        "unread_count": unread_count(user),
        "elder_mode": user.elder_mode or request.COOKIES.get("elder") == "1",
        "is_staff_member": bool(access.staff_roles_of(user)) or user.is_superuser,
    }
