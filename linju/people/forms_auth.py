"""Forms of the account pages: log in (password or SMS code), sign up, delete the account, API
tokens. The rules (code checks, password strength, consent) live in `people.services`; these
forms only collect the input and carry the errors back to their fields."""

from django import forms
from django.contrib.auth import authenticate, password_validation
from django.urls import reverse, reverse_lazy
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from linju.core.errors import Invalid

from . import services


class CodeInput(forms.TextInput):
    """A code box with a "send code" button beside it: htmx posts only the mobile number (and the
    purpose) to the send-code endpoint and shows its answer in place."""

    template_name = "people/widgets/code_input.html"

    def __init__(self, purpose: str, attrs=None):
        base = {"inputmode": "numeric", "autocomplete": "one-time-code", "maxlength": "6"}
        super().__init__(attrs={**base, **(attrs or {})})
        self.purpose = purpose

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["purpose"] = self.purpose
        context["widget"]["send_url"] = reverse_lazy("people:send_code")
        return context


def _mobile_field():
    return forms.CharField(
        label=_("Mobile number"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )


def _code_field(purpose: str):
    return forms.CharField(label=_("SMS code"), max_length=10, widget=CodeInput(purpose))


class LoginForm(forms.Form):
    """Mobile and password. Authentication goes through django-axes, which needs the request
    and keys its lockout by the normalised number, so "138 0000 0000" is not a fresh account."""

    mobile = _mobile_field()
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, request, *args, **kwargs):
        self.request = request
        self.user = None
        super().__init__(*args, **kwargs)

    def clean_mobile(self):
        try:
            return services.clean_mobile(self.cleaned_data["mobile"])
        except Invalid as exc:
            raise forms.ValidationError(exc.errors["mobile"]) from None

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        self.user = authenticate(self.request, mobile=data["mobile"], password=data["password"])
        if self.user is None:
            raise forms.ValidationError(_("The mobile number or the password is wrong."))
        return data


class CodeLoginForm(forms.Form):
    mobile = _mobile_field()
    code = _code_field("login")


class SendCodeForm(forms.Form):
    mobile = forms.CharField(label=_("Mobile number"), max_length=20)
    purpose = forms.ChoiceField(choices=[("login", "login"), ("signup", "signup")])


def password_rules() -> str:
    """The configured validators' own words (so the text follows LINJU_PASSWORD_MIN_LENGTH)."""
    return " ".join(password_validation.password_validators_help_texts())


class SignupForm(forms.Form):
    mobile = _mobile_field()
    code = _code_field("signup")
    name = forms.CharField(
        label=_("Name"), max_length=50, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    # Not required here: the service refuses a missing consent with its own message.
    consent = forms.BooleanField(
        label=_("I have read and agree to the privacy notice"), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password"].help_text = password_rules()
        self.fields["consent"].label = format_html(
            gettext(
                'I have read and agree to the <a href="{url}" target="_blank">privacy notice</a>'
            ),
            url=reverse("people:privacy"),
        )

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password2") and data["password"] != data["password2"]:
            self.add_error("password2", _("The two passwords differ."))
        return data


class DeleteAccountForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    confirm = forms.BooleanField(
        label=_("I understand that my account and personal data will be erased"),
        error_messages={"required": _("Tick the box to confirm.")},
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # People who only ever logged in with SMS codes have no password to confirm with.
        if not user.has_usable_password():
            del self.fields["password"]


class PasswordForm(forms.Form):
    current_password = forms.CharField(
        label=_("Current password"),
        strip=False,
        required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    new_password = forms.CharField(
        label=_("New password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    new_password2 = forms.CharField(
        label=_("New password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_password"].help_text = password_rules()
        # Someone who has only logged in with SMS codes sets a first password.
        if not user.has_usable_password():
            del self.fields["current_password"]

    def clean(self):
        data = super().clean()
        if data.get("new_password") and data.get("new_password2") != data["new_password"]:
            self.add_error("new_password2", _("The two passwords differ."))
        return data


class StepUpPasswordForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class StepUpCodeForm(forms.Form):
    code = forms.CharField(
        label=_("SMS code"),
        max_length=10,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Token name"),
        max_length=60,
        help_text=_('What the token is for, e.g. "weekly report script".'),
    )
