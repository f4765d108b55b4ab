"""The province tier of the demo data (`seed_demo --size province`): the demo county and
99 more counties of its province with 30 000 people, their postings and 10 000 000
activities of 2024 to today, for measuring the indicators at a province's size.

Services are bypassed here on purpose. This is bulk demo data: ten million rows written
one by one through `activity_create` would take days, so the rows are generated in the
database by set-based SQL (`INSERT … SELECT … FROM generate_series(…)`), every random
value a hash of the row number and the seed (`hashint8extended`), so the same seed gives
the same rows. No audit rows are written for them; every row is marked `is_demo`.
What the services would check holds by construction: each type records only its own
measures, postings keep one person per active programme and end after they start,
cadres' postings are hosted in their county, activities take place in a township of
the 100 counties. (An activity's date is not held to its cadre's term.)

PostgreSQL only: SQLite has no `generate_series` and would take hours; `supported()`
says so and `seed_demo` refuses with a Chinese message. Everything runs in one
transaction, so an interrupted run leaves nothing behind, and a second run adds
nothing (the first generated activity is the mark of an existing tier). Above
`REBUILD_INDEXES_ABOVE` activities the activity table's plain indexes are dropped and
built again after the load (in the same transaction), which is several times faster than
keeping them up to date row by row. ANALYZE runs at the end, and VACUUM after the commit
(when not inside an outer transaction), so that index-only scans work at once.
"""

import datetime
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tiantou.ledger.models import Activity, ActivityType, Technology
from tiantou.people.choices import PostingStatus, ProgrammeKind
from tiantou.people.demo import GIVEN, SURNAMES
from tiantou.people.models import Person, Posting, Programme
from tiantou.regions.choices import Level, OrganisationKind
from tiantou.regions.models import Organisation, Region

COUNTIES = 100
PEOPLE = 30_000
ACTIVITIES = 10_000_000
CHUNK = 500_000
REBUILD_INDEXES_ABOVE = 200_000
FIRST_DAY = datetime.date(2024, 1, 1)  # activities from here to today
FIRST_POSTING_DAY = datetime.date(2023, 1, 1)
# The first 24 hex digits of every generated activity's UUID; the last 12 are its number.
UUID_PREFIX = "7e0f1a2b-0000-4000-8000-"
PROGRAMME = "科技特派员"
POSTED_SHARE = 67  # % of the people who hold a posting
# Share of each activity type in ‰ (a county's ledger is mostly trainings, consultations,
# promotions and lectures; events are few but large).
TYPE_SHARES = {
    "training": 220,
    "tech_promotion": 120,
    "new_variety": 50,
    "consultation": 180,
    "demo_base": 30,
    "enterprise_support": 50,
    "sci_week": 20,
    "three_to_countryside": 30,
    "popularisation_campaign": 20,
    "lecture": 100,
    "exhibition": 40,
    "youth_activity": 40,
    "media_output": 50,
    "other": 50,
}
EVENT_TYPES = ("sci_week", "three_to_countryside", "popularisation_campaign")
# Promotion-type records name 1–2 technologies (varieties for new_variety).
TECHNOLOGY_TYPES = ("tech_promotion", "new_variety", "demo_base")
VARIETY_TYPES = ("new_variety",)
MEASURES = (
    "participants",
    "experts",
    "consultations",
    "materials",
    "boards",
    "enterprises",
    "area_mu",
    "output_value",
)
# Every random value is a field of a 63-bit hash of the row number
# (hashint8extended(g, seed) & 9223372036854775807).


@dataclass
class Scale:
    """How big the tier is: the tests build a tiny one."""

    counties: int = COUNTIES
    people: int = PEOPLE
    activities: int = ACTIVITIES
    chunk: int = CHUNK
    rebuild_indexes_above: int = REBUILD_INDEXES_ABOVE


def supported() -> bool:
    """Whether this database can hold the province tier (PostgreSQL only)."""
    return connection.vendor == "postgresql"


def activity_uuid(number: int) -> str:
    return f"{UUID_PREFIX}{number:012x}"


def exists() -> bool:
    """Whether the province tier is already there (its first activity marks it)."""
    return Activity.objects.filter(uuid=activity_uuid(1)).exists()


def seed(ctx, scale: Scale | None = None, progress: Callable[[str], None] | None = None):
    """Build the province tier for ctx.county and the next counties of its province."""
    scale = scale or Scale()
    say = progress or (lambda line: None)
    if not supported():
        raise RuntimeError("the province tier needs PostgreSQL")
    if exists():
        ctx.log.append(_("Province tier: already there, nothing added."))
        return
    counties = [ctx.county, *ctx.other_counties(scale.counties - 1)]
    base_seed = ctx.rng.randrange(1, 2**30)
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL work_mem = '64MB'")
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        _skip_reference_checks(cursor)
        programmes = _programmes(counties)
        _county_table(cursor, counties, programmes)
        people = _people(cursor, scale.people, base_seed, ctx.county.code[:2])
        say(_("Province tier: %(n)d people.") % {"n": people})
        postings = _postings(cursor, base_seed + 10)
        say(_("Province tier: %(n)d postings.") % {"n": postings})
        slots = _place_table(cursor)
        dropped = []
        if scale.activities > scale.rebuild_indexes_above:
            dropped = _drop_indexes(cursor)
        done, links = 0, 0
        while done < scale.activities:
            size = min(scale.chunk, scale.activities - done)
            links += _activities(cursor, done + 1, done + size, base_seed + 20, ctx.actor.pk, slots)
            done += size
            say(
                _("Province tier: activities %(done)d / %(total)d, %(s).0f s.")
                % {"done": done, "total": scale.activities, "s": time.perf_counter() - started}
            )
        for definition in dropped:
            cursor.execute(definition)
        if dropped:
            say(
                _("Province tier: %(n)d indexes built again, %(s).0f s.")
                % {"n": len(dropped), "s": time.perf_counter() - started}
            )
        tables = [
            m._meta.db_table for m in (Person, Posting, Activity, Activity.technologies.through)
        ]
        for table in tables:
            cursor.execute(f"ANALYZE {table}")
    if not connection.in_atomic_block:
        # Outside a transaction (not in the tests) VACUUM too: it marks the new pages
        # all-visible, so that the indicators' covering index is read alone at once.
        with connection.cursor() as cursor:
            for table in tables:
                cursor.execute(f"VACUUM {table}")
        say(_("Province tier: vacuumed, %(s).0f s.") % {"s": time.perf_counter() - started})
    ctx.log.append(
        _(
            "Province tier: %(counties)d counties, %(people)d people, %(postings)d postings, "
            "%(activities)d activities (%(links)d technology links) in %(s).0f s."
        )
        % {
            "counties": len(counties),
            "people": people,
            "postings": postings,
            "activities": scale.activities,
            "links": links,
            "s": time.perf_counter() - started,
        }
    )


def _skip_reference_checks(cursor) -> None:
    """Skip the foreign-key triggers for this transaction where the role may (the rows
    refer to existing rows by construction; checking 60 million references would take
    longer than writing the rows); otherwise check them at each statement's end, so that
    no trigger event is pending when the indexes are built again."""
    try:
        with transaction.atomic():
            cursor.execute("SET LOCAL session_replication_role = replica")
    except DatabaseError:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def _programmes(counties: list[Region]) -> dict[str, list[Programme]]:
    """Each county's programmes: the demo county's own, one 科技特派员 for the others."""
    found: dict[str, list[Programme]] = {}
    for programme in Programme.objects.filter(region__in=counties).order_by("id"):
        found.setdefault(programme.region_id, []).append(programme)
    missing = [
        Programme(
            region=county,
            name=PROGRAMME,
            kind=ProgrammeKind.COMMISSIONER,
            default_term_months=36,
            monthly_subsidy=100,
            reports_per_year=1,
        )
        for county in counties
        if county.code not in found
    ]
    for programme in Programme.objects.bulk_create(missing):
        found[programme.region_id] = [programme]
    return found


def _county_table(cursor, counties: list[Region], programmes: dict[str, list[Programme]]):
    """prov_counties: each county's number, townships, programmes and home units."""
    townships: dict[str, list[str]] = {}
    for code in (
        Region.objects.filter(parent__in=counties, level=Level.TOWNSHIP, is_active=True).order_by(
            "code"
        )
    ).values_list("code", flat=True):
        townships.setdefault(code[:6], []).append(code)
    units: dict[str, list[int]] = {}
    for pk, region_id in Organisation.objects.filter(
        region__in=counties, kind__in=(OrganisationKind.DEPARTMENT, OrganisationKind.INSTITUTE)
    ).values_list("pk", "region_id"):
        units.setdefault(region_id, []).append(pk)
    rows = [
        (
            n,
            county.code,
            townships.get(county.code[:6], []),
            [p.pk for p in programmes[county.code]],
            [p.monthly_subsidy for p in programmes[county.code]],
            units.get(county.code, []),
        )
        for n, county in enumerate(c for c in counties if townships.get(c.code[:6]))
    ]
    cursor.execute(
        "CREATE TEMP TABLE prov_counties (n int PRIMARY KEY, code varchar(12), "
        "townships varchar(12)[], programmes bigint[], subsidies numeric[], units bigint[]) "
        "ON COMMIT DROP"
    )
    cursor.executemany("INSERT INTO prov_counties VALUES (%s, %s, %s, %s, %s, %s)", rows)
    cursor.execute("CREATE TEMP TABLE prov_mark (person bigint) ON COMMIT DROP")
    cursor.execute("INSERT INTO prov_mark SELECT coalesce(max(id), 0) FROM people_person")


def _people(cursor, total: int, seed: int, province: str) -> int:
    """People registered in the counties, in turn; names, titles and units from a hash."""
    titles = [
        ("农艺师", 2),
        ("高级农艺师", 3),
        ("助理农艺师", 1),
        ("畜牧师", 2),
        ("林业工程师", 2),
        ("", 0),
    ]
    cursor.execute(
        """
        INSERT INTO people_person (created_at, updated_at, version, name, gender, birth_date,
            ethnic_group, political_status, education, title, title_rank, phone,
            id_number_encrypted, id_number_digest, id_number_masked, is_demo, home_unit_id,
            region_id, user_id)
        SELECT now(), now(), 1,
            substr(%(surnames)s, 1 + (h %% %(ns)s)::int, 1)
                || substr(%(given)s, 1 + ((h >> 8) %% %(ng)s)::int, 1)
                || CASE WHEN (h >> 16) %% 3 > 0
                        THEN substr(%(given)s, 1 + ((h >> 20) %% %(ng)s)::int, 1) ELSE '' END,
            CASE WHEN (h >> 28) %% 10 < 7 THEN 'M' ELSE 'F' END,
            DATE '1966-01-01' + ((h >> 32) %% 10000)::int,
            CASE WHEN (h >> 24) %% 20 = 0 THEN '回族' ELSE '汉族' END,
            (ARRAY['cpc','cpc','cpc','masses','democratic_party','cyl'])[1 + ((h >> 4) %% 6)::int],
            (ARRAY['bachelor','bachelor','bachelor','master','college','doctorate'])
                [1 + ((h >> 12) %% 6)::int],
            (%(titles)s::text[])[1 + ((h >> 44) %% %(nt)s)::int],
            (%(ranks)s::int[])[1 + ((h >> 44) %% %(nt)s)::int],
            '13' || lpad(((h >> 20) %% 1000000000)::text, 9, '0'),
            '', '', '', true,
            CASE WHEN cardinality(c.units) > 0 AND (h >> 50) %% 10 > 0
                 THEN c.units[1 + ((h >> 52) %% cardinality(c.units))::int] END,
            c.code, NULL
        FROM (SELECT g, hashint8extended(g, %(seed)s) & 9223372036854775807 AS h
              FROM generate_series(1, %(total)s) g) r
        JOIN prov_counties c ON c.n = (r.g - 1) %% (SELECT count(*) FROM prov_counties)
        ORDER BY r.g
        """,
        {
            "surnames": SURNAMES,
            "ns": len(SURNAMES),
            "given": GIVEN,
            "ng": len(GIVEN),
            "titles": [t for t, _r in titles],
            "ranks": [r for _t, r in titles],
            "nt": len(titles),
            "seed": seed,
            "total": total,
        },
    )
    return cursor.rowcount


def _postings(cursor, seed: int) -> int:
    """A posting for two in three of the new people, in a township of their county:
    about 62 % in office, 26 % completed, 12 % recalled, started 2023 to today."""
    today = timezone.localdate()
    cursor.execute(
        """
        INSERT INTO people_posting (created_at, updated_at, version, title, mode, post_type,
            dispatch_level, is_from_outside_county, starts_on, ends_on, ended_on, status,
            treatment_grade, salary_step_up, monthly_subsidy, application_id, batch_id,
            host_organisation_id, host_region_id, person_id, programme_id)
        SELECT now(), now(), 1, %(title)s,
            CASE WHEN (s.h >> 8) %% 100 < 8 THEN 'hired' ELSE 'selected' END,
            CASE WHEN (s.h >> 16) %% 100 < 85 THEN 'secondment' ELSE 'substantive' END,
            CASE WHEN (s.h >> 24) %% 100 < 10 THEN 'city'
                 WHEN (s.h >> 24) %% 100 < 75 THEN 'county' ELSE 'township' END,
            (s.h >> 32) %% 100 < 6,
            s.start,
            CASE WHEN s.k < 62 OR s.k >= 88 THEN (s.start + interval '3 years')::date
                 ELSE (s.start + interval '2 years')::date END,
            CASE WHEN s.k >= 88
                 THEN least(s.start + 120 + ((s.h >> 12) %% 400)::int, %(today)s::date - 1)
                 WHEN s.k >= 62 THEN (s.start + interval '2 years')::date END,
            CASE WHEN s.k < 62 THEN %(active)s WHEN s.k < 88 THEN %(completed)s
                 ELSE %(recalled)s END,
            '', false,
            c.subsidies[1 + ((s.h >> 48) %% cardinality(c.programmes))::int], NULL, NULL, NULL,
            c.townships[1 + ((s.h >> 40) %% cardinality(c.townships))::int], s.id,
            c.programmes[1 + ((s.h >> 48) %% cardinality(c.programmes))::int]
        FROM (
            SELECT p.id, p.region_id, p.h, (p.h %% 100)::int AS k,
                CASE WHEN p.h %% 100 < 62
                     THEN %(today)s::date - 30 - ((p.h >> 4) %% 1030)::int
                     WHEN p.h %% 100 < 88 THEN %(first)s::date + ((p.h >> 4) %% 300)::int
                     ELSE %(first)s::date + ((p.h >> 4) %% 900)::int END AS start
            FROM (SELECT id, region_id, hashint8extended(id, %(seed)s) & 9223372036854775807 AS h
                  FROM people_person WHERE id > (SELECT person FROM prov_mark)) p
            WHERE (p.h >> 36) %% 100 < %(share)s
        ) s
        JOIN prov_counties c ON c.code = s.region_id
        ORDER BY s.id
        """,
        {
            "title": PROGRAMME,
            "seed": seed,
            "today": today,
            "first": FIRST_POSTING_DAY,
            "active": PostingStatus.ACTIVE.value,
            "completed": PostingStatus.COMPLETED.value,
            "recalled": PostingStatus.RECALLED.value,
            "share": POSTED_SHARE,
        },
    )
    return cursor.rowcount


def _place_table(cursor) -> int:
    """prov_places: every township of the counties with the postings it hosts and the units
    that may organise work there (its own, and its county's departments); prov_types: the
    activity types, each on as many of the slots as its share in ‰. Returns the slots."""
    cursor.execute(
        """
        CREATE TEMP TABLE prov_places ON COMMIT DROP AS
        SELECT (row_number() OVER (ORDER BY t.code) - 1)::int AS n, t.code, t.name,
            coalesce((SELECT array_agg(p.id ORDER BY p.id) FROM people_posting p
                      WHERE p.host_region_id = t.code
                        AND p.status IN ('active', 'recalled', 'completed')), '{}') AS postings,
            coalesce((SELECT array_agg(o.id ORDER BY o.id) FROM regions_organisation o
                      WHERE o.region_id = t.code
                         OR (o.region_id = c.code AND o.kind IN ('department', 'association'))),
                     '{}') AS orgs
        FROM prov_counties c CROSS JOIN LATERAL unnest(c.townships) AS u(code)
        JOIN regions_region t ON t.code = u.code
        """
    )
    cursor.execute("ALTER TABLE prov_places ADD PRIMARY KEY (n)")
    types = {t.key: t for t in ActivityType.objects.all()}
    rows = []
    slot = 0
    for key, share in TYPE_SHARES.items():
        kind = types.get(key)
        if kind is None:
            continue
        low, high = (200, 3000) if key in EVENT_TYPES else (15, 260)
        flags = [m in kind.measures for m in MEASURES]
        for _n in range(share):
            rows.append((slot, kind.pk, kind.name, low, high - low, *flags))
            slot += 1
    cursor.execute(
        "CREATE TEMP TABLE prov_types (slot int PRIMARY KEY, id bigint, name text, "
        "p_low int, p_span int, "
        + ", ".join(f"m_{m} boolean" for m in MEASURES)
        + ") ON COMMIT DROP"
    )
    cursor.executemany(
        "INSERT INTO prov_types VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
        rows,
    )
    return len(rows)


def _drop_indexes(cursor) -> list[str]:
    """Drop the activity table's plain indexes (not those behind constraints); returns the
    statements that build them again."""
    table = Activity._meta.db_table
    cursor.execute(
        """
        SELECT i.indexname, i.indexdef FROM pg_indexes i
        WHERE i.tablename = %s AND i.schemaname = current_schema()
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)
        ORDER BY i.indexname
        """,
        [table],
    )
    found = cursor.fetchall()
    for name, _definition in found:
        cursor.execute(f'DROP INDEX "{name}"')
    return [definition for _name, definition in found]


def _activities(cursor, first: int, last: int, seed: int, actor_id: int, slots: int) -> int:
    """Activities number first…last, and the technologies their promotions name; returns
    the number of technology links."""
    today = timezone.localdate()
    days = max((today - FIRST_DAY).days + 1, 1)
    cursor.execute("SELECT coalesce(max(id), 0) FROM ledger_activity")
    (before,) = cursor.fetchone()
    cursor.execute("SELECT count(*) FROM prov_places")
    (places,) = cursor.fetchone()
    cursor.execute(
        """
        INSERT INTO ledger_activity (created_at, updated_at, version, uuid, title, description,
            starts_on, ends_on, participants, experts, consultations, materials, boards,
            enterprises, area_mu, output_value, latitude, longitude, status, status_reason,
            flags, submitted_at, confirmed_at, confirmed_by_party, is_demo, confirmed_by_id,
            created_by_id, organisation_id, posting_id, region_id, activity_type_id)
        SELECT now(), now(), 1,
            (%(prefix)s || lpad(to_hex(r.g), 12, '0'))::uuid,
            t.name || '·' || p.name, '',
            r.day, NULL,
            CASE WHEN t.m_participants THEN t.p_low + (r.c %% t.p_span)::int END,
            CASE WHEN t.m_experts THEN 1 + ((r.c >> 12) %% 6)::int END,
            CASE WHEN t.m_consultations THEN 20 + ((r.c >> 16) %% 380)::int END,
            CASE WHEN t.m_materials THEN 50 + ((r.c >> 24) %% 750)::int END,
            CASE WHEN t.m_boards THEN 4 + ((r.c >> 34) %% 26)::int END,
            CASE WHEN t.m_enterprises THEN 1 + ((r.c >> 40) %% 5)::int END,
            CASE WHEN t.m_area_mu THEN (2000 + (r.c >> 44) %% 58000) / 100.0 END,
            CASE WHEN t.m_output_value THEN 50000 + (r.b >> 20) %% 1950000 END,
            NULL, NULL,
            r.status, '', '[]',
            CASE WHEN r.status <> 'draft' THEN r.day + time '18:00' END,
            CASE WHEN r.status = 'confirmed' THEN r.day + interval '2 days' END,
            '', true,
            CASE WHEN r.status = 'confirmed' THEN %(actor)s::bigint END,
            %(actor)s::bigint,
            CASE WHEN (r.who >= 55 OR cardinality(p.postings) = 0)
                      AND cardinality(p.orgs) > 0
                 THEN p.orgs[1 + ((r.b >> 44) %% cardinality(p.orgs))::int] END,
            CASE WHEN r.who < 65 AND cardinality(p.postings) > 0
                 THEN p.postings[1 + ((r.b >> 12) %% cardinality(p.postings))::int] END,
            p.code, t.id
        FROM (
            SELECT g, a, b, c,
                %(first_day)s::date + (b %% %(days)s)::int AS day,
                ((a >> 17) %% 100)::int AS who,
                CASE WHEN (a >> 10) %% 100 < 90 THEN 'confirmed'
                     WHEN (a >> 10) %% 100 < 96 THEN 'submitted' ELSE 'draft' END AS status
            FROM (SELECT g,
                    hashint8extended(g, %(seed)s) & 9223372036854775807 AS a,
                    hashint8extended(g, %(seed)s + 1) & 9223372036854775807 AS b,
                    hashint8extended(g, %(seed)s + 2) & 9223372036854775807 AS c
                  FROM generate_series(%(low)s::bigint, %(high)s::bigint) g) h
        ) r
        JOIN prov_types t ON t.slot = (r.a %% %(slots)s)::int
        JOIN prov_places p ON p.n = ((r.a >> 24) %% %(places)s)::int
        ORDER BY r.g
        """,
        {
            "prefix": UUID_PREFIX,
            "actor": actor_id,
            "first_day": FIRST_DAY,
            "days": days,
            "seed": seed,
            "low": first,
            "high": last,
            "places": places,
            "slots": slots,
        },
    )
    kinds = {
        kind: list(
            Technology.objects.filter(kind=kind, is_active=True).values_list("pk", flat=True)
        )
        for kind in ("technology", "variety")
    }
    if not kinds["technology"] or not kinds["variety"]:
        return 0
    type_ids = dict(ActivityType.objects.values_list("key", "id"))
    cursor.execute(
        """
        INSERT INTO ledger_activity_technologies (activity_id, technology_id)
        SELECT a.id, x.technology FROM (
            SELECT id, activity_type_id = ANY(%(variety_types)s) AS variety,
                   hashint8extended(id, %(seed)s + 3) & 9223372036854775807 AS h
            FROM ledger_activity WHERE id > %(before)s AND activity_type_id = ANY(%(types)s)
        ) a CROSS JOIN LATERAL (
            SELECT CASE WHEN a.variety
                        THEN (%(varieties)s::bigint[])[1 + (a.h %% %(nv)s)::int]
                        ELSE (%(techs)s::bigint[])[1 + (a.h %% %(nt)s)::int] END
            UNION
            SELECT CASE WHEN a.variety
                        THEN (%(varieties)s::bigint[])[1 + ((a.h >> 16) %% %(nv)s)::int]
                        ELSE (%(techs)s::bigint[])[1 + ((a.h >> 16) %% %(nt)s)::int] END
            WHERE (a.h >> 8) %% 2 = 1
        ) x(technology)
        ORDER BY a.id, x.technology
        """,
        {
            "variety_types": [type_ids[k] for k in VARIETY_TYPES if k in type_ids],
            "types": [type_ids[k] for k in TECHNOLOGY_TYPES if k in type_ids],
            "seed": seed,
            "before": before,
            "varieties": kinds["variety"],
            "nv": len(kinds["variety"]),
            "techs": kinds["technology"],
            "nt": len(kinds["technology"]),
        },
    )
    return cursor.rowcount
