"""Answers to a category's extra questions (Open311 attributes), checked against their types."""

from decimal import Decimal, InvalidOperation

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from linju.core.errors import Invalid

from .models import AttributeType


def clean_attributes(category, answers: dict) -> dict:
    """code → answer (a string, or a list for multi-value questions); Invalid names the
    question as `attributes.<code>`."""
    if not isinstance(answers, dict):
        raise Invalid({"attributes": _("Answers must be given by question code.")})
    questions = {a.code: a for a in category.attributes.all()}
    unknown = sorted(set(answers) - set(questions))
    if unknown:
        raise Invalid({f"attributes.{unknown[0]}": _("This category asks no such question.")})
    cleaned = {}
    for code, question in questions.items():
        field = f"attributes.{code}"
        value = answers.get(code)
        if isinstance(value, str):
            value = value.strip()
        if value in (None, "", []):
            if question.required:
                raise Invalid({field: _("Please answer this question.")})
            continue
        cleaned[code] = _clean_one(question, value, field)
    return cleaned


def _clean_one(question, value, field):
    kind = question.datatype
    if kind == AttributeType.MULTI:
        values = value if isinstance(value, list | tuple) else [value]
        values = [str(v) for v in values]
        if not set(values) <= set(question.value_keys()):
            raise Invalid({field: _("Choose from the list.")})
        return values
    if isinstance(value, list | tuple):
        raise Invalid({field: _("Give one answer.")})
    value = str(value)
    if "\x00" in value:  # PostgreSQL's jsonb cannot hold one
        raise Invalid({field: _("This answer holds a character that is not allowed.")})
    if kind == AttributeType.SINGLE:
        if value not in question.value_keys():
            raise Invalid({field: _("Choose from the list.")})
    elif kind == AttributeType.NUMBER:
        try:
            number = Decimal(value)
        except InvalidOperation:
            raise Invalid({field: _("Give a number.")}) from None
        if not number.is_finite():
            raise Invalid({field: _("Give a number.")})
    elif kind == AttributeType.DATETIME:
        try:
            parsed = parse_datetime(value)
        except ValueError:
            parsed = None
        if parsed is None:
            raise Invalid({field: _("Give a date and time, e.g. 2026-05-01T09:30+08:00.")})
    elif len(value) > (2000 if kind == AttributeType.TEXT else 200):
        raise Invalid({field: _("This answer is too long.")})
    return value
