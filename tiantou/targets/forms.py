"""Forms of the target pages: shape and choices limited to the user's scope and the
sheet's region; the services in `services.py` check the rules and save."""

from typing import cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tiantou.core.forms import BootstrapForm, bootstrap
from tiantou.indicators import registry
from tiantou.regions import selectors as region_selectors
from tiantou.regions.choices import Level
from tiantou.regions.forms import RegionChoiceField
from tiantou.regions.models import Organisation, Region

from . import selectors, services
from .choices import TargetKind
from .models import TargetSheet

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def number_field(label, *, help_text="") -> forms.DecimalField:
    """An optional number ≥ 0 with two decimals, as the models store it."""
    return forms.DecimalField(
        label=label,
        required=False,
        max_digits=18,
        decimal_places=2,
        min_value=0,
        help_text=help_text,
    )


EXTRA_ORGANISATION_ROWS = 3


class SheetForm(BootstrapForm):
    """A sheet's region (when created), year, title and note."""

    region = RegionChoiceField(label=_("Region"), queryset=Region.objects.none())
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    title = forms.CharField(label=_("Title"), max_length=100)
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, user, sheet: TargetSheet | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if sheet is not None:
            del self.fields["region"]
            return
        cast(
            forms.ModelChoiceField, self.fields["region"]
        ).queryset = region_selectors.regions_where_allowed(
            user=user,
            perm=services.ADD_PERM,
            levels=(Level.PROVINCE, Level.CITY, Level.COUNTY, Level.TOWNSHIP),
        ).order_by("code")
        self.fields["year"].initial = timezone.localdate().year


class OrganisationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Organisation) -> str:
        return f"{obj.name}（{obj.region.name}）"


class OrganisationsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Organisation) -> str:
        return f"{obj.name}（{obj.region.name}）"


class ItemForm(BootstrapForm):
    """One target: what it is, what measures it, how it reads, who answers for it."""

    name = forms.CharField(label=_("Target"), max_length=200)
    indicator = forms.ChoiceField(
        label=_("Measured by"),
        required=False,
        help_text=_("Leave empty for a qualitative target (no figure measures it)."),
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=TargetKind.choices)
    value = number_field(_("Target value"))
    value_max = number_field(_("Upper bound"), help_text=_("Only for a range, e.g. 3 for 2-3."))
    stretch_value = number_field(_("Stretch value (力争)"))
    unit = forms.CharField(
        label=_("Unit"),
        max_length=10,
        required=False,
        help_text=_("Leave empty for the indicator's unit."),
    )
    lead_unit = OrganisationChoiceField(
        label=_("Lead unit"), queryset=Organisation.objects.none(), required=False
    )
    responsible_units = OrganisationsField(
        label=_("Responsible units"),
        queryset=Organisation.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    responsible_person = forms.CharField(
        label=_("Responsible person"), max_length=50, required=False
    )
    deadline = forms.DateField(label=_("Deadline"), required=False, widget=DATE)
    order = forms.IntegerField(label=_("Order"), required=False, min_value=0, max_value=32767)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, sheet: TargetSheet, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["indicator"]).choices = [
            ("", _("— qualitative —")),
            *registry.choices(),
        ]
        units = selectors.organisations_inside(sheet).order_by("region_id", "name")
        cast(forms.ModelChoiceField, self.fields["lead_unit"]).queryset = units
        cast(forms.ModelChoiceField, self.fields["responsible_units"]).queryset = units
        bootstrap(self)

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("version", None)
        data["responsible_units"] = list(data["responsible_units"])
        return data


class SplitsForm(forms.Form):
    """One row per region directly under the sheet's region (value and stretch value),
    and rows naming organisations; an empty value leaves the receiver out."""

    def __init__(self, *args, item, regions: list[Region], organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.regions = regions
        self.fields["version"] = forms.IntegerField(widget=forms.HiddenInput, required=False)
        initial = {"version": item.version}
        existing = list(item.splits.all())
        by_region = {s.region_id: s for s in existing if s.region_id}
        for region in regions:
            self.fields[f"r{region.code}"] = number_field(region.name)
            self.fields[f"r{region.code}_stretch"] = number_field(_("Stretch value"))
            if region.code in by_region:
                initial[f"r{region.code}"] = by_region[region.code].value
                initial[f"r{region.code}_stretch"] = by_region[region.code].stretch_value
        org_splits = [s for s in existing if s.organisation_id]
        self.organisation_rows = len(org_splits) + EXTRA_ORGANISATION_ROWS
        for n in range(self.organisation_rows):
            self.fields[f"o{n}"] = OrganisationChoiceField(
                label=_("Unit"), queryset=organisations, required=False
            )
            self.fields[f"o{n}_value"] = number_field(_("Share"))
            self.fields[f"o{n}_stretch"] = number_field(_("Stretch value"))
            if n < len(org_splits):
                initial[f"o{n}"] = org_splits[n].organisation_id
                initial[f"o{n}_value"] = org_splits[n].value
                initial[f"o{n}_stretch"] = org_splits[n].stretch_value
        if not self.is_bound:
            self.initial = initial
        bootstrap(self, "sm")

    def region_rows(self):
        """(region, value field, stretch field) for the template."""
        return [
            (region, self[f"r{region.code}"], self[f"r{region.code}_stretch"])
            for region in self.regions
        ]

    def org_rows(self):
        return [
            (self[f"o{n}"], self[f"o{n}_value"], self[f"o{n}_stretch"])
            for n in range(self.organisation_rows)
        ]

    def clean(self):
        data = super().clean() or {}
        for n in range(self.organisation_rows):
            has_unit = data.get(f"o{n}") is not None
            has_value = data.get(f"o{n}_value") is not None
            if has_unit and not has_value:
                self.add_error(f"o{n}_value", _("Enter the unit's share."))
            elif has_value and not has_unit:
                self.add_error(f"o{n}", _("Choose the unit taking this share."))
        return data

    def splits(self) -> list[tuple]:
        """The (receiver, value, stretch value) rows filled in."""
        data = self.cleaned_data
        rows: list[tuple] = []
        for region in self.regions:
            value = data.get(f"r{region.code}")
            stretch = data.get(f"r{region.code}_stretch")
            if value is not None:
                rows.append((region, value, stretch))
            elif stretch is not None:
                rows.append((region, None, stretch))  # the service names the missing share
        for n in range(self.organisation_rows):
            organisation = data.get(f"o{n}")
            if organisation is not None:
                rows.append((organisation, data.get(f"o{n}_value"), data.get(f"o{n}_stretch")))
        return rows


class SignForm(BootstrapForm):
    """The date a receiver's responsibility letter was signed."""

    signed_on = forms.DateField(label=_("Signed on"), widget=DATE)
