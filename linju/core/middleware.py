import time

from django.conf import settings
from django.contrib.auth import logout
from django.shortcuts import redirect, resolve_url

from . import access


class StaffIdleTimeoutMiddleware:
    """Staff sessions end after STAFF_IDLE_TIMEOUT without a request: their pages show other
    people's data, and desks are shared. Residents' phone sessions are left alone."""

    key = "linju_last_seen"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and (user.is_staff or access.staff_roles_of(user))
        ):
            now = time.time()
            last = request.session.get(self.key)
            if last and now - last > settings.STAFF_IDLE_TIMEOUT.total_seconds():
                logout(request)
                if request.path.startswith("/api/"):
                    # The API answers the now-anonymous request itself (401 JSON).
                    return self.get_response(request)
                return redirect(f"{resolve_url(settings.LOGIN_URL)}?idle=1")
            request.session[self.key] = now
        return self.get_response(request)
