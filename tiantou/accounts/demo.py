"""Demo accounts: one for each role, in the demo county and its first townships."""

from django.utils.translation import gettext as _

from tiantou.regions.choices import OrganisationKind
from tiantou.regions.models import Organisation

from . import services
from .models import User
from .roles import Role

# The demo accounts' password (never the administrator's), printed at set-up.
DEMO_PASSWORD = "Tiantou-demo-2026"  # noqa: S105


def _account(ctx, username: str, name: str, role: str, region=None, organisation=None):
    user = User.objects.filter(username=username).first()
    if user is None:
        user = services.user_create(
            actor=ctx.actor,
            username=username,
            password=DEMO_PASSWORD,
            name=name,
            is_demo=True,
        )
    services.membership_grant(
        actor=ctx.actor, user=user, role=role, region=region, organisation=organisation
    )
    ctx.accounts.append((username, f"{name} · {Role(role).label} · {region or organisation}"))
    return user


def seed(ctx) -> None:
    """A county admin, organisation department, science association, two township admins,
    a viewer, a cadre, a home unit and an enterprise filer."""
    county = ctx.county
    townships = ctx.townships
    _account(ctx, "kjj", _("Demo S&T bureau"), Role.COUNTY_ADMIN, county)
    _account(ctx, "zzb", _("Demo organisation department"), Role.ORG_DEPT, county)
    _account(ctx, "kx", _("Demo science association"), Role.SCIENCE_ASSOCIATION, county)
    _account(ctx, "leader", _("Demo county leader"), Role.VIEWER, county)
    for index, township in enumerate(townships[:2], start=1):
        _account(
            ctx, f"xz{index}", township.name + _(" S&T officer"), Role.TOWNSHIP_ADMIN, township
        )
    if townships:
        _account(ctx, "cadre", _("Demo dispatched cadre"), Role.CADRE, townships[0])
    low, high = county.subtree
    orgs = Organisation.objects.filter(region__code__range=(low, high), is_demo=True)
    home = orgs.filter(kind=OrganisationKind.DEPARTMENT, name="县农业农村局").first()
    if home:
        _account(ctx, "unit", _("Demo home unit"), Role.HOME_UNIT, organisation=home)
    firm = orgs.filter(kind=OrganisationKind.ENTERPRISE).order_by("id").first()
    if firm:
        _account(ctx, "firm", _("Demo enterprise filer"), Role.ENTERPRISE, organisation=firm)
