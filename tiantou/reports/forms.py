"""Forms of the report pages: shape only; services generate, edit and issue."""

from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from tiantou.core.forms import BootstrapForm
from tiantou.core.periods import Period

from . import kinds


class ReportNewForm(BootstrapForm):
    """Which report to write: kind, region (code) and period."""

    kind = forms.ChoiceField(label=_("Kind of report"))
    region = forms.CharField(
        label=_("Region code"),
        max_length=12,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    period = forms.CharField(
        label=_("Period"),
        max_length=24,
        help_text=_("2026 for a year, 2026-H1 for a half-year, 2026-Q3, 2026-05."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["kind"]).choices = [
            (k.key, k.name) for k in kinds.all_kinds()
        ]

    def clean_period(self) -> Period:
        try:
            return Period.parse(self.cleaned_data["period"])
        except ValueError as error:
            raise forms.ValidationError(str(error)) from error


class BlockEditForm(BootstrapForm):
    """The words of one part of the draft (a list: one item a line)."""

    text = forms.CharField(
        label=_("Text"), widget=forms.Textarea(attrs={"rows": 6}), max_length=20000
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class SettingForm(BootstrapForm):
    """A year's guiding-ideology phrase and issuing body."""

    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    guiding_ideology = forms.CharField(
        label=_("Guiding ideology"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Quoted in the opening formula: “坚持以……为指导”."),
    )
    issuer = forms.CharField(
        label=_("Issued by"),
        required=False,
        max_length=100,
        help_text=_("e.g. 沂南县科学技术局; by default the region's name followed by 科技局."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
