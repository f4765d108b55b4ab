"""Forms of region and organisation pages: shape and choices only; the services save."""

from django import forms
from django.utils.translation import gettext_lazy as _

from tiantou.core.forms import BootstrapForm, bootstrap
from tiantou.core.validators import normalise_uscc

from . import selectors
from .choices import AssociationType, Level, OrganisationKind, RegionKind
from .models import Organisation, Region


class RegionChoiceField(forms.ModelChoiceField):
    """A region shown with its township, so that two villages of one name stay apart."""

    def label_from_instance(self, obj: Region) -> str:
        if obj.level == Level.VILLAGE and obj.parent is not None:
            return f"{obj.parent.name} · {obj.name}（{obj.code}）"
        return f"{obj.name}（{obj.code}）"


class OrganisationForm(forms.Form):
    """Create or edit an organisation; regions are limited to where the user may add one."""

    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=OrganisationKind.choices)
    association_type = forms.ChoiceField(
        label=_("Association type"), choices=AssociationType.choices, required=False
    )
    region = RegionChoiceField(label=_("Region"), queryset=Region.objects.none())
    credit_code = forms.CharField(
        label=_("Unified social credit code"),
        max_length=30,
        required=False,
        help_text=_("18 characters; leave empty if it has none."),
    )
    contact_person = forms.CharField(label=_("Contact person"), max_length=50, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    is_active = forms.BooleanField(label=_("Active"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, user, organisation: Organisation | None = None, **kwargs):
        if organisation is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                **{f: getattr(organisation, f) for f in self.SERVICE_FIELDS if f != "region"},
                "region": organisation.region_id,
                "version": organisation.version,
            }
        super().__init__(*args, **kwargs)
        regions = selectors.regions_where_allowed(user=user, perm="regions.add_organisation")
        if organisation is not None:
            # The current region stays selectable even where the user may not add.
            current = Region.objects.filter(pk=organisation.region_id).select_related("parent")
            regions = regions | current
        self.fields["region"].queryset = regions.order_by("code")  # type: ignore[attr-defined]
        if organisation is None:
            del self.fields["is_active"]
        else:
            self.fields["version"].required = True
        bootstrap(self)

    SERVICE_FIELDS = (
        "name",
        "kind",
        "association_type",
        "region",
        "credit_code",
        "contact_person",
        "phone",
        "address",
        "notes",
        "is_active",
    )

    def clean_credit_code(self) -> str:
        value = self.cleaned_data["credit_code"]
        return normalise_uscc(value) if value.strip() else ""

    def service_fields(self) -> dict:
        """The cleaned values the services take."""
        return {f: self.cleaned_data[f] for f in self.SERVICE_FIELDS if f in self.fields}


class DeactivateForm(forms.Form):
    """The reason for deactivating a record: kept in its history."""

    reason = forms.CharField(
        label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap(self)


VILLAGE_KINDS = [
    (RegionKind.VILLAGE.value, RegionKind.VILLAGE.label),
    (RegionKind.COMMUNITY.value, RegionKind.COMMUNITY.label),
]


class VillageForm(BootstrapForm):
    """A new village or community under a township."""

    name = forms.CharField(label=_("Name"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=VILLAGE_KINDS)
    code = forms.CharField(
        label=_("Division code"),
        max_length=20,
        required=False,
        help_text=_("12 digits; leave blank to take the next free code."),
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )


class VillageEditForm(BootstrapForm):
    """A village's name, kind and whether it is in use; `version` detects concurrent edits."""

    name = forms.CharField(label=_("Name"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=VILLAGE_KINDS)
    is_active = forms.BooleanField(
        label=_("In use"),
        required=False,
    )
    version = forms.IntegerField(widget=forms.HiddenInput)
