"""The indicator engine at the province tier (100 counties, 30 000 people, 10 000 000
activities): every indicator of one county-year for all its townships, against hand-
written SQL that computes the same numbers, and the dashboard's server time.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/indicators.py
    … bench/indicators.py --reuse            # keep bench_indicators if it holds the tier
    … bench/indicators.py --activities 1000000
    … bench/indicators.py --reuse --jit-off  # the same with PostgreSQL's JIT off

Budgets (issue 5): the engine ≤ 1 s and ≤ 1.5 × the hand SQL; the dashboard < 200 ms;
query counts independent of the data's size. A mismatch between the engine's numbers and
the hand SQL's exits non-zero. PostgreSQL only (the province tier is).
"""

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NAME = "bench_indicators"
RUNS = 5

parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
parser.add_argument("--reuse", action="store_true", help="keep an existing bench database")
parser.add_argument("--activities", type=int, default=10_000_000)
parser.add_argument("--people", type=int, default=30_000)
parser.add_argument("--runs", type=int, default=RUNS)
parser.add_argument(
    "--jit-off", action="store_true", help="measure with PostgreSQL's JIT off (a proposal)"
)
args = parser.parse_args()

url = os.environ.get("DATABASE_URL", "")
if not url.startswith("postgres"):
    sys.exit("bench/indicators.py needs DATABASE_URL=postgres://… (the province tier is SQL)")
sys.path.insert(0, str(ROOT))
import psycopg  # noqa: E402

base = url.rsplit("/", 1)[0]
with psycopg.connect(base + "/postgres", autocommit=True) as admin_connection:
    found = admin_connection.execute(
        "SELECT 1 FROM pg_database WHERE datname = %s", [NAME]
    ).fetchone()
    if not (args.reuse and found):
        admin_connection.execute(f'DROP DATABASE IF EXISTS "{NAME}"')
        admin_connection.execute(f'CREATE DATABASE "{NAME}"')
os.environ["DATABASE_URL"] = f"{base}/{NAME}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
import django  # noqa: E402

django.setup()
from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from tiantou.accounts.models import User  # noqa: E402
from tiantou.core import regioncodes  # noqa: E402
from tiantou.core.periods import Period  # noqa: E402
from tiantou.indicators import engine, registry  # noqa: E402
from tiantou.indicators.engine import CHILDREN, MONTHS, Scope  # noqa: E402
from tiantou.indicators.registry import COUNT, DISTINCT, FLOW, SUM  # noqa: E402
from tiantou.people.indicators import NOT_TAKEN_UP  # noqa: E402
from tiantou.regions.models import Region  # noqa: E402
from tiantou.web import demo, demo_province  # noqa: E402

# ---------------------------------------------------------------- the data
call_command("migrate", verbosity=0)
if not Region.objects.filter(code=demo.DEFAULT_COUNTY).exists():
    call_command("load_regions", verbosity=0)
if demo_province.exists():
    print(f"database: {NAME} (reused)")
else:
    print(f"database: {NAME} (new): building the province tier")
    started = time.perf_counter()
    demo.seed(
        size="province",
        progress=print,
        province_scale=demo_province.Scale(people=args.people, activities=args.activities),
    )
    print(f"province tier built in {time.perf_counter() - started:.0f} s")
with connection.cursor() as cursor:
    cursor.execute("SELECT count(*) FROM ledger_activity")
    (activities,) = cursor.fetchone()
    cursor.execute("SELECT count(*) FROM people_person")
    (people,) = cursor.fetchone()
print(f"rows: {activities} activities, {people} people")
if args.jit_off:
    # Proposed for deployments: JIT compiling costs 30–40 ms a query here and gains nothing.
    with connection.cursor() as cursor:
        cursor.execute("SET jit = off")
    print("JIT off for this run")

county = Region.objects.get(code=demo.DEFAULT_COUNTY)
scope = Scope(region=county)
PERIOD = Period.year(2026)
TODAY = dt.date.today()
KEYS = list(registry.INDICATORS)
# The sources the hand SQL computes (one GROUP BY per table: activities, their technology
# links, postings, figures), with the filter vocabulary it understands. Indicators of other
# sources (work reports, spot checks …) are timed with the engine but not compared.
HAND_SOURCES = {
    "activities": ("activities", {"types"}),
    "cadre_activities": ("activities", {"types"}),
    "technologies": ("technologies", {"types", "kind"}),
    "cadre_technologies": ("technologies", {"types", "kind"}),
    "postings": ("postings", {"dispatch_level", "mode", "from_outside", "recalled"}),
    "programme_postings": (
        "postings",
        {"dispatch_level", "mode", "from_outside", "recalled", "programme_kind"},
    ),
    "figures": ("figures", set()),
}


def covered(indicator) -> bool:
    if indicator.is_derived:
        return covered(registry.get(indicator.numerator)) and covered(
            registry.get(indicator.denominator)
        )
    known = HAND_SOURCES.get(indicator.source)
    return known is not None and set(indicator.where) <= known[1]


CORE = [key for key in KEYS if covered(registry.get(key))]


def of_table(table: str) -> list:
    return [
        i
        for i in registry.INDICATORS.values()
        if not i.is_derived and i.key in CORE and HAND_SOURCES[i.source][0] == table
    ]


def median_time(run, runs=args.runs):
    """Median seconds of `runs` calls after one warm-up, and the queries of the last."""
    result = run()
    times = []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            result = run()
            times.append(time.perf_counter() - started)
    return statistics.median(times), len(queries), result


# ---------------------------------------------------------------- the hand SQL
# One GROUP BY per source table, written as one would by hand: the record sources group
# by (year, township) or (year, month) with GROUPING SETS for the totals; postings and
# figures, whose windows are not a grouping of one date, take a FILTER per window.
TYPE_IDS = dict(connection.cursor().execute("SELECT key, id FROM ledger_activitytype").fetchall())
LOW, HIGH = regioncodes.subtree_range(county.code)
TOWNSHIP = "rpad(substr({col}, 1, 9), 12, '0')"


def _types(indicator) -> str:
    condition = "a.posting_id IS NOT NULL" if indicator.source.startswith("cadre_") else "true"
    types = indicator.where.get("types")
    if not types:
        return condition
    ids = ",".join(str(TYPE_IDS[k]) for k in types if k in TYPE_IDS) or "NULL"
    return f"{condition} AND a.activity_type_id IN ({ids})"


def _activity_aggregate(indicator) -> str:
    condition = _types(indicator)
    columns = {"township": "substr(a.region_id, 1, 9)", "person": "p.person_id"}
    if HAND_SOURCES[indicator.source][0] == "technologies":
        columns = {"township": "substr(a.region_id, 1, 9)", "technology_id": "t.technology_id"}
        if kind := indicator.where.get("kind"):
            condition += f" AND tech.kind = '{kind}'"
    if indicator.aggregation == COUNT:
        return f"count(*) FILTER (WHERE {condition})"
    column = columns.get(indicator.column, f"a.{indicator.column}")
    if indicator.aggregation == SUM:
        return f"sum({column}) FILTER (WHERE {condition})"
    assert indicator.aggregation == DISTINCT
    return f"count(DISTINCT {column}) FILTER (WHERE {condition})"


def _windows(by, compare):
    """The engine's windows by name (cur, prev, m0…, p0…), whichever signature it has today."""
    try:
        windows = engine._windows(PERIOD, by, compare, TODAY)
    except TypeError:
        windows = engine._windows(PERIOD, by, compare)
    return {getattr(window, "name", window): dates for window, dates in windows.items()}


def hand_dated(source_key: str, by, compare) -> dict:
    """Activities or their technologies: {(key, window key, group)}: number. Grouped by
    (year, township or month) and by year; last year's township and year values stop at
    the engine's cut of last year's window (same span as this year's so far)."""
    indicators = of_table(source_key)
    windows = _windows(None, compare)  # cur (and prev): the years grouped
    start = min(w.start for w in windows.values())
    end = max(w.end for w in windows.values())
    year_window = {w.start.year: k for k, w in windows.items()}
    if by == MONTHS:
        bucket = "extract(month FROM a.starts_on)::int"
    else:
        bucket = TOWNSHIP.format(col="a.region_id")
    columns = [_activity_aggregate(i) for i in indicators]
    if compare:
        prev = windows["prev"]
        cut = f"a.starts_on <= '{prev.end}' AND "
        columns += [c.replace("FILTER (WHERE ", "FILTER (WHERE " + cut) for c in columns]
    if source_key == "technologies":
        tables = (
            "ledger_activity_technologies t JOIN ledger_activity a ON a.id = t.activity_id "
            "JOIN ledger_technology tech ON tech.id = t.technology_id"
        )
    else:
        tables = "ledger_activity a LEFT JOIN people_posting p ON p.id = a.posting_id"
    sql = f"""
        SELECT extract(year FROM a.starts_on)::int AS y, {bucket} AS g,
               GROUPING({bucket}) AS total, {", ".join(columns)}
        FROM {tables}
        WHERE a.status IN ('confirmed', 'locked')
          AND a.region_id BETWEEN %s AND %s AND a.starts_on BETWEEN %s AND %s
        GROUP BY GROUPING SETS ((extract(year FROM a.starts_on), {bucket}),
                               (extract(year FROM a.starts_on)))
    """
    found = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, [LOW, HIGH, start, end])
        for year, group, total, *numbers in cursor.fetchall():
            wkey = year_window[year]
            plain, cut_numbers = numbers[: len(indicators)], numbers[len(indicators) :]
            numbers = cut_numbers if wkey == "prev" else plain
            if total:
                group_key = None
            elif by == MONTHS:
                group_key = None
                numbers = plain  # last year's months are whole months
                wkey = f"{'m' if wkey == 'cur' else 'p'}{group - 1}"
            else:
                group_key = group
            for indicator, number in zip(indicators, numbers, strict=True):
                found[(indicator.key, wkey, group_key)] = number
    return found


def hand_postings(by, compare) -> dict:
    indicators = of_table("postings")
    windows = _windows(by, compare)
    columns, names = [], []
    for indicator in indicators:
        extra = []
        if levels := indicator.where.get("dispatch_level"):
            extra.append("dispatch_level IN (" + ",".join(f"'{x}'" for x in levels) + ")")
        if modes := indicator.where.get("mode"):
            extra.append("mode IN (" + ",".join(f"'{x}'" for x in modes) + ")")
        if indicator.where.get("from_outside"):
            extra.append("is_from_outside_county")
        if kinds := indicator.where.get("programme_kind"):
            extra.append("pr.kind IN (" + ",".join(f"'{x}'" for x in kinds) + ")")
        for wkey, window in windows.items():
            if indicator.where.get("recalled"):
                cond = [
                    f"status = 'recalled' AND ended_on BETWEEN '{window.start}' AND '{window.end}'"
                ]
            elif indicator.nature == FLOW:
                cond = [f"starts_on BETWEEN '{window.start}' AND '{window.end}'"]
            else:
                day = min(window.end, TODAY)
                cond = [
                    f"starts_on <= '{day}' AND ends_on >= '{day}' "
                    f"AND (ended_on IS NULL OR ended_on > '{day}')"
                ]
            columns.append(f"count(DISTINCT person_id) FILTER (WHERE {' AND '.join(cond + extra)})")
            names.append((indicator.key, wkey))
    end = max(w.end for w in windows.values())
    group = TOWNSHIP.format(col="host_region_id")
    grouping = f"GROUPING SETS (({group}), ())" if by == CHILDREN else "()"
    sql = f"""
        SELECT {group if by == CHILDREN else "NULL"} AS g,
               {f"GROUPING({group})" if by == CHILDREN else "1"} AS total, {", ".join(columns)}
        FROM people_posting JOIN people_programme pr ON pr.id = programme_id
        WHERE status NOT IN ({",".join(f"'{s}'" for s in NOT_TAKEN_UP)})
          AND host_region_id BETWEEN %s AND %s AND starts_on <= %s
        GROUP BY {grouping}
    """
    found = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, [LOW, HIGH, end])
        for group_code, total, *numbers in cursor.fetchall():
            for (key, wkey), number in zip(names, numbers, strict=True):
                found[(key, wkey, None if total else group_code)] = number
    return found


def hand_figures(by, compare) -> dict:
    indicators = of_table("figures")
    windows = _windows(by, compare)
    columns, names = [], []
    for indicator in indicators:
        for wkey, window in windows.items():
            columns.append(
                f"sum(value) FILTER (WHERE indicator = '{indicator.key}' AND period_start >= "
                f"'{window.start}' AND period_end <= '{window.end}')"
            )
            names.append((indicator.key, wkey))
    start = min(w.start for w in windows.values())
    end = max(w.end for w in windows.values())
    group = TOWNSHIP.format(col="region_id")
    grouping = f"GROUPING SETS (({group}), ())" if by == CHILDREN else "()"
    sql = f"""
        SELECT {group if by == CHILDREN else "NULL"},
               {f"GROUPING({group})" if by == CHILDREN else "1"}, {", ".join(columns)}
        FROM indicators_externalfigure
        WHERE status = 'confirmed' AND region_id BETWEEN %s AND %s
          AND period_start >= %s AND period_end <= %s
        GROUP BY {grouping}
    """
    found = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, [LOW, HIGH, start, end])
        for group_code, total, *numbers in cursor.fetchall():
            for (key, wkey), number in zip(names, numbers, strict=True):
                found[(key, wkey, None if total else group_code)] = number
    return found


def hand(by, compare) -> dict:
    found = {}
    found.update(hand_dated("activities", by, compare))
    found.update(hand_dated("technologies", by, compare))
    found.update(hand_postings(by, compare))
    found.update(hand_figures(by, compare))
    return found


def hand_number(found, indicator, wkey, group):
    if indicator.is_derived:
        numerator = hand_number(found, registry.get(indicator.numerator), wkey, group)
        denominator = hand_number(found, registry.get(indicator.denominator), wkey, group)
        if numerator is None or not denominator:
            return None
        return Decimal(numerator) * 100 / Decimal(denominator)
    if (indicator.key, wkey, group) in found:
        number = found[(indicator.key, wkey, group)]
        return 0 if number is None and indicator.source != "figures" else number
    return None if indicator.source == "figures" else 0


def compare_numbers(result, found, by, compare) -> int:
    """Every value of the engine against the hand SQL's; returns the mismatches."""
    mismatches = 0
    groups = [None] + [g.key for g in result.groups]
    for indicator in result.indicators:
        for group in groups:
            if by == MONTHS and group is not None:
                wkey, pkey, source_group = group, "p" + group[1:], None
            else:
                wkey, pkey, source_group = "cur", "prev", group
            value = result.value(indicator.key, group)
            pairs = [(value.number, hand_number(found, indicator, wkey, source_group))]
            if compare:
                pairs.append((value.previous, hand_number(found, indicator, pkey, source_group)))
            for got, expected in pairs:
                if got != expected:
                    mismatches += 1
                    if mismatches <= 20:
                        print(f"  MISMATCH {indicator.key} {group}: engine {got}, hand {expected}")
    return mismatches


# ---------------------------------------------------------------- the measurements
rows = []
failed = False
for label, by, compare in (
    ("by townships", CHILDREN, False),
    ("by townships, compare", CHILDREN, True),
    ("by months", MONTHS, False),
    ("by months, compare", MONTHS, True),
):
    engine_time, engine_queries, result = median_time(
        lambda by=by, compare=compare: engine.evaluate(
            CORE, scope=scope, period=PERIOD, by=by, compare=compare, today=TODAY
        )
    )
    all_time, all_queries, _all = median_time(
        lambda by=by, compare=compare: engine.evaluate(
            KEYS, scope=scope, period=PERIOD, by=by, compare=compare, today=TODAY
        )
    )
    hand_time, hand_queries, found = median_time(lambda by=by, compare=compare: hand(by, compare))
    mismatches = compare_numbers(result, found, by, compare)
    if mismatches:
        failed = True
        print(f"!!! {label}: {mismatches} numbers differ between the engine and the hand SQL")
    values = len(result.values) * (2 if compare else 1)
    rows.append(
        (
            label,
            engine_time,
            engine_queries,
            hand_time,
            hand_queries,
            values,
            "OK" if not mismatches else f"{mismatches} differ",
            all_time,
            all_queries,
        )
    )

print()
print(
    f"{county.name} {PERIOD.label}, median of {args.runs} runs after a warm-up; engine and "
    f"hand SQL on the {len(CORE)} indicators the hand SQL computes "
    f"(sources {', '.join(sorted(HAND_SOURCES))}), and the engine on all {len(KEYS)}:"
)
print(
    f"{'':<24} {'engine':>8} {'queries':>7} {'hand SQL':>8} {'queries':>7} {'ratio':>6} "
    f"{'all ' + str(len(KEYS)):>8} {'queries':>7}"
)
for label, e_time, e_q, h_time, h_q, values, ok, a_time, a_q in rows:
    print(
        f"{label:<24} {e_time * 1000:6.0f}ms {e_q:7d} {h_time * 1000:6.0f}ms {h_q:7d} "
        f"{e_time / h_time:6.2f} {a_time * 1000:6.0f}ms {a_q:7d}  {values} values {ok}"
    )

settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
client = Client()
client.force_login(User.objects.get(username="kjj"))
print()
print("pages as the demo county admin (kjj), median server time:")
for label, page in (("dashboard", "/"), ("indicators by township", "/indicators/?by=children")):
    page_time, page_queries, response = median_time(lambda page=page: client.get(page))
    status = response.status_code
    print(f"{label:<24} {page_time * 1000:7.0f}ms {page_queries:7d} queries  HTTP {status}")
    if status != 200:
        failed = True
sys.exit(1 if failed else 0)
