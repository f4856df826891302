"""The database is unreachable: a 503 answer instead of a 500, for pages, the API and /healthz.

Every uncaught exception of a request ends in Django's `handler500` (linju/urls.py), wherever it
was raised: in a view, or in a middleware that reads the session or the user. (An outermost
middleware would never see those exceptions: Django turns each middleware layer's exception into
a response before the layer around it gets control.) `server_error` answers 503 when the
exception is the database's, 500 otherwise. The API catches the same errors itself
(api_support.install_error_handlers), so its body keeps the API's one error shape.

The 503 page is rendered without a request context: no context processor runs, so rendering it
never asks the database for anything. After the error Django closes the broken connection at the
end of the request (it was marked unusable), and CONN_HEALTH_CHECKS checks a kept connection
before its first query: once the database is back, the next request connects again, with no
restart.
"""

import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _
from django.views import defaults

log = logging.getLogger(__name__)

# OperationalError covers a refused connection, a connection dropped mid-query and a server
# shutting down; InterfaceError a connection already closed. Both mean "try again shortly",
# unlike a ProgrammingError or an IntegrityError.
DATABASE_ERRORS = (OperationalError, InterfaceError)
# A PostgreSQL restart or a fail-over takes seconds; clients that honour Retry-After wait that.
RETRY_AFTER_SECONDS = 10


def is_database_error(exc) -> bool:
    return isinstance(exc, DATABASE_ERRORS)


def unavailable(request, exc=None) -> HttpResponse:
    """503 with Retry-After: the API's error body under /api/, else the 503 page."""
    log.warning("database unavailable: %s %s: %s", request.method, request.path, exc)
    if request.path.startswith("/api/"):
        from .api_support import error_body

        message = _("The service is briefly unavailable. Try again in a few seconds.")
        response = JsonResponse(error_body("unavailable", message), status=503)
    else:
        response = HttpResponse(loader.get_template("503.html").render(), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    # Never cached: the page must go away as soon as the database is back.
    response["Cache-Control"] = "no-store"
    return response


def server_error(request, *args, **kwargs):
    """handler500: called by Django inside the `except` of the request's uncaught exception."""
    exc = sys.exc_info()[1]
    if is_database_error(exc):
        return unavailable(request, exc)
    return defaults.server_error(request, *args, **kwargs)
