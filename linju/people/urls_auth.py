from django.urls import path

from . import views_auth as v

urlpatterns = [
    path("accounts/login/", v.login_view, name="login"),
    path("accounts/login/code/", v.code_login, name="code_login"),
    path("accounts/verify/", v.verify, name="verify"),
    path("accounts/code/", v.send_code, name="send_code"),
    path("accounts/logout/", v.logout_view, name="logout"),
    path("accounts/signup/", v.signup, name="signup"),
    path("privacy/", v.privacy, name="privacy"),
    path("me/data/", v.my_data, name="my_data"),
    path("me/delete/", v.delete_account, name="delete_account"),
    path("me/tokens/", v.tokens, name="tokens"),
    path("me/security/", v.security, name="security"),
]
