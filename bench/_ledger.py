"""Shared set-up of the ledger benchmarks: a county with townships and villages, a county
admin, and a dispatched cadre (so that rows can name a cadre)."""

import datetime

from django.db import connection
from django.utils import timezone

from tiantou.accounts.models import Membership, User
from tiantou.ledger.models import Activity, ActivityType, Technology
from tiantou.regions.choices import Level, RegionKind
from tiantou.regions.models import Region

COUNTY = "371321000000"
TOWNSHIPS = 20
VILLAGES_PER_TOWNSHIP = 15


def county_with_admin() -> tuple[User, list[Region]]:
    """The county, its townships and villages, and a county admin; returns (admin, places)."""
    province = Region.objects.create(
        code="370000000000", name="山东省", level=Level.PROVINCE, kind=RegionKind.PROVINCE
    )
    city = Region.objects.create(
        code="371300000000", name="临沂市", level=Level.CITY, kind=RegionKind.CITY, parent=province
    )
    county = Region.objects.create(
        code=COUNTY, name="沂南县", level=Level.COUNTY, kind=RegionKind.COUNTY, parent=city
    )
    places = []
    for t in range(TOWNSHIPS):
        township = Region.objects.create(
            code=f"371321{101 + t:03d}000",
            name=f"第{t + 1}镇",
            level=Level.TOWNSHIP,
            kind=RegionKind.TOWN,
            parent=county,
        )
        places.append(township)
        for v in range(VILLAGES_PER_TOWNSHIP):
            places.append(
                Region.objects.create(
                    code=f"371321{101 + t:03d}{v + 1:03d}",
                    name=f"第{t + 1}镇{v + 1}村",
                    level=Level.VILLAGE,
                    kind=RegionKind.VILLAGE,
                    parent=township,
                )
            )
    admin = User.objects.create_user(username="bench", password="x", name="基准")  # noqa: S106
    Membership.objects.create(user=admin, role="county_admin", region=county)
    return admin, places


def a_year_ago() -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=365)


def generate(rows: int, admin, places) -> None:
    """Insert `rows` confirmed activities (and a technology on every other one) in SQL."""
    kind = ActivityType.objects.get(key="training")
    tech = Technology.objects.get(name="水肥一体化技术")
    codes = [p.code for p in places]
    table = Activity._meta.db_table
    through = Activity.technologies.through._meta.db_table
    day0 = a_year_ago()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("CREATE TEMP TABLE bench_places (n int, code varchar(12))")
            cursor.executemany("INSERT INTO bench_places VALUES (%s, %s)", list(enumerate(codes)))
            cursor.execute(
                f"""INSERT INTO {table} (uuid, activity_type_id, title, description, region_id,
                starts_on, participants, experts, materials, status, status_reason, flags,
                created_by_id, is_demo, version, created_at, updated_at, confirmed_by_party)
                SELECT md5(g::text)::uuid, %s, '基准活动' || g, '', p.code,
                %s::date + (g %% 365), g %% 300, g %% 5, g %% 200, 'confirmed', '', '[]',
                %s, false, 1, now(), now(), ''
                FROM generate_series(1, %s) g JOIN bench_places p ON p.n = g %% %s""",
                [kind.pk, day0, admin.pk, rows, len(codes)],
            )
            cursor.execute(
                f"INSERT INTO {through} (activity_id, technology_id) "
                f"SELECT id, %s FROM {table} WHERE id %% 2 = 0",
                [tech.pk],
            )
            # Fresh statistics, as autovacuum would gather after such a load.
            cursor.execute(f"ANALYZE {table}")
            cursor.execute(f"ANALYZE {through}")
        else:
            import datetime
            import uuid

            sql = f"""INSERT INTO {table} (uuid, activity_type_id, title, description,
                region_id, starts_on, participants, experts, materials, status, status_reason,
                flags, created_by_id, is_demo, version, created_at, updated_at,
                confirmed_by_party) VALUES (%s, %s, %s, '', %s, %s, %s, %s, %s, 'confirmed',
                '', '[]', %s, 0, 1, datetime('now'), datetime('now'), '')"""
            batch = []
            for g in range(1, rows + 1):
                batch.append(
                    (
                        uuid.UUID(int=g).hex,
                        kind.pk,
                        f"基准活动{g}",
                        codes[g % len(codes)],
                        (day0 + datetime.timedelta(days=g % 365)).isoformat(),
                        g % 300,
                        g % 5,
                        g % 200,
                        admin.pk,
                    )
                )
                if len(batch) == 50_000:
                    cursor.executemany(sql, batch)
                    batch = []
            if batch:
                cursor.executemany(sql, batch)
            cursor.execute(
                f"INSERT INTO {through} (activity_id, technology_id) "
                f"SELECT id, %s FROM {table} WHERE id % 2 = 0",
                [tech.pk],
            )
