"""The filters of the audit log page (and of its CSV download)."""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from portal.audit.models import AuditEvent


class DateInput(forms.DateInput):
    input_type = "date"


class AuditFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Event"),
        choices=[("", _("All events")), *AuditEvent.Kind.choices],
        required=False,
    )
    user = forms.CharField(label=_("User e-mail contains"), max_length=254, required=False)
    # A prefix, so that "10.2." finds a whole network; only what an address can contain.
    address = forms.CharField(
        label=_("Address starts with"),
        max_length=45,
        required=False,
        validators=[
            RegexValidator(r"^[0-9A-Fa-f.:]*$", _("An IP address has only digits, dots, colons.")),
        ],
    )
    since = forms.DateField(label=_("From (UTC)"), required=False, widget=DateInput)
    until = forms.DateField(label=_("To (UTC)"), required=False, widget=DateInput)

    def clean(self) -> dict:
        data = super().clean()
        since: datetime.date | None = data.get("since")
        until: datetime.date | None = data.get("until")
        if since and until and since > until:
            raise ValidationError(_("The “from” date is after the “to” date."))
        return data
