from django import forms
from django.utils.translation import gettext_lazy as _

from assessments.models import LONG_TEXT_MAX_LENGTH
from feedback.models import REASON_MAX_LENGTH, Feedback
from feedback.services import triage_problems
from recommendations.models import RECOMMENDATION_COUNT


class FeedbackForm(forms.Form):
    recommendation = forms.ModelChoiceField(
        label=_("About"),
        queryset=None,
        required=False,
        empty_label=_("The framework as a whole"),
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=Feedback.Kind.choices)
    text = forms.CharField(
        label=_("Your proposal or comment"),
        max_length=LONG_TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    private = forms.BooleanField(
        label=_("Not for publication"),
        required=False,
        help_text=_("The task force reads it, but it is not quoted in the committee’s documents."),
    )

    def __init__(self, *args, framework, **kwargs):
        super().__init__(*args, **kwargs)
        self.framework = framework
        self.fields["recommendation"].queryset = framework.recommendations.order_by("number")


class FilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any")), *list(Feedback.Status.choices)],
    )
    about = forms.ChoiceField(
        label=_("About"),
        required=False,
        choices=[("", _("Any")), ("framework", _("The framework as a whole"))]
        + [
            (str(n), _("Recommendation %(n)s") % {"n": n})
            for n in range(1, RECOMMENDATION_COUNT + 1)
        ],
    )
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("Any")), *list(Feedback.Kind.choices)]
    )
    source = forms.ChoiceField(
        label=_("Source"), required=False, choices=[("", _("Any")), *list(Feedback.Source.choices)]
    )
    office = forms.CharField(label=_("Office (ST.3 code)"), required=False, max_length=2)


class TriageForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Feedback.Status.choices)
    draft_version = forms.CharField(
        label=_("Draft version"),
        required=False,
        max_length=20,
        help_text=_("Needed when it is taken into a draft version, for example 2026-draft."),
    )
    decline_reason = forms.CharField(
        label=_("Why it is declined"),
        required=False,
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Needed when it is declined: the sender reads it."),
    )

    def clean(self):
        cleaned = super().clean()
        problems = triage_problems(
            status=cleaned.get("status", ""),
            draft_version=cleaned.get("draft_version", ""),
            reason=cleaned.get("decline_reason", ""),
        )
        for name, message in problems.items():
            self.add_error(name, message)
        return cleaned
