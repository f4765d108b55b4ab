"""Read each hostile spreadsheet of issue 18 through the importers' reader, each in a
child process, and print the outcome, the time and the child's peak RSS.

    bench/hostile_files.py [--bomb-mb N] [--raw]

The full-size zip bomb holds N MB of sheet XML (2000 by default, as the issue's
7.4 MB file held 1.95 GB), made on the fly through zipfile's streaming writes. With
`--raw` each file is also handed to calamine directly, as the reader did before its
checks, in a child capped at 2 GB of address space, so that the old failure shows
without taking the machine's memory.
"""

import argparse
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FILES = [
    "far_cell",
    "far_cell_undeclared",
    "lying_dimension",
    "wide",
    "zip_bomb",
    "lying_sizes",
    "not_a_zip",
    "truncated",
    "formula_and_external_link",
    "csv_with_nul_bytes",
    "huge_string",
    "entity_expansion",
]
RAW_CAP = 2 * 1024**3


def _setup() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()


def _make(name: str, bomb_mb: int) -> bytes:
    from tiantou.core.tests import hostile

    if name == "far_cell_undeclared":
        return hostile.far_cell(declared=False)
    if name in ("zip_bomb", "lying_sizes"):
        return getattr(hostile, name)(bomb_mb * hostile.MB)
    return getattr(hostile, name)()


def child(name: str, bomb_mb: int, raw: bool) -> None:
    """Runs in the child: make the file, read it, print one line."""
    _setup()
    data = _make(name, bomb_mb)
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import translation
    from python_calamine import CalamineWorkbook

    from tiantou.core.importing import Column, integer, read_sheet, text

    translation.activate("zh-hans")  # modules and catalogue loaded before measuring
    translation.gettext("The file is empty.")
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    if raw:
        import io

        resource.setrlimit(resource.RLIMIT_AS, (RAW_CAP, RAW_CAP))
        try:
            workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
            rows = workbook.get_sheet_by_index(0).to_python(skip_empty_area=False)
            outcome = f"read {len(rows)} rows"
        except Exception as error:
            outcome = f"{type(error).__name__}: {str(error)[:80]}"
    else:
        columns = [
            Column("name", "Name", text(200), required=True),
            Column("count", "Count", integer(0, 100)),
        ]
        result = read_sheet(SimpleUploadedFile("x.xlsx", data), columns, max_rows=10_000)
        errors = [str(error.message) for error in result.errors]
        outcome = ("refused: " + errors[0][:90]) if errors else f"read {len(result.rows)} rows"
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        f"{name:26} {len(data) / 1024:9.1f} KB {seconds:7.3f} s "
        f"peak RSS {peak / 1024:7.1f} MB (+{(peak - before) / 1024:.1f}) {outcome}",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bomb-mb", type=int, default=2000)
    parser.add_argument("--raw", action="store_true")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.bomb_mb, args.raw)
        return
    for raw in (False, True) if args.raw else (False,):
        print("calamine directly (capped at 2 GB):" if raw else "through the reader's checks:")
        for name in FILES:
            command = [sys.executable, __file__, "--child", name, "--bomb-mb", str(args.bomb_mb)]
            done = subprocess.run([*command, *(["--raw"] if raw else [])], check=False)
            if done.returncode:
                print(f"{name:26} the child ended with code {done.returncode}", flush=True)


if __name__ == "__main__":
    main()
