"""Issue 18 (8): ID numbers under their own key list, rotation, and unreadable values that
read “cannot be decrypted” (audited) instead of a server error."""

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import translation

from conftest import ID_MING
from tiantou.accounts import services as account_services
from tiantou.core import protected
from tiantou.core.models import AuditAction, AuditEntry
from tiantou.people import services
from tiantou.people.models import Person

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[3]


def zh(msgid: str) -> str:
    """A message as the Chinese page shows it (the English msgid until it is translated)."""
    with translation.override("zh-hans"):
        return translation.gettext(msgid)


def test_a_value_encrypted_with_an_older_key_still_reads(settings):
    settings.TIANTOU_FIELD_KEYS = ["old-key"]
    token = protected.encrypt(ID_MING)
    settings.TIANTOU_FIELD_KEYS = ["new-key", "old-key"]
    assert protected.decrypt(token) == ID_MING
    assert protected.needs_rotation(token)
    rotated = protected.rotate(token)
    assert not protected.needs_rotation(rotated)
    settings.TIANTOU_FIELD_KEYS = ["new-key"]
    assert protected.decrypt(rotated) == ID_MING
    with pytest.raises(protected.Undecryptable):
        protected.decrypt(token)


def test_no_key_is_a_configuration_error_not_secret_key(settings):
    settings.TIANTOU_FIELD_KEYS = []
    with pytest.raises(ImproperlyConfigured):
        protected.encrypt(ID_MING)
    settings.TIANTOU_FIELD_KEYS = [settings.SECRET_KEY + "-other"]
    first = protected.encrypt(ID_MING)
    settings.SECRET_KEY = "changed"
    assert protected.decrypt(first) == ID_MING  # changing SECRET_KEY changes nothing


def test_rotate_field_keys_reencrypts_redigests_and_is_idempotent(settings, bob, person_ming):
    old = Person.objects.get(pk=person_ming.pk)
    settings.TIANTOU_FIELD_KEYS = ["brand-new-key", "test-only-field-key"]
    out = io.StringIO()
    call_command("rotate_field_keys", "--dry-run", stdout=out)
    assert Person.objects.get(pk=old.pk).id_number_encrypted == old.id_number_encrypted
    call_command("rotate_field_keys", stdout=out)
    rotated = Person.objects.get(pk=old.pk)
    assert rotated.id_number_encrypted != old.id_number_encrypted
    assert rotated.id_number_digest == protected.digest(ID_MING) != old.id_number_digest
    assert AuditEntry.objects.filter(
        object_id=str(old.pk), note="身份证号已用最新密钥重新加密"
    ).exists()
    settings.TIANTOU_FIELD_KEYS = ["brand-new-key"]  # the old key dropped
    assert services.person_id_number(actor=bob, person=rotated).text == ID_MING
    # Found again by digest under the new key: a second registration is refused.
    with pytest.raises(ValidationError) as error:
        services.person_create(actor=bob, name="重号", region=rotated.region, id_number=ID_MING)
    assert "id_number" in error.value.message_dict
    audits = AuditEntry.objects.count()
    rerun = io.StringIO()
    call_command("rotate_field_keys", stdout=rerun)
    assert AuditEntry.objects.count() == audits


def test_rotate_field_keys_reports_values_no_key_decrypts(settings, person_ming):
    settings.TIANTOU_FIELD_KEYS = ["a-key-that-never-encrypted-it"]
    before = Person.objects.get(pk=person_ming.pk).id_number_encrypted
    with pytest.raises(CommandError):
        call_command("rotate_field_keys", stdout=io.StringIO())
    assert Person.objects.get(pk=person_ming.pk).id_number_encrypted == before


def test_an_undecryptable_number_reads_cannot_be_decrypted_with_an_audit_row(
    settings, client_for, bob, person_ming
):
    settings.TIANTOU_FIELD_KEYS = ["a-key-that-never-encrypted-it"]
    response = client_for(bob).get(reverse("people:person_detail", args=[person_ming.pk]))
    assert response.status_code == 200
    assert zh("cannot be decrypted") in response.content.decode()  # 无法解密
    entry = AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Person),
        object_id=str(person_ming.pk),
        action=AuditAction.OTHER,
    )
    unreadable = "The full ID number could not be decrypted with the configured keys."
    assert entry.filter(actor=bob, note=zh(unreadable)).exists()
    _token, raw = account_services.token_create(actor=bob, name="test")
    api = Client(headers={"Authorization": f"Bearer {raw}"})
    body = api.get(f"/api/v1/people/{person_ming.pk}").json()
    assert body["id_number_is_full"] is False and ID_MING not in str(body)
    assert entry.count() == 2


def _prod_settings(**env) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "TIANTOU_"))}
    environment |= {
        "DJANGO_SECRET_KEY": "prod-secret",
        "DATABASE_URL": "postgres://u:p@127.0.0.1:5432/none",
    } | env
    return subprocess.run(
        [sys.executable, "-c", "import config.settings.prod"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_requires_its_own_field_key():
    missing = _prod_settings()
    assert missing.returncode != 0 and "TIANTOU_FIELD_KEY" in missing.stderr
    same = _prod_settings(TIANTOU_FIELD_KEY="prod-secret")
    assert same.returncode != 0 and "differ" in same.stderr
    assert _prod_settings(TIANTOU_FIELD_KEY="field-key,prod-secret").returncode == 0
