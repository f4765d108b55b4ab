"""Issue 18 (7): no demo data and no superuser with a known password on a production site."""

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from tiantou.accounts.models import User
from tiantou.regions.models import Region
from tiantou.web import demo

pytestmark = pytest.mark.django_db


def test_seed_demo_refuses_where_demo_data_is_not_allowed(settings):
    settings.TIANTOU_DEMO_DATA_ALLOWED = False
    with pytest.raises(CommandError, match="--force"):
        call_command("seed_demo", stdout=io.StringIO())
    assert not User.objects.exists() and not Region.objects.exists()
    assert demo.demo_allowed(force=True)
    assert not demo.demo_allowed()


def test_production_settings_do_not_allow_demo_data():
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "TIANTOU_"))}
    environment |= {
        "DJANGO_SECRET_KEY": "prod-secret",
        "TIANTOU_FIELD_KEY": "prod-field-key",
        "DATABASE_URL": "postgres://u:p@127.0.0.1:5432/none",
    }
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import config.settings.prod as s; print(s.TIANTOU_DEMO_DATA_ALLOWED)",
        ],
        cwd=Path(__file__).resolve().parents[3],
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.strip() == "False"


def test_the_demo_administrator_gets_a_random_password_shown_once_and_is_demo():
    admin, password = demo.demo_admin()
    assert admin.is_superuser and admin.is_demo
    assert password and admin.check_password(password)
    assert not admin.check_password(demo.DEMO_PASSWORD)
    again, shown = demo.demo_admin()
    assert again == admin and shown == ""
    User.objects.all().delete()
    assert demo.demo_admin()[1] != password
