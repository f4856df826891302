"""Cleaning what users send, shared by every app's services: ids, text, and which database
constraint an IntegrityError broke (DESIGN §4 Errors, §7 "the database is the last guard")."""

from datetime import UTC, datetime

from django.db import IntegrityError
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from .errors import Invalid


def as_id(value):
    """A primary key from user input (or a model instance), or None: a stray string, a bool or
    a 2**70 never becomes a 500."""
    if isinstance(value, bool):
        return None
    try:
        pk = int(getattr(value, "pk", value))
    except (TypeError, ValueError, OverflowError):
        return None
    return pk if 0 < pk < 2**63 else None


def clean_text(value, *, field: str, max_length: int, required=None) -> str:
    """Stripped user text; Invalid on `field` when missing (if `required` is the message), too
    long, or holding a NUL (PostgreSQL text cannot store one)."""
    text = str(value or "").strip()
    if required and not text:
        raise Invalid({field: required})
    if len(text) > max_length:
        raise Invalid({field: _("At most %(n)s characters.") % {"n": f"{max_length:,}"}})
    if "\x00" in text:
        raise Invalid({field: _("This text holds a character that is not allowed.")})
    return text


def as_when(value, *, field: str, required: bool):
    """An aware datetime from a datetime or an ISO 8601 string; a naive one is read as the
    configured local time (what a phone's date-and-time picker gives)."""
    if value in (None, ""):
        if required:
            raise Invalid({field: _("Give the date and time.")})
        return None
    if isinstance(value, str):
        try:
            value = parse_datetime(value.strip())
        except ValueError:
            value = None
    if not isinstance(value, datetime):
        raise Invalid({field: _("Give a date and time.")})
    if timezone.is_naive(value):
        value = timezone.make_aware(value, timezone.get_current_timezone())
    try:
        value.astimezone(UTC)  # stored in UTC: year 1 to 9999 there
    except OverflowError:
        raise Invalid({field: _("Give a date and time.")}) from None
    return value


def constraint_name(exc: IntegrityError) -> str | None:
    """The violated constraint's name as PostgreSQL reports it (psycopg's diagnostics), or None
    (SQLite names only the columns): never match the error text."""
    diag = getattr(exc.__cause__, "diag", None)
    return getattr(diag, "constraint_name", None)


def violated(exc: IntegrityError, name: str, *, still_there) -> bool:
    """Whether `exc` broke the constraint `name`. Where the database names none (SQLite), the
    row the constraint guards is looked up instead (`still_there()`): it is there exactly when
    the constraint was what failed."""
    constraint = constraint_name(exc)
    if constraint:
        return constraint == name
    return still_there()
