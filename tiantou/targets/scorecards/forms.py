"""Forms of the scorecard pages: a scheme and its rules (a formset); choices limited to the
user's scope; the services in `services.py` check the rules and save."""

from collections.abc import Sequence
from typing import cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tiantou.core.forms import BootstrapForm, bootstrap
from tiantou.indicators import registry
from tiantou.regions import selectors as region_selectors
from tiantou.regions.choices import Level
from tiantou.regions.forms import RegionChoiceField
from tiantou.regions.models import Region

from ..models import TargetSheet
from . import selectors, services


class SheetChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: TargetSheet) -> str:
        return f"{obj.year} · {obj.region.name} · {obj.title}"


class SchemeForm(BootstrapForm):
    """A scheme's region (when created), year, name and the target sheet scored against."""

    region = RegionChoiceField(label=_("Townships of"), queryset=Region.objects.none())
    year = forms.IntegerField(
        label=_("Year"), min_value=services.MIN_YEAR, max_value=services.MAX_YEAR
    )
    name = forms.CharField(label=_("Name"), max_length=100)
    sheet = SheetChoiceField(
        label=_("Targets from"),
        queryset=TargetSheet.objects.none(),
        required=False,
        help_text=_(
            "The target sheet of the same region and year whose split gives each "
            "township's targets."
        ),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, user, with_region: bool = True, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("year", timezone.localdate().year)
        super().__init__(*args, **kwargs)
        if with_region:
            cast(
                forms.ModelChoiceField, self.fields["region"]
            ).queryset = region_selectors.regions_where_allowed(
                user=user, perm=services.ADD_PERM, levels=(Level.COUNTY, Level.TOWNSHIP)
            ).order_by("code")
        else:
            del self.fields["region"]
        cast(forms.ModelChoiceField, self.fields["sheet"]).queryset = selectors.sheets_for(
            user=user
        )
        bootstrap(self)


class RuleForm(forms.Form):
    """One line of the scheme: an indicator worth some points."""

    indicator = forms.ChoiceField(label=_("Indicator"), required=False, choices=())
    weight = forms.DecimalField(
        label=_("Points"), required=False, min_value=0, max_digits=6, decimal_places=2
    )
    cap_percent = forms.IntegerField(
        label=_("Counted up to (%)"),
        required=False,
        min_value=services.MIN_CAP,
        max_value=services.MAX_CAP,
        initial=100,
    )
    stretch_bonus = forms.DecimalField(
        label=_("Bonus for the stretch value"),
        required=False,
        min_value=0,
        max_digits=6,
        decimal_places=2,
        initial=0,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["indicator"]).choices = [("", "—"), *registry.choices()]
        bootstrap(self, "sm")

    @property
    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return not data.get("indicator")


class BaseRuleFormSet(forms.BaseFormSet):
    """The rules of a scheme; `rule_errors` holds the service's refusals of them (by line)."""

    rule_errors: Sequence[str] = ()


RuleFormSet = cast(
    type[BaseRuleFormSet],
    forms.formset_factory(
        RuleForm, formset=BaseRuleFormSet, extra=3, max_num=60, validate_max=True
    ),
)


def rules_from(formset) -> list[dict]:
    """The filled-in lines of a valid formset, in order (blank lines dropped)."""
    return [
        {
            "indicator": form.cleaned_data["indicator"],
            "weight": form.cleaned_data.get("weight"),
            "cap_percent": form.cleaned_data.get("cap_percent") or 100,
            "stretch_bonus": form.cleaned_data.get("stretch_bonus") or 0,
        }
        for form in formset
        if not form.is_blank
    ]
