"""Forms of the oversight pages: shape and choices limited to the user's scope; the
services (`services.py`) validate the rules and save."""

from typing import cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tiantou.core.forms import BootstrapForm
from tiantou.people.models import Posting
from tiantou.regions import selectors as region_selectors
from tiantou.regions.choices import Level
from tiantou.regions.forms import RegionChoiceField
from tiantou.regions.models import Region

from ..choices import RecipientKind, SpotCheckResult
from . import selectors

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TEXT = {"rows": 5}


class PostingChoiceField(forms.ModelChoiceField):
    """A posting shown as its cadre, title and township."""

    def label_from_instance(self, obj: Posting) -> str:
        return f"{obj.person.name} · {obj.title} · {obj.host_region.name}"


class WorkReportForm(BootstrapForm):
    """The four sections of a 思想和工作汇报."""

    study = forms.CharField(
        label=_("Study"), required=False, widget=forms.Textarea(attrs=TEXT), max_length=20000
    )
    work = forms.CharField(
        label=_("Work"), required=False, widget=forms.Textarea(attrs=TEXT), max_length=20000
    )
    thoughts = forms.CharField(
        label=_("Thoughts"), required=False, widget=forms.Textarea(attrs=TEXT), max_length=20000
    )
    requests = forms.CharField(
        label=_("Opinions and requests"),
        required=False,
        widget=forms.Textarea(attrs=TEXT),
        max_length=20000,
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class MarkReadForm(forms.Form):
    """Which recipient the user marks a report read for."""

    recipient = forms.ChoiceField(choices=RecipientKind.choices)


class DrawForm(BootstrapForm):
    """Where to draw and how many; a seed may be given to redo a draw in public."""

    region = RegionChoiceField(label=_("Draw in"), queryset=Region.objects.none())
    size = forms.IntegerField(label=_("How many cadres"), min_value=1, max_value=500, initial=5)
    seed = forms.IntegerField(
        label=_("Random seed"),
        required=False,
        min_value=0,
        max_value=2**63 - 1,
        help_text=_("Leave empty for a fresh random seed."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        regions = region_selectors.regions_where_allowed(
            user=user, perm="ledger.draw_spotcheck", levels=(Level.COUNTY, Level.TOWNSHIP)
        )
        cast(forms.ModelChoiceField, self.fields["region"]).queryset = regions.order_by("code")


class SpotCheckRecordForm(BootstrapForm):
    """What the inspector found."""

    result = forms.ChoiceField(
        label=_("Result"),
        choices=[c for c in SpotCheckResult.choices if c[0] != SpotCheckResult.PENDING],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required for an absence without leave: it becomes the case's reason."),
    )


class ReasonForm(BootstrapForm):
    """A reason, and for a step the step the user saw as next."""

    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))
    level = forms.IntegerField(widget=forms.HiddenInput, required=False)


class DisciplineOpenForm(BootstrapForm):
    """Open a case by hand, for a cadre in office where the user manages discipline."""

    posting = PostingChoiceField(label=_("Cadre"), queryset=Posting.objects.none())
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        postings = selectors.discipline_postings(user=user)
        cast(forms.ModelChoiceField, self.fields["posting"]).queryset = postings


class TrainingForm(BootstrapForm):
    """One training a cadre attended."""

    posting = PostingChoiceField(label=_("Cadre"), queryset=Posting.objects.none())
    attended_on = forms.DateField(label=_("Date"), widget=DATE)
    hours = forms.DecimalField(
        label=_("Hours"), min_value=0, max_value=24, max_digits=3, decimal_places=1
    )
    topic = forms.CharField(label=_("Topic"), max_length=200)
    organiser = forms.CharField(label=_("Organised by"), max_length=100, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        postings = selectors.training_postings(user=user)
        cast(forms.ModelChoiceField, self.fields["posting"]).queryset = postings
        self.fields["attended_on"].initial = timezone.localdate()
