"""Backups: one archive holding the database, the media files and a manifest.

The archive (`tiantou-YYYYmmdd-HHMMSS.tar.gz`) contains

- `manifest.json`: format and application version, time, database engine, every
  table's row count and checksum, the SHA-256 of the database file and of every
  media file;
- the database: PostgreSQL as a `pg_dump -Fc` custom-format dump taken inside the
  snapshot the counts were read from; SQLite as a copy made with SQLite's online
  backup API (consistent while the site runs), counted from the copy itself;
- `media/`: the uploaded files.

`restore` puts the database and the media back and checks the restored tables and
files against the manifest. A table's checksum is the sum of the SHA-256 of its rows
(so it does not depend on the rows' order) modulo 2^256.
"""

import contextlib
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess  # noqa: S404 (pg_dump and pg_restore, with argument lists)
import tarfile
import tempfile
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from importlib import metadata
from pathlib import Path, PurePosixPath
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db import connection as default_connection
from django.utils import timezone

FORMAT_VERSION = 1
ARCHIVE_PREFIX = "tiantou-"
ARCHIVE_SUFFIX = ".tar.gz"
MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite3"
PG_FILE = "database.dump"
MEDIA_DIR = "media"
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore that cannot go on, or a restore that does not match."""


# ---- checksums ----


def _value_text(value: Any) -> str:
    if value is None:
        return "\x00"
    if isinstance(value, memoryview | bytes | bytearray):
        return bytes(value).hex()
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value.normalize())
    if isinstance(value, float):
        return repr(value)
    return str(value)


def table_stats(connection: Any) -> dict[str, dict[str, Any]]:
    """Every table's row count and order-independent checksum over `connection`."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        tables = sorted(connection.introspection.table_names(cursor))
    stats: dict[str, dict[str, Any]] = {}
    for table in tables:
        count, total = 0, 0
        # A server-side cursor on PostgreSQL: a big table is read in chunks.
        cursor = connection.chunked_cursor()
        try:
            cursor.execute(f"SELECT * FROM {quote(table)}")  # noqa: S608 (a table name)
            while rows := cursor.fetchmany(2000):
                for row in rows:
                    text = "\x1f".join(_value_text(value) for value in row)
                    total += int.from_bytes(hashlib.sha256(text.encode()).digest(), "big")
                    count += 1
        finally:
            cursor.close()
        stats[table] = {"rows": count, "checksum": f"{total % 2**256:064x}"}
    return stats


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file."""
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for chunk in iter(lambda: file.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _media_files(root: Path) -> dict[str, str]:
    """The media files under `root` (relative POSIX paths) and their SHA-256."""
    if not root.is_dir():
        return {}
    files = {}
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            files[path.relative_to(root).as_posix()] = file_sha256(path)
    return files


@contextlib.contextmanager
def _connection_to(settings_dict: dict[str, Any], alias: str) -> Iterator[Any]:
    """A separate Django connection with these settings, closed afterwards."""
    wrapper = type(connections[DEFAULT_DB_ALIAS])(settings_dict, alias=alias)
    try:
        yield wrapper
    finally:
        wrapper.close()


def _sqlite_settings(path: Path | str) -> dict[str, Any]:
    # No WAL pragma on a copy: it must stay one self-contained file.
    return {**default_connection.settings_dict, "NAME": str(path), "OPTIONS": {}}


# ---- PostgreSQL ----


def _pg_command(program: str, settings_dict: dict[str, Any]) -> tuple[list[str], dict]:
    """A pg_dump / pg_restore command line and environment from a database's settings."""
    executable = shutil.which(program)
    if executable is None:
        raise BackupError(
            f"{program} is missing: install the PostgreSQL client (Debian: postgresql-client)."
        )
    args = [executable, "--no-password"]
    if settings_dict.get("HOST"):
        args += ["--host", str(settings_dict["HOST"])]
    if settings_dict.get("PORT"):
        args += ["--port", str(settings_dict["PORT"])]
    if settings_dict.get("USER"):
        args += ["--username", str(settings_dict["USER"])]
    env = dict(os.environ)
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    sslmode = (settings_dict.get("OPTIONS") or {}).get("sslmode")
    if sslmode:
        env["PGSSLMODE"] = str(sslmode)
    return args, env


def _run(args: list[str], env: dict) -> None:
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise BackupError(f"{Path(args[0]).name} failed: {done.stderr.strip()}")


def _pg_dump(target: Path) -> dict[str, dict[str, Any]]:
    """Dump the database to `target`; returns the table stats of the same snapshot."""
    settings_dict = default_connection.settings_dict
    args, env = _pg_command("pg_dump", settings_dict)
    args += ["--format=custom", "--no-owner", "--no-privileges", "--file", str(target)]
    if default_connection.in_atomic_block:
        # Inside a caller's transaction (tests): no snapshot to share with pg_dump.
        stats = table_stats(default_connection)
        _run([*args, str(settings_dict["NAME"])], env)
        return stats
    with transaction.atomic():
        with default_connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
        stats = table_stats(default_connection)
        _run([*args, f"--snapshot={snapshot}", str(settings_dict["NAME"])], env)
    return stats


def _pg_restore(source: Path, settings_dict: dict[str, Any]) -> None:
    args, env = _pg_command("pg_restore", settings_dict)
    args += [
        "--clean",
        "--if-exists",
        "--no-owner",
        "--no-privileges",
        "--single-transaction",
        "--exit-on-error",
        "--dbname",
        str(settings_dict["NAME"]),
        str(source),
    ]
    _run(args, env)


# ---- SQLite ----


def _sqlite_backup(target: Path) -> None:
    """Copy the live database with SQLite's online backup API."""
    default_connection.ensure_connection()
    destination = sqlite3.connect(target)
    try:
        default_connection.connection.backup(destination)
    finally:
        destination.close()


def _sqlite_restore(source: Path, into: str | None) -> None:
    """Copy a backup over the database (or over the file `into`) with the backup API."""
    origin = sqlite3.connect(source)
    try:
        if into is None:
            default_connection.ensure_connection()
            origin.backup(default_connection.connection)
        else:
            destination = sqlite3.connect(into)
            try:
                origin.backup(destination)
            finally:
                destination.close()
    finally:
        origin.close()


# ---- the archive ----


def _app_version() -> str:
    try:
        return metadata.version("tiantou")
    except metadata.PackageNotFoundError:
        return "unknown"


def backup_create(*, directory: Path, now: datetime | None = None) -> Path:
    """Write one archive of the database and the media files into `directory`."""
    now = now or timezone.now()
    vendor = default_connection.vendor
    if vendor not in ("sqlite", "postgresql"):
        raise BackupError(f"No backup for the {vendor} database engine.")
    directory.mkdir(parents=True, exist_ok=True)
    media_root = Path(settings.MEDIA_ROOT)
    stamp = timezone.localtime(now).strftime("%Y%m%d-%H%M%S")
    archive = directory / f"{ARCHIVE_PREFIX}{stamp}{ARCHIVE_SUFFIX}"
    with tempfile.TemporaryDirectory(dir=directory, prefix=".work-") as work:
        if vendor == "sqlite":
            database = Path(work) / SQLITE_FILE
            _sqlite_backup(database)
            with _connection_to(_sqlite_settings(database), "backup_copy") as copy:
                stats = table_stats(copy)
        else:
            database = Path(work) / PG_FILE
            stats = _pg_dump(database)
        manifest: dict[str, Any] = {
            "format": FORMAT_VERSION,
            "version": _app_version(),
            "created_at": now.isoformat(),
            "engine": vendor,
            "database": {"file": database.name, "sha256": file_sha256(database)},
            "tables": stats,
            "media": _media_files(media_root),
        }
        manifest_path = Path(work) / MANIFEST
        manifest_path.write_text(json.dumps(manifest, indent=1, ensure_ascii=False))
        partial = archive.with_name(archive.name + ".partial")
        with tarfile.open(partial, "w:gz") as tar:
            tar.add(manifest_path, arcname=MANIFEST)
            tar.add(database, arcname=database.name)
            for name in manifest["media"]:
                tar.add(media_root / name, arcname=f"{MEDIA_DIR}/{name}")
        partial.replace(archive)
    return archive


def read_manifest(archive: Path) -> dict[str, Any]:
    """The manifest of an archive."""
    with tarfile.open(archive, "r:gz") as tar:
        member = tar.extractfile(MANIFEST)
        if member is None:
            raise BackupError(f"{archive.name} has no manifest.")
        manifest = json.load(member)
    if manifest.get("format") != FORMAT_VERSION:
        raise BackupError(f"{archive.name} has an unknown format: {manifest.get('format')}.")
    return manifest


def _safe_name(name: str) -> bool:
    path = PurePosixPath(name)
    return not path.is_absolute() and ".." not in path.parts


def _extract(archive: Path, work: Path) -> None:
    """Extract regular files only, refusing links and paths leaving `work`."""
    with tarfile.open(archive, "r:gz") as tar:
        for member in tar:
            if member.isdir():
                continue
            if not member.isfile() or not _safe_name(member.name):
                raise BackupError(f"{archive.name} holds an unsafe entry: {member.name}")
            target = work / member.name
            target.parent.mkdir(parents=True, exist_ok=True)
            source = tar.extractfile(member)
            if source is None:
                raise BackupError(f"{archive.name}: {member.name} cannot be read.")
            with source, target.open("wb") as output:
                shutil.copyfileobj(source, output, CHUNK)


def compare_stats(expected: dict[str, Any], actual: dict[str, Any]) -> list[str]:
    """The tables whose row count or checksum differ (or that exist on one side only)."""
    problems = []
    for table in sorted(set(expected) | set(actual)):
        want, got = expected.get(table), actual.get(table)
        if want != got:
            problems.append(f"{table}: expected {want}, found {got}")
    return problems


def backup_restore(*, archive: Path, into: str | None = None) -> dict[str, Any]:
    """Restore the database and the media files from `archive`, then check them.

    `into` names another database (PostgreSQL: an existing empty database; SQLite: a
    file) to restore into instead of the configured one, to try a backup out; the
    media files are then left alone. Returns the manifest; raises BackupError when
    anything restored differs from it.
    """
    manifest = read_manifest(archive)
    vendor = default_connection.vendor
    if manifest["engine"] != vendor:
        raise BackupError(
            f"{archive.name} holds a {manifest['engine']} database; this site uses {vendor}."
        )
    with tempfile.TemporaryDirectory(prefix="tiantou-restore-") as work_name:
        work = Path(work_name)
        _extract(archive, work)
        database = work / manifest["database"]["file"]
        if not database.is_file() or file_sha256(database) != manifest["database"]["sha256"]:
            raise BackupError(f"{archive.name}: the database file is damaged.")
        if vendor == "sqlite":
            _sqlite_restore(database, into)
            if into is None:
                stats = table_stats(default_connection)
            else:
                with _connection_to(_sqlite_settings(into), "restored") as restored:
                    stats = table_stats(restored)
        else:
            target = {**default_connection.settings_dict}
            if into is not None:
                target["NAME"] = into
            else:
                default_connection.close()
            _pg_restore(database, target)
            with _connection_to(target, "restored") as restored:
                stats = table_stats(restored)
        problems = compare_stats(manifest["tables"], stats)
        if problems:
            raise BackupError("The restored database differs: " + "; ".join(problems))
        if into is None:
            _restore_media(work / MEDIA_DIR, manifest["media"])
    return manifest


def _restore_media(source: Path, expected: dict[str, str]) -> None:
    """Copy the archived media files into MEDIA_ROOT and check them."""
    media_root = Path(settings.MEDIA_ROOT)
    for name, digest in expected.items():
        origin = source / name
        if not origin.is_file() or file_sha256(origin) != digest:
            raise BackupError(f"The media file {name} is damaged in the archive.")
        target = media_root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(origin, target)


# ---- retention ----


def archives_in(directory: Path) -> list[Path]:
    """The backup archives in `directory`, oldest first."""
    if not directory.is_dir():
        return []
    return sorted(
        path
        for path in directory.iterdir()
        if path.name.startswith(ARCHIVE_PREFIX) and path.name.endswith(ARCHIVE_SUFFIX)
    )


def parse_keep(value: str | int) -> tuple[int | None, timedelta | None]:
    """TIANTOU_BACKUP_KEEP as (a count, an age): "14" keeps 14 archives, "30d" keeps
    those of the last 30 days."""
    text = str(value).strip().lower()
    try:
        if text.endswith("d"):
            days = int(text[:-1])
            if days >= 1:
                return None, timedelta(days=days)
        elif int(text) >= 1:
            return int(text), None
    except ValueError:
        pass
    raise BackupError(f"TIANTOU_BACKUP_KEEP must be a count (14) or days (30d), not {value!r}.")


def backups_prune(*, directory: Path, keep: str | int, now: datetime | None = None) -> list[Path]:
    """Delete the archives beyond the retention setting; the newest is always kept."""
    count, age = parse_keep(keep)
    archives = archives_in(directory)
    if not archives:
        return []
    older = archives[:-1]
    if count is not None:
        doomed = archives[: max(len(archives) - count, 0)]
    else:
        assert age is not None  # noqa: S101 (parse_keep returns one of the two)
        cutoff = ((now or timezone.now()) - age).timestamp()
        doomed = [path for path in older if path.stat().st_mtime < cutoff]
    for path in doomed:
        path.unlink()
    return doomed
