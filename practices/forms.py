from django import forms
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from practices.models import ContactRequest, Practice
from recommendations.models import RECOMMENDATION_COUNT

NUMBER_CHOICES = [(n, str(n)) for n in range(1, RECOMMENDATION_COUNT + 1)]
OUTCOME_ROWS = 3


def language_choices():
    from portal.languages import language_choices as portal_languages

    return portal_languages()


class DateInput(forms.DateInput):
    input_type = "date"


class PracticeForm(forms.ModelForm):
    numbers = forms.TypedMultipleChoiceField(
        label=_("Recommendations it serves"),
        choices=NUMBER_CHOICES,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
    )
    tags = forms.CharField(
        label=pgettext_lazy("keywords", "Tags"),
        required=False,
        help_text=_("Separated by commas, e.g. cloud, ST.96, open data."),
    )
    links_text = forms.CharField(
        label=_("Links"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "dir": "ltr"}),
        help_text=_("One web address a line."),
    )
    contact_languages = forms.MultipleChoiceField(
        label=_("Languages the contact person works in"),
        required=False,
        choices=language_choices,
        widget=forms.CheckboxSelectMultiple,
    )
    language = forms.ChoiceField(label=_("Written in"), choices=language_choices)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Practice
        fields = [
            "title",
            "summary",
            "kind",
            "status",
            "started_on",
            "ended_on",
            "technologies",
            "lessons",
            "contact",
            "contact_languages",
            "language",
            "visibility",
        ]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 5}),
            "lessons": forms.Textarea(attrs={"rows": 4}),
            "started_on": DateInput,
            "ended_on": DateInput,
        }

    field_order = [
        "title",
        "summary",
        "numbers",
        "kind",
        "status",
        "started_on",
        "ended_on",
        "technologies",
        "tags",
        "lessons",
        "links_text",
        "contact",
        "contact_languages",
        "language",
        "visibility",
    ]

    def __init__(self, *args, office, **kwargs):
        super().__init__(*args, **kwargs)
        from recommendations.models import Framework

        framework = Framework.objects.current()
        if framework is not None:
            self.fields["numbers"].choices = [
                (r.number, f"{r.number}. {r.short_title}") for r in framework.recommendations.all()
            ]
        self.fields["contact"].queryset = office.memberships.model.objects.none()
        people = [m.user for m in office.memberships.select_related("user").order_by("user__email")]
        self.fields["contact"] = forms.TypedChoiceField(
            label=_("Contact person"),
            required=False,
            coerce=int,
            empty_value=None,
            choices=[("", "—")] + [(p.pk, p.get_full_name() or p.email) for p in people],
        )
        for i in range(1, OUTCOME_ROWS + 1):
            for name, label in (
                ("indicator", _("Indicator")),
                ("baseline", _("Baseline")),
                ("target", _("Target")),
                ("achieved", _("Achieved")),
            ):
                self.fields[f"outcome{i}_{name}"] = forms.CharField(
                    label=label, required=False, max_length=200 if name == "indicator" else 60
                )
        if self.instance.pk:
            self.initial.setdefault("numbers", [n.number for n in self.instance.numbers.all()])
            self.initial.setdefault("tags", ", ".join(t.name for t in self.instance.tags.all()))
            self.initial.setdefault("links_text", "\n".join(self.instance.links))
            self.initial.setdefault("contact", self.instance.contact_id)
            self.initial.setdefault("version", self.instance.version)
            for i, outcome in enumerate(self.instance.outcomes.all(), start=1):
                for name in ("indicator", "baseline", "target", "achieved"):
                    self.initial[f"outcome{i}_{name}"] = getattr(outcome, name)

    def outcome_rows(self):
        return [
            [self[f"outcome{i}_{name}"] for name in ("indicator", "baseline", "target", "achieved")]
            for i in range(1, OUTCOME_ROWS + 1)
        ]

    def clean_links_text(self):
        links = [
            line.strip() for line in self.cleaned_data["links_text"].splitlines() if line.strip()
        ]
        validate = URLValidator(schemes=["http", "https"])
        for link in links:
            try:
                validate(link)
            except forms.ValidationError:
                raise forms.ValidationError(
                    _("“%(link)s” is not a web address.") % {"link": link[:80]}
                ) from None
        return links[:10]

    def _post_clean(self):
        # The services validate the model; the form only checks its own fields.
        pass

    def service_values(self) -> dict:
        data = self.cleaned_data
        values = {name: data[name] for name in self.Meta.fields if name != "contact"}
        values["contact_id"] = data["contact"]
        values["links"] = data["links_text"]
        values["numbers"] = data["numbers"]
        values["tags"] = [t for t in data["tags"].split(",") if t.strip()]
        values["outcomes"] = [
            {
                name: data[f"outcome{i}_{name}"].strip()
                for name in ("indicator", "baseline", "target", "achieved")
            }
            for i in range(1, OUTCOME_ROWS + 1)
            if data[f"outcome{i}_indicator"].strip()
        ]
        return values


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    recommendation = forms.TypedChoiceField(
        label=_("Recommendation"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("Any")), *NUMBER_CHOICES],
    )
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("Any")), *Practice.Kind.choices]
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any")), *Practice.Status.choices]
    )
    region = forms.CharField(required=False, widget=forms.HiddenInput)
    office_type = forms.CharField(required=False, widget=forms.HiddenInput)
    tag = forms.CharField(required=False, widget=forms.HiddenInput)
    sort = forms.ChoiceField(
        label=pgettext_lazy("sorting", "Order"),
        required=False,
        choices=[("relevance", _("Relevance")), ("recent", _("Most recent"))],
    )


class HideForm(forms.Form):
    reason = forms.CharField(
        label=_("Why it is hidden (the office is told)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )


class RequestForm(forms.Form):
    target = forms.CharField(widget=forms.HiddenInput)
    recommendation = forms.IntegerField(
        widget=forms.HiddenInput, min_value=1, max_value=RECOMMENDATION_COUNT
    )
    purpose = forms.ChoiceField(widget=forms.HiddenInput, choices=ContactRequest.Purpose.choices)
    message = forms.CharField(
        label=_("Your message"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=_(
            "What you would like to learn or do together. Your contact details are shared "
            "only if they accept."
        ),
    )
