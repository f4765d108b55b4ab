"""Build the demo county with realistic data and demo accounts."""

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from tiantou.regions.models import Region
from tiantou.web import demo, demo_province


class Command(BaseCommand):
    help = "Build a demo county (real townships and villages, synthetic units and accounts)."

    def add_arguments(self, parser):
        parser.add_argument("--county", default=demo.DEFAULT_COUNTY, help="12-digit county code")
        parser.add_argument("--seed", type=int, default=2026, help="random seed (deterministic)")
        parser.add_argument("--size", choices=demo.SIZES, default="county")
        parser.add_argument(
            "--force",
            action="store_true",
            help="write demo data even where the settings refuse it (production)",
        )

    def handle(self, *args, county, seed, size, force, **options):
        if not demo.demo_allowed(force=force):
            raise CommandError(
                _(
                    "These settings are not a demo site: seed_demo would add demo accounts "
                    "with a published password. To build a demo here all the same, run it "
                    "again with --force."
                )
            )
        if size == "province" and not demo_province.supported():
            raise CommandError(
                _(
                    "The province tier (10 million activities) needs PostgreSQL: set "
                    "DATABASE_URL=postgres://… and run again."
                )
            )
        if not Region.objects.filter(code=county).exists():
            call_command("load_regions", stdout=self.stdout)
        if not Region.objects.filter(code=county, level=3).exists():
            raise CommandError(_("%(code)s is not a county code.") % {"code": county})
        ctx = demo.seed(county_code=county, seed=seed, size=size, progress=self.stdout.write)
        for line in ctx.log:
            self.stdout.write(line)
        self.stdout.write(
            self.style.SUCCESS(_("Demo accounts (password %(pw)s):") % {"pw": demo.DEMO_PASSWORD})
        )
        for username, label in ctx.accounts:
            self.stdout.write(f"  {username:<14} {label}")
        if ctx.admin_password:
            self.stdout.write(
                self.style.WARNING(
                    _(
                        "Administrator %(user)s, password %(pw)s (shown this once; "
                        "change it with manage.py changepassword %(user)s)."
                    )
                    % {"user": demo.ADMIN_USERNAME, "pw": ctx.admin_password}
                )
            )
