"""Filters of the audit log, shared by the audit page and its Excel export."""

import django_filters
from django import forms
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from . import selectors
from .forms import bootstrap
from .models import AuditEntry


class ObjectTypeChoiceField(forms.ModelChoiceField):
    """A content type shown by its model's Chinese name."""

    def label_from_instance(self, obj: ContentType) -> str:
        return obj.name


class AuditEntryFilterSet(django_filters.FilterSet):
    """Date range (days, both included), who wrote, and what kind of record."""

    since = django_filters.DateFilter(
        label=_("From"), method="filter_since", widget=forms.DateInput(attrs={"type": "date"})
    )
    until = django_filters.DateFilter(
        label=_("To"), method="filter_until", widget=forms.DateInput(attrs={"type": "date"})
    )
    user = django_filters.CharFilter(label=_("User"), method="filter_user")
    object_type = django_filters.ModelChoiceFilter(
        label=_("Record type"),
        field_name="content_type",
        queryset=ContentType.objects.order_by("app_label", "model"),
    )

    class Meta:
        model = AuditEntry
        fields: list[str] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.form.fields["object_type"]
        ours = [c.label for c in apps.get_app_configs() if c.name.startswith("tiantou.")]
        self.form.fields["object_type"] = ObjectTypeChoiceField(
            queryset=ContentType.objects.filter(app_label__in=ours).order_by("app_label", "model"),
            required=False,
            label=field.label,
            empty_label=_("All"),
        )
        bootstrap(self.form, "sm")

    def filter_since(self, queryset, name, value):
        return selectors.audit_entries_between(queryset, since=value)

    def filter_until(self, queryset, name, value):
        return selectors.audit_entries_between(queryset, until=value)

    def filter_user(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(actor__username=value) | Q(actor__name=value))
