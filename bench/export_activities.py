"""Export N ledger rows (default 1 000 000) to .xlsx through the view's code; report time
and peak memory (RSS). Rows are generated in the database, not through Python objects."""

import resource
import sys
import time

from _setup import django_with_fresh_database

django_with_fresh_database("export_activities")

from _ledger import county_with_admin, generate  # noqa: E402

from tiantou.core.exporting import write_xlsx  # noqa: E402
from tiantou.ledger import selectors  # noqa: E402
from tiantou.ledger.filters import ActivityFilterSet  # noqa: E402
from tiantou.ledger.importers import ACTIVITY_COLUMNS, ActivityImporter  # noqa: E402


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


if __name__ == "__main__":
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    admin, places = county_with_admin()
    started = time.perf_counter()
    generate(rows, admin, places)
    print(f"rows generated: {rows} in {time.perf_counter() - started:.1f} s")
    print(f"RSS before export: {rss_mb():.0f} MB")
    filterset = ActivityFilterSet({}, queryset=selectors.activity_list(user=admin), user=admin)
    started = time.perf_counter()
    output = write_xlsx(
        ACTIVITY_COLUMNS,
        selectors.activity_export_rows(filterset.qs),
        sheet_title=ActivityImporter.sheet_title,
    )
    size = output.seek(0, 2)
    print(f"export: {time.perf_counter() - started:.1f} s, file {size / 1e6:.1f} MB")
    print(f"peak RSS: {rss_mb():.0f} MB")
