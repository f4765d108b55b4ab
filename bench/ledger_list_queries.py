"""Query count and server time of the ledger list page and the API list (and the summaries)
at N rows (default 1 000 000), through the Django test client as a county admin and as a
township admin.

Every list counts at most `COUNT_LIMIT` rows; the query count of each line must not
depend on N (run it at two sizes to see that).
"""

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

from tiantou.accounts.models import Membership, User  # noqa: E402
from tiantou.ledger.models import ActivityType, Technology  # noqa: E402

rows = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
admin, places = county_with_admin()
township = places[0].code
officer = User.objects.create_user(username="bench-xz", password="x", name="镇")  # noqa: S106
Membership.objects.create(user=officer, role="township_admin", region=places[0])
started = time.perf_counter()
generate(rows, admin, places)
print(f"rows generated: {rows} in {time.perf_counter() - started:.1f} s")
settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
clients = {}
for user in (admin, officer):
    clients[user.username] = Client()
    clients[user.username].force_login(user)
kind = ActivityType.objects.get(key="training").pk
other_kind = ActivityType.objects.exclude(key="training").first().pk
tech = Technology.objects.get(name="水肥一体化技术").pk
search = "%E6%B4%BB%E5%8A%A81234"  # 活动1234
pages = [
    ("bench", "list", "/ledger/"),
    ("bench", "list, page 3", "/ledger/?page=3"),
    ("bench", "list, page 200", "/ledger/?page=200"),
    ("bench", "list, one township", f"/ledger/?township={township}"),
    ("bench", "list, one village", f"/ledger/?township={places[1].code}"),
    ("bench", "list, type", f"/ledger/?type={kind}"),
    ("bench", "list, type (no rows)", f"/ledger/?type={other_kind}"),
    ("bench", "list, technology", f"/ledger/?technology={tech}"),
    ("bench", "list, date range", "/ledger/?date_from=2000-01-01&date_to=2000-12-31"),
    ("bench", "list, all statuses", "/ledger/?status=all"),
    ("bench", "list, title search", f"/ledger/?q={search}"),
    ("bench", "list, htmx partial", "/ledger/"),
    ("bench-xz", "township admin list", "/ledger/"),
    ("bench-xz", "township admin, search", f"/ledger/?q={search}"),
    ("bench", "API list", "/api/v1/activities/"),
    ("bench", "API list, page 50", "/api/v1/activities/?page=50"),
    ("bench", "API, one township", f"/api/v1/activities/?township={township}"),
    ("bench", "API, title search", f"/api/v1/activities/?q={search}"),
    ("bench-xz", "API, township admin", "/api/v1/activities/"),
    ("bench", "summary by township", "/ledger/summary/townships/"),
    ("bench", "summary by month", "/ledger/summary/months/"),
]
for username, label, url in pages:
    client = clients[username]
    headers = {"HX-Request": "true"} if "htmx" in label else {}
    client.get(url, headers=headers)  # warm up
    times = []
    for _ in range(3):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(url, headers=headers)
            times.append(time.perf_counter() - started)
        assert response.status_code == 200, (url, response.status_code)
    print(f"{label:<26} {len(queries):3d} queries  {statistics.median(times) * 1000:7.0f} ms")
