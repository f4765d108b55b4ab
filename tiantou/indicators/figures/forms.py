"""Forms of the figure pages: shape and choices limited to the user's scope; the services
in `services.py` check the rules (overlaps, statuses) and save."""

from typing import cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from tiantou.core import regioncodes
from tiantou.core.forms import BootstrapForm, bootstrap
from tiantou.core.periods import Period
from tiantou.regions import selectors as region_selectors
from tiantou.regions.choices import Level
from tiantou.regions.forms import RegionChoiceField
from tiantou.regions.models import Region

from .. import selectors as indicator_selectors
from ..choices import FigureStatus
from . import services


def figure_indicator_choices() -> list[tuple[str, str]]:
    return [(i.key, f"{i.name}（{i.unit}）") for i in services.figure_indicators()]


class PeriodInput(forms.TextInput):
    """A period key typed or picked from the offered periods (the page's
    `figure_period_options.html` datalist)."""

    def __init__(self, attrs=None):
        super().__init__({"list": "period-options", "autocomplete": "off", **(attrs or {})})


class FigureForm(BootstrapForm):
    """One figure: indicator, region, period, value and source."""

    indicator = forms.ChoiceField(label=_("Indicator"), choices=())
    region = RegionChoiceField(label=_("Region"), queryset=Region.objects.none())
    period = forms.CharField(
        label=_("Period"),
        max_length=24,
        widget=PeriodInput,
        help_text=_("2026 (a year), 2026-H1 (a half-year), 2026-Q3 (a quarter) or 2026-05."),
    )
    value = forms.DecimalField(label=_("Value"), max_digits=18, decimal_places=2, min_value=0)
    source = forms.CharField(
        label=_("Source"),
        max_length=200,
        required=False,
        help_text=_("Who reported it, e.g. 县统计局."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, user, perm: str, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["indicator"]).choices = figure_indicator_choices()
        regions = region_selectors.regions_where_allowed(
            user=user, perm=perm, levels=(Level.COUNTY, Level.TOWNSHIP)
        )
        home = indicator_selectors.home_region(user)
        if home is not None:
            regions = regions.filter(code__range=regioncodes.subtree_range(home.code))
        cast(forms.ModelChoiceField, self.fields["region"]).queryset = regions.order_by("code")
        bootstrap(self)

    def clean_period(self) -> str:
        try:
            return Period.parse(self.cleaned_data["period"]).key
        except ValueError as error:
            raise ValidationError(str(error)) from None


class ReturnForm(BootstrapForm):
    """Why a figure goes back for correction."""

    reason = forms.CharField(
        label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class FigureFilterForm(forms.Form):
    """The list's filters; a value that cannot be read is shown as an error and ignored."""

    indicator = forms.ChoiceField(label=_("Indicator"), required=False, choices=())
    region = forms.CharField(label=_("Region code"), required=False, max_length=12)
    period = forms.CharField(label=_("Period"), required=False, max_length=24, widget=PeriodInput)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All statuses")), *FigureStatus.choices],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["indicator"]).choices = [
            ("", _("All indicators")),
            *figure_indicator_choices(),
        ]
        bootstrap(self, "sm")

    def clean_region(self) -> str:
        code = self.cleaned_data["region"].strip()
        return regioncodes.normalise(code) if code else ""

    def clean_period(self) -> Period | None:
        text = self.cleaned_data["period"].strip()
        if not text:
            return None
        try:
            return Period.parse(text)
        except ValueError as error:
            raise ValidationError(str(error)) from None

    def filters(self) -> dict:
        """The filters that could be read (the others are left out)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            name: data[name]
            for name in ("indicator", "region", "period", "status")
            if data.get(name) and name not in self.errors
        }


class CompletenessForm(forms.Form):
    """Which indicator and period the completeness table is for."""

    indicator = forms.ChoiceField(label=_("Indicator"), choices=())
    period = forms.CharField(label=_("Period"), max_length=24, widget=PeriodInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["indicator"]).choices = figure_indicator_choices()
        bootstrap(self, "sm")

    def clean_period(self) -> Period:
        try:
            return Period.parse(self.cleaned_data["period"])
        except ValueError as error:
            raise ValidationError(str(error)) from None
