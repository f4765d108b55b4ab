"""Regions and organisations in the read-only back office."""

from django.contrib import admin

from tiantou.core.admin import ReadOnlyAdmin

from .models import Organisation, Region


@admin.register(Region)
class RegionAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "level", "kind", "source", "official_status", "is_active"]
    list_filter = ["level", "kind", "source", "official_status"]
    search_fields = ["code", "name"]
    show_full_result_count = False


@admin.register(Organisation)
class OrganisationAdmin(ReadOnlyAdmin):
    list_display = ["name", "kind", "region", "credit_code", "is_active", "is_demo"]
    list_filter = ["kind", "is_active", "is_demo"]
    search_fields = ["name", "credit_code"]
    list_select_related = ["region"]
