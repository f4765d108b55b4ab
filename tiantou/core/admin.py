"""The back office (Django admin) shows every table read-only: writes go through services,
so that each one is checked, validated and audited."""

from django.contrib import admin
from django.contrib.auth.models import Group
from django.db.models import Model
from django.http import HttpRequest

from .models import AuditEntry, ImportRecord

# Roles live in code (accounts.roles), not in Django's groups: hide the unused table.
admin.site.unregister(Group)


class ReadOnlyAdmin(admin.ModelAdmin):
    """A model admin that can list and show rows but never change them."""

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ["at", "actor", "action", "content_type", "object_repr", "region_code"]
    list_filter = ["action", "content_type"]
    search_fields = ["object_repr", "region_code", "note"]
    date_hierarchy = "at"


@admin.register(ImportRecord)
class ImportRecordAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "actor", "kind", "filename", "row_count", "status"]
    list_filter = ["status", "kind"]
    search_fields = ["filename", "file_sha256", "rows_sha256"]
