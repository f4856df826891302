"""Account pages: log in (password or SMS code), sign up, log out, the privacy notice and consent,
"my data" download, account deletion (PIPL), and personal API tokens. Rules live in
`people.services` and `core.tokens`; these views only move input and errors around."""

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from linju.core import tokens as token_service
from linju.core.errors import DomainError, Invalid
from linju.core.forms import apply_domain_error
from linju.core.masking import mask_mobile
from linju.core.net import client_ip

from . import factors, services
from .forms_auth import (
    CodeLoginForm,
    DeleteAccountForm,
    LoginForm,
    PasswordForm,
    SendCodeForm,
    SignupForm,
    StepUpCodeForm,
    StepUpPasswordForm,
    TokenForm,
)

# Logins that did not go through authenticate() (SMS code, fresh sign-up) name the backend.
BACKEND = "linju.people.backends.MobileBackend"


def _next_url(request) -> str:
    """The `next` target if it stays on this site, else "" (no open redirect)."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""


def _finish_login(request, user, *, shown, backend=None):
    login(request, user, backend=backend)  # rotates the session key
    factors.record(request, *shown)
    response = redirect(_next_url(request) or resolve_url(settings.LOGIN_REDIRECT_URL))
    if user.language:
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            user.language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            path=settings.LANGUAGE_COOKIE_PATH,
            domain=settings.LANGUAGE_COOKIE_DOMAIN,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        )
    return response


def _error_text(exc: DomainError) -> str:
    if isinstance(exc, Invalid):
        return " ".join(m for ms in exc.errors.values() for m in ms)
    return str(exc.message)


@sensitive_post_parameters("password")
@never_cache
def login_view(request):
    form = LoginForm(request, data=request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        return _finish_login(request, form.user, shown=[factors.PASSWORD])
    context = {"form": form, "next": _next_url(request), "idle": request.GET.get("idle") == "1"}
    return render(request, "people/login.html", context)


@sensitive_post_parameters("code")
@never_cache
def code_login(request):
    if request.method == "POST":
        form = CodeLoginForm(request.POST)
        if form.is_valid():
            try:
                user = services.login_with_code(
                    mobile=form.cleaned_data["mobile"], code=form.cleaned_data["code"]
                )
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                return _finish_login(request, user, shown=[factors.SMS], backend=BACKEND)
    else:
        form = CodeLoginForm(initial={"mobile": request.GET.get("mobile", "")})
    return render(request, "people/code_login.html", {"form": form, "next": _next_url(request)})


@require_POST
def send_code(request):
    """Sends a one-time code. htmx gets a small fragment to show beside the code box; a plain
    form post (no JavaScript) goes back to the page it came from with a message."""
    form = SendCodeForm(request.POST)
    message = ""
    if form.is_valid():
        purpose = form.cleaned_data["purpose"]
        try:
            services.send_code(
                mobile=form.cleaned_data["mobile"], purpose=purpose, client_ip=client_ip(request)
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            minutes = int(settings.SMS_CODE_TTL.total_seconds() // 60)
            if purpose == "login":
                # Worded so it does not tell whether the number has an account.
                message = _(
                    "If this number has an account, a code is on its way. "
                    "It is valid for %(minutes)d minutes."
                ) % {"minutes": minutes}
            else:
                message = _("A code is on its way. It is valid for %(minutes)d minutes.") % {
                    "minutes": minutes
                }
    if request.headers.get("HX-Request"):
        return render(request, "people/_code_sent.html", {"form": form, "message": message})
    if message:
        messages.success(request, message)
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)
    back = "people:code_login" if request.POST.get("purpose") == "login" else "people:signup"
    query = urlencode({"mobile": request.POST.get("mobile", "")[:20]})
    return redirect(f"{reverse(back)}?{query}")


@require_POST
def logout_view(request):
    logout(request)
    return redirect(settings.LOGOUT_REDIRECT_URL)


def _after_signup_url() -> str:
    # The household binding page is the natural next step; home until it exists.
    try:
        return reverse("people:bind")
    except NoReverseMatch:
        return reverse("core:home")


@sensitive_post_parameters("password", "password2", "code")
@never_cache
def signup(request):
    if request.method == "POST":
        form = SignupForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                user = services.sign_up(
                    mobile=data["mobile"],
                    name=data["name"],
                    password=data["password"],
                    code=data["code"],
                    consent=data["consent"],
                )
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                login(request, user, backend=BACKEND)
                factors.record(request, factors.SMS, factors.PASSWORD)
                messages.success(request, _("Welcome! Now tell us which household you live in."))
                return redirect(_after_signup_url())
    else:
        form = SignupForm(initial={"mobile": request.GET.get("mobile", "")})
    return render(request, "people/signup.html", {"form": form})


def privacy(request):
    user = request.user
    if request.method == "POST":
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        services.give_consent(user=user)
        messages.success(request, _("Thank you. Your consent has been recorded."))
        return redirect("people:privacy")
    needs_consent = (
        user.is_authenticated and user.privacy_consent_version != settings.PRIVACY_NOTICE_VERSION
    )
    context = {
        "version": settings.PRIVACY_NOTICE_VERSION,
        "needs_consent": needs_consent,
        "code_minutes": int(settings.SMS_CODE_TTL.total_seconds() // 60),
    }
    return render(request, "people/privacy.html", context)


@login_required
def my_data(request):
    if request.GET.get("download"):
        data = services.export_personal_data(user=request.user)
        response = HttpResponse(
            json.dumps(data, ensure_ascii=False, indent=2),
            content_type="application/json; charset=utf-8",
        )
        response["Content-Disposition"] = 'attachment; filename="linju-my-data.json"'
        response["Cache-Control"] = "no-store"
        return response
    return render(request, "people/my_data.html")


@login_required
@sensitive_post_parameters("password")
def delete_account(request):
    user = request.user
    form = DeleteAccountForm(request.POST if request.method == "POST" else None, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            services.delete_account(user=user, password=form.cleaned_data.get("password", ""))
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            logout(request)
            messages.success(request, _("Your account has been deleted."))
            return redirect("core:home")
    return render(request, "people/delete_account.html", {"form": form})


def admin_login(request):
    """The admin site's own login form would skip the SMS factor and Linju's lockout wording:
    its login goes through the site's login, then the step-up."""
    target = _next_url(request) or reverse("admin:index")
    return redirect(f"{reverse('people:login')}?{urlencode({'next': target})}")


@login_required
@sensitive_post_parameters("password", "code")
@never_cache
def verify(request):
    """Step-up: show the factor this session has not shown yet (people.factors), then go on to
    `next`. The session key changes with the privilege, as at login."""
    user = request.user
    target = _next_url(request) or reverse("admin:index")
    missing = factors.missing_for_admin(request)
    if not missing:
        return redirect(target)
    factor = missing[0]
    form_class = StepUpPasswordForm if factor == factors.PASSWORD else StepUpCodeForm
    form = form_class(request.POST if request.method == "POST" else None)
    code_sent = False
    if request.method == "POST" and request.POST.get("action") == "send":
        form = StepUpCodeForm()
        try:
            services.send_code(mobile=user.mobile, purpose="verify", client_ip=client_ip(request))
        except DomainError as exc:
            messages.error(request, _error_text(exc))
        else:
            code_sent = True
    elif request.method == "POST" and form.is_valid():
        try:
            if factor == factors.PASSWORD:
                # Through authenticate(), so django-axes counts a wrong password here too.
                password = form.cleaned_data["password"]
                if authenticate(request, mobile=user.mobile, password=password) != user:
                    raise Invalid({"password": _("The password is wrong.")})
            else:
                services.verify_with_code(user=user, code=form.cleaned_data["code"])
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            factors.record(request, factor)
            request.session.cycle_key()
            return redirect(f"{reverse('people:verify')}?{urlencode({'next': target})}")
    context = {
        "form": form,
        "factor": factor,
        "next": target,
        "code_sent": code_sent,
        "has_password": user.has_usable_password(),
        "masked_mobile": mask_mobile(user.mobile),
    }
    return render(request, "people/verify.html", context)


@login_required
@sensitive_post_parameters("current_password", "new_password", "new_password2")
@never_cache
def security(request):
    """The person's password and their recent logins, so they can spot one that was not them."""
    user = request.user
    if request.method == "POST" and request.POST.get("action") == "end_sessions":
        update_session_auth_hash(request, services.end_other_sessions(user=user))
        messages.success(request, _("You are now logged out everywhere else."))
        return redirect("people:security")
    form = PasswordForm(request.POST if request.method == "POST" else None, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.change_password(
                user=user,
                current_password=form.cleaned_data.get("current_password", ""),
                new_password=form.cleaned_data["new_password"],
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            # This session stays; every other one ends (they carry the old password's hash).
            update_session_auth_hash(request, user)
            messages.success(request, _("Your password has been changed."))
            return redirect("people:security")
    context = {
        "form": form,
        "history": services.login_history(user=user),
        "history_days": settings.LOGIN_HISTORY_DAYS,
    }
    return render(request, "people/security.html", context)


@login_required
def tokens(request):
    """Personal API tokens. A new token's secret is shown in this one response and never again
    (only its hash is stored), hence no redirect after creating one."""
    form = TokenForm()
    secret = None
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            try:
                token_id = int(request.POST.get("token_id", ""))
                token = token_service.revoke_token(user=request.user, token_id=token_id)
            except ValueError:
                messages.error(request, _("No such token."))
            except DomainError as exc:
                messages.error(request, _error_text(exc))
            else:
                messages.success(request, _("Token %(name)s revoked.") % {"name": token.name})
            return redirect("people:tokens")
        form = TokenForm(request.POST)
        if form.is_valid():
            try:
                _token, secret = token_service.create_token(
                    user=request.user, name=form.cleaned_data["name"]
                )
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                form = TokenForm()
    page = Paginator(request.user.api_tokens.all(), 20).get_page(request.GET.get("page"))
    response = render(request, "people/tokens.html", {"form": form, "page": page, "secret": secret})
    response["Cache-Control"] = "no-store"
    return response


def lockout_response(request, original_response=None, credentials=None):
    """django-axes calls this (AXES_LOCKOUT_CALLABLE) when an account is locked out."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "people/locked_out.html", {"minutes": minutes}, status=429)
