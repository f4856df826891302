import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "linju.settings")
application = get_wsgi_application()

# Import every view and the API schemas once in the gunicorn master (preload_app), not in each
# worker on its first request, which under load can run past the worker timeout.
from django.urls import get_resolver  # noqa: E402

get_resolver().url_patterns  # noqa: B018  (the import is the point)
