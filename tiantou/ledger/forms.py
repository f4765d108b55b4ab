"""Forms of the activity ledger: shape and choices limited to the user's scope; services save."""

import datetime
import uuid
from typing import cast

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tiantou.accounts.permissions import has_perm
from tiantou.core.forms import BootstrapForm, bootstrap
from tiantou.people.choices import PostingStatus
from tiantou.people.models import Posting
from tiantou.regions import selectors as region_selectors
from tiantou.regions.choices import Level
from tiantou.regions.forms import RegionChoiceField
from tiantou.regions.models import Organisation, Region

from . import evidence
from .choices import MEASURES
from .models import ActivityType, Technology

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PostingChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Posting) -> str:
        return f"{obj.person.name} · {obj.title}"


def own_postings(user):
    """The active postings of the person whose login is `user`."""
    return Posting.objects.filter(person__user=user, status=PostingStatus.ACTIVE).select_related(
        "person", "host_region"
    )


class ActivityForm(BootstrapForm):
    """Record or correct an activity from a phone; measures are text the service checks."""

    uuid = forms.CharField(widget=forms.HiddenInput, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    activity_type = forms.ModelChoiceField(
        label=_("Type of activity"), queryset=ActivityType.objects.filter(is_active=True)
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    starts_on = forms.DateField(label=_("Date"), widget=DATE)
    ends_on = forms.DateField(label=_("Until (for several days)"), widget=DATE, required=False)
    region = RegionChoiceField(label=_("Place"), queryset=Region.objects.none())
    posting = PostingChoiceField(
        label=_("Organised by (cadre)"), queryset=Posting.objects.none(), required=False
    )
    organisation = forms.ModelChoiceField(
        label=_("Organised by (unit)"), queryset=Organisation.objects.none(), required=False
    )
    technologies = forms.ModelMultipleChoiceField(
        label=_("Technologies and varieties"),
        queryset=Technology.objects.filter(is_active=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    photo = forms.FileField(
        label=_("Photo"),
        required=False,
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/jpeg,image/png", "capture": "environment"}
        ),
    )
    latitude = forms.CharField(widget=forms.HiddenInput, required=False)
    longitude = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, user, activity=None, **kwargs):
        self.user = user
        self.activity = activity
        initial = kwargs.setdefault("initial", {})
        own = list(own_postings(user))
        if activity is None:
            initial.setdefault("uuid", str(uuid.uuid4()))
            initial.setdefault("starts_on", timezone.localdate())
            if own:
                initial.setdefault("posting", own[0].pk)
                initial.setdefault("region", own[0].host_region_id)
        else:
            initial |= {
                name: getattr(activity, name)
                for name in (
                    "activity_type",
                    "title",
                    "starts_on",
                    "ends_on",
                    "region",
                    "posting",
                    "organisation",
                    "description",
                    "latitude",
                    "longitude",
                    "version",
                )
            }
            initial["technologies"] = list(activity.technologies.all())
            for measure in MEASURES:
                value = getattr(activity, measure.key)
                initial[measure.key] = "" if value is None else value
        super().__init__(*args, **kwargs)
        for measure in MEASURES:
            self.fields[measure.key] = forms.CharField(
                label=f"{measure.label}（{measure.unit}）",
                required=False,
                widget=forms.TextInput(
                    attrs={"inputmode": "decimal" if measure.decimal else "numeric"}
                ),
            )
        regions = region_selectors.regions_where_allowed(
            user=user, perm="ledger.add_activity", levels=(Level.TOWNSHIP, Level.VILLAGE)
        ).select_related("parent")
        cast(forms.ModelChoiceField, self.fields["region"]).queryset = regions
        postings = Posting.objects.filter(pk__in=[p.pk for p in own])
        if has_perm(user, "ledger.confirm_activity"):
            postings = postings | Posting.objects.visible_to(user).filter(
                status=PostingStatus.ACTIVE
            )
        if activity is not None and activity.posting_id:
            postings = postings | Posting.objects.filter(pk=activity.posting_id)
        postings = postings.select_related("person").distinct()
        cast(forms.ModelChoiceField, self.fields["posting"]).queryset = postings
        organisations = Organisation.objects.visible_to(user).filter(
            Q(is_active=True) | Q(pk=getattr(activity, "organisation_id", None))
        )
        cast(forms.ModelChoiceField, self.fields["organisation"]).queryset = organisations
        bootstrap(self)
        self.fields["technologies"].widget.attrs["class"] = "form-check-input"

    def measure_fields(self):
        return [self[m.key] for m in MEASURES]

    def type_config(self) -> dict:
        """What each type records, for the script that shows only its measures."""
        return {
            str(t.pk): {
                "measures": t.measures,
                "required": t.required_measures,
                "technologies": t.records_technologies,
            }
            for t in ActivityType.objects.filter(is_active=True)
        }

    def clean_photo(self):
        photo = self.cleaned_data.get("photo")
        if photo:
            try:
                self.photo_info = evidence.inspect_image(photo)
            except forms.ValidationError as error:
                raise forms.ValidationError(error.message_dict["photo"]) from error
        return photo

    def service_fields(self) -> dict:
        """The cleaned fields as the service's keyword arguments (photo and version apart)."""
        data = dict(self.cleaned_data)
        for name in ("photo", "version", "uuid"):
            data.pop(name, None)
        return data


class ReasonForm(BootstrapForm):
    reason = forms.CharField(
        label=_("Reason"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


class PhotoForm(BootstrapForm):
    photo = forms.FileField(
        label=_("Photo"),
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/jpeg,image/png", "capture": "environment"}
        ),
    )
    latitude = forms.CharField(widget=forms.HiddenInput, required=False)
    longitude = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean_photo(self):
        photo = self.cleaned_data["photo"]
        try:
            evidence.inspect_image(photo)
        except forms.ValidationError as error:
            raise forms.ValidationError(error.message_dict["photo"]) from error
        return photo


class PartyConfirmForm(BootstrapForm):
    name = forms.CharField(label=_("Your name"), max_length=100)


class PeriodCloseForm(BootstrapForm):
    region = RegionChoiceField(label=_("Region"), queryset=Region.objects.none())
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    month = forms.IntegerField(label=_("Month"), min_value=1, max_value=12)

    def __init__(self, *args, user, **kwargs):
        last = timezone.localdate().replace(day=1) - datetime.timedelta(days=1)
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("year", last.year)
        kwargs["initial"].setdefault("month", last.month)
        super().__init__(*args, **kwargs)
        # The regions the user may close: the choices, and the page's list of closed months.
        self.regions = region_selectors.regions_where_allowed(
            user=user, perm="ledger.close_period", levels=(Level.COUNTY, Level.TOWNSHIP)
        )
        cast(forms.ModelChoiceField, self.fields["region"]).queryset = self.regions
