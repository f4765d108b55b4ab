"""Filters of organisation lists, shared by the list page, the Excel export and the API.

Pass the acting user as `user=` (or a `request`): the region filter only accepts a
region inside the user's scope. The queryset given must already be `visible_to(user)`.
"""

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tiantou.accounts.scoping import scope_for
from tiantou.core import regioncodes
from tiantou.core.forms import bootstrap

from .choices import AssociationType, OrganisationKind
from .models import Organisation

ACTIVE_CHOICES = [
    ("true", _("Active only")),
    ("false", _("Deactivated only")),
    ("all", _("Active and deactivated")),
]


class RegionCodeField(forms.CharField):
    """A division code (12 digits or a shorter prefix) that must lie in the user's scope."""

    def __init__(self, *args, user=None, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return ""
        code = regioncodes.normalise(value)
        if self.user is not None and not scope_for(self.user).contains_code(code):
            raise ValidationError(
                _("Region %(code)s is outside your area of work."),
                code="out_of_scope",
                params={"code": code},
            )
        return code


class RegionCodeFilter(django_filters.CharFilter):
    """Rows whose region (the foreign key named by `field_name`) lies in the code's subtree."""

    field_class = RegionCodeField

    def filter(self, qs, value):
        if not value:
            return qs
        return qs.filter(**{f"{self.field_name}__code__range": regioncodes.subtree_range(value)})


class OrganisationFilterSet(django_filters.FilterSet):
    """Search, kind, association type, region subtree, active state and credit-code presence."""

    q = django_filters.CharFilter(
        label=_("Search"),
        method="filter_q",
        widget=forms.TextInput(attrs={"placeholder": _("Name or credit code")}),
    )
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=OrganisationKind.choices)
    association_type = django_filters.ChoiceFilter(
        label=_("Association type"),
        choices=[c for c in AssociationType.choices if c[0]],
    )
    region = RegionCodeFilter(
        label=_("Region code"),
        widget=forms.TextInput(
            attrs={"placeholder": _("e.g. 371321101000"), "inputmode": "numeric"}
        ),
    )
    is_active = django_filters.ChoiceFilter(
        label=_("Status"), choices=ACTIVE_CHOICES, method="filter_active", empty_label=None
    )
    has_credit_code = django_filters.BooleanFilter(
        label=_("Has a credit code"),
        method="filter_has_credit_code",
        widget=forms.Select(
            choices=[("", _("Any")), ("true", _("Yes")), ("false", _("No"))],
        ),
    )

    class Meta:
        model = Organisation
        fields = ["q", "kind", "association_type", "region", "is_active", "has_credit_code"]

    def __init__(self, data=None, queryset=None, *, request=None, user=None, prefix=None):
        # Always bound, so that the default (active only) applies to a bare list too.
        data = {} if data is None else data.copy()
        if not data.get("is_active"):
            data["is_active"] = "true"
        super().__init__(data, queryset, request=request, prefix=prefix)
        self.user = user if user is not None else getattr(request, "user", None)
        self.form.fields["region"].user = self.user
        bootstrap(self.form, size="sm")

    def filter_q(self, qs, name, value):
        value = value.strip()
        if not value:
            return qs
        return qs.filter(Q(name__icontains=value) | Q(credit_code__icontains=value.upper()))

    def filter_active(self, qs, name, value):
        if value == "all":
            return qs
        return qs.filter(is_active=value != "false")

    def filter_has_credit_code(self, qs, name, value):
        if value is None:
            return qs
        return qs.exclude(credit_code="") if value else qs.filter(credit_code="")
