"""Filters of the person register and the roster, shared by the pages and the Excel export.

Pass the acting user as `user=` (or a `request`): choices are limited to what the user
can see, and the township filter accepts only a region in the user's scope.
"""

from collections.abc import Mapping
from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tiantou.accounts.models import User
from tiantou.core.forms import bootstrap
from tiantou.regions.filters import RegionCodeFilter

from . import selectors
from .choices import DispatchLevel, EngagementMode, PostingStatus, TitleRank
from .models import Person, Posting


def _acting_user(request: HttpRequest | None, user: User | None) -> User:
    """The user given, else the request's: the pages and the API always act for a login."""
    if user is None and request is not None and isinstance(request.user, User):
        user = request.user
    assert user is not None, "a filter needs user= or the request of a logged-in user"
    return user


YES_NO = [("", _("Any")), ("true", _("Yes")), ("false", _("No"))]


class PersonFilterSet(django_filters.FilterSet):
    """Name or phone search, specialty, title rank and home unit."""

    q = django_filters.CharFilter(
        label=_("Search"),
        method="filter_q",
        widget=forms.TextInput(attrs={"placeholder": _("Name or phone")}),
    )
    specialty = django_filters.ModelChoiceFilter(
        label=_("Specialty"), field_name="specialties", queryset=selectors.specialty_list()
    )
    title_rank = django_filters.ChoiceFilter(label=_("Title rank"), choices=TitleRank.choices)
    home_unit = django_filters.ModelChoiceFilter(
        label=_("Home unit"), queryset=Person.objects.none()
    )

    class Meta:
        model = Person
        fields = ["q", "specialty", "title_rank", "home_unit"]

    def __init__(
        self,
        data: Mapping[str, Any] | None = None,
        queryset: QuerySet[Any] | None = None,
        *,
        request: HttpRequest | None = None,
        user: User | None = None,
        prefix: str | None = None,
    ) -> None:
        super().__init__(data, queryset, request=request, prefix=prefix)
        self.user = _acting_user(request, user)
        self.filters["home_unit"].queryset = selectors.home_unit_choices(user=self.user)
        self.form.fields["home_unit"].queryset = selectors.home_unit_choices(user=self.user)
        bootstrap(self.form, size="sm")

    def filter_q(self, qs, name, value):
        value = value.strip()
        if not value:
            return qs
        return qs.filter(Q(name__icontains=value) | Q(phone__icontains=value))


class PostingFilterSet(django_filters.FilterSet):
    """The roster's filters: programme, batch, township, status, rank, specialty, home unit."""

    q = django_filters.CharFilter(
        label=_("Search"),
        method="filter_q",
        widget=forms.TextInput(attrs={"placeholder": _("Name")}),
    )
    programme = django_filters.ModelChoiceFilter(
        label=_("Programme"), queryset=Posting.objects.none()
    )
    batch = django_filters.ModelChoiceFilter(label=_("Batch"), queryset=Posting.objects.none())
    township = RegionCodeFilter(
        field_name="host_region",
        label=_("Township or village code"),
        widget=forms.TextInput(
            attrs={"placeholder": _("e.g. 371321101000"), "inputmode": "numeric"}
        ),
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=PostingStatus.choices, field_name="current_status"
    )
    current = django_filters.BooleanFilter(
        label=_("In office today"),
        method="filter_current",
        widget=forms.Select(choices=YES_NO),
    )
    dispatch_level = django_filters.ChoiceFilter(
        label=_("Dispatched by"), choices=DispatchLevel.choices
    )
    from_outside = django_filters.BooleanFilter(
        label=_("From outside the county"),
        field_name="is_from_outside_county",
        widget=forms.Select(choices=YES_NO),
    )
    mode = django_filters.ChoiceFilter(label=_("Engagement"), choices=EngagementMode.choices)
    title_rank = django_filters.ChoiceFilter(
        label=_("Title rank"), choices=TitleRank.choices, field_name="person__title_rank"
    )
    specialty = django_filters.ModelChoiceFilter(
        label=_("Specialty"),
        field_name="person__specialties",
        queryset=selectors.specialty_list(),
    )
    home_unit = django_filters.ModelChoiceFilter(
        label=_("Home unit"), field_name="person__home_unit", queryset=Posting.objects.none()
    )

    class Meta:
        model = Posting
        fields = [
            "q",
            "programme",
            "batch",
            "township",
            "status",
            "current",
            "dispatch_level",
            "from_outside",
            "mode",
            "title_rank",
            "specialty",
            "home_unit",
        ]

    def __init__(
        self,
        data: Mapping[str, Any] | None = None,
        queryset: QuerySet[Any] | None = None,
        *,
        request: HttpRequest | None = None,
        user: User | None = None,
        prefix: str | None = None,
    ) -> None:
        super().__init__(data, queryset, request=request, prefix=prefix)
        self.user = _acting_user(request, user)
        choices = {
            "programme": selectors.programme_list(user=self.user),
            "batch": selectors.batch_choices(user=self.user),
            "home_unit": selectors.home_unit_choices(user=self.user),
        }
        for name, queryset in choices.items():
            self.filters[name].queryset = queryset
            self.form.fields[name].queryset = queryset
        self.form.fields["township"].user = self.user
        bootstrap(self.form, size="sm")

    def filter_q(self, qs, name, value):
        value = value.strip()
        return qs.filter(person__name__icontains=value) if value else qs

    def filter_current(self, qs, name, value):
        if value is None:
            return qs
        current = Posting.objects.current(timezone.localdate()).values("pk")
        return qs.filter(pk__in=current) if value else qs.exclude(pk__in=current)
