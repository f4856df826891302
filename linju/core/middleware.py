import time

from django.conf import settings
from django.contrib.auth import logout
from django.middleware.locale import LocaleMiddleware
from django.shortcuts import redirect, resolve_url
from django.utils import translation

from . import access


class StaffIdleTimeoutMiddleware:
    """Staff sessions end after STAFF_IDLE_TIMEOUT without a request: their pages show other
    people's data, and desks are shared. Residents' phone sessions are left alone."""

    key = "linju_last_seen"
    resolution = 60  # seconds

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
            # A minute's precision is plenty for a 30-minute limit, and spares every staff
            # page view a session write.
            if not last or now - last >= self.resolution:
                request.session[self.key] = now
        return self.get_response(request)


class LanguageMiddleware(LocaleMiddleware):
    """zh-Hans unless the person chose another language with the switch (the language cookie).
    The browser's Accept-Language is not consulted: the community's language is Chinese, and a
    phone set to English should not turn a resident's pages into a language they did not pick."""

    def process_request(self, request):
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in dict(settings.LANGUAGES):
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
