"""Time a work-ledger workbook of N rows (default 100 000): dry run, then the real import.

Every row is fully validated (type, measures allowed for it, dates, place in scope,
technologies in the catalogue, the organising unit) and written all or nothing.
"""

import datetime
import io
import resource
import sys
import time

from _setup import django_with_fresh_database

django_with_fresh_database("import_activities")

from _ledger import a_year_ago, county_with_admin  # noqa: E402
from openpyxl import Workbook  # noqa: E402

from tiantou.core.models import AuditEntry  # noqa: E402
from tiantou.ledger.importers import ACTIVITY_COLUMNS, ActivityImporter  # noqa: E402
from tiantou.ledger.models import Activity  # noqa: E402
from tiantou.regions.services import organisation_create  # noqa: E402

rows = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
admin, places = county_with_admin()
unit = organisation_create(
    actor=admin, name="县农业技术推广中心", kind="department", region=places[0].parent
)
keys = [c.key for c in ACTIVITY_COLUMNS]
# (type, measures) pairs that each type records.
SHAPES = [
    ("科技培训", {"participants": 60, "experts": 2, "materials": 120}, "水肥一体化技术"),
    ("技术推广", {"participants": 30, "area_mu": "150.5", "output_value": "240000"}, "济麦22"),
    ("科技咨询", {"consultations": 300, "experts": 5, "materials": 400}, ""),
    ("科普展览", {"participants": 800, "boards": 20, "materials": 500}, ""),
]
start = a_year_ago()

started = time.perf_counter()
workbook = Workbook(write_only=True)
sheet = workbook.create_sheet()
sheet.append([str(c.label) for c in ACTIVITY_COLUMNS])
for n in range(rows):
    kind, measures, tech = SHAPES[n % len(SHAPES)]
    values = {
        "activity_type": kind,
        "title": f"基准活动{n}",
        "region": places[n % len(places)].code,
        "starts_on": start + datetime.timedelta(days=n % 365),
        "technologies": tech,
        "organisation": unit.name,
        "description": "基准测试数据",
        **measures,
    }
    sheet.append([values.get(k) for k in keys])
buffer = io.BytesIO()
workbook.save(buffer)
data = buffer.getvalue()
print(
    f"rows: {rows}, file: {len(data) / 1e6:.1f} MB, built in {time.perf_counter() - started:.1f} s"
)

for label, dry_run in (("dry run (validate only)", True), ("import (all rows)", False)):
    started = time.perf_counter()
    result = ActivityImporter(actor=admin).run(io.BytesIO(data), dry_run=dry_run)
    assert result.ok, [str(e) for e in result.errors[:3]]
    print(f"{label:<28} {time.perf_counter() - started:6.2f} s")
print(f"activities: {Activity.objects.count()}, audit rows: {AuditEntry.objects.count()}")
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"peak RSS: {peak:.0f} MB")
