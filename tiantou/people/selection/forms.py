"""Forms of the selection pages: shape and choices only; the selection services save."""

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from tiantou.accounts.models import User
from tiantou.core.forms import BootstrapForm, bootstrap
from tiantou.regions.choices import Level
from tiantou.regions.models import Organisation, Region

from ..choices import ApplicationStatus
from ..models import Batch, Person, Programme
from . import selectors


class PlaceChoiceField(forms.ModelChoiceField):
    """A township, or a village shown with its township."""

    def label_from_instance(self, obj: Region) -> str:
        if obj.level == Level.VILLAGE and obj.parent is not None:
            return f"{obj.parent.name} · {obj.name}"
        return obj.name


class UserChoiceField(forms.ModelMultipleChoiceField):
    """Judges listed by name with their user name, so that two namesakes stay apart."""

    def label_from_instance(self, obj) -> str:
        return f"{obj.name or obj.username}（{obj.username}）"


class BatchForm(BootstrapForm):
    """A new batch: programme, year, number, term start and judges."""

    programme = forms.ModelChoiceField(label=_("Programme"), queryset=Programme.objects.none())
    year = forms.IntegerField(label=_("Year"), min_value=1980, max_value=2100)
    number = forms.IntegerField(label=_("Batch number"), min_value=1, max_value=99, initial=1)
    term_start_on = forms.DateField(
        label=_("Term starts on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    judges = UserChoiceField(
        label=_("Judges"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_("They score the competitive defence; you can be one of them."),
    )

    def __init__(self, *args, user, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("year", datetime.date.today().year)  # noqa: DTZ011
        super().__init__(*args, **kwargs)
        programmes = selectors.programmes_to_run(user=user)
        self.fields["programme"].queryset = Programme.objects.filter(  # type: ignore[attr-defined]
            pk__in=[p.pk for p in programmes]
        ).select_related("region")
        if len(programmes) == 1:
            self.fields["programme"].initial = programmes[0].pk
        self.fields["judges"].queryset = selectors.judge_candidates(user=user)  # type: ignore[attr-defined]
        bootstrap(self)


class QuotaForm(BootstrapForm):
    """One number per township of the programme's region."""

    def __init__(self, *args, batch: Batch, rows: list[dict], **kwargs):
        super().__init__(*args, **kwargs)
        self.townships = {}
        for row in rows:
            township = row["township"]
            name = f"quota_{township.code}"
            self.townships[name] = township
            self.fields[name] = forms.IntegerField(
                label=township.name,
                min_value=0,
                max_value=999,
                initial=row["quota"],
                required=False,
                widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
            )
        bootstrap(self, "sm")

    def quotas(self) -> dict[Region, int]:
        return {
            township: self.cleaned_data.get(name) or 0 for name, township in self.townships.items()
        }

    def rows(self):
        """(township, bound field) pairs for the template."""
        return [(self.townships[name], self[name]) for name in self.townships]


class ApplicationForm(BootstrapForm):
    """Enter an applicant: the person, the recommending unit and the township they prefer."""

    person = forms.ModelChoiceField(label=_("Person"), queryset=Person.objects.none())
    recommended_by = forms.ModelChoiceField(
        label=_("Recommended by"),
        queryset=Organisation.objects.none(),
        required=False,
        empty_label=_("— applied in person —"),
    )
    preferred_region = PlaceChoiceField(
        label=_("Preferred township"),
        queryset=Region.objects.none(),
        required=False,
    )

    def __init__(self, *args, user, batch: Batch, **kwargs):
        super().__init__(*args, **kwargs)
        taken = batch.applications.values("person_id")
        self.fields["person"].queryset = selectors.people_to_apply(user=user).exclude(  # type: ignore[attr-defined]
            pk__in=taken
        )
        self.fields["person"].label_from_instance = self._person_label  # type: ignore[attr-defined]
        self.fields["recommended_by"].queryset = selectors.units_to_recommend(user=user)  # type: ignore[attr-defined]
        region = batch.programme.region
        self.fields["preferred_region"].queryset = Region.objects.filter(  # type: ignore[attr-defined]
            level=Level.TOWNSHIP, code__range=region.subtree, is_active=True
        ).order_by("code")
        bootstrap(self)

    @staticmethod
    def _person_label(person) -> str:
        parts = [person.name, person.title, person.home_unit.name if person.home_unit else ""]
        return " · ".join(p for p in parts if p)


DECISION_CHOICES = [
    (ApplicationStatus.SELECTED.value, ApplicationStatus.SELECTED.label),
    (ApplicationStatus.WAITING.value, ApplicationStatus.WAITING.label),
    (ApplicationStatus.NOT_SELECTED.value, ApplicationStatus.NOT_SELECTED.label),
    (ApplicationStatus.APPLIED.value, _("undecided")),
]


class DecisionForm(forms.Form):
    """One candidate's decision: status, the place they go and, over the quota, why."""

    status = forms.ChoiceField(label=_("Decision"), choices=DECISION_CHOICES)
    allocated_region = PlaceChoiceField(
        label=_("Allocated to"),
        queryset=Region.objects.none(),
        required=False,
    )
    override_reason = forms.CharField(
        label=_("Reason for exceeding the quota"), max_length=500, required=False
    )

    def __init__(self, *args, batch: Batch, **kwargs):
        super().__init__(*args, **kwargs)
        # Parsing only: the applicants table renders its own controls from one list of places.
        region = batch.programme.region
        self.fields["allocated_region"].queryset = Region.objects.filter(  # type: ignore[attr-defined]
            level__in=(Level.TOWNSHIP, Level.VILLAGE), code__range=region.subtree, is_active=True
        ).select_related("parent")


class ScoreForm(forms.Form):
    """A judge's score of one candidate (0–100) and an optional comment."""

    score = forms.DecimalField(
        label=_("Score"),
        min_value=0,
        max_value=100,
        max_digits=5,
        decimal_places=2,
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01"}),
    )
    comment = forms.CharField(label=_("Comment"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap(self, "sm")
