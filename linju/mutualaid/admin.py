"""Django admin for mutualaid (being built)."""
