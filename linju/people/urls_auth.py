from django.urls import path

from . import views_auth as v

urlpatterns = [
    path("accounts/login/", v.login_view, name="login"),
    path("accounts/logout/", v.logout_view, name="logout"),
    path("accounts/signup/", v.signup, name="signup"),
    path("privacy/", v.privacy, name="privacy"),
]
