from django.contrib.auth.backends import ModelBackend


class MobileBackend(ModelBackend):
    """Password login by mobile number (USERNAME_FIELD); the `mobile` keyword is accepted too."""

    def authenticate(self, request, username=None, password=None, mobile=None, **kwargs):
        return super().authenticate(
            request, username=username or mobile, password=password, **kwargs
        )
