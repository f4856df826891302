from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from . import factors


class AdminTwoFactorMiddleware:
    """Staff reach the admin site only after both factors (people.factors); anything else is
    sent to the step-up page first. Logging out of the admin is always allowed."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and user.is_staff
            and request.path.startswith(reverse("admin:index"))
            and request.path != reverse("admin:logout")
            and factors.missing_for_admin(request)
        ):
            query = urlencode({"next": request.get_full_path()})
            return redirect(f"{reverse('people:verify')}?{query}")
        return self.get_response(request)
