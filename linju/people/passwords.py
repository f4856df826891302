"""The one password rule Django does not ship: an upper bound (ASVS 2.1.2)."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class MaximumLengthValidator:
    def __init__(self, max_length: int = 128):
        self.max_length = max_length

    def validate(self, password, user=None):
        if len(password) > self.max_length:
            raise ValidationError(
                _("This password is too long: at most %(n)d characters.") % {"n": self.max_length},
                code="password_too_long",
            )

    def get_help_text(self):
        return _("Your password can be at most %(n)d characters long.") % {"n": self.max_length}
