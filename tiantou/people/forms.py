"""Forms of the person register, programmes and postings: shape and choices; services save."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tiantou.core.forms import BootstrapForm, bootstrap
from tiantou.regions import selectors as region_selectors
from tiantou.regions.choices import Level
from tiantou.regions.forms import RegionChoiceField
from tiantou.regions.models import Region

from . import selectors, services
from .choices import (
    DispatchLevel,
    Education,
    EngagementMode,
    Gender,
    PoliticalStatus,
    PostType,
    ProgrammeKind,
    TitleRank,
)
from .models import Person, Posting, Programme

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _blank(choices) -> list:
    return [("", "—"), *choices]


class PersonForm(forms.Form):
    """Create or edit a person; the region offers only registers where the user may add."""

    name = forms.CharField(label=_("Name"), max_length=50)
    gender = forms.ChoiceField(label=_("Gender"), choices=_blank(Gender.choices), required=False)
    birth_date = forms.DateField(label=_("Birth date"), required=False, widget=DATE)
    ethnic_group = forms.CharField(label=_("Ethnic group"), max_length=20, required=False)
    political_status = forms.ChoiceField(
        label=_("Political status"), choices=_blank(PoliticalStatus.choices), required=False
    )
    education = forms.ChoiceField(
        label=_("Education"), choices=_blank(Education.choices), required=False
    )
    title = forms.CharField(label=_("Professional title"), max_length=50, required=False)
    title_rank = forms.TypedChoiceField(
        label=_("Title rank"), choices=TitleRank.choices, coerce=int, initial=TitleRank.NONE
    )
    specialties = forms.ModelMultipleChoiceField(
        label=_("Specialties"),
        queryset=selectors.specialty_list(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)
    id_number = forms.CharField(
        label=_("ID number"),
        max_length=18,
        required=False,
        help_text=_("18 characters; the last one is a check digit or X."),
    )
    home_unit = forms.ModelChoiceField(
        label=_("Home unit"), queryset=Region.objects.none(), required=False
    )
    region = RegionChoiceField(label=_("Register of"), queryset=Region.objects.none())
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    SERVICE_FIELDS = (
        "name",
        "gender",
        "birth_date",
        "ethnic_group",
        "political_status",
        "education",
        "title",
        "title_rank",
        "specialties",
        "phone",
        "home_unit",
        "region",
    )

    def __init__(self, *args, user, person: Person | None = None, masked_id: str = "", **kwargs):
        self.person = person
        if person is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                **{f: getattr(person, f) for f in self.SERVICE_FIELDS if f != "specialties"},
                "specialties": list(person.specialties.all()),
                "version": person.version,
            }
        super().__init__(*args, **kwargs)
        self.fields["home_unit"].queryset = selectors.home_unit_choices(user=user)  # type: ignore[attr-defined]
        regions = region_selectors.regions_where_allowed(
            user=user, perm="people.add_person", levels=(Level.CITY, Level.COUNTY)
        )
        if person is not None:
            regions = regions | Region.objects.filter(pk=person.region_id)
            self.fields["version"].required = True
            if masked_id:
                self.fields["id_number"].help_text = _(
                    "Now %(masked)s. Leave blank to keep it."
                ) % {"masked": masked_id}
        self.fields["region"].queryset = regions.order_by("code")  # type: ignore[attr-defined]
        bootstrap(self)

    def service_fields(self) -> dict:
        """The cleaned values the services take; a blank ID number on edit keeps the old one."""
        fields = {f: self.cleaned_data[f] for f in self.SERVICE_FIELDS}
        id_number = self.cleaned_data["id_number"].strip()
        if id_number or self.person is None:
            fields["id_number"] = id_number
        return fields


class ProgrammeForm(BootstrapForm):
    """A programme's settings."""

    name = forms.CharField(label=_("Name"), max_length=60)
    kind = forms.ChoiceField(label=_("Kind"), choices=ProgrammeKind.choices)
    region = RegionChoiceField(label=_("Run by (region)"), queryset=Region.objects.none())
    default_term_months = forms.IntegerField(
        label=_("Default term (months)"), min_value=1, max_value=120, initial=36
    )
    treatment_grade = forms.CharField(
        label=_("Treatment grade"), max_length=30, required=False, help_text=_("e.g. 副科级")
    )
    salary_step_up = forms.BooleanField(label=_("Salary up one step"), required=False)
    monthly_subsidy = forms.DecimalField(
        label=_("Monthly subsidy (yuan)"), min_value=0, max_digits=8, decimal_places=2, initial=0
    )
    reports_per_year = forms.IntegerField(
        label=_("Work reports a year"), min_value=0, max_value=2, initial=2
    )
    training_hours_per_year = forms.IntegerField(
        label=_("Training hours guaranteed a year"), min_value=0, required=False
    )
    min_title_rank = forms.TypedChoiceField(
        label=_("Lowest professional title rank"),
        choices=TitleRank.choices,
        coerce=int,
        initial=TitleRank.NONE,
    )
    is_active = forms.BooleanField(label=_("In use"), required=False, initial=True)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    # The fields the programme services take, and only those.
    SERVICE_FIELDS = tuple(sorted(services.PROGRAMME_FIELDS))

    def __init__(self, *args, user, programme: Programme | None = None, **kwargs):
        if programme is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                **{f: getattr(programme, f) for f in self.SERVICE_FIELDS},
                "version": programme.version,
            }
        super().__init__(*args, **kwargs)
        if programme is None:
            self.fields["region"].queryset = region_selectors.regions_where_allowed(  # type: ignore[attr-defined]
                user=user,
                perm="people.manage_programme",
                levels=(Level.CITY, Level.COUNTY, Level.TOWNSHIP),
            ).order_by("code")
        else:
            del self.fields["region"]
            self.fields["version"].required = True

    def service_fields(self) -> dict:
        """The cleaned values the services take."""
        return {f: self.cleaned_data[f] for f in self.SERVICE_FIELDS}


class HostUnitField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.name}（{obj.region.name}）"


class PostingCreateForm(BootstrapForm):
    """A rolling dispatch (成熟一个，下派一个): one person to one township or village."""

    person = forms.ModelChoiceField(label=_("Person"), queryset=Person.objects.none())
    programme = forms.ModelChoiceField(label=_("Programme"), queryset=Programme.objects.none())
    host_region = RegionChoiceField(label=_("Township or village"), queryset=Region.objects.none())
    host_organisation = HostUnitField(
        label=_("Host unit"),
        queryset=Region.objects.none(),
        required=False,
        help_text=_("A base, cooperative, association or company in that township or village."),
    )
    mode = forms.ChoiceField(label=_("Engagement"), choices=EngagementMode.choices)
    post_type = forms.ChoiceField(label=_("Post type"), choices=PostType.choices)
    dispatch_level = forms.ChoiceField(
        label=_("Dispatched by"), choices=DispatchLevel.choices, initial=DispatchLevel.COUNTY
    )
    is_from_outside_county = forms.BooleanField(label=_("From outside the county"), required=False)
    starts_on = forms.DateField(label=_("Term starts on"), widget=DATE)
    ends_on = forms.DateField(
        label=_("Term ends on"),
        required=False,
        widget=DATE,
        help_text=_("Leave blank for the programme's default term."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        fields = self.fields
        fields["person"].queryset = Person.objects.visible_to(user)  # type: ignore[attr-defined]
        fields["programme"].queryset = selectors.programme_list(user=user).filter(  # type: ignore[attr-defined]
            is_active=True
        )
        fields["host_region"].queryset = region_selectors.regions_where_allowed(  # type: ignore[attr-defined]
            user=user, perm="people.add_posting", levels=(Level.TOWNSHIP, Level.VILLAGE)
        ).order_by("code")
        fields["host_organisation"].queryset = (  # type: ignore[attr-defined]
            selectors.home_unit_choices(user=user)
            .filter(region__level__in=(Level.TOWNSHIP, Level.VILLAGE))
            .select_related("region")
        )


class PostingEditForm(BootstrapForm):
    """Benefits, engagement, dispatch level, host unit and term end of a posting."""

    host_organisation = HostUnitField(
        label=_("Host unit"), queryset=Region.objects.none(), required=False
    )
    mode = forms.ChoiceField(label=_("Engagement"), choices=EngagementMode.choices)
    post_type = forms.ChoiceField(label=_("Post type"), choices=PostType.choices)
    dispatch_level = forms.ChoiceField(label=_("Dispatched by"), choices=DispatchLevel.choices)
    is_from_outside_county = forms.BooleanField(label=_("From outside the county"), required=False)
    ends_on = forms.DateField(label=_("Term ends on"), widget=DATE)
    treatment_grade = forms.CharField(label=_("Treatment grade"), max_length=30, required=False)
    salary_step_up = forms.BooleanField(label=_("Salary up one step"), required=False)
    monthly_subsidy = forms.DecimalField(
        label=_("Monthly subsidy (yuan)"), min_value=0, max_digits=8, decimal_places=2
    )
    note = forms.CharField(label=_("Reason for the change"), max_length=500, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)

    SERVICE_FIELDS = (
        "host_organisation",
        "mode",
        "post_type",
        "dispatch_level",
        "is_from_outside_county",
        "ends_on",
        "treatment_grade",
        "salary_step_up",
        "monthly_subsidy",
    )

    def __init__(self, *args, user, posting: Posting, **kwargs):
        if "initial" not in kwargs:
            kwargs["initial"] = {
                **{f: getattr(posting, f) for f in self.SERVICE_FIELDS},
                "version": posting.version,
            }
        super().__init__(*args, **kwargs)
        self.fields["host_organisation"].queryset = (  # type: ignore[attr-defined]
            selectors.home_unit_choices(user=user)
            .filter(region__code__range=posting.host_region.subtree)
            .select_related("region")
        )

    def service_fields(self) -> dict:
        """The cleaned values the services take."""
        return {f: self.cleaned_data[f] for f in self.SERVICE_FIELDS}


class ActivateForm(BootstrapForm):
    """The day the cadre took up the post (到岗)."""

    on = forms.DateField(label=_("Took up the post on"), widget=DATE)


class RecallForm(BootstrapForm):
    """Recall to the home unit (退回原单位): a reason and the day it takes effect."""

    reason = forms.CharField(
        label=_("Reason"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )
    on = forms.DateField(
        label=_("Effective on"),
        widget=DATE,
        help_text=_("The subsidy stops from this day."),
    )


class WithdrawForm(BootstrapForm):
    """Call off a planned posting, with a reason."""

    reason = forms.CharField(
        label=_("Reason"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )


class LetterForm(BootstrapForm):
    """The signed responsibility letter: date and file; targets come in a formset."""

    signed_on = forms.DateField(label=_("Signed on"), widget=DATE)
    file = forms.FileField(
        label=_("Signed letter"),
        required=False,
        help_text=_("PDF, JPEG or PNG, at most 10 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )


class TargetForm(forms.Form):
    """One yearly target of the letter; a row left without a target is skipped."""

    year = forms.IntegerField(label=_("Year"), min_value=1990, max_value=2100, required=False)
    description = forms.CharField(label=_("Target"), max_length=200, required=False)
    target_value = forms.DecimalField(
        label=_("Target value"), max_digits=12, decimal_places=2, required=False
    )
    unit = forms.CharField(label=_("Unit"), max_length=10, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap(self, "sm")

    def clean(self):
        data = super().clean() or {}
        if (data.get("description") or "").strip() and not data.get("year"):
            self.add_error("year", _("Which year is this target for?"))
        return data


TargetFormSet = forms.formset_factory(TargetForm, extra=3, max_num=30, absolute_max=60)


def today() -> datetime.date:
    """Today in the site's time zone, the default of date fields."""
    return timezone.localdate()
