"""The main menu: each entry shows only to users holding its permission."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from tiantou.accounts.permissions import has_perm


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    icon: str
    perm: str | None = None


NAV_ITEMS = [
    NavItem(_("Overview"), "web:dashboard", "speedometer2"),
    NavItem(_("Regions"), "regions:region_list", "geo-alt", "regions.view_region"),
    NavItem(
        _("Organisations"), "regions:organisation_list", "buildings", "regions.view_organisation"
    ),
    NavItem(_("Users"), "accounts:user_list", "people", "accounts.manage_users"),
]


def menu_for(user, current_path: str) -> list[dict]:
    """The menu entries this user may see, with the active one marked."""
    items = [
        {"label": item.label, "url": reverse(item.url_name), "icon": item.icon, "active": False}
        for item in NAV_ITEMS
        if not item.perm or has_perm(user, item.perm)
    ]
    # The entry with the longest URL that starts the path is the active one.
    matches = [i for i in items if current_path == i["url"] or current_path.startswith(i["url"])]
    if matches:
        max(matches, key=lambda i: len(i["url"]))["active"] = True
    return items
