"""Query count and server time of the ledger list page (and the summaries) at N rows
(default 1 000 000), through the Django test client as a county admin."""

import statistics
import sys
import time

from _setup import django_with_fresh_database

django_with_fresh_database("ledger_list_queries")

from _ledger import county_with_admin, generate  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

rows = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
admin, places = county_with_admin()
started = time.perf_counter()
generate(rows, admin, places)
print(f"rows generated: {rows} in {time.perf_counter() - started:.1f} s")
settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
client = Client()
client.force_login(admin)
township = places[0].code
pages = [
    ("list", "/ledger/"),
    ("list, page 3", "/ledger/?page=3"),
    ("list, one township", f"/ledger/?township={township}"),
    ("list, title search", "/ledger/?q=%E6%B4%BB%E5%8A%A81234"),
    ("list, htmx partial", "/ledger/"),
    ("summary by township", "/ledger/summary/townships/"),
    ("summary by month", "/ledger/summary/months/"),
]
for label, url in pages:
    headers = {"HX-Request": "true"} if "htmx" in label else {}
    client.get(url, headers=headers)  # warm up
    times = []
    for _ in range(3):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(url, headers=headers)
            times.append(time.perf_counter() - started)
        assert response.status_code == 200, response.status_code
    print(f"{label:<24} {len(queries):3d} queries  {statistics.median(times) * 1000:7.0f} ms")
