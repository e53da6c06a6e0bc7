import re

from django import forms
from django.contrib.auth.forms import PasswordResetForm
from django.utils.translation import gettext_lazy as _

from portal.accounts.models import User, email_normalised
from portal.languages import in_language_of, language_choices

SIX_DIGITS = re.compile(r"\d{6}")


class CodeForm(forms.Form):
    """The 6-digit code of an authenticator app."""

    code = forms.CharField(
        label=_("6-digit code"),
        help_text=_("Open your authenticator app and type the code it shows for this portal."),
        max_length=12,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "autofocus": True,
                "size": 8,
            }
        ),
    )

    def clean_code(self) -> str:
        # Apps show the code as "123 456"; people copy it as shown.
        code = "".join(self.cleaned_data["code"].split())
        if not SIX_DIGITS.fullmatch(code):
            raise forms.ValidationError(_("Type the 6 digits that the app shows."))
        return code


class ResetForm(PasswordResetForm):
    """Django's form, finding the account as the login does (its address's one form), not
    by the database's idea of "whatever the case"."""

    def get_users(self, email):
        return (
            user
            for user in User.objects.filter(email=email_normalised(email), is_active=True)
            if user.has_usable_password()
        )

    def send_mail(self, subject_template_name, email_template_name, context, *args, **kwargs):
        # In the account holder's language, not the language of whoever typed the address.
        with in_language_of(context["user"]):
            super().send_mail(subject_template_name, email_template_name, context, *args, **kwargs)


class LanguageForm(forms.Form):
    """The account page's choice of language."""

    language = forms.ChoiceField(label=_("Language"), choices=language_choices)
