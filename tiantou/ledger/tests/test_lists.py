"""The ledger list, its FilterSet, the summaries and the Excel export."""

import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from conftest import TOWNSHIP_A, TOWNSHIP_B, VILLAGE_A
from tiantou.ledger import selectors, services
from tiantou.ledger.filters import ActivityFilterSet
from tiantou.ledger.importers import ACTIVITY_COLUMNS
from tiantou.ledger.models import Activity, ActivityType, Technology
from tiantou.regions.models import Region
from tiantou.regions.services import organisation_create

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
LAST_MONTH = (TODAY.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


@pytest.fixture
def ledger(alice, bob, charlie, ming, posting_ming, township_a, township_b):
    """Hand-made records: three confirmed in A (two by ming), one confirmed in B, one
    submitted and one draft in A. Technologies: two distinct in A, one shared with B."""
    training = ActivityType.objects.get(key="training")
    promotion = ActivityType.objects.get(key="tech_promotion")
    t1 = Technology.objects.get(name="水肥一体化技术")
    t2 = Technology.objects.get(name="测土配方施肥技术")
    unit = organisation_create(actor=bob, name="岸堤农技站", kind="department", region=township_a)
    village = Region.objects.get(code=VILLAGE_A)

    def add(actor, confirmer, **fields):
        base = {
            "activity_type": training,
            "title": "培训",
            "region": township_a,
            "starts_on": TODAY,
            "participants": 10,
        }
        base |= fields
        activity, _created = services.activity_create(actor=actor, submit=True, **base)
        if confirmer is not None:
            activity = services.activity_confirm(actor=confirmer, activity=activity)
        return activity

    records = {
        "a1": add(ming, alice, posting=posting_ming, technologies=[t1], participants=30),
        "a2": add(
            ming,
            alice,
            posting=posting_ming,
            activity_type=promotion,
            title="水肥一体化推广",
            technologies=[t1, t2],
            participants=20,
            starts_on=LAST_MONTH,
        ),
        "a3": add(alice, bob, organisation=unit, region=village, participants=5),
        "b1": add(
            charlie,
            bob,
            organisation=organisation_create(
                actor=bob, name="孙祖合作社", kind="cooperative", region=township_b
            ),
            region=township_b,
            technologies=[t1],
            participants=7,
        ),
        "submitted": add(ming, None, posting=posting_ming, participants=99),
    }
    draft, _ = services.activity_create(
        actor=ming,
        activity_type=training,
        title="草稿",
        region=township_a,
        starts_on=TODAY,
        posting=posting_ming,
        participants=1,
    )
    records["draft"] = draft
    records["unit"] = unit
    records["t1"], records["t2"] = t1, t2
    return records


def _filtered(user, **data):
    filterset = ActivityFilterSet(data, queryset=selectors.activity_list(user=user), user=user)
    assert filterset.is_valid(), filterset.form.errors
    return set(filterset.qs.values_list("pk", flat=True))


def test_filter_lists_only_counted_records_by_default(ledger, bob):
    counted = {ledger[k].pk for k in ("a1", "a2", "a3", "b1")}
    assert _filtered(bob) == counted
    assert _filtered(bob, status="submitted") == {ledger["submitted"].pk}
    assert _filtered(bob, status="draft") == {ledger["draft"].pk}
    assert _filtered(bob, status="all") == counted | {ledger["submitted"].pk, ledger["draft"].pk}


def test_filter_by_place_cadre_unit_type_month_technology_and_title(ledger, bob):
    assert _filtered(bob, township=TOWNSHIP_A) == {ledger[k].pk for k in ("a1", "a2", "a3")}
    assert _filtered(bob, township=VILLAGE_A) == {ledger["a3"].pk}
    assert _filtered(bob, posting=str(ledger["a1"].posting_id)) == {
        ledger["a1"].pk,
        ledger["a2"].pk,
    }
    assert _filtered(bob, posting="none") == {ledger["a3"].pk, ledger["b1"].pk}
    assert _filtered(bob, organisation=str(ledger["unit"].pk)) == {ledger["a3"].pk}
    assert _filtered(bob, type=str(ledger["a2"].activity_type_id)) == {ledger["a2"].pk}
    assert _filtered(bob, month=f"{LAST_MONTH:%Y-%m}") == {ledger["a2"].pk}
    assert _filtered(bob, date_from=TODAY.isoformat()) == {ledger[k].pk for k in ("a1", "a3", "b1")}
    assert _filtered(bob, technology=str(ledger["t2"].pk)) == {ledger["a2"].pk}
    assert _filtered(bob, q="推广") == {ledger["a2"].pk}


def test_title_search_ignores_case_and_matches_chinese_as_typed(ledger, bob):
    Activity.objects.filter(pk=ledger["a1"].pk).update(title="GAP认证Training培训")
    assert _filtered(bob, q="gap认证") == {ledger["a1"].pk}
    assert _filtered(bob, q="TRAINING") == {ledger["a1"].pk}
    assert _filtered(bob, q="认证") == {ledger["a1"].pk}
    assert _filtered(bob, q="100%") == set()


def test_filter_refuses_a_bad_month_and_a_township_out_of_scope(ledger, alice):
    filterset = ActivityFilterSet(
        {"month": "2026-13", "township": TOWNSHIP_B},
        queryset=selectors.activity_list(user=alice),
        user=alice,
    )
    assert not filterset.is_valid()
    assert set(filterset.form.errors) == {"month", "township"}


def test_scope_alice_sees_township_a_only(ledger, alice, charlie):
    assert _filtered(alice) == {ledger[k].pk for k in ("a1", "a2", "a3")}
    assert _filtered(charlie) == {ledger["b1"].pk}


def test_summary_by_township_counts_confirmed_only_and_distinct_technologies(ledger, bob):
    queryset = selectors.activity_list(user=bob)
    rows = {r.key: r for r in selectors.activity_summary(queryset=queryset, by="township")}
    assert set(rows) == {TOWNSHIP_A, TOWNSHIP_B}
    a = rows[TOWNSHIP_A]
    assert (a.activities, a.participants, a.technologies) == (3, 55, 2)
    assert a.label == "岸堤镇" and a.query == {"township": TOWNSHIP_A}
    b = rows[TOWNSHIP_B]
    assert (b.activities, b.participants, b.technologies) == (1, 7, 1)
    total = selectors.summary_total(list(rows.values()), queryset=queryset)
    assert (total.activities, total.participants, total.technologies) == (4, 62, 2)


def test_summaries_by_cadre_type_and_month(ledger, bob):
    queryset = selectors.activity_list(user=bob)
    cadre = {r.key: r for r in selectors.activity_summary(queryset=queryset, by="cadre")}
    posting = ledger["a1"].posting_id
    assert (cadre[posting].activities, cadre[posting].participants) == (2, 50)
    assert cadre[posting].technologies == 2 and cadre[posting].label.startswith("刘明")
    assert cadre[None].activities == 2 and cadre[None].query == {"posting": "none"}
    kinds = {
        r.label: r.activities for r in selectors.activity_summary(queryset=queryset, by="type")
    }
    assert kinds == {"科技培训": 3, "技术推广": 1}
    months = {
        r.key: r.activities for r in selectors.activity_summary(queryset=queryset, by="month")
    }
    assert months == {f"{TODAY:%Y-%m}": 3, f"{LAST_MONTH:%Y-%m}": 1}


@pytest.mark.parametrize("by", ["township", "cadre", "type", "month"])
def test_summary_pages_link_every_number_to_the_list(ledger, bob, client_for, by):
    client = client_for(bob)
    response = client.get(reverse(f"ledger:summary_{by}"), {"status": "draft"})
    assert response.status_code == 200
    rows = response.context["rows"]
    assert sum(r.activities for r in rows) == 4  # the status asked for is ignored
    for row in rows:
        listed = client.get(reverse("ledger:activity_list") + "?" + row.url)
        assert listed.context["page"].paginator.count == row.activities


def test_summary_queries_do_not_grow_with_groups(ledger, bob, client_for):
    client = client_for(bob)
    names = ["township", "cadre", "type", "month"]
    client.get(reverse("ledger:summary_township"))

    def counts():
        found = []
        for by in names:
            with CaptureQueriesContext(connection) as queries:
                client.get(reverse(f"ledger:summary_{by}"))
            found.append(len(queries))
        return found

    few = counts()
    for n in range(5):
        services.activity_confirm(
            actor=bob,
            activity=services.activity_create(
                actor=ledger["a1"].created_by,
                activity_type=ledger["a1"].activity_type,
                title=f"更多{n}",
                region=ledger["a1"].region,
                starts_on=TODAY - datetime.timedelta(days=40 * n),
                posting=ledger["a1"].posting,
                participants=3,
                submit=True,
            )[0],
        )
    assert counts() == few


def _make_rows(n, *, creator, region, kind):
    Activity.objects.bulk_create(
        [
            Activity(
                activity_type=kind,
                title=f"记录{i}",
                region=region,
                starts_on=TODAY,
                status="confirmed",
                participants=i,
                created_by=creator,
            )
            for i in range(n)
        ]
    )


def test_list_query_count_does_not_depend_on_rows(ledger, bob, client_for):
    client = client_for(bob)
    url = reverse("ledger:activity_list")
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    _make_rows(
        60,
        creator=ledger["a1"].created_by,
        region=ledger["a1"].region,
        kind=ledger["a1"].activity_type,
    )
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert len(response.context["page"].object_list) == 50
    assert len(many) == len(few)


def test_list_caps_its_count(ledger, bob, client_for, monkeypatch):
    from tiantou.ledger import list_views

    monkeypatch.setattr(list_views, "COUNT_LIMIT", 2)
    response = client_for(bob).get(reverse("ledger:activity_list"))
    assert response.context["capped"]
    assert "2" in response.content.decode()


def test_list_htmx_renders_the_table_only(ledger, alice, client_for):
    response = client_for(alice).get(
        reverse("ledger:activity_list"), {"q": "推广"}, headers={"HX-Request": "true"}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="activity-table"' in body and "<html" not in body
    assert "水肥一体化推广" in body and "草稿" not in body


def test_list_checks_access(ledger, client_for, ming, dana):
    url = reverse("ledger:activity_list")
    assert client_for(dana).get(url).status_code == 200
    from tiantou.accounts.models import User

    nobody = User.objects.create_user(username="nobody", password="x")  # noqa: S106
    assert client_for(nobody).get(url).status_code == 403


def test_export_reopens_with_the_import_columns(ledger, alice, client_for):
    response = client_for(alice).get(reverse("ledger:activity_export"))
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    rows = list(workbook.worksheets[0].iter_rows(values_only=True))
    assert list(rows[0]) == [str(c.label) for c in ACTIVITY_COLUMNS]
    assert len(rows) == 4  # header + A's three counted records
    by_title = {row[2]: row for row in rows[1:]}
    promoted = by_title["水肥一体化推广"]
    keys = [c.key for c in ACTIVITY_COLUMNS]
    assert promoted[keys.index("uuid")] == str(ledger["a2"].uuid)
    assert promoted[keys.index("region")] == TOWNSHIP_A
    assert set(promoted[keys.index("technologies")].split("、")) == {
        "水肥一体化技术",
        "测土配方施肥技术",
    }
    assert promoted[keys.index("posting_name")] == "刘明"
    assert promoted[keys.index("participants")] == 20


def test_export_imports_back_as_unchanged(ledger, alice, client_for):
    from tiantou.ledger.importers import ActivityImporter

    response = client_for(alice).get(reverse("ledger:activity_export"))
    data = io.BytesIO(b"".join(response.streaming_content))
    result = ActivityImporter(actor=alice).run(data, dry_run=False)
    assert result.ok, [str(e) for e in result.errors]
    assert result.unchanged == 3 and result.to_create == 0
