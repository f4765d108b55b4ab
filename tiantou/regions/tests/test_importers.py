import time

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile

from conftest import TOWNSHIP_A, TOWNSHIP_B
from tiantou.core.exporting import write_xlsx
from tiantou.core.models import AuditAction, AuditEntry
from tiantou.core.tests.xlsx import xlsx_upload
from tiantou.core.validators import uscc_check_char
from tiantou.regions import importers, services
from tiantou.regions.choices import Level, OrganisationKind, RegionKind
from tiantou.regions.importers import ORGANISATION_COLUMNS, OrganisationImporter, VillageImporter
from tiantou.regions.models import Organisation, Region

HEADER = [str(c.label) for c in ORGANISATION_COLUMNS]
ENTERPRISE = str(OrganisationKind.ENTERPRISE.label)


def uscc(n: int) -> str:
    body = f"91371321MA{n:07d}"
    return body + uscc_check_char(body)


def org_row(n, region=TOWNSHIP_A, code=None, kind=ENTERPRISE):
    return [
        f"单位{n}",
        kind,
        None,
        region,
        code if code is not None else uscc(n),
        "张三",
        "13800000000",
        "岸堤镇",
        None,
    ]


def run(actor, rows, dry_run=True):
    return OrganisationImporter(actor=actor).run(xlsx_upload([HEADER, *rows]), dry_run=dry_run)


def test_dry_run_saves_nothing(alice):
    result = run(alice, [org_row(1), org_row(2)])
    assert result.ok, result.errors
    assert (result.to_create, result.to_update, result.unchanged) == (2, 0, 0)
    assert not result.written
    assert Organisation.objects.count() == 0
    assert [p["number"] for p in result.preview()] == [2, 3]


def test_import_creates_with_audit_rows_then_second_import_is_unchanged(alice):
    result = run(alice, [org_row(1), org_row(2, code="")], dry_run=False)
    assert result.written
    assert Organisation.objects.count() == 2
    assert AuditEntry.objects.filter(action=AuditAction.IMPORT).count() == 2
    again = run(alice, [org_row(1), org_row(2, code="")], dry_run=False)
    assert again.ok
    assert (again.to_create, again.to_update, again.unchanged) == (0, 0, 2)
    assert AuditEntry.objects.count() == 2


def test_update_matches_by_credit_code_then_by_region_and_name(alice):
    run(alice, [org_row(1), org_row(2, code="")], dry_run=False)
    renamed = org_row(1)
    renamed[0] = "新名称"
    phone_changed = org_row(2, code="")
    phone_changed[6] = "0539-1234567"
    result = run(alice, [renamed, phone_changed], dry_run=False)
    assert (result.to_create, result.to_update, result.unchanged) == (0, 2, 0)
    org = Organisation.objects.get(credit_code=uscc(1))
    assert org.name == "新名称"
    assert org.version == 2
    assert Organisation.objects.get(name="单位2").phone == "0539-1234567"
    entry = AuditEntry.objects.filter(object_id=str(org.pk)).first()
    assert entry is not None and entry.before is not None and entry.after is not None
    assert entry.before["name"] == "单位1" and entry.after["name"] == "新名称"


def test_rows_outside_scope_are_refused(alice, township_b):
    result = run(alice, [org_row(1), org_row(2, region=TOWNSHIP_B)], dry_run=False)
    assert [(e.row, e.column) for e in result.errors] == [(3, str(ORGANISATION_COLUMNS[3].label))]
    assert Organisation.objects.count() == 0


def test_unknown_region_and_duplicates_in_file(alice):
    rows = [org_row(1), org_row(1), org_row(3, region="371321199"), org_row(4)]
    rows[3][0] = "单位3"  # same name as row 4's? no: row 4 keeps its own region
    result = run(alice, rows)
    found = {(e.row, e.column) for e in result.errors}
    assert (3, str(ORGANISATION_COLUMNS[4].label)) in found  # credit code repeated
    assert (3, str(ORGANISATION_COLUMNS[0].label)) in found  # name repeated in region
    assert (4, str(ORGANISATION_COLUMNS[3].label)) in found  # no such region


def test_credit_code_of_an_organisation_outside_scope(alice, charlie, township_b):
    services.organisation_create(
        actor=charlie,
        name="孙祖企业",
        kind=OrganisationKind.ENTERPRISE,
        region=township_b,
        credit_code=uscc(9),
    )
    result = run(alice, [org_row(9)])
    assert [(e.row, e.column) for e in result.errors] == [(2, str(ORGANISATION_COLUMNS[4].label))]


def test_viewer_may_not_import(dana):
    with pytest.raises(PermissionDenied):
        run(dana, [org_row(1)])


def test_wrong_columns(alice):
    result = OrganisationImporter(actor=alice).run(xlsx_upload([["名字", "类型"], ["a", "b"]]))
    assert not result.ok
    assert Organisation.objects.count() == 0


def test_text_file_renamed_xlsx(alice):
    upload = SimpleUploadedFile("orgs.xlsx", "名称,类型\n单位,企业\n".encode())
    result = OrganisationImporter(actor=alice).run(upload, dry_run=False)
    assert not result.ok
    assert result.errors[0].row is None


def test_ten_thousand_rows_with_three_bad_ones(alice):
    rows = [org_row(n) for n in range(1, 10_001)]
    rows[99][1] = "飞船厂"  # row 101: unknown kind
    rows[4999][4] = rows[4999][4][:-1] + ("0" if rows[4999][4][-1] != "0" else "1")  # row 5001
    rows[9998][3] = "371399"  # row 10000: no such region
    upload = xlsx_upload([HEADER, *rows])
    started = time.perf_counter()
    result = OrganisationImporter(actor=alice).run(upload, dry_run=False)
    elapsed = time.perf_counter() - started
    assert [(e.row, e.column) for e in result.errors] == [
        (101, str(ORGANISATION_COLUMNS[1].label)),
        (5001, str(ORGANISATION_COLUMNS[4].label)),
        (10000, str(ORGANISATION_COLUMNS[3].label)),
    ]
    assert Organisation.objects.count() == 0
    assert elapsed < 60


def test_ten_thousand_rows_import_in_bulk(alice, django_assert_max_num_queries):
    upload = xlsx_upload([HEADER, *[org_row(n) for n in range(1, 10_001)]])
    # Batches, not a query per row (SQLite caps a statement at 999 parameters: ~70 rows).
    with django_assert_max_num_queries(400):
        result = OrganisationImporter(actor=alice).run(upload, dry_run=False)
    assert result.written, result.errors[:3]
    assert Organisation.objects.count() == 10_000
    assert AuditEntry.objects.count() == 10_000


def test_export_then_import_is_unchanged(alice):
    run(
        alice,
        [org_row(1), org_row(2, code=""), org_row(3, kind=str(OrganisationKind.ASSOCIATION.label))],
        dry_run=False,
    )
    output = write_xlsx(ORGANISATION_COLUMNS, Organisation.objects.all(), sheet_title="x")
    result = OrganisationImporter(actor=alice).run(
        SimpleUploadedFile("export.xlsx", output.read()), dry_run=False
    )
    assert result.ok, result.errors
    assert (result.to_create, result.to_update, result.unchanged) == (0, 0, 3)


def test_organisation_import_service_takes_plain_rows(alice, township_a):
    result = importers.organisation_import(
        actor=alice,
        rows=[{"name": "单位", "kind": OrganisationKind.BASE, "region": TOWNSHIP_A}],
    )
    assert result.ok and result.written
    assert Organisation.objects.get().region == township_a


# ---- villages ----


def run_villages(actor, region, rows, dry_run=True):
    header = [str(c.label) for c in VillageImporter.columns]
    return VillageImporter(actor=actor, region=region).run(
        xlsx_upload([header, *rows]), dry_run=dry_run
    )


def test_villages_are_created_matched_and_unchanged(alice, township_a):
    rows = [
        [TOWNSHIP_A, "371321101005", "东山村", "村"],
        [TOWNSHIP_A, None, "西山社区", "社区"],
        [TOWNSHIP_A, "371321101001", "岸堤村", "村"],  # exists already
    ]
    preview = run_villages(alice, township_a, rows)
    assert (preview.to_create, preview.to_update, preview.unchanged) == (2, 0, 1)
    assert not Region.objects.filter(name="东山村").exists()
    result = run_villages(alice, township_a, rows, dry_run=False)
    assert result.written, result.errors
    west = Region.objects.get(name="西山社区")
    assert west.kind == RegionKind.COMMUNITY
    assert west.code == "371321101006"  # after the explicit 005
    assert west.level == Level.VILLAGE
    again = run_villages(alice, township_a, rows, dry_run=False)
    assert (again.to_create, again.to_update, again.unchanged) == (0, 0, 3)


def test_villages_outside_the_township_are_refused(alice, township_a, township_b):
    rows = [[TOWNSHIP_B, None, "外村", "村"], [TOWNSHIP_A, "371321102009", "错码村", "村"]]
    result = run_villages(alice, township_a, rows, dry_run=False)
    labels = [str(c.label) for c in VillageImporter.columns]
    assert [(e.row, e.column) for e in result.errors] == [(2, labels[0]), (3, labels[1])]
    assert not Region.objects.filter(name__in=["外村", "错码村"]).exists()


def test_village_import_needs_the_right(dana, township_a):
    with pytest.raises(PermissionDenied):
        run_villages(dana, township_a, [[TOWNSHIP_A, None, "东山村", "村"]])
