"""Shared set-up for the benchmark scripts: a throw-away database, migrated."""

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def django_with_fresh_database(name: str) -> None:
    """Point Django at a new database (SQLite file, or `bench_<name>` on PostgreSQL), migrate."""
    sys.path.insert(0, str(ROOT))
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        import psycopg

        base = url.rsplit("/", 1)[0]
        with psycopg.connect(base + "/postgres", autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "bench_{name}"')
            connection.execute(f'CREATE DATABASE "bench_{name}"')
        os.environ["DATABASE_URL"] = f"{base}/bench_{name}"
    else:
        folder = tempfile.mkdtemp(prefix="tiantou-bench-")
        os.environ["DATABASE_URL"] = f"sqlite:///{folder}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    print(f"database: {os.environ['DATABASE_URL'].split('://')[0]}")
