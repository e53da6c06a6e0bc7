"""The secretariat's forms to open a cycle and to invite offices to it."""

from collections.abc import Collection

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assessments.models import Cycle, cycle_date_problems
from portal.offices.models import Office, Region
from recommendations.models import Framework


class OfficeChoiceForm(forms.Form):
    """Offices to invite: one by one, a whole region, or all of them.

    The region and "all" boxes mean what they say on the server, so the form works without
    JavaScript; the page's script only ticks the offices to show what they cover.
    """

    invite_all = forms.BooleanField(label=gettext_lazy("Invite all offices"), required=False)
    regions = forms.MultipleChoiceField(
        label=gettext_lazy("Invite every office of a region"),
        choices=Region.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    offices = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Offices to invite"),
        queryset=Office.objects.order_by("code"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(self, *args, invited: Collection[int] = (), **kwargs):
        super().__init__(*args, **kwargs)
        # Offices invited already are not offered; ticked on a page left open in another
        # tab, they are ignored rather than refused.
        self.invited = set(invited)

    def available(self) -> list[Office]:
        return [
            office for office in self.fields["offices"].queryset if office.pk not in self.invited
        ]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("invite_all"):
            chosen = self.available()
        else:
            regions = set(cleaned.get("regions") or [])
            picked = {office.pk for office in cleaned.get("offices") or []}
            chosen = [
                office
                for office in self.available()
                if office.region in regions or office.pk in picked
            ]
        cleaned["selected_offices"] = chosen
        return cleaned

    def office_groups(self) -> list[dict]:
        """The office checkboxes by region, in the order of the regions, for the template."""
        region_boxes = {box.data["value"]: box for box in self["regions"]}
        groups: dict[str, dict] = {}
        for box in self["offices"]:
            office = box.data["value"].instance
            if office.pk in self.invited:
                continue
            group = groups.setdefault(
                office.region,
                {
                    "region": office.region,
                    "label": office.get_region_display() or _("Region not set"),
                    "region_box": region_boxes.get(office.region),
                    "offices": [],
                },
            )
            group["offices"].append({"office": office, "box": box})
        order = {value: position for position, (value, _label) in enumerate(Region.choices)}
        return [groups[key] for key in sorted(groups, key=lambda key: order.get(key, len(order)))]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        # The browser's date picker speaks ISO dates whatever the page's language.
        super().__init__(attrs, format="%Y-%m-%d")


class CycleCreateForm(OfficeChoiceForm):
    year = forms.IntegerField(label=gettext_lazy("Year"), min_value=2000, max_value=2999)
    framework = forms.ModelChoiceField(
        label=gettext_lazy("Framework version"),
        queryset=Framework.objects.filter(status=Framework.Status.ACTIVE),
        empty_label=None,
        error_messages={
            "invalid_choice": gettext_lazy("A cycle uses an active framework, not a draft.")
        },
    )
    opens_on = forms.DateField(label=gettext_lazy("Opens on"), widget=DateInput)
    closes_on = forms.DateField(label=gettext_lazy("Closes on"), widget=DateInput)

    field_order = ["year", "framework", "opens_on", "closes_on"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            today = timezone.localdate()
            latest = Cycle.objects.order_by("-year").values_list("year", flat=True).first()
            self.initial.setdefault("year", max(today.year, (latest or 0) + 1))
            self.initial.setdefault("framework", Framework.objects.current())
            self.initial.setdefault("opens_on", today)

    def clean_year(self):
        year = self.cleaned_data["year"]
        if Cycle.objects.filter(year=year).exists():
            raise forms.ValidationError(
                _(
                    "There is a %(year)s cycle already. Choose another year, or invite more "
                    "offices from the page of that cycle."
                )
                % {"year": year},
                code="duplicate",
            )
        return year

    def clean(self):
        cleaned = super().clean()
        problems = cycle_date_problems(
            cleaned.get("year"), cleaned.get("opens_on"), cleaned.get("closes_on")
        )
        for name, message in problems.items():
            self.add_error(name, message)
        return cleaned


class CycleInviteForm(OfficeChoiceForm):
    def __init__(self, *args, cycle: Cycle, **kwargs):
        invited = cycle.invitations.values_list("office_id", flat=True)
        super().__init__(*args, invited=invited, **kwargs)

    def clean(self):
        cleaned = super().clean()
        if not cleaned["selected_offices"]:
            raise forms.ValidationError(_("Choose at least one office to invite."))
        return cleaned
