import re

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assessments import questionnaire as q

ANSWER_KEY = re.compile(r"^r(\d+)-(\w+)$")
LEVEL_CHOICES = [("", "—")] + [(str(level), str(level)) for level in range(1, 6)]


YES = ("yes", "true", "on", "1")
NO = ("no", "false", "off", "0")


class YesNoField(forms.Field):
    """A yes/no question with a third state, "not answered yet" (nothing sent or blank), so
    that a "no" is an answer that last year's "yes" never replaces."""

    widget = forms.RadioSelect(choices=[("yes", gettext_lazy("Yes")), ("no", gettext_lazy("No"))])
    default_error_messages = {"invalid": gettext_lazy("Answer yes or no.")}

    def to_python(self, value):
        if value is None or value is True or value is False:
            return value
        value = str(value).strip().lower()
        if value in YES:
            return True
        if value in NO:
            return False
        if value == "":
            return None
        raise forms.ValidationError(self.error_messages["invalid"], code="invalid")


def _field(question: q.Question) -> forms.Field:
    if question.kind == "choice":
        return forms.ChoiceField(
            label=question.label,
            required=False,
            choices=[("", _("Not answered yet")), *q.STATUS_CHOICES],
            widget=forms.RadioSelect,
            error_messages={
                "invalid_choice": gettext_lazy(
                    "“%(value)s” is not one of the five implementation statuses."
                )
            },
        )
    if question.kind == "level":
        return forms.TypedChoiceField(
            label=question.label,
            required=False,
            choices=LEVEL_CHOICES,
            coerce=int,
            empty_value=None,
            error_messages={
                "invalid_choice": gettext_lazy(
                    "Choose a level from 1 to 5 (“%(value)s” is not one)."
                )
            },
        )
    if question.kind == "flag":
        return YesNoField(label=question.label, required=False)
    if question.kind == "private":
        return forms.BooleanField(label=question.label, required=False)
    if question.kind == "url":
        return forms.URLField(
            label=question.label,
            required=False,
            max_length=question.max_length,
            assume_scheme="https",
        )
    return forms.CharField(
        label=question.label,
        required=False,
        max_length=question.max_length,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "max_length": gettext_lazy(
                "This answer is %(show_value)d characters long; the limit is %(limit_value)d. "
                "Shorten it or move the details to an evidence link."
            )
        },
    )


class AnswersForm(forms.Form):
    """All answers of one assessment; with ``partial`` only the fields that were sent.

    Autosave sends only what changed, so a missing checkbox there means "not sent", not
    "unchecked" as in a full form post.
    """

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, numbers, partial: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.numbers = list(numbers)
        # An autosave sends a few answers: only their fields are built (and validated).
        sent = set(self.data) if partial and self.is_bound else None
        names = []
        for number in self.numbers:
            for question in q.PER_RECOMMENDATION:
                names.append((q.key(number, question.name), question))
        for question in q.OVERALL:
            names.append((question.name, question))
        known = {name for name, _question in names}
        for name, question in names:
            if sent is None or name in sent:
                self.fields[name] = _field(question)
        self.unknown_numbers = sorted(
            {
                int(match.group(1))
                for name in (self.data or {})
                if (match := ANSWER_KEY.match(name)) and name not in known
            }
        )

    def word(self, labels: q.Labels) -> None:
        """Labels the fields as the cycle's framework words its questions."""
        for name, field in self.fields.items():
            field.label = labels[q.parse_key(name)[1]]

    def worded(self, labels: q.Labels) -> "AnswersForm":
        self.word(labels)
        return self

    def clean(self):
        if self.unknown_numbers:
            raise forms.ValidationError(
                _(
                    "There is no recommendation %(numbers)s in this framework; those answers "
                    "were not saved."
                )
                % {"numbers": ", ".join(map(str, self.unknown_numbers))},
                code="unknown_recommendation",
            )
        return super().clean()

    def answer_values(self) -> dict:
        return {name: value for name, value in self.cleaned_data.items() if name != "version"}


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why it is reopened (the office receives this by e-mail)"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
