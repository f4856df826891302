"""Turning domain errors into form errors, so pages name the field that was wrong."""

from .errors import DomainError, Invalid


def apply_domain_error(form, exc: DomainError) -> None:
    if isinstance(exc, Invalid):
        for field, messages in exc.errors.items():
            target = field if field in form.fields else None
            for message in messages:
                form.add_error(target, message)
    else:
        form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
