"""Django admin for services (being built)."""
