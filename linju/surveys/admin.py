"""Django admin for surveys (being built)."""
