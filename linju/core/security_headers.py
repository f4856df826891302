"""Response headers neither Django nor django-csp sends: Permissions-Policy on every response
(docs/operations.md, "Headers and CSP")."""

from django.conf import settings


def permissions_policy_header(policy: dict[str, list[str]]) -> str:
    """{"camera": ["self"], "geolocation": []} → 'camera=(self), geolocation=()'."""
    return ", ".join(f"{feature}=({' '.join(origins)})" for feature, origins in policy.items())


class PermissionsPolicyMiddleware:
    """Permissions-Policy from settings.PERMISSIONS_POLICY: the browser features (camera,
    geolocation, …) a page of this site, or anything it embeds, may ask for. Django has no
    setting for it."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.header = permissions_policy_header(getattr(settings, "PERMISSIONS_POLICY", {}))

    def __call__(self, request):
        response = self.get_response(request)
        if self.header:
            response.headers.setdefault("Permissions-Policy", self.header)
        return response
