"""Time `load_regions`: a first load into an empty database, a rerun, one county's villages."""

import io
import time

from _setup import django_with_fresh_database

django_with_fresh_database("load_regions")

from django.core.management import call_command  # noqa: E402

from tiantou.regions.models import Region  # noqa: E402

for label, args in (
    ("first load (provinces to townships)", []),
    ("second load (nothing to change)", []),
    ("villages of 沂南县 (371321)", ["--villages", "371321"]),
):
    started = time.perf_counter()
    call_command("load_regions", *args, stdout=io.StringIO())
    print(f"{label:<40} {time.perf_counter() - started:6.2f} s")
print(f"regions in the database: {Region.objects.count()}")
