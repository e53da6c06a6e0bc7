"""The secretariat's page to check and import a past survey from an exchange file."""

from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assessments.exchange import FileUnreadable, SurveyInvalid, survey_import, survey_load
from portal.permissions import secretariat_required

MAX_UPLOAD_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True)
class Upload:
    name: str
    data: object  # the decoded JSON document


class SurveyImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Exchange file (JSON)"),
        help_text=gettext_lazy("At most 5 MB, in the format described below."),
        widget=forms.ClearableFileInput(attrs={"accept": ".json,application/json"}),
    )
    dry_run = forms.BooleanField(
        label=gettext_lazy("Check only (dry run): report what would be imported, write nothing"),
        required=False,
        initial=True,
    )

    def clean_file(self) -> Upload:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError(
                _("The file is %(size)s; the limit is 5 MB. Split it by cycle.")
                % {"size": filesizeformat(upload.size)}
            )
        try:
            text = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValidationError(_("The file is not UTF-8 text: is it really JSON?")) from None
        try:
            data = survey_load(text)
        except FileUnreadable as unreadable:
            raise ValidationError(str(unreadable)) from None
        return Upload(name=upload.name, data=data)


@secretariat_required
def survey_import_view(request: HttpRequest) -> HttpResponse:
    context: dict = {}
    form = SurveyImportForm()
    if request.method == "POST":
        posted = SurveyImportForm(request.POST, request.FILES)
        if posted.is_valid():
            upload = posted.cleaned_data["file"]
            context["file_name"] = upload.name
            try:
                context["report"] = survey_import(
                    data=upload.data,
                    user=request.user,
                    dry_run=posted.cleaned_data["dry_run"],
                    source=upload.name,
                )
            except SurveyInvalid as invalid:
                context["problems"] = invalid.problems
        else:
            form = posted
    context["form"] = form
    return render(request, "assessments/import.html", context)
