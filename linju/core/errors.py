"""Domain errors raised by services. Pages turn them into form errors, the API into 4xx bodies
(422 for a field, 409 for a conflict, 403 for a refusal); none of them is ever a 500."""


class DomainError(Exception):
    status = 409
    code = "conflict"

    def __init__(self, message, *, code=None, field=None):
        super().__init__(str(message))
        self.message = message
        self.field = field
        if code:
            self.code = code


class Invalid(DomainError):
    """Bad input: `errors` maps a field path to its messages."""

    status = 422
    code = "invalid"

    def __init__(self, errors, *, message=None):
        self.errors = {
            k: [str(m) for m in (v if isinstance(v, list | tuple) else [v])]
            for k, v in errors.items()
        }
        first = next(iter(self.errors.items()), ("", [""]))
        super().__init__(message or f"{first[0]}: {first[1][0]}")


class Conflict(DomainError):
    status = 409
    code = "conflict"


class Forbidden(DomainError):
    status = 403
    code = "forbidden"


class NotFound(DomainError):
    status = 404
    code = "not_found"
