"""Forms of the region browser: adding and editing villages and communities."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .choices import RegionKind

VILLAGE_KINDS = [
    (RegionKind.VILLAGE.value, RegionKind.VILLAGE.label),
    (RegionKind.COMMUNITY.value, RegionKind.COMMUNITY.label),
]

TEXT = forms.TextInput(attrs={"class": "form-control"})
SELECT = forms.Select(attrs={"class": "form-select"})


class VillageForm(forms.Form):
    """A new village or community under a township."""

    name = forms.CharField(label=_("Name"), max_length=100, widget=TEXT)
    kind = forms.ChoiceField(label=_("Kind"), choices=VILLAGE_KINDS, widget=SELECT)
    code = forms.CharField(
        label=_("Division code"),
        max_length=20,
        required=False,
        help_text=_("12 digits; leave blank to take the next free code."),
        widget=forms.TextInput(attrs={"class": "form-control", "inputmode": "numeric"}),
    )


class VillageEditForm(forms.Form):
    """A village's name, kind and whether it is in use; `version` detects concurrent edits."""

    name = forms.CharField(label=_("Name"), max_length=100, widget=TEXT)
    kind = forms.ChoiceField(label=_("Kind"), choices=VILLAGE_KINDS, widget=SELECT)
    is_active = forms.BooleanField(
        label=_("In use"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: on its field when the form has it."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)
