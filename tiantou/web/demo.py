"""The demo data generator behind `manage.py seed_demo`.

Each app that has demo data keeps a `demo.py` with `seed(ctx)`; they run in dependency
order. Everything is written through services, deterministic for a given seed, and
idempotent: a second run adds nothing.
"""

import random
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from tiantou.accounts import services as account_services
from tiantou.accounts.models import User
from tiantou.regions.choices import Level
from tiantou.regions.models import Region

DEFAULT_COUNTY = "371321000000"  # 沂南县, 临沂市, 山东省 (seed 001 §5)
ADMIN_USERNAME = "admin"
DEMO_PASSWORD = "Tiantou-demo-2026"  # noqa: S105 (demo accounts only, printed at set-up)
SIZES = ("county", "province")


@dataclass
class DemoContext:
    """What every demo step needs: the actor, the county, randomness and a log."""

    county: Region
    actor: User
    rng: random.Random
    size: str = "county"
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


def demo_admin() -> User:
    """The deployment's administrator account used as the actor of every demo write."""
    admin = User.objects.filter(username=ADMIN_USERNAME).first()
    if admin is None:
        admin = account_services.user_bootstrap_admin(
            username=ADMIN_USERNAME, password=DEMO_PASSWORD, name=_("System administrator")
        )
    return admin


def steps():
    """The apps' demo steps, in dependency order."""
    from tiantou.accounts import demo as accounts_demo
    from tiantou.indicators import demo as indicators_demo
    from tiantou.ledger import demo as ledger_demo
    from tiantou.people import demo as people_demo
    from tiantou.regions import demo as regions_demo
    from tiantou.reports import demo as reports_demo
    from tiantou.targets import demo as targets_demo

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
    ctx = DemoContext(county=county, actor=demo_admin(), rng=random.Random(seed), size=size)
    ctx.accounts.append((ADMIN_USERNAME, _("System administrator")))
    for step in steps():
        step(ctx)
    if size == "province":
        from tiantou.web import demo_province

        demo_province.seed(ctx, province_scale, progress=progress)
    return ctx
