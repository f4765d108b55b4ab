"""Time an organisation workbook of N rows (default 10 000): dry run, then the real import."""

import io
import sys
import time

from _setup import django_with_fresh_database

django_with_fresh_database("import_organisations")

from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from openpyxl import Workbook  # noqa: E402

from tiantou.accounts.models import Membership, User  # noqa: E402
from tiantou.core.validators import uscc_check_char  # noqa: E402
from tiantou.regions.choices import Level, OrganisationKind, RegionKind  # noqa: E402
from tiantou.regions.importers import ORGANISATION_COLUMNS, OrganisationImporter  # noqa: E402
from tiantou.regions.models import Region  # noqa: E402

rows = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
county = Region.objects.create(
    code="371321000000", name="沂南县", level=Level.COUNTY, kind=RegionKind.COUNTY
)
township = Region.objects.create(
    code="371321101000", name="岸堤镇", level=Level.TOWNSHIP, kind=RegionKind.TOWN, parent=county
)
admin = User.objects.create_user(username="bench", password="x")
Membership.objects.create(user=admin, role="county_admin", region=county)

workbook = Workbook(write_only=True)
sheet = workbook.create_sheet()
sheet.append([str(c.label) for c in ORGANISATION_COLUMNS])
kind = str(OrganisationKind.ENTERPRISE.label)
for n in range(rows):
    body = f"91371321MA{n:07d}"
    code = body + uscc_check_char(body)
    sheet.append([f"单位{n}", kind, None, township.code, code, "张三", "13800000000", "", None])
buffer = io.BytesIO()
workbook.save(buffer)
data = buffer.getvalue()
print(f"rows: {rows}, file: {len(data) / 1e6:.1f} MB")

for label, dry_run in (("dry run (validate only)", True), ("import (all rows)", False)):
    started = time.perf_counter()
    result = OrganisationImporter(actor=admin).run(
        SimpleUploadedFile("orgs.xlsx", data), dry_run=dry_run
    )
    assert result.ok, result.errors[:3]
    print(f"{label:<28} {time.perf_counter() - started:6.2f} s")
