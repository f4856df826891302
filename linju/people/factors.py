"""Which authentication factors this session has shown: a password (something known) and a
code sent to the person's phone (something held). The admin site wants both (ASVS 4.3.1): it
can change any record, so a stolen password alone must not open it."""

from django.conf import settings

KEY = "linju_factors"
PASSWORD = "password"
SMS = "sms"
FOR_ADMIN = (PASSWORD, SMS)


def record(request, *factors: str) -> None:
    shown = set(request.session.get(KEY, []))
    request.session[KEY] = sorted(shown | set(factors))


def missing_for_admin(request) -> list[str]:
    if not settings.ADMIN_TWO_FACTORS:
        return []
    shown = set(request.session.get(KEY, []))
    return [f for f in FOR_ADMIN if f not in shown]
