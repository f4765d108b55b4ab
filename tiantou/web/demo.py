"""The demo data generator behind `manage.py seed_demo`.

Each app that has demo data keeps a `demo.py` with `seed(ctx)`; they run in dependency
order. Everything is written through services, deterministic for a given seed, and
idempotent: a second run adds nothing.
"""

import random
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext as _

from tiantou.accounts import demo as accounts_demo
from tiantou.accounts import services as account_services
from tiantou.accounts.models import User
from tiantou.indicators import demo as indicators_demo
from tiantou.ledger import demo as ledger_demo
from tiantou.people import demo as people_demo
from tiantou.regions import demo as regions_demo
from tiantou.regions.choices import Level
from tiantou.regions.models import Region
from tiantou.reports import demo as reports_demo
from tiantou.targets import demo as targets_demo
from tiantou.web import demo_province

DEFAULT_COUNTY = "371321000000"  # 沂南县, 临沂市, 山东省 (seed 001 §5)
ADMIN_USERNAME = "admin"
# The demo accounts' password, printed at set-up (made in the accounts' demo step).
DEMO_PASSWORD = accounts_demo.DEMO_PASSWORD
SIZES = ("county", "province")


@dataclass
class DemoContext:
    """What every demo step needs: the actor, the county, randomness and a log."""

    county: Region
    actor: User
    rng: random.Random
    size: str = "county"
    # The administrator's password when this run made the account, to be shown once.
    admin_password: str = ""
    log: list[str] = field(default_factory=list)
    accounts: list[tuple[str, str]] = field(default_factory=list)

    @property
    def townships(self) -> list[Region]:
        low, high = self.county.subtree
        return list(
            Region.objects.filter(code__range=(low, high), level=Level.TOWNSHIP, is_active=True)
        )

    def other_counties(self, limit: int) -> list[Region]:
        """Further counties of the same province, for the province tier."""
        low, high = Region.objects.get(code=self.county.code[:2].ljust(12, "0")).subtree
        return list(
            Region.objects.filter(code__range=(low, high), level=Level.COUNTY)
            .exclude(code=self.county.code)
            .order_by("code")[:limit]
        )


def demo_allowed(*, force: bool = False) -> bool:
    """Whether demo data may be written here: on demo and test settings, or when forced.

    Production settings refuse it: demo accounts share a published password.
    """
    return force or settings.TIANTOU_DEMO_DATA_ALLOWED


def demo_admin() -> tuple[User, str]:
    """The administrator account used as the actor of every demo write, and its password
    when this call made it ("" otherwise).

    Never a known password: a superuser made here gets a random one, shown once, and is
    marked as demo data like every other demo account.
    """
    admin = User.objects.filter(username=ADMIN_USERNAME).first()
    if admin is not None:
        return admin, ""
    password = secrets.token_urlsafe(12)
    admin = account_services.user_bootstrap_admin(
        username=ADMIN_USERNAME, password=password, name=_("System administrator"), is_demo=True
    )
    return admin, password


def steps():
    """The apps' demo steps, in dependency order."""
    return [
        regions_demo.seed,
        accounts_demo.seed,
        people_demo.seed,
        ledger_demo.seed,
        indicators_demo.seed,
        targets_demo.seed,
        reports_demo.seed,
    ]


def seed(
    *,
    county_code: str = DEFAULT_COUNTY,
    seed: int = 2026,
    size: str = "county",
    progress: Callable[[str], None] | None = None,
    province_scale=None,
):
    """Build (or complete) the demo county; returns the context with its log.

    The province tier (size "province") then adds the bulk data of 100 counties in SQL
    (`demo_province`, PostgreSQL only; `province_scale` a `demo_province.Scale`)."""
    county = Region.objects.get(code=county_code, level=Level.COUNTY)
    admin, admin_password = demo_admin()
    ctx = DemoContext(
        county=county,
        actor=admin,
        rng=random.Random(seed),
        size=size,
        admin_password=admin_password,
    )
    for step in steps():
        step(ctx)
    if size == "province":
        demo_province.seed(ctx, province_scale, progress=progress)
    return ctx
