"""What every API router shares: authentication (session with CSRF, or a personal token), one
error body shape, and pagination."""

from django.http import Http404
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import HttpBearer, SessionAuth

from . import tokens
from .errors import DomainError, Invalid


class TokenAuth(HttpBearer):
    def authenticate(self, request, token):
        user = tokens.user_for_key(token)
        if user is not None:
            request.user = user
        return user


# Session auth checks the CSRF token on unsafe methods (DESIGN §7: no CSRF gap).
session_or_token = [SessionAuth(csrf=True), TokenAuth()]


def error_body(code: str, message: str, errors=None) -> dict:
    """The one error shape: {"code", "message", "errors": [{"field", "message"}]}."""
    return {"code": code, "message": str(message), "errors": errors or []}


def install_error_handlers(api):
    @api.exception_handler(Invalid)
    def invalid(request, exc: Invalid):
        errors = [{"field": f, "message": m} for f, ms in exc.errors.items() for m in ms]
        return api.create_response(request, error_body(exc.code, exc.message, errors), status=422)

    @api.exception_handler(DomainError)
    def domain(request, exc: DomainError):
        errors = [{"field": exc.field, "message": str(exc.message)}] if exc.field else []
        return api.create_response(
            request, error_body(exc.code, exc.message, errors), status=exc.status
        )

    @api.exception_handler(ValidationError)
    def validation(request, exc: ValidationError):
        errors = [
            {
                "field": ".".join(
                    str(p) for p in e.get("loc", []) if p not in ("body", "query", "path")
                ),
                "message": e.get("msg", ""),
            }
            for e in exc.errors
        ]
        return api.create_response(
            request, error_body("invalid", "Invalid input.", errors), status=422
        )

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request, exc):
        return api.create_response(
            request, error_body("unauthenticated", "Log in first."), status=401
        )

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return api.create_response(request, error_body("not_found", "Not found."), status=404)

    @api.exception_handler(HttpError)
    def http_error(request, exc: HttpError):
        return api.create_response(
            request, error_body("error", exc.message), status=exc.status_code
        )
