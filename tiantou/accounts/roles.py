"""Roles and the Django permissions each one grants inside its scope.

A user holds roles through memberships; a membership grants its role's permissions
inside one region subtree or one organisation. Permission names are Django's
(`app_label.codename`), so the admin and `has_perm` speak the same language.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    COUNTY_ADMIN = "county_admin", _("county S&T admin")
    ORG_DEPT = "org_dept", _("organisation department")
    SCIENCE_ASSOCIATION = "sci_assoc", _("science association")
    TOWNSHIP_ADMIN = "township_admin", _("township admin")
    CADRE = "cadre", _("dispatched cadre")
    HOME_UNIT = "home_unit", _("home unit")
    ENTERPRISE = "enterprise", _("enterprise filer")
    VIEWER = "viewer", _("viewer")


VIEW = {
    "regions.view_region",
    "regions.view_organisation",
}
READ_AUDIT = {"core.view_auditentry"}
EDIT_ORGANISATIONS = {
    "regions.add_organisation",
    "regions.change_organisation",
    "regions.import_organisation",
}
EDIT_VILLAGES = {"regions.add_region", "regions.change_region", "regions.import_region"}
MANAGE_USERS = {"accounts.manage_users"}
VIEW_PEOPLE = {
    "people.view_person",
    "people.view_posting",
    "people.view_programme",
    "people.view_batch",
    "people.view_application",
}
SEE_ID_NUMBERS = {"people.view_id_number"}
EDIT_PEOPLE = {"people.add_person", "people.change_person", "people.import_person"}
MANAGE_POSTINGS = {"people.add_posting", "people.change_posting", "people.recall_posting"}
RUN_SELECTION = {"people.manage_programme", "people.manage_batch", "people.add_score"}
ALL_PEOPLE = VIEW_PEOPLE | SEE_ID_NUMBERS | EDIT_PEOPLE | MANAGE_POSTINGS | RUN_SELECTION
VIEW_LEDGER = {
    "ledger.view_activity",
    "ledger.view_workreport",
    "ledger.view_spotcheckdraw",
    "ledger.view_trainingrecord",
}
# Discipline cases are personnel matters: the organisation department, the county S&T
# admin and (for its own people) the home unit see them; viewers, the science
# association, townships and cadres do not, whatever else of the ledger they read.
VIEW_DISCIPLINE = {"ledger.view_disciplinecase"}
ENTER_ACTIVITIES = {"ledger.add_activity", "ledger.change_activity"}
CONFIRM_ACTIVITIES = {"ledger.confirm_activity", "ledger.import_activity"}
ADMINISTER_LEDGER = {"ledger.reopen_activity", "ledger.close_period"}
READ_REPORTS = {"ledger.read_workreport"}
OVERSEE_CADRES = READ_REPORTS | {
    "ledger.draw_spotcheck",
    "ledger.manage_discipline",
    "ledger.add_trainingrecord",
}
ALL_LEDGER = (
    VIEW_LEDGER
    | VIEW_DISCIPLINE
    | ENTER_ACTIVITIES
    | CONFIRM_ACTIVITIES
    | ADMINISTER_LEDGER
    | OVERSEE_CADRES
)
VIEW_INDICATORS = {
    "indicators.view_indicators",
    "indicators.view_externalfigure",
    "targets.view_targetsheet",
    "targets.view_scorescheme",
}
ENTER_FIGURES = {"indicators.add_externalfigure", "indicators.change_externalfigure"}
CONFIRM_FIGURES = {"indicators.confirm_externalfigure"}
MANAGE_TARGETS = {"targets.add_targetsheet", "targets.change_targetsheet"}
MANAGE_SCORECARDS = {"targets.add_scorescheme", "targets.change_scorescheme"}
ALL_INDICATORS = (
    VIEW_INDICATORS | ENTER_FIGURES | CONFIRM_FIGURES | MANAGE_TARGETS | MANAGE_SCORECARDS
)
VIEW_REPORTS = {"reports.view_report"}
WRITE_REPORTS = {"reports.add_report", "reports.change_report", "reports.issue_report"}

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.COUNTY_ADMIN: frozenset(
        VIEW
        | READ_AUDIT
        | EDIT_ORGANISATIONS
        | EDIT_VILLAGES
        | MANAGE_USERS
        | ALL_PEOPLE
        | ALL_LEDGER
        | ALL_INDICATORS
        | VIEW_REPORTS
        | WRITE_REPORTS
    ),
    Role.ORG_DEPT: frozenset(
        VIEW
        | READ_AUDIT
        | EDIT_ORGANISATIONS
        | ALL_PEOPLE
        | VIEW_LEDGER
        | VIEW_DISCIPLINE
        | OVERSEE_CADRES
        | VIEW_INDICATORS
        | VIEW_REPORTS
        | WRITE_REPORTS
    ),
    Role.SCIENCE_ASSOCIATION: frozenset(
        VIEW
        | READ_AUDIT
        | EDIT_ORGANISATIONS
        | VIEW_PEOPLE
        | VIEW_LEDGER
        | ENTER_ACTIVITIES
        | VIEW_INDICATORS
        | ENTER_FIGURES
        | VIEW_REPORTS
        | WRITE_REPORTS
    ),
    Role.TOWNSHIP_ADMIN: frozenset(
        VIEW
        | READ_AUDIT
        | EDIT_ORGANISATIONS
        | EDIT_VILLAGES
        | MANAGE_USERS
        | VIEW_PEOPLE
        | VIEW_LEDGER
        | ENTER_ACTIVITIES
        | CONFIRM_ACTIVITIES
        | READ_REPORTS
        | VIEW_INDICATORS
        | ENTER_FIGURES
        | MANAGE_TARGETS
        | VIEW_REPORTS
    ),
    Role.CADRE: frozenset(
        VIEW
        | {"people.view_posting", "people.view_programme"}
        | {"ledger.view_activity", "ledger.view_workreport"}
        | ENTER_ACTIVITIES
    ),
    Role.HOME_UNIT: frozenset(
        {"regions.view_organisation"} | VIEW_PEOPLE | VIEW_LEDGER | VIEW_DISCIPLINE | READ_REPORTS
    ),
    Role.ENTERPRISE: frozenset({"regions.view_organisation", "regions.change_organisation"}),
    Role.VIEWER: frozenset(VIEW | VIEW_PEOPLE | VIEW_LEDGER | VIEW_INDICATORS | VIEW_REPORTS),
}

# Roles held on an organisation rather than on a region subtree.
ORGANISATION_ROLES = frozenset({Role.HOME_UNIT, Role.ENTERPRISE})

# Region levels (1 province … 5 village) at which a region role may be held. A county
# body's role sits on a county, or higher in a city or province deployment; a township
# admin on a township. Roles not listed may be held at any level.
COUNTY_BODY_LEVELS = frozenset({1, 2, 3})
ROLE_REGION_LEVELS: dict[str, frozenset[int]] = {
    Role.COUNTY_ADMIN: COUNTY_BODY_LEVELS,
    Role.ORG_DEPT: COUNTY_BODY_LEVELS,
    Role.SCIENCE_ASSOCIATION: COUNTY_BODY_LEVELS,
    Role.TOWNSHIP_ADMIN: frozenset({4}),
}


def role_fits_level(role: str, level: int) -> bool:
    """Whether a region role may be held on a region of this level."""
    allowed = ROLE_REGION_LEVELS.get(role)
    return allowed is None or level in allowed
