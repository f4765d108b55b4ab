"""Users, memberships and tokens in the read-only back office (token secrets are never stored)."""

from django.contrib import admin
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from tiantou.core.admin import ReadOnlyAdmin

from .models import ApiToken, Membership, User


@admin.register(User)
class UserAdmin(ReadOnlyAdmin):
    list_display = ["username", "name", "phone", "is_active", "is_superuser", "is_demo"]
    list_filter = ["is_active", "is_superuser", "is_demo"]
    search_fields = ["username", "name", "phone"]
    exclude = ["password"]


@admin.register(Membership)
class MembershipAdmin(ReadOnlyAdmin):
    list_display = ["user", "role", "region", "organisation", "granted_by", "created_at"]
    list_filter = ["role"]
    list_select_related = ["user", "region", "organisation", "granted_by"]


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    list_display = ["user", "name", "hint", "created_at", "last_used_at", "revoked_at"]
    exclude = ["key_hash"]


# Second-factor devices hold secrets and change only through the two-factor pages (audited):
# the back office does not show django-otp's editable admins at all.
for device_model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(device_model):
        admin.site.unregister(device_model)
