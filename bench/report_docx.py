"""The county annual 工作总结 written from the data and rendered to Word, end to end (one
engine evaluation of the kind's indicators with every township and last year, the
document, the .docx): the median of 5 runs after a warm-up, and the same for PDF.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/report_docx.py

Budget (issue 6): ≤ 3 s at the province tier on PostgreSQL. It reads `bench_indicators`,
the province tier `bench/indicators.py` builds, when that database exists and the county
371321000000 has activities there; otherwise it builds the county tier (`seed_demo`) in
a database of its own (`bench_report_docx` on PostgreSQL, a temporary file on SQLite) and
says so.
"""

import argparse
import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROVINCE_DB = "bench_indicators"
OWN_DB = "bench_report_docx"

parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
parser.add_argument("--runs", type=int, default=5)
parser.add_argument("--county", default="371321000000")
parser.add_argument("--year", type=int, default=2026)
args = parser.parse_args()

sys.path.insert(0, str(ROOT))
url = os.environ.get("DATABASE_URL", "")
tier = "county (seed_demo)"
if url.startswith("postgres"):
    import psycopg

    base = url.rsplit("/", 1)[0]
    with psycopg.connect(base + "/postgres", autocommit=True) as admin:
        names = {row[0] for row in admin.execute("SELECT datname FROM pg_database")}
    found = False
    if PROVINCE_DB in names:
        with psycopg.connect(f"{base}/{PROVINCE_DB}") as connection:
            low, high = args.county[:6] + "000000", args.county[:6] + "999999"
            try:
                found = bool(
                    connection.execute(
                        "SELECT 1 FROM ledger_activity WHERE region_id BETWEEN %s AND %s LIMIT 1",
                        [low, high],
                    ).fetchone()
                )
            except psycopg.Error:
                found = False
    if found:
        os.environ["DATABASE_URL"] = f"{base}/{PROVINCE_DB}"
        tier = "province (bench_indicators, reused)"
    else:
        if OWN_DB not in names:
            with psycopg.connect(base + "/postgres", autocommit=True) as admin:
                admin.execute(f'CREATE DATABASE "{OWN_DB}"')
        os.environ["DATABASE_URL"] = f"{base}/{OWN_DB}"
else:
    folder = tempfile.mkdtemp(prefix="tiantou-bench-")
    os.environ["DATABASE_URL"] = f"sqlite:///{folder}/bench.sqlite3"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

import django  # noqa: E402

django.setup()
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from tiantou.core.periods import Period  # noqa: E402
from tiantou.indicators.engine import Scope  # noqa: E402
from tiantou.ledger.models import Activity  # noqa: E402
from tiantou.regions.models import Region  # noqa: E402
from tiantou.reports import kinds  # noqa: E402
from tiantou.reports.render.docx import render_docx  # noqa: E402
from tiantou.reports.render.pdf import render_pdf  # noqa: E402

if not tier.startswith("province"):
    call_command("migrate", verbosity=0)
    if not Region.objects.filter(code=args.county).exists():
        call_command("load_regions", verbosity=0, stdout=io.StringIO())
    low, high = args.county[:6] + "000000", args.county[:6] + "999999"
    if not Activity.objects.filter(region_id__gte=low, region_id__lte=high).exists():
        started = time.perf_counter()
        call_command("seed_demo", county=args.county, stdout=io.StringIO())
        print(f"county tier built in {time.perf_counter() - started:.0f} s")

print(f"database: {connection.vendor} {connection.settings_dict['NAME']}, tier: {tier}")
county = Region.objects.get(code=args.county)
kind = kinds.get("county_work")
period = Period.year(args.year)
scope = Scope(region=county)
activities = Activity.objects.filter(
    region_id__gte=args.county[:6] + "000000", region_id__lte=args.county[:6] + "999999"
).count()
print(f"{county.name}: {activities} activities in its subtree")


def timed(render):
    started = time.perf_counter()
    document = kind.make(scope=scope, period=period)
    built = time.perf_counter()
    data = render(document)
    return built - started, time.perf_counter() - built, len(data), document


def run(name, render):
    timed(render)  # warm-up
    results = [timed(render) for _ in range(args.runs)]
    build = statistics.median(r[0] for r in results)
    out = statistics.median(r[1] for r in results)
    total = statistics.median(r[0] + r[1] for r in results)
    print(
        f"{name}: median {total * 1000:.0f} ms end to end "
        f"(document {build * 1000:.0f} ms, rendering {out * 1000:.0f} ms; "
        f"{results[-1][2] // 1024} KB; runs {', '.join(f'{sum(r[:2]):.2f}' for r in results)} s)"
    )
    return total, results[-1][3]


with CaptureQueriesContext(connection) as queries:
    kind.make(scope=scope, period=period)
print(f"queries to write the document: {len(queries)}")
total, document = run("county annual 工作总结 → DOCX", render_docx)
print(
    f"document: {len(document.blocks)} blocks, {len(document.figures)} figures, "
    f"{sum(1 for b in document.blocks if b.kind == 'gap')} gaps"
)
run("county annual 工作总结 → PDF", render_pdf)
budget = 3.0
print(f"budget {budget:.0f} s for DOCX: {'met' if total <= budget else 'MISSED'}")
sys.exit(0 if total <= budget else 1)
