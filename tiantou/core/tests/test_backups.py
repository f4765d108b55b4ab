"""backup and restore: a round trip gives back every table's rows and the media files."""

import io
import json
import os
import tarfile
import time
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from tiantou.core import backups
from tiantou.regions import services as region_services
from tiantou.regions.choices import OrganisationKind

on_sqlite = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite only")
on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only")


@pytest.fixture
def site(transactional_db, alice, township_a, settings, tmp_path):
    """Some records and a media file, with the media and backup folders under tmp_path."""
    settings.MEDIA_ROOT = tmp_path / "media"
    (tmp_path / "media" / "letters").mkdir(parents=True)
    (tmp_path / "media" / "letters" / "责任书.pdf").write_bytes(b"%PDF signed")
    for name in ("岸堤合作社", "岸堤农技协"):
        region_services.organisation_create(
            actor=alice, name=name, kind=OrganisationKind.COOPERATIVE, region=township_a
        )
    return tmp_path


def _backup(directory: Path, keep: str = "5") -> Path:
    call_command("backup", "--dir", str(directory), "--keep", keep, stdout=io.StringIO())
    return backups.archives_in(directory)[-1]


def _change_everything(site: Path, alice, township_a) -> None:
    region_services.organisation_create(
        actor=alice, name="后来的合作社", kind=OrganisationKind.COOPERATIVE, region=township_a
    )
    (site / "media" / "letters" / "责任书.pdf").write_bytes(b"overwritten")


@on_sqlite
def test_sqlite_round_trip(site, alice, township_a):
    before = backups.table_stats(connection)
    archive = _backup(site / "backups")
    manifest = backups.read_manifest(archive)
    assert manifest["engine"] == "sqlite"
    assert manifest["tables"] == before
    assert before["regions_organisation"]["rows"] == 2
    assert set(manifest["media"]) == {"letters/责任书.pdf"}

    _change_everything(site, alice, township_a)
    assert backups.table_stats(connection) != before

    with pytest.raises(CommandError, match="--yes"):
        call_command("restore", str(archive), stdout=io.StringIO())
    call_command("restore", str(archive), "--yes", stdout=io.StringIO())

    assert backups.table_stats(connection) == before
    assert (site / "media" / "letters" / "责任书.pdf").read_bytes() == b"%PDF signed"


@on_postgresql
def test_postgresql_round_trip_into_a_fresh_database(site):
    before = backups.table_stats(connection)
    archive = _backup(site / "backups")
    manifest = backups.read_manifest(archive)
    assert manifest["engine"] == "postgresql"
    assert manifest["tables"] == before
    assert before["regions_organisation"]["rows"] == 2

    fresh = f"{connection.settings_dict['NAME']}_restore"
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{fresh}"')
        cursor.execute(f'CREATE DATABASE "{fresh}"')
    try:
        call_command("restore", str(archive), "--yes", "--into", fresh, stdout=io.StringIO())
        settings_dict = {**connection.settings_dict, "NAME": fresh}
        with backups._connection_to(settings_dict, "restored") as restored:
            assert backups.table_stats(restored) == before
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{fresh}" WITH (FORCE)')


def _rewrite(archive: Path, change) -> None:
    """Rewrite an archive's manifest through `change(manifest)`."""
    with tarfile.open(archive, "r:gz") as tar:
        members = []
        for member in tar.getmembers():
            file = tar.extractfile(member)
            if member.isfile() and file is not None:
                members.append((member, file.read()))
    with tarfile.open(archive, "w:gz") as tar:
        for member, data in members:
            if member.name == backups.MANIFEST:
                manifest = json.loads(data)
                change(manifest)
                data = json.dumps(manifest).encode()
                member.size = len(data)
            tar.addfile(member, io.BytesIO(data))


@on_sqlite
def test_restore_reports_a_table_that_does_not_match(site):
    archive = _backup(site / "backups")

    def wrong_count(manifest):
        manifest["tables"]["regions_organisation"]["rows"] = 3

    _rewrite(archive, wrong_count)
    with pytest.raises(CommandError, match="regions_organisation"):
        call_command(
            "restore",
            str(archive),
            "--yes",
            "--into",
            str(site / "try.sqlite3"),
            stdout=io.StringIO(),
        )


@on_sqlite
def test_restore_refuses_a_damaged_database_file(site):
    archive = _backup(site / "backups")

    def wrong_digest(manifest):
        manifest["database"]["sha256"] = "0" * 64

    _rewrite(archive, wrong_digest)
    with pytest.raises(CommandError, match="damaged"):
        call_command("restore", str(archive), "--yes", stdout=io.StringIO())


def test_restore_refuses_paths_leaving_the_archive(tmp_path):
    archive = tmp_path / "tiantou-20260101-000000.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        manifest = json.dumps({"format": 1}).encode()
        info = tarfile.TarInfo(backups.MANIFEST)
        info.size = len(manifest)
        tar.addfile(info, io.BytesIO(manifest))
        info = tarfile.TarInfo("../evil")
        info.size = 1
        tar.addfile(info, io.BytesIO(b"x"))
    with pytest.raises(backups.BackupError, match="unsafe"):
        backups._extract(archive, tmp_path / "work")
    assert not (tmp_path / "evil").exists()


def _archives(directory: Path, count: int) -> list[Path]:
    directory.mkdir()
    paths = []
    for day in range(1, count + 1):
        path = directory / f"tiantou-202601{day:02d}-000000.tar.gz"
        path.write_bytes(b"x")
        stamp = time.time() - (count - day) * 86400
        os.utime(path, (stamp, stamp))
        paths.append(path)
    return paths


def test_retention_by_count_keeps_the_newest(tmp_path):
    paths = _archives(tmp_path / "b", 5)
    (tmp_path / "b" / "notes.txt").write_text("kept")
    deleted = backups.backups_prune(directory=tmp_path / "b", keep="2")
    assert deleted == paths[:3]
    assert backups.archives_in(tmp_path / "b") == paths[3:]
    assert (tmp_path / "b" / "notes.txt").exists()


def test_retention_by_days(tmp_path):
    paths = _archives(tmp_path / "b", 5)
    backups.backups_prune(directory=tmp_path / "b", keep="2d")
    # Ages 0, 1 and 2 days (the last just past the cut-off by seconds): two kept.
    assert backups.archives_in(tmp_path / "b") == paths[3:]


def test_retention_always_keeps_the_newest(tmp_path):
    paths = _archives(tmp_path / "b", 3)
    for path in paths:
        os.utime(path, (0, 0))
    backups.backups_prune(directory=tmp_path / "b", keep="1d")
    assert backups.archives_in(tmp_path / "b") == paths[2:]


@pytest.mark.parametrize("value", ["0", "x", "-3", "0d", "d"])
def test_a_wrong_retention_is_refused(value):
    with pytest.raises(backups.BackupError):
        backups.parse_keep(value)
