"""Django admin, the back office of last resort for co-creation: one module per part."""

from . import admin_funds, admin_lists, admin_projects  # noqa: F401
