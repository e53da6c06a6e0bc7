from django import forms
from django.core.validators import RegexValidator
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from assessments.models import Cycle
from exports.models import ExportJob
from portal.forms import LanguageSelect
from portal.languages import language_names


class CycleChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return str(obj.year)


def _cycles():
    return Cycle.objects.order_by("-year")


# A committee document symbol ("CWS/14/8"): the page's form and the API accept the same.
SYMBOL_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9/ .\-]*$"
SYMBOL_MAX_LENGTH = 40


class AnnexForm(forms.Form):
    cycle = CycleChoiceField(label=_("Survey"), queryset=_cycles(), empty_label=None)
    symbol = forms.CharField(
        label=_("Document symbol"),
        max_length=SYMBOL_MAX_LENGTH,
        help_text=_("As on the committee document, for example CWS/14/8."),
        validators=[
            RegexValidator(
                SYMBOL_PATTERN,
                _("Use letters, digits, slashes, dots, hyphens and spaces only."),
            )
        ],
    )
    date = forms.DateField(
        label=_("Date on the title page"),
        # A date input reads ISO dates only, whatever the language of the page.
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
        initial=timezone.localdate,
    )
    language = forms.ChoiceField(
        label=_("Language of the annex"),
        choices=language_names,
        widget=LanguageSelect,
        # Left out (an older page, a script), the annex is in the language of the request.
        required=False,
        help_text=_("Offices’ comments stay in the language they were written in."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The language the person reads the page in, unless they choose another.
        self.fields["language"].initial = translation.get_language()


class DataForm(forms.Form):
    cycle = CycleChoiceField(label=_("Survey"), queryset=_cycles(), empty_label=None)
    format = forms.ChoiceField(
        label=_("Format"),
        choices=[(kind.value, kind.label) for kind in ExportJob.DATA_KINDS],
        widget=forms.RadioSelect,
        initial=ExportJob.Kind.XLSX,
    )
