from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from practices.selectors import linkable_choices
from roadmap.models import REASON_MAX_LENGTH, TEXT_MAX_LENGTH, RoadmapAction
from roadmap.services import action_problems


class ActionForm(forms.Form):
    recommended_action = forms.ModelChoiceField(
        label=_("Recommended action"),
        queryset=None,
        required=False,
        empty_label=_("— an action of our own (describe it below) —"),
    )
    text = forms.CharField(
        label=pgettext_lazy("roadmap action", "Action"),
        required=False,
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Your own action, or how you apply the recommended one."),
    )
    responsible_unit = forms.CharField(label=_("Responsible unit"), max_length=200)
    due_on = forms.DateField(label=_("Due date"), widget=forms.DateInput(attrs={"type": "date"}))
    status = forms.ChoiceField(label=_("Status"), choices=RoadmapAction.Status.choices)
    drop_reason = forms.CharField(
        label=_("Why it was dropped"),
        required=False,
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Needed when the status is “Dropped”."),
    )
    practices = forms.TypedMultipleChoiceField(
        label=_("Practices it draws on"),
        coerce=int,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_(
            "Your office’s own practices, or other offices’ you learn from, from the practice "
            "catalogue. Those on this recommendation come first. Hold Ctrl (⌘ on a Mac) to choose "
            "more than one, or to untick one."
        ),
    )
    # The action's version the person started from; absent when adding.
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, recommendation, office, linked=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.recommendation = recommendation
        serving, others = linkable_choices(office, recommendation.number)
        seen = {practice.pk for practice in (*serving, *others)}

        def label(practice):
            label = f"{practice.office.code}: {practice.title}"
            if practice.state != practice.State.PUBLISHED:
                label += f" ({practice.get_state_display()})"
            return label

        choices = []
        if serving:
            choices.append(
                (
                    _("On recommendation %(number)s") % {"number": recommendation.number},
                    [(practice.pk, label(practice)) for practice in serving],
                )
            )
        if others:
            choices.append(
                (_("Other practices"), [(practice.pk, label(practice)) for practice in others])
            )
        # Linked before and withdrawn since: kept unless unticked, its title not shown.
        gone = [(pk, _("A practice no longer available")) for pk in linked if pk not in seen]
        if gone:
            choices.append((_("No longer available"), gone))
        self.fields["practices"].choices = choices
        self.fields["recommended_action"].queryset = recommendation.actions.order_by("position")
        self.fields["recommended_action"].label_from_instance = lambda action: (
            f"{action.position}. {action.text}"
        )

    def clean(self):
        cleaned = super().clean()
        problems = action_problems(
            recommendation=self.recommendation,
            recommended_action=cleaned.get("recommended_action"),
            text=cleaned.get("text", ""),
            status=cleaned.get("status", ""),
            drop_reason=cleaned.get("drop_reason", ""),
        )
        for name, message in problems.items():
            if name not in self.errors:
                self.add_error(name if name in self.fields else None, message)
        return cleaned

    def values(self) -> dict:
        return {
            name: self.cleaned_data[name]
            for name in (
                "recommended_action",
                "text",
                "responsible_unit",
                "due_on",
                "status",
                "drop_reason",
                "practices",
            )
        }
