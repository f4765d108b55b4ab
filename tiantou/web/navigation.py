"""The main menu: each entry shows only to users holding its permission."""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from tiantou.accounts.permissions import has_perm
from tiantou.people.selectors import has_person


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    icon: str
    perm: str | None = None
    # A further test of the user, for entries that depend on more than a permission.
    condition: Callable[[object], bool] | None = None
    # Entries of one group share a drop-down menu.
    group: str | Promise = ""
    group_icon: str = ""


def _has_person(user) -> bool:
    return has_person(user)


BASE_DATA = _("Base data")
FIGURES = _("Figures and assessment")
NAV_ITEMS = [
    NavItem(_("Overview"), "web:dashboard", "speedometer2"),
    NavItem(
        _("Regions"),
        "regions:region_list",
        "geo-alt",
        "regions.view_region",
        None,
        BASE_DATA,
        "database",
    ),
    NavItem(
        _("Organisations"),
        "regions:organisation_list",
        "buildings",
        "regions.view_organisation",
        None,
        BASE_DATA,
        "database",
    ),
    NavItem(
        _("Users"),
        "accounts:user_list",
        "people",
        "accounts.manage_users",
        None,
        BASE_DATA,
        "database",
    ),
    NavItem(_("Cadres"), "people:roster", "person-badge", "people.view_posting"),
    NavItem(_("My posting"), "people:my_postings", "briefcase", condition=_has_person),
    NavItem(_("Selection"), "people:batch_list", "clipboard-check", "people.view_batch"),
    NavItem(_("Ledger"), "ledger:activity_mine", "journal-check", "ledger.view_activity"),
    NavItem(_("Oversight"), "ledger:oversight", "clipboard-pulse", "ledger.view_workreport"),
    NavItem(
        _("Indicators"),
        "indicators:overview",
        "graph-up",
        "indicators.view_indicators",
        None,
        FIGURES,
        "graph-up",
    ),
    NavItem(
        _("Targets"),
        "targets:sheet_list",
        "bullseye",
        "targets.view_targetsheet",
        None,
        FIGURES,
        "graph-up",
    ),
    NavItem(
        _("Scorecards"),
        "targets:scheme_list",
        "trophy",
        "targets.view_scorescheme",
        None,
        FIGURES,
        "graph-up",
    ),
    NavItem(
        _("Outside figures"),
        "indicators:figure_list",
        "clipboard-data",
        "indicators.view_externalfigure",
        None,
        FIGURES,
        "graph-up",
    ),
    NavItem(_("Reports"), "reports:report_list", "file-earmark-text", "reports.view_report"),
    NavItem(_("Audit log"), "core:audit_log", "shield-check", "core.view_auditentry"),
]


def menu_for(user, current_path: str) -> list[dict]:
    """The menu entries this user may see, with the active one marked."""
    visible = [
        (item, reverse(item.url_name))
        for item in NAV_ITEMS
        if (not item.perm or has_perm(user, item.perm))
        and (item.condition is None or item.condition(user))
    ]
    # The entry with the longest URL that starts the path is the active one.
    active_url = max(
        (url for _, url in visible if current_path.startswith(url)), key=len, default=""
    )
    menu: list[dict] = []
    groups: dict[str, dict] = {}
    for item, url in visible:
        entry = {"label": item.label, "url": url, "icon": item.icon, "active": url == active_url}
        if not item.group:
            menu.append(entry)
            continue
        key = str(item.group)
        if key not in groups:
            groups[key] = {"label": item.group, "icon": item.group_icon, "children": []}
            menu.append(groups[key])
        groups[key]["children"].append(entry)
    for group in groups.values():
        group["active"] = any(child["active"] for child in group["children"])
    return menu


def leaves(menu: list[dict]) -> list[dict]:
    """The menu's entries with the groups opened."""
    return [child for entry in menu for child in entry.get("children", [entry])]
